// Stripe webhooks and upgrades, on the real API with billing on (the bundled local Stripe-compatible server, as
// `pnpm start` and the test suite run it):
//  1. webhook processing rate: signed `customer.subscription.updated` events for many organizations, ~20% of the
//     deliveries duplicates, POSTed to /webhooks/stripe at a fixed concurrency; each distinct event must apply once.
//  2. checkout completion to entitlements in force: complete a checkout on the local server and poll the API as the
//     organization's admin until `organization { tier { key } }` shows the new tier.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import pg from 'pg';
import { loadConfig } from '@tierdesk/api/config';
import { boot } from '@tierdesk/api/main';
import { DEMO_PASSWORD } from '@tierdesk/api/db/seed';
import { createStripeClient, startLocalStripe, syncPlans } from '@tierdesk/api/modules/billing';
import { createUser } from '@tierdesk/api/modules/identity';
import { createOrganization } from '@tierdesk/api/modules/organizations';
import { benchDatabase } from './lib/database.mjs';
import { median, ms, perSecond, quantile, since } from './lib/stats.mjs';
import { REPO_ROOT, sleep } from './lib/system.mjs';

const WEBHOOK_SECRET = 'whsec_tierdesk_bench';

export async function billingWebhooks({
  organizations = Number(process.env.BENCH_BILLING_ORGS ?? 200),
  events = Number(process.env.BENCH_BILLING_EVENTS ?? 2000),
  duplicateShare = 0.2,
  concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8),
  upgradeRuns = Number(process.env.BENCH_BILLING_UPGRADES ?? 10),
} = {}) {
  const database = await benchDatabase();
  let stripe;
  let api;
  try {
    progress(`seeding ${database.description}`);
    execFileSync(process.execPath, [resolve(REPO_ROOT, 'api/dist/cli.js'), 'seed'], {
      env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    stripe = await startLocalStripe({ webhookSecret: WEBHOOK_SECRET });
    // The local server, never a real Stripe account, whatever the environment says.
    const { STRIPE_SECRET_KEY: _ignored, ...env } = process.env;
    const config = loadConfig({
      ...env,
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      RUN_TIMERS: 'false',
      STRIPE_LOCAL_PORT: String(stripe.port),
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    api = await boot({ config, port: 0 });
    const origin = api.server.url.replace(/\/graphql$/, '').replace('//localhost:', '//127.0.0.1:');
    const graphqlUrl = `${origin}/graphql`;
    stripe.setWebhookUrl(`${origin}/webhooks/stripe`);
    const sdk = createStripeClient({ STRIPE_LOCAL_PORT: stripe.port, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }).stripe;
    await syncPlans(sdk);
    const system = () => api.runtime.system('bench');
    const priceOf = async (key) => (await sdk.prices.list({ lookup_keys: [key], active: true, limit: 1 })).data[0].id;
    const [growthPrice, businessPrice] = [await priceOf('tierdesk_growth_monthly'), await priceOf('tierdesk_business_monthly')];

    // ---- 1. Webhook processing rate ------------------------------------------------------------------------------
    // Many community organizations, each with a Stripe customer (organization id in its metadata) and a growth
    // subscription made on the local server; its real webhooks bring them to growth. Then, with deliveries off, each
    // subscription moves to business: the benchmark's own events are the ones that tell the API.
    progress(`creating ${organizations} organizations with growth subscriptions`);
    const orgs = [];
    await runPool(organizations, 8, async (index) => {
      const organization = await createOrganization(system(), {
        slug: `bench-${index}`,
        name: `Bench ${index}`,
        region: 'us-east',
        timeZone: 'UTC',
        tierKey: 'community',
      });
      const customer = await sdk.customers.create({
        email: `billing@bench-${index}.example`,
        metadata: { organizationId: organization.id },
      });
      const subscription = await sdk.subscriptions.create({
        customer: customer.id,
        items: [{ price: growthPrice }],
        metadata: { organizationId: organization.id },
      });
      orgs.push({ organizationId: organization.id, subscriptionId: subscription.id });
    });
    await stripe.idle();
    stripe.setWebhookUrl(null);
    const subscriptions = [];
    for (const org of orgs) {
      const current = await sdk.subscriptions.retrieve(org.subscriptionId);
      subscriptions.push(
        await sdk.subscriptions.update(current.id, {
          items: [{ id: current.items.data[0].id, price: businessPrice }],
          proration_behavior: 'none',
        }),
      );
    }
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const count = async (sql) => Number((await client.query(sql)).rows[0].count);
    const onGrowth = await count(
      `select count(*) from organization o join tier t on t.id = o.tier_id where o.slug like 'bench-%' and t.key = 'growth'`,
    );
    if (onGrowth !== organizations)
      throw new Error(`setup: ${onGrowth} of ${organizations} organizations reached growth through the local server's webhooks`);
    const stripeEventsBefore = await count('select count(*) from stripe_event');

    // Distinct events round-robin over the organizations; duplicates (the same body, signed anew, as Stripe's
    // retries are) shuffled in among them, so some arrive while their original is still being applied.
    const duplicates = Math.round((events * duplicateShare) / (1 - duplicateShare));
    const now = Math.floor(Date.now() / 1000);
    const bodies = Array.from({ length: events }, (_, index) =>
      JSON.stringify({
        id: `evt_bench_${String(index).padStart(6, '0')}`,
        object: 'event',
        api_version: '2025-08-27.basil',
        created: now,
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type: 'customer.subscription.updated',
        data: { object: subscriptions[index % subscriptions.length], previous_attributes: { items: { object: 'list' } } },
      }),
    );
    const deliveries = [...bodies.keys(), ...Array.from({ length: duplicates }, () => Math.floor(Math.random() * events))];
    for (let i = deliveries.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
    }
    const signed = deliveries.map((index) => ({
      body: bodies[index],
      signature: sdk.webhooks.generateTestHeaderString({ payload: bodies[index], secret: WEBHOOK_SECRET }),
    }));

    progress(`delivering ${signed.length} webhooks (${events} distinct, ${duplicates} duplicates) at concurrency ${concurrency}`);
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const target = new URL(`${origin}/webhooks/stripe`);
    const results = { applied: 0, duplicate: 0, ignored: 0, tierChanged: 0, errors: 0 };
    const latencies = [];
    const started = process.hrtime.bigint();
    await runPool(signed.length, concurrency, async (index) => {
      const { body, signature } = signed[index];
      const t0 = process.hrtime.bigint();
      const response = await post(agent, target, body, { 'stripe-signature': signature });
      latencies.push(since(t0));
      if (response.status !== 200) {
        results.errors += 1;
        return;
      }
      const outcome = JSON.parse(response.body);
      results[outcome.result] += 1;
      if (outcome.tierChanged) results.tierChanged += 1;
    });
    const elapsedMs = since(started);
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const recorded = (await count('select count(*) from stripe_event')) - stripeEventsBefore;
    const benchRecorded = await count(`select count(*) from stripe_event where id like 'evt_bench_%'`);
    const history = await count(`select count(*) from tier_change where reason like 'Stripe customer.subscription.updated (evt_bench_%'`);
    const onBusiness = await count(
      `select count(*) from organization o join tier t on t.id = o.tier_id where o.slug like 'bench-%' and t.key = 'business'`,
    );
    const once =
      benchRecorded === events &&
      recorded === events &&
      history === organizations &&
      results.applied === events &&
      results.duplicate === duplicates &&
      results.errors === 0;

    // ---- 2. Checkout completion to entitlements in force --------------------------------------------------------
    progress(`${upgradeRuns} checkouts (community → business) timed to the tier the API reports`);
    stripe.setWebhookUrl(`${origin}/webhooks/stripe`);
    const upgrades = [];
    const ORG_QUERY = '{ organization { tier { key } entitlements { allowedPriorities } } }';
    for (let run = 0; run < upgradeRuns; run += 1) {
      const ctx = system();
      const organization = await createOrganization(ctx, {
        slug: `upgrade-${run}`,
        name: `Upgrade ${run}`,
        region: 'us-east',
        timeZone: 'UTC',
        tierKey: 'community',
      });
      await createUser(ctx, {
        email: `admin@upgrade-${run}.example`,
        name: `Admin ${run}`,
        password: DEMO_PASSWORD,
        organization,
        customerRole: 'ADMIN',
      });
      await ctx.em.flush();
      const token = (
        await gql(graphqlUrl, 'mutation($input: SignInInput!) { signIn(input: $input) { token } }', {
          input: { email: `admin@upgrade-${run}.example`, password: DEMO_PASSWORD },
        })
      ).data.signIn.token;
      const before = (await gql(graphqlUrl, ORG_QUERY, {}, token)).data.organization;
      const checkout = (
        await gql(
          graphqlUrl,
          'mutation($input: StartCheckoutInput!) { startCheckout(input: $input) { url userErrors { code } } }',
          { input: { tierKey: 'business', interval: 'MONTH', successUrl: 'https://app.example/ok', cancelUrl: 'https://app.example/no' } },
          token,
        )
      ).data.startCheckout;
      if (!checkout.url) throw new Error(`startCheckout: ${JSON.stringify(checkout.userErrors)}`);
      const sessionId = /\/checkout\/([^/?#]+)/.exec(checkout.url)[1];
      const t0 = process.hrtime.bigint();
      const completed = await fetch(`${stripe.url}/__local/checkout/sessions/${sessionId}/complete`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk_test_local' },
      });
      if (completed.status !== 200) throw new Error(`completing checkout ${sessionId}: HTTP ${completed.status}`);
      const completeMs = since(t0);
      let polls = 0;
      let after;
      for (;;) {
        polls += 1;
        after = (await gql(graphqlUrl, ORG_QUERY, {}, token)).data.organization;
        if (after.tier.key === 'business') break;
        if (since(t0) > 30_000) throw new Error(`upgrade-${run} still on ${after.tier.key} 30 s after checkout`);
        await sleep(2);
      }
      upgrades.push({ totalMs: since(t0), completeMs, polls, before, after });
      await stripe.idle();
    }
    const upgradeRecorded = await count(
      `select count(*) from tier_change tc join organization o on o.id = tc.organization_id where o.slug like 'upgrade-%' and tc.reason like 'Stripe %'`,
    );
    await client.end();
    const totals = upgrades.map((upgrade) => upgrade.totalMs).sort((a, b) => a - b);
    const first = upgrades[0];

    return {
      sections: [
        {
          heading: `Webhook processing, ${events.toLocaleString('en-US')} distinct customer.subscription.updated events over ${organizations} organizations + ${duplicates} duplicates, concurrency ${concurrency} (${database.description})`,
          rows: [
            ['figure', 'value'],
            ['deliveries', `${signed.length} in ${(elapsedMs / 1000).toFixed(2)} s`],
            ['deliveries/s', perSecond(signed.length / (elapsedMs / 1000))],
            ['distinct events applied/s', perSecond(events / (elapsedMs / 1000))],
            ['p50 per delivery', ms(quantile(latencies, 0.5))],
            ['p90 per delivery', ms(quantile(latencies, 0.9))],
            ['p99 per delivery', ms(quantile(latencies, 0.99))],
            ['max per delivery', ms(latencies.at(-1))],
            [
              'responses applied / duplicate / ignored / non-200',
              `${results.applied} / ${results.duplicate} / ${results.ignored} / ${results.errors}`,
            ],
            ['stripe_event rows added (expected)', `${recorded} (${events})`],
            ['tier_change rows from these events (expected: 1 per org)', `${history} (${organizations})`],
            ['organizations now on business', `${onBusiness} of ${organizations}`],
            ['each distinct event applied once', once ? 'yes' : 'NO'],
          ],
          notes: [
            'Each delivery verifies the signature, checks stripe_event for the id, re-reads the subscription from the local Stripe server over HTTP (the SDK, as in production), and applies it in one transaction with the event id; the first event per organization moves it growth → business (history, re-timed tickets, outbound event), later ones change nothing.',
            'The API, the local Stripe server and the load client share one Node process (as in the test suite), so the client and the Stripe reads take CPU from the figure.',
            'Duplicates are the same event bodies re-signed, shuffled among the originals: some arrive while the original is in flight (the unique-key path), most after (the lookup path).',
          ],
        },
        {
          heading: `Checkout completion to entitlements in force, ${upgradeRuns} organizations community → business (trial)`,
          rows: [
            ['figure', 'value'],
            ['median', ms(median(totals))],
            ['min', ms(totals[0])],
            ['max', ms(totals.at(-1))],
            ['median of the completion call alone', ms(median(upgrades.map((upgrade) => upgrade.completeMs)))],
            ['median polls until the tier showed', String(median(upgrades.map((upgrade) => upgrade.polls)))],
            [
              'allowed priorities before → after (first run)',
              `${first.before.entitlements.allowedPriorities.join(',')} → ${first.after.entitlements.allowedPriorities.join(',')}`,
            ],
            ['tier_change rows naming a Stripe event (expected)', `${upgradeRecorded} (${upgradeRuns})`],
          ],
          notes: [
            'From POST /__local/checkout/sessions/:id/complete (the customer paying on the hosted page) to the first `organization { tier { key } entitlements { allowedPriorities } }` answer, as the organization admin, that shows business; polled every ~2 ms.',
            "The local server delivers the checkout's events (checkout.session.completed, customer.subscription.created, the first invoice) asynchronously, as Stripe does; whichever the API applies first moves the tier, the rest change nothing.",
          ],
        },
      ],
    };
  } finally {
    await stripe?.idle().catch(() => {});
    await stripe?.close();
    await api?.stop();
    await database.drop();
  }
}

function progress(line) {
  process.stderr.write(`  ${line}\n`);
}

function post(agent, target, body, headers) {
  const payload = Buffer.from(body);
  return new Promise((done, fail) => {
    const req = request(
      {
        agent,
        method: 'POST',
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        headers: { 'content-type': 'application/json', 'content-length': payload.length, ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => done({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(payload);
  });
}

async function gql(url, query, variables = {}, token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body;
}

async function runPool(count, concurrency, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
