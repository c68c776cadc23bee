/**
 * What Stripe Billing does behind the API: starting subscriptions, changing them with proration, renewing them at
 * period end, ending trials, cancelling, invoicing, charging the (pretend) card, retrying failed payments, and
 * emitting the events that describe each step. Routes and hosted pages call in here; nothing here knows HTTP.
 *
 * Time is the store's clock. Work that falls due as time passes (renewals, trial ends, retries, expiring checkout
 * sessions, `trial_will_end` three days ahead) happens in `runDue`, which the server calls around every request and
 * when the test helpers advance the clock, in the order it fell due.
 */
import type Stripe from 'stripe';
import { StripeApiError } from './errors.js';
import { formatDate, formatInterval, formatMoney } from './format.js';
import {
  buildCustomer,
  buildEvent,
  buildInvoice,
  buildInvoiceLine,
  buildSubscription,
  buildSubscriptionItem,
  planFromPrice,
  type CustomerFields,
} from './objects.js';
import { addIntervals, nextPeriodEnd, prorate, type Interval, type Period } from './proration.js';
import { newId, type LocalStripeStore, type PendingLine } from './store.js';

type ProrationBehavior = 'create_prorations' | 'none' | 'always_invoice';

const DAY = 86_400;
/** Stripe sends `customer.subscription.trial_will_end` three days before the trial ends (at once if shorter). */
const TRIAL_WILL_END_LEAD = 3 * DAY;
/** Days after the n-th failed attempt to try again; after the last one fails the subscription is cancelled. */
const RETRY_AFTER_DAYS = [3, 5, 7] as const;
/** A subscription whose first payment failed stays `incomplete` this long, then becomes `incomplete_expired`. */
const INCOMPLETE_EXPIRES_AFTER = 23 * 3600;

/** Stripe's test cards that decline at checkout, and the one that attaches but declines later charges. */
const DECLINING_CARDS = new Set(['4000000000000002', '4000000000009995', '4000000000009987']);
const DECLINES_AFTER_ATTACHING = '4000000000000341';

export interface ItemChange {
  /** the parameter name, for errors: `items[0]` or `subscription_details[items][0]` */
  param: string;
  id?: string;
  price?: string;
  quantity?: number;
  deleted?: boolean;
  metadata?: Record<string, string>;
}

export interface SubscriptionChange {
  items: ItemChange[];
  prorationBehavior: ProrationBehavior;
  prorationDate?: number;
  cancelAtPeriodEnd?: boolean;
  trialEnd?: 'now' | number;
  billingCycleAnchorNow?: boolean;
  metadata?: Record<string, string>;
  description?: string | null;
  cancellationDetails?: { comment?: string | null; feedback?: Stripe.Subscription.CancellationDetails.Feedback | null };
}

export interface NewSubscription {
  customer: Stripe.Customer;
  items: Array<{ price: Stripe.Price; quantity: number; metadata?: Record<string, string> }>;
  metadata: Record<string, string>;
  description: string | null;
  trialEnd: number | null;
  cancelAtPeriodEnd?: boolean;
}

interface LineDraft {
  subscriptionItem: string;
  price: Stripe.Price;
  quantity: number;
  amount: number;
  description: string;
  period: Period;
  proration: boolean;
  invoiceItem: string | null;
}

interface PlannedItem {
  id: string;
  price: Stripe.Price;
  quantity: number;
  metadata: Record<string, string>;
}

interface UpdatePlan {
  at: number;
  items: PlannedItem[];
  prorations: LineDraft[];
  /** full-period charges billed at once when the billing cycle restarts (interval change, anchor or trial end now) */
  cycleLines: LineDraft[];
  period: Period;
  anchor: number;
  invoiceNow: boolean;
  status: Stripe.Subscription.Status;
  trialEnd: number | null;
}

export interface EngineLinks {
  invoiceUrl(id: string): string;
}

export class BillingEngine {
  /** The API request being served, recorded on the events it causes (`event.request`); null for automatic work. */
  request: Stripe.Event.Request | null = null;

  constructor(
    private readonly store: LocalStripeStore,
    private readonly apiVersion: string,
    private readonly links: EngineLinks,
    private readonly publish: (event: Stripe.Event) => void,
  ) {}

  // ---------------------------------------------------------------- lookups

  customer(id: string, param = 'id'): Stripe.Customer {
    const found = this.store.customers.get(id);
    if (!found) throw StripeApiError.noSuch('customer', id, param);
    return found;
  }

  price(id: string, param = 'id'): Stripe.Price {
    const found = this.store.prices.get(id);
    if (!found) throw StripeApiError.noSuch('price', id, param);
    return found;
  }

  product(id: string, param = 'id'): Stripe.Product {
    const found = this.store.products.get(id);
    if (!found) throw StripeApiError.noSuch('product', id, param);
    return found;
  }

  subscription(id: string, param = 'id'): Stripe.Subscription {
    const found = this.store.subscriptions.get(id);
    if (!found) throw StripeApiError.noSuch('subscription', id, param);
    return found;
  }

  invoice(id: string, param = 'id'): Stripe.Invoice {
    const found = this.store.invoices.get(id);
    if (!found) throw StripeApiError.noSuch('invoice', id, param);
    return found;
  }

  checkoutSession(id: string, param = 'id'): Stripe.Checkout.Session {
    const found = this.store.checkoutSessions.get(id);
    if (!found) throw StripeApiError.noSuch('checkout.session', id, param);
    return found;
  }

  /** A price a subscription may use: it exists, is active and recurring. */
  subscribablePrice(id: string, param: string): Stripe.Price {
    const price = this.price(id, param);
    if (!price.active) {
      throw StripeApiError.invalid('The price specified is inactive. This field only accepts active prices.', param);
    }
    if (!price.recurring) {
      throw StripeApiError.invalid(
        'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
        param,
      );
    }
    return price;
  }

  productName(price: Stripe.Price): string {
    const productId = typeof price.product === 'string' ? price.product : price.product.id;
    return this.store.products.get(productId)?.name ?? productId;
  }

  // ---------------------------------------------------------------- rendering and events

  /** A copy of a stored object as the API shows it now (subscription items embed the current price). */
  render<T>(object: T): T {
    const copy = structuredClone(object);
    if (isSubscription(copy)) {
      for (const item of copy.items.data) {
        const price = this.store.prices.get(item.price.id);
        if (price) {
          item.price = structuredClone(price);
          item.plan = planFromPrice(price);
        }
      }
    }
    return copy;
  }

  emit(type: Stripe.Event.Type, object: unknown, options: { at?: number; previous?: Record<string, unknown> } = {}): Stripe.Event {
    const event = buildEvent(options.at ?? this.store.now(), this.apiVersion, type, this.render(object), options.previous, this.request);
    this.store.remember(this.store.events, event);
    this.publish(event);
    return event;
  }

  /** Applies `change` to a subscription and emits `customer.subscription.updated` with Stripe's `previous_attributes`. */
  private mutateSubscription(subscription: Stripe.Subscription, at: number, change: () => void): void {
    const before = this.render(subscription);
    change();
    const previous = previousAttributes(before, this.render(subscription));
    if (previous) this.emit('customer.subscription.updated', subscription, { at, previous });
  }

  /** `configure` fills in what `fields` does not cover (address, locales) before the object is stored and announced. */
  createCustomer(fields: CustomerFields, configure?: (customer: Stripe.Customer) => void): Stripe.Customer {
    const customer = buildCustomer(this.store.now(), fields);
    configure?.(customer);
    this.store.remember(this.store.customers, customer);
    this.emit('customer.created', customer);
    return customer;
  }

  // ---------------------------------------------------------------- lines

  private interval(price: Stripe.Price): { interval: Interval; count: number } {
    return { interval: (price.recurring?.interval ?? 'month') as Interval, count: price.recurring?.interval_count ?? 1 };
  }

  private regularLine(item: PlannedItem, period: Period): LineDraft {
    const unit = item.price.unit_amount ?? 0;
    const { interval, count } = this.interval(item.price);
    return {
      subscriptionItem: item.id,
      price: item.price,
      quantity: item.quantity,
      amount: unit * item.quantity,
      description: `${item.quantity} × ${this.productName(item.price)} (at ${formatMoney(unit, item.price.currency)} / ${formatInterval(interval, count)})`,
      period,
      proration: false,
      invoiceItem: null,
    };
  }

  private trialLine(item: PlannedItem, period: Period): LineDraft {
    return { ...this.regularLine(item, period), amount: 0, description: `Trial period for ${this.productName(item.price)}` };
  }

  private prorationLine(item: PlannedItem, period: Period, at: number, kind: 'credit' | 'charge'): LineDraft {
    const full = (item.price.unit_amount ?? 0) * item.quantity;
    const amount = kind === 'credit' ? -prorate(full, period, at) : prorate(full, period, at);
    const what = item.quantity === 1 ? this.productName(item.price) : `${item.quantity} × ${this.productName(item.price)}`;
    return {
      subscriptionItem: item.id,
      price: item.price,
      quantity: item.quantity,
      amount,
      description: `${kind === 'credit' ? 'Unused' : 'Remaining'} time on ${what} after ${formatDate(at)}`,
      period: { start: at, end: period.end },
      proration: true,
      invoiceItem: newId('ii'),
    };
  }

  private pendingDrafts(subscriptionId: string, take: boolean): LineDraft[] {
    const pending = this.store.pendingLines.get(subscriptionId) ?? [];
    if (take) this.store.pendingLines.delete(subscriptionId);
    return pending.map((line) => ({
      subscriptionItem: line.subscriptionItem,
      price: this.store.prices.get(line.price) ?? this.price(line.price),
      quantity: line.quantity,
      amount: line.amount,
      description: line.description,
      period: line.period,
      proration: true,
      invoiceItem: line.id,
    }));
  }

  private addPending(subscriptionId: string, drafts: LineDraft[]): void {
    const pending = this.store.pendingLines.get(subscriptionId) ?? [];
    for (const draft of drafts) {
      const line: PendingLine = {
        id: draft.invoiceItem ?? newId('ii'),
        subscription: subscriptionId,
        subscriptionItem: draft.subscriptionItem,
        price: draft.price.id,
        quantity: draft.quantity,
        amount: draft.amount,
        description: draft.description,
        period: draft.period,
      };
      pending.push(line);
    }
    this.store.pendingLines.set(subscriptionId, pending);
  }

  // ---------------------------------------------------------------- invoices and payments

  private createInvoice(
    subscription: Stripe.Subscription,
    drafts: LineDraft[],
    billingReason: Stripe.Invoice.BillingReason,
    period: Period,
    at: number,
    options: { id?: string; prorationDate?: number } = {},
  ): Stripe.Invoice {
    const customer = this.customer(subscription.customer as string);
    const id = options.id ?? newId('in');
    const invoice = buildInvoice(at, {
      id,
      customer,
      subscription: subscription.id,
      subscriptionMetadata: { ...subscription.metadata },
      currency: subscription.currency,
      lines: drafts.map((draft) => buildInvoiceLine({ ...draft, invoice: id, subscription: subscription.id })),
      billingReason,
      period,
      startingBalance: customer.balance,
      hostedUrl: this.links.invoiceUrl(id),
      ...(options.prorationDate === undefined ? {} : { prorationDate: options.prorationDate }),
    });
    this.store.remember(this.store.invoices, invoice);
    this.emit('invoice.created', invoice, { at });
    this.finalize(invoice, customer, at);
    return invoice;
  }

  private finalize(invoice: Stripe.Invoice, customer: Stripe.Customer, at: number): void {
    const sequence = customer.next_invoice_sequence ?? 1;
    customer.next_invoice_sequence = sequence + 1;
    invoice.number = `${customer.invoice_prefix ?? 'LOCAL'}-${String(sequence).padStart(4, '0')}`;
    invoice.status = 'open';
    invoice.status_transitions.finalized_at = at;
    invoice.effective_at = at;
    // A credit (negative total) stays on the customer's balance for the next invoice, as Stripe does.
    invoice.ending_balance = Math.min(0, invoice.total + invoice.starting_balance);
    customer.balance = invoice.ending_balance;
    invoice.webhooks_delivered_at = at;
    this.emit('invoice.finalized', invoice, { at });
  }

  private subscriptionOf(invoice: Stripe.Invoice): Stripe.Subscription | undefined {
    const id = invoice.parent?.subscription_details?.subscription;
    return typeof id === 'string' ? this.store.subscriptions.get(id) : undefined;
  }

  private hasOpenInvoices(customerId: string, subscriptionId?: string): boolean {
    for (const invoice of this.store.invoices.values()) {
      if (invoice.customer !== customerId || invoice.status !== 'open') continue;
      if (subscriptionId && this.subscriptionOf(invoice)?.id !== subscriptionId) continue;
      return true;
    }
    return false;
  }

  /** Charges the customer's test card for an open invoice; a declining card fails it and starts dunning. */
  attemptPayment(invoice: Stripe.Invoice, at: number, options: { forceFail?: boolean } = {}): Stripe.Invoice {
    if (invoice.status !== 'open') throw StripeApiError.invalid('Invoice is already paid', undefined, 'invoice_not_open');
    const customer = this.customer(invoice.customer as string);
    const subscription = this.subscriptionOf(invoice);
    invoice.attempted = true;
    invoice.attempt_count += 1;
    const declines = invoice.amount_due > 0 && (options.forceFail === true || this.store.decliningCustomers.has(customer.id));
    if (!declines) {
      invoice.amount_paid = invoice.amount_due;
      invoice.amount_remaining = 0;
      invoice.status = 'paid';
      invoice.status_transitions.paid_at = at;
      invoice.next_payment_attempt = null;
      this.emit('invoice.paid', invoice, { at });
      this.emit('invoice.payment_succeeded', invoice, { at });
      customer.delinquent = this.hasOpenInvoices(customer.id);
      if (subscription && ['past_due', 'incomplete', 'unpaid'].includes(subscription.status)) {
        if (!this.hasOpenInvoices(customer.id, subscription.id)) {
          this.mutateSubscription(subscription, at, () => {
            subscription.status = 'active';
          });
        }
      }
      return invoice;
    }
    // A first invoice is not retried: its subscription stays `incomplete` and expires after 23 hours.
    const firstInvoice = invoice.billing_reason === 'subscription_create';
    const retryDays = firstInvoice ? undefined : RETRY_AFTER_DAYS[invoice.attempt_count - 1];
    invoice.next_payment_attempt = retryDays === undefined ? null : at + retryDays * DAY;
    this.emit('invoice.payment_failed', invoice, { at });
    customer.delinquent = true;
    if (subscription) {
      if (retryDays === undefined && subscription.status === 'past_due') {
        this.endSubscription(subscription, at, 'payment_failed');
      } else if (!firstInvoice && (subscription.status === 'active' || subscription.status === 'trialing')) {
        this.mutateSubscription(subscription, at, () => {
          subscription.status = 'past_due';
        });
      }
    }
    return invoice;
  }

  // ---------------------------------------------------------------- subscriptions

  private checkItems(items: Array<{ price: Stripe.Price }>, currency: string | null, param: string): { interval: Interval; count: number } {
    const first = items[0];
    if (!first) throw StripeApiError.missing(param);
    const { interval, count } = this.interval(first.price);
    for (const item of items) {
      if (currency && item.price.currency !== currency) {
        throw StripeApiError.invalid(`All prices on a subscription must have the same currency (${currency}).`, param);
      }
      const other = this.interval(item.price);
      if (other.interval !== interval || other.count !== count) {
        throw StripeApiError.invalid(
          'All prices on a subscription must have the same `recurring.interval` and `recurring.interval_count`.',
          param,
        );
      }
    }
    return { interval, count };
  }

  /** Creates a subscription and its first invoice (paid, or $0 during a trial) and emits what Stripe emits. */
  startSubscription(input: NewSubscription): { subscription: Stripe.Subscription; invoice: Stripe.Invoice } {
    const at = this.store.now();
    const currency = input.items[0]?.price.currency ?? 'usd';
    const { interval, count } = this.checkItems(input.items, input.customer.currency ?? null, 'items');
    const id = newId('sub');
    const trial = input.trialEnd === null ? null : { start: at, end: input.trialEnd };
    const period = { start: at, end: trial ? trial.end : addIntervals(at, interval, count) };
    const items = input.items.map((item) => buildSubscriptionItem(at, id, item.price, item.quantity, period, item.metadata ?? {}));
    const subscription = buildSubscription(at, {
      id,
      customer: input.customer.id,
      currency,
      items,
      metadata: input.metadata,
      description: input.description,
      trial,
      billingCycleAnchor: trial ? trial.end : at,
    });
    const planned = items.map((item) => ({ id: item.id, price: item.price, quantity: item.quantity ?? 1, metadata: item.metadata }));
    const drafts = planned.map((item) => (trial ? this.trialLine(item, period) : this.regularLine(item, period)));
    const due = drafts.reduce((sum, draft) => sum + draft.amount, 0) + input.customer.balance;
    // The first charge decides the status the subscription is born with: Stripe never shows an unpaid one as active.
    if (due > 0 && this.store.decliningCustomers.has(input.customer.id)) subscription.status = 'incomplete';
    if (input.cancelAtPeriodEnd) this.setCancelAtPeriodEnd(subscription, true, at);
    const invoiceId = newId('in');
    subscription.latest_invoice = invoiceId;
    input.customer.currency ??= currency;
    this.store.remember(this.store.subscriptions, subscription);
    this.emit('customer.subscription.created', subscription, { at });
    const invoice = this.createInvoice(subscription, drafts, 'subscription_create', { start: at, end: at }, at, { id: invoiceId });
    this.attemptPayment(invoice, at);
    return { subscription, invoice };
  }

  private periodOf(subscription: Stripe.Subscription): Period {
    const item = subscription.items.data[0];
    if (!item) throw new Error(`subscription ${subscription.id} has no items`);
    return { start: item.current_period_start, end: item.current_period_end };
  }

  private planned(subscription: Stripe.Subscription): PlannedItem[] {
    return subscription.items.data.map((item) => ({
      id: item.id,
      price: this.store.prices.get(item.price.id) ?? item.price,
      quantity: item.quantity ?? 1,
      metadata: item.metadata,
    }));
  }

  /** What an update would do, without doing it; shared by the update itself and `invoices.createPreview`. */
  private planUpdate(subscription: Stripe.Subscription, change: SubscriptionChange, now: number): UpdatePlan {
    const period = this.periodOf(subscription);
    const at = change.prorationDate ?? now;
    if (change.prorationDate !== undefined && (at < period.start || at > period.end)) {
      throw StripeApiError.invalid('The proration_date must be within the current billing period.', 'proration_date');
    }
    const old = this.planned(subscription);
    const items = old.map((item) => ({ ...item }));
    for (const itemChange of change.items) {
      if (itemChange.id !== undefined) {
        const index = items.findIndex((item) => item.id === itemChange.id);
        if (index < 0) throw StripeApiError.noSuch('subscription_item', itemChange.id, `${itemChange.param}[id]`);
        const item = items[index] as PlannedItem;
        if (itemChange.deleted) {
          items.splice(index, 1);
          continue;
        }
        if (itemChange.price !== undefined) item.price = this.subscribablePrice(itemChange.price, `${itemChange.param}[price]`);
        if (itemChange.quantity !== undefined) item.quantity = itemChange.quantity;
        if (itemChange.metadata !== undefined) item.metadata = itemChange.metadata;
      } else {
        if (itemChange.price === undefined) throw StripeApiError.missing(`${itemChange.param}[price]`);
        items.push({
          id: newId('si', 14),
          price: this.subscribablePrice(itemChange.price, `${itemChange.param}[price]`),
          quantity: itemChange.quantity ?? 1,
          metadata: itemChange.metadata ?? {},
        });
      }
    }
    if (items.length === 0) throw StripeApiError.invalid('A subscription must have at least one item.', 'items');
    const newInterval = this.checkItems(items, subscription.currency, 'items');
    const oldInterval = this.interval((old[0] as PlannedItem).price);
    const trialing = subscription.status === 'trialing';
    if (typeof change.trialEnd === 'number' && !trialing) {
      throw StripeApiError.invalid('The local Stripe server only moves `trial_end` of a subscription that is trialing.', 'trial_end');
    }
    if (typeof change.trialEnd === 'number' && change.trialEnd <= now) {
      throw StripeApiError.invalid('Invalid timestamp: must be an integer Unix timestamp in the future.', 'trial_end');
    }
    const endTrialNow = trialing && change.trialEnd === 'now';
    const intervalChanged = oldInterval.interval !== newInterval.interval || oldInterval.count !== newInterval.count;
    // Stripe restarts the billing cycle (and bills the new period at once) when the interval changes or when asked.
    const resetCycle = endTrialNow || (!trialing && (intervalChanged || change.billingCycleAnchorNow === true));
    const prorations: LineDraft[] = [];
    if (!trialing && change.prorationBehavior !== 'none') {
      for (const before of old) {
        const after = items.find((item) => item.id === before.id);
        if (!after || after.price.id !== before.price.id || after.quantity !== before.quantity) {
          prorations.push(this.prorationLine(before, period, at, 'credit'));
        }
      }
      if (!resetCycle) {
        for (const after of items) {
          const before = old.find((item) => item.id === after.id);
          if (!before || before.price.id !== after.price.id || before.quantity !== after.quantity) {
            prorations.push(this.prorationLine(after, period, at, 'charge'));
          }
        }
      }
    }
    if (resetCycle) {
      const next = { start: now, end: addIntervals(now, newInterval.interval, newInterval.count) };
      return {
        at,
        items,
        prorations,
        cycleLines: items.map((item) => this.regularLine(item, next)),
        period: next,
        anchor: now,
        invoiceNow: true,
        status: endTrialNow ? 'active' : subscription.status,
        trialEnd: endTrialNow ? now : subscription.trial_end,
      };
    }
    const trialEnd = trialing && typeof change.trialEnd === 'number' ? change.trialEnd : subscription.trial_end;
    const keptPeriod = trialing && typeof change.trialEnd === 'number' ? { start: period.start, end: change.trialEnd } : period;
    return {
      at,
      items,
      prorations,
      cycleLines: [],
      period: keptPeriod,
      anchor: trialing ? keptPeriod.end : subscription.billing_cycle_anchor,
      invoiceNow: change.prorationBehavior === 'always_invoice' && prorations.length > 0,
      status: subscription.status,
      trialEnd,
    };
  }

  private setCancelAtPeriodEnd(subscription: Stripe.Subscription, cancel: boolean, at: number): void {
    subscription.cancel_at_period_end = cancel;
    subscription.cancel_at = cancel ? this.periodOf(subscription).end : null;
    // Stripe records when cancellation was requested in canceled_at, before the subscription actually ends.
    subscription.canceled_at = cancel ? at : null;
    subscription.cancellation_details = {
      comment: cancel ? (subscription.cancellation_details?.comment ?? null) : null,
      feedback: cancel ? (subscription.cancellation_details?.feedback ?? null) : null,
      feedback_option: null,
      reason: cancel ? 'cancellation_requested' : null,
    };
  }

  updateSubscription(subscription: Stripe.Subscription, change: SubscriptionChange): Stripe.Subscription {
    const now = this.store.now();
    const changesBilling = change.items.length > 0 || change.trialEnd !== undefined || change.billingCycleAnchorNow === true;
    if (['canceled', 'incomplete_expired'].includes(subscription.status) && (changesBilling || change.cancelAtPeriodEnd !== undefined)) {
      throw StripeApiError.invalid('A canceled subscription can only update its cancellation_details and metadata.');
    }
    const plan = changesBilling ? this.planUpdate(subscription, change, now) : null;
    const invoiceId = plan?.invoiceNow ? newId('in') : null;
    this.mutateSubscription(subscription, now, () => {
      if (plan) {
        const existing = new Map(subscription.items.data.map((item) => [item.id, item]));
        subscription.items.data = plan.items.map((item) => {
          const kept = existing.get(item.id);
          const target = kept ?? { ...buildSubscriptionItem(now, subscription.id, item.price, item.quantity, plan.period), id: item.id };
          target.price = item.price;
          target.plan = planFromPrice(item.price);
          target.quantity = item.quantity;
          target.metadata = item.metadata;
          target.current_period_start = plan.period.start;
          target.current_period_end = plan.period.end;
          return target;
        });
        subscription.billing_cycle_anchor = plan.anchor;
        subscription.status = plan.status;
        subscription.trial_end = plan.trialEnd;
        if (invoiceId) subscription.latest_invoice = invoiceId;
        if (subscription.cancel_at_period_end) subscription.cancel_at = plan.period.end;
      }
      if (change.cancelAtPeriodEnd !== undefined) this.setCancelAtPeriodEnd(subscription, change.cancelAtPeriodEnd, now);
      if (change.cancellationDetails && subscription.cancellation_details) {
        if (change.cancellationDetails.comment !== undefined)
          subscription.cancellation_details.comment = change.cancellationDetails.comment;
        if (change.cancellationDetails.feedback !== undefined)
          subscription.cancellation_details.feedback = change.cancellationDetails.feedback;
      }
      if (change.metadata) subscription.metadata = change.metadata;
      if (change.description !== undefined) subscription.description = change.description;
    });
    if (plan && invoiceId) {
      const drafts = [...this.pendingDrafts(subscription.id, true), ...plan.prorations, ...plan.cycleLines];
      const invoice = this.createInvoice(subscription, drafts, 'subscription_update', { start: now, end: now }, now, {
        id: invoiceId,
        ...(change.prorationDate === undefined ? {} : { prorationDate: change.prorationDate }),
      });
      this.attemptPayment(invoice, now);
    } else if (plan && change.prorationBehavior === 'create_prorations' && plan.prorations.length > 0) {
      this.addPending(subscription.id, plan.prorations);
    }
    return subscription;
  }

  /**
   * `invoices.createPreview`: the invoice Stripe would create next. With billing changes and `always_invoice`, or
   * a change that restarts the cycle, that is the invoice billed at once; otherwise it is the renewal invoice at the
   * end of the current period, carrying pending prorations (including the ones this change would add).
   */
  preview(input: {
    customer: Stripe.Customer;
    subscription: Stripe.Subscription | null;
    change: SubscriptionChange | null;
    newSubscription: { items: PlannedItem[]; trialEnd: number | null } | null;
  }): Stripe.Invoice {
    const now = this.store.now();
    const id = newId('upcoming_in');
    const build = (
      subscription: Stripe.Subscription | null,
      drafts: LineDraft[],
      created: number,
      period: Period,
      prorationDate?: number,
    ) =>
      buildInvoice(created, {
        id,
        customer: input.customer,
        subscription: subscription?.id ?? null,
        subscriptionMetadata: { ...(input.change?.metadata ?? subscription?.metadata ?? {}) },
        currency: subscription?.currency ?? drafts[0]?.price.currency ?? input.customer.currency ?? 'usd',
        lines: drafts.map((draft) => buildInvoiceLine({ ...draft, invoice: id, subscription: subscription?.id ?? null }, true)),
        billingReason: 'upcoming',
        period,
        startingBalance: input.customer.balance,
        hostedUrl: null,
        ...(prorationDate === undefined ? {} : { prorationDate }),
      });

    if (!input.subscription) {
      const items = input.newSubscription?.items ?? [];
      const { interval, count } = this.checkItems(items, input.customer.currency ?? null, 'subscription_details[items]');
      const trialEnd = input.newSubscription?.trialEnd ?? null;
      const period = { start: now, end: trialEnd ?? addIntervals(now, interval, count) };
      const drafts = items.map((item) => (trialEnd ? this.trialLine(item, period) : this.regularLine(item, period)));
      return build(null, drafts, now, { start: now, end: now });
    }

    const subscription = input.subscription;
    const change = input.change ?? { items: [], prorationBehavior: 'create_prorations' as const };
    if (['canceled', 'incomplete_expired'].includes(subscription.status)) throw noUpcomingInvoice(input.customer.id);
    const changesBilling = change.items.length > 0 || change.trialEnd !== undefined || change.billingCycleAnchorNow === true;
    const plan: UpdatePlan = changesBilling
      ? this.planUpdate(subscription, change, now)
      : {
          at: now,
          items: this.planned(subscription),
          prorations: [],
          cycleLines: [],
          period: this.periodOf(subscription),
          anchor: subscription.billing_cycle_anchor,
          invoiceNow: false,
          status: subscription.status,
          trialEnd: subscription.trial_end,
        };
    const pending = this.pendingDrafts(subscription.id, false);
    if (plan.invoiceNow) {
      return build(subscription, [...pending, ...plan.prorations, ...plan.cycleLines], now, { start: now, end: now }, change.prorationDate);
    }
    if (change.cancelAtPeriodEnd ?? subscription.cancel_at_period_end) throw noUpcomingInvoice(input.customer.id);
    const first = plan.items[0] as PlannedItem;
    const { interval, count } = this.interval(first.price);
    const next = { start: plan.period.end, end: nextPeriodEnd(plan.anchor, interval, count, plan.period.end) };
    const drafts = [
      ...pending,
      ...(change.prorationBehavior === 'create_prorations' ? plan.prorations : []),
      ...plan.items.map((item) => this.regularLine(item, next)),
    ];
    const invoice = build(subscription, drafts, plan.period.end, plan.period, change.prorationDate);
    invoice.next_payment_attempt = plan.period.end;
    return invoice;
  }

  /** Cancels at once (`DELETE /v1/subscriptions/:id`), optionally crediting unused time and invoicing what is pending. */
  cancelSubscription(
    subscription: Stripe.Subscription,
    options: {
      invoiceNow: boolean;
      prorate: boolean;
      comment?: string | null;
      feedback?: Stripe.Subscription.CancellationDetails.Feedback | null;
    },
  ): Stripe.Subscription {
    // Stripe answers a second cancellation as if the subscription were gone.
    if (subscription.status === 'canceled') throw StripeApiError.noSuch('subscription', subscription.id);
    const now = this.store.now();
    if (options.prorate && subscription.status !== 'trialing') {
      const period = this.periodOf(subscription);
      this.addPending(
        subscription.id,
        this.planned(subscription).map((item) => this.prorationLine(item, period, now, 'credit')),
      );
    }
    subscription.canceled_at = now;
    this.endSubscription(subscription, now, 'cancellation_requested', options);
    if (options.invoiceNow) {
      const drafts = this.pendingDrafts(subscription.id, true);
      if (drafts.length > 0) {
        const invoice = this.createInvoice(subscription, drafts, 'subscription_update', { start: now, end: now }, now);
        subscription.latest_invoice = invoice.id;
        this.attemptPayment(invoice, now);
      }
    } else {
      this.store.pendingLines.delete(subscription.id);
    }
    return subscription;
  }

  private endSubscription(
    subscription: Stripe.Subscription,
    at: number,
    reason: Stripe.Subscription.CancellationDetails.Reason,
    details: { comment?: string | null; feedback?: Stripe.Subscription.CancellationDetails.Feedback | null } = {},
  ): void {
    subscription.status = 'canceled';
    subscription.ended_at = at;
    subscription.canceled_at ??= at;
    subscription.cancellation_details = {
      comment: details.comment ?? subscription.cancellation_details?.comment ?? null,
      feedback: details.feedback ?? subscription.cancellation_details?.feedback ?? null,
      feedback_option: null,
      reason,
    };
    this.emit('customer.subscription.deleted', subscription, { at });
  }

  /**
   * The period ended at `at`: start the next one and bill it. `restartCycleNow` instead starts a fresh period at
   * `at` (the failure helper uses it to renew "now"); `forceFail` makes the charge decline once.
   */
  renew(subscription: Stripe.Subscription, at: number, options: { restartCycleNow?: boolean; forceFail?: boolean } = {}): Stripe.Invoice {
    const old = this.periodOf(subscription);
    const first = subscription.items.data[0] as Stripe.SubscriptionItem;
    const { interval, count } = this.interval(this.store.prices.get(first.price.id) ?? first.price);
    const anchor = options.restartCycleNow ? at : subscription.billing_cycle_anchor;
    const next = {
      start: at,
      end: options.restartCycleNow ? addIntervals(at, interval, count) : nextPeriodEnd(anchor, interval, count, at),
    };
    const invoiceId = newId('in');
    this.mutateSubscription(subscription, at, () => {
      for (const item of subscription.items.data) {
        item.current_period_start = next.start;
        item.current_period_end = next.end;
      }
      subscription.billing_cycle_anchor = anchor;
      if (subscription.status === 'trialing') subscription.status = 'active';
      subscription.latest_invoice = invoiceId;
    });
    const drafts = [
      ...this.pendingDrafts(subscription.id, true),
      ...this.planned(subscription).map((item) => this.regularLine(item, next)),
    ];
    const invoice = this.createInvoice(subscription, drafts, 'subscription_cycle', { start: old.start, end: Math.min(old.end, at) }, at, {
      id: invoiceId,
    });
    return this.attemptPayment(invoice, at, options.forceFail ? { forceFail: true } : {});
  }

  /** The failure helper: the subscription renews now and the card declines (invoice.payment_failed, past_due). */
  failRenewalNow(subscription: Stripe.Subscription): Stripe.Invoice {
    if (!['active', 'trialing', 'past_due'].includes(subscription.status)) {
      throw StripeApiError.invalid(
        `Subscription ${subscription.id} is ${subscription.status}; only a live subscription can renew.`,
        'subscription',
      );
    }
    return this.renew(subscription, this.store.now(), { restartCycleNow: true, forceFail: true });
  }

  // ---------------------------------------------------------------- checkout

  /** The hosted page's "Pay": validates the test card, then does what Stripe does when a session completes. */
  completeCheckout(
    session: Stripe.Checkout.Session,
    input: { email: string | null; name: string | null; card: string },
  ): Stripe.Checkout.Session {
    const now = this.store.now();
    if (session.status === 'open' && session.expires_at <= now) this.expireSession(session, now);
    if (session.status !== 'open')
      throw StripeApiError.invalid('This Checkout Session is no longer active.', undefined, 'checkout_session_inactive');
    const digits = input.card.replace(/[\s-]/g, '');
    if (!/^\d{13,19}$/.test(digits)) throw StripeApiError.invalid('Your card number is incomplete.', 'card', 'incomplete_number');
    const options = this.store.checkoutSubscriptionData.get(session.id) ?? {
      trialPeriodDays: null,
      trialEnd: null,
      metadata: {},
      description: null,
    };
    const trialEnd = options.trialEnd ?? (options.trialPeriodDays ? now + options.trialPeriodDays * DAY : null);
    const chargedNow = trialEnd === null && (session.amount_total ?? 0) > 0;
    if (DECLINING_CARDS.has(digits) || (digits === DECLINES_AFTER_ATTACHING && chargedNow)) throw StripeApiError.cardDeclined();

    const email = session.customer_email ?? input.email;
    const customer =
      typeof session.customer === 'string'
        ? this.customer(session.customer)
        : this.createCustomer({ email, name: input.name, description: null, phone: null, metadata: {} });
    if (digits === DECLINES_AFTER_ATTACHING) this.store.decliningCustomers.add(customer.id);
    const lines = this.store.checkoutLines.get(session.id) ?? [];
    const { subscription, invoice } = this.startSubscription({
      customer,
      items: lines.map((line) => ({ price: this.price(line.price), quantity: line.quantity })),
      metadata: options.metadata,
      description: options.description,
      trialEnd,
    });
    session.status = 'complete';
    session.payment_status = invoice.amount_due > 0 ? 'paid' : 'no_payment_required';
    session.customer = customer.id;
    session.customer_details = {
      address: null,
      business_name: null,
      email: customer.email ?? email,
      individual_name: null,
      name: customer.name ?? input.name,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    };
    session.subscription = subscription.id;
    session.invoice = invoice.id;
    session.amount_subtotal = invoice.subtotal;
    session.amount_total = invoice.total;
    this.emit('checkout.session.completed', session, { at: now });
    return session;
  }

  private expireIncomplete(subscription: Stripe.Subscription, at: number): void {
    this.mutateSubscription(subscription, at, () => {
      subscription.status = 'incomplete_expired';
      subscription.ended_at = at;
    });
    const invoice = typeof subscription.latest_invoice === 'string' ? this.store.invoices.get(subscription.latest_invoice) : undefined;
    if (invoice?.status === 'open') {
      invoice.status = 'void';
      invoice.status_transitions.voided_at = at;
      invoice.amount_remaining = 0;
      invoice.next_payment_attempt = null;
      this.emit('invoice.voided', invoice, { at });
    }
  }

  expireSession(session: Stripe.Checkout.Session, at: number): void {
    if (session.status !== 'open') return;
    session.status = 'expired';
    this.emit('checkout.session.expired', session, { at });
  }

  // ---------------------------------------------------------------- time

  /** Does, in time order, everything that fell due up to now. */
  runDue(): void {
    const now = this.store.now();
    for (let guard = 0; guard < 10_000; guard += 1) {
      const next = this.nextDue(now);
      if (!next) return;
      const previousRequest = this.request;
      this.request = null;
      try {
        next.run();
      } finally {
        this.request = previousRequest;
      }
    }
    throw new Error('local Stripe: runDue did not settle');
  }

  private nextDue(now: number): { at: number; run: () => void } | null {
    let best: { at: number; run: () => void } | null = null;
    const consider = (at: number, run: () => void) => {
      if (at <= now && (!best || at < best.at)) best = { at, run };
    };
    for (const session of this.store.checkoutSessions.values()) {
      if (session.status === 'open') consider(session.expires_at, () => this.expireSession(session, session.expires_at));
    }
    for (const subscription of this.store.subscriptions.values()) {
      const { status } = subscription;
      if (status === 'incomplete') {
        consider(subscription.created + INCOMPLETE_EXPIRES_AFTER, () =>
          this.expireIncomplete(subscription, subscription.created + INCOMPLETE_EXPIRES_AFTER),
        );
      }
      if (
        status === 'trialing' &&
        subscription.trial_end !== null &&
        this.store.trialWillEndSent.get(subscription.id) !== subscription.trial_end
      ) {
        const trialEnd = subscription.trial_end;
        const at = Math.max(trialEnd - TRIAL_WILL_END_LEAD, subscription.created);
        consider(at, () => {
          this.store.trialWillEndSent.set(subscription.id, trialEnd);
          this.emit('customer.subscription.trial_will_end', subscription, { at });
        });
      }
      if (status === 'active' || status === 'trialing' || status === 'past_due') {
        const end = this.periodOf(subscription).end;
        consider(end, () => {
          if (subscription.cancel_at_period_end) {
            this.endSubscription(subscription, end, 'cancellation_requested');
            this.store.pendingLines.delete(subscription.id);
          } else {
            this.renew(subscription, end);
          }
        });
      }
    }
    for (const invoice of this.store.invoices.values()) {
      const retryAt = invoice.next_payment_attempt;
      if (invoice.status === 'open' && retryAt !== null) {
        consider(retryAt, () => {
          const subscription = this.subscriptionOf(invoice);
          if (subscription?.status === 'canceled') {
            invoice.next_payment_attempt = null;
            return;
          }
          this.attemptPayment(invoice, retryAt);
        });
      }
    }
    return best;
  }
}

function noUpcomingInvoice(customer: string): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'invoice_upcoming_none',
    message: `No upcoming invoices for customer: ${customer}`,
    doc_url: 'https://stripe.com/docs/error-codes/invoice-upcoming-none',
  });
}

function isSubscription(value: unknown): value is Stripe.Subscription {
  return typeof value === 'object' && value !== null && (value as { object?: unknown }).object === 'subscription';
}

/** Stripe's `previous_attributes`: the old value of every top-level attribute that changed. */
function previousAttributes(before: object, after: object): Record<string, unknown> | undefined {
  const previous: Record<string, unknown> = {};
  const old = before as Record<string, unknown>;
  const current = after as Record<string, unknown>;
  for (const key of Object.keys(current)) {
    if (JSON.stringify(old[key]) !== JSON.stringify(current[key])) previous[key] = old[key] ?? null;
  }
  return Object.keys(previous).length > 0 ? previous : undefined;
}
