import { describe, expect, it } from 'vitest';
import { BusinessCalendar, CalendarError, type CalendarDefinition, type Holiday, type Weekday, type WeeklyInterval } from './calendar.js';
import { seededRandom } from '../../../../test/support/random.js';

// Every instant is fixed and written in UTC, with its local time alongside. 2026: New York springs forward on
// Sunday March 8 (02:00 EST -> 03:00 EDT, at 07:00Z) and falls back on Sunday November 1 (02:00 EDT -> 01:00 EST,
// at 06:00Z); Berlin springs forward on Sunday March 29 (at 01:00Z) and falls back on Sunday October 25 (at 01:00Z).

const at = (iso: string) => new Date(iso);
const iso = (date: Date | null) => date?.toISOString() ?? null;
const WORKDAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'];
const ALL_DAYS: Weekday[] = [...WORKDAYS, 'SATURDAY', 'SUNDAY'];

function every(days: Weekday[], start: string, end: string): WeeklyInterval[] {
  return days.map((day) => ({ day, start, end }));
}

const US_HOLIDAYS: Holiday[] = [
  { date: '2025-01-01', name: "New Year's Day", annual: true },
  { date: '2026-07-03', name: 'Independence Day (observed)' },
  { date: '2026-11-26', name: 'Thanksgiving' },
  { date: '2020-12-25', name: 'Christmas Day', annual: true },
];

/** New York office hours with a lunch break. */
const office = BusinessCalendar.compile({
  timeZone: 'America/New_York',
  weeklyHours: [...every(WORKDAYS, '09:00', '12:00'), ...every(WORKDAYS, '13:00', '17:00')],
  holidays: US_HOLIDAYS,
});

function calendarError(run: () => unknown): CalendarError {
  try {
    run();
  } catch (error) {
    if (error instanceof CalendarError) return error;
    throw error;
  }
  throw new Error('expected a CalendarError');
}

function fieldOf(run: () => unknown): string[] {
  return calendarError(run).field;
}

describe('weekly hours', () => {
  it('skips a lunch break', () => {
    expect(office.isOpenAt(at('2026-01-13T16:59:59Z'))).toBe(true); // Tue 11:59:59 EST
    expect(office.isOpenAt(at('2026-01-13T17:00:00Z'))).toBe(false); // 12:00, lunch
    expect(office.isOpenAt(at('2026-01-13T18:00:00Z'))).toBe(true); // 13:00
    expect(iso(office.addBusinessMinutes(at('2026-01-13T16:30:00Z'), 60))).toBe('2026-01-13T18:30:00.000Z'); // 11:30 + 1h = 13:30
    expect(office.businessMinutesBetween(at('2026-01-13T14:00:00Z'), at('2026-01-13T22:00:00Z'))).toBe(420); // 09:00–17:00
    expect(office.businessMinutesBetween(at('2026-01-13T17:10:00Z'), at('2026-01-13T17:50:00Z'))).toBe(0); // inside lunch
  });

  it('runs an overnight interval into the next day, and lands at the end of an interval rather than the next opening', () => {
    const nights = BusinessCalendar.compile({ timeZone: 'UTC', weeklyHours: [{ day: 'FRIDAY', start: '22:00', end: '06:00' }] });
    expect(nights.isOpenAt(at('2026-01-09T21:59:00Z'))).toBe(false); // Fri 21:59
    expect(nights.isOpenAt(at('2026-01-09T22:00:00Z'))).toBe(true);
    expect(nights.isOpenAt(at('2026-01-10T05:59:59Z'))).toBe(true); // Sat 05:59:59
    expect(nights.isOpenAt(at('2026-01-10T06:00:00Z'))).toBe(false);
    expect(iso(nights.addBusinessMinutes(at('2026-01-09T23:00:00Z'), 420))).toBe('2026-01-10T06:00:00.000Z');
    expect(iso(nights.addBusinessMinutes(at('2026-01-09T23:00:00Z'), 421))).toBe('2026-01-16T22:01:00.000Z');
    expect(nights.businessMinutesBetween(at('2026-01-05T00:00:00Z'), at('2026-01-19T00:00:00Z'))).toBe(2 * 480);
    expect(iso(nights.nextClosing(at('2026-01-10T01:00:00Z')))).toBe('2026-01-10T06:00:00.000Z');
  });

  it('treats an end of 00:00 after a later start like 24:00', () => {
    const a = BusinessCalendar.compile({ timeZone: 'UTC', weeklyHours: [{ day: 'MONDAY', start: '18:00', end: '00:00' }] });
    const b = BusinessCalendar.compile({ timeZone: 'UTC', weeklyHours: [{ day: 'MONDAY', start: '18:00', end: '24:00' }] });
    for (const calendar of [a, b]) {
      expect(calendar.businessMinutesBetween(at('2026-01-05T00:00:00Z'), at('2026-01-12T00:00:00Z'))).toBe(360);
      expect(calendar.isOpenAt(at('2026-01-06T00:00:00Z'))).toBe(false);
    }
  });

  it('joins touching intervals into one open stretch, across midnight and across the week boundary', () => {
    const calendar = BusinessCalendar.compile({
      timeZone: 'Europe/Berlin',
      weeklyHours: [
        { day: 'SUNDAY', start: '20:00', end: '24:00' },
        { day: 'MONDAY', start: '00:00', end: '24:00' },
        { day: 'TUESDAY', start: '00:00', end: '12:00' },
      ],
    });
    // Sunday 2026-01-11 21:00 CET (20:00Z): open until Tuesday 12:00 CET (11:00Z).
    expect(iso(calendar.nextClosing(at('2026-01-11T20:00:00Z')))).toBe('2026-01-13T11:00:00.000Z');
    expect(calendar.businessMinutesBetween(at('2026-01-11T00:00:00Z'), at('2026-01-14T00:00:00Z'))).toBe((4 + 24 + 12) * 60);
  });
});

describe('holidays', () => {
  it('closes a one-off holiday all day', () => {
    // Thursday before Thanksgiving is 2026-11-25; Wed 16:00 EST + 2 h of business time -> Fri 10:00.
    expect(iso(office.addBusinessMinutes(at('2026-11-25T21:00:00Z'), 120))).toBe('2026-11-27T15:00:00.000Z');
    expect(office.isOpenAt(at('2026-11-26T15:00:00Z'))).toBe(false);
    expect(office.businessMinutesBetween(at('2026-11-25T21:00:00Z'), at('2026-11-27T15:00:00Z'))).toBe(120);
    // Only in 2026: Thanksgiving 2027 is another date, and 2027-11-26 is an ordinary Friday.
    expect(office.isOpenAt(at('2027-11-26T15:00:00Z'))).toBe(true);
  });

  it('repeats an annual holiday every year from its first year on', () => {
    expect(office.isOpenAt(at('2026-12-25T15:00:00Z'))).toBe(false); // Friday
    expect(office.isOpenAt(at('2031-12-25T15:00:00Z'))).toBe(false); // Thursday
    expect(office.isOpenAt(at('2019-12-25T15:00:00Z'))).toBe(true); // Wednesday, before 2020
  });

  it('closes an annual February 29 only in leap years', () => {
    const calendar = BusinessCalendar.compile({
      timeZone: 'UTC',
      weeklyHours: every(ALL_DAYS, '00:00', '24:00'),
      holidays: [{ date: '2024-02-29', name: 'Leap day', annual: true }],
    });
    expect(calendar.isOpenAt(at('2028-02-29T12:00:00Z'))).toBe(false);
    expect(calendar.isOpenAt(at('2027-02-28T12:00:00Z'))).toBe(true);
    expect(calendar.isOpenAt(at('2027-03-01T12:00:00Z'))).toBe(true);
    expect(calendar.businessMinutesBetween(at('2027-01-01T00:00:00Z'), at('2028-01-01T00:00:00Z'))).toBe(365 * 1440);
    expect(calendar.businessMinutesBetween(at('2028-01-01T00:00:00Z'), at('2029-01-01T00:00:00Z'))).toBe(365 * 1440);
  });

  it('closes the part of an overnight interval that falls on a holiday, and only that part', () => {
    const weekly: WeeklyInterval[] = [{ day: 'FRIDAY', start: '22:00', end: '06:00' }];
    const saturdayOff = BusinessCalendar.compile({
      timeZone: 'UTC',
      weeklyHours: weekly,
      holidays: [{ date: '2026-01-10', name: 'Saturday off' }],
    });
    const fridayOff = BusinessCalendar.compile({
      timeZone: 'UTC',
      weeklyHours: weekly,
      holidays: [{ date: '2026-01-09', name: 'Friday off' }],
    });
    const from = at('2026-01-09T00:00:00Z');
    const to = at('2026-01-11T00:00:00Z');
    expect(saturdayOff.businessMinutesBetween(from, to)).toBe(120);
    expect(fridayOff.businessMinutesBetween(from, to)).toBe(360);
    expect(saturdayOff.isOpenAt(at('2026-01-10T01:00:00Z'))).toBe(false);
    expect(fridayOff.isOpenAt(at('2026-01-10T01:00:00Z'))).toBe(true);
    expect(iso(saturdayOff.nextClosing(at('2026-01-09T23:00:00Z')))).toBe('2026-01-10T00:00:00.000Z');
    expect(iso(fridayOff.nextOpening(at('2026-01-09T21:00:00Z')))).toBe('2026-01-10T00:00:00.000Z');
  });

  it('crosses the year boundary over New Year', () => {
    // Wed 2025-12-31 16:00 EST + 2 h: one hour on Dec 31, Jan 1 closed, one hour on Fri Jan 2 -> 10:00 EST.
    const due = office.addBusinessMinutes(at('2025-12-31T21:00:00Z'), 120);
    expect(iso(due)).toBe('2026-01-02T15:00:00.000Z');
    expect(office.businessMinutesBetween(at('2025-12-31T21:00:00Z'), due)).toBe(120);
    expect(office.isOpenAt(at('2026-01-01T15:00:00Z'))).toBe(false);
    expect(iso(office.nextOpening(at('2025-12-31T22:00:00Z')))).toBe('2026-01-02T14:00:00.000Z');
  });
});

describe('daylight saving time', () => {
  const night = (timeZone: string, start: string, end: string) =>
    BusinessCalendar.compile({ timeZone, weeklyHours: [{ day: 'SUNDAY', start, end }] });

  it('New York: 01:00–03:00 lasts 1 real hour on the spring-forward night and 3 on the fall-back night', () => {
    const calendar = night('America/New_York', '01:00', '03:00');
    expect(calendar.businessMinutesBetween(at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toBe(60);
    expect(calendar.businessMinutesBetween(at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z'))).toBe(180);
    expect(calendar.businessMinutesBetween(at('2026-03-15T00:00:00Z'), at('2026-03-16T00:00:00Z'))).toBe(120);
    // Spring: 01:00 EST = 06:00Z to 03:00 EDT = 07:00Z.
    expect(calendar.isOpenAt(at('2026-03-08T06:59:59Z'))).toBe(true);
    expect(calendar.isOpenAt(at('2026-03-08T07:00:00Z'))).toBe(false);
    expect(iso(calendar.addBusinessMinutes(at('2026-03-08T06:00:00Z'), 60))).toBe('2026-03-08T07:00:00.000Z');
    // Fall: 01:00 EDT = 05:00Z to 03:00 EST = 08:00Z, through both 01:xx hours.
    expect(calendar.isOpenAt(at('2026-11-01T06:30:00Z'))).toBe(true); // the second 01:30 (EST)
    expect(calendar.isOpenAt(at('2026-11-01T08:00:00Z'))).toBe(false);
    expect(iso(calendar.addBusinessMinutes(at('2026-11-01T05:00:00Z'), 150))).toBe('2026-11-01T07:30:00.000Z');
  });

  it('New York: a start inside the gap opens when the gap ends; an ambiguous start takes its first occurrence', () => {
    const gap = night('America/New_York', '02:30', '04:00');
    expect(iso(gap.nextOpening(at('2026-03-08T05:00:00Z')))).toBe('2026-03-08T07:00:00.000Z'); // 03:00 EDT
    expect(gap.businessMinutesBetween(at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toBe(60);
    const ambiguous = night('America/New_York', '01:30', '01:45');
    expect(iso(ambiguous.nextOpening(at('2026-11-01T04:00:00Z')))).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
    expect(ambiguous.isOpenAt(at('2026-11-01T05:40:00Z'))).toBe(true); // 01:40 EDT
    expect(ambiguous.isOpenAt(at('2026-11-01T06:40:00Z'))).toBe(false); // 01:40 EST, the second occurrence
    expect(ambiguous.businessMinutesBetween(at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z'))).toBe(15);
  });

  it('Berlin: 02:00–04:00 lasts 1 real hour in March and 3 in October', () => {
    const calendar = night('Europe/Berlin', '02:00', '04:00');
    // Spring: 02:00 does not exist, so the interval opens at 03:00 CEST = 01:00Z and ends at 04:00 CEST = 02:00Z.
    expect(calendar.businessMinutesBetween(at('2026-03-28T22:00:00Z'), at('2026-03-29T22:00:00Z'))).toBe(60);
    expect(calendar.isOpenAt(at('2026-03-29T00:59:59Z'))).toBe(false);
    expect(calendar.isOpenAt(at('2026-03-29T01:00:00Z'))).toBe(true);
    expect(iso(calendar.addBusinessMinutes(at('2026-03-28T12:00:00Z'), 60))).toBe('2026-03-29T02:00:00.000Z');
    // Fall: 02:00 CEST = 00:00Z to 04:00 CET = 03:00Z.
    expect(calendar.businessMinutesBetween(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'))).toBe(180);
    expect(calendar.isOpenAt(at('2026-10-25T01:30:00Z'))).toBe(true); // the second 02:30 (CET)
    expect(iso(calendar.addBusinessMinutes(at('2026-10-24T12:00:00Z'), 180))).toBe('2026-10-25T03:00:00.000Z');
  });

  it('keeps office hours at local 09:00 across both changes, for add and between', () => {
    // New York, spring: Fri 2026-03-06 16:00 EST (21:00Z) + 2 h -> Mon 10:00 EDT (14:00Z).
    expect(iso(office.addBusinessMinutes(at('2026-03-06T21:00:00Z'), 120))).toBe('2026-03-09T14:00:00.000Z');
    expect(office.businessMinutesBetween(at('2026-03-06T21:00:00Z'), at('2026-03-09T14:00:00Z'))).toBe(120);
    expect(office.isOpenAt(at('2026-03-09T13:30:00Z'))).toBe(true); // 09:30 EDT
    // New York, fall: Fri 2026-10-30 16:00 EDT (20:00Z) + 2 h -> Mon 10:00 EST (15:00Z).
    expect(iso(office.addBusinessMinutes(at('2026-10-30T20:00:00Z'), 120))).toBe('2026-11-02T15:00:00.000Z');
    expect(office.businessMinutesBetween(at('2026-10-30T20:00:00Z'), at('2026-11-02T15:00:00Z'))).toBe(120);
    expect(office.isOpenAt(at('2026-11-02T13:30:00Z'))).toBe(false); // 08:30 EST

    const berlin = BusinessCalendar.compile({ timeZone: 'Europe/Berlin', weeklyHours: every(WORKDAYS, '09:00', '17:00') });
    // Fri 2026-03-27 16:00 CET (15:00Z) + 2 h -> Mon 10:00 CEST (08:00Z).
    expect(iso(berlin.addBusinessMinutes(at('2026-03-27T15:00:00Z'), 120))).toBe('2026-03-30T08:00:00.000Z');
    expect(berlin.businessMinutesBetween(at('2026-03-27T15:00:00Z'), at('2026-03-30T08:00:00Z'))).toBe(120);
    // Fri 2026-10-23 16:00 CEST (14:00Z) + 2 h -> Mon 10:00 CET (09:00Z).
    expect(iso(berlin.addBusinessMinutes(at('2026-10-23T14:00:00Z'), 120))).toBe('2026-10-26T09:00:00.000Z');
    expect(berlin.businessMinutesBetween(at('2026-10-23T14:00:00Z'), at('2026-10-26T09:00:00Z'))).toBe(120);
    expect(berlin.isOpenAt(at('2026-10-26T08:00:00Z'))).toBe(true); // 09:00 CET
  });

  it('measures an overnight shift across the spring-forward change in real time', () => {
    const calendar = BusinessCalendar.compile({
      timeZone: 'America/New_York',
      weeklyHours: [{ day: 'SATURDAY', start: '22:00', end: '06:00' }],
    });
    // Sat 2026-03-07 22:00 EST (03:00Z Sun) to Sun 06:00 EDT (10:00Z): 7 real hours.
    expect(calendar.businessMinutesBetween(at('2026-03-07T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toBe(420);
    expect(iso(calendar.nextClosing(at('2026-03-08T05:00:00Z')))).toBe('2026-03-08T10:00:00.000Z');
  });
});

describe('add and between are inverse', () => {
  const calendars: Array<[string, BusinessCalendar]> = [
    ['New York office with holidays', office],
    [
      'Berlin shifts with overnight intervals and holidays',
      BusinessCalendar.compile({
        timeZone: 'Europe/Berlin',
        weeklyHours: [
          ...every(WORKDAYS, '06:00', '14:00'),
          { day: 'FRIDAY', start: '22:00', end: '06:00' },
          { day: 'SUNDAY', start: '02:30', end: '03:30' },
        ],
        holidays: [
          { date: '2026-03-28', name: 'Saturday closure' },
          { date: '2025-12-25', name: 'Christmas', annual: true },
        ],
      }),
    ],
    [
      '24x7 with a holiday',
      BusinessCalendar.compile({
        timeZone: 'America/New_York',
        weeklyHours: every(ALL_DAYS, '00:00', '24:00'),
        holidays: [{ date: '2026-07-04', name: 'Fourth' }],
      }),
    ],
    ['always open', BusinessCalendar.alwaysOpen()],
  ];

  it.each(calendars)(
    '%s: businessMinutesBetween(from, addBusinessMinutes(from, m)) === m, landing inside or at the end of open time',
    (_, calendar) => {
      const random = seededRandom(20260101);
      const base = Date.parse('2026-01-01T00:00:00Z');
      for (let run = 0; run < 1500; run++) {
        const from = new Date(base + Math.floor(random() * 365 * 86_400) * 1000 + (run % 3 === 0 ? Math.floor(random() * 1000) : 0));
        const minutes = run % 10 === 0 ? 0 : Math.floor(random() ** 3 * 30_000);
        const due = calendar.addBusinessMinutes(from, minutes);
        expect(calendar.businessMinutesBetween(from, due)).toBe(minutes);
        expect(calendar.businessMillisBetween(from, due)).toBe(minutes * 60_000);
        if (minutes === 0) {
          expect(due.getTime()).toBe(from.getTime());
        } else {
          expect(calendar.isOpenAt(new Date(due.getTime() - 1))).toBe(true);
          expect(calendar.businessMillisBetween(from, new Date(due.getTime() - 1))).toBe(minutes * 60_000 - 1);
        }
        const ms = Math.floor(random() * 3 * 86_400_000);
        expect(calendar.businessMillisBetween(from, calendar.addBusinessMillis(from, ms))).toBe(ms);
      }
    },
  );

  it('agrees with a minute-by-minute count made from Intl local times (office hours over the March change)', () => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      hourCycle: 'h23',
      weekday: 'long',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    const holidays = new Set(['2026-01-01', '2026-07-03', '2026-11-26', '2026-12-25']);
    const start = Date.parse('2026-02-23T00:00:00Z');
    const minutes = 5 * 7 * 1440;
    const prefix = new Int32Array(minutes + 1);
    for (let i = 0; i < minutes; i++) {
      const local = Object.fromEntries(parts.formatToParts(start + i * 60_000).map((part) => [part.type, part.value]));
      const hhmm = `${local.hour}:${local.minute}`;
      const workday =
        WORKDAYS.includes(local.weekday!.toUpperCase() as Weekday) && !holidays.has(`${local.year}-${local.month}-${local.day}`);
      const open = workday && ((hhmm >= '09:00' && hhmm < '12:00') || (hhmm >= '13:00' && hhmm < '17:00'));
      prefix[i + 1] = prefix[i]! + (open ? 1 : 0);
    }
    const random = seededRandom(7);
    for (let run = 0; run < 2000; run++) {
      const a = Math.floor(random() * minutes);
      const b = a + Math.floor(random() * (minutes - a));
      expect(office.businessMinutesBetween(new Date(start + a * 60_000), new Date(start + b * 60_000))).toBe(prefix[b]! - prefix[a]!);
    }
  });

  it('agrees with a minute-by-minute count in a zone whose changes happen at midnight (America/Santiago)', () => {
    // Chile leaves DST at Sunday 00:00 (Saturday 23:xx happens twice) and enters it at Sunday 00:00 (which never
    // happens: Sunday starts at 01:00). Whole-day and midnight-anchored intervals are unambiguous, so a naive
    // reading of local times must agree with the calendar exactly.
    const calendar = BusinessCalendar.compile({
      timeZone: 'America/Santiago',
      weeklyHours: [
        { day: 'SATURDAY', start: '00:00', end: '24:00' },
        { day: 'SUNDAY', start: '00:00', end: '02:00' },
        { day: 'MONDAY', start: '22:00', end: '08:00' },
      ],
      holidays: [{ date: '2026-09-08', name: 'A Tuesday off' }],
    });
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/Santiago',
      hourCycle: 'h23',
      weekday: 'long',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    for (const first of ['2026-03-30T00:00:00Z', '2026-08-31T00:00:00Z']) {
      const start = Date.parse(first);
      const minutes = 14 * 1440;
      const prefix = new Int32Array(minutes + 1);
      for (let i = 0; i < minutes; i++) {
        const local = Object.fromEntries(parts.formatToParts(start + i * 60_000).map((part) => [part.type, part.value]));
        const hhmm = `${local.hour}:${local.minute}`;
        const holiday = `${local.year}-${local.month}-${local.day}` === '2026-09-08';
        const open =
          !holiday &&
          (local.weekday === 'Saturday' ||
            (local.weekday === 'Sunday' && hhmm < '02:00') ||
            (local.weekday === 'Monday' && hhmm >= '22:00') ||
            (local.weekday === 'Tuesday' && hhmm < '08:00'));
        prefix[i + 1] = prefix[i]! + (open ? 1 : 0);
      }
      const random = seededRandom(11);
      for (let run = 0; run < 1000; run++) {
        const a = Math.floor(random() * minutes);
        const b = a + Math.floor(random() * (minutes - a));
        expect(calendar.businessMinutesBetween(new Date(start + a * 60_000), new Date(start + b * 60_000))).toBe(prefix[b]! - prefix[a]!);
      }
    }
  });

  it('grows with intervals crossed, not with minutes: ten million minutes is quick and exact', () => {
    const from = at('2026-01-05T14:00:00Z');
    const due = office.addBusinessMinutes(from, 10_000_000);
    expect(due.getUTCFullYear()).toBeGreaterThan(2090);
    expect(office.businessMinutesBetween(from, due)).toBe(10_000_000);
  });
});

describe('nextOpening and nextClosing', () => {
  it('returns the instant itself when already open (opening) or already closed (closing)', () => {
    const open = at('2026-01-13T15:00:00Z'); // Tue 10:00 EST
    const closed = at('2026-01-13T03:00:00Z'); // Mon 22:00 EST
    expect(iso(office.nextOpening(open))).toBe(open.toISOString());
    expect(iso(office.nextClosing(closed))).toBe(closed.toISOString());
  });

  it('finds the next opening across lunch, nights, weekends and holidays', () => {
    expect(iso(office.nextOpening(at('2026-01-13T17:30:00Z')))).toBe('2026-01-13T18:00:00.000Z'); // lunch -> 13:00
    expect(iso(office.nextOpening(at('2026-01-13T03:00:00Z')))).toBe('2026-01-13T14:00:00.000Z'); // night -> 09:00
    expect(iso(office.nextOpening(at('2026-01-09T23:00:00Z')))).toBe('2026-01-12T14:00:00.000Z'); // Fri evening -> Mon
    expect(iso(office.nextOpening(at('2026-12-24T23:00:00Z')))).toBe('2026-12-28T14:00:00.000Z'); // Christmas Friday -> Mon
  });

  it('finds the end of the open stretch', () => {
    expect(iso(office.nextClosing(at('2026-01-13T15:00:00Z')))).toBe('2026-01-13T17:00:00.000Z'); // 10:00 -> 12:00
    expect(iso(office.nextClosing(at('2026-01-13T18:00:00Z')))).toBe('2026-01-13T22:00:00.000Z'); // 13:00 -> 17:00
  });

  it('around the clock with holidays: closes at the start of the next holiday, or never', () => {
    const calendar = BusinessCalendar.compile({
      timeZone: 'America/New_York',
      weeklyHours: every(ALL_DAYS, '00:00', '24:00'),
      holidays: [
        { date: '2024-12-25', name: 'Christmas', annual: true },
        { date: '2026-07-04', name: 'Fourth' },
      ],
    });
    expect(iso(calendar.nextClosing(at('2026-06-01T12:00:00Z')))).toBe('2026-07-04T04:00:00.000Z'); // July 4 00:00 EDT
    expect(iso(calendar.nextClosing(at('2026-08-01T12:00:00Z')))).toBe('2026-12-25T05:00:00.000Z'); // Dec 25 00:00 EST
    expect(iso(calendar.nextOpening(at('2026-07-04T12:00:00Z')))).toBe('2026-07-05T04:00:00.000Z');
    const once = BusinessCalendar.compile({
      timeZone: 'UTC',
      weeklyHours: every(ALL_DAYS, '00:00', '24:00'),
      holidays: [{ date: '2026-07-04', name: 'Fourth' }],
    });
    expect(once.nextClosing(at('2026-08-01T12:00:00Z'))).toBeNull();
  });

  it('a calendar with no open time: never opens, is always closed, adds nothing', () => {
    const never = BusinessCalendar.compile({ timeZone: 'UTC', weeklyHours: [] });
    const from = at('2026-01-13T15:00:00Z');
    expect(never.nextOpening(from)).toBeNull();
    expect(iso(never.nextClosing(from))).toBe(from.toISOString());
    expect(never.isOpenAt(from)).toBe(false);
    expect(never.businessMinutesBetween(from, at('2027-01-13T15:00:00Z'))).toBe(0);
    expect(iso(never.addBusinessMinutes(from, 0))).toBe(from.toISOString());
    const error = calendarError(() => never.addBusinessMinutes(from, 1));
    expect(error.field).toEqual(['weeklyHours']);
    expect(error.message).toMatch(/^The calendar is never open/);
  });

  it('annual holidays on every date: open before their last first year, never after', () => {
    const holidays: Holiday[] = [];
    for (let day = 0; day < 366; day++) {
      const date = new Date(Date.UTC(2028, 0, 1 + day)).toISOString().slice(0, 10);
      holidays.push({ date, name: `Day ${day}`, annual: true });
    }
    const calendar = BusinessCalendar.compile({ timeZone: 'UTC', weeklyHours: every(WORKDAYS, '09:00', '17:00'), holidays });
    expect(iso(calendar.nextOpening(at('2027-12-30T20:00:00Z')))).toBe('2027-12-31T09:00:00.000Z');
    expect(calendar.nextOpening(at('2028-03-01T00:00:00Z'))).toBeNull();
    expect(fieldOf(() => calendar.addBusinessMinutes(at('2027-12-31T09:00:00Z'), 481))).toEqual(['holidays']);
  });
});

describe('alwaysOpen', () => {
  const always = BusinessCalendar.alwaysOpen();

  it('is plain arithmetic', () => {
    const from = at('2026-03-08T06:30:00Z');
    expect(always.timeZone).toBe('UTC');
    expect(always.isOpenAt(from)).toBe(true);
    expect(iso(always.nextOpening(from))).toBe(from.toISOString());
    expect(always.nextClosing(from)).toBeNull();
    expect(iso(always.addBusinessMinutes(from, 90))).toBe('2026-03-08T08:00:00.000Z');
    expect(iso(always.addBusinessMillis(from, 1))).toBe('2026-03-08T06:30:00.001Z');
    expect(always.businessMinutesBetween(from, at('2026-03-09T06:30:59Z'))).toBe(1440);
    expect(always.businessMillisBetween(at('2026-03-09T06:30:00Z'), from)).toBe(0);
  });

  it('matches a calendar open every hour of the week (which counts real time over DST)', () => {
    const around = BusinessCalendar.compile({ timeZone: 'America/New_York', weeklyHours: every(ALL_DAYS, '00:00', '24:00') });
    // The local day of March 8 2026 has 23 hours.
    expect(around.businessMinutesBetween(at('2026-03-08T05:00:00Z'), at('2026-03-09T04:00:00Z'))).toBe(23 * 60);
    expect(around.nextClosing(at('2026-03-08T05:00:00Z'))).toBeNull();
    expect(around.timeZone).toBe('America/New_York');
  });
});

describe('CalendarErrors', () => {
  const base: CalendarDefinition = { timeZone: 'America/New_York', weeklyHours: every(WORKDAYS, '09:00', '17:00') };
  const withHours =
    (...weeklyHours: WeeklyInterval[]) =>
    () =>
      BusinessCalendar.compile({ ...base, weeklyHours });
  const withHolidays =
    (...holidays: Holiday[]) =>
    () =>
      BusinessCalendar.compile({ ...base, holidays });

  it('rejects overlapping intervals, naming the later one', () => {
    expect(fieldOf(withHours({ day: 'MONDAY', start: '09:00', end: '12:00' }, { day: 'MONDAY', start: '11:00', end: '13:00' }))).toEqual([
      'weeklyHours',
      '1',
    ]);
    expect(fieldOf(withHours({ day: 'MONDAY', start: '11:00', end: '13:00' }, { day: 'MONDAY', start: '09:00', end: '17:00' }))).toEqual([
      'weeklyHours',
      '0',
    ]);
    // An overnight interval running into the next day's first one.
    const overnight = calendarError(
      withHours({ day: 'SATURDAY', start: '05:00', end: '10:00' }, { day: 'FRIDAY', start: '22:00', end: '06:00' }),
    );
    expect(overnight.field).toEqual(['weeklyHours', '0']);
    expect(overnight.message).toMatch(/SATURDAY 05:00–10:00 \(weeklyHours\[0\]\) overlaps FRIDAY 22:00–06:00/);
    // Sunday's overnight interval running into Monday's.
    expect(fieldOf(withHours({ day: 'SUNDAY', start: '22:00', end: '09:30' }, { day: 'MONDAY', start: '09:00', end: '17:00' }))).toEqual([
      'weeklyHours',
      '1',
    ]);
    // Touching is fine.
    expect(() =>
      withHours({ day: 'SUNDAY', start: '22:00', end: '09:00' }, { day: 'MONDAY', start: '09:00', end: '17:00' })(),
    ).not.toThrow();
  });

  it('resolves time zone aliases to the canonical IANA name', () => {
    expect(BusinessCalendar.compile({ ...base, timeZone: 'US/Eastern' }).timeZone).toBe('America/New_York');
    expect(BusinessCalendar.compile({ ...base, timeZone: 'europe/berlin' }).timeZone).toBe('Europe/Berlin');
  });

  it('rejects unknown time zones', () => {
    for (const timeZone of ['Mars/Olympus_Mons', '', 'EST+5']) {
      expect(fieldOf(() => BusinessCalendar.compile({ ...base, timeZone }))).toEqual(['timeZone']);
    }
  });

  it('rejects bad days and times, and start equal to end', () => {
    expect(fieldOf(withHours({ day: 'FUNDAY' as Weekday, start: '09:00', end: '17:00' }))).toEqual(['weeklyHours', '0', 'day']);
    for (const start of ['9:00', '24:00', '25:00', '12:60', '', '09:00:00']) {
      expect(fieldOf(withHours({ day: 'MONDAY', start, end: '17:00' }))).toEqual(['weeklyHours', '0', 'start']);
    }
    for (const end of ['24:01', '17', 'noon']) {
      expect(fieldOf(withHours({ day: 'MONDAY', start: '09:00', end }))).toEqual(['weeklyHours', '0', 'end']);
    }
    expect(fieldOf(withHours(...every(WORKDAYS, '09:00', '17:00'), { day: 'SATURDAY', start: '09:00', end: '09:00' }))).toEqual([
      'weeklyHours',
      '5',
      'end',
    ]);
    expect(fieldOf(withHours({ day: 'SUNDAY', start: '00:00', end: '00:00' }))).toEqual(['weeklyHours', '0', 'end']);
    expect(() => withHours({ day: 'SUNDAY', start: '00:00', end: '24:00' })()).not.toThrow();
  });

  it('rejects negative, fractional, absurd and non-numeric amounts', () => {
    const from = at('2026-01-13T15:00:00Z');
    for (const minutes of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 10_000_001, '10' as unknown as number]) {
      expect(fieldOf(() => office.addBusinessMinutes(from, minutes))).toEqual(['minutes']);
      expect(fieldOf(() => BusinessCalendar.alwaysOpen().addBusinessMinutes(from, minutes))).toEqual(['minutes']);
    }
    for (const ms of [-1, 0.5, 600_000_000_001]) expect(fieldOf(() => office.addBusinessMillis(from, ms))).toEqual(['ms']);
    expect(() => office.addBusinessMinutes(from, 10_000_000)).not.toThrow();
  });

  it('rejects invalid dates', () => {
    expect(fieldOf(() => office.addBusinessMinutes(new Date(Number.NaN), 1))).toEqual(['from']);
    expect(fieldOf(() => office.businessMinutesBetween(at('2026-01-01T00:00:00Z'), new Date(Number.NaN)))).toEqual(['to']);
    expect(fieldOf(() => office.isOpenAt(new Date(Date.UTC(20000, 0, 1))))).toEqual(['instant']);
  });

  it('rejects malformed, impossible and duplicate holidays, and more than 1,000', () => {
    for (const date of ['2026-02-30', '2026-2-01', '2026-13-01', '26-01-01', '0000-01-01', '2026-01-01T00:00']) {
      expect(fieldOf(withHolidays({ date, name: 'x' }))).toEqual(['holidays', '0', 'date']);
    }
    expect(fieldOf(withHolidays({ date: '2027-02-29', name: 'No leap day', annual: true }))).toEqual(['holidays', '0', 'date']);
    expect(
      fieldOf(withHolidays({ date: '2026-12-25', name: 'Christmas' }, { date: '2026-12-25', name: 'Christmas again', annual: true })),
    ).toEqual(['holidays', '1', 'date']);
    expect(fieldOf(withHolidays({ date: '2026-12-25', name: '  ' }))).toEqual(['holidays', '0', 'name']);
    expect(fieldOf(withHolidays({ date: '2026-12-25', name: 'x', annual: 'yes' as unknown as boolean }))).toEqual([
      'holidays',
      '0',
      'annual',
    ]);
    const many = Array.from({ length: 1001 }, (_, day) => ({
      date: new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10),
      name: `Day ${day}`,
    }));
    expect(fieldOf(withHolidays(...many))).toEqual(['holidays']);
    expect(() => withHolidays(...many.slice(0, 1000))()).not.toThrow();
    // An annual holiday and a one-off on the same month-day of a later year are redundant, not duplicates.
    expect(() =>
      withHolidays({ date: '2020-12-25', name: 'Christmas', annual: true }, { date: '2026-12-25', name: 'Christmas 2026' })(),
    ).not.toThrow();
  });
});
