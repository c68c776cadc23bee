/**
 * The local Stripe server's whole state, in memory: Stripe-shaped objects by id, the few facts Stripe keeps but
 * does not show (pending proration items, a session's line items, which cards decline), events and their webhook
 * deliveries, and the idempotency cache. Nothing here talks HTTP or computes billing; see engine.ts for that.
 */
import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import type { Clock } from '../../../shared/clock.js';

export interface CheckoutLine {
  /** the `li_…` id the session's `line_items` show */
  id: string;
  price: string;
  quantity: number;
}

/** `subscription_data` of a Checkout Session, applied when the session completes. */
export interface CheckoutSubscriptionData {
  trialPeriodDays: number | null;
  trialEnd: number | null;
  metadata: Record<string, string>;
  description: string | null;
}

/** A proration waiting for the subscription's next invoice (Stripe's pending invoice items). */
export interface PendingLine {
  id: string;
  subscription: string;
  subscriptionItem: string;
  price: string;
  quantity: number;
  amount: number;
  description: string;
  period: { start: number; end: number };
}

type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDelivery {
  id: string;
  eventId: string;
  type: string;
  url: string;
  status: DeliveryStatus;
  /** HTTP status of each attempt, or 0 when the connection failed. */
  attempts: number[];
  lastError?: string;
  completedAt?: number;
}

export interface IdempotentResult {
  fingerprint: string;
  status: number;
  body: string;
}

/** Stripe-like ids: a prefix and random base62, e.g. `cus_Q1w2E3r4T5y6U7`. */
export function newId(prefix: string, length = 24): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return `${prefix}_${out}`;
}

export class LocalStripeStore {
  readonly customers = new Map<string, Stripe.Customer>();
  readonly products = new Map<string, Stripe.Product>();
  readonly prices = new Map<string, Stripe.Price>();
  readonly checkoutSessions = new Map<string, Stripe.Checkout.Session>();
  readonly subscriptions = new Map<string, Stripe.Subscription>();
  readonly invoices = new Map<string, Stripe.Invoice>();
  readonly portalSessions = new Map<string, Stripe.BillingPortal.Session>();
  readonly events = new Map<string, Stripe.Event>();
  /** Every webhook delivery, in the order they were queued; tests wait on these. */
  readonly deliveries: WebhookDelivery[] = [];

  readonly checkoutLines = new Map<string, CheckoutLine[]>();
  readonly checkoutSubscriptionData = new Map<string, CheckoutSubscriptionData>();
  readonly pendingLines = new Map<string, PendingLine[]>();
  /** Customers whose next charges decline (set through the test helpers or the billing portal page). */
  readonly decliningCustomers = new Set<string>();
  /** Subscriptions that already got `customer.subscription.trial_will_end` for their current trial end. */
  readonly trialWillEndSent = new Map<string, number>();
  readonly idempotency = new Map<string, IdempotentResult>();

  /** Insertion order, to break ties between objects created in the same second (Stripe lists newest first). */
  private readonly sequence = new Map<string, number>();
  private nextSequence = 0;
  private offsetSeconds = 0;

  constructor(private readonly clock: Clock) {}

  /** The server's time in Unix seconds: the injected clock plus whatever the test helpers advanced. */
  now(): number {
    return Math.floor(this.clock.now().getTime() / 1000) + this.offsetSeconds;
  }

  advance(seconds: number): void {
    this.offsetSeconds += seconds;
  }

  remember<T extends { id: string }>(map: Map<string, T>, object: T): T {
    if (!this.sequence.has(object.id)) this.sequence.set(object.id, this.nextSequence++);
    map.set(object.id, object);
    return object;
  }

  orderOf(id: string): number {
    return this.sequence.get(id) ?? -1;
  }

  /** Newest first, as Stripe lists. */
  newestFirst<T extends { id: string; created: number }>(objects: Iterable<T>): T[] {
    return [...objects].sort((a, b) => b.created - a.created || this.orderOf(b.id) - this.orderOf(a.id));
  }
}
