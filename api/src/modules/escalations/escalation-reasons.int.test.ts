import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../shared/clock.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { createOrgApiKey, gql, organizationId, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';

/**
 * An escalation has two reasons: the public one (the customer's own words, or a plain sentence) and the internal one
 * (triage figures, staff notes). Customers and partner keys read the public one only, by every path that reaches an
 * escalation: the ticket's list, `node(id:)` and the `escalateTicket` payload; staff read both.
 */

const MINUTE = 60_000;
/** A Wednesday, 10:00 in Chicago and 11:00 in New York (Northwind): inside everyone's business hours. */
const WEDNESDAY = new Date('2026-11-18T16:00:00Z');
const ROUTING_SENTENCE = 'The ticket was urgent enough for the on-call engineers to be alerted as soon as it arrived.';

const clock = new FixedClock(WEDNESDAY);
let api: TestApi;
/** nancy: a Northwind (Enterprise) customer; readKey: a Northwind key with tickets:read only; writeKey adds tickets:write. */
const who: Record<'nancy' | 'agent' | 'readKey' | 'writeKey', string> = { nancy: '', agent: '', readKey: '', writeKey: '' };

beforeAll(async () => {
  api = await startTestApi({ clock });
  const admin = await signIn(api.url, 'admin@tierdesk.example');
  who.nancy = await signIn(api.url, 'nancy@northwind.example');
  who.agent = await signIn(api.url, 'agent@tierdesk.example');
  const northwind = await organizationId(api.url, admin, 'northwind');
  who.readKey = await createOrgApiKey(api.url, admin, northwind, ['tickets:read']);
  who.writeKey = await createOrgApiKey(api.url, admin, northwind, ['tickets:read', 'tickets:write']);
});
afterAll(async () => api?.stop());

const ESCALATE = `mutation($input: EscalateTicketInput!) {
  escalateTicket(input: $input) { escalation { id trigger reason internalReason } userErrors { code message } }
}`;

async function open(input: Record<string, unknown>): Promise<string> {
  const result = await gql(
    api.url,
    'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } userErrors { code message } } }',
    { input: { priority: 'NORMAL', ...input } },
    who.nancy,
  );
  expect(result.data?.createTicket.userErrors, JSON.stringify(result)).toEqual([]);
  return result.data!.createTicket.ticket.id;
}

async function escalate(token: string, ticketId: string, reason: string) {
  const result = await gql(api.url, ESCALATE, { input: { ticketId, reason } }, token);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  expect(result.data!.escalateTicket.userErrors).toEqual([]);
  return result.data!.escalateTicket.escalation;
}

/** The ticket's escalations as `token` reads them, through the ticket and through `node(id:)` (which must agree). */
async function escalationsSeenBy(token: string, ticketId: string): Promise<Record<string, unknown>[]> {
  const listed = await gql(
    api.url,
    'query($id: ID!) { ticket(id: $id) { escalations { id trigger reason internalReason } } }',
    { id: ticketId },
    token,
  );
  expect(listed.errors, JSON.stringify(listed.errors)).toBeUndefined();
  const escalations: { id: string }[] = listed.data!.ticket.escalations;
  for (const escalation of escalations) {
    const byId = await gql(
      api.url,
      'query($id: ID!) { node(id: $id) { id ... on Escalation { trigger reason internalReason } } }',
      { id: escalation.id },
      token,
    );
    expect(byId.errors, JSON.stringify(byId.errors)).toBeUndefined();
    expect(byId.data!.node).toEqual(escalation);
  }
  return escalations;
}

describe('escalation reasons by caller', () => {
  it("keeps the customer's own words as the public reason; the internal one is for staff only", async () => {
    clock.set(WEDNESDAY);
    const ticketId = await open({ subject: 'Invoices page loads slowly', description: 'The invoices list takes a while to appear.' });
    const escalation = await escalate(who.nancy, ticketId, '  Our month-end close is blocked until invoices load.  ');
    const words = 'Our month-end close is blocked until invoices load.';
    expect(escalation).toEqual({ id: expect.any(String), trigger: 'CUSTOMER', reason: words, internalReason: null });

    const publicView = [{ id: escalation.id, trigger: 'CUSTOMER', reason: words, internalReason: null }];
    expect(await escalationsSeenBy(who.nancy, ticketId)).toEqual(publicView);
    expect(await escalationsSeenBy(who.readKey, ticketId)).toEqual(publicView);
    expect(await escalationsSeenBy(who.agent, ticketId)).toEqual([
      { id: escalation.id, trigger: 'CUSTOMER', reason: words, internalReason: `Customer escalation: ${words}` },
    ]);
  });

  it("answers a partner key's own escalation without the internal reason", async () => {
    clock.set(WEDNESDAY);
    const ticketId = await open({ subject: 'Webhook deliveries delayed', description: 'Order webhooks arrive ten minutes late.' });
    const escalation = await escalate(who.writeKey, ticketId, 'Fulfilment is waiting on these webhooks.');
    expect(escalation).toEqual({
      id: expect.any(String),
      trigger: 'CUSTOMER',
      reason: 'Fulfilment is waiting on these webhooks.',
      internalReason: null,
    });
    expect((await escalationsSeenBy(who.agent, ticketId))[0]!.internalReason).toBe(
      'Customer escalation: Fulfilment is waiting on these webhooks.',
    );
  });

  it("shows customers a plain sentence for a staff escalation, never the staff member's note", async () => {
    clock.set(WEDNESDAY);
    const ticketId = await open({ subject: 'Export misses a column', description: 'The CSV export has no tax column.' });
    const escalation = await escalate(who.agent, ticketId, 'Renewal at risk; the CFO is watching this one.');
    const internal = 'Staff escalation: Renewal at risk; the CFO is watching this one.';
    expect(escalation).toEqual({
      id: expect.any(String),
      trigger: 'STAFF',
      reason: 'The support team escalated this ticket.',
      internalReason: internal,
    });
    const publicView = [{ id: escalation.id, trigger: 'STAFF', reason: 'The support team escalated this ticket.', internalReason: null }];
    expect(await escalationsSeenBy(who.nancy, ticketId)).toEqual(publicView);
    expect(await escalationsSeenBy(who.readKey, ticketId)).toEqual(publicView);
    expect((await escalationsSeenBy(who.agent, ticketId))[0]!.internalReason).toBe(internal);
  });

  it("keeps a routing page's triage figures (classifier confidence) internal", async () => {
    clock.set(WEDNESDAY);
    const ticketId = await open({
      subject: 'Production outage: checkout is down for all users',
      description: 'Every order fails with a 503 since 14:40 UTC. Our stores are dead in the water.',
      priority: 'URGENT',
      impact: 'CRITICAL',
    });
    const triage = await gql(api.url, 'query($id: ID!) { ticket(id: $id) { triage { reasons } } }', { id: ticketId }, who.agent);
    const reasons: string[] = triage.data!.ticket.triage.reasons;
    const internal = `Routing rule "Critical outage of a business-critical customer": ${reasons.join(' ')}`;
    expect(internal).toMatch(/\(confidence \d+%\)/);

    const [staffView] = await escalationsSeenBy(who.agent, ticketId);
    expect(staffView).toEqual({ id: expect.any(String), trigger: 'ROUTING', reason: ROUTING_SENTENCE, internalReason: internal });
    const publicView = [{ id: staffView!.id, trigger: 'ROUTING', reason: ROUTING_SENTENCE, internalReason: null }];
    expect(await escalationsSeenBy(who.nancy, ticketId)).toEqual(publicView);
    expect(await escalationsSeenBy(who.readKey, ticketId)).toEqual(publicView);
  });

  it('names the missed target to the customer when an SLA breach escalates', async () => {
    clock.set(WEDNESDAY);
    const ticketId = await open({
      subject: 'Reports show yesterday’s totals',
      description: 'The revenue report lags a day behind.',
      priority: 'URGENT',
      impact: 'HIGH',
    });
    // Enterprise answers Urgent tickets within 15 minutes; 16 minutes later the breach has paged.
    clock.set(new Date(WEDNESDAY.getTime() + 16 * MINUTE));
    await api.api.jobs.run('sla.timers');
    const sentence = 'The first response target of 15 min was missed';
    const [staffView] = await escalationsSeenBy(who.agent, ticketId);
    expect(staffView).toEqual({ id: expect.any(String), trigger: 'SLA_BREACH', reason: sentence, internalReason: sentence });
    const publicView = [{ id: staffView!.id, trigger: 'SLA_BREACH', reason: sentence, internalReason: null }];
    expect(await escalationsSeenBy(who.nancy, ticketId)).toEqual(publicView);
    expect(await escalationsSeenBy(who.readKey, ticketId)).toEqual(publicView);
  });
});

describe('the migration that split the reason', () => {
  const NAME = 'Migration20261202130000_escalation_reasons';
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.drop());

  it('keeps the old reason as the internal one and derives a public one without triage internals', async () => {
    const connection = database.orm.em.getConnection();
    const migrator = database.orm.getMigrator();
    await migrator.down({ migrations: [NAME] });
    const [ticket] = await connection.execute<{ id: string; organization_id: string }[]>('select id, organization_id from ticket limit 1');
    const old: [string, string, string][] = [
      ['00000000-0000-4000-8000-000000000001', 'CUSTOMER', 'Customer escalation: Our stores are down.'],
      ['00000000-0000-4000-8000-000000000002', 'STAFF', 'Staff escalation: VIP, the CFO is watching.'],
      ['00000000-0000-4000-8000-000000000003', 'SLA_BREACH', 'The first response target of 15 min was missed'],
      ['00000000-0000-4000-8000-000000000004', 'SLA_WARNING', 'The resolution target of 120 min is about to be missed'],
      [
        '00000000-0000-4000-8000-000000000005',
        'ROUTING',
        'Routing rule "Critical outage of a business-critical customer": Domain OUTAGE by the text classifier v3 (confidence 91%). Needs attention: outage words.',
      ],
    ];
    for (const [id, trigger, reason] of old) {
      await connection.execute('insert into escalation (id, organization_id, ticket_id, trigger, reason) values (?, ?, ?, ?, ?)', [
        id,
        ticket!.organization_id,
        ticket!.id,
        trigger,
        reason,
      ]);
    }
    await migrator.up({ migrations: [NAME] });
    const rows = await connection.execute(
      `select id, public_reason, internal_reason from escalation where id in (${old.map(() => '?').join(', ')}) order by id`,
      old.map(([id]) => id),
    );
    expect(rows).toEqual([
      { id: old[0]![0], public_reason: 'Our stores are down.', internal_reason: old[0]![2] },
      { id: old[1]![0], public_reason: 'The support team escalated this ticket.', internal_reason: old[1]![2] },
      { id: old[2]![0], public_reason: 'The first response target of 15 min was missed', internal_reason: old[2]![2] },
      { id: old[3]![0], public_reason: 'The resolution target of 120 min is about to be missed', internal_reason: old[3]![2] },
      { id: old[4]![0], public_reason: ROUTING_SENTENCE, internal_reason: old[4]![2] },
    ]);
  });
});
