import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_WEBHOOK_SECRET, type TestApi } from '../../../../test/support/api.js';
import { BillingAccount, StripeEvent } from './billing.entity.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ billing: true });
});

afterAll(async () => {
  await api?.stop();
});

async function post(payload: string, signature: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${api.origin}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const signed = (payload: string, timestamp?: number) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret: TEST_WEBHOOK_SECRET, ...(timestamp === undefined ? {} : { timestamp }) });

/** What the webhook may have written: recorded events and billing accounts. */
async function written(): Promise<{ events: number; accounts: number }> {
  const em = api.orm.em.fork();
  em.setFilterParams('tenant', { allTenants: true });
  return { events: await em.count(StripeEvent, {}), accounts: await em.count(BillingAccount, {}) };
}

/** A subscription event of the shape Stripe sends, for a customer `customer`. */
function subscriptionEvent(id: string, customer: unknown): Record<string, unknown> {
  return {
    id,
    object: 'event',
    type: 'customer.subscription.updated',
    data: { object: { id: `sub_${id}`, object: 'subscription', customer, metadata: {} } },
  };
}

/** An event of a type acknowledged without effects: only its signature can make it a refusal. */
const unhandled = (id: string) => ({ ...subscriptionEvent(id, 'cus_nobody'), type: 'customer.discount.created' });

describe('webhook signature timestamps', () => {
  const seconds = (offset: number) => Math.floor(Date.now() / 1000) + offset;
  it.each([
    ['an hour in the future', () => seconds(3_600)],
    ['six minutes in the future', () => seconds(360)],
    ['six minutes in the past', () => seconds(-360)],
  ])('refuses a signature made %s with SIGNATURE_STALE, recording nothing', async (_, timestamp) => {
    const before = await written();
    const payload = JSON.stringify(unhandled('evt_out_of_tolerance'));
    const response = await post(payload, signed(payload, timestamp()));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'SIGNATURE_STALE' } });
    expect(await written()).toEqual(before);
  });

  it('refuses a signature whose timestamp is not a number with SIGNATURE_STALE', async () => {
    // The SDK's signer cannot make one (it floors the timestamp), so it is signed by hand the way Stripe documents.
    // The SDK verifies it against `${parseInt(t)}.${payload}`, and its own check (`now - parseInt(t) > tolerance`)
    // lets NaN through.
    const payload = JSON.stringify(unhandled('evt_nan_timestamp'));
    const signature = createHmac('sha256', TEST_WEBHOOK_SECRET).update(`NaN.${payload}`).digest('hex');
    const response = await post(payload, `t=NaN,v1=${signature}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'SIGNATURE_STALE' } });
  });

  it('accepts a signature made four minutes in the future (clock skew within the tolerance)', async () => {
    const payload = JSON.stringify(unhandled('evt_skewed'));
    const response = await post(payload, signed(payload, seconds(240)));
    expect(response).toEqual({ status: 200, body: { received: true, result: 'ignored' } });
  });
});

describe('correctly signed events of the wrong shape', () => {
  const malformed: [string, unknown][] = [
    ['a body of null', null],
    ['a JSON string', 'customer.subscription.updated'],
    ['a JSON array', [subscriptionEvent('evt_in_array', 'cus_nobody')]],
    ['an event with no data', { id: 'evt_no_data', object: 'event', type: 'customer.subscription.updated' }],
    ['an event whose data.object is null', { id: 'evt_null_object', object: 'event', type: 'invoice.paid', data: { object: null } }],
    ['an event with no id', { ...subscriptionEvent('evt_x', 'cus_nobody'), id: undefined }],
    ['an event whose type is not a string', { ...subscriptionEvent('evt_numeric_type', 'cus_nobody'), type: 42 }],
    ['a customer of the wrong type', subscriptionEvent('evt_numeric_customer', { id: 123 })],
    ['a subscription event without its customer', subscriptionEvent('evt_no_customer', undefined)],
    [
      'a subscription event whose object is an invoice',
      {
        ...subscriptionEvent('evt_invoice_object', 'cus_nobody'),
        data: { object: { id: 'in_1', object: 'invoice', customer: 'cus_nobody' } },
      },
    ],
    [
      'a checkout session with a numeric subscription',
      {
        id: 'evt_numeric_subscription',
        object: 'event',
        type: 'checkout.session.completed',
        data: { object: { id: 'cs_1', object: 'checkout.session', customer: 'cus_nobody', subscription: 7 } },
      },
    ],
    ['an id longer than any Stripe id', subscriptionEvent(`evt_${'x'.repeat(300)}`, 'cus_nobody')],
  ];

  it.each(malformed)('refuses %s with 400 EVENT_MALFORMED, writing nothing', async (_, body) => {
    const before = await written();
    const payload = JSON.stringify(body);
    const response = await post(payload, signed(payload));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'EVENT_MALFORMED' } });
    expect(await written()).toEqual(before);
  });

  const ignored: [string, unknown][] = [
    ['an event for a customer Stripe does not know', subscriptionEvent('evt_unknown_customer', 'cus_nobody')],
    [
      'an invoice event for a customer Stripe does not know, as an expanded object',
      {
        id: 'evt_unknown_expanded',
        object: 'event',
        type: 'invoice.paid',
        data: { object: { object: 'invoice', customer: { id: 'cus_nobody' } } },
      },
    ],
    [
      'an event whose metadata names an organization by something that is not an id',
      {
        ...subscriptionEvent('evt_named_organization', 'cus_nobody'),
        data: { object: { id: 'sub_named', object: 'subscription', customer: 'cus_nobody', metadata: { organizationId: 'initech' } } },
      },
    ],
    // Types Tierdesk does not handle are acknowledged whatever their object looks like: Stripe adds types.
    ['an event of an unknown type', { ...subscriptionEvent('evt_unknown_type', { id: 123 }), type: 'customer.discount.created' }],
    [
      'an event of an unknown type with a null object',
      { id: 'evt_unknown_null', object: 'event', type: 'radar.early_fraud_warning.created', data: { object: null } },
    ],
  ];

  it.each(ignored)('acknowledges %s with 200 ignored, writing nothing', async (_, body) => {
    const before = await written();
    const payload = JSON.stringify(body);
    const response = await post(payload, signed(payload));
    expect(response).toEqual({ status: 200, body: { received: true, result: 'ignored' } });
    expect(await written()).toEqual(before);
  });
});

describe('an installation without STRIPE_WEBHOOK_SECRET', () => {
  let installation: string;
  let local: TestApi;

  beforeAll(async () => {
    installation = mkdtempSync(join(tmpdir(), 'tierdesk-installation-'));
    local = await startTestApi({ env: { EMBEDDED_PG_DIR: join(installation, 'pgdata') } });
  });

  afterAll(async () => {
    await local?.stop();
    rmSync(installation, { recursive: true, force: true });
  });

  it('refuses an event signed with the constant the code once had, and accepts one signed with its own secret', async () => {
    const payload = JSON.stringify(unhandled('evt_old_constant'));
    const send = (secret: string) =>
      fetch(`${local.origin}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }) },
        body: payload,
      });
    const forged = await send('whsec_tierdesk_local_test_mode');
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: 'SIGNATURE_INVALID' } });
    const own = readFileSync(join(installation, 'stripe-webhook-secret'), 'utf8').trim();
    const accepted = await send(own);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ received: true, result: 'ignored' });
  });
});
