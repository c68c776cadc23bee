import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signIn } from '../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../test/support/api.js';

let api: TestApi;
let admin: string;
let agent: string;
let ada: string;

beforeAll(async () => {
  api = await startTestApi();
  [admin, agent, ada] = await Promise.all([
    signIn(api.url, 'admin@tierdesk.example'),
    signIn(api.url, 'agent@tierdesk.example'),
    signIn(api.url, 'ada@initech.example'),
  ]);
});
afterAll(async () => api?.stop());

/** Rows of a table, read past every tenant filter: a refusal must leave them as they were. */
async function rowsOf(table: string): Promise<number> {
  const [row] = await api.system('test').em.getConnection().execute<{ count: string }[]>(`select count(*) from ${table}`);
  return Number(row!.count);
}

const NUL = 'a\u0000b';
const LONE_HIGH = 'x\uD83Dy';
const LONE_LOW = '\uDE00';

/** Each operation the attack run found answering 500 on a NUL byte, with the caller it used and the table it writes. */
const TEXT_ATTACKS: {
  name: string;
  token: () => string | undefined;
  query: string;
  variables: (text: string) => Record<string, unknown>;
  table: string;
}[] = [
  {
    name: 'signIn email (anonymous)',
    token: () => undefined,
    query: 'mutation($input: SignInInput!) { signIn(input: $input) { token } }',
    variables: (text) => ({ input: { email: text, password: 'x' } }),
    table: 'session',
  },
  {
    name: 'organization slug',
    token: () => admin,
    query: 'query($slug: String!) { organization(slug: $slug) { id } }',
    variables: (text) => ({ slug: text }),
    table: 'organization',
  },
  {
    name: 'createTicket subject',
    token: () => ada,
    query: 'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }',
    variables: (text) => ({ input: { subject: text, description: 'd', priority: 'LOW' } }),
    table: 'ticket',
  },
  {
    name: 'addComment body',
    token: () => agent,
    query: 'mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }',
    variables: (text) => ({ input: { ticketId: 'VGlja2V0OjA', body: text } }),
    table: 'ticket_comment',
  },
  {
    name: 'createApiKey name',
    token: () => ada,
    query: 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }',
    variables: (text) => ({ input: { name: text, scopes: ['tickets:read'] } }),
    table: 'api_key',
  },
  {
    name: 'createTeam name',
    token: () => admin,
    query: 'mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { id } } }',
    variables: (text) => ({ input: { name: text, memberIds: [] } }),
    table: 'team',
  },
];

describe('text no field can store', () => {
  for (const attack of TEXT_ATTACKS) {
    for (const [label, text] of [
      ['a NUL byte', NUL],
      ['an unpaired high surrogate', LONE_HIGH],
      ['an unpaired low surrogate', LONE_LOW],
    ] as const) {
      it(`refuses ${label} in ${attack.name} with BAD_USER_INPUT, writing nothing`, async () => {
        const before = await rowsOf(attack.table);
        const result = await gql(api.url, attack.query, attack.variables(text), attack.token());
        expect(result.status).toBe(400);
        expect(result.data).toBeNull();
        expect(result.errors).toHaveLength(1);
        expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_TEXT' });
        expect(result.errors![0]!.message).toMatch(/^Text may not contain NUL characters or unpaired UTF-16 surrogates \(at variables\./);
        expect(await rowsOf(attack.table)).toBe(before);
      });
    }
  }

  it('refuses the same text written into the document itself', async () => {
    const result = await gql(api.url, `mutation { signIn(input: { email: "a\\u0000b", password: "x" }) { token } }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_TEXT' });
    expect(result.errors?.[0]?.message).toContain('in a string of the document');
  });

  it('keeps text with paired surrogates (emoji) and other control characters', async () => {
    const result = await gql(
      api.url,
      'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { subject } userErrors { code } } }',
      { input: { subject: 'Checkout broken 😀\ttab', description: 'line\u0001one', priority: 'LOW' } },
      ada,
    );
    expect(result.data?.createTicket).toEqual({ ticket: { subject: 'Checkout broken 😀\ttab' }, userErrors: [] });
  });
});

describe('races on a unique key', () => {
  it('creates one of three teams with the same name sent at once; the others are CONFLICTs naming the field', async () => {
    const teams = await rowsOf('team');
    const create = () =>
      gql(
        api.url,
        'mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { name } userErrors { field code message } } }',
        { input: { name: 'Night shift', memberIds: [] } },
        admin,
      );
    const results = await Promise.all([create(), create(), create()]);
    expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
    const payloads = results.map((result) => result.data!.createTeam);
    expect(payloads.filter((payload) => payload.team?.name === 'Night shift')).toHaveLength(1);
    const refused = payloads.filter((payload) => payload.team === null);
    expect(refused).toHaveLength(2);
    for (const payload of refused) expect(payload.userErrors).toMatchObject([{ field: ['input', 'name'], code: 'CONFLICT' }]);
    expect(await rowsOf('team')).toBe(teams + 1);
  });

  it('trains one model when three retrains are sent at once; the others are CONFLICTs', async () => {
    const [ticket] = await api.system('test').em.getConnection().execute<{ id: string }[]>(`select id from ticket order by number limit 1`);
    const corrected = await gql(
      api.url,
      'mutation($input: CorrectTriageInput!) { correctTriage(input: $input) { userErrors { code } } }',
      { input: { ticketId: Buffer.from(`Ticket:${ticket!.id}`).toString('base64url'), domain: 'BILLING', note: 'race' } },
      agent,
    );
    expect(corrected.data?.correctTriage.userErrors).toEqual([]);
    const models = await rowsOf('classifier_model');
    const retrain = () => gql(api.url, 'mutation { retrainClassifier { classifier { version } userErrors { code } } }', {}, admin);
    const results = await Promise.all([retrain(), retrain(), retrain()]);
    expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
    const payloads = results.map((result) => result.data!.retrainClassifier);
    expect(payloads.filter((payload) => payload.classifier)).toHaveLength(1);
    expect(payloads.filter((payload) => !payload.classifier).map((payload) => payload.userErrors)).toEqual([
      [{ code: 'CONFLICT' }],
      [{ code: 'CONFLICT' }],
    ]);
    expect(await rowsOf('classifier_model')).toBe(models + 1);
  });
});
