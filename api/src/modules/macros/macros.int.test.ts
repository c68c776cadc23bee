import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';
import { gql, signIn, type GraphQLResponse } from '../../../../test/support/graphql.js';
import { toGlobalId } from '../../shared/ids.js';

/**
 * Saved replies over HTTP against PostgreSQL: who may write them (specialists and admins; agents, on-call engineers
 * and customers are refused), what saving refuses (unknown placeholders at `body`, lengths, NUL, a duplicate title
 * in any case), listing by title with search and paging, deactivating, deleting, and rendering for a seeded ticket
 * with every placeholder filled.
 */

let api: TestApi;
const tokens = { agent: '', specialist: '', oncall: '', admin: '', ada: '', hank: '' };

const ok = <T>(response: GraphQLResponse<T>): GraphQLResponse<T> => {
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response;
};

const CREATE = `mutation($input: CreateMacroInput!) {
  createMacro(input: $input) {
    macro { id title body visibility statusAfterSend active createdBy { name } updatedBy { name } }
    userErrors { field message code }
  }
}`;
const UPDATE = `mutation($input: UpdateMacroInput!) {
  updateMacro(input: $input) {
    macro { id title body visibility statusAfterSend active updatedBy { name } }
    userErrors { field message code }
  }
}`;
const DELETE = 'mutation($input: DeleteMacroInput!) { deleteMacro(input: $input) { deletedMacroId userErrors { field message code } } }';
const LIST = `query($first: Int, $after: String, $search: String, $includeInactive: Boolean) {
  macros(first: $first, after: $after, search: $search, includeInactive: $includeInactive) {
    totalCount nodes { id title active } pageInfo { hasNextPage endCursor }
  }
}`;
const RENDER = `query($macroId: ID!, $ticketId: ID!) {
  renderMacro(macroId: $macroId, ticketId: $ticketId) { body visibility status macro { id title } }
}`;

async function macroRows(): Promise<number> {
  const [row] = await api.system('test').em.getConnection().execute<{ count: string }[]>('select count(*) from macro');
  return Number(row!.count);
}

async function create(input: Record<string, unknown>, token = tokens.specialist) {
  return (await gql(api.url, CREATE, { input }, token)).data?.createMacro;
}

async function listTitles(token: string, variables: Record<string, unknown> = {}): Promise<string[]> {
  return ok(await gql(api.url, LIST, { first: 100, ...variables }, token)).data!.macros.nodes.map((node: { title: string }) => node.title);
}

beforeAll(async () => {
  api = await startTestApi();
  tokens.agent = await signIn(api.url, 'agent@tierdesk.example');
  tokens.specialist = await signIn(api.url, 'specialist@tierdesk.example');
  tokens.oncall = await signIn(api.url, 'oncall@tierdesk.example');
  tokens.admin = await signIn(api.url, 'admin@tierdesk.example');
  tokens.ada = await signIn(api.url, 'ada@initech.example');
  tokens.hank = await signIn(api.url, 'hank@globex.example');
});
afterAll(async () => api?.stop());

describe('saved replies', () => {
  it('starts with the seeded replies, listed by title for every staff role', async () => {
    for (const token of [tokens.agent, tokens.oncall, tokens.specialist, tokens.admin]) {
      expect(await listTitles(token)).toEqual(['Asking for logs', 'Escalating to engineering', 'Solved — confirming']);
    }
  });

  it('lets specialists and admins create, and refuses agents, on-call engineers, customers and anonymous callers', async () => {
    const before = await macroRows();
    for (const [token, code] of [
      [tokens.agent, 'FORBIDDEN'],
      [tokens.oncall, 'FORBIDDEN'],
      [tokens.ada, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      const refused = await gql(api.url, CREATE, { input: { title: 'Sneaky', body: 'Hello' } }, token);
      expect(refused.errors?.[0]?.extensions?.code).toBe(code);
      expect(refused.data).toBeNull();
    }
    expect(await macroRows()).toBe(before);

    const bySpecialist = await create({ title: '  Waiting for a reply  ', body: 'Hi {{requester.firstName}}, any news?' });
    expect(bySpecialist).toMatchObject({
      userErrors: [],
      macro: {
        title: 'Waiting for a reply',
        visibility: 'PUBLIC',
        statusAfterSend: null,
        active: true,
        createdBy: { name: 'Sam Specialist' },
        updatedBy: { name: 'Sam Specialist' },
      },
    });
    const byAdmin = await create(
      {
        title: 'Internal: billing check',
        body: 'Check the invoices of {{organization.name}}.',
        visibility: 'INTERNAL',
        statusAfterSend: 'ON_HOLD',
      },
      tokens.admin,
    );
    expect(byAdmin).toMatchObject({
      userErrors: [],
      macro: { visibility: 'INTERNAL', statusAfterSend: 'ON_HOLD', createdBy: { name: 'Ari Admin' } },
    });
    expect(await macroRows()).toBe(before + 2);
  });

  it('refuses an unknown placeholder at body, naming it, and writes nothing', async () => {
    const before = await macroRows();
    const result = await create({ title: 'Typo', body: 'Dear {{customer.name}}, about #{{ticket.number}}' });
    expect(result.macro).toBeNull();
    expect(result.userErrors).toHaveLength(1);
    expect(result.userErrors[0]).toMatchObject({ field: ['input', 'body'], code: 'BAD_USER_INPUT' });
    expect(result.userErrors[0].message).toContain('{{customer.name}}');
    expect(result.userErrors[0].message).not.toContain('{{customer.name}}, {{ticket.number}}');
    const unclosed = await create({ title: 'Typo', body: 'Dear {{requester.name}' });
    expect(unclosed.userErrors[0]).toMatchObject({ field: ['input', 'body'], code: 'BAD_USER_INPUT' });
    expect(await macroRows()).toBe(before);
  });

  it('refuses blank and over-long titles and bodies at their field, and NUL bytes before anything runs', async () => {
    const before = await macroRows();
    const cases: [Record<string, unknown>, string][] = [
      [{ title: ' ', body: 'x' }, 'title'],
      [{ title: 'x'.repeat(121), body: 'x' }, 'title'],
      [{ title: 'Empty', body: '  \n ' }, 'body'],
      [{ title: 'Huge', body: 'x'.repeat(20_001) }, 'body'],
    ];
    for (const [input, field] of cases) {
      const result = await create(input);
      expect(result, JSON.stringify(input).slice(0, 80)).toMatchObject({
        macro: null,
        userErrors: [{ field: ['input', field], code: 'BAD_USER_INPUT' }],
      });
    }
    // The longest allowed title and body are kept whole.
    const longest = await create({ title: 'y'.repeat(120), body: 'z'.repeat(20_000) });
    expect(longest.userErrors).toEqual([]);
    expect(longest.macro.body).toHaveLength(20_000);

    for (const input of [
      { title: 'a\u0000b', body: 'x' },
      { title: 'NUL body', body: 'a\u0000b' },
    ]) {
      const refused = await gql(api.url, CREATE, { input }, tokens.specialist);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_TEXT' });
    }
    expect(await macroRows()).toBe(before + 1);
    ok(await gql(api.url, DELETE, { input: { id: longest.macro.id } }, tokens.specialist));
  });

  it('refuses a duplicate title in any case as a CONFLICT at title, on create and on update', async () => {
    const duplicate = await create({ title: 'ASKING FOR LOGS ', body: 'Logs please.' });
    expect(duplicate).toMatchObject({ macro: null, userErrors: [{ field: ['input', 'title'], code: 'CONFLICT' }] });
    const other = (await create({ title: 'Renamed later', body: 'Hello' })).macro;
    const clash = (await gql(api.url, UPDATE, { input: { id: other.id, title: 'asking for logs' } }, tokens.specialist)).data!.updateMacro;
    expect(clash).toMatchObject({ macro: null, userErrors: [{ field: ['input', 'title'], code: 'CONFLICT' }] });
    // Changing only the case of its own title is no clash.
    const recased = (await gql(api.url, UPDATE, { input: { id: other.id, title: 'RENAMED LATER' } }, tokens.specialist)).data!.updateMacro;
    expect(recased).toMatchObject({ userErrors: [], macro: { title: 'RENAMED LATER' } });
    ok(await gql(api.url, DELETE, { input: { id: other.id } }, tokens.specialist));
  });

  it('updates only the fields given, clears the status with null, and deactivates', async () => {
    const { macro } = await create({ title: 'Partial', body: 'Body one', statusAfterSend: 'SOLVED' });
    const update = async (input: Record<string, unknown>, token = tokens.admin) =>
      (await gql(api.url, UPDATE, { input: { id: macro.id, ...input } }, token)).data?.updateMacro;

    expect(await update({ body: 'Body two' })).toMatchObject({
      userErrors: [],
      macro: { title: 'Partial', body: 'Body two', statusAfterSend: 'SOLVED', active: true, updatedBy: { name: 'Ari Admin' } },
    });
    expect((await update({ title: 'Partial again' })).macro.statusAfterSend).toBe('SOLVED');
    expect((await update({ statusAfterSend: null })).macro.statusAfterSend).toBeNull();
    expect((await update({ body: 'Hi {{nobody}}' })).userErrors[0]).toMatchObject({ field: ['input', 'body'] });

    const refused = await gql(api.url, UPDATE, { input: { id: macro.id, active: false } }, tokens.agent);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await update({ active: false })).macro.active).toBe(false);
    expect(await listTitles(tokens.agent)).not.toContain('Partial again');
    expect(await listTitles(tokens.agent, { includeInactive: true })).toContain('Partial again');

    const ticket = await seededTicket('initech', 'Add a second admin');
    const inactive = await gql(api.url, RENDER, { macroId: macro.id, ticketId: ticket.id }, tokens.agent);
    expect(inactive.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    expect((await update({ active: true })).macro.active).toBe(true);
    expect(ok(await gql(api.url, RENDER, { macroId: macro.id, ticketId: ticket.id }, tokens.agent)).data!.renderMacro.body).toBe(
      'Body two',
    );
    ok(await gql(api.url, DELETE, { input: { id: macro.id } }, tokens.admin));
  });

  it('pages by title and searches titles and bodies', async () => {
    const titles = await listTitles(tokens.agent);
    expect(titles).toEqual([...titles].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    const paged: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const connection: { nodes: { title: string }[]; totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string } } = ok(
        await gql(api.url, LIST, { first: 2, after }, tokens.agent),
      ).data!.macros;
      expect(connection.totalCount).toBe(titles.length);
      paged.push(...connection.nodes.map((node) => node.title));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(paged).toEqual(titles);

    expect(await listTitles(tokens.agent, { search: 'ENGINEERING' })).toEqual(['Escalating to engineering']);
    // Bodies too, and `%` is a character, not a wildcard.
    expect(await listTitles(tokens.agent, { search: 'request id' })).toEqual(['Asking for logs']);
    expect(await listTitles(tokens.agent, { search: '%' })).toEqual([]);
    const tooLong = await gql(api.url, LIST, { search: 'x'.repeat(201) }, tokens.agent);
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_LONG' });
    const badCursor = await gql(api.url, LIST, { after: 'not-a-cursor' }, tokens.agent);
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR' });
  });

  it('renders for a seeded ticket with every placeholder filled, for the staff member asking', async () => {
    const every = [
      'requester.name',
      'requester.firstName',
      'ticket.number',
      'ticket.subject',
      'organization.name',
      'tier.name',
      'agent.name',
      'sla.firstResponse.due',
      'sla.resolution.due',
    ];
    const { macro } = await create({
      title: 'Every placeholder',
      body: every.map((name) => `${name}: {{${name}}}`).join('\n'),
      visibility: 'INTERNAL',
      statusAfterSend: 'WAITING_ON_CUSTOMER',
    });
    const ticket = await seededTicket('initech', 'Add a second admin');
    const rendered = ok(await gql(api.url, RENDER, { macroId: macro.id, ticketId: ticket.id }, tokens.agent)).data!.renderMacro;
    expect(rendered).toMatchObject({ visibility: 'INTERNAL', status: 'WAITING_ON_CUSTOMER', macro: { id: macro.id } });

    const due = (kind: string) => {
      const clock = ticket.slaClocks.find((candidate: { kind: string }) => candidate.kind === kind);
      if (!clock) return 'no target';
      expect(clock.dueAt, `${kind} runs on this NEW ticket`).not.toBeNull();
      return new Intl.DateTimeFormat('en-GB', {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZoneName: 'short',
        timeZone: 'America/Chicago',
      }).format(new Date(clock.dueAt));
    };
    expect(ticket.slaClocks.length, 'the seeded Growth ticket has clocks').toBeGreaterThan(0);
    expect(rendered.body.split('\n')).toEqual([
      'requester.name: Ada Lovelace',
      'requester.firstName: Ada',
      `ticket.number: ${ticket.number}`,
      'ticket.subject: Add a second admin',
      'organization.name: Initech',
      'tier.name: Growth',
      'agent.name: Alex Agent',
      `sla.firstResponse.due: ${due('FIRST_RESPONSE')}`,
      `sla.resolution.due: ${due('RESOLUTION')}`,
    ]);
    // The sender is whoever asks.
    const asAdmin = ok(await gql(api.url, RENDER, { macroId: macro.id, ticketId: ticket.id }, tokens.admin)).data!.renderMacro;
    expect(asAdmin.body).toContain('agent.name: Ari Admin');
  });

  it('renders for staff only: customers are refused even for their own ticket, unknown ids are NOT_FOUND', async () => {
    const [macroId] = ok(await gql(api.url, LIST, { search: 'Asking for logs' }, tokens.agent)).data!.macros.nodes.map(
      (node: { id: string }) => node.id,
    );
    const own = await seededTicket('initech', 'Add a second admin');
    const globex = (await gql(api.url, '{ tickets(first: 1) { nodes { id } } }', {}, tokens.hank)).data!.tickets.nodes[0].id;
    for (const ticketId of [own.id, globex]) {
      const refused = await gql(api.url, RENDER, { macroId, ticketId }, tokens.ada);
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(refused.data).toBeNull();
    }
    expect((await gql(api.url, RENDER, { macroId, ticketId: own.id })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(api.url, LIST, {}, tokens.ada)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const missingTicket = toGlobalId('Ticket', '01900000-0000-7000-8000-000000000000');
    const missingMacro = toGlobalId('Macro', '01900000-0000-7000-8000-000000000000');
    expect((await gql(api.url, RENDER, { macroId, ticketId: missingTicket }, tokens.agent)).errors?.[0]?.extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect((await gql(api.url, RENDER, { macroId: missingMacro, ticketId: own.id }, tokens.agent)).errors?.[0]?.extensions?.code).toBe(
      'NOT_FOUND',
    );
    // A ticket id where a macro id belongs is an input error naming the argument.
    const swapped = await gql(api.url, RENDER, { macroId: own.id, ticketId: own.id }, tokens.agent);
    expect(swapped.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ID', field: ['macroId'] });
  });

  it('is a node for staff and null for customers', async () => {
    const [first] = ok(await gql(api.url, LIST, { first: 1 }, tokens.agent)).data!.macros.nodes;
    const query = 'query($id: ID!) { node(id: $id) { __typename id ... on Macro { title } } }';
    expect(ok(await gql(api.url, query, { id: first.id }, tokens.agent)).data!.node).toEqual({
      __typename: 'Macro',
      id: first.id,
      title: first.title,
    });
    expect(ok(await gql(api.url, query, { id: first.id }, tokens.ada)).data!.node).toBeNull();
  });

  it('deletes for specialists and admins only; a second delete is NOT_FOUND', async () => {
    const { macro } = await create({ title: 'Short-lived', body: 'Bye' });
    expect((await gql(api.url, DELETE, { input: { id: macro.id } }, tokens.agent)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(ok(await gql(api.url, DELETE, { input: { id: macro.id } }, tokens.specialist)).data!.deleteMacro).toEqual({
      deletedMacroId: macro.id,
      userErrors: [],
    });
    expect(await listTitles(tokens.agent, { includeInactive: true })).not.toContain('Short-lived');
    expect(ok(await gql(api.url, DELETE, { input: { id: macro.id } }, tokens.admin)).data!.deleteMacro).toMatchObject({
      deletedMacroId: null,
      userErrors: [{ code: 'NOT_FOUND' }],
    });
  });
});

async function seededTicket(slug: string, subject: string) {
  const organization = ok(await gql(api.url, 'query($slug: String) { organization(slug: $slug) { id } }', { slug }, tokens.admin)).data!
    .organization.id;
  const tickets = ok(
    await gql(
      api.url,
      'query($org: ID) { tickets(first: 100, filter: { organizationId: $org }) { nodes { id number subject slaClocks { kind dueAt } } } }',
      { org: organization },
      tokens.admin,
    ),
  ).data!.tickets.nodes;
  const ticket = tickets.find((candidate: { subject: string }) => candidate.subject === subject);
  if (!ticket) throw new Error(`no seeded ticket "${subject}" in ${slug}`);
  return ticket;
}
