import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_LIMITS } from './simulation.service.js';
import { gql, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';

/**
 * "Over the API a run is capped at 200,000 replayed tickets": a window of 2020 filled with exactly the cap, then one
 * more. Its own database, so the 200,001 tickets stay out of every other test's counts.
 */

const WINDOW = { from: '2020-01-01T00:00:00.000Z', to: '2021-01-01T00:00:00.000Z' };
const SIMULATE =
  'query($scenario: JSONObject!, $replay: SimulationReplayInput) { simulate(scenario: $scenario, replay: $replay) { seed } }';

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await startTestApi();
  admin = await signIn(api.url, 'admin@tierdesk.example');
}, 60_000);
afterAll(async () => api?.stop());

/** `count` more copies of a seeded ticket, one a minute from the window's start, numbered past every other ticket. */
let filled = 0;
async function fillWindow(count: number): Promise<void> {
  const connection = api.orm.em.getConnection();
  const columns = (
    await connection.execute<{ column_name: string }[]>(
      "select column_name from information_schema.columns where table_schema = current_schema() and table_name = 'ticket'",
    )
  )
    .map((row) => row.column_name)
    .filter((name) => !['id', 'number', 'created_at', 'updated_at'].includes(name));
  const copied = columns.map((name) => `"${name}"`).join(', ');
  await connection.execute(
    `insert into ticket (id, number, created_at, updated_at, ${copied})
     select gen_random_uuid(), 1000000 + g, timestamptz '${WINDOW.from}' + g * interval '1 minute', now(), ${copied}
     from (select * from ticket order by created_at limit 1) template, generate_series(${filled + 1}, ${filled + count}) g`,
  );
  filled += count;
}

describe('a replay over the API', () => {
  it(`is refused over ${API_LIMITS.maxReplayTickets.toLocaleString('en-US')} tickets, and runs into the scenario's own checks at the cap`, async () => {
    expect(API_LIMITS.maxReplayTickets).toBe(200_000);
    await fillWindow(API_LIMITS.maxReplayTickets);
    const scenario = JSON.parse(await readFile(new URL('../../../../docs/scenarios/example.json', import.meta.url), 'utf8'));

    // At the cap the tickets are read, and the scenario is checked: a bad time zone is the only problem named.
    const atCap = await gql(api.url, SIMULATE, { scenario: { ...scenario, timeZone: 'Mars/Olympus_Mons' }, replay: WINDOW }, admin);
    expect(atCap.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_SCENARIO' });
    expect((atCap.errors![0]!.extensions!.problems as { path: string }[]).map((problem) => problem.path)).toEqual(['timeZone']);

    await fillWindow(1);
    const started = performance.now();
    const over = await gql(api.url, SIMULATE, { scenario, replay: WINDOW }, admin);
    const refusedIn = performance.now() - started;
    expect(over.errors?.[0]?.message).toBe(
      'The window holds more than 200,000 tickets; replay a shorter period or use `tierdesk simulate`.',
    );
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_SCENARIO', field: ['replay'] });
    // The refusal counts; it does not load the window first.
    expect(refusedIn).toBeLessThan(2_000);
  }, 120_000);
});
