import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { boot, type Api } from '../main.js';
import { DEMO_PASSWORD } from '../db/seed.js';
import { gql, signIn } from '../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../test/support/api.js';

let api: TestApi;
/** A second API process's worth of state (its own ORM, pool and limiters) on the same database. */
let second: Api;

beforeAll(async () => {
  const env = {
    SIGN_IN_LOCK_AFTER: '5',
    SIGN_IN_LOCK_MINUTES: '15',
    ANONYMOUS_REQUESTS_PER_MINUTE: '5',
    CUSTOMER_REQUESTS_PER_MINUTE: '5',
  };
  api = await startTestApi({ env });
  second = await boot({
    config: loadConfig({ DATABASE_URL: api.orm.config.getClientUrl(), LOG_LEVEL: 'silent', RUN_TIMERS: 'false', ...env }),
    port: 0,
  });
});
afterAll(async () => {
  await second?.stop();
  await api?.stop();
});

const SIGN_IN = 'mutation($input: SignInInput!) { signIn(input: $input) { token userErrors { code } } }';

async function attempt(url: string, email: string, password: string) {
  const result = await gql(url, SIGN_IN, { input: { email, password } });
  if (result.errors)
    return {
      refused: result.errors[0]!.extensions!.reason as string,
      retryAfter: result.errors[0]!.extensions!.retryAfterSeconds as number,
      message: result.errors[0]!.message,
    };
  return {
    token: result.data!.signIn.token as string | null,
    codes: result.data!.signIn.userErrors.map((error: { code: string }) => error.code),
  };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('sign-in throttling', () => {
  it('makes an account wait 1 s, then 2 s after further failures, then locks it; other accounts are untouched', async () => {
    const email = 'richard@piedpiper.example';
    for (let failure = 1; failure <= 3; failure += 1)
      expect(await attempt(api.url, email, 'wrong')).toEqual({ token: null, codes: ['INVALID_CREDENTIALS'] });
    // Refused before the password is even checked: the right one does not get through either.
    expect(await attempt(api.url, email, DEMO_PASSWORD)).toEqual({
      refused: 'SIGN_IN_THROTTLED',
      retryAfter: 1,
      message: 'Too many failed sign-ins: wait 1 s before trying again.',
    });
    await sleep(1_100);
    expect(await attempt(api.url, email, 'wrong')).toEqual({ token: null, codes: ['INVALID_CREDENTIALS'] });
    expect(await attempt(api.url, email, 'wrong')).toMatchObject({ refused: 'SIGN_IN_THROTTLED', retryAfter: 2 });
    await sleep(2_100);
    // The fifth failure locks the account for SIGN_IN_LOCK_MINUTES, whichever API process is asked.
    expect(await attempt(api.url, email, 'wrong')).toEqual({ token: null, codes: ['INVALID_CREDENTIALS'] });
    const locked = await attempt(second.server.url, email, DEMO_PASSWORD);
    expect(locked).toMatchObject({
      refused: 'SIGN_IN_LOCKED',
      message: 'Too many failed sign-ins: signing in is locked for 15 min. Reset your password or try again later.',
    });
    expect((locked as { retryAfter: number }).retryAfter).toBeGreaterThan(14 * 60);
    expect((locked as { retryAfter: number }).retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(await signIn(api.url, 'ada@initech.example')).toMatch(/^tds_/);
  });

  it('throttles an unknown email exactly like a known one, so refusals do not reveal which accounts exist', async () => {
    const email = 'nobody-here@piedpiper.example';
    for (let failure = 1; failure <= 3; failure += 1)
      expect(await attempt(api.url, email, 'wrong')).toEqual({ token: null, codes: ['INVALID_CREDENTIALS'] });
    expect(await attempt(api.url, email, 'wrong')).toMatchObject({ refused: 'SIGN_IN_THROTTLED', retryAfter: 1 });
  });

  it("clears an account's failures when it signs in", async () => {
    const email = 'peter@initech.example';
    for (let failure = 1; failure <= 2; failure += 1) await attempt(api.url, email, 'wrong');
    expect((await attempt(api.url, email, DEMO_PASSWORD)).token).toMatch(/^tds_/);
    for (let failure = 1; failure <= 3; failure += 1)
      expect(await attempt(api.url, email, 'wrong')).toEqual({ token: null, codes: ['INVALID_CREDENTIALS'] });
  });
});

async function raw(url: string, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), code: body.errors?.[0]?.extensions?.code ?? null };
}

describe('request budgets', () => {
  it('gives each anonymous address its budget per minute, shared by every API process', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const first = [];
    for (let request = 0; request < 3; request += 1) first.push(await raw(api.url, from('203.0.113.7')));
    for (let request = 0; request < 2; request += 1) first.push(await raw(second.server.url, from('203.0.113.7')));
    expect(first.map((result) => result.status)).toEqual([200, 200, 200, 200, 200]);
    const spent = await raw(api.url, from('203.0.113.7'));
    expect(spent).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(spent.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(spent.retryAfter)).toBeLessThanOrEqual(60);
    expect((await raw(api.url, from('203.0.113.8'))).status).toBe(200);
  });

  it('gives each signed-in customer a budget per minute of their own', async () => {
    const [hank, nancy] = await Promise.all([signIn(api.url, 'hank@globex.example'), signIn(api.url, 'nancy@northwind.example')]);
    const statuses = [];
    for (let request = 0; request < 6; request += 1) statuses.push((await raw(api.url, { authorization: `Bearer ${hank}` })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await raw(api.url, { authorization: `Bearer ${nancy}` })).status).toBe(200);
  });
});
