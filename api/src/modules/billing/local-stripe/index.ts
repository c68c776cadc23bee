/** The local Stripe-compatible server: what the rest of Tierdesk (the demo `start`, tests) may use. */
export { startLocalStripe, type LocalStripe } from './server.js';
