import {
  CalendarError,
  MAX_HOLIDAYS,
  MAX_HOLIDAY_NAME_LENGTH,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  isoDate,
  type Holiday,
} from './calendar.js';

/**
 * Holiday feeds: the holidays of an iCalendar (.ics) file (RFC 5545), as published by governments and by the
 * Google and Outlook holiday calendars.
 *
 * - Folded lines are unfolded (a line starting with a space or tab continues the previous one).
 * - Each VEVENT directly inside the VCALENDAR gives holidays: DTSTART with VALUE=DATE gives its date; a date-time
 *   DTSTART gives the date as written (its local date; for a UTC "Z" time, the UTC date). DTEND is exclusive, so
 *   an event from 20261224 to 20261226 gives two holidays; DURATION in days or weeks works the same way.
 *   SUMMARY is the name, with \, \; \n and \\ unescaped.
 * - RRULE:FREQ=YEARLY on the start's month and day (INTERVAL=1; BYMONTH/BYMONTHDAY only if they repeat the
 *   start's) gives an annual holiday; with COUNT or UNTIL it gives exactly the years it names, as one-off
 *   holidays. Any other rule (say, the fourth Thursday of November) is a warning and only the first occurrence
 *   is kept. RDATE dates are added; EXDATE removes occurrences of a finite repeat (an annual one cannot skip a
 *   year, so there it is a warning).
 * - Cancelled events, overrides of single occurrences (RECURRENCE-ID), duplicates and malformed events are skipped
 *   with a warning that names the line; nothing in the body of the file makes the parse throw. Only input that is
 *   not an iCalendar at all is a CalendarError(['ics']).
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

interface Line {
  number: number;
  text: string;
}

interface Property {
  line: number;
  name: string;
  params: Record<string, string>;
  value: string;
}

interface RawEvent {
  line: number;
  properties: Property[];
}

interface DateValue {
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
  const first = lines[0];
  if (!first || first.text.trim().toUpperCase() !== 'BEGIN:VCALENDAR') {
    throw new CalendarError(['ics'], 'This is not an iCalendar (.ics) feed: it does not start with BEGIN:VCALENDAR.');
  }

  const warnings: string[] = [];
  const candidates: Candidate[] = [];
  const stack: string[] = [];
  let event: RawEvent | null = null;

  for (const line of lines) {
    const property = parseProperty(line);
    if (!property) {
      warnings.push(`line ${line.number}: not an iCalendar property line; ignored.`);
      continue;
    }
    if (property.name === 'BEGIN') {
      const component = property.value.trim().toUpperCase();
      stack.push(component);
      if (component === 'VEVENT' && stack.length === 2 && stack[0] === 'VCALENDAR') event = { line: line.number, properties: [] };
      continue;
    }
    if (property.name === 'END') {
      const component = property.value.trim().toUpperCase();
      const at = stack.lastIndexOf(component);
      if (at < 0) {
        warnings.push(`line ${line.number}: END:${component} without a matching BEGIN; ignored.`);
        continue;
      }
      stack.splice(at);
      if (event && at <= 1) {
        if (at === 1 && component === 'VEVENT') readEvent(event, candidates, warnings);
        else warnings.push(`line ${event.line}: event has no END:VEVENT (line ${line.number} closes ${component}); skipped.`);
        event = null;
      }
      continue;
    }
    if (event && stack.length === 2) event.properties.push(property);
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

/** name *(";" param "=" value *("," value)) ":" value, with quoted parameter values. Null when malformed. */
function parseProperty(line: Line): Property | null {
  const text = line.text;
  const name = /^[A-Za-z0-9-]+/.exec(text)?.[0];
  if (!name) return null;
  let i = name.length;
  const params: Record<string, string> = {};
  while (text[i] === ';') {
    const param = /^([A-Za-z0-9-]+)=/.exec(text.slice(i + 1));
    if (!param) return null;
    i += 1 + param[0].length;
    let value = '';
    for (;;) {
      if (text[i] === '"') {
        const close = text.indexOf('"', i + 1);
        if (close < 0) return null;
        value += text.slice(i + 1, close);
        i = close + 1;
      } else {
        const plain = /^[^";:,]*/.exec(text.slice(i))![0];
        value += plain;
        i += plain.length;
      }
      if (text[i] !== ',') break;
      value += ',';
      i++;
    }
    params[param[1]!.toUpperCase()] = value;
  }
  if (text[i] !== ':') return null;
  return { line: line.number, name: name.toUpperCase(), params, value: text.slice(i + 1) };
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, char: string) => (char === 'n' || char === 'N' ? '\n' : char));
}

function parseDate(value: string): DateValue | null {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (match[4] === undefined) return { day: daysFromCivil(year, month, day), time: null };
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6])];
  if (hour > 23 || minute > 59 || second > 60) return null;
  return { day: daysFromCivil(year, month, day), time: ((hour * 60 + minute) * 60 + second) * 1000 };
}

function readEvent(event: RawEvent, candidates: Candidate[], warnings: string[]): void {
  const all = (name: string) => event.properties.filter((property) => property.name === name);
  const one = (name: string) => all(name)[0];
  const summary = one('SUMMARY');
  let name = summary ? unescapeText(summary.value).trim() : '';
  const label = name ? `"${name.replace(/\s+/g, ' ')}"` : 'event';
  const where = `line ${event.line}`;

  if (one('STATUS')?.value.trim().toUpperCase() === 'CANCELLED') {
    warnings.push(`${where}: ${label} is cancelled; skipped.`);
    return;
  }
  if (one('RECURRENCE-ID')) {
    warnings.push(
      `${where}: ${label} changes one occurrence of a repeating event (RECURRENCE-ID), which holidays cannot express; skipped.`,
    );
    return;
  }
  const starts = all('DTSTART');
  if (starts.length !== 1) {
    warnings.push(`${where}: ${label} has ${starts.length === 0 ? 'no DTSTART' : 'more than one DTSTART'}; skipped.`);
    return;
  }
  const startProperty = starts[0]!;
  const start = parseDate(startProperty.value);
  if (!start) {
    warnings.push(`line ${startProperty.line}: ${label} has an unreadable DTSTART "${startProperty.value}"; skipped.`);
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
  let occurrences = [start.day];
  const rules = all('RRULE');
  if (rules.length > 1) {
    warnings.push(`line ${rules[1]!.line}: ${label} has more than one RRULE; only its first occurrence, ${isoDate(start.day)}, was kept.`);
  } else if (rules.length === 1) {
    const rule = readYearlyRule(rules[0]!.value, start.day);
    if (rule === 'annual') annual = true;
    else if (rule === null) {
      warnings.push(
        `line ${rules[0]!.line}: ${label} repeats by a rule other than once a year on the same date (RRULE:${rules[0]!.value.trim()}); only its first occurrence, ${isoDate(start.day)}, was kept.`,
      );
    } else occurrences = rule;
  }
  for (const property of all('RDATE')) {
    if ((property.params.VALUE ?? '').toUpperCase() === 'PERIOD') {
      warnings.push(`line ${property.line}: ${label} has an RDATE of periods, which is not read; ignored.`);
      continue;
    }
    for (const value of property.value.split(',')) {
      const date = parseDate(value);
      if (date) occurrences.push(date.day);
      else warnings.push(`line ${property.line}: ${label} has an unreadable RDATE "${value}"; ignored.`);
    }
  }
  for (const property of all('EXDATE')) {
    if (annual) {
      warnings.push(`line ${property.line}: ${label} repeats every year, and an annual holiday cannot skip a year; EXDATE ignored.`);
      continue;
    }
    for (const value of property.value.split(',')) {
      const date = parseDate(value);
      if (date) occurrences = occurrences.filter((day) => day !== date.day);
      else warnings.push(`line ${property.line}: ${label} has an unreadable EXDATE "${value}"; ignored.`);
    }
  }

  for (const first of occurrences) {
    for (let offset = 0; offset < days; offset++) candidates.push({ day: first + offset, name, annual, line: event.line });
  }
}

/** How many dates the event covers: DTEND (exclusive) or DURATION, else one. */
function eventDays(event: RawEvent, start: DateValue, label: string, warnings: string[]): number {
  const endProperty = event.properties.find((property) => property.name === 'DTEND');
  const durationProperty = event.properties.find((property) => property.name === 'DURATION');
  let lastDay = start.day;
  if (endProperty) {
    const end = parseDate(endProperty.value);
    if (!end) {
      warnings.push(`line ${endProperty.line}: ${label} has an unreadable DTEND "${endProperty.value}"; kept its first day only.`);
      return 1;
    }
    // A date, or a date-time at midnight, ends before that date; a later time ends on it.
    lastDay = end.time === null || end.time === 0 ? end.day - 1 : end.day;
    const endsAfterStart =
      start.time === null || end.time === null
        ? end.day > start.day
        : end.day * 86_400_000 + end.time > start.day * 86_400_000 + start.time;
    if (!endsAfterStart) {
      warnings.push(`line ${endProperty.line}: ${label} ends (DTEND) before it starts; kept its first day only.`);
      return 1;
    }
  } else if (durationProperty) {
    const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(durationProperty.value.trim().toUpperCase());
    const ms = match
      ? ((Number(match[1] ?? 0) * 7 + Number(match[2] ?? 0)) * 24 * 3600 +
          Number(match[3] ?? 0) * 3600 +
          Number(match[4] ?? 0) * 60 +
          Number(match[5] ?? 0)) *
        1000
      : NaN;
    if (!(ms > 0)) {
      warnings.push(
        `line ${durationProperty.line}: ${label} has an unreadable DURATION "${durationProperty.value}"; kept its first day only.`,
      );
      return 1;
    }
    const endInstant = start.day * 86_400_000 + (start.time ?? 0) + ms;
    lastDay = Math.ceil(endInstant / 86_400_000) - 1;
  }
  return Math.max(1, lastDay - start.day + 1);
}

/**
 * A yearly repeat on the start's month and day: 'annual' when unbounded, the start days of each year when COUNT
 * or UNTIL bound it, null for any other rule.
 */
function readYearlyRule(value: string, startDay: number): 'annual' | number[] | null {
  const parts = new Map<string, string>();
  for (const part of value.trim().split(';')) {
    const [key, setting] = part.split('=');
    if (key) parts.set(key.trim().toUpperCase(), (setting ?? '').trim().toUpperCase());
  }
  const { year, month, day } = civilFromDays(startDay);
  for (const [key, setting] of parts) {
    const fits =
      (key === 'FREQ' && setting === 'YEARLY') ||
      (key === 'INTERVAL' && Number(setting) === 1) ||
      (key === 'BYMONTH' && Number(setting) === month) ||
      (key === 'BYMONTHDAY' && Number(setting) === day) ||
      key === 'WKST' ||
      (key === 'COUNT' && /^\d+$/.test(setting) && Number(setting) >= 1) ||
      (key === 'UNTIL' && parseDate(setting) !== null);
    if (!fits) return null;
  }
  if (!parts.has('FREQ') || (parts.has('COUNT') && parts.has('UNTIL'))) return null;
  const count = parts.has('COUNT') ? Number(parts.get('COUNT')) : null;
  const until = parts.has('UNTIL') ? parseDate(parts.get('UNTIL')!)!.day : null;
  if (count === null && until === null) return 'annual';
  // Years without the date (February 29) are skipped, as RFC 5545 says; the holiday cap bounds the list.
  const days: number[] = [];
  for (let y = year; y <= 9999 && days.length < Math.min(count ?? Infinity, MAX_HOLIDAYS); y++) {
    if (day > daysInMonth(y, month)) continue;
    const occurrence = daysFromCivil(y, month, day);
    if (until !== null && occurrence > until) break;
    days.push(occurrence);
  }
  return days;
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
