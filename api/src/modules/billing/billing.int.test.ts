import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, TEST_WEBHOOK_SECRET, type TestApi } from '../../../../test/support/api.js';
import { FixedClock } from '../../shared/clock.js';
import { OutboundEvent } from '../outbox/index.js';
import { Organization, TierChange } from '../organizations/index.js';
import { Ticket } from '../tickets/index.js';
import { TicketStatus } from '../vocabulary/index.js';
import { TicketClock } from '../sla/index.js';
import { BillingAccount, StripeEvent } from './billing.entity.js';
import { expireGracePeriods, GRACE_ENDED_REASON } from './billing.service.js';

const DAY = 86_400;
/** README: the webhook verifies the raw body, at most 1 MiB. */
const WEBHOOK_BODY_LIMIT = 1024 * 1024;
let api: TestApi;
let stripe: Stripe;
let richard: string; // piedpiper admin (community)
let ada: string; // initech admin (growth)
let peter: string; // initech member

const STATUS = '{ billingStatus { tierKey status interval pendingTierKey dunning graceEndsAt trialUsed testMode } }';
const CHECKOUT = 'mutation($input: StartCheckoutInput!) { startCheckout(input: $input) { url trialDays userErrors { code message } } }';
const PREVIEW =
  'mutation($tier: String!, $interval: BillingInterval!) { previewPlanChange(tierKey: $tier, interval: $interval) { preview { amountDue currency effective lines { amount } } userErrors { code message } } }';
const CHANGE =
  'mutation($input: ChangePlanInput!) { changePlan(input: $input) { billing { tierKey pendingTierKey status } userErrors { code message } } }';

async function status(token: string) {
  const result = await gql(api.url, STATUS, {}, token);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.billingStatus;
}

async function checkout(token: string, tierKey: string, interval: 'MONTH' | 'YEAR') {
  const result = await gql(
    api.url,
    CHECKOUT,
    { input: { tierKey, interval, successUrl: 'https://app.example/ok', cancelUrl: 'https://app.example/no' } },
    token,
  );
  return result.data!.startCheckout as { url: string | null; trialDays: number | null; userErrors: { code: string }[] };
}

async function completeCheckout(url: string): Promise<void> {
  const id = /\/checkout\/([^/?#]+)/.exec(url)![1]!;
  const response = await fetch(`${api.stripe!.url}/__local/checkout/sessions/${id}/complete`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_local' },
  });
  expect(response.status).toBe(200);
  await api.stripe!.waitForDelivery('checkout.session.completed', {
    where: (event) => (event.data.object as Stripe.Checkout.Session).id === id,
  });
  await api.stripe!.idle();
}

async function tierOf(slug: string): Promise<string> {
  const em = api.orm.em.fork();
  em.setFilterParams('tenant', { allTenants: true });
  return (await em.findOneOrFail(Organization, { slug }, { populate: ['tier'] })).tier.key;
}

function systemEm() {
  const em = api.orm.em.fork();
  em.setFilterParams('tenant', { allTenants: true });
  return em;
}

function localHelper(path: string, body?: string) {
  return fetch(`${api.stripe!.url}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_local', 'content-type': 'application/x-www-form-urlencoded' },
    ...(body === undefined ? {} : { body }),
  });
}

function subscriptionOfInvoice(event: Stripe.Event): string | null {
  const parent = (event.data.object as Stripe.Invoice).parent?.subscription_details?.subscription;
  return typeof parent === 'string' ? parent : (parent?.id ?? null);
}

function postWebhook(body: string, signature: string | null) {
  return fetch(`${api.origin}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    body,
  });
}

beforeAll(async () => {
  // Frozen time (moved only by advanceTime): the grace arithmetic is exact.
  api = await startTestApi({ billing: true, stripeClock: new FixedClock(new Date(Math.floor(Date.now() / 1000) * 1000)) });
  stripe = new Stripe('sk_test_local', api.stripe!.sdkConfig);
  [richard, ada, peter] = await Promise.all([
    signIn(api.url, 'richard@piedpiper.example'),
    signIn(api.url, 'ada@initech.example'),
    signIn(api.url, 'peter@initech.example'),
  ]);
});

afterAll(async () => {
  await api?.stop();
});

describe('billing', () => {
  it('lists the paid plans publicly with prices, trial days and entitlements', async () => {
    const result = await gql(
      api.url,
      '{ plans { tier { key entitlements { allowedPriorities } } monthlyPrice annualPrice currency trialDays } }',
    );
    expect(result.data!.plans.map((plan: { tier: { key: string } }) => plan.tier.key)).toEqual(['growth', 'business', 'enterprise']);
    expect(result.data!.plans[0]).toMatchObject({ monthlyPrice: 4900, annualPrice: 49000, currency: 'usd', trialDays: 14 });
    expect(result.data!.plans[0].tier.entitlements.allowedPriorities.length).toBeGreaterThan(0);
  });

  it('refuses startCheckout to a member who is not an admin, and the current tier with a userError', async () => {
    const member = await gql(
      api.url,
      CHECKOUT,
      { input: { tierKey: 'business', interval: 'MONTH', successUrl: 'https://a.example', cancelUrl: 'https://a.example' } },
      peter,
    );
    expect(member.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await checkout(ada, 'growth', 'MONTH')).userErrors.map((error) => error.code)).toEqual(['ALREADY_ON_TIER']);
  });

  it('moves piedpiper from community to growth through checkout (trial), with tier history, re-timed tickets and an event', async () => {
    const em = systemEm();
    const organization = await em.findOneOrFail(Organization, { slug: 'piedpiper' });
    const open = await em.find(Ticket, { organization: organization.id, status: { $ne: TicketStatus.CLOSED } }, { fields: ['id'] });
    const clocksOf = (check: ReturnType<typeof systemEm>) =>
      check.find(TicketClock, { ticket: { $in: open.map((ticket) => ticket.id) } }, { orderBy: { kind: 'asc' } });
    const targets = (clocks: TicketClock[]) => clocks.map(({ kind, status, targetMinutes }) => ({ kind, status, targetMinutes }));
    // Piedpiper's one seeded open ticket (NORMAL, answered): community's targets are 24 h to respond, 5 days to resolve.
    const clocksBefore = await clocksOf(em);
    expect(targets(clocksBefore)).toEqual([
      { kind: 'FIRST_RESPONSE', status: 'MET', targetMinutes: 1440 },
      { kind: 'RESOLUTION', status: 'ACTIVE', targetMinutes: 7200 },
    ]);
    const started = await checkout(richard, 'growth', 'MONTH');
    expect(started.userErrors).toEqual([]);
    expect(started.trialDays).toBe(14);
    await completeCheckout(started.url!);

    expect(await tierOf('piedpiper')).toBe('growth');
    // Re-timed with the tier change: growth's targets (8 h, 2 days), so the resolution is due sooner.
    const clocksAfter = await clocksOf(systemEm());
    expect(targets(clocksAfter)).toEqual([
      { kind: 'FIRST_RESPONSE', status: 'MET', targetMinutes: 480 },
      { kind: 'RESOLUTION', status: 'ACTIVE', targetMinutes: 2880 },
    ]);
    expect(clocksAfter[1]!.dueAt!.getTime()).toBeLessThan(clocksBefore[1]!.dueAt!.getTime());
    expect(await status(richard)).toMatchObject({
      tierKey: 'growth',
      status: 'trialing',
      interval: 'MONTH',
      dunning: 'NONE',
      trialUsed: true,
      testMode: true,
    });
    const check = systemEm();
    const history = await check.find(
      TierChange,
      { organization: organization.id },
      { orderBy: { createdAt: 'desc' }, populate: ['toTier'] },
    );
    expect(history[0]!.toTier.key).toBe('growth');
    expect(history[0]!.reason).toMatch(/^Stripe (checkout\.session\.completed|customer\.subscription\.created|invoice\.paid) \(evt_/);
    expect(history.filter((change) => change.toTier.key === 'growth')).toHaveLength(1);
    const events = await check.find(OutboundEvent, { organization: organization.id, type: 'organization.tier_changed' });
    expect(events).toHaveLength(1);
    // The same event as an admin's change (organizations.changeTier emits it), with what Stripe adds.
    expect(events[0]!.payload).toMatchObject({ fromTier: 'community', toTier: 'growth', changedBy: 'system:stripe', dunning: 'NONE' });
    expect(events[0]!.payload.subscriptionId).toMatch(/^sub_/);
    // A second checkout is refused: the subscription exists.
    expect((await checkout(richard, 'business', 'MONTH')).userErrors.map((error) => error.code)).toEqual(['SUBSCRIPTION_EXISTS']);
  });

  it('refuses forged, stale and malformed webhooks with 400 and a code', async () => {
    const event = api.stripe!.events('checkout.session.completed')[0]!;
    const payload = JSON.stringify(event);
    const forged = await postWebhook(payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_someone_else' }));
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('SIGNATURE_INVALID');
    const stale = await postWebhook(
      payload,
      Stripe.webhooks.generateTestHeaderString({ payload, secret: TEST_WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 600 }),
    );
    expect(stale.status).toBe(400);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('SIGNATURE_STALE');
    const broken = '{"id": "evt_broken", ';
    const malformed = await postWebhook(broken, Stripe.webhooks.generateTestHeaderString({ payload: broken, secret: TEST_WEBHOOK_SECRET }));
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('MALFORMED_PAYLOAD');
    // A new event of a handled type: only the missing signature keeps it from being applied and recorded.
    const unsignedPayload = JSON.stringify({ ...event, id: 'evt_unsigned' });
    const unsigned = await postWebhook(unsignedPayload, null);
    expect(unsigned.status).toBe(400);
    expect(((await unsigned.json()) as { error: { code: string } }).error.code).toBe('SIGNATURE_MISSING');
    expect(await systemEm().count(StripeEvent, { id: 'evt_unsigned' })).toBe(0);
    const unknown = JSON.stringify({ ...event, id: 'evt_unknown_type', type: 'customer.discount.created' });
    const ignored = await postWebhook(unknown, Stripe.webhooks.generateTestHeaderString({ payload: unknown, secret: TEST_WEBHOOK_SECRET }));
    expect(ignored.status).toBe(200);
    expect(await ignored.json()).toMatchObject({ result: 'ignored' });
  });

  it('verifies a body of exactly 1 MiB and refuses one byte more with 413, recording nothing', async () => {
    const event = api.stripe!.events('checkout.session.completed')[0]!;
    // Trailing whitespace is valid JSON, so only the size differs between the two.
    const ofSize = (id: string, bytes: number) => {
      const json = JSON.stringify({ ...event, id });
      return json + ' '.repeat(bytes - Buffer.byteLength(json));
    };
    const atLimit = ofSize('evt_at_body_limit', WEBHOOK_BODY_LIMIT);
    expect(Buffer.byteLength(atLimit)).toBe(WEBHOOK_BODY_LIMIT);
    const accepted = await postWebhook(
      atLimit,
      Stripe.webhooks.generateTestHeaderString({ payload: atLimit, secret: TEST_WEBHOOK_SECRET }),
    );
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ result: 'applied', tierChanged: false });
    expect(await systemEm().count(StripeEvent, { id: 'evt_at_body_limit' })).toBe(1);

    const overLimit = ofSize('evt_over_body_limit', WEBHOOK_BODY_LIMIT + 1);
    const refused = await postWebhook(
      overLimit,
      Stripe.webhooks.generateTestHeaderString({ payload: overLimit, secret: TEST_WEBHOOK_SECRET }),
    );
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await systemEm().count(StripeEvent, { id: 'evt_over_body_limit' })).toBe(0);
  });

  it('applies a redelivered event once, whatever the order of redelivery', async () => {
    const em = systemEm();
    const organization = await em.findOneOrFail(Organization, { slug: 'piedpiper' });
    const historyBefore = await em.count(TierChange, { organization: organization.id });
    const recordedBefore = await em.count(StripeEvent, {});
    const event = api.stripe!.events('checkout.session.completed')[0]!;
    const duplicate = JSON.stringify(event);
    const response = await postWebhook(
      duplicate,
      Stripe.webhooks.generateTestHeaderString({ payload: duplicate, secret: TEST_WEBHOOK_SECRET }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: 'duplicate' });
    const ids = api.stripe!.events().map((candidate) => candidate.id);
    api.stripe!.deliver([...ids].reverse());
    api.stripe!.deliver([ids[0]!, ids[0]!]);
    await api.stripe!.idle();
    const check = systemEm();
    expect(await check.count(TierChange, { organization: organization.id })).toBe(historyBefore);
    expect(await check.count(StripeEvent, {})).toBe(recordedBefore);
    expect(await tierOf('piedpiper')).toBe('growth');
  });

  it('upgrades piedpiper from growth to business in place during its trial; the preview equals the invoice at the trial end', async () => {
    const preview = (await gql(api.url, PREVIEW, { tier: 'business', interval: 'MONTH' }, richard)).data!.previewPlanChange;
    expect(preview.userErrors).toEqual([]);
    expect(preview.preview.effective).toBe('NOW');
    const invoicesBefore = (await stripe.invoices.list({ limit: 100 })).data.length;
    const changed = (await gql(api.url, CHANGE, { input: { tierKey: 'business', interval: 'MONTH' } }, richard)).data!.changePlan;
    expect(changed.userErrors).toEqual([]);
    expect(changed.billing).toMatchObject({ tierKey: 'business', pendingTierKey: null });
    expect(await tierOf('piedpiper')).toBe('business');
    // Piedpiper is still in its trial, and while trialing a price change does not prorate: nothing is billed now,
    // and the preview is the invoice at the trial's end, a full month of business.
    expect(changed.billing.status).toBe('trialing');
    expect((await stripe.invoices.list({ limit: 100 })).data).toHaveLength(invoicesBefore);
    const account = await systemEm().findOneOrFail(BillingAccount, { organization: { slug: 'piedpiper' } });
    const next = await stripe.invoices.createPreview({ customer: account.stripeCustomerId, subscription: account.stripeSubscriptionId! });
    expect(next.amount_due).toBe(preview.preview.amountDue);
    expect(preview.preview.amountDue).toBe(19_900);
    await api.stripe!.idle();
    const history = await systemEm().find(TierChange, { toTier: { key: 'business' }, organization: { slug: 'piedpiper' } });
    expect(history).toHaveLength(1);
  });

  it('refuses a downgrade below what open tickets need, naming them, and allows it once they are solved', async () => {
    const opened = await gql(
      api.url,
      'mutation { createTicket(input: { subject: "Checkout down", description: "d", priority: URGENT }) { ticket { id number } userErrors { code } } }',
      {},
      richard,
    );
    const ticket = opened.data!.createTicket.ticket;
    expect(ticket).not.toBeNull();
    const refused = (await gql(api.url, CHANGE, { input: { tierKey: 'growth', interval: 'MONTH' } }, richard)).data!.changePlan;
    expect(refused.userErrors[0].code).toBe('DOWNGRADE_BLOCKED');
    expect(refused.userErrors[0].message).toContain(`#${ticket.number} (URGENT)`);
    expect(await tierOf('piedpiper')).toBe('business');
    const solved = await gql(
      api.url,
      'mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { status } } }',
      { input: { ticketId: ticket.id, status: 'SOLVED' } },
      richard,
    );
    expect(solved.data!.changeTicketStatus.ticket.status).toBe('SOLVED');
  });

  it('records a downgrade for the period end and keeps the paid tier until then', async () => {
    const changed = (await gql(api.url, CHANGE, { input: { tierKey: 'growth', interval: 'MONTH' } }, richard)).data!.changePlan;
    expect(changed.userErrors).toEqual([]);
    expect(changed.billing).toMatchObject({ tierKey: 'business', pendingTierKey: 'growth' });
    await api.stripe!.idle();
    expect(await tierOf('piedpiper')).toBe('business');
  });

  it('keeps initech on its paid tier through a grace period after a failed payment, then moves it to community', async () => {
    const started = await checkout(ada, 'enterprise', 'MONTH');
    expect(started.trialDays).toBe(0);
    await completeCheckout(started.url!);
    expect(await tierOf('initech')).toBe('enterprise');
    const subscription = (await stripe.subscriptions.list({ status: 'active', limit: 100 })).data.find(
      (candidate) => candidate.items.data[0]!.price.lookup_key === 'tierdesk_enterprise_monthly',
    )!;
    const customer = typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id;
    const decline = await fetch(`${api.stripe!.url}/__local/customers/${customer}/card`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_local', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=decline',
    });
    expect(decline.status).toBe(200);
    const failed = await fetch(`${api.stripe!.url}/__local/invoices/fail`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_local', 'content-type': 'application/x-www-form-urlencoded' },
      body: `subscription=${subscription.id}`,
    });
    expect(failed.status).toBe(200);
    await api.stripe!.waitForDelivery('invoice.payment_failed');
    await api.stripe!.idle();
    const grace = await status(ada);
    expect(grace).toMatchObject({ tierKey: 'enterprise', status: 'past_due', dunning: 'GRACE' });
    const graceEndsAt = new Date(grace.graceEndsAt).getTime();
    expect(graceEndsAt - api.stripe!.now() * 1000).toBe(7 * DAY * 1000);

    await api.stripe!.advanceTime(3 * DAY);
    await api.stripe!.idle();
    expect(await tierOf('initech')).toBe('enterprise');

    await api.stripe!.advanceTime(5 * DAY);
    await api.stripe!.idle();
    expect(await tierOf('initech')).toBe('community');
    const token = await signIn(api.url, 'ada@initech.example');
    expect(await status(token)).toMatchObject({ tierKey: 'community', dunning: 'DOWNGRADED' });
  });
  it('acknowledges customer.subscription.trial_will_end once, changes no tier, and shows the trial end', async () => {
    const em = systemEm();
    const organization = await em.findOneOrFail(Organization, { slug: 'piedpiper' });
    const account = await em.findOneOrFail(BillingAccount, { organization: organization.id });
    const subscription = await stripe.subscriptions.retrieve(account.stripeSubscriptionId!);
    expect(subscription.status).toBe('trialing');
    const trialEnd = subscription.trial_end!;
    const historyBefore = await em.count(TierChange, { organization: organization.id });
    const eventsBefore = await em.count(OutboundEvent, { organization: organization.id, type: 'organization.tier_changed' });
    const isOurs = (event: Stripe.Event) => (event.data.object as Stripe.Subscription).id === subscription.id;

    await api.stripe!.advanceTime(Math.max(0, trialEnd - 3 * DAY + 60 - api.stripe!.now()));
    const event = await api.stripe!.waitForDelivery('customer.subscription.trial_will_end', { where: isOurs });
    await api.stripe!.idle();
    expect(api.stripe!.events('customer.subscription.trial_will_end').filter(isOurs)).toHaveLength(1);

    const check = systemEm();
    const recorded = await check.find(StripeEvent, { type: 'customer.subscription.trial_will_end' });
    expect(recorded.map((row) => row.id)).toEqual([event.id]);
    expect(recorded[0]!.organizationId).toBe(organization.id);
    expect(await tierOf('piedpiper')).toBe('business');
    expect(await check.count(TierChange, { organization: organization.id })).toBe(historyBefore);
    expect(await check.count(OutboundEvent, { organization: organization.id, type: 'organization.tier_changed' })).toBe(eventsBefore);
    // The customer sees the trial and when it ends (while trialing, the period ends with the trial).
    const seen = (
      await gql(
        api.url,
        '{ billingStatus { tierKey status pendingTierKey currentPeriodEnd } }',
        {},
        await signIn(api.url, 'richard@piedpiper.example'),
      )
    ).data!.billingStatus;
    expect(seen).toMatchObject({ tierKey: 'business', status: 'trialing', pendingTierKey: 'growth' });
    expect(new Date(seen.currentPeriodEnd).getTime()).toBe(trialEnd * 1000);

    // Redelivered: acknowledged as a duplicate, applied once.
    const payload = JSON.stringify(event);
    const again = await postWebhook(payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: TEST_WEBHOOK_SECRET }));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ result: 'duplicate' });
    const after = systemEm();
    expect(await after.count(StripeEvent, { type: 'customer.subscription.trial_will_end' })).toBe(1);
    expect(await after.count(TierChange, { organization: organization.id })).toBe(historyBefore);
    expect(await tierOf('piedpiper')).toBe('business');
  });

  it('applies the scheduled downgrade when the period ends: business until then, growth after the renewal', async () => {
    const em = systemEm();
    const organization = await em.findOneOrFail(Organization, { slug: 'piedpiper' });
    const account = await em.findOneOrFail(BillingAccount, { organization: organization.id });
    const subscription = await stripe.subscriptions.retrieve(account.stripeSubscriptionId!);
    const periodEnd = subscription.items.data[0]!.current_period_end;
    const historyBefore = await em.count(TierChange, { organization: organization.id });
    expect(await status(await signIn(api.url, 'richard@piedpiper.example'))).toMatchObject({
      tierKey: 'business',
      pendingTierKey: 'growth',
    });

    // Just before the period ends: still the paid tier.
    await api.stripe!.advanceTime(Math.max(0, periodEnd - 60 - api.stripe!.now()));
    await api.stripe!.idle();
    expect(await tierOf('piedpiper')).toBe('business');
    expect(await status(await signIn(api.url, 'richard@piedpiper.example'))).toMatchObject({
      tierKey: 'business',
      pendingTierKey: 'growth',
    });

    await api.stripe!.advanceTime(120);
    await api.stripe!.waitForDelivery('invoice.paid', {
      where: (event) => subscriptionOfInvoice(event) === subscription.id && (event.data.object as Stripe.Invoice).created >= periodEnd,
    });
    await api.stripe!.idle();
    expect(await tierOf('piedpiper')).toBe('growth');
    expect(await status(await signIn(api.url, 'richard@piedpiper.example'))).toMatchObject({
      tierKey: 'growth',
      pendingTierKey: null,
      status: 'active',
      interval: 'MONTH',
      dunning: 'NONE',
    });
    const history = await systemEm().find(
      TierChange,
      { organization: organization.id },
      { orderBy: { createdAt: 'desc' }, populate: ['fromTier', 'toTier'] },
    );
    expect(history).toHaveLength(historyBefore + 1);
    expect(history[0]!.fromTier?.key ?? null).toBe('business');
    expect(history[0]!.toTier.key).toBe('growth');
    expect(history[0]!.reason).toMatch(/^Stripe /);
  });

  it('ends a grace period that ran out without a Stripe event (expireGracePeriods), once', async () => {
    // Initech's earlier subscription (past due, still being retried) ends first, so a new one can start.
    const earlier = (await systemEm().findOneOrFail(BillingAccount, { organization: { slug: 'initech' } })).stripeSubscriptionId!;
    if ((await stripe.subscriptions.retrieve(earlier)).status !== 'canceled') await stripe.subscriptions.cancel(earlier);
    await api.stripe!.idle();
    expect(
      (
        await localHelper(
          `/__local/customers/${(await systemEm().findOneOrFail(BillingAccount, { organization: { slug: 'initech' } })).stripeCustomerId}/card`,
          'outcome=succeed',
        )
      ).status,
    ).toBe(200);
    const started = await checkout(await signIn(api.url, 'ada@initech.example'), 'enterprise', 'MONTH');
    expect(started.userErrors).toEqual([]);
    await completeCheckout(started.url!);
    expect(await tierOf('initech')).toBe('enterprise');
    const account = await systemEm().findOneOrFail(BillingAccount, { organization: { slug: 'initech' } });
    const subscriptionId = account.stripeSubscriptionId!;
    expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe('active');
    expect((await localHelper(`/__local/customers/${account.stripeCustomerId}/card`, 'outcome=decline')).status).toBe(200);
    expect((await localHelper('/__local/invoices/fail', `subscription=${subscriptionId}`)).status).toBe(200);
    await api.stripe!.waitForDelivery('invoice.payment_failed', { where: (event) => subscriptionOfInvoice(event) === subscriptionId });
    await api.stripe!.idle();
    const token = await signIn(api.url, 'ada@initech.example');
    expect(await status(token)).toMatchObject({ tierKey: 'enterprise', status: 'past_due', dunning: 'GRACE' });

    // Past the grace period, with no event reaching the API (the retry's failure is recorded but not delivered).
    const organization = await systemEm().findOneOrFail(Organization, { slug: 'initech' });
    const deliveredBefore = await systemEm().count(StripeEvent, { organizationId: organization.id });
    api.stripe!.setWebhookUrl(null);
    try {
      await api.stripe!.advanceTime(7 * DAY + 3600);
    } finally {
      api.stripe!.setWebhookUrl(`${api.origin}/webhooks/stripe`);
    }
    await api.stripe!.idle();
    expect(await systemEm().count(StripeEvent, { organizationId: organization.id })).toBe(deliveredBefore);
    expect(await tierOf('initech')).toBe('enterprise');
    expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe('past_due');

    const clock = { now: () => new Date(api.stripe!.now() * 1000) };
    const first = await expireGracePeriods(api.system('billing-grace').at(clock.now()));
    const signedIn = await signIn(api.url, 'ada@initech.example');
    expect(first.downgraded).toEqual([{ organizationId: organization.id, fromTier: 'enterprise' }]);
    expect(await tierOf('initech')).toBe('community');
    expect(await status(signedIn)).toMatchObject({ tierKey: 'community', status: 'past_due', dunning: 'DOWNGRADED' });
    const check = systemEm();
    const history = await check.find(TierChange, { organization: organization.id, reason: GRACE_ENDED_REASON }, { populate: ['toTier'] });
    expect(history).toHaveLength(1);
    expect(history[0]!.toTier.key).toBe('community');
    const historyCount = await check.count(TierChange, { organization: organization.id });
    const events = await check.count(OutboundEvent, { organization: organization.id, type: 'organization.tier_changed' });

    const second = await expireGracePeriods(api.system('billing-grace').at(clock.now()));
    expect(second).toEqual({ checked: 0, downgraded: [] });
    const after = systemEm();
    expect(await after.count(TierChange, { organization: organization.id })).toBe(historyCount);
    expect(await after.count(OutboundEvent, { organization: organization.id, type: 'organization.tier_changed' })).toBe(events);
    expect(await tierOf('initech')).toBe('community');
  });
});
