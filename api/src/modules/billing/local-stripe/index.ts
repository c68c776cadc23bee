/** The local Stripe-compatible server: what the rest of Tierdesk (the demo `start`, tests) may use. */
export { startLocalStripe, type LocalStripe, type LocalStripeOptions } from './server.js';
export type { LocalStripeStore, WebhookDelivery } from './store.js';
