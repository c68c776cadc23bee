import ICAL from 'ical.js';
import { CalendarError, MAX_HOLIDAYS, MAX_HOLIDAY_NAME_LENGTH, daysFromCivil, isoDate, type Holiday } from './calendar.js';

/**
 * Holiday feeds: the holidays of an iCalendar (.ics) file (RFC 5545), as published by governments and by the
 * Google and Outlook holiday calendars. ical.js reads every property line (parameters, quoting, value types,
 * text escapes, durations, recurrence rules and their expansion); this module decides what a holiday is and keeps
 * going where a feed is broken, naming the line.
 *
 * - Each VEVENT directly inside the VCALENDAR gives holidays: DTSTART with VALUE=DATE gives its date (a bare
 *   8-digit DTSTART is read as a date too); a date-time DTSTART gives the date as written (its local date; for a
 *   UTC "Z" time, the UTC date). DTEND is exclusive, so an event from 20261224 to 20261226 gives two holidays;
 *   DURATION works the same way. SUMMARY is the name.
 * - RRULE:FREQ=YEARLY on the start's month and day (INTERVAL=1; BYMONTH/BYMONTHDAY only if they repeat the
 *   start's) gives an annual holiday. Any rule bounded by COUNT or UNTIL gives exactly the dates it names, as
 *   one-off holidays. An unbounded rule of another shape (say, the fourth Thursday of November) is a warning and
 *   only the first occurrence is kept. RDATE dates are added; EXDATE removes occurrences of a finite repeat (an
 *   annual one cannot skip a year, so there it is a warning).
 * - Cancelled events, overrides of single occurrences (RECURRENCE-ID), duplicates and malformed lines or events
 *   are skipped with a warning that names the line; nothing in the body of the file makes the parse throw. Only
 *   input that is not an iCalendar at all is a CalendarError(['ics']).
 * - The result is sorted by date, has no duplicate dates, and has at most 1,000 holidays (the earliest), so it is
 *   always a valid `holidays` list for BusinessCalendar.compile.
 */
export interface HolidayFeed {
  holidays: Holiday[];
  warnings: string[];
}

/** Dates held while reading, before the cap of MAX_HOLIDAYS: bounds the memory a hostile feed can take. */
const MAX_COLLECTED_DATES = 20_000;
const MAX_EVENT_DAYS = 366;
/** BY-parts that pick the day themselves; without one, a recurrence keeps the start's day of the month. */
const DAY_CHOOSING_PARTS = ['BYMONTHDAY', 'BYDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYSETPOS'];

interface Line {
  number: number;
  text: string;
}

/** A VEVENT being read: ical.js's component, and the physical line each of its properties started on. */
interface EventDraft {
  line: number;
  component: ICAL.Component;
  lines: Map<ICAL.Property, number>;
}

interface DayTime {
  day: number;
  /** Milliseconds after midnight for a date-time, null for a date. */
  time: number | null;
}

interface Candidate {
  day: number;
  name: string;
  annual: boolean;
  line: number;
}

export function parseHolidayFeed(ics: string): HolidayFeed {
  if (typeof ics !== 'string') throw new CalendarError(['ics'], 'The feed must be the text of an iCalendar (.ics) file.');
  const lines = unfold(ics);
  const first = lines[0] && componentBoundary(lines[0]);
  if (!first || first.kind !== 'BEGIN' || first.component !== 'VCALENDAR') {
    throw new CalendarError(['ics'], 'This is not an iCalendar (.ics) feed: it does not start with BEGIN:VCALENDAR.');
  }

  const warnings: string[] = [];
  const candidates: Candidate[] = [];
  const stack: string[] = [];
  let event: EventDraft | null = null;

  // ical.js's own document parser stops at the first bad line; reading line by line lets one broken event or stray
  // line cost only itself.
  for (const line of lines) {
    const boundary = componentBoundary(line);
    if (boundary?.kind === 'BEGIN') {
      stack.push(boundary.component);
      if (boundary.component === 'VEVENT' && stack.length === 2 && stack[0] === 'VCALENDAR') {
        event = { line: line.number, component: new ICAL.Component('vevent'), lines: new Map() };
      }
      continue;
    }
    if (boundary?.kind === 'END') {
      const at = stack.lastIndexOf(boundary.component);
      if (at < 0) {
        warnings.push(`line ${line.number}: END:${boundary.component} without a matching BEGIN; ignored.`);
        continue;
      }
      stack.splice(at);
      if (event && at <= 1) {
        if (at === 1 && boundary.component === 'VEVENT') readEvent(event, candidates, warnings);
        else warnings.push(`line ${event.line}: event has no END:VEVENT (line ${line.number} closes ${boundary.component}); skipped.`);
        event = null;
      }
      continue;
    }
    const property = readProperty(line);
    if (typeof property === 'string') {
      warnings.push(`line ${line.number}: ${property}; ignored.`);
      continue;
    }
    if (event && stack.length === 2) {
      event.component.addProperty(property);
      event.lines.set(property, line.number);
    }
  }
  if (event) warnings.push(`line ${event.line}: event has no END:VEVENT (the feed ends first); skipped.`);
  else if (stack.length > 0)
    warnings.push(`line ${lines[lines.length - 1]!.number}: the feed ends without END:VCALENDAR; it may be cut short.`);

  return { holidays: settle(candidates, warnings), warnings };
}

/** RFC 5545 §3.1: CRLF followed by one space or tab is a fold. Line numbers are those of the physical lines. */
function unfold(ics: string): Line[] {
  const lines: Line[] = [];
  ics
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .forEach((text, index) => {
      const last = lines[lines.length - 1];
      if (last && (text.startsWith(' ') || text.startsWith('\t'))) last.text += text.slice(1);
      else lines.push({ number: index + 1, text });
    });
  return lines.filter((line) => line.text.trim() !== '');
}

/** BEGIN and END lines, which ical.js only reads as part of a whole document. */
function componentBoundary(line: Line): { kind: 'BEGIN' | 'END'; component: string } | null {
  const match = /^(BEGIN|END):(.+)$/i.exec(line.text.trim());
  return match ? { kind: match[1]!.toUpperCase() as 'BEGIN' | 'END', component: match[2]!.trim().toUpperCase() } : null;
}

/**
 * One property line through ical.js, its values read eagerly so that a bad value costs only its line. A string is
 * the reason the line was ignored.
 */
function readProperty(line: Line): ICAL.Property | string {
  const name = /^([A-Za-z0-9-]+)[;:]/.exec(line.text)?.[1];
  if (!name) return 'not an iCalendar property line';
  const unreadable = `${name.toUpperCase()} has an unreadable value "${line.text.slice(line.text.indexOf(':') + 1)}"`;
  try {
    const jCal = ICAL.parse.property(line.text) as unknown[];
    // A bare date where DATE-TIME is the default type (DTSTART:20260101, common in hand-made feeds) is a date:
    // ical.js reads it as a date-time with an empty time of day.
    if (jCal[2] === 'date-time' && jCal.slice(3).every((value) => typeof value === 'string' && value.endsWith('T::'))) {
      jCal.splice(2, Infinity, 'date', ...jCal.slice(3).map((value) => (value as string).slice(0, 10)));
    }
    const property = new ICAL.Property(jCal);
    property.getValues();
    return property;
  } catch {
    return unreadable;
  }
}

/**
 * The DATE or DATE-TIME values of a property, each as a day number and, for a date-time, the milliseconds after
 * midnight; null for a value that is no real date. ical.js rolls 2026-13-32 over to 2027-02-01, so a value whose
 * date differs from the one written in the feed was not one.
 */
function readTimes(property: ICAL.Property): (DayTime | null)[] {
  const written = property.toJSON().slice(3);
  return property.getValues().map((value, index) => {
    const text = written[index];
    if (!(value instanceof ICAL.Time) || typeof text !== 'string' || !text.startsWith(value.toString().slice(0, 10))) return null;
    return dayTime(value);
  });
}

function dayTime(value: ICAL.Time): DayTime {
  const day = daysFromCivil(value.year, value.month, value.day);
  return { day, time: value.isDate ? null : ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 };
}

function rawValue(property: ICAL.Property): string {
  return property.toICALString().replace(/^[^:]*:/, '');
}

function readEvent(event: EventDraft, candidates: Candidate[], warnings: string[]): void {
  const { component } = event;
  const lineOf = (property: ICAL.Property) => event.lines.get(property) ?? event.line;
  const summary = component.getFirstPropertyValue('summary');
  let name = typeof summary === 'string' ? summary.trim() : '';
  const label = name ? `"${name.replace(/\s+/g, ' ')}"` : 'event';
  const where = `line ${event.line}`;

  if (String(component.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED') {
    warnings.push(`${where}: ${label} is cancelled; skipped.`);
    return;
  }
  if (component.hasProperty('recurrence-id')) {
    warnings.push(
      `${where}: ${label} changes one occurrence of a repeating event (RECURRENCE-ID), which holidays cannot express; skipped.`,
    );
    return;
  }
  const starts = component.getAllProperties('dtstart');
  if (starts.length !== 1) {
    warnings.push(`${where}: ${label} has ${starts.length === 0 ? 'no DTSTART' : 'more than one DTSTART'}; skipped.`);
    return;
  }
  const startProperty = starts[0]!;
  const start = readTimes(startProperty)[0];
  if (!start) {
    warnings.push(`line ${lineOf(startProperty)}: ${label} has an unreadable DTSTART "${rawValue(startProperty)}"; skipped.`);
    return;
  }

  const days = eventDays(event, start, label, warnings);
  if (days > MAX_EVENT_DAYS) {
    warnings.push(`${where}: ${label} lasts ${days} days, more than ${MAX_EVENT_DAYS}; skipped.`);
    return;
  }
  if (!name) {
    name = 'Holiday';
    warnings.push(`${where}: event on ${isoDate(start.day)} has no SUMMARY; named "Holiday".`);
  }
  if (name.length > MAX_HOLIDAY_NAME_LENGTH) {
    name = name.slice(0, MAX_HOLIDAY_NAME_LENGTH).trimEnd();
    warnings.push(`${where}: ${label.slice(0, 40)}… is longer than ${MAX_HOLIDAY_NAME_LENGTH} characters; shortened.`);
  }

  // Occurrences: the start days of the event, or a single annual one.
  let annual = false;
  const occurrences = new Set([start.day]);
  const rules = component.getAllProperties('rrule');
  if (rules.length > 1) {
    warnings.push(
      `line ${lineOf(rules[1]!)}: ${label} has more than one RRULE; only its first occurrence, ${isoDate(start.day)}, was kept.`,
    );
  } else if (rules.length === 1) {
    const rule = rules[0]!;
    const expanded = expandRule(rule.getFirstValue() as ICAL.Recur, startProperty.getFirstValue() as ICAL.Time);
    if (expanded === 'annual') annual = true;
    else if (expanded === null) {
      warnings.push(
        `line ${lineOf(rule)}: ${label} repeats by a rule other than once a year on the same date (RRULE:${rawValue(rule)}); only its first occurrence, ${isoDate(start.day)}, was kept.`,
      );
    } else {
      occurrences.clear();
      for (const day of expanded) occurrences.add(day);
    }
  }
  for (const property of component.getAllProperties('rdate')) {
    if (property.type === 'period') {
      warnings.push(`line ${lineOf(property)}: ${label} has an RDATE of periods, which is not read; ignored.`);
      continue;
    }
    readTimes(property).forEach((date, index) => {
      if (date) occurrences.add(date.day);
      else warnings.push(`line ${lineOf(property)}: ${label} has an unreadable RDATE "${String(property.toJSON()[3 + index])}"; ignored.`);
    });
  }
  for (const property of component.getAllProperties('exdate')) {
    if (annual) {
      warnings.push(`line ${lineOf(property)}: ${label} repeats every year, and an annual holiday cannot skip a year; EXDATE ignored.`);
      continue;
    }
    readTimes(property).forEach((date, index) => {
      if (date) occurrences.delete(date.day);
      else warnings.push(`line ${lineOf(property)}: ${label} has an unreadable EXDATE "${String(property.toJSON()[3 + index])}"; ignored.`);
    });
  }

  for (const first of occurrences) {
    for (let offset = 0; offset < days; offset++) candidates.push({ day: first + offset, name, annual, line: event.line });
  }
}

/**
 * 'annual' for a yearly repeat on the start's month and day with no end; the start days ical.js expands for any
 * rule bounded by COUNT or UNTIL; null for an unbounded rule of another shape, which one holiday list cannot hold.
 */
function expandRule(rule: ICAL.Recur, dtstart: ICAL.Time): 'annual' | number[] | null {
  const parts = Object.entries(rule.parts) as [string, unknown[]][];
  const onStartDate = parts.every(
    ([part, values]) =>
      values.length === 1 && ((part === 'BYMONTH' && values[0] === dtstart.month) || (part === 'BYMONTHDAY' && values[0] === dtstart.day)),
  );
  if (!rule.count && !rule.until) return rule.freq === 'YEARLY' && (rule.interval ?? 1) === 1 && onStartDate ? 'annual' : null;

  // ical.js moves a date the month lacks (February 29 in a common year, the 31st) to the next month; RFC 5545
  // says such occurrences are ignored, so a monthly or yearly rule without a BY-part that picks the day keeps the
  // start's day of the month.
  const keepsStartDay = (rule.freq === 'MONTHLY' || rule.freq === 'YEARLY') && !parts.some(([part]) => DAY_CHOOSING_PARTS.includes(part));
  const days = new Set<number>();
  const iterator = rule.iterator(dtstart);
  // Each step yields one occurrence; a sub-daily rule yields many per date, so the steps are bounded, not the dates.
  for (let step = 0; step < MAX_COLLECTED_DATES; step++) {
    const next = iterator.next();
    if (!next) break;
    if (keepsStartDay && next.day !== dtstart.day) continue;
    days.add(dayTime(next).day);
  }
  return [...days];
}

/** How many dates the event covers: DTEND (exclusive) or DURATION, else one. */
function eventDays(event: EventDraft, start: DayTime, label: string, warnings: string[]): number {
  const endProperty = event.component.getFirstProperty('dtend');
  const durationProperty = event.component.getFirstProperty('duration');
  const lineOf = (property: ICAL.Property) => event.lines.get(property) ?? event.line;
  let lastDay = start.day;
  if (endProperty) {
    const end = readTimes(endProperty)[0];
    if (!end) {
      warnings.push(`line ${lineOf(endProperty)}: ${label} has an unreadable DTEND "${rawValue(endProperty)}"; kept its first day only.`);
      return 1;
    }
    // A date, or a date-time at midnight, ends before that date; a later time ends on it.
    lastDay = end.time === null || end.time === 0 ? end.day - 1 : end.day;
    const endsAfterStart =
      start.time === null || end.time === null
        ? end.day > start.day
        : end.day * 86_400_000 + end.time > start.day * 86_400_000 + start.time;
    if (!endsAfterStart) {
      warnings.push(`line ${lineOf(endProperty)}: ${label} ends (DTEND) before it starts; kept its first day only.`);
      return 1;
    }
  } else if (durationProperty) {
    const duration = durationProperty.getFirstValue();
    const ms = duration instanceof ICAL.Duration && !duration.isNegative ? duration.toSeconds() * 1000 : NaN;
    if (!(ms > 0)) {
      warnings.push(
        `line ${lineOf(durationProperty)}: ${label} has an unreadable DURATION "${rawValue(durationProperty)}"; kept its first day only.`,
      );
      return 1;
    }
    const endInstant = start.day * 86_400_000 + (start.time ?? 0) + ms;
    lastDay = Math.ceil(endInstant / 86_400_000) - 1;
  }
  return Math.max(1, lastDay - start.day + 1);
}

/** One holiday per date (a yearly one wins over a one-off on the same date), sorted, at most MAX_HOLIDAYS. */
function settle(candidates: Candidate[], warnings: string[]): Holiday[] {
  const byDay = new Map<number, Candidate>();
  let overflow = false;
  for (const candidate of candidates) {
    const existing = byDay.get(candidate.day);
    const date = isoDate(candidate.day);
    if (!existing) {
      if (byDay.size >= MAX_COLLECTED_DATES) {
        overflow = true;
        continue;
      }
      byDay.set(candidate.day, candidate);
    } else if (candidate.annual && !existing.annual) {
      byDay.set(candidate.day, candidate);
      warnings.push(
        `line ${existing.line}: ${date} ("${existing.name}") is also the first day of the yearly "${candidate.name}" (line ${candidate.line}); kept the yearly one.`,
      );
    } else {
      warnings.push(`line ${candidate.line}: ${date} is already a holiday ("${existing.name}", line ${existing.line}); skipped.`);
    }
  }
  const sorted = [...byDay.values()].sort((a, b) => a.day - b.day);
  if (overflow || sorted.length > MAX_HOLIDAYS) {
    const kept = sorted.slice(0, MAX_HOLIDAYS);
    warnings.push(
      `the feed has ${overflow ? `more than ${MAX_COLLECTED_DATES.toLocaleString('en-US')}` : sorted.length.toLocaleString('en-US')} holiday dates; kept the first ${MAX_HOLIDAYS.toLocaleString('en-US')} (through ${isoDate(kept[kept.length - 1]!.day)}).`,
    );
    sorted.length = kept.length;
  }
  return sorted.map((candidate) => ({ date: isoDate(candidate.day), name: candidate.name, annual: candidate.annual }));
}
