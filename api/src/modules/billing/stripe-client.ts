import Stripe from 'stripe';

/** The key the bundled local Stripe-compatible server accepts (any `sk_test_…` would do). */
const LOCAL_STRIPE_KEY = 'sk_test_local';
/** The webhook secret of the local server when STRIPE_WEBHOOK_SECRET is unset: test mode only. */
const LOCAL_WEBHOOK_SECRET = 'whsec_tierdesk_local_test_mode';

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
 * STRIPE_LOCAL_PORT, so every code path is the one production runs.
 */
export function createStripeClient(config: {
  STRIPE_SECRET_KEY?: string | undefined;
  STRIPE_WEBHOOK_SECRET?: string | undefined;
  STRIPE_LOCAL_PORT: number;
}): StripeSettings {
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
    webhookSecret: config.STRIPE_WEBHOOK_SECRET ?? LOCAL_WEBHOOK_SECRET,
    testMode: true,
    local: true,
  };
}
