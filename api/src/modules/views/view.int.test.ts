import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';
import { TICKET_VIEWS, VIEW_SORTS } from './views.js';

/**
 * The staff views over HTTP against real PostgreSQL: what each view holds is checked against what the tickets'
 * own fields say (their clocks, assignee, routing, status), every order pages without gaps or repeats, the counts
 * are the lists' totals, and bad input is refused with a code.
 */
let api: TestApi;
let agent: string;
let specialist: string;
let admin: string;
let ada: string;
let nancy: string;
let agentUserId: string;
const PROBE = 'viewprobe';

const CREATE = `mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id number } userErrors { code message } } }`;
const VIEW = `query($view: TicketView!, $sort: TicketViewSort, $filter: TicketViewFilter, $first: Int, $after: String) {
  ticketView(view: $view, sort: $sort, filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id number subject priority status createdAt updatedAt
      assignee { id } organization { slug tier { key } }
      slaTimers { kind status dueAt warningAt }
      routingDecision { queue { key domain requiredCertification language } } } }
  }
}`;
const COUNTS = `query($filter: TicketViewFilter) { ticketViewCounts(filter: $filter) { view count description defaultSort } }`;

interface Node {
  id: string;
  number: number;
  subject: string;
  priority: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  assignee: { id: string } | null;
  organization: { slug: string; tier: { key: string } };
  slaTimers: { kind: string; status: string; dueAt: string | null; warningAt: string | null }[];
  routingDecision: { queue: { key: string; domain: string | null; requiredCertification: string | null; language: string | null } } | null;
}

async function view(token: string, variables: Record<string, unknown>) {
  const result = await gql<{
    ticketView: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: Node }[];
    };
  }>(api.url, VIEW, { first: 100, ...variables }, token);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.ticketView;
}

const probeFilter = (extra: Record<string, unknown> = {}) => ({ search: PROBE, ...extra });

async function open(token: string, subject: string, description: string, priority: string) {
  const result = await gql(api.url, CREATE, { input: { subject, description, priority } }, token);
  expect(result.data?.createTicket.userErrors).toEqual([]);
  return result.data!.createTicket.ticket as { id: string; number: number };
}

let urgent: { id: string };
let billing: { id: string };
let security: { id: string };
let literal: { id: string };

beforeAll(async () => {
  api = await startTestApi();
  [agent, specialist, admin, ada, nancy] = await Promise.all([
    signIn(api.url, 'agent@tierdesk.example'),
    signIn(api.url, 'specialist@tierdesk.example'),
    signIn(api.url, 'admin@tierdesk.example'),
    signIn(api.url, 'ada@initech.example'),
    signIn(api.url, 'nancy@northwind.example'),
  ]);
  agentUserId = (await gql(api.url, '{ viewer { user { id } } }', {}, agent)).data!.viewer.user.id;
  urgent = await open(nancy, `${PROBE} orders API down`, 'Production outage: every order fails with 500 since 09:00.', 'URGENT');
  billing = await open(ada, `${PROBE} invoice charged twice`, 'We were billed twice for the November invoice, please refund.', 'NORMAL');
  security = await open(
    ada,
    `${PROBE} possible SQL injection vulnerability`,
    'Our security scanner reports an SQL injection vulnerability in the search endpoint, CVE pending.',
    'HIGH',
  );
  literal = await open(ada, `${PROBE} progress 100%_done`, 'A subject with the characters a LIKE pattern would treat as wildcards.', 'LOW');
});

afterAll(async () => {
  await api?.stop();
});

describe('what each view holds', () => {
  it('ALL_OPEN with a search holds exactly the probe tickets, the nearest deadline first', async () => {
    const page = await view(agent, { view: 'ALL_OPEN', filter: probeFilter() });
    const ids = page.edges.map((edge) => edge.node.id);
    expect(new Set(ids)).toEqual(new Set([urgent.id, billing.id, security.id, literal.id]));
    expect(page.totalCount).toBe(4);
    const nextDue = (node: Node) =>
      Math.min(
        ...node.slaTimers
          .filter((timer) => timer.dueAt && ['ACTIVE', 'WARNING'].includes(timer.status))
          .map((timer) => Date.parse(timer.dueAt!)),
      );
    const dues = page.edges.map((edge) => nextDue(edge.node));
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(ids[0]).toBe(urgent.id);
  });

  it('filters by tier, priority and organization, and a search matches % and _ literally', async () => {
    expect(
      (await view(agent, { view: 'ALL_OPEN', filter: probeFilter({ tierKeys: ['enterprise'] }) })).edges.map((edge) => edge.node.id),
    ).toEqual([urgent.id]);
    const high = await view(agent, { view: 'ALL_OPEN', filter: probeFilter({ priorities: ['HIGH', 'LOW'] }) });
    expect(new Set(high.edges.map((edge) => edge.node.id))).toEqual(new Set([security.id, literal.id]));
    const literalMatch = await view(agent, { view: 'ALL_OPEN', filter: { search: '100%_done' } });
    expect(literalMatch.edges.map((edge) => edge.node.id)).toEqual([literal.id]);
    expect((await view(agent, { view: 'ALL_OPEN', filter: { search: '100x_done' } })).totalCount).toBe(0);
    const northwind = (await gql(api.url, '{ organization(slug: "northwind") { id } }', {}, admin)).data!.organization.id;
    const ofNorthwind = await view(agent, { view: 'ALL_OPEN', filter: probeFilter({ organizationIds: [northwind] }) });
    expect(ofNorthwind.edges.map((edge) => edge.node.id)).toEqual([urgent.id]);
  });

  it('BREACHING_SOON holds the tickets whose running clock is due within two hours, by their own timers', async () => {
    const all = await view(agent, { view: 'ALL_OPEN', filter: probeFilter() });
    const horizon = Date.now() + 120 * 60_000;
    const expected = all.edges
      .filter((edge) =>
        edge.node.slaTimers.some(
          (timer) => ['ACTIVE', 'WARNING'].includes(timer.status) && timer.dueAt && Date.parse(timer.dueAt) <= horizon,
        ),
      )
      .map((edge) => edge.node.id);
    expect(expected).toContain(urgent.id);
    expect(expected.length).toBeLessThan(4);
    const soon = await view(agent, { view: 'BREACHING_SOON', filter: probeFilter() });
    expect(soon.edges.map((edge) => edge.node.id)).toEqual(expected);
  });

  it('MINE and UNASSIGNED follow the assignee; RECENTLY_SOLVED and ESCALATED follow the status and escalations', async () => {
    const assigned = await gql(
      api.url,
      'mutation($input: AssignTicketInput!) { assignTicket(input: $input) { ticket { assignee { id } } userErrors { code message } } }',
      { input: { ticketId: billing.id, assigneeId: agentUserId } },
      admin,
    );
    expect(assigned.data?.assignTicket.userErrors).toEqual([]);
    const mine = await view(agent, { view: 'MINE', filter: probeFilter() });
    expect(mine.edges.map((edge) => edge.node.id)).toEqual([billing.id]);
    expect(
      (await view(specialist, { view: 'MINE', filter: probeFilter() })).edges.every((edge) => edge.node.assignee?.id !== agentUserId),
    ).toBe(true);
    const unassigned = await view(agent, { view: 'UNASSIGNED', filter: probeFilter() });
    expect(unassigned.edges.every((edge) => edge.node.assignee === null)).toBe(true);
    expect(unassigned.edges.map((edge) => edge.node.id)).not.toContain(billing.id);

    const solved = await gql(
      api.url,
      'mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { status } userErrors { code message } } }',
      { input: { ticketId: literal.id, status: 'SOLVED' } },
      agent,
    );
    expect(solved.data?.changeTicketStatus.userErrors).toEqual([]);
    expect((await view(agent, { view: 'RECENTLY_SOLVED', filter: probeFilter() })).edges.map((edge) => edge.node.id)).toEqual([literal.id]);
    expect((await view(agent, { view: 'ALL_OPEN', filter: probeFilter() })).edges.map((edge) => edge.node.id)).not.toContain(literal.id);

    const escalated = await gql(
      api.url,
      'mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) { escalation { id } userErrors { code message } } }',
      { input: { ticketId: security.id, reason: 'The customer is exposed until this is fixed.' } },
      specialist,
    );
    expect(escalated.data?.escalateTicket.userErrors).toEqual([]);
    const escalatedView = await view(agent, { view: 'ESCALATED', filter: probeFilter() });
    expect(escalatedView.edges.map((edge) => edge.node.id)).toContain(security.id);
    expect(escalatedView.edges.map((edge) => edge.node.id)).not.toContain(billing.id);
  });

  it('MY_QUEUES holds the tickets routed to queues the agent is qualified for, and differs between agents', async () => {
    const all = await view(agent, { view: 'ALL_OPEN', filter: probeFilter() });
    const agentSkills = new Set(['HOW_TO', 'BILLING', 'INTEGRATIONS', 'DATA_MODELS']); // the seeded agent (api/src/db/seed.ts)
    const expected = all.edges
      .filter(({ node }) => {
        const queue = node.routingDecision?.queue;
        return (
          queue &&
          !queue.requiredCertification &&
          (!queue.language || ['en', 'es'].includes(queue.language)) &&
          (queue.domain === null || agentSkills.has(queue.domain))
        );
      })
      .map((edge) => edge.node.id);
    const mine = await view(agent, { view: 'MY_QUEUES', filter: probeFilter() });
    expect(mine.edges.map((edge) => edge.node.id)).toEqual(expected);
    expect(expected).toContain(billing.id);
    expect(expected).not.toContain(security.id);
    expect((await view(specialist, { view: 'MY_QUEUES', filter: probeFilter() })).edges.map((edge) => edge.node.id)).toContain(security.id);
  });
});

describe('orders, paging and counts', () => {
  it('every order pages one at a time through the same tickets, in the same order, without repeats', async () => {
    for (const sort of VIEW_SORTS) {
      const whole = (await view(agent, { view: 'ALL_OPEN', sort, filter: probeFilter() })).edges.map((edge) => edge.node.id);
      const walked: string[] = [];
      let after: string | null = null;
      for (let step = 0; step < 10; step += 1) {
        const page = await view(agent, { view: 'ALL_OPEN', sort, filter: probeFilter(), first: 1, after });
        walked.push(...page.edges.map((edge) => edge.node.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(walked, sort).toEqual(whole);
      expect(whole.length, sort).toBe(3);
    }
    const priority = (await view(agent, { view: 'ALL_OPEN', sort: 'PRIORITY', filter: probeFilter() })).edges.map(
      (edge) => edge.node.priority,
    );
    expect(priority).toEqual(['URGENT', 'HIGH', 'NORMAL']);
  });

  it('the counts of every view are the totals of the lists, under the same filters', async () => {
    const counts = (await gql(api.url, COUNTS, { filter: probeFilter() }, agent)).data!.ticketViewCounts as {
      view: string;
      count: number;
    }[];
    expect(counts.map((count) => count.view)).toEqual([...TICKET_VIEWS]);
    for (const { view: name, count } of counts) {
      expect(count, name).toBe((await view(agent, { view: name, filter: probeFilter() })).totalCount);
    }
    expect(counts.find((count) => count.view === 'ALL_OPEN')!.count).toBe(3);
  });
});

describe('refusals', () => {
  it('customers may not read views or their counts', async () => {
    for (const query of [VIEW, COUNTS]) {
      const result = await gql(api.url, query, { view: 'ALL_OPEN' }, ada);
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(result.data).toBeNull();
    }
  });

  it('a cursor of another order, a forged cursor, a long search and a foreign id are typed input errors', async () => {
    const newest = await view(agent, { view: 'ALL_OPEN', sort: 'NEWEST', filter: probeFilter(), first: 1 });
    const cases: [Record<string, unknown>, string][] = [
      [{ view: 'ALL_OPEN', sort: 'OLDEST', after: newest.pageInfo.endCursor }, 'INVALID_CURSOR'],
      [{ view: 'ALL_OPEN', after: Buffer.from('["NEAREST_DUE","x","y"]').toString('base64url') }, 'INVALID_CURSOR'],
      [{ view: 'ALL_OPEN', after: 'not a cursor at all' }, 'INVALID_CURSOR'],
      [{ view: 'ALL_OPEN', filter: { search: 'x'.repeat(201) } }, 'BAD_USER_INPUT'],
      [{ view: 'ALL_OPEN', filter: { queueIds: [urgent.id] } }, 'INVALID_ID'],
      [{ view: 'ALL_OPEN', filter: { priorities: Array.from({ length: 51 }, () => 'LOW') } }, 'BAD_USER_INPUT'],
    ];
    for (const [variables, reason] of cases) {
      const result = await gql(api.url, VIEW, { first: 5, ...variables }, agent);
      expect(
        result.errors?.map((error) => [error.extensions?.code, error.extensions?.reason ?? error.extensions?.code]),
        JSON.stringify(variables),
      ).toEqual([['BAD_USER_INPUT', reason]]);
    }
  });
});
