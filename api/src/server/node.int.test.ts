import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgApiKey, gql, organizationId, signIn, type GraphQLResponse } from '../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../test/support/api.js';

/**
 * `node(id:)` resolves every type that implements Node, through the same getter (with the same tenancy and
 * visibility) as the type's own query. The walk reads the Node implementations from the schema itself, so a new
 * Node type without a getter and a sample here fails it.
 */

interface Sample {
  id: string;
  /** Who may read it besides staff: 'owner' (the organization's own users; its admins for keys), 'everyone', or nobody outside staff. */
  customers: 'owner' | 'everyone' | 'none';
  /** The staff member who reads it (a notification is its recipient's alone). */
  staffReader?: 'agent';
}

let api: TestApi;
const tokens: Record<'admin' | 'agent' | 'hank' | 'richard', string> = { admin: '', agent: '', hank: '', richard: '' };
const samples: Record<string, Sample> = {};

const ok = <T>(response: GraphQLResponse<T>): GraphQLResponse<T> => {
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response;
};

beforeAll(async () => {
  api = await startTestApi();
  for (const [who, email] of [
    ['admin', 'admin@tierdesk.example'],
    ['agent', 'agent@tierdesk.example'],
    ['hank', 'hank@globex.example'],
    ['richard', 'richard@piedpiper.example'],
  ] as const) {
    tokens[who] = await signIn(api.url, email);
  }
  const { admin, hank } = tokens;
  const globex = await organizationId(api.url, admin, 'globex');

  // Globex (business) owns a ticket with a public reply and an internal note, an escalation and an API key.
  const ticket = ok(
    await gql(
      api.url,
      'mutation { createTicket(input: { subject: "Node walk", description: "Every type by id", priority: NORMAL }) { ticket { id requester { id } } } }',
      {},
      hank,
    ),
  ).data!.createTicket.ticket;
  samples.Ticket = { id: ticket.id, customers: 'owner' };
  samples.User = { id: ticket.requester.id, customers: 'owner' };
  const comment = 'mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }';
  samples.Comment = {
    id: ok(await gql(api.url, comment, { input: { ticketId: ticket.id, body: 'On it.' } }, admin)).data!.addComment.comment.id,
    customers: 'owner',
  };
  const note = ok(await gql(api.url, comment, { input: { ticketId: ticket.id, body: 'Internal.', visibility: 'INTERNAL' } }, admin));
  samples.InternalComment = { id: note.data!.addComment.comment.id, customers: 'none' };
  const escalation = ok(
    await gql(
      api.url,
      'mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) { escalation { id } } }',
      { input: { ticketId: ticket.id, reason: 'Walk every node' } },
      admin,
    ),
  ).data!.escalateTicket.escalation;
  samples.Escalation = { id: escalation.id, customers: 'owner' };
  const key = await createOrgApiKey(api.url, admin, globex, ['tickets:read']);
  const keys = ok(await gql(api.url, '{ apiKeys(first: 100) { nodes { id prefix } } }', {}, admin)).data!.apiKeys.nodes;
  samples.ApiKey = { id: keys.find((node: { prefix: string }) => key.startsWith(`td_${node.prefix}_`)).id, customers: 'owner' };
  samples.Organization = { id: globex, customers: 'owner' };

  // The catalogue and the knowledge base are public; configuration is staff's.
  samples.Tier = { id: ok(await gql(api.url, '{ tier(key: "growth") { id } }', {}, admin)).data!.tier.id, customers: 'everyone' };
  samples.Article = {
    id: ok(
      await gql(
        api.url,
        'mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } } }',
        {
          input: {
            slug: 'node-walk',
            title: 'Node walk',
            summary: 'An article to read by id.',
            body: 'Every type by its id.',
            tags: [],
            productArea: 'tickets',
            visibility: 'public',
          },
        },
        admin,
      ),
    ).data!.createArticle.article.id,
    customers: 'everyone',
  };
  samples.BusinessCalendar = {
    id: ok(
      await gql(
        api.url,
        'mutation($input: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $input) { businessCalendar { id } } }',
        { input: { name: 'Node walk hours', timeZone: 'UTC', weeklyHours: [{ day: 'MONDAY', start: '09:00', end: '17:00' }] } },
        admin,
      ),
    ).data!.createBusinessCalendar.businessCalendar.id,
    customers: 'none',
  };
  const policies = ok(await gql(api.url, '{ escalationPolicies { id levels { targets { type id } } } }', {}, admin)).data!
    .escalationPolicies;
  samples.EscalationPolicy = { id: policies[0].id, customers: 'none' };
  const targets = policies.flatMap((policy: { levels: { targets: { type: string; id: string | null }[] }[] }) =>
    policy.levels.flatMap((level) => level.targets),
  );
  samples.Team = { id: targets.find((target: { type: string }) => target.type === 'TEAM').id, customers: 'none' };
  samples.OnCallSchedule = { id: targets.find((target: { type: string }) => target.type === 'SCHEDULE').id, customers: 'none' };
  const routing = ok(await gql(api.url, '{ queues { id } routingRules { id } agents(first: 1) { nodes { id } } }', {}, admin)).data!;
  samples.Queue = { id: routing.queues[0].id, customers: 'none' };
  samples.RoutingRule = { id: routing.routingRules[0].id, customers: 'none' };
  samples.Agent = { id: routing.agents.nodes[0].id, customers: 'none' };
  const macros = ok(await gql(api.url, '{ macros(first: 1) { nodes { id } } }', {}, admin)).data!.macros;
  samples.Macro = { id: macros.nodes[0].id, customers: 'none' };
  // Globex's standard policy pages the support agents' team: Alex's inbox has the page.
  const inbox = ok(await gql(api.url, '{ myNotifications(first: 50) { nodes { id title } } }', {}, tokens.agent)).data!.myNotifications;
  samples.Notification = {
    id: inbox.nodes.find((item: { title: string }) => item.title.includes('Node walk')).id,
    customers: 'none',
    staffReader: 'agent',
  };
});
afterAll(async () => api?.stop());

const NODE = 'query($id: ID!) { node(id: $id) { __typename id } }';

async function read(id: string, token: string): Promise<{ __typename: string; id: string } | null> {
  return ok(await gql(api.url, NODE, { id }, token)).data!.node;
}

describe('node(id:)', () => {
  it('has a sample for every type that implements Node, and nothing else', async () => {
    const introspection = ok(await gql(api.url, '{ __type(name: "Node") { possibleTypes { name } } }', {}, tokens.admin));
    const implementations = introspection.data!.__type.possibleTypes.map((type: { name: string }) => type.name).sort();
    expect(implementations).toHaveLength(17);
    expect(
      Object.keys(samples)
        .filter((name) => name !== 'InternalComment')
        .sort(),
    ).toEqual(implementations);
  });

  it('gives staff every type by its id, with the right type', async () => {
    let walked = 0;
    for (const [name, sample] of Object.entries(samples)) {
      const typename = name === 'InternalComment' ? 'Comment' : name;
      expect(await read(sample.id, tokens[sample.staffReader ?? 'admin']), name).toEqual({ __typename: typename, id: sample.id });
      walked += 1;
    }
    expect(walked).toBe(18);
  });

  it("gives a customer their own organization's objects and the public ones, and null for the rest", async () => {
    let walked = 0;
    for (const [name, sample] of Object.entries(samples)) {
      const owner = await read(sample.id, tokens.hank);
      const stranger = await read(sample.id, tokens.richard);
      if (sample.customers === 'everyone') {
        expect(owner?.id, name).toBe(sample.id);
        expect(stranger?.id, name).toBe(sample.id);
      } else if (sample.customers === 'owner') {
        expect(owner?.id, name).toBe(sample.id);
        expect(stranger, name).toBeNull();
      } else {
        expect(owner, name).toBeNull();
        expect(stranger, name).toBeNull();
      }
      walked += 1;
    }
    expect(walked).toBe(18);
  });

  it('shows an API key only to those who may list keys, as apiKeys does', async () => {
    const member = await signIn(api.url, 'andrew@northwind.example');
    const northwind = await organizationId(api.url, tokens.admin, 'northwind');
    const readKey = await createOrgApiKey(api.url, tokens.admin, northwind, ['tickets:read']);
    const keys = ok(await gql(api.url, '{ apiKeys(first: 100) { nodes { id prefix } } }', {}, tokens.admin)).data!.apiKeys.nodes;
    const id = keys.find((node: { prefix: string }) => readKey.startsWith(`td_${node.prefix}_`)).id;
    expect(await read(id, tokens.admin)).toMatchObject({ id });
    expect(await read(id, await signIn(api.url, 'nancy@northwind.example'))).toMatchObject({ id });
    // A member and a tickets:read key are refused by apiKeys, so node(id:) gives them nothing either.
    expect((await gql(api.url, '{ apiKeys { totalCount } }', {}, member)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await read(id, member)).toBeNull();
    expect(await read(id, readKey)).toBeNull();
  });

  it("keeps a notification its recipient's: another staff member gets null", async () => {
    expect(await read(samples.Notification!.id, tokens.admin)).toBeNull();
    expect(await read(samples.Notification!.id, tokens.agent)).toEqual({ __typename: 'Notification', id: samples.Notification!.id });
  });
});
