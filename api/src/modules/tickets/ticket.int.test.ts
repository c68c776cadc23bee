import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryCounter } from '../../db/query-counter.js';
import { Comment, Ticket, TicketEvent } from './ticket.entity.js';
import { TENANT_FILTER } from '../../shared/tenancy.js';
import { fromGlobalId } from '../../shared/ids.js';
import { createOrgApiKey, gql, organizationId, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';

let api: TestApi;
let ada: string;
let agent: string;
let admin: string;
let nancy: string;

let stopRecording: () => void;

beforeAll(async () => {
  stopRecording = queryCounter.recordStatements();
  api = await startTestApi();
  [ada, agent, admin, nancy] = await Promise.all([
    signIn(api.url, 'ada@initech.example'),
    signIn(api.url, 'agent@tierdesk.example'),
    signIn(api.url, 'admin@tierdesk.example'),
    signIn(api.url, 'nancy@northwind.example'),
  ]);
});
afterAll(async () => {
  stopRecording();
  await api?.stop();
});

const CREATE = `mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id number status priority impact channel requesterName } userErrors { field message code requiredTier } }
}`;
const COMMENT = `mutation($input: AddCommentInput!) {
  addComment(input: $input) { comment { id body visibility byStaff authorName } ticket { status } userErrors { field message code } }
}`;
const STATUS = `mutation($input: ChangeTicketStatusInput!) {
  changeTicketStatus(input: $input) { ticket { status solvedAt closedAt allowedTransitions } userErrors { field message code } }
}`;

async function open(token: string, input: Record<string, unknown>) {
  const result = await gql(
    api.url,
    CREATE,
    { input: { subject: 'Subject', description: 'Description', priority: 'NORMAL', ...input } },
    token,
  );
  return result.data!.createTicket;
}

function rowCounts() {
  const em = api.orm.em.fork();
  em.setFilterParams(TENANT_FILTER, { allTenants: true });
  return Promise.all([em.count(Ticket), em.count(Comment), em.count(TicketEvent)]);
}

describe('opening tickets', () => {
  it('opens a ticket within the tier and refuses a priority the tier lacks, naming the tier that has it', async () => {
    const ok = await open(ada, { subject: 'Exports are slow', priority: 'HIGH' });
    expect(ok.userErrors).toEqual([]);
    expect(ok.ticket).toMatchObject({
      status: 'NEW',
      priority: 'HIGH',
      impact: 'MEDIUM',
      channel: 'PORTAL',
      requesterName: 'Ada Lovelace',
    });

    const before = await rowCounts();
    const refused = await open(ada, { priority: 'URGENT' });
    expect(refused.ticket).toBeNull();
    expect(refused.userErrors).toEqual([
      {
        field: null,
        code: 'ENTITLEMENT_REQUIRED',
        requiredTier: 'business',
        message: 'Urgent priority is not included in the Growth tier. It is available from the Business tier.',
      },
    ]);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a channel the tier lacks', async () => {
    const refused = await open(ada, { channel: 'PHONE' });
    expect(refused.userErrors[0]).toMatchObject({ code: 'ENTITLEMENT_REQUIRED', requiredTier: 'enterprise' });
    expect(refused.userErrors[0].message).toMatch(/Support over phone is not included in the Growth tier/);
  });

  it('numbers tickets per organization and records who opened it', async () => {
    const first = await open(nancy, { priority: 'URGENT' });
    const second = await open(nancy, { priority: 'LOW' });
    expect(second.ticket.number).toBe(first.ticket.number + 1);
    const read = await gql(api.url, 'query($id: ID!) { ticket(id: $id) { events { type actor data } } }', { id: first.ticket.id }, nancy);
    expect(read.data?.ticket.events).toEqual([expect.objectContaining({ type: 'CREATED', actor: expect.stringMatching(/^user:/) })]);
  });

  it('validates input field by field, writing nothing', async () => {
    const before = await rowCounts();
    expect((await open(ada, { subject: '   ' })).userErrors[0]).toMatchObject({ field: ['input', 'subject'], code: 'BAD_USER_INPUT' });
    expect((await open(ada, { description: 'x'.repeat(20_001) })).userErrors[0]).toMatchObject({ field: ['input', 'description'] });
    expect((await open(ada, { requesterEmail: 'not-an-email' })).userErrors[0]).toMatchObject({ field: ['input', 'requesterEmail'] });
    const wrongType = await gql(api.url, CREATE, { input: { subject: 's', description: 'd', priority: 'SOMEDAY' } }, ada);
    expect(wrongType.status).toBe(400);
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await rowCounts()).toEqual(before);
  });

  it('makes staff name the organization and accepts it as a global id only', async () => {
    expect((await open(agent, {})).userErrors[0]).toMatchObject({ field: ['input', 'organizationId'] });
    expect((await open(agent, { organizationId: 'garbage' })).userErrors[0]).toMatchObject({ code: 'INVALID_ID' });
    const globex = await organizationId(api.url, admin, 'globex');
    const created = await open(agent, { organizationId: globex, requesterEmail: 'hank@globex.example', channel: 'EMAIL' });
    expect(created.ticket).toMatchObject({ channel: 'EMAIL', requesterName: 'Hank Scorpio' });
  });

  it('stops at the monthly allowance, naming the tier with more', async () => {
    const piedpiper = await signIn(api.url, 'richard@piedpiper.example');
    const usage = await gql(api.url, '{ organization { ticketUsage { thisMonth allowance } } }', {}, piedpiper);
    const { thisMonth, allowance } = usage.data!.organization.ticketUsage;
    expect(allowance).toBe(10);
    const results = await Promise.all(Array.from({ length: allowance - thisMonth + 3 }, () => open(piedpiper, { priority: 'LOW' })));
    const created = results.filter((result) => result.ticket);
    const refused = results.filter((result) => !result.ticket);
    expect(created).toHaveLength(allowance - thisMonth);
    expect(refused).toHaveLength(3);
    expect(refused[0]!.userErrors[0]).toMatchObject({ code: 'TICKET_ALLOWANCE_EXHAUSTED', requiredTier: 'growth' });
    const after = await gql(api.url, '{ organization { ticketUsage { thisMonth } } }', {}, piedpiper);
    expect(after.data!.organization.ticketUsage.thisMonth).toBe(allowance);
  });

  it('counts the usage in the month on both sides, as the allowance does: a ticket dated next month is not this month', async () => {
    const ada = await signIn(api.url, 'ada@initech.example');
    const usage = async () =>
      (await gql(api.url, '{ organization { ticketUsage { thisMonth } } }', {}, ada)).data!.organization.ticketUsage.thisMonth;
    const before = await usage();
    const { ticket } = await open(ada, { subject: 'Dated next month' });
    expect(await usage()).toBe(before + 1);
    await api.orm.em
      .getConnection()
      .execute("update ticket set created_at = date_trunc('month', now()) + interval '1 month' + interval '1 day' where id = ?", [
        fromGlobalId('Ticket', ticket.id),
      ]);
    expect(await usage()).toBe(before);
    // Newest first, it would head every later page of staff's.
    await api.orm.em.getConnection().execute('delete from ticket where id = ?', [fromGlobalId('Ticket', ticket.id)]);
  });
});

describe('the life of a ticket', () => {
  it('moves through replies and legal transitions, and refuses illegal ones', async () => {
    const { ticket } = await open(ada, { subject: 'Webhook retries' });
    const reply = await gql(api.url, COMMENT, { input: { ticketId: ticket.id, body: 'Looking into it.' } }, agent);
    expect(reply.data?.addComment).toMatchObject({
      comment: { byStaff: true, authorName: 'Alex Agent', visibility: 'PUBLIC' },
      ticket: { status: 'OPEN' },
    });

    const waiting = await gql(api.url, STATUS, { input: { ticketId: ticket.id, status: 'WAITING_ON_CUSTOMER' } }, agent);
    expect(waiting.data?.changeTicketStatus.ticket.status).toBe('WAITING_ON_CUSTOMER');
    const customerReply = await gql(api.url, COMMENT, { input: { ticketId: ticket.id, body: 'Here are the logs.' } }, ada);
    expect(customerReply.data?.addComment.ticket.status).toBe('OPEN');

    const customerCannotHold = await gql(api.url, STATUS, { input: { ticketId: ticket.id, status: 'ON_HOLD' } }, ada);
    expect(customerCannotHold.data?.changeTicketStatus.userErrors[0]).toMatchObject({
      code: 'ILLEGAL_STATUS_TRANSITION',
      field: ['input', 'status'],
    });

    const solved = await gql(api.url, STATUS, { input: { ticketId: ticket.id, status: 'SOLVED' } }, ada);
    expect(solved.data?.changeTicketStatus.ticket).toMatchObject({
      status: 'SOLVED',
      solvedAt: expect.any(String),
      allowedTransitions: ['OPEN'],
    });
    const closed = await gql(api.url, STATUS, { input: { ticketId: ticket.id, status: 'CLOSED' } }, agent);
    expect(closed.data?.changeTicketStatus.ticket).toMatchObject({
      status: 'CLOSED',
      closedAt: expect.any(String),
      allowedTransitions: [],
    });

    const reopen = await gql(api.url, STATUS, { input: { ticketId: ticket.id, status: 'OPEN' } }, agent);
    expect(reopen.data?.changeTicketStatus.userErrors[0].message).toMatch(/is CLOSED; it cannot change status/);
    const lateReply = await gql(api.url, COMMENT, { input: { ticketId: ticket.id, body: 'One more thing' } }, ada);
    expect(lateReply.data?.addComment.userErrors[0]).toMatchObject({ code: 'CONFLICT' });

    const trail = await gql(api.url, 'query($id: ID!) { ticket(id: $id) { events { type data } } }', { id: ticket.id }, agent);
    expect(trail.data?.ticket.events.map((event: { type: string }) => event.type)).toEqual([
      'CREATED',
      'ROUTED',
      'COMMENT_ADDED',
      'STATUS_CHANGED',
      'STATUS_CHANGED',
      'COMMENT_ADDED',
      'STATUS_CHANGED',
      'STATUS_CHANGED',
      'STATUS_CHANGED',
    ]);
  });

  it('keeps internal notes from customers and refuses internal notes from customers', async () => {
    const { ticket } = await open(ada, {});
    await gql(api.url, COMMENT, { input: { ticketId: ticket.id, body: 'Customer is on an old SDK', visibility: 'INTERNAL' } }, agent);
    await gql(api.url, COMMENT, { input: { ticketId: ticket.id, body: 'Which SDK version do you use?' } }, agent);
    const query = 'query($id: ID!) { ticket(id: $id) { comments { totalCount nodes { body visibility } } } }';
    const asCustomer = await gql(api.url, query, { id: ticket.id }, ada);
    expect(asCustomer.data?.ticket.comments).toEqual({
      totalCount: 1,
      nodes: [{ body: 'Which SDK version do you use?', visibility: 'PUBLIC' }],
    });
    const asStaff = await gql(api.url, query, { id: ticket.id }, agent);
    expect(asStaff.data?.ticket.comments.totalCount).toBe(2);
    const sneaky = await gql(api.url, COMMENT, { input: { ticketId: ticket.id, body: 'x', visibility: 'INTERNAL' } }, ada);
    expect(sneaky.data?.addComment.userErrors[0]).toMatchObject({ field: ['input', 'visibility'], code: 'BAD_USER_INPUT' });
  });

  it('lets staff assign to staff only and change priority within the tier', async () => {
    const { ticket } = await open(ada, {});
    const users = await gql(api.url, '{ viewer { user { id } } }', {}, agent);
    const assign =
      'mutation($input: AssignTicketInput!) { assignTicket(input: $input) { ticket { assignee { name } } userErrors { code field } } }';
    const assigned = await gql(api.url, assign, { input: { ticketId: ticket.id, assigneeId: users.data!.viewer.user.id } }, agent);
    expect(assigned.data?.assignTicket.ticket.assignee.name).toBe('Alex Agent');
    const customerUser = await gql(api.url, '{ viewer { user { id } } }', {}, ada);
    const wrong = await gql(api.url, assign, { input: { ticketId: ticket.id, assigneeId: customerUser.data!.viewer.user.id } }, agent);
    expect(wrong.data?.assignTicket.userErrors[0]).toMatchObject({ field: ['input', 'assigneeId'] });

    const priority =
      'mutation($input: ChangeTicketPriorityInput!) { changeTicketPriority(input: $input) { ticket { priority } userErrors { code requiredTier } } }';
    const up = await gql(api.url, priority, { input: { ticketId: ticket.id, priority: 'HIGH' } }, agent);
    expect(up.data?.changeTicketPriority.ticket.priority).toBe('HIGH');
    const tooHigh = await gql(api.url, priority, { input: { ticketId: ticket.id, priority: 'URGENT' } }, agent);
    expect(tooHigh.data?.changeTicketPriority.userErrors[0]).toMatchObject({ code: 'ENTITLEMENT_REQUIRED', requiredTier: 'business' });
  });

  it('answers unknown and malformed ids with typed errors', async () => {
    const unknown = 'VGlja2V0OjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA';
    expect((await gql(api.url, 'query($id: ID!) { ticket(id: $id) { id } }', { id: unknown }, ada)).data).toEqual({ ticket: null });
    const malformed = await gql(api.url, 'query($id: ID!) { ticket(id: $id) { id } }', { id: 'nope' }, ada);
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ID' });
    const comment = await gql(api.url, COMMENT, { input: { ticketId: unknown, body: 'hi' } }, ada);
    expect(comment.data?.addComment.userErrors[0]).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('a partner integration', () => {
  it('creates, lists, reads and comments with an API key, and sees the tier and entitlements', async () => {
    const initech = await organizationId(api.url, admin, 'initech');
    const key = await createOrgApiKey(api.url, ada, initech, ['tickets:read', 'tickets:write', 'organization:read']);
    const created = await gql(
      api.url,
      CREATE,
      {
        input: {
          subject: 'From our CRM',
          description: 'Sync fails',
          priority: 'NORMAL',
          requesterName: 'Bill Lumbergh',
          requesterEmail: 'bill@initech.example',
        },
      },
      key,
    );
    expect(created.data?.createTicket.ticket).toMatchObject({ channel: 'API', requesterName: 'Bill Lumbergh' });
    const id = created.data!.createTicket.ticket.id;
    const comment = await gql(api.url, COMMENT, { input: { ticketId: id, body: 'Attached the sync log.' } }, key);
    expect(comment.data?.addComment.comment).toMatchObject({ authorName: expect.stringContaining('test key'), byStaff: false });
    const list = await gql(api.url, '{ tickets(first: 100) { totalCount nodes { id } } }', {}, key);
    expect(list.data?.tickets.nodes.map((node: { id: string }) => node.id)).toContain(id);
    const org = await gql(
      api.url,
      '{ viewer { kind scopes } organization { slug tier { key } entitlements { allowedPriorities coverage apiRequestsPerMinute responseTargets { priority firstResponseMinutes resolutionMinutes } } } }',
      {},
      key,
    );
    expect(org.data).toMatchObject({
      viewer: { kind: 'PARTNER' },
      organization: {
        slug: 'initech',
        tier: { key: 'growth' },
        entitlements: { allowedPriorities: ['LOW', 'NORMAL', 'HIGH'], coverage: 'BUSINESS_HOURS', apiRequestsPerMinute: 300 },
      },
    });
    expect(org.data?.organization.entitlements.responseTargets).toContainEqual({
      priority: 'HIGH',
      firstResponseMinutes: 240,
      resolutionMinutes: 1440,
    });
  });

  it('pages through tickets with cursors, newest first, without gaps or repeats', async () => {
    for (let i = 0; i < 7; i += 1) await open(nancy, { subject: `Paged ${i}` });
    const seen: string[] = [];
    let after: string | null = null;
    let total: number | undefined;
    do {
      const page: any = await gql(
        api.url,
        'query($after: String) { tickets(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id createdAt } } }',
        { after },
        nancy,
      );
      total = page.data.tickets.totalCount;
      seen.push(...page.data.tickets.nodes.map((node: { id: string }) => node.id));
      after = page.data.tickets.pageInfo.hasNextPage ? page.data.tickets.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(total ?? Number.NaN);
  });
});

describe('DataLoader budget', () => {
  const PAGE = `query($first: Int) { tickets(first: $first) { nodes {
    subject organization { name tier { name } } requester { name } assignee { name }
    comments(first: 5) { nodes { body authorName } }
  } } }`;

  /** One page request and the statements it sent, counted by its request id (not by the process, which runs jobs too). */
  async function statementsFor(first: number, token: string) {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: PAGE, variables: { first } }),
    });
    const body = (await response.json()) as {
      data?: { tickets: { nodes: { assignee: unknown; comments: { nodes: unknown[] } }[] } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    const requestId = response.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    return { nodes: body.data!.tickets.nodes, sql: queryCounter.statementsOf(requestId) };
  }

  /** 99 more copies of a ticket, each assigned and with 5 comments: the page's worst case without 600 API calls. */
  async function fillGlobex(agentUserId: string): Promise<void> {
    const globex = await organizationId(api.url, admin, 'globex');
    const { ticket } = await open(agent, { organizationId: globex, subject: 'Load template', requesterEmail: 'hank@globex.example' });
    await gql(api.url, COMMENT, { input: { ticketId: ticket.id, body: 'template reply' } }, agent);
    const connection = api.orm.em.getConnection();
    const columnsOf = async (table: string, generated: string[]) =>
      (
        await connection.execute<{ column_name: string }[]>(
          'select column_name from information_schema.columns where table_schema = current_schema() and table_name = ?',
          [table],
        )
      )
        .map((row) => `"${row.column_name}"`)
        .filter((name) => !generated.includes(name));
    const template = (await connection.execute<{ id: string }[]>("select id from ticket where subject = 'Load template'"))[0]!.id;
    await connection.execute('update ticket set assignee_id = ? where id = ?', [agentUserId, template]);
    const ticketColumns = await columnsOf('ticket', ['"id"', '"number"', '"subject"', '"created_at"']);
    await connection.execute(
      `insert into ticket (id, number, subject, created_at, ${ticketColumns.join(', ')})
       select gen_random_uuid(), 100000 + g, 'Load ' || g, now() + g * interval '1 millisecond', ${ticketColumns.join(', ')}
       from ticket, generate_series(1, 99) g where ticket.id = ?`,
      [template],
    );
    // Five copies of the template's comment on every one of the 100 tickets, then the original goes.
    const commentColumns = await columnsOf('ticket_comment', ['"id"', '"ticket_id"', '"body"', '"created_at"']);
    const original = (await connection.execute<{ id: string }[]>('select id from ticket_comment where ticket_id = ?', [template]))[0]!.id;
    await connection.execute(
      `insert into ticket_comment (id, ticket_id, body, created_at, ${commentColumns.join(', ')})
       select gen_random_uuid(), t.id, 'reply ' || g, now() + g * interval '1 millisecond', ${commentColumns.map((name) => `c.${name}`).join(', ')}
       from ticket t, generate_series(1, 5) g, ticket_comment c
       where c.id = ? and t.organization_id = c.organization_id and t.subject like 'Load %'`,
      [original],
    );
    await connection.execute('delete from ticket_comment where id = ?', [original]);
  }

  it('runs the same, exact number of statements for a staff agent and a customer, at 10 and at 100 assigned tickets with 5 comments', async () => {
    const agentUserId = (await gql(api.url, '{ viewer { user { id } } }', {}, agent)).data!.viewer.user.id as string;
    await fillGlobex(fromGlobalId('User', agentUserId));
    const hank = await signIn(api.url, 'hank@globex.example');
    for (const [who, token, expected] of [
      ['staff agent', agent, 5],
      ['customer', hank, 5],
    ] as const) {
      const small = await statementsFor(10, token);
      const large = await statementsFor(100, token);
      expect(large.nodes, who).toHaveLength(100);
      expect(
        large.nodes.every((node) => node.assignee !== null && node.comments.nodes.length === 5),
        who,
      ).toBe(true);
      expect(small.nodes, who).toHaveLength(10);
      // Exact: the session lookup, the page, then one batched statement per kind of related row (organizations with
      // their tiers joined, users, comments).
      expect(large.sql.length, `${who}:\n${large.sql.join('\n')}`).toBe(expected);
      expect(small.sql.length, `${who}:\n${small.sql.join('\n')}`).toBe(expected);
    }
  });

  it('answers the page as each ticket alone would, whichever way the page asks (fragments, aliases, edges, two comment page sizes)', async () => {
    const fields = `number org: organization { slug } ... on Ticket { organization { tier { key } } } requester { ...Who }
      one: comments(first: 1) { nodes { body } pageInfo { hasNextPage } }
      three: comments(first: $three) { nodes { body authorName byStaff createdAt } pageInfo { hasNextPage } }
      ...Assigned`;
    const fragments = `fragment Who on User { name email }
      fragment Assigned on Ticket { assignee { name role } }`;
    const page = await gql(
      api.url,
      `query($three: Int!) { tickets(first: 30) { edges { cursor node { id ${fields} } } nodes { id } } } ${fragments}`,
      { three: 3 },
      agent,
    );
    expect(page.errors).toBeUndefined();
    const edges = page.data!.tickets.edges as { cursor: string; node: { id: string } & Record<string, unknown> }[];
    expect(edges).toHaveLength(30);
    expect(edges.some((edge) => (edge.node.three as { nodes: unknown[] }).nodes.length > 0)).toBe(true);
    for (const edge of edges) {
      const alone = await gql(
        api.url,
        `query($id: ID!, $three: Int!) { ticket(id: $id) { id ${fields} } } ${fragments}`,
        { id: edge.node.id, three: 3 },
        agent,
      );
      expect(alone.data!.ticket, `ticket ${edge.node.id}`).toEqual(edge.node);
    }
  });
});
