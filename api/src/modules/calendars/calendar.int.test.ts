import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../shared/clock.js';
import { upsertTiers } from '../tiers/index.js';
import { gql, organizationId, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';

let api: TestApi;
const clock = new FixedClock(new Date('2026-11-18T16:00:00Z'));
let admin: string;

beforeAll(async () => {
  api = await startTestApi({ clock });
  admin = await signIn(api.url, 'admin@tierdesk.example');
});
afterAll(async () => api?.stop());

const CREATE = `mutation($input: CreateBusinessCalendarInput!) {
  createBusinessCalendar(input: $input) { businessCalendar { id name timeZone weeklyHours { day start end } holidays { date name annual } } userErrors { field code message } }
}`;
const BERLIN_OFFICE = {
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weeklyHours: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'].flatMap((day) => [
    { day, start: '08:00', end: '12:00' },
    { day, start: '13:00', end: '17:00' },
  ]),
  holidays: [{ date: '2026-12-25', name: 'Christmas Day', annual: true }],
};

describe('business calendars (admin GraphQL)', () => {
  it('creates a calendar and previews its arithmetic: lunch breaks, nights, weekends and holidays', async () => {
    const created = await gql(api.url, CREATE, { input: BERLIN_OFFICE }, admin);
    expect(created.data?.createBusinessCalendar.userErrors).toEqual([]);
    const id = created.data!.createBusinessCalendar.businessCalendar.id;
    const preview = await gql(
      api.url,
      `query($id: ID!) { businessCalendar(id: $id) {
      beforeLunch: addBusinessTime(from: "2026-11-18T10:00:00Z", minutes: 60)
      acrossLunch: addBusinessTime(from: "2026-11-18T10:30:00Z", minutes: 60)
      overWeekend: addBusinessTime(from: "2026-11-20T15:00:00Z", minutes: 120)
      overChristmas: addBusinessTime(from: "2026-12-24T15:00:00Z", minutes: 120)
      day: businessMinutesBetween(from: "2026-11-18T00:00:00Z", to: "2026-11-19T00:00:00Z")
      week: businessMinutesBetween(from: "2026-11-16T00:00:00Z", to: "2026-11-23T00:00:00Z")
      lunchOpen: isOpenAt(at: "2026-11-18T11:30:00Z")
      monday: nextOpening(from: "2026-11-21T12:00:00Z")
    } }`,
      { id },
      admin,
    );
    expect(preview.errors).toBeUndefined();
    // Berlin is UTC+1 in November: 10:00Z is 11:00 local.
    expect(preview.data?.businessCalendar).toEqual({
      beforeLunch: '2026-11-18T11:00:00.000Z',
      acrossLunch: '2026-11-18T12:30:00.000Z',
      overWeekend: '2026-11-23T08:00:00.000Z',
      overChristmas: '2026-12-28T08:00:00.000Z',
      day: 480,
      week: 2400,
      lunchOpen: false,
      monday: '2026-11-23T07:00:00.000Z',
    });
  });

  it('refuses bad calendars with the field at fault, saving nothing', async () => {
    const count = async () => (await gql(api.url, '{ businessCalendars { id } }', {}, admin)).data!.businessCalendars.length;
    const before = await count();
    const overlap = await gql(
      api.url,
      CREATE,
      {
        input: {
          ...BERLIN_OFFICE,
          name: 'x',
          weeklyHours: [
            { day: 'MONDAY', start: '09:00', end: '12:00' },
            { day: 'MONDAY', start: '11:00', end: '13:00' },
          ],
        },
      },
      admin,
    );
    expect(overlap.data?.createBusinessCalendar.userErrors[0]).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'weeklyHours', '1'],
    });
    const overnightOverlap = await gql(
      api.url,
      CREATE,
      {
        input: {
          ...BERLIN_OFFICE,
          name: 'x',
          weeklyHours: [
            { day: 'SUNDAY', start: '22:00', end: '06:00' },
            { day: 'MONDAY', start: '05:00', end: '09:00' },
          ],
        },
      },
      admin,
    );
    expect(overnightOverlap.data?.createBusinessCalendar.userErrors[0].field?.slice(0, 2)).toEqual(['input', 'weeklyHours']);
    const zone = await gql(api.url, CREATE, { input: { ...BERLIN_OFFICE, name: 'x', timeZone: 'Europe/Atlantis' } }, admin);
    expect(zone.data?.createBusinessCalendar.userErrors[0]).toMatchObject({ field: ['input', 'timeZone'] });
    const time = await gql(
      api.url,
      CREATE,
      { input: { ...BERLIN_OFFICE, name: 'x', weeklyHours: [{ day: 'MONDAY', start: '9am', end: '17:00' }] } },
      admin,
    );
    expect(time.data?.createBusinessCalendar.userErrors[0].field?.slice(0, 3)).toEqual(['input', 'weeklyHours', '0']);
    const holiday = await gql(
      api.url,
      CREATE,
      { input: { ...BERLIN_OFFICE, name: 'x', holidays: [{ date: '2026-02-30', name: 'Nope' }] } },
      admin,
    );
    expect(holiday.data?.createBusinessCalendar.userErrors[0].field?.slice(0, 2)).toEqual(['input', 'holidays']);
    expect(await count()).toBe(before);
  });

  it('refuses negative and absurd minutes in previews with a typed error', async () => {
    const id = (await gql(api.url, CREATE, { input: { ...BERLIN_OFFICE, name: 'Preview limits' } }, admin)).data!.createBusinessCalendar
      .businessCalendar.id;
    for (const minutes of [-1, 100_000_000]) {
      const result = await gql(
        api.url,
        'query($id: ID!, $m: Int!) { businessCalendar(id: $id) { addBusinessTime(from: "2026-11-18T10:00:00Z", minutes: $m) } }',
        { id, m: minutes },
        admin,
      );
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['minutes'] });
    }
  });

  it('imports an iCal holiday feed, reporting what it skipped', async () => {
    const id = (await gql(api.url, CREATE, { input: { ...BERLIN_OFFICE, name: 'Feed target' } }, admin)).data!.createBusinessCalendar
      .businessCalendar.id;
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20260101',
      'SUMMARY:New Year',
      'RRULE:FREQ=YEARLY',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20261003',
      'SUMMARY:Tag der Deutschen',
      '  Einheit',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'SUMMARY:No date',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const result = await gql(
      api.url,
      'mutation($input: ImportCalendarHolidaysInput!) { importCalendarHolidays(input: $input) { added warnings businessCalendar { holidays { date name annual } } userErrors { code } } }',
      { input: { calendarId: id, ics } },
      admin,
    );
    const payload = result.data?.importCalendarHolidays;
    expect(payload.userErrors).toEqual([]);
    expect(payload.added).toBe(2);
    expect(payload.warnings.length).toBeGreaterThan(0);
    expect(payload.businessCalendar.holidays).toEqual(
      expect.arrayContaining([
        { date: '2026-01-01', name: 'New Year', annual: true },
        { date: '2026-10-03', name: 'Tag der Deutschen Einheit', annual: false },
      ]),
    );
    const notCalendar = await gql(
      api.url,
      'mutation($input: ImportCalendarHolidaysInput!) { importCalendarHolidays(input: $input) { userErrors { code field } } }',
      { input: { calendarId: id, ics: 'hello' } },
      admin,
    );
    expect(notCalendar.data?.importCalendarHolidays.userErrors[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'ics'] });
  });

  it('re-times open tickets when an organization gets its own calendar, keeping the time used before', async () => {
    const created = await gql(
      api.url,
      CREATE,
      {
        input: {
          ...BERLIN_OFFICE,
          name: 'Globex hours',
          weeklyHours: BERLIN_OFFICE.weeklyHours.filter((interval) => interval.start === '08:00'),
        },
      },
      admin,
    );
    const calendarId = created.data!.createBusinessCalendar.businessCalendar.id;
    clock.set(new Date('2026-11-18T09:00:00Z')); // 10:00 in Berlin, a Wednesday
    const hank = await signIn(api.url, 'hank@globex.example');
    const ticket = (
      await gql(
        api.url,
        'mutation { createTicket(input: { subject: "s", description: "d", priority: NORMAL }) { ticket { id } } }',
        {},
        hank,
      )
    ).data!.createTicket.ticket.id;
    clock.set(new Date('2026-11-18T10:00:00Z'));
    const globex = await organizationId(api.url, admin, 'globex');
    const assign = await gql(
      api.url,
      'mutation($input: SetOrganizationCalendarInput!) { setOrganizationCalendar(input: $input) { userErrors { code } } }',
      { input: { organizationId: globex, calendarId } },
      admin,
    );
    expect(assign.data?.setOrganizationCalendar.userErrors).toEqual([]);
    const clocks = await gql(
      api.url,
      'query($id: ID!) { ticket(id: $id) { slaClocks { kind usedMinutes dueAt reason } } }',
      { id: ticket },
      admin,
    );
    const first = clocks.data?.ticket.slaClocks.find((clockState: { kind: string }) => clockState.kind === 'FIRST_RESPONSE');
    // Business NORMAL: 240 minutes. 60 used under standard hours; the other 180 in mornings only (08:00–12:00):
    // 11:00–12:00 today (60), then 08:00–10:00 tomorrow (120) = Thursday 10:00 Berlin, 09:00Z.
    expect(first).toMatchObject({ usedMinutes: 60, dueAt: '2026-11-19T09:00:00.000Z' });
    expect(first.reason).toMatch(/business hours of its calendar \(Europe\/Berlin\)/);
    await gql(
      api.url,
      'mutation($input: SetOrganizationCalendarInput!) { setOrganizationCalendar(input: $input) { userErrors { code } } }',
      { input: { organizationId: globex, calendarId: null } },
      admin,
    );
  });
});

describe('SLA policies', () => {
  it('refuses a policy for a tier that allows a priority without targets, naming it', async () => {
    const ctx = api.system('test');
    await upsertTiers(ctx, [
      {
        key: 'startup',
        name: 'Startup',
        rank: 10,
        description: 'A tier with a gap',
        minContractValue: 0,
        minMonthlyUsage: 0,
        requiresBusinessCritical: false,
        requiresStrategic: false,
        entitlements: {
          'tickets.priorities': ['LOW', 'HIGH'],
          'sla.firstResponse.LOW': 60,
          'sla.resolution.LOW': 600,
          'sla.firstResponse.HIGH': 30,
        },
      },
    ]);
    const upsert =
      'mutation($input: UpsertSlaPolicyInput!) { upsertSlaPolicy(input: $input) { slaPolicy { tierKey warnPercent pauseStatuses } userErrors { field code message } } }';
    const refused = await gql(api.url, upsert, { input: { tierKey: 'startup', pauseStatuses: ['ON_HOLD'], warnPercent: 75 } }, admin);
    expect(refused.data?.upsertSlaPolicy.userErrors[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'tierKey'] });
    expect(refused.data?.upsertSlaPolicy.userErrors[0].message).toMatch(/allows HIGH tickets but has no resolution target/);
    const badStatus = await gql(api.url, upsert, { input: { tierKey: 'growth', pauseStatuses: ['OPEN'], warnPercent: 75 } }, admin);
    expect(badStatus.data?.upsertSlaPolicy.userErrors[0]).toMatchObject({ field: ['input', 'pauseStatuses'] });
    const badPercent = await gql(api.url, upsert, { input: { tierKey: 'growth', pauseStatuses: [], warnPercent: 100 } }, admin);
    expect(badPercent.data?.upsertSlaPolicy.userErrors[0]).toMatchObject({ field: ['input', 'warnPercent'] });
    const ok = await gql(api.url, upsert, { input: { tierKey: 'growth', pauseStatuses: ['ON_HOLD'], warnPercent: 75 } }, admin);
    expect(ok.data?.upsertSlaPolicy.slaPolicy).toEqual({ tierKey: 'growth', warnPercent: 75, pauseStatuses: ['ON_HOLD'] });
  });
});
