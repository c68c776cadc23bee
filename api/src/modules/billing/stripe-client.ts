import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Stripe from 'stripe';

/** The key the bundled local Stripe-compatible server accepts (any `sk_test_…` would do). */
const LOCAL_STRIPE_KEY = 'sk_test_local';

/**
 * The local server's webhook secret when STRIPE_WEBHOOK_SECRET is unset: generated once per installation and kept
 * beside the embedded database (`.tierdesk/` by default, mode 0600), so the `start` that runs the local server and
 * every API process of the installation verify with the same secret, and nobody can sign events for an installation
 * from a secret published in the code.
 */
function installationWebhookSecret(embeddedPgDir: string): string {
  const file = resolve(embeddedPgDir, '..', 'stripe-webhook-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  // Written aside, then linked into place: two processes starting at once keep whichever secret is linked first,
  // and neither can read a half-written file.
  const secret = `whsec_${randomBytes(32).toString('hex')}`;
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${secret}\n`, { mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  return readFileSync(file, 'utf8').trim();
}

export interface StripeSettings {
  stripe: Stripe;
  webhookSecret: string;
  /** True unless a live key is configured: the UI says "test mode". */
  testMode: boolean;
  /** Whether the SDK talks to the bundled local server rather than api.stripe.com. */
  local: boolean;
}

/**
 * The Stripe SDK client. A real key talks to Stripe; without one the same SDK talks to the local server on
 * STRIPE_LOCAL_PORT, so every code path is the one production runs. The webhook secret is STRIPE_WEBHOOK_SECRET
 * (tests and benches pass theirs) or, without one, the installation's (found through EMBEDDED_PG_DIR).
 */
export function createStripeClient(
  config: { STRIPE_SECRET_KEY?: string | undefined; STRIPE_LOCAL_PORT: number } & (
    { STRIPE_WEBHOOK_SECRET: string } | { STRIPE_WEBHOOK_SECRET?: string | undefined; EMBEDDED_PG_DIR: string }
  ),
): StripeSettings {
  if (config.STRIPE_SECRET_KEY) {
    return {
      stripe: new Stripe(config.STRIPE_SECRET_KEY, { maxNetworkRetries: 2 }),
      webhookSecret: config.STRIPE_WEBHOOK_SECRET!,
      testMode: !config.STRIPE_SECRET_KEY.includes('_live_'),
      local: false,
    };
  }
  return {
    stripe: new Stripe(LOCAL_STRIPE_KEY, { host: '127.0.0.1', port: config.STRIPE_LOCAL_PORT, protocol: 'http', maxNetworkRetries: 0 }),
    webhookSecret:
      'EMBEDDED_PG_DIR' in config
        ? (config.STRIPE_WEBHOOK_SECRET ?? installationWebhookSecret(config.EMBEDDED_PG_DIR))
        : config.STRIPE_WEBHOOK_SECRET,
    testMode: true,
    local: true,
  };
}
