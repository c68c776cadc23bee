import { describe, expect, it } from 'vitest';
import { BusinessCalendar, CalendarError } from './calendar.js';
import { parseHolidayFeed } from './ical.js';

/** A small US holidays feed in the shape Google and Outlook publish, with CRLF line ends. */
const US_FEED = [
  'BEGIN:VCALENDAR',
  'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
  'VERSION:2.0',
  'CALSCALE:GREGORIAN',
  'X-WR-CALNAME:Holidays in United States',
  'BEGIN:VTIMEZONE',
  'TZID:America/New_York',
  'BEGIN:STANDARD',
  'DTSTART:19701101T020000', // a VTIMEZONE's DTSTART is no holiday
  'TZOFFSETFROM:-0400',
  'TZOFFSETTO:-0500',
  'END:STANDARD',
  'END:VTIMEZONE',
  'BEGIN:VEVENT', // line 14
  'DTSTART;VALUE=DATE:20260101',
  'DTEND;VALUE=DATE:20260102',
  'RRULE:FREQ=YEARLY',
  'UID:20260101_new_year@example.com',
  "SUMMARY:New Year's Day",
  'END:VEVENT',
  'BEGIN:VEVENT', // line 21
  'DTSTART;VALUE=DATE:20260119',
  'DTEND;VALUE=DATE:20260120',
  'UID:20260119_mlk@example.com',
  'SUMMARY:Martin Luther King Jr. Day (third Monday of January\\, observed by federal',
  '  offices\\; banks closed)',
  'DESCRIPTION:Public holiday\\nFederal offices closed',
  'END:VEVENT',
  'BEGIN:VEVENT', // line 29
  'DTSTART;VALUE=DATE:20260704',
  'RRULE:FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=4',
  'SUMMARY:Independence Day',
  'BEGIN:VALARM',
  'ACTION:DISPLAY',
  'DESCRIPTION:Reminder',
  'TRIGGER:-PT15M',
  'END:VALARM',
  'END:VEVENT',
  'BEGIN:VEVENT', // line 39
  'DTSTART;VALUE=DATE:20261126',
  'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH',
  'SUMMARY:Thanksgiving Day',
  'END:VEVENT',
  'BEGIN:VEVENT', // line 44
  'DTSTART;VALUE=DATE:20261224',
  'DTEND;VALUE=DATE:20261227',
  'SUMMARY:Winter\\nbreak',
  'END:VEVENT',
  'BEGIN:VEVENT', // line 49
  'DTSTART;VALUE=DATE:20261332',
  'SUMMARY:Broken day',
  'END:VEVENT',
  'BEGIN:VEVENT', // line 53
  'SUMMARY:No date at all',
  'END:VEVENT',
  'BEGIN:VEVENT', // line 56
  'DTSTART;TZID=America/New_York:20260525T000000',
  'DTEND;TZID=America/New_York:20260526T000000',
  'SUMMARY:Memorial Day',
  'END:VEVENT',
  'BEGIN:VEVENT', // line 61
  'DTSTART;VALUE=DATE:20261111',
  'RRULE:FREQ=YEARLY;COUNT=3',
  'SUMMARY:Veterans Day',
  'END:VEVENT',
  'BEGIN:VEVENT', // line 66
  'DTSTART;VALUE=DATE:20260101',
  'SUMMARY:New Year (duplicate entry)',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

describe('parseHolidayFeed', () => {
  const { holidays, warnings } = parseHolidayFeed(US_FEED);

  it('reads dates, names, yearly repeats and multi-day events', () => {
    expect(holidays).toEqual([
      { date: '2026-01-01', name: "New Year's Day", annual: true },
      {
        date: '2026-01-19',
        name: 'Martin Luther King Jr. Day (third Monday of January, observed by federal offices; banks closed)',
        annual: false,
      },
      { date: '2026-05-25', name: 'Memorial Day', annual: false },
      { date: '2026-07-04', name: 'Independence Day', annual: true },
      { date: '2026-11-11', name: 'Veterans Day', annual: false },
      { date: '2026-11-26', name: 'Thanksgiving Day', annual: false },
      { date: '2026-12-24', name: 'Winter\nbreak', annual: false },
      { date: '2026-12-25', name: 'Winter\nbreak', annual: false },
      { date: '2026-12-26', name: 'Winter\nbreak', annual: false },
      { date: '2027-11-11', name: 'Veterans Day', annual: false },
      { date: '2028-11-11', name: 'Veterans Day', annual: false },
    ]);
  });

  it('warns, naming the line, about what it could not take as it is', () => {
    expect(warnings).toEqual([
      expect.stringMatching(
        /^line 41: "Thanksgiving Day" repeats by a rule other than once a year on the same date \(RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH\); only its first occurrence, 2026-11-26, was kept\.$/,
      ),
      expect.stringMatching(/^line 50: "Broken day" has an unreadable DTSTART "20261332"; skipped\.$/),
      expect.stringMatching(/^line 53: "No date at all" has no DTSTART; skipped\.$/),
      expect.stringMatching(/^line 66: 2026-01-01 is already a holiday \("New Year's Day", line 14\); skipped\.$/),
    ]);
  });

  it('gives a list BusinessCalendar.compile accepts', () => {
    const calendar = BusinessCalendar.compile({
      timeZone: 'America/New_York',
      weeklyHours: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'].map((day) => ({
        day: day as 'MONDAY',
        start: '09:00',
        end: '17:00',
      })),
      holidays,
    });
    expect(calendar.isOpenAt(new Date('2030-07-04T15:00:00Z'))).toBe(false); // annual, a Thursday
    expect(calendar.isOpenAt(new Date('2027-11-26T15:00:00Z'))).toBe(true); // Thanksgiving 2026 only
  });

  it('accepts LF line ends, tab folds, lower-case names and a byte-order mark', () => {
    const feed = '\uFEFFbegin:vcalendar\nbegin:vevent\ndtstart;value=date:20260907\nsummary:Labor\n\t Day\nend:vevent\nend:vcalendar\n';
    expect(parseHolidayFeed(feed)).toEqual({ holidays: [{ date: '2026-09-07', name: 'Labor Day', annual: false }], warnings: [] });
  });

  it('keeps a yearly repeat that the feed also lists as a one-off, expands UNTIL, and honours RDATE and EXDATE', () => {
    const feed = [
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20261225',
      'SUMMARY:Christmas 2026',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20261225',
      'RRULE:FREQ=YEARLY;INTERVAL=1',
      'SUMMARY:Christmas',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20240229',
      'RRULE:FREQ=YEARLY;UNTIL=20321231',
      'EXDATE;VALUE=DATE:20280229',
      'RDATE;VALUE=DATE:20250301',
      'SUMMARY:Leap day',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const parsed = parseHolidayFeed(feed);
    expect(parsed.holidays).toEqual([
      { date: '2024-02-29', name: 'Leap day', annual: false },
      { date: '2025-03-01', name: 'Leap day', annual: false },
      { date: '2026-12-25', name: 'Christmas', annual: true },
      { date: '2032-02-29', name: 'Leap day', annual: false },
    ]);
    expect(parsed.warnings).toEqual([
      expect.stringMatching(/^line 2: 2026-12-25 \("Christmas 2026"\) is also the first day of the yearly "Christmas"/),
    ]);
  });

  it('never throws on a broken body: unterminated events, stray lines, cancelled events, bad DTEND', () => {
    const feed = [
      'BEGIN:VCALENDAR',
      'this line is garbage',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20260101',
      'STATUS:CANCELLED',
      'SUMMARY:Called off',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20260310',
      'DTEND;VALUE=DATE:20260301',
      'SUMMARY:Backwards',
      'END:VEVENT',
      'END:VTODO',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20260401',
      'SUMMARY:Cut short',
    ].join('\n');
    const parsed = parseHolidayFeed(feed);
    expect(parsed.holidays).toEqual([{ date: '2026-03-10', name: 'Backwards', annual: false }]);
    expect(parsed.warnings).toEqual([
      'line 2: not an iCalendar property line; ignored.',
      'line 3: "Called off" is cancelled; skipped.',
      'line 10: "Backwards" ends (DTEND) before it starts; kept its first day only.',
      'line 13: END:VTODO without a matching BEGIN; ignored.',
      'line 14: event has no END:VEVENT (the feed ends first); skipped.',
    ]);
  });

  it('keeps at most 1,000 holidays, the earliest', () => {
    const events = Array.from({ length: 1005 }, (_, i) => {
      const date = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10).replaceAll('-', '');
      return `BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:${date}\r\nSUMMARY:Day ${i}\r\nEND:VEVENT`;
    });
    const parsed = parseHolidayFeed(['BEGIN:VCALENDAR', ...events, 'END:VCALENDAR'].join('\r\n'));
    expect(parsed.holidays).toHaveLength(1000);
    expect(parsed.holidays[999]).toEqual({ date: '2028-09-26', name: 'Day 999', annual: false });
    expect(parsed.warnings).toEqual(['the feed has 1,005 holiday dates; kept the first 1,000 (through 2028-09-26).']);
  });

  it('throws a CalendarError on input that is not an iCalendar', () => {
    for (const input of ['', 'hello', '<html><body>Holidays</body></html>', 'BEGIN:VEVENT\r\nEND:VEVENT', '{"holidays": []}']) {
      let error: unknown;
      try {
        parseHolidayFeed(input);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CalendarError);
      expect((error as CalendarError).field).toEqual(['ics']);
    }
  });
});

describe('parseHolidayFeed on ical.js', () => {
  const feed = (...events: string[][]) =>
    ['BEGIN:VCALENDAR', ...events.flatMap((lines) => ['BEGIN:VEVENT', ...lines, 'END:VEVENT']), 'END:VCALENDAR'].join('\r\n');

  it('reads a bare 8-digit DTSTART as a date, and quoted parameters holding ":" and ";"', () => {
    const parsed = parseHolidayFeed(
      feed(['DTSTART:20261008', 'SUMMARY;LANGUAGE=en:Day one'], ['DTSTART;X-NOTE="a:b;c":20261009T100000Z', 'SUMMARY:Day two']),
    );
    expect(parsed).toEqual({
      holidays: [
        { date: '2026-10-08', name: 'Day one', annual: false },
        { date: '2026-10-09', name: 'Day two', annual: false },
      ],
      warnings: [],
    });
  });

  it('expands any rule that COUNT or UNTIL bounds, one date per day however often it repeats', () => {
    const parsed = parseHolidayFeed(
      feed(
        ['DTSTART;VALUE=DATE:20261126', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=3', 'SUMMARY:Thanksgiving'],
        ['DTSTART:20260601T000000Z', 'RRULE:FREQ=HOURLY;COUNT=60', 'SUMMARY:Offsite'],
        ['DTSTART;VALUE=DATE:20260131', 'RRULE:FREQ=MONTHLY;UNTIL=20260430', 'SUMMARY:Month end'],
      ),
    );
    expect(parsed.holidays).toEqual([
      { date: '2026-01-31', name: 'Month end', annual: false },
      // February and April have no 31st: those occurrences are ignored, not moved to the 1st.
      { date: '2026-03-31', name: 'Month end', annual: false },
      { date: '2026-06-01', name: 'Offsite', annual: false },
      { date: '2026-06-02', name: 'Offsite', annual: false },
      { date: '2026-06-03', name: 'Offsite', annual: false },
      { date: '2026-11-26', name: 'Thanksgiving', annual: false },
      { date: '2027-11-25', name: 'Thanksgiving', annual: false },
      { date: '2028-11-23', name: 'Thanksgiving', annual: false },
    ]);
    expect(parsed.warnings).toEqual([]);
  });

  it('names the line of a value it cannot read and keeps the rest of the event', () => {
    const parsed = parseHolidayFeed(
      feed(
        ['DTSTART;VALUE=DATE:20260501', 'RRULE:FREQ=FORTNIGHTLY', 'SUMMARY:May Day'],
        ['DTSTART;VALUE=DATE:20260601', 'DURATION:P2X', 'SUMMARY:June'],
      ),
    );
    expect(parsed.holidays).toEqual([
      { date: '2026-05-01', name: 'May Day', annual: false },
      { date: '2026-06-01', name: 'June', annual: false },
    ]);
    expect(parsed.warnings).toEqual([
      'line 4: RRULE has an unreadable value "FREQ=FORTNIGHTLY"; ignored.',
      'line 9: DURATION has an unreadable value "P2X"; ignored.',
    ]);
  });

  it('stays bounded on a rule that repeats every second for centuries', () => {
    const started = performance.now();
    const parsed = parseHolidayFeed(feed(['DTSTART:20260101T000000Z', 'RRULE:FREQ=SECONDLY;UNTIL=99991231T000000Z', 'SUMMARY:Forever']));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(parsed.holidays.length).toBeGreaterThan(0);
    expect(parsed.holidays.length).toBeLessThanOrEqual(1000);
  });
});
