import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signIn } from '../../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../../test/support/api.js';
import { FixedClock } from '../../../shared/clock.js';
import { BusinessCalendar } from '../../calendars/index.js';
import { computeClocks } from '../../sla/index.js';
import type { TicketPriority } from '../../vocabulary/index.js';
import type { QueueDefinition } from '../model.js';
import { simulatedClockRules } from './engine.js';
import { businessHoursDefinition, resolveTiers } from './scenario.js';

/**
 * The what-if simulator must time a ticket exactly as the live engine does. Real tickets are opened in each demo
 * organization (one per tier, each in its own time zone) at every priority its tier allows; their clocks, read over
 * the API, are compared with the simulator's rules for the same tier, priority, instant and business hours: the
 * targets, the due instants and the instant each clock turns WARNING. Then a tier's SLA policy changes, live and
 * in the scenario, and they still agree.
 */

const MINUTE = 60_000;
const START = new Date('2026-11-18T15:00:00Z'); // a Wednesday: 07:00 in Los Angeles, 09:00 Chicago, 16:00 Berlin
const clock = new FixedClock(START);
const ORGANIZATIONS = [
  { admin: 'richard@piedpiper.example', tier: 'community', timeZone: 'America/Los_Angeles' },
  { admin: 'ada@initech.example', tier: 'growth', timeZone: 'America/Chicago' },
  { admin: 'hank@globex.example', tier: 'business', timeZone: 'Europe/Berlin' },
  { admin: 'nancy@northwind.example', tier: 'enterprise', timeZone: 'America/New_York' },
];
/** A general queue without a target of its own, as the bland tickets below are routed. */
const GENERAL: QueueDefinition = {
  id: 'general',
  key: 'general',
  name: 'General support',
  domain: null,
  levelByTier: {},
  requiredCertification: null,
  language: null,
  targetMinutes: null,
  fallbackQueueId: null,
  fallbackAfterMinutes: null,
};
const TICKET = `query($id: ID!) { ticket(id: $id) { priority createdAt slaClocks { kind status targetMinutes dueAt } } }`;
const OPEN = `mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id priority } userErrors { code message } } }`;

interface LiveClock {
  kind: string;
  status: string;
  targetMinutes: number;
  dueAt: string | null;
}

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await startTestApi({ clock });
  admin = await signIn(api.url, 'admin@tierdesk.example');
});
afterAll(async () => api?.stop());

/** The simulator's view of a ticket of `tier` and `priority` created now, at the instant `at`. */
function simulated(tierKey: string, timeZone: string, priority: TicketPriority, warnPercent: number | null, at: Date) {
  const tier = { ...resolveTiers({ tiers: {} }).get(tierKey)!, warnPercent };
  const hours = BusinessCalendar.compile(businessHoursDefinition({ timeZone, businessHours: undefined }));
  const rules = simulatedClockRules(tier, priority, GENERAL, hours);
  return computeClocks(START, [], () => rules, at);
}

async function live(token: string, id: string): Promise<LiveClock[]> {
  const result = await gql(api.url, TICKET, { id }, token);
  expect(result.errors).toBeUndefined();
  return result.data!.ticket.slaClocks;
}

const view = (clocks: { kind: string; status: string; targetMinutes: number; dueAt: Date | string | null }[]) =>
  clocks
    .map((state) => ({
      kind: state.kind,
      status: state.status,
      targetMinutes: state.targetMinutes,
      dueAt: state.dueAt === null ? null : new Date(state.dueAt).toISOString(),
    }))
    .sort((a, b) => a.kind.localeCompare(b.kind));

describe('the simulator times a ticket exactly as the live engine', () => {
  const opened: { token: string; id: string; tier: string; timeZone: string; priority: TicketPriority }[] = [];

  it('gives every tier and priority the same targets and due instants', async () => {
    clock.set(START);
    for (const organization of ORGANIZATIONS) {
      const token = await signIn(api.url, organization.admin);
      const tier = resolveTiers({ tiers: {} }).get(organization.tier)!;
      for (const priority of tier.priorities) {
        const created = await gql(
          api.url,
          OPEN,
          { input: { subject: `Question about exports ${priority}`, description: 'Where do I find the export?', priority, impact: 'LOW' } },
          token,
        );
        expect(created.data?.createTicket.userErrors).toEqual([]);
        const ticket = created.data!.createTicket.ticket;
        opened.push({ token, id: ticket.id, tier: organization.tier, timeZone: organization.timeZone, priority: ticket.priority });
      }
    }
    expect(opened).toHaveLength(13);
    for (const ticket of opened) {
      const expected = view(simulated(ticket.tier, ticket.timeZone, ticket.priority, null, START));
      expect(expected.length, `${ticket.tier} ${ticket.priority}`).toBeGreaterThanOrEqual(2);
      expect(view(await live(ticket.token, ticket.id)), `${ticket.tier} ${ticket.priority}`).toEqual(expected);
    }
  });

  it('turns the same clocks WARNING at the same instant', async () => {
    let checked = 0;
    for (const ticket of opened) {
      const first = simulated(ticket.tier, ticket.timeZone, ticket.priority, null, START).find((state) => state.kind === 'FIRST_RESPONSE')!;
      expect(first.warningAt).not.toBeNull();
      for (const at of [new Date(first.warningAt!.getTime() - MINUTE), new Date(first.warningAt!.getTime() + MINUTE)]) {
        clock.set(at);
        expect(view(await live(ticket.token, ticket.id)), `${ticket.tier} ${ticket.priority} at ${at.toISOString()}`).toEqual(
          view(simulated(ticket.tier, ticket.timeZone, ticket.priority, null, at)),
        );
        checked += 1;
      }
    }
    expect(checked).toBe(26);
    clock.set(START);
  });

  it('still agrees when a tier warns earlier under its own SLA policy', async () => {
    const changed = await gql(
      api.url,
      'mutation($input: UpsertSlaPolicyInput!) { upsertSlaPolicy(input: $input) { userErrors { code message } } }',
      { input: { tierKey: 'growth', pauseStatuses: ['WAITING_ON_CUSTOMER', 'ON_HOLD'], warnPercent: 50 } },
      admin,
    );
    expect(changed.data?.upsertSlaPolicy.userErrors).toEqual([]);
    const growth = opened.filter((ticket) => ticket.tier === 'growth');
    expect(growth).toHaveLength(3);
    for (const ticket of growth) {
      const first = simulated('growth', ticket.timeZone, ticket.priority, 50, START).find((state) => state.kind === 'FIRST_RESPONSE')!;
      const defaultWarning = simulated('growth', ticket.timeZone, ticket.priority, null, START).find(
        (state) => state.kind === 'FIRST_RESPONSE',
      )!;
      expect(first.warningAt!.getTime()).toBeLessThan(defaultWarning.warningAt!.getTime());
      const at = new Date(first.warningAt!.getTime() + MINUTE);
      clock.set(at);
      const clocks = view(await live(ticket.token, ticket.id));
      expect(clocks.find((state) => state.kind === 'FIRST_RESPONSE')!.status).toBe('WARNING');
      expect(clocks).toEqual(view(simulated('growth', ticket.timeZone, ticket.priority, 50, at)));
    }
    clock.set(START);
  });
});
