import type { ModuleDefinition } from '../../shared/module.js';
import { BillingAccount, StripeEvent } from './billing.entity.js';
import { BillingResolver } from './billing.resolver.js';
import { expireGracePeriods } from './billing.service.js';
import { evaluateUpgradeEligibility } from './eligibility.service.js';
import { UpgradeReminder } from './upgrade-reminder.entity.js';

/** Billing: the paid tiers as Stripe plans, checkout and plan changes, Stripe's webhooks, dunning, upgrade reminders. */
export { BILLING, billingSettings, expireGracePeriods, handleStripeEvent, syncPlans, verifyWebhook } from './billing.service.js';
export { evaluateUpgradeEligibility } from './eligibility.service.js';
export { startLocalStripe, type LocalStripe } from './local-stripe/index.js';
export { UpgradeReminder } from './upgrade-reminder.entity.js';
export { createStripeClient } from './stripe-client.js';

export const billingModule: ModuleDefinition = {
  name: 'billing',
  entities: [BillingAccount, StripeEvent, UpgradeReminder],
  resolvers: [BillingResolver],
  jobs: [
    {
      name: 'billing.upgrade-check',
      description: "compares each organization's figures and this month's tickets with the tiers and leaves upgrade reminders",
      everyMs: 3_600_000,
      run: async (ctx) => (await evaluateUpgradeEligibility(ctx)).created.length,
    },
    {
      name: 'billing.grace-expiry',
      description: 'moves organizations whose grace period after a failed payment ran out without a Stripe event to the free tier',
      everyMs: 3_600_000,
      run: async (ctx) => (await expireGracePeriods(ctx)).downgraded.length,
    },
  ],
};
