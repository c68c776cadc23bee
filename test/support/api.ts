import { loadConfig } from '../../api/src/config.js';
import { boot, type Api } from '../../api/src/main.js';
import type { MikroORM } from '../../api/src/db/orm.js';
import { FixedClock, systemClock, type Clock } from '../../api/src/shared/clock.js';
import { createStripeClient, startLocalStripe, syncPlans, type LocalStripe } from '../../api/src/modules/billing/index.js';
import type { RequestContext } from '../../api/src/shared/context.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export const TEST_WEBHOOK_SECRET = 'whsec_tierdesk_test_suite';

export interface TestApi {
  /** The GraphQL endpoint, e.g. http://localhost:41234/graphql */
  url: string;
  /** The server root, for /healthz and friends. */
  origin: string;
  orm: MikroORM;
  /** The test database itself, for `testRuntime` (e.g. opening tickets as if at another time). */
  database: TestDatabase;
  api: Api;
  /** The local Stripe-compatible server (with `billing: true`), delivering webhooks to this API. */
  stripe: LocalStripe | null;
  /** A system context on the test database (every tenant), for setting up and checking state. */
  system(reason?: string): RequestContext;
  stop(): Promise<void>;
}

/** The real API over HTTP on a free port, on a fresh copy of the seeded database. */
/** `env` adds configuration variables (e.g. `NODE_ENV: 'production'`, a limit) to the test defaults. */
/** The job runner stays off unless asked: tests that need it drive `api.jobs.run(name)` with a controlled clock. */
/**
 * With `billing: true` a local Stripe-compatible server starts too, on a free port, with the plans synced. Its time
 * is `stripeClock` (the system clock by default) plus what `stripe.advanceTime` added; the API reads that same time, so advancing moves both.
 */
export async function startTestApi(
  options: {
    clock?: Clock | FixedClock;
    runTimers?: boolean;
    billing?: boolean;
    stripeClock?: FixedClock;
    env?: Record<string, string>;
  } = {},
): Promise<TestApi> {
  const database = await createTestDatabase();
  const stripe = options.billing
    ? await startLocalStripe({ webhookSecret: TEST_WEBHOOK_SECRET, clock: options.stripeClock ?? systemClock, webhookRetryDelaysMs: [100] })
    : null;
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    RUN_TIMERS: options.runTimers ? 'true' : 'false',
    // Tests run the upgrade-eligibility check themselves (evaluateUpgradeEligibility).
    UPGRADE_CHECK_INTERVAL_MS: '0',
    ...(stripe ? { STRIPE_LOCAL_PORT: String(stripe.port), STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET } : {}),
    ...options.env,
  });
  // The local server's time in milliseconds: its clock plus the whole seconds its helpers advanced.
  const stripeBase: Clock = options.stripeClock ?? systemClock;
  const stripeTime: Clock | null = stripe
    ? {
        now: () => {
          const base = stripeBase.now().getTime();
          return new Date(base + (stripe.now() - Math.floor(base / 1000)) * 1000);
        },
      }
    : null;
  const api = await boot({
    config,
    clock: options.clock ?? stripeTime ?? systemClock,
    port: 0,
    database: { orm: database.orm, url: database.url, embeddedDataDir: null, close: () => database.drop() },
  });
  const origin = api.server.url.replace(/\/graphql$/, '');
  if (stripe) {
    stripe.setWebhookUrl(`${origin}/webhooks/stripe`);
    await syncPlans(createStripeClient({ STRIPE_LOCAL_PORT: stripe.port, STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET }).stripe);
  }
  return {
    url: api.server.url,
    origin,
    orm: database.orm,
    database,
    api,
    stripe,
    system: (reason = 'test') => api.runtime.system(reason),
    async stop() {
      await stripe?.idle();
      await stripe?.close();
      await api.stop();
      await database.drop();
    },
  };
}
