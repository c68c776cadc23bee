import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../shared/clock.js';
import { createOrgApiKey, gql, organizationId, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';

let api: TestApi;
const clock = new FixedClock(new Date());

beforeAll(async () => {
  api = await startTestApi({ clock });
});
afterAll(async () => api?.stop());

const SIGN_IN =
  'mutation($input: SignInInput!) { signIn(input: $input) { token viewer { kind user { name role } organization { slug } } userErrors { field code message } } }';

describe('signing in', () => {
  it('exchanges a correct password for a session that identifies the customer', async () => {
    const result = await gql(api.url, SIGN_IN, { input: { email: '  Ada@Initech.example ', password: 'tierdesk-demo' } });
    expect(result.data?.signIn).toMatchObject({
      token: expect.stringMatching(/^tds_/),
      viewer: { kind: 'CUSTOMER', user: { name: 'Ada Lovelace', role: 'CUSTOMER_ADMIN' }, organization: { slug: 'initech' } },
      userErrors: [],
    });
    const viewer = await gql(api.url, '{ viewer { kind user { email } } }', {}, result.data!.signIn.token);
    expect(viewer.data?.viewer).toEqual({ kind: 'CUSTOMER', user: { email: 'ada@initech.example' } });
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const wrong = await gql(api.url, SIGN_IN, { input: { email: 'ada@initech.example', password: 'nope' } });
    const unknown = await gql(api.url, SIGN_IN, { input: { email: 'nobody@initech.example', password: 'nope' } });
    expect(wrong.data?.signIn).toEqual({
      token: null,
      viewer: null,
      userErrors: [{ field: ['input', 'password'], code: 'INVALID_CREDENTIALS', message: 'The email or password is not correct.' }],
    });
    expect(unknown.data?.signIn).toEqual(wrong.data?.signIn);
    const empty = await gql(api.url, SIGN_IN, { input: { email: '', password: 'x' } });
    expect(empty.data?.signIn.userErrors[0]).toMatchObject({ field: ['input', 'email'], code: 'BAD_USER_INPUT' });
  });

  it('ends sessions on sign-out and on expiry', async () => {
    const token = await signIn(api.url, 'peter@initech.example');
    expect((await gql(api.url, 'mutation { signOut { signedOut } }', {}, token)).data?.signOut.signedOut).toBe(true);
    const after = await gql(api.url, '{ viewer { kind } }', {}, token);
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const staffToken = await signIn(api.url, 'agent@tierdesk.example');
    expect((await gql(api.url, 'mutation { signOut { signedOut } }', {}, staffToken)).data?.signOut.signedOut).toBe(true);
    expect((await gql(api.url, '{ viewer { kind } }', {}, staffToken)).status).toBe(401);

    const expiring = await signIn(api.url, 'peter@initech.example');
    clock.advance(8 * 24 * 3_600_000);
    const expired = await gql(api.url, '{ viewer { kind } }', {}, expiring);
    clock.set(new Date());
    expect(expired.errors?.[0]?.message).toMatch(/expired/);
  });
});

describe('API keys', () => {
  it('are shown once, stored hashed, scoped, revocable, and report when they were last used', async () => {
    const ada = await signIn(api.url, 'ada@initech.example');
    const create = await gql(
      api.url,
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id prefix scopes lastUsedAt } userErrors { code } } }',
      {
        input: { name: 'CRM sync', scopes: ['tickets:read'] },
      },
      ada,
    );
    const { secret, apiKey } = create.data!.createApiKey;
    expect(secret).toMatch(new RegExp(`^td_${apiKey.prefix}_`));
    expect(apiKey).toMatchObject({ scopes: ['tickets:read'], lastUsedAt: null });
    const stored = await api.orm.em.getConnection().execute('select secret_hash from api_key where prefix = ?', [apiKey.prefix]);
    expect(stored[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    // The secret part may itself contain '_' (base64url), so cut at the known prefix rather than split.
    expect(JSON.stringify(stored)).not.toContain(secret.slice(`td_${apiKey.prefix}_`.length));

    expect((await gql(api.url, '{ tickets(first: 1) { totalCount } }', {}, secret)).data?.tickets.totalCount).toBeGreaterThan(0);
    const listed = await gql(api.url, '{ apiKeys { nodes { prefix lastUsedAt } } }', {}, ada);
    expect(listed.data?.apiKeys.nodes).toContainEqual({ prefix: apiKey.prefix, lastUsedAt: expect.any(String) });

    const write = await gql(
      api.url,
      'mutation { createTicket(input: { subject: "s", description: "d", priority: LOW }) { ticket { id } } }',
      {},
      secret,
    );
    expect(write.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requires: expect.stringContaining('tickets:write') });

    const revoke = await gql(
      api.url,
      'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { revokedAt } userErrors { code } } }',
      { input: { id: apiKey.id } },
      ada,
    );
    expect(revoke.data?.revokeApiKey.apiKey.revokedAt).toEqual(expect.any(String));
    const again = await gql(
      api.url,
      'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { userErrors { code } } }',
      { input: { id: apiKey.id } },
      ada,
    );
    expect(again.data?.revokeApiKey.userErrors[0].code).toBe('CONFLICT');
    const refused = await gql(api.url, '{ tickets { totalCount } }', {}, secret);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_REVOKED' });
  });

  it('refuses unknown scopes, members, and staff keys from customers', async () => {
    const ada = await signIn(api.url, 'ada@initech.example');
    const bad = await gql(
      api.url,
      'mutation { createApiKey(input: { name: "x", scopes: ["tickets:delete"] }) { userErrors { field code message } } }',
      {},
      ada,
    );
    expect(bad.data?.createApiKey.userErrors[0]).toMatchObject({ field: ['input', 'scopes'], code: 'BAD_USER_INPUT' });
    const staffKey = await gql(
      api.url,
      'mutation { createApiKey(input: { name: "x", staffRole: ADMIN }) { userErrors { code } } }',
      {},
      ada,
    );
    expect(staffKey.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const peter = await signIn(api.url, 'peter@initech.example');
    const member = await gql(api.url, 'mutation { createApiKey(input: { name: "x", scopes: ["tickets:read"] }) { secret } }', {}, peter);
    expect(member.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lets a key grant only the scopes it holds itself', async () => {
    const staff = await signIn(api.url, 'admin@tierdesk.example');
    const initech = await organizationId(api.url, staff, 'initech');
    const manager = await createOrgApiKey(api.url, staff, initech, ['apikeys:manage']);
    const keysOfInitech = async () => (await gql(api.url, '{ apiKeys { totalCount } }', {}, manager)).data?.apiKeys.totalCount as number;
    const before = await keysOfInitech();
    const escalated = await gql(
      api.url,
      'mutation { createApiKey(input: { name: "wider", scopes: ["apikeys:manage", "tickets:read", "tickets:write"] }) { secret } }',
      {},
      manager,
    );
    expect(escalated.errors?.[0]?.message).toBe('This key cannot grant scopes it does not hold: tickets:read, tickets:write.');
    expect(escalated.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await keysOfInitech()).toBe(before);
    const same = await gql(
      api.url,
      'mutation { createApiKey(input: { name: "peer", scopes: ["apikeys:manage"] }) { secret } }',
      {},
      manager,
    );
    expect(same.data?.createApiKey.secret).toMatch(/^td_/);
    expect(await keysOfInitech()).toBe(before + 1);
  });

  it('spends the API budget of the tier and then answers 429 with Retry-After', async () => {
    const admin = await signIn(api.url, 'admin@tierdesk.example');
    const piedpiper = await organizationId(api.url, admin, 'piedpiper');
    const key = await createOrgApiKey(api.url, admin, piedpiper, ['tickets:read']);
    const statuses: number[] = [];
    for (let i = 0; i < 61; i += 1) statuses.push((await gql(api.url, '{ viewer { kind } }', {}, key)).status);
    expect(statuses.slice(0, 60).every((status) => status === 200)).toBe(true);
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: '{"query":"{ viewer { kind } }"}',
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
  });
});

describe('organizations and tiers (staff admin)', () => {
  it('changes a tier with history, and the entitlements follow at once', async () => {
    const admin = await signIn(api.url, 'admin@tierdesk.example');
    const initech = await organizationId(api.url, admin, 'initech');
    const change =
      'mutation($input: ChangeOrganizationTierInput!) { changeOrganizationTier(input: $input) { organization { tier { key } entitlements { allowedPriorities } tierHistory { fromTier { key } toTier { key } reason } } userErrors { code field } } }';
    const result = await gql(
      api.url,
      change,
      { input: { organizationId: initech, tierKey: 'business', reason: 'Signed the Business order form' } },
      admin,
    );
    expect(result.data?.changeOrganizationTier.organization).toMatchObject({
      tier: { key: 'business' },
      entitlements: { allowedPriorities: ['LOW', 'NORMAL', 'HIGH', 'URGENT'] },
      tierHistory: [
        { fromTier: { key: 'growth' }, toTier: { key: 'business' }, reason: 'Signed the Business order form' },
        { fromTier: null, toTier: { key: 'growth' } },
      ],
    });
    const ada = await signIn(api.url, 'ada@initech.example');
    const urgent = await gql(
      api.url,
      'mutation { createTicket(input: { subject: "s", description: "d", priority: URGENT }) { ticket { priority } } }',
      {},
      ada,
    );
    expect(urgent.data?.createTicket.ticket.priority).toBe('URGENT');
    const same = await gql(api.url, change, { input: { organizationId: initech, tierKey: 'business', reason: 'again' } }, admin);
    expect(same.data?.changeOrganizationTier.userErrors[0].code).toBe('CONFLICT');
    const unknown = await gql(api.url, change, { input: { organizationId: initech, tierKey: 'platinum', reason: 'x' } }, admin);
    expect(unknown.data?.changeOrganizationTier.userErrors[0]).toMatchObject({ field: ['input', 'tierKey'] });
    await gql(
      api.url,
      change,
      { input: { organizationId: initech, tierKey: 'growth', reason: 'Back to Growth for the next test' } },
      admin,
    );
  });

  it('applies a contract override for its period only, validated against the feature type', async () => {
    const admin = await signIn(api.url, 'admin@tierdesk.example');
    const piedpiper = await organizationId(api.url, admin, 'piedpiper');
    const set =
      'mutation($input: SetEntitlementOverrideInput!) { setEntitlementOverride(input: $input) { entitlement { feature source values effectiveUntil } organization { entitlements { allowedPriorities } } userErrors { field code message } } }';
    const until = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const ok = await gql(
      api.url,
      set,
      {
        input: {
          organizationId: piedpiper,
          feature: 'tickets.priorities',
          values: ['LOW', 'NORMAL', 'HIGH'],
          effectiveUntil: until,
          reason: 'Launch-week exception',
        },
      },
      admin,
    );
    expect(ok.data?.setEntitlementOverride).toMatchObject({
      entitlement: { feature: 'tickets.priorities', source: 'OVERRIDE', values: ['LOW', 'NORMAL', 'HIGH'], effectiveUntil: until },
      organization: { entitlements: { allowedPriorities: ['LOW', 'NORMAL', 'HIGH'] } },
    });
    clock.advance(2 * 3_600_000);
    const later = await gql(api.url, '{ organization(slug: "piedpiper") { entitlements { allowedPriorities } } }', {}, admin);
    clock.set(new Date());
    expect(later.data?.organization.entitlements.allowedPriorities).toEqual(['LOW', 'NORMAL']);

    const wrongType = await gql(
      api.url,
      set,
      { input: { organizationId: piedpiper, feature: 'tickets.priorities', values: ['SOMEDAY'], reason: 'x' } },
      admin,
    );
    expect(wrongType.data?.setEntitlementOverride.userErrors[0]).toMatchObject({ field: ['input', 'value'], code: 'BAD_USER_INPUT' });
    const unknown = await gql(
      api.url,
      set,
      { input: { organizationId: piedpiper, feature: 'coffee.machine', enabled: true, reason: 'x' } },
      admin,
    );
    expect(unknown.data?.setEntitlementOverride.userErrors[0]).toMatchObject({ field: ['input', 'feature'] });
    const backwards = await gql(
      api.url,
      set,
      {
        input: {
          organizationId: piedpiper,
          feature: 'kb.premium',
          enabled: true,
          effectiveFrom: until,
          effectiveUntil: new Date(0).toISOString(),
          reason: 'x',
        },
      },
      admin,
    );
    expect(backwards.data?.setEntitlementOverride.userErrors[0]).toMatchObject({ field: ['input', 'effectiveUntil'] });
  });

  it('creates organizations with validated fields and suggests tiers from their figures', async () => {
    const admin = await signIn(api.url, 'admin@tierdesk.example');
    const create =
      'mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { slug tier { key } suggestedTier { tier { key } differsFromCurrent checks { criterion met } } } userErrors { field code } } }';
    const input = {
      slug: 'hooli',
      name: 'Hooli',
      region: 'us-west',
      timeZone: 'America/Los_Angeles',
      tierKey: 'community',
      contractValue: 80_000,
      monthlyUsage: 5_000,
    };
    const created = await gql(api.url, create, { input }, admin);
    expect(created.data?.createOrganization.organization).toMatchObject({
      slug: 'hooli',
      tier: { key: 'community' },
      suggestedTier: { tier: { key: 'business' }, differsFromCurrent: true },
    });
    expect((await gql(api.url, create, { input }, admin)).data?.createOrganization.userErrors[0]).toMatchObject({
      field: ['input', 'slug'],
      code: 'CONFLICT',
    });
    expect(
      (await gql(api.url, create, { input: { ...input, slug: 'Bad Slug!' } }, admin)).data?.createOrganization.userErrors[0].field,
    ).toEqual(['input', 'slug']);
    expect(
      (await gql(api.url, create, { input: { ...input, slug: 'hooli2', timeZone: 'Mars/Base' } }, admin)).data?.createOrganization
        .userErrors[0].field,
    ).toEqual(['input', 'timeZone']);
    expect(
      (await gql(api.url, create, { input: { ...input, slug: 'hooli3', contractValue: -1 } }, admin)).data?.createOrganization.userErrors[0]
        .field,
    ).toEqual(['input', 'contractValue']);
  });
});
