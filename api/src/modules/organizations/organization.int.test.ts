import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, organizationId, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';
import { FixedClock } from '../../shared/clock.js';
import { OutboundEvent } from '../outbox/index.js';
import { TicketClock } from '../sla/index.js';
import { Organization } from './organization.entity.js';

/**
 * What an organization's rules change emits, whoever changes them: an admin here, Stripe in billing.int.test.ts.
 * The outbox event is written in the transaction of the change, and the SLA module's hook re-times the open
 * tickets in that same transaction.
 */

// After the seed's tickets were opened (the template database is seeded at the real time).
const clock = new FixedClock(new Date(Date.now() + 60_000));
let api: TestApi;
let admin: string;
let initech: string;

beforeAll(async () => {
  api = await startTestApi({ clock });
  admin = await signIn(api.url, 'admin@tierdesk.example');
  initech = await organizationId(api.url, admin, 'initech');
});
afterAll(async () => api?.stop());

async function outbound(type: string) {
  const { em } = api.system();
  const organization = await em.findOneOrFail(Organization, { slug: 'initech' });
  return em.find(OutboundEvent, { organization: organization.id, type }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

async function openClocks() {
  const { em } = api.system();
  const organization = await em.findOneOrFail(Organization, { slug: 'initech' });
  return em.find(TicketClock, { organization: organization.id, stoppedAt: null, kind: 'FIRST_RESPONSE' });
}

const CHANGE = 'mutation($input: ChangeOrganizationTierInput!) { changeOrganizationTier(input: $input) { userErrors { code } } }';

describe('an admin changes a tier', () => {
  it('emits organization.tier_changed once, and re-times the open tickets in the same change', async () => {
    const before = await openClocks();
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((row) => row.reason.startsWith('Growth tier'))).toBe(true);
    clock.advance(60_000);
    const result = await gql(
      api.url,
      CHANGE,
      { input: { organizationId: initech, tierKey: 'business', reason: 'Signed the Business contract' } },
      admin,
    );
    expect(result.data?.changeOrganizationTier.userErrors).toEqual([]);
    const events = await outbound('organization.tier_changed');
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ fromTier: 'growth', toTier: 'business', reason: 'Signed the Business contract' });
    expect(events[0]!.payload.changedBy).toMatch(/^user:/);
    const after = await openClocks();
    expect(after.map((row) => row.id).sort()).toEqual(before.map((row) => row.id).sort());
    expect(after.every((row) => row.reason.startsWith('Business tier'))).toBe(true);
  });

  it('emits nothing for a change that is refused', async () => {
    const result = await gql(api.url, CHANGE, { input: { organizationId: initech, tierKey: 'business', reason: 'Again' } }, admin);
    expect(result.data?.changeOrganizationTier.userErrors).toEqual([{ code: 'CONFLICT' }]);
    expect(await outbound('organization.tier_changed')).toHaveLength(1);
  });

  it('emits organization.entitlements_changed for a contract override, re-timing from its start', async () => {
    const ada = await signIn(api.url, 'ada@initech.example');
    const opened = await gql(
      api.url,
      'mutation { createTicket(input: { subject: "Where is the export button?", description: "I cannot find it on the reports page.", priority: LOW }) { ticket { id } } }',
      {},
      ada,
    );
    const ticketId = Buffer.from(opened.data!.createTicket.ticket.id, 'base64url').toString().split(':')[1]!;
    const override = await gql(
      api.url,
      'mutation($input: SetEntitlementOverrideInput!) { setEntitlementOverride(input: $input) { userErrors { code message } } }',
      { input: { organizationId: initech, feature: 'sla.firstResponse.LOW', amount: 30, reason: 'Contract clause 4.2' } },
      admin,
    );
    expect(override.data?.setEntitlementOverride.userErrors).toEqual([]);
    const events = await outbound('organization.entitlements_changed');
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ feature: 'sla.firstResponse.LOW', reason: 'Contract clause 4.2' });
    const clock = (await openClocks()).find((row) => row.ticket.id === ticketId)!;
    expect(clock.targetMinutes).toBe(30);
    expect(clock.reason).toMatch(/^Business tier, low priority: first response 30 min,/);
  });

  it('emits organization.calendar_changed when the organization gets its own hours', async () => {
    const calendar = await gql(
      api.url,
      'mutation($input: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $input) { businessCalendar { id } userErrors { code } } }',
      { input: { name: 'Initech hours', timeZone: 'America/Chicago', weeklyHours: [{ day: 'MONDAY', start: '08:00', end: '18:00' }] } },
      admin,
    );
    const calendarId = calendar.data!.createBusinessCalendar.businessCalendar.id;
    const set = await gql(
      api.url,
      'mutation($input: SetOrganizationCalendarInput!) { setOrganizationCalendar(input: $input) { userErrors { code } } }',
      { input: { organizationId: initech, calendarId } },
      admin,
    );
    expect(set.data?.setOrganizationCalendar.userErrors).toEqual([]);
    expect(await outbound('organization.calendar_changed')).toHaveLength(1);
    // Business is business hours: the open tickets now count the organization's own calendar.
    expect((await openClocks()).every((row) => row.reason.includes('business hours of its calendar (America/Chicago)'))).toBe(true);
  });
});
