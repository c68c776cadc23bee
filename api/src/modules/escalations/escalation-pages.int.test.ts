import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../shared/clock.js';
import { gql, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';

/**
 * `myPages`: the escalations that paged the signed-in staff member, as the escalation's steps recorded them. The
 * seed pages Northwind (Enterprise, "Critical") tickets to the on-call schedule at level 1 and to the admin at
 * level 2, and Initech (Growth, "Standard") tickets to the "Support agents" team (agent and specialist).
 */

const MINUTE = 60_000;
/** A Wednesday in a week whose "Senior engineers" rotation has the on-call engineer (not the specialist) on call. */
const ONCALL_WEEK = new Date('2026-11-25T16:00:00Z');

const clock = new FixedClock(ONCALL_WEEK);
let api: TestApi;
const token: Record<'nancy' | 'ada' | 'agent' | 'specialist' | 'oncall' | 'admin', string> = {
  nancy: '',
  ada: '',
  agent: '',
  specialist: '',
  oncall: '',
  admin: '',
};

beforeAll(async () => {
  api = await startTestApi({ clock });
  for (const [who, email] of [
    ['nancy', 'nancy@northwind.example'],
    ['ada', 'ada@initech.example'],
    ['agent', 'agent@tierdesk.example'],
    ['specialist', 'specialist@tierdesk.example'],
    ['oncall', 'oncall@tierdesk.example'],
    ['admin', 'admin@tierdesk.example'],
  ] as const)
    token[who] = await signIn(api.url, email);
});
afterAll(async () => api?.stop());

function ok<T extends { errors?: unknown[] }>(result: T): T {
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result;
}

async function openTicket(customer: string, subject: string): Promise<string> {
  const result = ok(
    await gql(
      api.url,
      'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } userErrors { code message } } }',
      { input: { subject, description: `${subject}, since this morning.`, priority: 'NORMAL' } },
      customer,
    ),
  );
  expect(result.data!.createTicket.userErrors).toEqual([]);
  return result.data!.createTicket.ticket.id;
}

async function escalate(ticketId: string): Promise<string> {
  const result = ok(
    await gql(
      api.url,
      'mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) { escalation { id } userErrors { code message } } }',
      { input: { ticketId, reason: 'The customer is blocked.' } },
      token.agent,
    ),
  );
  expect(result.data!.escalateTicket.userErrors).toEqual([]);
  return result.data!.escalateTicket.escalation.id;
}

const PAGES = `query($first: Int, $after: String, $includeAcknowledged: Boolean) {
  myPages(first: $first, after: $after, includeAcknowledged: $includeAcknowledged) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id status level ticket { id number subject organization { name tier { name } } } }
  }
}`;

async function pages(who: string, variables: Record<string, unknown> = {}) {
  return ok(await gql(api.url, PAGES, variables, who)).data!.myPages;
}

const ids = (connection: { nodes: { id: string }[] }) => connection.nodes.map((node) => node.id);

describe('myPages', () => {
  it('lists the escalations a step paged me for, through the on-call schedule, with their ticket; not those that paged others', async () => {
    clock.set(ONCALL_WEEK);
    const ticketId = await openTicket(token.nancy, 'Dashboards time out');
    const escalationId = await escalate(ticketId);

    const mine = await pages(token.oncall);
    expect(mine.nodes[0]).toEqual({
      id: escalationId,
      status: 'TRIGGERED',
      level: 1,
      ticket: {
        id: ticketId,
        number: expect.any(Number),
        subject: 'Dashboards time out',
        organization: { name: expect.stringMatching(/Northwind/), tier: { name: 'Enterprise' } },
      },
    });
    // The specialist shares the rotation but is off this week; the admin is level 2, not paged yet.
    expect(ids(await pages(token.specialist))).not.toContain(escalationId);
    expect(ids(await pages(token.admin))).not.toContain(escalationId);
  });

  it('keeps a page in the list of everyone it woke as the chain moves on, and drops it from the open list once acknowledged', async () => {
    clock.set(ONCALL_WEEK);
    const escalationId = await escalate(await openTicket(token.nancy, 'Search index stale'));
    clock.set(new Date(ONCALL_WEEK.getTime() + 6 * MINUTE));
    await api.api.jobs.run('escalations.advance');

    const admins = await pages(token.admin);
    expect(admins.nodes.find((node: { id: string }) => node.id === escalationId)).toMatchObject({ level: 2, status: 'TRIGGERED' });
    expect(ids(await pages(token.oncall))).toContain(escalationId);

    const acknowledged = ok(
      await gql(
        api.url,
        'mutation($id: ID!) { acknowledgeEscalation(id: $id) { escalation { status } userErrors { code } } }',
        { id: escalationId },
        token.oncall,
      ),
    );
    expect(acknowledged.data!.acknowledgeEscalation).toEqual({ escalation: { status: 'ACKNOWLEDGED' }, userErrors: [] });
    expect(ids(await pages(token.oncall))).not.toContain(escalationId);
    expect(ids(await pages(token.admin))).not.toContain(escalationId);
    const withAcknowledged = await pages(token.oncall, { includeAcknowledged: true });
    expect(withAcknowledged.nodes.find((node: { id: string }) => node.id === escalationId)?.status).toBe('ACKNOWLEDGED');
  });

  it('pages a team by its members, newest first, in keyset pages with a total', async () => {
    clock.set(ONCALL_WEEK);
    const first = await escalate(await openTicket(token.ada, 'Invoice PDF blank'));
    clock.set(new Date(ONCALL_WEEK.getTime() + MINUTE));
    const second = await escalate(await openTicket(token.ada, 'CSV import rejects dates'));

    for (const member of [token.agent, token.specialist]) {
      const all = await pages(member);
      // The seed's own pages (its outage ticket, paged at seeding time) may be among them.
      expect(ids(all).filter((id) => id === first || id === second)).toEqual([second, first]);
      const walked: string[] = [];
      let after: string | null = null;
      do {
        const one = await pages(member, { first: 1, after });
        expect(one.totalCount).toBe(all.totalCount);
        walked.push(...ids(one));
        after = one.pageInfo.hasNextPage ? one.pageInfo.endCursor : null;
      } while (after);
      expect(walked).toEqual(ids(all));
    }
    // Not in the team, not on its level: the on-call engineer was not paged for Initech's tickets.
    expect(ids(await pages(token.oncall))).not.toContain(first);
  });
});
