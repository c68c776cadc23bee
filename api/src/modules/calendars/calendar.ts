/**
 * Business calendars: the arithmetic behind every SLA due date. Pure and dependency-free (time zones come from
 * the runtime's `Intl`), so the SLA engine, previews and tests all get the same answers.
 *
 * What a calendar means
 * - `weeklyHours` are wall-clock intervals in `timeZone`, several a day if wanted (a lunch break is two
 *   intervals). An interval whose end is at or before its start runs past midnight: `FRIDAY 22:00–06:00` belongs
 *   to Friday and ends on Saturday at 06:00. "24:00" is allowed as an end and means the next midnight.
 *   An interval whose start equals its end is rejected: it would be either empty or a 24-hour shift, and guessing
 *   is worse than asking (a whole day is "00:00"–"24:00"; a 24-hour shift is two intervals).
 *   Intervals may touch (MONDAY 00:00–24:00 and TUESDAY 00:00–24:00 are one open stretch) but not overlap;
 *   an overlap, including an overnight interval running into the next day's first one (or Sunday's into
 *   Monday's), is reported on the interval that starts later.
 * - A holiday closes its whole local date, 00:00–24:00 in `timeZone`, including the part of an overnight
 *   interval that falls on it (and only that part: the rest of the interval still counts on the day it lies on).
 *   An annual holiday closes the same month-day every year from the year of its `date` on (so a holiday that
 *   began in 2021 does not close 2020); an annual February 29 closes only leap years. Two holidays with the same
 *   `date` string are an error; an annual holiday and a one-off one on the same day are allowed (redundant).
 * - Open time is the set of instants in [f(start), f(end)) of each interval, minus holidays, where f maps a local
 *   wall time to an instant: a wall time that does not exist (spring-forward gap) maps to the first instant after
 *   the gap, an ambiguous one (fall-back) to its first occurrence. So an interval 01:00–03:00 in
 *   America/New_York lasts 3 real hours on the fall-back night and 1 on the spring-forward night, and an interval
 *   lying wholly inside the gap has no open time that night.
 *
 * What the operations answer
 * - `isOpenAt(t)`: t lies in open time.
 * - `nextOpening(t)`: the first open instant at or after t (t itself when open); null only when no open time
 *   follows (no weekly hours, or annual holidays that cover every date from some year on).
 * - `nextClosing(t)`: the first closed instant at or after t, i.e. the end of the open stretch containing t, or
 *   t itself when closed; null when the calendar never closes again (24x7, or open around the clock with no
 *   holiday ahead).
 * - `addBusinessMillis(from, ms)`: the earliest instant by which `ms` of open time has elapsed since `from`, so it
 *   lies inside an open interval or at its end (a target reached at 17:00 is due at 17:00, not at the next
 *   opening). Adding 0 returns `from` unchanged, even when closed. Adding more than 0 to a calendar that is never
 *   open is a CalendarError(['weeklyHours']).
 * - `businessMillisBetween(from, to)`: exact open time in [from, to); 0 when to <= from. The minute versions
 *   add whole minutes / floor to whole minutes, so businessMinutesBetween(f, addBusinessMinutes(f, m)) === m.
 *
 * How it is computed
 * Open time is expanded per local week (Monday 00:00 to the next Monday 00:00 in `timeZone`) into sorted,
 * merged epoch-ms ranges with running totals, kept in a direct-mapped cache on the instance (256 weeks, about
 * five years, some 80 kB when full). Adding or measuring time then costs one cache lookup per week crossed plus a
 * scan of the ranges of the first and last week: it grows with the calendar intervals crossed, never with the
 * minutes. Time zone offsets come from `Intl.DateTimeFormat`, sampled at every day boundary of a week; only the
 * weeks with an offset change (about two a year) pay for exact wall-time conversion. (Two offset changes that
 * cancel out between two consecutive midnights UTC would go unseen.)
 *
 * `timeZone` is the canonical IANA name Intl resolves (e.g. "US/Eastern" -> "America/New_York"). Results are new
 * Date objects, never the caller's.
 *
 * Supported dates: the years 0001–9999. A computation that would need more than 10,000 weeks (about 190 years)
 * of calendar is refused with a CalendarError rather than left to run.
 */

export type Weekday = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY';

/** ISO order: the index is the weekday number with Monday = 0. */
export const WEEKDAYS: readonly Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

export interface WeeklyInterval {
  day: Weekday;
  /** "HH:MM", 00:00–23:59, local time. */
  start: string;
  /** "HH:MM" or "24:00"; at or before `start`, the interval runs past midnight into the next day. */
  end: string;
}

export interface Holiday {
  /** "YYYY-MM-DD", a local date. */
  date: string;
  name: string;
  /** Closes the same month-day every year from this date's year on. Null (as GraphQL inputs send it) = false. */
  annual?: boolean | null;
}

export interface CalendarDefinition {
  /** IANA time zone, e.g. "America/New_York". */
  timeZone: string;
  weeklyHours: WeeklyInterval[];
  holidays?: Holiday[];
}

export class CalendarError extends Error {
  constructor(
    /** The path of the offending input, e.g. ['weeklyHours', '2', 'end']. */
    readonly field: string[],
    message: string,
  ) {
    super(message);
    this.name = 'CalendarError';
  }
}

const MAX_BUSINESS_MINUTES = 10_000_000;
export const MAX_HOLIDAYS = 1000;
const MAX_WEEKLY_INTERVALS = 500;
export const MAX_HOLIDAY_NAME_LENGTH = 200;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const WEEK = 7 * DAY;
const DAY_MINUTES = 24 * 60;
const WEEK_MINUTES = 7 * DAY_MINUTES;
const MAX_BUSINESS_MILLIS = MAX_BUSINESS_MINUTES * MINUTE;
/** 1969-12-29, the Monday before the epoch, as a day number (days since 1970-01-01). */
const MONDAY_ZERO = -3;
const CACHE_SLOTS = 256; // a power of two: the slot is `week & (CACHE_SLOTS - 1)`
const MAX_WALK_WEEKS = 10_000;
const MIN_DAY = daysFromCivil(1, 1, 1);
const MAX_DAY = daysFromCivil(9999, 12, 31);
const SUPPORTED_RANGE = 'Business-calendar arithmetic supports dates in the years 0001–9999 only.';

// ---------------------------------------------------------------------------------------------------------------
// Civil dates as day numbers (days since 1970-01-01), after Howard Hinnant's algorithms: exact for any year.
// Exported for ical.ts; not part of the module's public surface (index.ts).

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: month <= 2 ? yearOfEra + era * 400 + 1 : yearOfEra + era * 400, month, day };
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : ([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0);
}

/** "YYYY-MM-DD" of a day number. */
export function isoDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Time zones. A "wall" value is a local date-time written as if it were UTC epoch milliseconds.

class Zone {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Milliseconds to add to the instant `t` to get its local wall value (whole seconds, as zones are). */
  offsetAt(t: number): number {
    // format() is three times faster than formatToParts(); en-US prints month, day, year, hour, minute, second.
    const digits = this.format.format(t).match(/\d+/g);
    let wall: number;
    if (digits && digits.length === 6) {
      const [month, day, year, hour, minute, second] = digits.map(Number) as [number, number, number, number, number, number];
      wall = daysFromCivil(year, month, day) * DAY + (hour % 24) * 3_600_000 + minute * MINUTE + second * SECOND;
    } else {
      const parts: Record<string, number> = {};
      for (const part of this.format.formatToParts(t)) parts[part.type] = Number(part.value);
      wall =
        daysFromCivil(parts.year ?? 0, parts.month ?? 1, parts.day ?? 1) * DAY +
        ((parts.hour ?? 0) % 24) * 3_600_000 +
        (parts.minute ?? 0) * MINUTE +
        (parts.second ?? 0) * SECOND;
    }
    return wall - (t - mod(t, SECOND));
  }

  /**
   * The instant of a wall value: the first occurrence when it is ambiguous (fall-back), the first instant after
   * the gap when it does not exist (spring-forward). Assumes at most one offset change within a day either side.
   */
  wallToInstant(wall: number): number {
    const before = this.offsetAt(wall - DAY);
    const after = this.offsetAt(wall + DAY);
    if (before === after) return wall - before;
    const early = wall - before;
    const late = wall - after;
    const earlyValid = this.offsetAt(early) === before;
    const lateValid = this.offsetAt(late) === after;
    if (earlyValid && lateValid) return Math.min(early, late);
    if (earlyValid) return early;
    if (lateValid) return late;
    // In the gap: the transition instant lies between the two candidates; find its second by bisection.
    let lo = Math.floor(Math.min(early, late) / SECOND);
    let hi = Math.ceil(Math.max(early, late) / SECOND);
    if (this.offsetAt(lo * SECOND) !== before || this.offsetAt(hi * SECOND) === before) return Math.max(early, late);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offsetAt(mid * SECOND) === before) lo = mid;
      else hi = mid;
    }
    return hi * SECOND;
  }
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

// ---------------------------------------------------------------------------------------------------------------
// One local week of open time.

class Week {
  constructor(
    /** Week number: local weeks since the Monday 1969-12-29. */
    readonly index: number,
    /** Day number of its Monday. */
    readonly monday: number,
    /** Instant of its Monday 00:00, and of the next Monday 00:00 (exclusive). */
    readonly start: number,
    readonly end: number,
    /**
     * Open ranges as triples (from, to, open milliseconds of the week up to `to`) at 3i, 3i + 1, 3i + 2: sorted,
     * disjoint, not touching, inside [start, end]. One array per week keeps a cached week at about 300 bytes.
     */
    readonly ranges: Float64Array,
    readonly total: number,
  ) {}

  get count(): number {
    return this.ranges.length / 3;
  }

  /** Index of the first range that ends after t (t inside the week), or `count`. */
  rangeAfter(t: number): number {
    const ranges = this.ranges;
    const n = ranges.length;
    let j = 1;
    while (j < n && ranges[j]! <= t) j += 3;
    return (j - 1) / 3;
  }

  /** Open milliseconds of the week before instant t (t inside the week). */
  openBefore(t: number): number {
    const ranges = this.ranges;
    const n = ranges.length;
    let j = 1;
    while (j < n && ranges[j]! <= t) j += 3;
    if (j >= n) return this.total;
    const base = j === 1 ? 0 : ranges[j - 2]!;
    const from = ranges[j - 1]!;
    return t > from ? base + (t - from) : base;
  }
}

const Mode = { Normal: 0, AlwaysOpen: 1, NeverOpen: 2 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];

interface Compiled {
  zone: Zone;
  /** Per weekday (Monday = 0): wall ranges within the local date as [from, to) millisecond pairs after midnight. */
  days: number[][];
  oneOffHolidays: Set<number>;
  /** month * 32 + day → the first year it applies. */
  annualHolidays: Map<number, number>;
  /** The day from which every date is an annual holiday, or +Infinity. */
  closedFromDay: number;
  /** Weekly hours cover every minute of the week. */
  aroundTheClock: boolean;
  neverOpen: boolean;
}

// ---------------------------------------------------------------------------------------------------------------

export class BusinessCalendar {
  private static always: BusinessCalendar | undefined;

  private readonly mode: Mode;
  private readonly zone: Zone | null;
  private readonly days: number[][];
  private readonly oneOffHolidays: Set<number>;
  private readonly annualHolidays: Map<number, number>;
  private readonly closedFromDay: number;
  private readonly aroundTheClock: boolean;
  private readonly slots: Array<Week | null> = new Array<Week | null>(CACHE_SLOTS).fill(null);

  private constructor(
    readonly timeZone: string,
    compiled: Compiled | null,
  ) {
    if (!compiled) {
      this.mode = Mode.AlwaysOpen;
      this.zone = null;
      this.days = [];
      this.oneOffHolidays = new Set();
      this.annualHolidays = new Map();
      this.closedFromDay = Infinity;
      this.aroundTheClock = true;
      return;
    }
    this.zone = compiled.zone;
    this.days = compiled.days;
    this.oneOffHolidays = compiled.oneOffHolidays;
    this.annualHolidays = compiled.annualHolidays;
    this.closedFromDay = compiled.closedFromDay;
    this.aroundTheClock = compiled.aroundTheClock;
    const noHolidays = compiled.oneOffHolidays.size === 0 && compiled.annualHolidays.size === 0;
    this.mode = compiled.neverOpen ? Mode.NeverOpen : compiled.aroundTheClock && noHolidays ? Mode.AlwaysOpen : Mode.Normal;
  }

  /** Validates a definition (throwing CalendarError with the offending field) and prepares it for arithmetic. */
  static compile(definition: CalendarDefinition): BusinessCalendar {
    if (typeof definition !== 'object' || definition === null) throw new CalendarError([], 'A calendar definition is required.');
    const zone = compileZone(definition.timeZone);
    const { days, aroundTheClock, neverOpen } = compileWeeklyHours(definition.weeklyHours);
    const { oneOffHolidays, annualHolidays, closedFromDay } = compileHolidays(definition.holidays);
    return new BusinessCalendar(zone.name, { zone, days, oneOffHolidays, annualHolidays, closedFromDay, aroundTheClock, neverOpen });
  }

  /** Open around the clock, every day: business time is elapsed time. */
  static alwaysOpen(): BusinessCalendar {
    BusinessCalendar.always ??= new BusinessCalendar('UTC', null);
    return BusinessCalendar.always;
  }

  isOpenAt(instant: Date): boolean {
    const t = instantOf(instant, 'instant');
    if (this.mode !== Mode.Normal) return this.mode === Mode.AlwaysOpen;
    const week = this.weekOf(t);
    const i = week.rangeAfter(t);
    return i < week.count && week.ranges[3 * i]! <= t;
  }

  nextOpening(instant: Date): Date | null {
    const t = instantOf(instant, 'instant');
    if (this.mode !== Mode.Normal) return this.mode === Mode.AlwaysOpen ? new Date(t) : null;
    let week = this.weekOf(t);
    let at = t;
    for (let walked = 0; walked <= MAX_WALK_WEEKS; walked++) {
      const i = week.rangeAfter(at);
      if (i < week.count) return new Date(Math.max(at, week.ranges[3 * i]!));
      if (week.monday >= this.closedFromDay) return null;
      week = this.week(week.index + 1);
      at = week.start;
    }
    return null;
  }

  nextClosing(instant: Date): Date | null {
    const t = instantOf(instant, 'instant');
    if (this.mode !== Mode.Normal) return this.mode === Mode.AlwaysOpen ? null : new Date(t);
    if (!this.isOpenAt(instant)) return new Date(t);
    if (this.aroundTheClock) return this.nextHolidayStart(t);
    let week = this.weekOf(t);
    let i = week.rangeAfter(t); // open, so this range contains t
    for (let walked = 0; walked <= MAX_WALK_WEEKS; walked++) {
      const end = week.ranges[3 * i + 1]!;
      if (i < week.count - 1 || end < week.end) return new Date(end);
      // The stretch reaches the end of the week: it goes on if the next week opens at its very start.
      const next = this.week(week.index + 1);
      if (next.count === 0 || next.ranges[0]! > next.start) return new Date(end);
      week = next;
      i = 0;
    }
    return null;
  }

  /** `minutes`: a whole number from 0 to 10,000,000. */
  addBusinessMinutes(from: Date, minutes: number): Date {
    const t = instantOf(from, 'from');
    if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_BUSINESS_MINUTES) {
      throw new CalendarError(['minutes'], `minutes must be a whole number from 0 to ${MAX_BUSINESS_MINUTES.toLocaleString('en-US')}.`);
    }
    return new Date(this.add(t, minutes * MINUTE, 'minutes'));
  }

  /** `ms`: a whole number from 0 to 600,000,000,000 (10,000,000 minutes). */
  addBusinessMillis(from: Date, ms: number): Date {
    const t = instantOf(from, 'from');
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_BUSINESS_MILLIS) {
      throw new CalendarError(['ms'], `ms must be a whole number from 0 to ${MAX_BUSINESS_MILLIS.toLocaleString('en-US')}.`);
    }
    return new Date(this.add(t, ms, 'ms'));
  }

  businessMinutesBetween(from: Date, to: Date): number {
    return Math.floor(this.businessMillisBetween(from, to) / MINUTE);
  }

  businessMillisBetween(from: Date, to: Date): number {
    const a = instantOf(from, 'from');
    const b = instantOf(to, 'to');
    if (b <= a) return 0;
    if (this.mode !== Mode.Normal) return this.mode === Mode.AlwaysOpen ? b - a : 0;
    if (b - a > MAX_WALK_WEEKS * WEEK) throw new CalendarError(['to'], 'The span is too long: at most 10,000 weeks (about 190 years).');
    let week = this.weekOf(a);
    if (b < week.end) return week.openBefore(b) - week.openBefore(a);
    let sum = week.total - week.openBefore(a);
    for (;;) {
      week = this.week(week.index + 1);
      if (b < week.end) return sum + week.openBefore(b);
      sum += week.total;
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  private add(t: number, ms: number, field: string): number {
    if (ms === 0 || this.mode === Mode.AlwaysOpen) return t + ms;
    if (this.mode === Mode.NeverOpen) {
      throw new CalendarError(['weeklyHours'], 'The calendar is never open (it has no weekly hours), so business time cannot be added.');
    }
    let week = this.weekOf(t);
    let target = week.openBefore(t) + ms;
    let walked = 0;
    while (target > week.total) {
      target -= week.total;
      if (week.monday >= this.closedFromDay) {
        throw new CalendarError(
          ['holidays'],
          `The calendar is never open from ${isoDate(this.closedFromDay)} on: annual holidays cover every date.`,
        );
      }
      if (++walked > MAX_WALK_WEEKS) {
        throw new CalendarError(
          [field],
          'The calendar has too little open time for this: the result would lie more than 10,000 weeks ahead.',
        );
      }
      week = this.week(week.index + 1);
    }
    const ranges = week.ranges;
    let j = 2;
    while (ranges[j]! < target) j += 3;
    return ranges[j - 1]! - (ranges[j]! - target);
  }

  /** The week containing instant t. Local weeks are UTC weeks shifted by less than a day, so one step at most. */
  private weekOf(t: number): Week {
    const guess = Math.floor((t - MONDAY_ZERO * DAY) / WEEK);
    const week = this.week(guess);
    if (t < week.start) return this.week(guess - 1);
    if (t >= week.end) return this.week(guess + 1);
    return week;
  }

  private week(index: number): Week {
    const slot = index & (CACHE_SLOTS - 1);
    const cached = this.slots[slot];
    if (cached && cached.index === index) return cached;
    const week = this.expand(index);
    this.slots[slot] = week;
    return week;
  }

  private expand(index: number): Week {
    const zone = this.zone!;
    const monday = index * 7 + MONDAY_ZERO;
    if (monday - 1 < MIN_DAY || monday + 8 > MAX_DAY) throw new CalendarError(['instant'], SUPPORTED_RANGE);
    // Offsets at every day boundary from the Sunday before to the Tuesday after cover every instant of the week;
    // when they agree, the week has no offset change and wall values convert by subtraction.
    const offset = zone.offsetAt((monday - 1) * DAY);
    let uniform = true;
    for (let day = monday; day <= monday + 8 && uniform; day++) uniform = zone.offsetAt(day * DAY) === offset;
    const instant = (wall: number) => (uniform ? wall - offset : zone.wallToInstant(wall));

    const starts: number[] = [];
    const ends: number[] = [];
    for (let k = 0; k < 7; k++) {
      const day = monday + k;
      if (this.isHoliday(day)) continue;
      const ranges = this.days[k]!;
      for (let j = 0; j < ranges.length; j += 2) {
        const from = instant(day * DAY + ranges[j]!);
        const to = instant(day * DAY + ranges[j + 1]!);
        if (to <= from) continue; // wholly inside a spring-forward gap
        const last = ends.length - 1;
        if (last >= 0 && from <= ends[last]!) ends[last] = Math.max(ends[last]!, to);
        else {
          starts.push(from);
          ends.push(to);
        }
      }
    }
    const ranges = new Float64Array(3 * ends.length);
    let total = 0;
    for (let i = 0; i < ends.length; i++) {
      total += ends[i]! - starts[i]!;
      ranges[3 * i] = starts[i]!;
      ranges[3 * i + 1] = ends[i]!;
      ranges[3 * i + 2] = total;
    }
    return new Week(index, monday, instant(monday * DAY), instant((monday + 7) * DAY), ranges, total);
  }

  private isHoliday(day: number): boolean {
    if (this.oneOffHolidays.has(day)) return true;
    if (this.annualHolidays.size === 0) return false;
    const { year, month, day: dayOfMonth } = civilFromDays(day);
    const since = this.annualHolidays.get(month * 32 + dayOfMonth);
    return since !== undefined && year >= since;
  }

  /** For a calendar open around the clock: the start of the next holiday after the open instant t, or null. */
  private nextHolidayStart(t: number): Date | null {
    const zone = this.zone!;
    const today = Math.floor((t + zone.offsetAt(t)) / DAY);
    let next = Infinity;
    for (const day of this.oneOffHolidays) if (day > today && day < next) next = day;
    const { year } = civilFromDays(today);
    for (const [key, since] of this.annualHolidays) {
      const month = Math.floor(key / 32);
      const dayOfMonth = key % 32;
      // Within nine years every month-day recurs, February 29 included.
      for (let y = Math.max(year, since); y <= Math.max(year, since) + 9; y++) {
        if (dayOfMonth > daysInMonth(y, month)) continue;
        const day = daysFromCivil(y, month, dayOfMonth);
        if (day > today) {
          if (day < next) next = day;
          break;
        }
      }
    }
    if (next === Infinity) return null;
    if (next > MAX_DAY) throw new CalendarError(['instant'], SUPPORTED_RANGE);
    return new Date(zone.wallToInstant(next * DAY));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

function instantOf(value: Date, field: string): number {
  const t = value instanceof Date ? value.getTime() : NaN;
  if (!(t >= (MIN_DAY + 14) * DAY && t < (MAX_DAY - 14) * DAY)) {
    throw new CalendarError([field], Number.isNaN(t) ? `${field} is not a valid date.` : `${field}: ${SUPPORTED_RANGE}`);
  }
  return t;
}

/** Zones by the name given: building an Intl.DateTimeFormat costs about as much as expanding a few weeks. */
const zones = new Map<string, Zone>();
const ZONE_CACHE_LIMIT = 1000;

function compileZone(timeZone: unknown): Zone {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') {
    throw new CalendarError(['timeZone'], 'A time zone is required: an IANA name such as "America/New_York".');
  }
  let zone = zones.get(timeZone);
  if (zone) return zone;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new CalendarError(['timeZone'], `Unknown time zone "${timeZone}": use an IANA name such as "America/New_York".`);
  }
  zone = zones.get(resolved) ?? new Zone(resolved);
  if (zones.size >= ZONE_CACHE_LIMIT) zones.clear();
  zones.set(timeZone, zone);
  zones.set(resolved, zone);
  return zone;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(value: unknown, allow24: boolean): number | null {
  if (typeof value !== 'string') return null;
  if (allow24 && value === '24:00') return DAY_MINUTES;
  const match = HH_MM.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

interface WeekSpan {
  index: number;
  /** Minutes since Monday 00:00; `to` may pass the end of the week (a Sunday overnight interval). */
  from: number;
  to: number;
  label: string;
}

function compileWeeklyHours(weeklyHours: unknown): { days: number[][]; aroundTheClock: boolean; neverOpen: boolean } {
  if (!Array.isArray(weeklyHours)) throw new CalendarError(['weeklyHours'], 'weeklyHours must be a list of intervals.');
  if (weeklyHours.length > MAX_WEEKLY_INTERVALS) {
    throw new CalendarError(['weeklyHours'], `A calendar has at most ${MAX_WEEKLY_INTERVALS} weekly intervals.`);
  }
  const spans: WeekSpan[] = [];
  weeklyHours.forEach((interval: unknown, index) => {
    const path = ['weeklyHours', String(index)];
    if (typeof interval !== 'object' || interval === null) throw new CalendarError(path, 'An interval needs a day, a start and an end.');
    const { day, start, end } = interval as Record<string, unknown>;
    const weekday = WEEKDAYS.indexOf(day as Weekday);
    if (weekday < 0) throw new CalendarError([...path, 'day'], `day must be one of ${WEEKDAYS.join(', ')}.`);
    const from = minutesOf(start, false);
    if (from === null) throw new CalendarError([...path, 'start'], 'start must be a time "HH:MM" from 00:00 to 23:59.');
    const to = minutesOf(end, true);
    if (to === null) throw new CalendarError([...path, 'end'], 'end must be a time "HH:MM" from 00:00 to 23:59, or 24:00.');
    if (to === from) {
      throw new CalendarError(
        [...path, 'end'],
        'end equals start: an interval must not be empty, and a 24-hour one is ambiguous (use 00:00–24:00 for a whole day, or two intervals for a shift).',
      );
    }
    const offset = weekday * DAY_MINUTES;
    spans.push({
      index,
      from: offset + from,
      to: offset + (to > from ? to : DAY_MINUTES + to),
      label: `${WEEKDAYS[weekday]!} ${String(start)}–${String(end)} (weeklyHours[${index}])`,
    });
  });

  const sorted = [...spans].sort((a, b) => a.from - b.from || a.index - b.index);
  let reach: WeekSpan | null = null;
  for (const span of sorted) {
    if (reach && span.from < reach.to)
      throw new CalendarError(['weeklyHours', String(span.index)], `${span.label} overlaps ${reach.label}.`);
    if (!reach || span.to > reach.to) reach = span;
  }
  // Sunday's overnight interval runs into the next Monday: the Monday interval it overlaps is the later one.
  if (reach && reach.to > WEEK_MINUTES) {
    const first = sorted[0];
    if (first && first !== reach && first.from < reach.to - WEEK_MINUTES) {
      throw new CalendarError(
        ['weeklyHours', String(first.index)],
        `${first.label} overlaps ${reach.label}, which runs past midnight into Monday.`,
      );
    }
  }

  // Per local date: its own intervals, clipped at midnight, plus the part of yesterday's overnight one.
  const perDay: Array<Array<[number, number]>> = WEEKDAYS.map(() => []);
  for (const span of spans) {
    const weekday = Math.floor(span.from / DAY_MINUTES);
    const from = span.from - weekday * DAY_MINUTES;
    const to = span.to - weekday * DAY_MINUTES;
    perDay[weekday]!.push([from, Math.min(to, DAY_MINUTES)]);
    if (to > DAY_MINUTES) perDay[(weekday + 1) % 7]!.push([0, to - DAY_MINUTES]);
  }
  let openMinutes = 0;
  const days = perDay.map((ranges) => {
    ranges.sort((a, b) => a[0] - b[0]);
    const merged: number[] = [];
    for (const [from, to] of ranges) {
      openMinutes += to - from;
      if (merged.length && merged[merged.length - 1]! >= from * MINUTE)
        merged[merged.length - 1] = Math.max(merged[merged.length - 1]!, to * MINUTE);
      else merged.push(from * MINUTE, to * MINUTE);
    }
    return merged;
  });
  return { days, aroundTheClock: openMinutes === WEEK_MINUTES, neverOpen: openMinutes === 0 };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function compileHolidays(holidays: unknown): { oneOffHolidays: Set<number>; annualHolidays: Map<number, number>; closedFromDay: number } {
  const oneOffHolidays = new Set<number>();
  const annualHolidays = new Map<number, number>();
  if (holidays === undefined || holidays === null) return { oneOffHolidays, annualHolidays, closedFromDay: Infinity };
  if (!Array.isArray(holidays)) throw new CalendarError(['holidays'], 'holidays must be a list.');
  if (holidays.length > MAX_HOLIDAYS) {
    throw new CalendarError(
      ['holidays'],
      `A calendar has at most ${MAX_HOLIDAYS.toLocaleString('en-US')} holidays (this one has ${holidays.length.toLocaleString('en-US')}).`,
    );
  }
  const seen = new Map<string, number>();
  holidays.forEach((holiday: unknown, index) => {
    const path = ['holidays', String(index)];
    if (typeof holiday !== 'object' || holiday === null) throw new CalendarError(path, 'A holiday needs a date and a name.');
    const { date, name, annual } = holiday as Record<string, unknown>;
    const match = typeof date === 'string' ? ISO_DATE.exec(date) : null;
    const year = Number(match?.[1]);
    const month = Number(match?.[2]);
    const day = Number(match?.[3]);
    if (!match || year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      throw new CalendarError([...path, 'date'], `date must be a calendar date "YYYY-MM-DD" (got ${JSON.stringify(date)}).`);
    }
    if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_HOLIDAY_NAME_LENGTH) {
      throw new CalendarError([...path, 'name'], `name must be 1 to ${MAX_HOLIDAY_NAME_LENGTH} characters.`);
    }
    if (annual !== undefined && annual !== null && typeof annual !== 'boolean') {
      throw new CalendarError([...path, 'annual'], 'annual must be true or false.');
    }
    const earlier = seen.get(date as string);
    if (earlier !== undefined) throw new CalendarError([...path, 'date'], `${date as string} is already a holiday (holidays[${earlier}]).`);
    seen.set(date as string, index);
    if (annual) {
      const key = month * 32 + day;
      annualHolidays.set(key, Math.min(annualHolidays.get(key) ?? Infinity, year));
    } else {
      oneOffHolidays.add(daysFromCivil(year, month, day));
    }
  });
  // 366 annual month-days close every date from the latest of their first years on.
  const closedFromDay = annualHolidays.size === 366 ? daysFromCivil(Math.max(...annualHolidays.values()), 1, 1) : Infinity;
  return { oneOffHolidays, annualHolidays, closedFromDay };
}
