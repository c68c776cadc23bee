import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';
import { FixedClock } from '../../shared/clock.js';
import { createOrganization, Organization, TierChange } from '../organizations/index.js';
import { BillingAccount, StripeEvent } from './billing.entity.js';
import { startCheckout } from './billing.service.js';
import { lookupKey } from './plans.js';

/*
 * "The order of delivery does not matter" (README, Webhooks): each case below makes one organization's Stripe history
 * happen with webhooks switched off, then delivers that history's events to the API in one order, and checks where
 * the organization ends up. Every order of one history must end in the same place.
 */

const DAY_MS = 86_400_000;
const CHECKOUT = 'checkout.session.completed';
const CREATED = 'customer.subscription.created';
const UPDATED = 'customer.subscription.updated';
const DELETED = 'customer.subscription.deleted';
const PAID = 'invoice.paid';
const FAILED = 'invoice.payment_failed';
// The events the API acts on; Stripe's others in these histories (invoice.created, customer.updated…) are ignored.
const HANDLED = new Set([CHECKOUT, CREATED, UPDATED, DELETED, PAID, FAILED]);

let api: TestApi;
let stripe: Stripe;
let webhookUrl: string;
let organizations = 0;

interface Outcome {
  tierKey: string;
  status: string | null;
  priceLookupKey: string | null;
  pendingTierKey: string | null;
  dunning: string;
  graceEndsAt: number | null;
  /** The organization's tier history, oldest first (the first entry is its creation on community). */
  history: string[];
}

interface History {
  name: string;
  tierKey: 'growth' | 'enterprise';
  /** What happens in Stripe after the checkout completed, to the subscription it created. */
  then(subscription: Stripe.Subscription): Promise<void>;
  /** Orders of delivery, by event label (the type, with `#2` for its second event of that type). */
  orders: string[][];
  expected(): Outcome;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

/** Each order of `subscriptionEvents`, once with the checkout's own events before them and once after. */
function aroundCheckout(subscriptionEvents: string[], checkoutEvents: string[]): string[][] {
  return permutations(subscriptionEvents).flatMap((order) => [
    [...checkoutEvents, ...order],
    [...order, ...checkoutEvents],
  ]);
}

function localHelper(path: string, body = '') {
  return fetch(`${api.stripe!.url}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_local', 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

/** The customer of a Stripe object (checkout session, subscription, invoice). */
function customerOf(object: { customer?: string | { id: string } | null }): string | null {
  return typeof object.customer === 'string' ? object.customer : (object.customer?.id ?? null);
}

function systemEm() {
  const em = api.orm.em.fork();
  em.setFilterParams('tenant', { allTenants: true });
  return em;
}

async function outcomeOf(organizationId: string): Promise<Outcome> {
  const em = systemEm();
  const organization = await em.findOneOrFail(Organization, { id: organizationId }, { populate: ['tier'] });
  const account = await em.findOneOrFail(BillingAccount, { organization: organizationId });
  const history = await em.find(
    TierChange,
    { organization: organizationId },
    { orderBy: { createdAt: 'asc', id: 'asc' }, populate: ['toTier'] },
  );
  return {
    tierKey: organization.tier.key,
    status: account.status,
    priceLookupKey: account.priceLookupKey,
    pendingTierKey: account.pendingTierKey,
    dunning: account.dunning,
    graceEndsAt: account.graceEndsAt?.getTime() ?? null,
    history: history.map((change) => change.toTier.key),
  };
}

async function priceId(key: string): Promise<string> {
  return (await stripe.prices.list({ lookup_keys: [key], active: true, limit: 1 })).data[0]!.id;
}

/** A paid checkout's events: the subscription, its first invoice, the session, then the renewal's new invoice. */
const CHECKED_OUT = [CREATED, PAID, CHECKOUT, UPDATED];

/** A renewal that fails now (the card declines): the subscription is past due. */
async function failRenewal(subscription: Stripe.Subscription): Promise<void> {
  expect((await localHelper(`/__local/customers/${customerOf(subscription)}/card`, 'outcome=decline')).status).toBe(200);
  expect((await localHelper('/__local/invoices/fail', `subscription=${subscription.id}`)).status).toBe(200);
  expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
}

const histories: History[] = [
  {
    name: 'a checkout with a trial',
    tierKey: 'growth',
    then: async () => {},
    orders: permutations([CREATED, PAID, CHECKOUT]),
    expected: () => ({
      tierKey: 'growth',
      status: 'trialing',
      priceLookupKey: 'tierdesk_growth_monthly',
      pendingTierKey: null,
      dunning: 'NONE',
      graceEndsAt: null,
      history: ['community', 'growth'],
    }),
  },
  {
    name: 'a trial upgraded to business, then cancelled',
    tierKey: 'growth',
    then: async (subscription) => {
      await stripe.subscriptions.update(subscription.id, {
        items: [{ id: subscription.items.data[0]!.id, price: await priceId(lookupKey('business', 'month')) }],
        proration_behavior: 'always_invoice',
      });
      await stripe.subscriptions.cancel(subscription.id);
    },
    orders: aroundCheckout([CREATED, UPDATED, DELETED], [PAID, CHECKOUT]),
    // Every delivery re-reads the cancelled subscription, so the organization never leaves community.
    expected: () => ({
      tierKey: 'community',
      status: 'canceled',
      priceLookupKey: 'tierdesk_business_monthly',
      pendingTierKey: null,
      dunning: 'NONE',
      graceEndsAt: null,
      history: ['community'],
    }),
  },
  {
    name: 'a failed renewal, then paid',
    tierKey: 'enterprise',
    then: async (subscription) => {
      await failRenewal(subscription);
      expect((await localHelper(`/__local/customers/${customerOf(subscription)}/card`, 'outcome=succeed')).status).toBe(200);
      const open = await stripe.invoices.list({ subscription: subscription.id, status: 'open', limit: 10 });
      expect(open.data).toHaveLength(1);
      await stripe.invoices.pay(open.data[0]!.id);
      expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
    },
    // The failure (its invoice and the subscription going past due) and the recovery (the invoice paid, the
    // subscription active again) in every order; the checkout's events first in half of them, last in the others.
    orders: permutations([FAILED, `${UPDATED}#2`, `${PAID}#2`, `${UPDATED}#3`]).map((order, index) =>
      index % 2 ? [...order, ...CHECKED_OUT] : [...CHECKED_OUT, ...order],
    ),
    expected: () => ({
      tierKey: 'enterprise',
      status: 'active',
      priceLookupKey: 'tierdesk_enterprise_monthly',
      pendingTierKey: null,
      dunning: 'NONE',
      graceEndsAt: null,
      history: ['community', 'enterprise'],
    }),
  },
  {
    name: 'a failed renewal, still unpaid',
    tierKey: 'enterprise',
    then: failRenewal,
    // The renewal's three events in every order, the checkout's events before them and after.
    orders: aroundCheckout([UPDATED, FAILED, `${UPDATED}#2`], [CREATED, PAID, CHECKOUT]),
    // The clock is frozen, so the grace period starts at the same instant whichever event shows the failure first.
    expected: () => ({
      tierKey: 'enterprise',
      status: 'past_due',
      priceLookupKey: 'tierdesk_enterprise_monthly',
      pendingTierKey: null,
      dunning: 'GRACE',
      graceEndsAt: api.stripe!.now() * 1000 + 7 * DAY_MS,
      history: ['community', 'enterprise'],
    }),
  },
];

beforeAll(async () => {
  // Frozen time: every case's history happens at the same instant, so grace ends are exact.
  api = await startTestApi({ billing: true, stripeClock: new FixedClock(new Date(Math.floor(Date.now() / 1000) * 1000)) });
  stripe = new Stripe('sk_test_local', api.stripe!.sdkConfig);
  webhookUrl = `${api.origin}/webhooks/stripe`;
  // Events are recorded but not sent; each case delivers its own, in its own order.
  api.stripe!.setWebhookUrl(null);
});

afterAll(async () => {
  await api?.stop();
});

describe('Stripe webhooks in any order', () => {
  it('delivers each history in every order listed, each order once', () => {
    expect(histories.map((history) => history.orders.length)).toEqual([6, 12, 24, 12]);
    for (const history of histories) expect(new Set(history.orders.map((order) => order.join())).size).toBe(history.orders.length);
  });

  for (const history of histories) {
    describe(history.name, () => {
      for (const order of history.orders) {
        it(order.join(' → '), async () => {
          organizations += 1;
          const organization = await createOrganization(api.system('test'), {
            slug: `order-${organizations}`,
            name: `Order ${organizations}`,
            region: 'eu',
            timeZone: 'Europe/Berlin',
            tierKey: 'community',
          });
          const started = await startCheckout(api.system('test'), organization.id, {
            tierKey: history.tierKey,
            interval: 'month',
            successUrl: 'https://app.example/ok',
            cancelUrl: 'https://app.example/no',
          });
          expect((await localHelper(`/__local/checkout/sessions/${started.sessionId}/complete`)).status).toBe(200);
          const session = await stripe.checkout.sessions.retrieve(started.sessionId);
          await history.then(await stripe.subscriptions.retrieve(session.subscription as string));

          const customer = customerOf(session);
          const seen = new Map<string, number>();
          const byLabel = new Map<string, string>();
          for (const event of api.stripe!.events()) {
            if (customerOf(event.data.object as { customer?: string }) !== customer || !HANDLED.has(event.type)) continue;
            const count = (seen.get(event.type) ?? 0) + 1;
            seen.set(event.type, count);
            byLabel.set(count === 1 ? event.type : `${event.type}#${count}`, event.id);
          }
          // The order delivers each event of the history exactly once.
          expect([...order].sort()).toEqual([...byLabel.keys()].sort());
          const deliveries = api.stripe!.deliver(
            order.map((label) => byLabel.get(label)!),
            webhookUrl,
          );
          await api.stripe!.idle();
          expect(deliveries.map((delivery) => delivery.attempts)).toEqual(order.map(() => [200]));

          expect(await outcomeOf(organization.id)).toEqual(history.expected());
          expect(await systemEm().count(StripeEvent, { organizationId: organization.id })).toBe(order.length);
        });
      }
    });
  }
});
