import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import Stripe from 'stripe';
import { ServiceKey, type RequestContext } from '../../shared/context.js';
import { AppError, badInput, notFound } from '../../shared/errors.js';
import { priorityRefusal } from '../entitlements/index.js';
import { changeTier, Organization } from '../organizations/index.js';
import { Ticket } from '../tickets/index.js';
import { Tier, tierCatalogue } from '../tiers/index.js';
import { OPEN_STATUSES } from '../vocabulary/index.js';
import { BillingAccount, StripeEvent } from './billing.entity.js';
import { changeKind, decideTier, type SubscriptionSnapshot } from './billing.policy.js';
import { FREE_TIER_KEY, lookupKey, PLANS, planPrices, tierOfLookupKey, type BillingInterval, type PlanDefinition } from './plans.js';
import type { StripeSettings } from './stripe-client.js';
import { parseEvent, type WellFormedEvent } from './webhook-event.js';

export interface BillingSettings extends StripeSettings {
  graceDays: number;
}

/** The Stripe client every billing use case talks to, and the billing settings; provided by the composition root. */
export const BILLING = new ServiceKey<BillingSettings>('billing.settings');

export function billingSettings(ctx: RequestContext): BillingSettings {
  return ctx.services.get(BILLING);
}

/** Stripe errors reach the client as BILLING_UNAVAILABLE (the details go to the log, not to the customer). */
async function callStripe<T>(ctx: RequestContext, what: string, run: (stripe: Stripe) => Promise<T>): Promise<T> {
  const { stripe } = billingSettings(ctx);
  try {
    return await run(stripe);
  } catch (error) {
    if (error instanceof AppError) throw error;
    ctx.log.warn({ err: error, what }, 'Stripe request failed');
    throw new AppError('BILLING_UNAVAILABLE', `Stripe did not complete "${what}"; try again in a moment.`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Plans in Stripe

export interface SyncReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/**
 * Creates or updates the products and prices of PLANS in Stripe, by product id and price lookup key. Idempotent:
 * a second run changes nothing. A changed amount creates a new price that takes the lookup key over
 * (`transfer_lookup_key`); existing subscriptions keep their old price until changed.
 */
export async function syncPlans(stripe: Stripe, tierNames: ReadonlyMap<string, string> = new Map()): Promise<SyncReport> {
  const report: SyncReport = { created: [], updated: [], unchanged: [] };
  for (const plan of PLANS) {
    const name = `Tierdesk ${tierNames.get(plan.tierKey) ?? plan.tierKey[0]!.toUpperCase() + plan.tierKey.slice(1)}`;
    const product = await stripe.products.retrieve(plan.productId).catch((error: unknown) => {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) return null;
      throw error;
    });
    if (!product) {
      await stripe.products.create({ id: plan.productId, name, metadata: { tierKey: plan.tierKey } });
      report.created.push(`product ${plan.productId}`);
    } else if (product.name !== name || !product.active) {
      await stripe.products.update(plan.productId, { name, active: true });
      report.updated.push(`product ${plan.productId}`);
    } else {
      report.unchanged.push(`product ${plan.productId}`);
    }
  }
  const wanted = planPrices();
  const existing = await stripe.prices.list({ lookup_keys: wanted.map((price) => price.lookupKey), active: true, limit: 100 });
  for (const price of wanted) {
    const plan = PLANS.find((candidate) => candidate.tierKey === price.tierKey)!;
    const current = existing.data.find((candidate) => candidate.lookup_key === price.lookupKey);
    const same =
      current &&
      current.unit_amount === price.unitAmount &&
      current.currency === price.currency &&
      current.recurring?.interval === price.interval &&
      (typeof current.product === 'string' ? current.product : current.product.id) === plan.productId;
    if (same) {
      report.unchanged.push(`price ${price.lookupKey}`);
      continue;
    }
    await stripe.prices.create({
      product: plan.productId,
      unit_amount: price.unitAmount,
      currency: price.currency,
      recurring: { interval: price.interval },
      lookup_key: price.lookupKey,
      transfer_lookup_key: Boolean(current),
      metadata: { tierKey: price.tierKey },
    });
    if (current) await stripe.prices.update(current.id, { active: false });
    (current ? report.updated : report.created).push(`price ${price.lookupKey}`);
  }
  return report;
}

async function priceFor(ctx: RequestContext, key: string): Promise<Stripe.Price> {
  const prices = await callStripe(ctx, 'find the price', (stripe) => stripe.prices.list({ lookup_keys: [key], active: true, limit: 1 }));
  const price = prices.data[0];
  if (!price) throw new AppError('BILLING_UNAVAILABLE', `The price ${key} is not set up in Stripe; run \`tierdesk billing sync-plans\`.`);
  return price;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a subscription

/** Subscription metadata that keeps the paid tier until the period ends, after a downgrade was asked for. */
const DOWNGRADE_AT = 'tierdesk_downgrade_at';
const PAID_LOOKUP_KEY = 'tierdesk_paid_lookup_key';

function firstItem(subscription: Stripe.Subscription): Stripe.SubscriptionItem {
  const item = subscription.items.data[0];
  if (!item) throw new AppError('BILLING_UNAVAILABLE', `Subscription ${subscription.id} has no items.`);
  return item;
}

/**
 * What the subscription means for the organization now. A downgrade changes the price in Stripe at once (without
 * proration) so the next renewal bills the lower price, and records in the subscription's metadata until when
 * the paid (higher) tier still applies: the tier follows the metadata until then, the price after.
 */
function snapshotOf(
  subscription: Stripe.Subscription,
  now: Date,
): SubscriptionSnapshot & { pendingLookupKey: string | null; interval: BillingInterval | null } {
  const item = firstItem(subscription);
  const itemKey = item.price.lookup_key ?? null;
  const downgradeAt = Number(subscription.metadata?.[DOWNGRADE_AT] ?? '');
  const paidKey = subscription.metadata?.[PAID_LOOKUP_KEY] || null;
  const downgradePending = Number.isFinite(downgradeAt) && downgradeAt > 0 && paidKey !== null && now.getTime() < downgradeAt * 1000;
  return {
    status: subscription.status as SubscriptionSnapshot['status'],
    priceLookupKey: downgradePending ? paidKey : itemKey,
    pendingLookupKey: downgradePending ? itemKey : null,
    currentPeriodEnd: item.current_period_end ? new Date(item.current_period_end * 1000) : null,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    interval: (item.price.recurring?.interval as BillingInterval | undefined) ?? null,
  };
}

const ENDED = new Set(['canceled', 'incomplete_expired']);

function hasLiveSubscription(account: BillingAccount | null): boolean {
  return Boolean(account?.stripeSubscriptionId && account.status && !ENDED.has(account.status));
}

/**
 * Brings the account and the organization's tier in line with the subscription, inside the caller's transaction:
 * the tier changes (with its history entry, re-timed tickets and an outbound event) only when it differs.
 */
async function applySubscription(
  tx: RequestContext,
  account: BillingAccount,
  subscription: Stripe.Subscription | null,
  reason: string,
): Promise<{ tierChanged: boolean }> {
  const { em } = tx;
  const now = tx.clock.now();
  const { graceDays } = billingSettings(tx);
  // Locked and re-read: a webhook and the mutation that caused it may both be applying the same change.
  const organization = await em.findOneOrFail(
    Organization,
    { id: account.organization.id },
    { populate: ['tier'], lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  const snapshot = subscription ? snapshotOf(subscription, now) : null;
  if (subscription && snapshot) {
    account.stripeSubscriptionId = subscription.id;
    account.status = subscription.status;
    account.priceLookupKey = snapshot.priceLookupKey;
    account.interval = snapshot.interval;
    account.currentPeriodEnd = snapshot.currentPeriodEnd;
    account.cancelAtPeriodEnd = snapshot.cancelAtPeriodEnd;
    account.pendingTierKey = snapshot.cancelAtPeriodEnd ? FREE_TIER_KEY : (tierOfLookupKey(snapshot.pendingLookupKey)?.tierKey ?? null);
    account.pendingInterval = snapshot.cancelAtPeriodEnd ? null : (tierOfLookupKey(snapshot.pendingLookupKey)?.interval ?? null);
    if (subscription.trial_start || subscription.status === 'trialing') account.trialUsed = true;
  }
  const decision = decideTier(
    snapshot,
    { tierKey: organization.tier.key, dunning: account.dunning, graceEndsAt: account.graceEndsAt },
    now,
    graceDays,
  );
  account.dunning = decision.dunning;
  account.graceEndsAt = decision.graceEndsAt;
  if (snapshot && ENDED.has(snapshot.status)) {
    account.pendingTierKey = null;
    account.pendingInterval = null;
  }
  await em.flush();
  if (decision.tierKey === organization.tier.key) return { tierChanged: false };
  await changeTier(tx, {
    organizationId: organization.id,
    tierKey: decision.tierKey,
    reason,
    details: { subscriptionId: subscription?.id ?? null, dunning: decision.dunning },
  });
  await em.flush();
  return { tierChanged: true };
}

async function retrieveSubscription(ctx: RequestContext, id: string): Promise<Stripe.Subscription> {
  return callStripe(ctx, 'read the subscription', (stripe) => stripe.subscriptions.retrieve(id));
}

// ---------------------------------------------------------------------------------------------------------------
// Status

export interface BillingStatus {
  organization: Organization;
  account: BillingAccount | null;
  testMode: boolean;
}

export async function billingStatus(ctx: RequestContext, organizationId: string): Promise<BillingStatus> {
  const organization = await ctx.em.findOne(Organization, { id: organizationId }, { populate: ['tier'] });
  if (!organization) throw notFound('Organization');
  const account = await ctx.em.findOne(BillingAccount, { organization: organizationId });
  return { organization, account, testMode: billingSettings(ctx).testMode };
}

// ---------------------------------------------------------------------------------------------------------------
// Self-serve changes (customer admins)

function paidPlan(tierKey: string): PlanDefinition {
  const plan = PLANS.find((candidate) => candidate.tierKey === tierKey);
  if (!plan) throw badInput('tierKey', `"${tierKey}" is not a paid tier (${PLANS.map((candidate) => candidate.tierKey).join(', ')}).`);
  return plan;
}

function checkUrl(field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput(field, `${field} must be an absolute http(s) URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput(field, `${field} must be an absolute http(s) URL.`);
  if (value.length > 2000) throw badInput(field, `${field} is longer than 2000 characters.`);
  return value;
}

/** The organization's Stripe customer, created (with its organization id in the metadata) on first use. */
async function ensureCustomer(ctx: RequestContext, organization: Organization): Promise<BillingAccount> {
  const existing = await ctx.em.findOne(BillingAccount, { organization: organization.id });
  if (existing) return existing;
  const customer = await callStripe(ctx, 'create the customer', (stripe) =>
    stripe.customers.create(
      { name: organization.name, metadata: { organizationId: organization.id, organizationSlug: organization.slug } },
      { idempotencyKey: `tierdesk-customer-${organization.id}` },
    ),
  );
  const account = Object.assign(new BillingAccount(), { organization, stripeCustomerId: customer.id });
  try {
    await ctx.em.persistAndFlush(account);
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    // A concurrent request created it first (same idempotency key, so the same customer).
    ctx.em.clear();
    return ctx.em.findOneOrFail(BillingAccount, { organization: organization.id });
  }
  return account;
}

async function requireOrganization(ctx: RequestContext, organizationId: string): Promise<Organization> {
  const organization = await ctx.em.findOne(Organization, { id: organizationId }, { populate: ['tier'] });
  if (!organization) throw notFound('Organization');
  return organization;
}

export interface CheckoutInput {
  tierKey: string;
  interval: BillingInterval;
  successUrl: string;
  cancelUrl: string;
}

/** A Stripe Checkout session for the first subscription; with a trial when the plan has one and none was used. */
export async function startCheckout(
  ctx: RequestContext,
  organizationId: string,
  input: CheckoutInput,
): Promise<{ url: string; sessionId: string; trialDays: number }> {
  const plan = paidPlan(input.tierKey);
  const successUrl = checkUrl('successUrl', input.successUrl);
  const cancelUrl = checkUrl('cancelUrl', input.cancelUrl);
  const organization = await requireOrganization(ctx, organizationId);
  if (organization.tier.key === plan.tierKey) {
    throw new AppError('ALREADY_ON_TIER', `${organization.name} is already on the ${organization.tier.name} tier.`, {
      field: ['input', 'tierKey'],
    });
  }
  const known = await ctx.em.findOne(BillingAccount, { organization: organization.id });
  if (hasLiveSubscription(known)) {
    throw new AppError('SUBSCRIPTION_EXISTS', `${organization.name} already has a subscription; change it with changePlan.`);
  }
  const price = await priceFor(ctx, lookupKey(plan.tierKey, input.interval));
  const account = await ensureCustomer(ctx, organization);
  const trialDays = plan.trialDays > 0 && !account.trialUsed ? plan.trialDays : 0;
  const session = await callStripe(ctx, 'start checkout', (stripe) =>
    stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: account.stripeCustomerId,
      client_reference_id: organization.id,
      line_items: [{ price: price.id, quantity: 1 }],
      metadata: { organizationId: organization.id, tierKey: plan.tierKey },
      subscription_data: { metadata: { organizationId: organization.id }, ...(trialDays ? { trial_period_days: trialDays } : {}) },
      success_url: successUrl,
      cancel_url: cancelUrl,
    }),
  );
  if (!session.url) throw new AppError('BILLING_UNAVAILABLE', 'Stripe returned a checkout session without a URL.');
  return { url: session.url, sessionId: session.id, trialDays };
}

export interface PlanChangeInput {
  tierKey: string;
  interval: BillingInterval;
}

interface PlannedChange {
  organization: Organization;
  account: BillingAccount;
  subscription: Stripe.Subscription;
  item: Stripe.SubscriptionItem;
  effective: 'NOW' | 'PERIOD_END';
  /** Null for the free tier (cancel at period end). */
  price: Stripe.Price | null;
  prorationDate: number;
}

async function tierRanks(em: EntityManager): Promise<Map<string, Tier>> {
  return new Map((await em.find(Tier, {})).map((tier) => [tier.key, tier]));
}

async function planChange(ctx: RequestContext, organizationId: string, input: PlanChangeInput): Promise<PlannedChange> {
  if (input.tierKey !== FREE_TIER_KEY) paidPlan(input.tierKey);
  const organization = await requireOrganization(ctx, organizationId);
  const account = await ctx.em.findOne(BillingAccount, { organization: organization.id });
  if (!account || !hasLiveSubscription(account)) {
    throw new AppError('NO_SUBSCRIPTION', `${organization.name} has no subscription yet; start one with startCheckout.`);
  }
  const subscription = await retrieveSubscription(ctx, account.stripeSubscriptionId!);
  if (subscription.status !== 'active' && subscription.status !== 'trialing') {
    throw new AppError(
      'SUBSCRIPTION_NOT_ACTIVE',
      `The subscription is ${subscription.status.replace('_', ' ')}; settle it in the billing portal first.`,
    );
  }
  const snapshot = snapshotOf(subscription, ctx.clock.now());
  const item = firstItem(subscription);
  const current = tierOfLookupKey(snapshot.priceLookupKey);
  const targetKey = input.tierKey === FREE_TIER_KEY ? null : lookupKey(input.tierKey, input.interval);
  const ranks = await tierRanks(ctx.em);
  const target = ranks.get(input.tierKey);
  if (!target) throw badInput('tierKey', `There is no tier "${input.tierKey}".`);
  const currentTier = ranks.get(current?.tierKey ?? organization.tier.key) ?? organization.tier;
  if (targetKey === snapshot.priceLookupKey && !snapshot.pendingLookupKey && !snapshot.cancelAtPeriodEnd) {
    throw new AppError(
      'ALREADY_ON_TIER',
      `${organization.name} is already on ${currentTier.name} (${input.interval === 'month' ? 'monthly' : 'annual'}).`,
      { field: ['input', 'tierKey'] },
    );
  }
  const kind = changeKind(currentTier.rank, target.rank);
  // Same tier: monthly to annual bills now (a longer commitment); annual to monthly waits for the period end.
  const effective = kind === 'UPGRADE' || (kind === 'SAME' && input.interval === 'year') ? 'NOW' : 'PERIOD_END';
  const price = targetKey ? await priceFor(ctx, targetKey) : null;
  return { organization, account, subscription, item, effective, price, prorationDate: Math.floor(ctx.clock.now().getTime() / 1000) };
}

export interface PlanPreview {
  amountDue: number;
  currency: string;
  effective: 'NOW' | 'PERIOD_END';
  effectiveAt: Date | null;
  lines: { description: string; amount: number }[];
}

/** What changing the plan would cost: the prorated invoice billed at once (upgrade), or the next renewal (downgrade). */
export async function previewPlanChange(ctx: RequestContext, organizationId: string, input: PlanChangeInput): Promise<PlanPreview> {
  const change = await planChange(ctx, organizationId, input);
  const periodEnd = change.item.current_period_end ? new Date(change.item.current_period_end * 1000) : null;
  if (change.effective === 'PERIOD_END') {
    const amount = change.price?.unit_amount ?? 0;
    const description = change.price
      ? `${input.tierKey} (${input.interval === 'month' ? 'monthly' : 'annual'}) from the next period`
      : `${FREE_TIER_KEY} (free) from the next period`;
    return {
      amountDue: amount,
      currency: change.price?.currency ?? 'usd',
      effective: 'PERIOD_END',
      effectiveAt: periodEnd,
      lines: [{ description, amount }],
    };
  }
  const invoice = await callStripe(ctx, 'preview the change', (stripe) =>
    stripe.invoices.createPreview({
      customer: change.account.stripeCustomerId,
      subscription: change.subscription.id,
      subscription_details: {
        items: [{ id: change.item.id, price: change.price!.id }],
        proration_behavior: 'always_invoice',
        proration_date: change.prorationDate,
      },
    }),
  );
  return {
    amountDue: invoice.amount_due,
    currency: invoice.currency,
    effective: 'NOW',
    effectiveAt: ctx.clock.now(),
    lines: invoice.lines.data.map((line) => ({ description: line.description ?? '', amount: line.amount })),
  };
}

/** A lower tier must allow the priorities of the organization's open tickets, or they would lose their SLA. */
async function assertDowngradeAllowed(ctx: RequestContext, organization: Organization, tierKey: string): Promise<void> {
  const catalogue = await tierCatalogue(ctx);
  const entry = catalogue.find((candidate) => candidate.tier.key === tierKey);
  if (!entry) throw badInput('tierKey', `There is no tier "${tierKey}".`);
  const open = await ctx.em.find(
    Ticket,
    { organization: organization.id, status: { $in: OPEN_STATUSES } },
    { orderBy: { number: 'asc' }, limit: 500 },
  );
  const blocking = open.filter((ticket) => priorityRefusal(entry.entitlements, catalogue, ticket.priority) !== null);
  if (!blocking.length) return;
  const named = blocking
    .slice(0, 10)
    .map((ticket) => `#${ticket.number} (${ticket.priority})`)
    .join(', ');
  throw new AppError(
    'DOWNGRADE_BLOCKED',
    `The ${entry.tier.name} tier does not allow the priority of these open tickets: ${named}${blocking.length > 10 ? ` and ${blocking.length - 10} more` : ''}. Solve them or lower their priority first.`,
    { field: ['input', 'tierKey'], tickets: blocking.map((ticket) => ticket.number) },
  );
}

/**
 * Changes the subscription. An upgrade is billed now (prorated, `always_invoice`) and the tier follows at once; a
 * downgrade keeps the paid tier until the period ends (see `snapshotOf`), then the lower price renews.
 */
export async function changePlan(ctx: RequestContext, organizationId: string, input: PlanChangeInput): Promise<BillingStatus> {
  const change = await planChange(ctx, organizationId, input);
  const { subscription, item } = change;
  let updated: Stripe.Subscription;
  if (change.effective === 'NOW') {
    updated = await callStripe(ctx, 'change the plan', (stripe) =>
      stripe.subscriptions.update(
        subscription.id,
        {
          items: [{ id: item.id, price: change.price!.id }],
          proration_behavior: 'always_invoice',
          proration_date: change.prorationDate,
          cancel_at_period_end: false,
          metadata: { [DOWNGRADE_AT]: '', [PAID_LOOKUP_KEY]: '' },
        },
        { idempotencyKey: `tierdesk-change-${subscription.id}-${change.price!.id}-${change.prorationDate}` },
      ),
    );
  } else {
    await assertDowngradeAllowed(ctx, change.organization, input.tierKey);
    const paidKey = snapshotOf(subscription, ctx.clock.now()).priceLookupKey ?? item.price.lookup_key ?? '';
    updated = await callStripe(ctx, 'schedule the downgrade', (stripe) =>
      change.price
        ? stripe.subscriptions.update(subscription.id, {
            items: [{ id: item.id, price: change.price.id }],
            proration_behavior: 'none',
            cancel_at_period_end: false,
            metadata: { [DOWNGRADE_AT]: String(item.current_period_end), [PAID_LOOKUP_KEY]: paidKey },
          })
        : stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true }),
    );
  }
  const reason = `Plan change to ${input.tierKey} (${input.interval === 'month' ? 'monthly' : 'annual'}) by the organization`;
  await ctx.transaction(async (tx) => {
    const account = await tx.em.findOneOrFail(
      BillingAccount,
      { id: change.account.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    await applySubscription(tx, account, updated, reason);
  });
  ctx.em.clear();
  return billingStatus(ctx, organizationId);
}

export async function openBillingPortal(ctx: RequestContext, organizationId: string, returnUrl: string): Promise<{ url: string }> {
  const url = checkUrl('returnUrl', returnUrl);
  const account = await ctx.em.findOne(BillingAccount, { organization: organizationId });
  if (!account) throw new AppError('NO_SUBSCRIPTION', 'There is no billing account yet; start a subscription with startCheckout.');
  const session = await callStripe(ctx, 'open the billing portal', (stripe) =>
    stripe.billingPortal.sessions.create({ customer: account.stripeCustomerId, return_url: url }),
  );
  return { url: session.url };
}

// ---------------------------------------------------------------------------------------------------------------
// Dunning: the end of a grace period, without waiting for a Stripe event

export const GRACE_ENDED_REASON = 'Grace period ended after a failed payment';

export interface GraceExpiryReport {
  checked: number;
  downgraded: { organizationId: string; fromTier: string }[];
}

/**
 * Ends the grace periods that have run out: for each account in dunning GRACE whose `graceEndsAt` has passed,
 * re-reads the subscription from Stripe and applies `decideTier` with now, in one transaction per account (the
 * account row locked and re-read, so a webhook applying the same change meanwhile is seen). A subscription that was
 * paid meanwhile clears the dunning; otherwise the organization moves to the free tier through `changeTier` and the
 * account shows dunning DOWNGRADED. Idempotent: a downgraded account is no longer in GRACE.
 * `em` must see every tenant (`allTenants`).
 */
export async function expireGracePeriods(ctx: RequestContext): Promise<GraceExpiryReport> {
  const now = ctx.clock.now();
  const due = await ctx.em
    .fork({ clear: true })
    .find(BillingAccount, { dunning: 'GRACE', graceEndsAt: { $lte: now } }, { orderBy: { graceEndsAt: 'asc', id: 'asc' }, fields: ['id'] });
  const report: GraceExpiryReport = { checked: due.length, downgraded: [] };
  for (const { id } of due) {
    try {
      await ctx.transaction(async (tx) => {
        const account = await tx.em.findOne(BillingAccount, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
        // Re-checked under the lock: a webhook (or another runner) may have settled it meanwhile.
        if (!account || account.dunning !== 'GRACE' || !account.graceEndsAt || account.graceEndsAt > now) return;
        const subscription = account.stripeSubscriptionId ? await retrieveSubscription(tx, account.stripeSubscriptionId) : null;
        const organization = await tx.em.findOneOrFail(Organization, { id: account.organization.id }, { populate: ['tier'] });
        const fromTier = organization.tier.key;
        const { tierChanged } = await applySubscription(tx, account, subscription, GRACE_ENDED_REASON);
        if (tierChanged) report.downgraded.push({ organizationId: organization.id, fromTier });
      });
    } catch (error) {
      // One account's failure (Stripe unreachable) does not hold the others up; the next pass retries it.
      ctx.log.warn({ err: error, billingAccount: id }, 'grace expiry failed for an account');
    }
  }
  if (report.downgraded.length) ctx.log.info({ organizations: report.downgraded.length }, 'grace periods ended; moved to the free tier');
  return report;
}

// ---------------------------------------------------------------------------------------------------------------
// Webhooks

export type WebhookOutcome =
  | { status: 400; body: { error: { code: string; message: string } } }
  | { status: 200; body: { received: true; result: 'applied' | 'duplicate' | 'ignored'; tierChanged?: boolean } };

function refused(code: string, message: string): WebhookOutcome {
  return { status: 400, body: { error: { code, message } } };
}

const IGNORED: WebhookOutcome = { status: 200, body: { received: true, result: 'ignored' } };

/** How far a signature's timestamp may be from now, in either direction: Stripe's own default. */
const TOLERANCE_SECONDS = 300;

/**
 * The header's timestamp read as the SDK reads it (the last `t=`, through `parseInt`), so that once the SDK has
 * verified the signature this is the timestamp the signature covers.
 */
function signedAt(header: string): number {
  let timestamp = Number.NaN;
  for (const item of header.split(',')) {
    const [key, value] = item.split('=');
    if (key === 't') timestamp = parseInt(value ?? '', 10);
  }
  return timestamp;
}

/**
 * Verifies the signature (5 minutes' tolerance either way) and the event's shape (`parseEvent`). The event comes
 * back wrapped, so that no field of a signed body can be taken for a refusal's `status`.
 */
export function verifyWebhook(
  raw: string,
  signature: string | undefined,
  secret: string,
  now = Date.now(),
): { event: WellFormedEvent } | WebhookOutcome {
  if (!signature) return refused('SIGNATURE_MISSING', 'The Stripe-Signature header is missing.');
  const stale = refused('SIGNATURE_STALE', 'The signature timestamp is outside the 5-minute tolerance (before or after now).');
  let body: unknown;
  try {
    body = Stripe.webhooks.constructEvent(raw, signature, secret, TOLERANCE_SECONDS, undefined, now);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      return /tolerance/i.test(error.message) ? stale : refused('SIGNATURE_INVALID', 'The signature does not match the payload.');
    }
    return refused('MALFORMED_PAYLOAD', 'The payload is not a Stripe event (invalid JSON).');
  }
  // The SDK refuses only timestamps older than the tolerance (stripe-node `validateComputedSignature` checks
  // `now - t > tolerance`, which a future or non-numeric `t` passes), so a signature dated in the future would stay
  // replayable until that time plus 5 minutes, and one with `t=NaN` for ever.
  if (!(Math.abs(Math.floor(now / 1000) - signedAt(signature)) <= TOLERANCE_SECONDS)) return stale;
  const parsed = parseEvent(body);
  if (parsed.kind === 'malformed') return refused('EVENT_MALFORMED', parsed.message);
  return { event: parsed };
}

/** A string that cannot be an organization's id would make PostgreSQL refuse the query: it names no organization. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Applies one verified event: finds the organization, re-reads the subscription from Stripe (so the order in which
 * events arrive does not matter), and updates the account and the tier in one transaction with the event's id.
 */
export async function handleStripeEvent(ctx: RequestContext, verified: WellFormedEvent): Promise<WebhookOutcome> {
  if (verified.kind === 'ignored') return IGNORED;
  const { event, refs } = verified;
  if (await ctx.em.findOne(StripeEvent, { id: event.id })) return { status: 200, body: { received: true, result: 'duplicate' } };
  let account = refs.customerId ? await ctx.em.findOne(BillingAccount, { stripeCustomerId: refs.customerId }) : null;
  if (!account && refs.customerId) {
    const customerId = refs.customerId;
    // A customer made elsewhere (the dashboard): the organization id must be in its metadata. One Stripe does not
    // know (another account's, a test payload's) is about no organization of ours, and a retry would not change that.
    const customer = await callStripe(ctx, 'read the customer', (stripe) =>
      stripe.customers.retrieve(customerId).catch((error: unknown) => {
        if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) return null;
        throw error;
      }),
    );
    const organizationId =
      (!customer || ('deleted' in customer && customer.deleted) ? null : (customer as Stripe.Customer).metadata?.organizationId) ??
      refs.organizationId;
    const organization = organizationId && UUID.test(organizationId) ? await ctx.em.findOne(Organization, { id: organizationId }) : null;
    if (organization) {
      account =
        (await ctx.em.findOne(BillingAccount, { organization: organization.id })) ??
        Object.assign(new BillingAccount(), { organization, stripeCustomerId: refs.customerId });
      await ctx.em.persistAndFlush(account);
    }
  }
  if (!account) {
    ctx.log.warn({ customer: refs.customerId }, 'Stripe event for no known organization; ignored');
    return IGNORED;
  }
  const accountId = account.id;
  try {
    let tierChanged = false;
    await ctx.transaction(async (tx) => {
      const { em } = tx;
      em.persist(
        Object.assign(new StripeEvent(), {
          id: event.id,
          type: event.type,
          organizationId: account.organization.id,
          processedAt: tx.clock.now(),
        }),
      );
      await em.flush();
      const locked = await em.findOneOrFail(BillingAccount, { id: accountId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      // The account's own subscription wins over an event about an older, ended one.
      const subscriptionId =
        hasLiveSubscription(locked) && locked.stripeSubscriptionId !== refs.subscriptionId
          ? locked.stripeSubscriptionId
          : (refs.subscriptionId ?? locked.stripeSubscriptionId);
      const subscription = subscriptionId ? await retrieveSubscription(tx, subscriptionId) : null;
      if (!subscription) return;
      ({ tierChanged } = await applySubscription(tx, locked, subscription, `Stripe ${event.type} (${event.id})`));
    });
    return { status: 200, body: { received: true, result: 'applied', tierChanged } };
  } catch (error) {
    // The same event delivered twice at once: the other delivery recorded (and applied) it.
    if (error instanceof UniqueConstraintViolationException) return { status: 200, body: { received: true, result: 'duplicate' } };
    throw error;
  }
}
