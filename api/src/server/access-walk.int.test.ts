import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, type AccessRule } from '../shared/access.js';
import type { Principal } from '../shared/principal.js';
import { API_KEYS_RULE } from '../modules/identity/index.js';
import { MACROS_READ } from '../modules/macros/index.js';
import { TICKETS_READ } from '../modules/tickets/index.js';
import { readGuardedFields } from './access.js';
import { tierdeskSchema } from './schema.js';
import { createOrgApiKey, gql, organizationId, signIn } from '../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../test/support/api.js';

/**
 * The access walk: every type with a read rule, read by every path (its query, `node(id:)`, a mutation's payload),
 * as every kind of caller, gives the answer of its rule: data when the rule allows the caller, a refusal (or null
 * from `node`) when it does not.
 */
let api: TestApi;
interface Caller {
  name: string;
  token: string | undefined;
  principal: Principal;
}
const callers: Caller[] = [];
let ticketId: string;
let commentId: string;
let apiKeyId: string;
let macroId: string;
let escalationId: string;

beforeAll(async () => {
  api = await startTestApi();
  const admin = await signIn(api.url, 'admin@tierdesk.example');
  const initech = await organizationId(api.url, admin, 'initech');
  const org = 'initech-org';
  const key = async (scope: string) => createOrgApiKey(api.url, admin, initech, [scope]);
  callers.push(
    { name: 'anonymous', token: undefined, principal: { kind: 'anonymous' } },
    {
      name: 'customer member',
      token: await signIn(api.url, 'peter@initech.example'),
      principal: { kind: 'customer', userId: 'u', organizationId: org, role: 'MEMBER', sessionId: 's' },
    },
    {
      name: 'customer admin',
      token: await signIn(api.url, 'ada@initech.example'),
      principal: { kind: 'customer', userId: 'u', organizationId: org, role: 'ADMIN', sessionId: 's' },
    },
    ...(await Promise.all(
      (['tickets:read', 'tickets:write', 'organization:read', 'apikeys:manage'] as const).map(async (scope) => ({
        name: `key with ${scope}`,
        token: await key(scope),
        principal: { kind: 'partner', apiKeyId: 'k', organizationId: org, scopes: [scope] } as Principal,
      })),
    )),
    {
      name: 'staff agent',
      token: await signIn(api.url, 'agent@tierdesk.example'),
      principal: { kind: 'staff', role: 'AGENT', userId: 'u', apiKeyId: null },
    },
    { name: 'staff admin', token: admin, principal: { kind: 'staff', role: 'ADMIN', userId: 'u', apiKeyId: null } },
  );
  const tickets = await gql(
    api.url,
    'query($org: ID!) { tickets(first: 1, filter: { organizationId: $org }) { nodes { id } } }',
    { org: initech },
    admin,
  );
  ticketId = tickets.data!.tickets.nodes[0].id;
  const comment = await gql(
    api.url,
    'mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }',
    { input: { ticketId, body: 'Walk' } },
    admin,
  );
  commentId = comment.data!.addComment.comment.id;
  const escalation = await gql(
    api.url,
    'mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) { escalation { id } } }',
    { input: { ticketId, reason: 'Walk' } },
    admin,
  );
  escalationId = escalation.data!.escalateTicket.escalation.id;
  const keys = await gql(
    api.url,
    '{ apiKeys(first: 1) { nodes { id } } }',
    {},
    callers.find((caller) => caller.name === 'customer admin')!.token,
  );
  apiKeyId = keys.data!.apiKeys.nodes[0].id;
  macroId = (await gql(api.url, '{ macros(first: 1) { nodes { id } } }', {}, admin)).data!.macros.nodes[0].id;
});
afterAll(async () => api?.stop());

interface Path {
  name: string;
  /** The operation's own rule: a caller it refuses never reaches the type, so the path says nothing about it. */
  operation: AccessRule;
  send(token: string | undefined): Promise<{ readable: boolean; errors: string[] }>;
}

async function read(query: string, variables: Record<string, unknown>, token: string | undefined, pick: (data: any) => unknown) {
  const result = await gql(api.url, query, variables, token);
  const errors = (result.errors ?? []).map((error) => String(error.extensions?.code));
  const value = result.data ? pick(result.data) : null;
  return { readable: value !== null && value !== undefined, errors };
}

const PATHS: { type: string; rule: AccessRule; paths: Path[] }[] = [
  {
    type: 'Ticket',
    rule: TICKETS_READ,
    paths: [
      {
        name: 'ticket(id:)',
        operation: TICKETS_READ,
        send: (token) => read('query($id: ID!) { ticket(id: $id) { subject } }', { id: ticketId }, token, (data) => data.ticket?.subject),
      },
      {
        name: 'node(id:)',
        operation: TICKETS_READ,
        send: (token) =>
          read('query($id: ID!) { node(id: $id) { ... on Ticket { subject } } }', { id: ticketId }, token, (data) => data.node?.subject),
      },
      {
        name: "its escalation's ticket, by node(id:)",
        operation: TICKETS_READ,
        send: (token) =>
          read(
            'query($id: ID!) { node(id: $id) { ... on Escalation { ticket { subject } } } }',
            { id: escalationId },
            token,
            (data) => data.node?.ticket?.subject,
          ),
      },
      {
        name: 'addComment payload',
        operation: { customer: 'MEMBER', partner: 'tickets:write', staff: 'ANY' },
        send: (token) =>
          read(
            'mutation($input: AddCommentInput!) { addComment(input: $input) { ticket { subject } } }',
            { input: { ticketId, body: 'Walk reply' } },
            token,
            (data) => data.addComment?.ticket?.subject,
          ),
      },
    ],
  },
  {
    type: 'Comment',
    rule: TICKETS_READ,
    paths: [
      {
        name: 'node(id:)',
        operation: TICKETS_READ,
        send: (token) =>
          read('query($id: ID!) { node(id: $id) { ... on Comment { body } } }', { id: commentId }, token, (data) => data.node?.body),
      },
      {
        name: 'addComment payload',
        operation: { customer: 'MEMBER', partner: 'tickets:write', staff: 'ANY' },
        send: (token) =>
          read(
            'mutation($input: AddCommentInput!) { addComment(input: $input) { comment { body } } }',
            { input: { ticketId, body: 'Walk reply' } },
            token,
            (data) => data.addComment?.comment?.body,
          ),
      },
    ],
  },
  {
    type: 'ApiKey',
    rule: API_KEYS_RULE,
    paths: [
      {
        name: 'apiKeys',
        operation: API_KEYS_RULE,
        send: (token) => read('{ apiKeys(first: 5) { nodes { name } } }', {}, token, (data) => data.apiKeys?.nodes?.[0]?.name),
      },
      {
        name: 'node(id:)',
        operation: TICKETS_READ,
        send: (token) =>
          read('query($id: ID!) { node(id: $id) { ... on ApiKey { name } } }', { id: apiKeyId }, token, (data) => data.node?.name),
      },
    ],
  },
  {
    type: 'Macro',
    rule: MACROS_READ,
    paths: [
      {
        name: 'macros',
        operation: MACROS_READ,
        send: (token) => read('{ macros(first: 1) { nodes { title } } }', {}, token, (data) => data.macros?.nodes?.[0]?.title),
      },
      {
        name: 'node(id:)',
        operation: TICKETS_READ,
        send: (token) =>
          read('query($id: ID!) { node(id: $id) { ... on Macro { title } } }', { id: macroId }, token, (data) => data.node?.title),
      },
      {
        name: 'renderMacro',
        operation: MACROS_READ,
        send: (token) =>
          read(
            'query($macroId: ID!, $ticketId: ID!) { renderMacro(macroId: $macroId, ticketId: $ticketId) { macro { title } } }',
            { macroId, ticketId },
            token,
            (data) => data.renderMacro?.macro?.title,
          ),
      },
      {
        name: 'updateMacro payload',
        operation: { staff: ['SPECIALIST', 'ADMIN'] },
        send: (token) =>
          read(
            'mutation($input: UpdateMacroInput!) { updateMacro(input: $input) { macro { title } } }',
            { input: { id: macroId, active: true } },
            token,
            (data) => data.updateMacro?.macro?.title,
          ),
      },
    ],
  },
];

describe('the access walk', () => {
  it('guards every field, at any depth, that returns a type with a read rule', async () => {
    const fields = readGuardedFields(await tierdeskSchema());
    expect(fields.filter((field) => !field.guarded)).toEqual([]);
    // The paths the attack run found leaking are among them.
    expect(fields.map((field) => field.field)).toEqual(
      expect.arrayContaining(['AddCommentPayload.comment', 'AddCommentPayload.ticket', 'CreateApiKeyPayload.apiKey', 'Query.ticket']),
    );
    expect(new Set(fields.map((field) => field.type))).toEqual(new Set(PATHS.map((entry) => entry.type)));
  });

  for (const { type, rule, paths } of PATHS) {
    it(`answers ${type} by its rule on every path, for every kind of caller`, async () => {
      const answers: string[] = [];
      const expected: string[] = [];
      for (const caller of callers) {
        for (const path of paths) {
          if (!allows(path.operation, caller.principal)) continue;
          const { readable, errors } = await path.send(caller.token);
          answers.push(`${caller.name} via ${path.name}: ${readable ? 'reads' : `refused ${errors.join(',') || '(null)'}`}`);
          const refusal = path.name === 'node(id:)' ? '(null)' : caller.principal.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
          expected.push(`${caller.name} via ${path.name}: ${allows(rule, caller.principal) ? 'reads' : `refused ${refusal}`}`);
        }
      }
      expect(answers).toEqual(expected);
      // Both answers occur: the walk ran over callers the rule allows and callers it refuses.
      expect(expected.some((line) => line.endsWith('reads'))).toBe(true);
      expect(expected.some((line) => line.includes('refused'))).toBe(true);
    });
  }
});
