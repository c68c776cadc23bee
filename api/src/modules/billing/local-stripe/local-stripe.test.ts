import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../shared/clock.js';
import { parseForm } from './form.js';
import { startLocalStripe, type LocalStripe } from './index.js';
import { addIntervals, nextPeriodEnd, prorate } from './proration.js';

const SECRET = 'whsec_local_test_secret';
const DAY = 86_400;

let server: LocalStripe;
let stripe: Stripe;
let receiver: http.Server;
let receiverUrl: string;
/** Events the receiver accepted, verified with the SDK's constructEvent, in arrival order. */
const received: Stripe.Event[] = [];
/** Event ids the receiver should answer with a 500 once (to exercise retries). */
const failOnce = new Set<string>();

beforeAll(async () => {
  const verifier = new Stripe('sk_test_verifier');
  receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const signature = request.headers['stripe-signature'];
      let event: Stripe.Event;
      try {
        event = verifier.webhooks.constructEvent(Buffer.concat(chunks), String(signature), SECRET);
      } catch {
        response.writeHead(400).end();
        return;
      }
      if (failOnce.delete(event.id)) {
        response.writeHead(500).end();
        return;
      }
      received.push(event);
      response.writeHead(200).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/stripe`;
  server = await startLocalStripe({
    webhookSecret: SECRET,
    webhookUrl: receiverUrl,
    clock: new FixedClock(new Date('2026-01-15T12:00:00Z')),
    webhookRetryDelaysMs: [10, 20],
  });
  stripe = new Stripe('sk_test_local', { host: '127.0.0.1', port: server.port, protocol: 'http', maxNetworkRetries: 0 });
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

beforeEach(async () => {
  await server.idle();
  received.length = 0;
});

async function catalogue(suffix: string) {
  const product = await stripe.products.create({ id: `tierdesk_${suffix}`, name: `Pro ${suffix}`, metadata: { tier: 'pro' } });
  const monthly = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 2000,
    recurring: { interval: 'month' },
    lookup_key: `${suffix}_monthly`,
  });
  const bigger = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 5000,
    recurring: { interval: 'month' },
    lookup_key: `${suffix}_business_monthly`,
  });
  return { product, monthly, bigger };
}

/** Pays a checkout session on the hosted stand-in page the way a browser form does. */
async function pay(sessionUrl: string, card = '4242 4242 4242 4242', email?: string) {
  const form = new URLSearchParams({ card, ...(email ? { email } : {}) });
  return fetch(sessionUrl, { method: 'POST', body: form, redirect: 'manual' });
}

async function local(path: string, body: Record<string, string>) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { Authorization: 'Bearer sk_test_local', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('pure parts', () => {
  it('parses Stripe form encoding into nested objects and arrays', () => {
    expect(
      parseForm('items[1][price]=p2&items[0][id]=si_1&items[0][price]=p1&expand[]=a&expand[]=b&metadata[0]=zero&lookup_keys[0]=x'),
    ).toEqual({
      items: [{ id: 'si_1', price: 'p1' }, { price: 'p2' }],
      expand: ['a', 'b'],
      metadata: { '0': 'zero' },
      lookup_keys: ['x'],
    });
  });

  it('counts periods from the anchor and prorates by the second', () => {
    const jan31 = Date.UTC(2026, 0, 31, 9) / 1000;
    expect(new Date(addIntervals(jan31, 'month', 1) * 1000).toISOString()).toBe('2026-02-28T09:00:00.000Z');
    expect(new Date(nextPeriodEnd(jan31, 'month', 1, addIntervals(jan31, 'month', 1)) * 1000).toISOString()).toBe(
      '2026-03-31T09:00:00.000Z',
    );
    expect(prorate(2000, { start: 0, end: 31 * DAY }, 10 * DAY)).toBe(1355);
    expect(prorate(-2000, { start: 0, end: 30 * DAY }, 15 * DAY)).toBe(-1000);
  });
});

describe('local Stripe server through the real SDK', () => {
  it('creates products and prices idempotently findable by lookup key', async () => {
    const { product, monthly, bigger } = await catalogue('sync');
    expect(product).toMatchObject({ object: 'product', id: 'tierdesk_sync', active: true, metadata: { tier: 'pro' } });
    expect(monthly).toMatchObject({ object: 'price', lookup_key: 'sync_monthly', unit_amount: 2000, type: 'recurring' });
    expect(monthly.recurring).toMatchObject({ interval: 'month', interval_count: 1, usage_type: 'licensed' });

    const found = await stripe.prices.list({
      lookup_keys: ['sync_monthly', 'sync_business_monthly'],
      active: true,
      expand: ['data.product'],
    });
    expect(found.data.map((p) => p.id).sort()).toEqual([monthly.id, bigger.id].sort());
    expect((found.data[0]?.product as Stripe.Product).name).toBe('Pro sync');

    await expect(stripe.products.create({ id: 'tierdesk_sync', name: 'again' })).rejects.toMatchObject({ code: 'resource_already_exists' });
    await expect(
      stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 2500,
        recurring: { interval: 'month' },
        lookup_key: 'sync_monthly',
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'lookup_key' });

    // A price change: new price takes the lookup key over, the old one is archived.
    const repriced = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2500,
      recurring: { interval: 'month' },
      lookup_key: 'sync_monthly',
      transfer_lookup_key: true,
    });
    await stripe.prices.update(monthly.id, { active: false });
    expect((await stripe.prices.retrieve(monthly.id)).lookup_key).toBeNull();
    const current = await stripe.prices.list({ lookup_keys: ['sync_monthly'] });
    expect(current.data.map((p) => p.id)).toEqual([repriced.id]);

    const updated = await stripe.products.update(product.id, { name: 'Pro (renamed)', default_price: repriced.id, metadata: { tier: '' } });
    expect(updated).toMatchObject({ name: 'Pro (renamed)', default_price: repriced.id, metadata: {} });
  });

  it('completes checkout on the stand-in page: active subscription, paid invoice, signed webhooks', async () => {
    const { monthly } = await catalogue('checkout');
    const customer = await stripe.customers.create({ email: 'owner@acme.test', metadata: { organizationId: 'org_1' } });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      client_reference_id: 'org_1',
      line_items: [{ price: monthly.id, quantity: 1 }],
      metadata: { organizationId: 'org_1' },
      subscription_data: { metadata: { organizationId: 'org_1' } },
      success_url: 'http://app.local/billing/done?session={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://app.local/plans',
    });
    expect(session).toMatchObject({
      status: 'open',
      payment_status: 'unpaid',
      mode: 'subscription',
      amount_total: 2000,
      subscription: null,
    });
    expect(session.url).toBe(`${server.url}/checkout/${session.id}`);

    const pageHtml = await (await fetch(session.url as string)).text();
    expect(pageHtml).toContain('4242 4242 4242 4242');
    expect(pageHtml).toContain('Pro checkout');
    expect(pageHtml).toContain('$20.00');

    const declined = await pay(session.url as string, '4000 0000 0000 0002');
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain('Your card was declined.');

    const paid = await pay(session.url as string);
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`http://app.local/billing/done?session=${session.id}`);

    const completed = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription', 'line_items'] });
    expect(completed).toMatchObject({ status: 'complete', payment_status: 'paid', customer: customer.id, client_reference_id: 'org_1' });
    expect(completed.line_items?.data[0]).toMatchObject({ object: 'item', amount_total: 2000, price: { id: monthly.id } });
    const subscription = completed.subscription as Stripe.Subscription;
    expect(subscription).toMatchObject({ status: 'active', customer: customer.id, metadata: { organizationId: 'org_1' } });
    const item = subscription.items.data[0] as Stripe.SubscriptionItem;
    expect(item.price.id).toBe(monthly.id);
    expect(item.current_period_end - item.current_period_start).toBe(31 * DAY);

    const invoice = await stripe.invoices.retrieve(completed.invoice as string);
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 2000, billing_reason: 'subscription_create', customer: customer.id });
    expect(invoice.parent?.subscription_details?.subscription).toBe(subscription.id);
    expect(invoice.lines.data[0]).toMatchObject({ amount: 2000, description: '1 × Pro checkout (at $20.00 / month)' });

    await server.idle();
    const types = received.map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['customer.subscription.created', 'invoice.paid', 'checkout.session.completed']));
    expect(types.indexOf('customer.subscription.created')).toBeLessThan(types.indexOf('invoice.paid'));
    const done = received.find((event) => event.type === 'checkout.session.completed') as Stripe.CheckoutSessionCompletedEvent;
    expect(done.data.object).toMatchObject({ id: session.id, client_reference_id: 'org_1', subscription: subscription.id });
    expect(done).toMatchObject({ object: 'event', livemode: false, api_version: Stripe.API_VERSION });
    expect(done.id).toMatch(/^evt_/);

    const replayed = await pay(session.url as string);
    expect(replayed.status).toBe(400);
  });

  it('previews a plan change and then bills exactly the previewed proration', async () => {
    const { monthly, bigger } = await catalogue('upgrade');
    const customer = await stripe.customers.create({ email: 'upgrade@acme.test' });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
    const item = subscription.items.data[0] as Stripe.SubscriptionItem;
    await server.advanceTime(10 * DAY);
    const prorationDate = server.now();

    const preview = await stripe.invoices.createPreview({
      customer: customer.id,
      subscription: subscription.id,
      subscription_details: {
        items: [{ id: item.id, price: bigger.id }],
        proration_behavior: 'always_invoice',
        proration_date: prorationDate,
      },
    });
    const period = { start: item.current_period_start, end: item.current_period_end };
    const credit = -prorate(2000, period, prorationDate);
    const charge = prorate(5000, period, prorationDate);
    expect(preview.lines.data.map((line) => line.amount)).toEqual([credit, charge]);
    expect(preview.lines.data.every((line) => line.parent?.subscription_item_details?.proration)).toBe(true);
    expect(preview.amount_due).toBe(credit + charge);
    expect(preview.amount_due).toBe(2032);
    expect(preview.lines.data[0]?.description).toBe('Unused time on Pro upgrade after 25 Jan 2026');

    // The default (create_prorations) preview is the next renewal: the prorations plus a full period of the new price.
    const renewal = await stripe.invoices.createPreview({
      customer: customer.id,
      subscription: subscription.id,
      subscription_details: { items: [{ id: item.id, price: bigger.id }], proration_date: prorationDate },
    });
    expect(renewal.amount_due).toBe(credit + charge + 5000);

    const updated = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: bigger.id }],
      proration_behavior: 'always_invoice',
      proration_date: prorationDate,
      expand: ['latest_invoice'],
    });
    expect(updated.items.data[0]).toMatchObject({ id: item.id, price: { id: bigger.id } });
    const billed = updated.latest_invoice as Stripe.Invoice;
    expect(billed).toMatchObject({ status: 'paid', billing_reason: 'subscription_update', amount_paid: preview.amount_due });

    await server.idle();
    const change = received.find((event) => event.type === 'customer.subscription.updated') as Stripe.CustomerSubscriptionUpdatedEvent;
    expect(change.data.previous_attributes).toHaveProperty('items');
    expect(received.some((event) => event.type === 'invoice.paid' && event.data.object.id === billed.id)).toBe(true);

    // Straight back down, invoiced now: the credit exceeds the charge, so nothing is due and the customer keeps a
    // credit balance that the next renewal uses up first.
    const downgraded = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: monthly.id }],
      proration_behavior: 'always_invoice',
      expand: ['latest_invoice'],
    });
    const refund = downgraded.latest_invoice as Stripe.Invoice;
    // Same instant, prices swapped: the credit for the unused 5000 and the charge for the remaining 2000.
    expect(refund).toMatchObject({ status: 'paid', amount_due: 0, total: -(credit + charge), ending_balance: -(credit + charge) });
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ balance: -(credit + charge) });
    const next = await stripe.invoices.createPreview({ customer: customer.id, subscription: subscription.id });
    expect(next).toMatchObject({ total: 2000, starting_balance: -(credit + charge), amount_due: Math.max(0, 2000 - (credit + charge)) });
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((invoice) => invoice.billing_reason)).toEqual([
      'subscription_update',
      'subscription_update',
      'subscription_create',
    ]);
  });

  it('cancels at period end and ends the subscription when the period is over', async () => {
    const { monthly } = await catalogue('cancel');
    const customer = await stripe.customers.create({ email: 'cancel@acme.test' });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
    const periodEnd = (subscription.items.data[0] as Stripe.SubscriptionItem).current_period_end;

    const cancelling = await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    expect(cancelling).toMatchObject({ status: 'active', cancel_at_period_end: true, cancel_at: periodEnd });
    await expect(stripe.invoices.createPreview({ customer: customer.id, subscription: subscription.id })).rejects.toMatchObject({
      code: 'invoice_upcoming_none',
    });

    expect((await local('/__local/clock/advance', { to: String(periodEnd + 1) })).body).toEqual({ now: periodEnd + 1 });
    const ended = await stripe.subscriptions.retrieve(subscription.id);
    expect(ended).toMatchObject({ status: 'canceled', ended_at: periodEnd });
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toEqual([]);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(1);
    await server.idle();
    expect(received.map((event) => event.type)).toContain('customer.subscription.deleted');
  });

  it('runs a trial from checkout, warns three days ahead and bills when it ends', async () => {
    const { monthly } = await catalogue('trial');
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'trial@acme.test',
      line_items: [{ price: monthly.id, quantity: 1 }],
      subscription_data: { trial_period_days: 14 },
      success_url: 'http://app.local/done',
    });
    expect(session.amount_total).toBe(0);
    expect((await pay(session.url as string)).status).toBe(303);
    const completed = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription', 'invoice'] });
    expect(completed.payment_status).toBe('no_payment_required');
    expect(completed.invoice).toMatchObject({ status: 'paid', amount_due: 0 });
    const subscription = completed.subscription as Stripe.Subscription;
    expect(subscription).toMatchObject({ status: 'trialing', trial_end: subscription.created + 14 * DAY });

    await server.advanceTime(11 * DAY + 1);
    await server.waitForDelivery('customer.subscription.trial_will_end', {
      where: (event) => (event.data.object as Stripe.Subscription).id === subscription.id,
    });

    await server.advanceTime(3 * DAY);
    const active = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(active.status).toBe('active');
    expect(active.latest_invoice).toMatchObject({ status: 'paid', amount_paid: 2000, billing_reason: 'subscription_cycle' });
  });

  it('ends a trial early with trial_end=now and bills the first period at once', async () => {
    const { monthly } = await catalogue('trialnow');
    const customer = await stripe.customers.create({ email: 'trialnow@acme.test' });
    const trialing = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }], trial_period_days: 30 });
    expect(trialing.status).toBe('trialing');
    const started = await stripe.subscriptions.update(trialing.id, { trial_end: 'now', expand: ['latest_invoice'] });
    expect(started).toMatchObject({ status: 'active', trial_end: server.now(), billing_cycle_anchor: server.now() });
    expect(started.latest_invoice).toMatchObject({ status: 'paid', amount_paid: 2000 });
    expect((started.items.data[0] as Stripe.SubscriptionItem).current_period_start).toBe(server.now());
  });

  it('simulates a failed renewal: invoice.payment_failed, past_due, then recovery', async () => {
    const { monthly } = await catalogue('dunning');
    const customer = await stripe.customers.create({ email: 'dunning@acme.test' });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });

    const failed = await local('/__local/invoices/fail', { subscription: subscription.id });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ status: 'open', attempt_count: 1, amount_remaining: 2000 });
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: 'past_due' });
    const event = await server.waitForDelivery('invoice.payment_failed', {
      where: (e) => (e.data.object as Stripe.Invoice).id === failed.body.id,
    });
    expect((event.data.object as Stripe.Invoice).parent?.subscription_details?.subscription).toBe(subscription.id);

    const paid = await stripe.invoices.pay(String(failed.body.id));
    expect(paid.status).toBe('paid');
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: 'active' });
  });

  it('opens a billing portal session whose page lists the invoices', async () => {
    const { monthly } = await catalogue('portal');
    const customer = await stripe.customers.create({ email: 'portal@acme.test' });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'http://app.local/billing' });
    expect(portal).toMatchObject({ object: 'billing_portal.session', customer: customer.id, return_url: 'http://app.local/billing' });
    const html = await (await fetch(portal.url)).text();
    expect(html).toContain('Cancel plan');
    expect(html).toContain('$20.00');

    const cancel = await fetch(`${portal.url}/subscriptions/${subscription.id}/cancel`, { method: 'POST', redirect: 'manual' });
    expect(cancel.status).toBe(303);
    expect((await stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(true);
  });

  it('answers unknown ids, bad keys and reused idempotency keys as Stripe does', async () => {
    const missing = await stripe.customers.retrieve('cus_doesnotexist').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
      message: "No such customer: 'cus_doesnotexist'",
    });
    const raw = await fetch(`${server.url}/v1/subscriptions/sub_nope`, { headers: { Authorization: 'Bearer sk_test_local' } });
    expect(raw.status).toBe(404);
    expect(await raw.json()).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: "No such subscription: 'sub_nope'",
        param: 'id',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
      },
    });

    const wrongKey = new Stripe('sk_live_notatestkey', { host: '127.0.0.1', port: server.port, protocol: 'http', maxNetworkRetries: 0 });
    await expect(wrongKey.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const noKey = await fetch(`${server.url}/v1/customers`);
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');

    const first = await stripe.customers.create({ email: 'once@acme.test' }, { idempotencyKey: 'signup-1' });
    const again = await stripe.customers.create({ email: 'once@acme.test' }, { idempotencyKey: 'signup-1' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    await expect(stripe.customers.create({ email: 'other@acme.test' }, { idempotencyKey: 'signup-1' })).rejects.toBeInstanceOf(
      Stripe.errors.StripeIdempotencyError,
    );
    await expect(stripe.customers.create({ email: 'x@acme.test', shipping: { name: 'x', address: {} } })).rejects.toMatchObject({
      code: 'parameter_unknown',
      param: 'shipping',
    });
  });

  it('records deliveries, retries failures later, redelivers and delivers out of order on request', async () => {
    const customer = await stripe.customers.create({ email: 'hooks@acme.test' });
    const created = server
      .events('customer.created')
      .find((event) => (event.data.object as Stripe.Customer).id === customer.id) as Stripe.Event;
    await server.idle();
    expect(server.store.deliveries.find((d) => d.eventId === created.id)).toMatchObject({ status: 'succeeded', attempts: [200] });

    const updated = await stripe.customers.update(customer.id, { name: 'Acme' });
    expect(updated.name).toBe('Acme');
    const update = server.events('customer.updated').at(-1) as Stripe.CustomerUpdatedEvent;
    expect(update.data.previous_attributes).toEqual({ name: null });

    // A redelivery that fails once is retried later, behind the events queued meanwhile; those go out in the order
    // asked for, here the update before the creation.
    failOnce.add(created.id);
    const retried = server.redeliver(created.id);
    server.deliver([update.id, created.id]);
    await server.idle();
    expect(retried).toMatchObject({ status: 'succeeded', attempts: [500, 200] });
    expect(received.map((event) => event.id).slice(-3)).toEqual([update.id, created.id, created.id]);
  });
});
