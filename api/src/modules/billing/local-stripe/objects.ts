/**
 * Builders for every object the server returns. Each starts from Stripe's fixture (fixtures.ts) and overwrites
 * what state decides; fields the fixture fills with sample data that a fresh test-mode object would not have
 * (discounts, pending updates, transfer data, package dimensions…) are reset to what Stripe returns for a plain
 * object. The result types are the SDK's, so tsc checks the shape against stripe@23's API version.
 */
import type Stripe from 'stripe';
import { fixture, wireDecimal } from './fixtures.js';
import { newId } from './store.js';

export const LOCAL_ACCOUNT_NAME = 'Tierdesk (local Stripe)';

export interface CustomerFields {
  email: string | null;
  name: string | null;
  description: string | null;
  phone: string | null;
  metadata: Record<string, string>;
}

export function buildCustomer(now: number, fields: CustomerFields): Stripe.Customer {
  const base = fixture('customer');
  return {
    ...base,
    object: 'customer',
    id: newId('cus', 14),
    created: now,
    address: null,
    currency: null,
    discount: null,
    email: fields.email,
    name: fields.name,
    description: fields.description,
    phone: fields.phone,
    metadata: fields.metadata,
    invoice_prefix: newId('x', 8).slice(2).toUpperCase(),
    next_invoice_sequence: 1,
    shipping: null,
    invoice_settings: { ...base.invoice_settings, custom_fields: null, default_payment_method: null, footer: null },
  };
}

export interface ProductFields {
  name: string;
  active: boolean;
  description: string | null;
  metadata: Record<string, string>;
  defaultPrice: string | null;
  marketingFeatures: string[];
  statementDescriptor: string | null;
  unitLabel: string | null;
  url: string | null;
  images: string[];
}

export function buildProduct(now: number, id: string, fields: ProductFields): Stripe.Product {
  return {
    ...fixture('product'),
    object: 'product',
    id,
    created: now,
    updated: now,
    active: fields.active,
    name: fields.name,
    description: fields.description,
    metadata: fields.metadata,
    default_price: fields.defaultPrice,
    images: fields.images,
    marketing_features: fields.marketingFeatures.map((name) => ({ name })),
    package_dimensions: null,
    shippable: null,
    statement_descriptor: fields.statementDescriptor,
    tax_details: null,
    type: 'service',
    unit_label: fields.unitLabel,
    url: fields.url,
  };
}

export interface PriceFields {
  product: string;
  currency: string;
  unitAmount: number;
  active: boolean;
  lookupKey: string | null;
  nickname: string | null;
  metadata: Record<string, string>;
  recurring: { interval: Stripe.Price.Recurring.Interval; intervalCount: number; trialPeriodDays: number | null } | null;
  taxBehavior: Stripe.Price.TaxBehavior;
}

export function buildPrice(now: number, fields: PriceFields): Stripe.Price {
  const base = fixture('price');
  return {
    ...base,
    object: 'price',
    id: newId('price'),
    created: now,
    active: fields.active,
    currency: fields.currency,
    custom_unit_amount: null,
    lookup_key: fields.lookupKey,
    metadata: fields.metadata,
    nickname: fields.nickname,
    product: fields.product,
    recurring: fields.recurring && {
      ...base.recurring,
      interval: fields.recurring.interval,
      interval_count: fields.recurring.intervalCount,
      meter: null,
      trial_period_days: fields.recurring.trialPeriodDays,
      usage_type: 'licensed',
    },
    tax_behavior: fields.taxBehavior,
    transform_quantity: null,
    type: fields.recurring ? 'recurring' : 'one_time',
    unit_amount: fields.unitAmount,
    unit_amount_decimal: wireDecimal(fields.unitAmount),
  };
}

/** The legacy `plan` Stripe still embeds in subscription items, derived from the item's price. */
export function planFromPrice(price: Stripe.Price): Stripe.Plan {
  return {
    ...fixture('plan'),
    object: 'plan',
    id: price.id,
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? 'month',
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: typeof price.product === 'string' ? price.product : price.product.id,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: price.recurring?.trial_period_days ?? null,
    usage_type: 'licensed',
  };
}

export function buildSubscriptionItem(
  now: number,
  subscription: string,
  price: Stripe.Price,
  quantity: number,
  period: { start: number; end: number },
  metadata: Record<string, string> = {},
): Stripe.SubscriptionItem {
  return {
    ...fixture('subscription_item'),
    object: 'subscription_item',
    id: newId('si', 14),
    created: now,
    billing_thresholds: null,
    current_period_start: period.start,
    current_period_end: period.end,
    current_trial: null,
    discounts: [],
    metadata,
    plan: planFromPrice(price),
    price,
    quantity,
    subscription,
    tax_rates: [],
  };
}

export interface SubscriptionFields {
  id: string;
  customer: string;
  currency: string;
  items: Stripe.SubscriptionItem[];
  metadata: Record<string, string>;
  description: string | null;
  trial: { start: number; end: number } | null;
  billingCycleAnchor: number;
}

export function buildSubscription(now: number, fields: SubscriptionFields): Stripe.Subscription {
  const base = fixture('subscription');
  return {
    ...base,
    object: 'subscription',
    id: fields.id,
    created: now,
    start_date: now,
    automatic_tax: { enabled: false, liability: null, disabled_reason: null },
    billing_cycle_anchor: fields.billingCycleAnchor,
    billing_cycle_anchor_config: null,
    billing_mode: { type: 'classic', flexible: null },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    currency: fields.currency,
    customer: fields.customer,
    description: fields.description,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: 'self' } },
    items: { object: 'list', data: fields.items, has_more: false, url: `/v1/subscription_items?subscription=${fields.id}` },
    latest_invoice: null,
    managed_payments: null,
    metadata: fields.metadata,
    next_pending_invoice_item_invoice: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    status: fields.trial ? 'trialing' : 'active',
    transfer_data: null,
    trial_start: fields.trial?.start ?? null,
    trial_end: fields.trial?.end ?? null,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' } },
  };
}

export interface InvoiceLineFields {
  invoice: string | null;
  subscription: string | null;
  subscriptionItem: string;
  price: Stripe.Price;
  quantity: number;
  amount: number;
  description: string;
  period: { start: number; end: number };
  proration: boolean;
  /** The pending invoice item a proration came from (Stripe sets `invoice_item` for those). */
  invoiceItem: string | null;
}

/** `preview` lines get Stripe's temporary `il_tmp_` ids. */
export function buildInvoiceLine(fields: InvoiceLineFields, preview = false): Stripe.InvoiceLineItem {
  const product = typeof fields.price.product === 'string' ? fields.price.product : fields.price.product.id;
  return {
    ...fixture('line_item'),
    object: 'line_item',
    id: newId(preview ? 'il_tmp' : 'il'),
    amount: fields.amount,
    currency: fields.price.currency,
    description: fields.description,
    discount_amounts: [],
    discountable: !fields.proration,
    discounts: [],
    invoice: fields.invoice,
    metadata: {},
    parent: {
      type: 'subscription_item_details',
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: fields.invoiceItem,
        proration: fields.proration,
        proration_details: { credited_items: null },
        subscription: fields.subscription,
        subscription_item: fields.subscriptionItem,
      },
    },
    period: fields.period,
    pretax_credit_amounts: [],
    pricing: {
      type: 'price_details',
      price_details: { price: fields.price.id, product },
      unit_amount_decimal: fields.price.unit_amount_decimal,
    },
    quantity: fields.quantity,
    quantity_decimal: wireDecimal(fields.quantity),
    subscription: fields.subscription,
    subtotal: fields.amount,
    taxes: [],
  };
}

export interface InvoiceFields {
  id: string;
  customer: Stripe.Customer;
  /** null only for the preview of a subscription that does not exist yet */
  subscription: string | null;
  subscriptionMetadata: Record<string, string>;
  currency: string;
  lines: Stripe.InvoiceLineItem[];
  billingReason: Stripe.Invoice.BillingReason;
  period: { start: number; end: number };
  startingBalance: number;
  hostedUrl: string | null;
  prorationDate?: number;
}

/** A draft invoice: totals from the lines, the customer's balance applied. Finalizing and paying is the engine's. */
export function buildInvoice(now: number, fields: InvoiceFields): Stripe.Invoice {
  const base = fixture('invoice');
  const subtotal = fields.lines.reduce((sum, line) => sum + line.amount, 0);
  const afterBalance = subtotal + fields.startingBalance;
  const amountDue = Math.max(0, afterBalance);
  const invoice: Stripe.Invoice = {
    ...base,
    object: 'invoice',
    id: fields.id,
    created: now,
    account_country: 'US',
    account_name: LOCAL_ACCOUNT_NAME,
    account_tax_ids: null,
    amount_due: amountDue,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: amountDue,
    amount_shipping: 0,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { enabled: false, liability: null, status: null, disabled_reason: null, provider: null },
    billing_reason: fields.billingReason,
    collection_method: 'charge_automatically',
    currency: fields.currency,
    custom_fields: null,
    customer: fields.customer.id,
    customer_address: null,
    customer_email: fields.customer.email,
    customer_name: fields.customer.name ?? null,
    customer_phone: fields.customer.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    // Stripe sets the ending balance when the invoice finalizes; a credit left over stays with the customer.
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: fields.hostedUrl,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: fields.lines, has_more: false, url: `/v1/invoices/${fields.id}/lines` },
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: fields.subscription
      ? {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: {
            metadata: fields.subscriptionMetadata,
            subscription: fields.subscription,
            ...(fields.prorationDate === undefined ? {} : { subscription_proration_date: fields.prorationDate }),
          },
        }
      : null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_start: fields.period.start,
    period_end: fields.period.end,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: fields.startingBalance,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal,
    subtotal_excluding_tax: subtotal,
    test_clock: null,
    total: subtotal,
    total_discount_amounts: [],
    total_excluding_tax: subtotal,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
    automatically_finalizes_at: null,
    customer_account: null,
  };
  // The fixture still carries the pre-2025 top-level `subscription`; the SDK's API version moved it to
  // `parent.subscription_details.subscription`, so we send what the SDK's types describe.
  delete (invoice as unknown as Record<string, unknown>).subscription;
  return invoice;
}

export interface CheckoutSessionFields {
  id: string;
  url: string;
  customer: string | null;
  customerEmail: string | null;
  clientReferenceId: string | null;
  currency: string;
  amountSubtotal: number;
  amountTotal: number;
  metadata: Record<string, string>;
  successUrl: string | null;
  cancelUrl: string | null;
  expiresAt: number;
  locale: Stripe.Checkout.Session.Locale | null;
}

export function buildCheckoutSession(now: number, fields: CheckoutSessionFields): Stripe.Checkout.Session {
  const base = fixture('checkout.session');
  return {
    ...base,
    object: 'checkout.session',
    id: fields.id,
    created: now,
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: fields.amountSubtotal,
    amount_total: fields.amountTotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: fields.cancelUrl,
    client_reference_id: fields.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    currency: fields.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: fields.customer,
    customer_creation: fields.customer ? null : 'always',
    customer_details: null,
    customer_email: fields.customerEmail,
    discounts: [],
    expires_at: fields.expiresAt,
    invoice: null,
    invoice_creation: null,
    locale: fields.locale,
    managed_payments: null,
    metadata: fields.metadata,
    mode: 'subscription',
    payment_intent: null,
    payment_method_collection: 'always',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    permissions: null,
    recovered_from: null,
    saved_payment_method_options: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: fields.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted_page',
    url: fields.url,
    wallet_options: null,
  };
}

export function buildCheckoutLineItem(id: string, price: Stripe.Price, productName: string, quantity: number): Stripe.LineItem {
  const amount = (price.unit_amount ?? 0) * quantity;
  return {
    ...fixture('item'),
    object: 'item',
    id,
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency: price.currency,
    description: productName,
    metadata: {},
    price,
    quantity,
  };
}

export function buildPortalSession(
  now: number,
  fields: { id: string; customer: string; returnUrl: string | null; url: string; locale: Stripe.BillingPortal.Session.Locale | null },
): Stripe.BillingPortal.Session {
  return {
    ...fixture('billing_portal.session'),
    object: 'billing_portal.session',
    id: fields.id,
    created: now,
    configuration: 'bpc_local_default',
    customer: fields.customer,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: fields.locale,
    on_behalf_of: null,
    return_url: fields.returnUrl,
    url: fields.url,
  };
}

export function buildEvent(
  now: number,
  apiVersion: string,
  type: Stripe.Event.Type,
  object: unknown,
  previousAttributes: Record<string, unknown> | undefined,
  request: { id: string | null; idempotency_key: string | null } | null,
): Stripe.Event {
  const base = fixture('event');
  // Stripe's Event is a union keyed by `type`; the object matches the type by construction in the engine.
  return {
    ...base,
    id: newId('evt'),
    created: now,
    api_version: apiVersion,
    data: {
      object: object as Stripe.Event['data']['object'],
      ...(previousAttributes ? { previous_attributes: previousAttributes } : {}),
    },
    livemode: false,
    pending_webhooks: 0,
    request: request ?? { id: null, idempotency_key: null },
    type,
  } as Stripe.Event;
}
