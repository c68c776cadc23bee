import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_FILTER } from '../../shared/tenancy.js';
import { FixedClock } from '../../shared/clock.js';
import { Escalation, InboxNotification } from '../escalations/index.js';
import { OutboundEvent } from '../outbox/index.js';
import { fireDueTimers } from './timers.js';
import { SlaAlert } from './sla.entity.js';
import { createOrgApiKey, gql, organizationId, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';

const MINUTE = 60_000;
/** A Wednesday, 10:00 in Chicago (initech) and 11:00 in New York. */
const WEDNESDAY_10_CHICAGO = new Date('2026-11-18T16:00:00Z');

let api: TestApi;
const clock = new FixedClock(WEDNESDAY_10_CHICAGO);
let nancy: string;
let ada: string;
let admin: string;
let agent: string;

beforeAll(async () => {
  api = await startTestApi({ clock });
  [nancy, ada, admin, agent] = await Promise.all([
    signIn(api.url, 'nancy@northwind.example'),
    signIn(api.url, 'ada@initech.example'),
    signIn(api.url, 'admin@tierdesk.example'),
    signIn(api.url, 'agent@tierdesk.example'),
  ]);
});
afterAll(async () => api?.stop());

const CLOCKS = `query($id: ID!) { ticket(id: $id) { status slaClocks { kind cycle status targetMinutes dueAt breachedAt usedMinutes pausedMinutes remainingMinutes reason } escalations { trigger status level steps { level notifiedUserIds } } } }`;

async function open(token: string, priority: string, subject = 'SLA test'): Promise<string> {
  const result = await gql(
    api.url,
    'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } userErrors { message } } }',
    { input: { subject, description: 'd', priority } },
    token,
  );
  expect(result.data?.createTicket.userErrors).toEqual([]);
  return result.data!.createTicket.ticket.id;
}

async function clocksOf(id: string, token = admin) {
  const result = await gql(api.url, CLOCKS, { id }, token);
  expect(result.errors).toBeUndefined();
  return result.data!.ticket;
}

const byKind = (clocks: { kind: string }[], kind: string) => clocks.find((clock) => clock.kind === kind) as any;

/** One pass of the timer jobs, as a job runner makes it: SLA crossings, then escalation steps. */
function timerPass(batchSize = 50) {
  return async () => (await fireDueTimers(api.system('sla.timers'), batchSize)) + (await api.api.jobs.run('escalations.advance'));
}

function systemEm() {
  const em = api.orm.em.fork();
  em.setFilterParams(TENANT_FILTER, { allTenants: true });
  return em;
}

const reply = (ticketId: string, body: string, token: string) =>
  gql(
    api.url,
    'mutation($input: AddCommentInput!) { addComment(input: $input) { ticket { status } userErrors { code } } }',
    { input: { ticketId, body } },
    token,
  );
const setStatus = (ticketId: string, status: string, token: string) =>
  gql(
    api.url,
    'mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { status } userErrors { code message } } }',
    { input: { ticketId, status } },
    token,
  );

describe('SLA clocks over the API', () => {
  it('exposes every clock with its target, due time, and the reason it applies', async () => {
    clock.set(WEDNESDAY_10_CHICAGO);
    const id = await open(nancy, 'URGENT');
    const ticket = await clocksOf(id, nancy);
    expect(byKind(ticket.slaClocks, 'FIRST_RESPONSE')).toMatchObject({
      status: 'ACTIVE',
      targetMinutes: 15,
      dueAt: new Date(WEDNESDAY_10_CHICAGO.getTime() + 15 * MINUTE).toISOString(),
      usedMinutes: 0,
    });
    expect(byKind(ticket.slaClocks, 'FIRST_RESPONSE').reason).toMatch(/Enterprise tier, urgent priority: first response 15 min.*24×7/);
    expect(byKind(ticket.slaClocks, 'RESOLUTION')).toMatchObject({ targetMinutes: 120 });
    expect(byKind(ticket.slaClocks, 'NEXT_RESPONSE')).toBeUndefined();
  });

  it('pauses while waiting on the customer and keeps used time across a mid-ticket upgrade', async () => {
    clock.set(WEDNESDAY_10_CHICAGO);
    const id = await open(ada, 'HIGH');
    let first = byKind((await clocksOf(id)).slaClocks, 'FIRST_RESPONSE');
    expect(first).toMatchObject({ targetMinutes: 240, dueAt: new Date(WEDNESDAY_10_CHICAGO.getTime() + 240 * MINUTE).toISOString() });
    expect(first.reason).toMatch(/Growth tier, high priority.*standard business hours \(America\/Chicago\)/);

    clock.advance(60 * MINUTE);
    expect((await setStatus(id, 'WAITING_ON_CUSTOMER', agent)).data?.changeTicketStatus.ticket.status).toBe('WAITING_ON_CUSTOMER');
    clock.advance(45 * MINUTE);
    first = byKind((await clocksOf(id)).slaClocks, 'FIRST_RESPONSE');
    expect(first).toMatchObject({ status: 'PAUSED', usedMinutes: 60, pausedMinutes: 45, dueAt: null });

    expect((await reply(id, 'Here are the logs.', ada)).data?.addComment.ticket.status).toBe('OPEN');
    const initech = await organizationId(api.url, admin, 'initech');
    const change = 'mutation($input: ChangeOrganizationTierInput!) { changeOrganizationTier(input: $input) { userErrors { code } } }';
    expect(
      (await gql(api.url, change, { input: { organizationId: initech, tierKey: 'business', reason: 'Upgrade' } }, admin)).data
        ?.changeOrganizationTier.userErrors,
    ).toEqual([]);
    first = byKind((await clocksOf(id)).slaClocks, 'FIRST_RESPONSE');
    // Business gives HIGH a 120-minute first response: 60 used, so 60 business minutes remain from now.
    expect(first).toMatchObject({
      status: 'ACTIVE',
      targetMinutes: 120,
      usedMinutes: 60,
      remainingMinutes: 60,
      dueAt: new Date(clock.now().getTime() + 60 * MINUTE).toISOString(),
    });
    expect(first.reason).toMatch(/^Business tier/);
    await gql(api.url, change, { input: { organizationId: initech, tierKey: 'growth', reason: 'Back for the other tests' } }, admin);
  });

  it('stops business-hours clocks out of hours: the due time skips the night', async () => {
    clock.set(new Date('2026-11-18T22:30:00Z')); // 16:30 in Chicago, half an hour before closing
    const id = await open(ada, 'HIGH');
    const first = byKind((await clocksOf(id)).slaClocks, 'FIRST_RESPONSE');
    // 30 minutes today, the remaining 210 from 09:00 tomorrow (15:00Z): 12:30 Chicago = 18:30Z.
    expect(first.dueAt).toBe('2026-11-19T18:30:00.000Z');
  });
});

describe('timers and escalations', () => {
  it('warns, breaches and escalates exactly once each, pages the next level, and stops on acknowledgement', async () => {
    const start = new Date('2026-11-18T16:00:00Z');
    clock.set(start);
    const id = await open(nancy, 'URGENT', 'Orders API latency');
    const worker = { runOnce: timerPass() };

    clock.set(new Date(start.getTime() + 13 * MINUTE));
    expect(await worker.runOnce()).toBeGreaterThanOrEqual(1);
    let ticket = await clocksOf(id);
    expect(byKind(ticket.slaClocks, 'FIRST_RESPONSE').status).toBe('WARNING');
    expect(ticket.escalations).toMatchObject([{ trigger: 'SLA_WARNING', status: 'TRIGGERED', level: 1, steps: [{ level: 1 }] }]);
    const paged = ticket.escalations[0].steps[0].notifiedUserIds;
    expect(paged.length).toBeGreaterThan(0);
    expect(await worker.runOnce()).toBe(0);

    clock.set(new Date(start.getTime() + 16 * MINUTE));
    await worker.runOnce();
    ticket = await clocksOf(id);
    expect(byKind(ticket.slaClocks, 'FIRST_RESPONSE')).toMatchObject({
      status: 'BREACHED',
      breachedAt: new Date(start.getTime() + 15 * MINUTE).toISOString(),
    });
    expect(ticket.escalations).toHaveLength(1);

    const em = systemEm();
    const alerts = await em.find(SlaAlert, {
      ticket: (await em.findOneOrFail(Escalation, { trigger: 'SLA_WARNING', ticket: { subject: 'Orders API latency' } })).ticket.id,
    });
    expect(alerts.map((alert) => `${alert.kind}:${alert.threshold}`).sort()).toEqual(['FIRST_RESPONSE:BREACH', 'FIRST_RESPONSE:WARNING']);
    const events = await em.find(OutboundEvent, { payload: { ticketId: alerts[0]!.ticket.id } } as never);
    expect(events.map((event) => event.type).sort()).toEqual([
      'sla.breached',
      'sla.warning',
      'ticket.escalated',
      'ticket.escalation_joined',
    ]);

    // Level 1 waited 5 minutes without an acknowledgement: level 2 (the staff admin) is paged.
    clock.set(new Date(start.getTime() + 18 * MINUTE + 1000));
    await worker.runOnce();
    ticket = await clocksOf(id);
    expect(ticket.escalations[0]).toMatchObject({ level: 2, steps: [{ level: 1 }, { level: 2 }] });
    const inbox = await gql(api.url, '{ myNotifications(first: 100, unreadOnly: true) { nodes { id title escalationId } } }', {}, admin);
    const notification = inbox.data?.myNotifications.nodes.find((item: { title: string }) => item.title.includes('Orders API latency'));
    expect(notification).toBeDefined();

    const ack = await gql(
      api.url,
      'mutation($id: ID!) { acknowledgeEscalation(id: $id) { escalation { status acknowledgedById nextStepAt } userErrors { code } } }',
      { id: notification.escalationId },
      admin,
    );
    expect(ack.data?.acknowledgeEscalation.escalation).toMatchObject({
      status: 'ACKNOWLEDGED',
      nextStepAt: null,
      acknowledgedById: expect.any(String),
    });
    clock.set(new Date(start.getTime() + 60 * MINUTE));
    await worker.runOnce();
    expect((await clocksOf(id)).escalations[0].steps).toHaveLength(2);
    expect(await em.count(InboxNotification, { escalation: { ticket: alerts[0]!.ticket.id } })).toBeGreaterThanOrEqual(2);
  });

  it('acts once when two workers race for the same due timers', async () => {
    const start = new Date('2026-11-19T16:00:00Z');
    clock.set(start);
    const ids = await Promise.all(Array.from({ length: 8 }, (_, index) => open(nancy, 'URGENT', `Race ${index}`)));
    clock.set(new Date(start.getTime() + 200 * MINUTE));
    // Timer passes only: escalation steps of earlier tests fall due too, and are not crossings.
    const workers = [0, 1, 2].map(() => ({ runOnce: () => fireDueTimers(api.system('sla.timers'), 3) }));
    // Earlier tests' tickets fall due in the same passes: every alert the race writes must be counted by one pass.
    const alertsBefore = await systemEm().count(SlaAlert);
    let acted = 0;
    for (let round = 0; round < 6; round += 1)
      acted += (await Promise.all(workers.map((worker) => worker.runOnce()))).reduce((a: number, b: number) => a + b, 0);
    const em = systemEm();
    const rawIds = ids.map((id) => Buffer.from(id, 'base64url').toString().split(':')[1]!);
    const alerts = await em.find(SlaAlert, { ticket: { $in: rawIds } });
    // Both first response and resolution warned and breached on each ticket; each crossing acted on once.
    expect(alerts).toHaveLength(32);
    expect(new Set(alerts.map((alert) => `${alert.ticket.id}:${alert.kind}:${alert.threshold}`)).size).toBe(32);
    expect(await em.count(Escalation, { ticket: { $in: rawIds } })).toBe(8);
    // Every crossing acted on by exactly one of the racing passes: the counts they return add up to the alerts written.
    expect(acted).toBe((await em.count(SlaAlert)) - alertsBefore);
  });

  it('records a warning that fell due while no runner ran, marked late, and pages only for the breach after it', async () => {
    const start = new Date('2026-11-20T16:00:00Z');
    clock.set(start);
    const id = await open(nancy, 'URGENT', 'Downtime');
    const ticketId = Buffer.from(id, 'base64url').toString().split(':')[1]!;
    // Enterprise urgent: first response 15 min, warned at 12. The runner is back at 20 min: both have passed.
    clock.set(new Date(start.getTime() + 20 * MINUTE));
    expect(await fireDueTimers(api.system('sla.timers'))).toBe(2);
    const em = systemEm();
    const alerts = await em.find(SlaAlert, { ticket: ticketId }, { orderBy: { crossedAt: 'asc' } });
    expect(alerts.map((alert) => [alert.kind, alert.threshold, alert.crossedAt.toISOString(), alert.latencyMillis])).toEqual([
      ['FIRST_RESPONSE', 'WARNING', new Date(start.getTime() + 12 * MINUTE).toISOString(), 8 * MINUTE],
      ['FIRST_RESPONSE', 'BREACH', new Date(start.getTime() + 15 * MINUTE).toISOString(), 5 * MINUTE],
    ]);
    const events = (await em.find(OutboundEvent, { type: { $in: ['sla.warning', 'sla.breached'] } })).filter(
      (event) => event.payload.ticketId === ticketId,
    );
    expect(events.map((event) => [event.type, event.payload.late])).toEqual([
      ['sla.warning', true],
      ['sla.breached', false],
    ]);
    const escalations = await em.find(Escalation, { ticket: ticketId });
    expect(escalations.map((escalation) => escalation.trigger)).toEqual(['SLA_BREACH']);
    expect(await fireDueTimers(api.system('sla.timers'))).toBe(0);
  });

  it('lets customers escalate where their tier includes it, and names the tier where it does not', async () => {
    clock.set(WEDNESDAY_10_CHICAGO);
    const escalate =
      'mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) { escalation { trigger status reason } userErrors { code requiredTier message } } }';
    const growthTicket = await open(ada, 'NORMAL');
    const refused = await gql(api.url, escalate, { input: { ticketId: growthTicket, reason: 'Blocking our launch' } }, ada);
    expect(refused.data?.escalateTicket.userErrors[0]).toMatchObject({ code: 'ENTITLEMENT_REQUIRED', requiredTier: 'business' });
    const enterpriseTicket = await open(nancy, 'LOW');
    const accepted = await gql(api.url, escalate, { input: { ticketId: enterpriseTicket, reason: 'Blocking our launch' } }, nancy);
    expect(accepted.data?.escalateTicket.escalation).toMatchObject({
      trigger: 'CUSTOMER',
      status: 'TRIGGERED',
      reason: 'Blocking our launch',
    });
    const staff = await gql(api.url, escalate, { input: { ticketId: growthTicket, reason: 'VIP' } }, agent);
    expect(staff.data?.escalateTicket.escalation.trigger).toBe('STAFF');
  });
});

describe('importing history', () => {
  it('computes the clocks from the original times, as if it had happened live', async () => {
    clock.set(new Date('2026-11-18T16:00:00Z'));
    const northwind = await organizationId(api.url, admin, 'northwind');
    const key = await createOrgApiKey(api.url, nancy, northwind, ['tickets:read', 'tickets:write']);
    const created = new Date('2026-11-16T08:00:00Z');
    const at = (minutes: number) => new Date(created.getTime() + minutes * MINUTE).toISOString();
    const imported = await gql(
      api.url,
      `mutation($input: ImportTicketInput!) { importTicket(input: $input) { ticket { id status createdAt } userErrors { code field message } } }`,
      {
        input: {
          subject: 'Imported outage',
          description: 'From the old helpdesk',
          priority: 'URGENT',
          createdAt: created.toISOString(),
          events: [
            { at: at(40), type: 'STATUS', status: 'SOLVED' },
            { at: at(10), type: 'REPLY', byStaff: true, body: 'Looking', authorName: 'Old agent' },
            { at: at(12), type: 'NOTE', body: 'Root cause: DNS' },
            { at: at(30), type: 'REPLY', byStaff: false, body: 'Works again?' },
          ],
        },
      },
      key,
    );
    expect(imported.data?.importTicket.userErrors).toEqual([]);
    expect(imported.data?.importTicket.ticket).toMatchObject({ status: 'SOLVED', createdAt: created.toISOString() });
    const clocks = (await clocksOf(imported.data!.importTicket.ticket.id)).slaClocks;
    expect(byKind(clocks, 'FIRST_RESPONSE')).toMatchObject({ status: 'MET', usedMinutes: 10 });
    expect(byKind(clocks, 'NEXT_RESPONSE')).toMatchObject({ status: 'MET', usedMinutes: 10 });
    expect(byKind(clocks, 'RESOLUTION')).toMatchObject({ status: 'MET', usedMinutes: 40 });
  });

  it('shows targets missed in imported history without paging anyone for them', async () => {
    clock.set(new Date('2026-11-18T16:00:00Z'));
    const northwind = await organizationId(api.url, admin, 'northwind');
    const key = await createOrgApiKey(api.url, nancy, northwind, ['tickets:read', 'tickets:write']);
    const created = new Date('2026-11-10T08:00:00Z');
    const imported = await gql(
      api.url,
      `mutation($input: ImportTicketInput!) { importTicket(input: $input) { ticket { id } userErrors { code } } }`,
      {
        input: {
          subject: 'Old missed one',
          description: 'd',
          priority: 'URGENT',
          createdAt: created.toISOString(),
          events: [{ at: new Date(created.getTime() + 90 * MINUTE).toISOString(), type: 'REPLY', byStaff: true, body: 'Late' }],
        },
      },
      key,
    );
    const id = imported.data!.importTicket.ticket.id;
    expect(byKind((await clocksOf(id)).slaClocks, 'FIRST_RESPONSE')).toMatchObject({
      status: 'BREACHED',
      breachedAt: new Date(created.getTime() + 15 * MINUTE).toISOString(),
    });
    await timerPass()();
    expect((await clocksOf(id)).escalations).toEqual([]);
  });

  it('refuses an impossible history and writes nothing of it', async () => {
    const northwind = await organizationId(api.url, admin, 'northwind');
    const count = async () =>
      (
        await gql(
          api.url,
          'query($org: ID) { tickets(first: 1, filter: { organizationId: $org }) { totalCount } }',
          { org: northwind },
          admin,
        )
      ).data!.tickets.totalCount;
    const before = await count();
    const key = await createOrgApiKey(api.url, nancy, northwind, ['tickets:write']);
    const created = new Date('2026-11-16T08:00:00Z');
    const result = await gql(
      api.url,
      `mutation($input: ImportTicketInput!) { importTicket(input: $input) { ticket { id } userErrors { code field message } } }`,
      {
        input: {
          subject: 's',
          description: 'd',
          priority: 'LOW',
          createdAt: created.toISOString(),
          events: [{ at: new Date(created.getTime() + MINUTE).toISOString(), type: 'STATUS', status: 'CLOSED' }],
        },
      },
      key,
    );
    expect(result.data?.importTicket.userErrors[0]).toMatchObject({ code: 'ILLEGAL_STATUS_TRANSITION', field: ['input', 'events.0'] });
    const future = await gql(
      api.url,
      `mutation($input: ImportTicketInput!) { importTicket(input: $input) { userErrors { code field } } }`,
      {
        input: {
          subject: 's',
          description: 'd',
          priority: 'LOW',
          createdAt: new Date(clock.now().getTime() + MINUTE).toISOString(),
          events: [],
        },
      },
      key,
    );
    expect(future.data?.importTicket.userErrors[0]).toMatchObject({ field: ['input', 'createdAt'] });
    expect(await count()).toBe(before);
  });
});
