import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgApiKey, gql, organizationId, signIn } from '../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../test/support/api.js';
import { seededRandom } from '../../../test/support/random.js';

/**
 * Hostile input for every argument of every query and mutation of the committed schema, as each kind of caller:
 * nothing may answer with a 5xx or an INTERNAL_SERVER_ERROR. The values come from a seeded generator, so a failure
 * names its seed and repeats; FUZZ_ROUNDS raises the count for a longer run.
 */
const SCHEMA: GraphQLSchema = buildSchema(readFileSync(resolve(import.meta.dirname, '../../../schema/schema.graphql'), 'utf8'));
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 1);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);

/** Ids the callers may or may not own: another tenant's, another type's, malformed. Filled in `beforeAll`. */
const ids: string[] = [
  '',
  'not-an-id',
  Buffer.from('Ticket:not-a-uuid').toString('base64url'),
  Buffer.from('Nope:00000000-0000-0000-0000-000000000000').toString('base64url'),
];

/** A value of the right shape, so that the hostile one is what the server has to deal with. */
function plausible(type: GraphQLInputType, pick: () => number, depth = 0): unknown {
  if (isNonNullType(type)) return plausible(type.ofType, pick, depth);
  if (isListType(type)) return depth > 3 ? [] : [plausible(type.ofType, pick, depth + 1)];
  if (isEnumType(type)) {
    const values = type.getValues();
    return values[Math.floor(pick() * values.length)]!.value;
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    return Object.fromEntries(
      fields
        .filter((field) => isNonNullType(field.type) || pick() < 0.5)
        .map((field) => [field.name, plausible(field.type, pick, depth + 1)]),
    );
  }
  switch (type.name) {
    case 'ID':
      return ids[Math.floor(pick() * ids.length)];
    case 'Int':
      return 1 + Math.floor(pick() * 20);
    case 'Float':
      return pick() * 100;
    case 'Boolean':
      return pick() < 0.5;
    case 'DateTime':
      return new Date(Date.UTC(2026, 10, 1 + Math.floor(pick() * 28))).toISOString();
    case 'JSONObject':
      return {};
    default:
      return 'fuzz';
  }
}

/**
 * A family of wrong values, applied to every argument and input field of one request at once, so each family
 * reaches every column an operation writes: a NUL in a subject as much as in a name.
 */
const THEMES = ['nul', 'control', 'surrogate', 'long', 'injection', 'empty', 'null', 'types', 'huge', 'ids'] as const;
type Theme = (typeof THEMES)[number];

const STRING_OF: Partial<Record<Theme, () => string>> = {
  nul: () => 'a\u0000b',
  control: () => '\u0007\u001b[31m\u007f\u0008',
  surrogate: () => 'x\uD83Dy',
  long: () => 'x'.repeat(100_000),
  injection: () => '\'; drop table ticket; -- {"$ne": null} ../../etc/passwd <script>alert(1)</script> %s%n',
  empty: () => '',
  huge: () => '😀'.repeat(2_000),
};
const NUMBER_OF: Partial<Record<Theme, number>> = { long: 2_147_483_648, injection: -1, empty: 0, huge: 1e308 };

function themed(type: GraphQLInputType, theme: Theme, pick: () => number, depth = 0): unknown {
  if (theme === 'null') return null;
  if (isNonNullType(type)) return themed(type.ofType, theme, pick, depth);
  if (isListType(type)) return theme === 'empty' || depth > 3 ? [] : [themed(type.ofType, theme, pick, depth + 1)];
  if (isEnumType(type)) return theme === 'types' ? 'NOT_A_VALUE' : plausible(type, pick);
  if (isInputObjectType(type)) {
    if (theme === 'types') return 'not an object';
    return Object.fromEntries(Object.values(type.getFields()).map((field) => [field.name, themed(field.type, theme, pick, depth + 1)]));
  }
  if (theme === 'types') return type.name === 'String' || type.name === 'ID' ? 12345 : 'twelve';
  switch (type.name) {
    case 'ID':
      return theme === 'ids' ? ids[Math.floor(pick() * ids.length)] : (STRING_OF[theme]?.() ?? plausible(type, pick));
    case 'Int':
    case 'Float':
      return NUMBER_OF[theme] ?? plausible(type, pick);
    case 'DateTime':
      return theme === 'huge' ? '275760-09-13T00:00:00.001Z' : theme === 'injection' ? '2026-13-45T99:99:99Z' : plausible(type, pick);
    case 'String':
      return STRING_OF[theme]?.() ?? plausible(type, pick);
    default:
      return plausible(type, pick);
  }
}

/** The least selection that makes the operation valid: `__typename`, or a scalar's own value. */
function selectionOf(field: GraphQLField<unknown, unknown>): string {
  return isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
}

function operation(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  const declarations = field.args.map((arg, index) => `$a${index}: ${arg.type.toString()}`).join(', ');
  const passed = field.args.map((arg, index) => `${arg.name}: $a${index}`).join(', ');
  return `${kind}${declarations ? `(${declarations})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selectionOf(field)} }`;
}

let api: TestApi;
const callers: Record<string, string | undefined> = {};

beforeAll(async () => {
  // The fuzzing customer sends hundreds of requests a minute: its budget would answer 429 instead of the operation.
  api = await startTestApi({ env: { CUSTOMER_REQUESTS_PER_MINUTE: '100000' } });
  const admin = await signIn(api.url, 'admin@tierdesk.example');
  const staffKey = await gql(api.url, 'mutation { createApiKey(input: { name: "fuzz", staffRole: ADMIN }) { secret } }', {}, admin);
  callers.staff = staffKey.data!.createApiKey.secret as string;
  callers.partner = await createOrgApiKey(api.url, admin, await organizationId(api.url, admin, 'northwind'), [
    'tickets:read',
    'tickets:write',
    'organization:read',
    'apikeys:manage',
  ]);
  callers.customer = await signIn(api.url, 'ada@initech.example');
  callers.anonymous = undefined;
  const foreign = await gql(api.url, '{ tickets(first: 3) { nodes { id requester { id } organization { id } } } }', {}, callers.partner);
  for (const ticket of foreign.data!.tickets.nodes) ids.push(ticket.id, ticket.requester.id, ticket.organization.id);
});
afterAll(async () => api?.stop());

const ROOTS = [
  ['query', SCHEMA.getQueryType()!],
  ['mutation', SCHEMA.getMutationType()!],
] as const;

describe('hostile input across the schema', () => {
  // signOut would end the customer's own session halfway through the run; it has no arguments to fuzz.
  const fields = ROOTS.flatMap(([kind, root]) =>
    Object.values(root.getFields())
      .filter((field) => field.name !== 'signOut')
      .map((field) => ({ kind, field })),
  );

  it('covers every operation of the committed schema', () => {
    const all = ROOTS.reduce((count, [, root]) => count + Object.keys(root.getFields()).length, 0);
    // 84 operations today: a new one is fuzzed without a change here, and this figure moves on purpose.
    expect(all).toBe(84);
    expect(fields).toHaveLength(all - 1);
  });

  for (const caller of ['anonymous', 'customer', 'partner', 'staff'] as const) {
    it(`answers every request as ${caller} without an internal error`, async () => {
      const pick = seededRandom(SEED + caller.length);
      const internal: string[] = [];
      let sent = 0;
      const requests = Array.from({ length: ROUNDS }, () =>
        fields.flatMap(({ kind, field }) => THEMES.map((theme) => ({ kind, field, theme }))),
      ).flat();
      // Four at a time, as concurrent clients would: the order of the generator's draws stays fixed.
      const planned = requests.map(({ kind, field, theme }) => ({
        field,
        theme,
        query: operation(kind, field),
        variables: Object.fromEntries(field.args.map((arg, index) => [`a${index}`, themed(arg.type, theme, pick)])),
      }));
      for (let start = 0; start < planned.length; start += 4) {
        await Promise.all(
          planned.slice(start, start + 4).map(async ({ field, theme, query, variables }) => {
            const result = await gql(api.url, query, variables, callers[caller]);
            sent += 1;
            const codes = (result.errors ?? []).map((error) => error.extensions?.code);
            if (result.status >= 500 || codes.includes('INTERNAL_SERVER_ERROR')) {
              internal.push(
                `${result.status} ${field.name} ${theme} ${JSON.stringify(variables).slice(0, 300)} → ${JSON.stringify(result.errors).slice(0, 300)}`,
              );
            }
          }),
        );
      }
      console.log(`fuzz as ${caller}: ${sent} requests, ${internal.length} internal errors (seed ${SEED}, ${ROUNDS} rounds)`);
      expect(internal).toEqual([]);
      expect(sent).toBe(fields.length * THEMES.length * ROUNDS);
    }, 300_000);
  }
});
