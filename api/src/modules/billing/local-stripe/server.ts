/**
 * A small Stripe-compatible HTTP server for the offline demo and the tests: the real `stripe` SDK talks to it
 * (`new Stripe(key, { host, port, protocol: 'http' })`, see `sdkConfig`), it keeps state in memory, and it sends
 * webhooks signed by the SDK's own signer. It covers exactly what Tierdesk's billing calls; anything else answers
 * as Stripe answers an unknown URL or parameter, so a gap shows up as an error rather than a silent difference.
 *
 * Besides `/v1` it serves the hosted pages (`/checkout/:id`, `/billing_portal/:id`, `/invoices/:id`) and test
 * helpers under `/__local` (see routes.ts), which also exist as methods on the returned handle.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { systemClock, type Clock } from '../../../shared/clock.js';
import { checkoutPage, type PageResult } from './checkout-page.js';
import { BillingEngine } from './engine.js';
import { StripeApiError } from './errors.js';
import { Params, parseForm, type FormObject } from './form.js';
import { invoicePage, portalPage } from './portal-page.js';
import { buildRoutes, type Links } from './routes.js';
import { LocalStripeStore, newId, type WebhookDelivery } from './store.js';
import { WebhookDispatcher } from './webhooks.js';

export interface LocalStripeOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on; loopback by default. */
  host?: string;
  /**
   * Base of the links the server hands out (checkout and portal pages, hosted invoices) when the browser reaches
   * it by another address than `http://<host>:<port>`, e.g. behind a proxy or when listening on 0.0.0.0.
   */
  publicUrl?: string;
  /** Where events are POSTed; none means events are recorded but not sent (set it later with `setWebhookUrl`). */
  webhookUrl?: string | null;
  /** The `whsec_…` secret the receiver verifies with. */
  webhookSecret: string;
  /** The server's time source; the `advanceTime` helper moves the server's time forward from it. */
  clock?: Clock;
  /** Pause before each retry of a failed delivery; its length is the number of retries. */
  webhookRetryDelaysMs?: readonly number[];
}

export interface LocalStripe {
  /** `http://127.0.0.1:<port>` */
  url: string;
  host: string;
  port: number;
  /** What `new Stripe(key, sdkConfig)` needs to talk to this server. */
  sdkConfig: { host: string; port: number; protocol: 'http' };
  store: LocalStripeStore;
  /** The server's current time, Unix seconds. */
  now(): number;
  setWebhookUrl(url: string | null): void;
  /** Moves the server's clock forward and does what fell due (renewals, trial ends, retries), in order. */
  advanceTime(seconds: number): Promise<void>;
  /** Resolves when every queued webhook delivery has finished (succeeded or given up). */
  idle(): Promise<void>;
  /** Resolves with the first successful delivery of an event of `type` (and matching `where`), waiting if needed. */
  waitForDelivery(type: string, options?: { where?: (event: Stripe.Event) => boolean; timeoutMs?: number }): Promise<Stripe.Event>;
  /** Delivers stored events again, in exactly this order (duplicates and out-of-order delivery in tests). */
  deliver(eventIds: readonly string[], url?: string): WebhookDelivery[];
  redeliver(eventId: string): WebhookDelivery;
  /** Events so far, oldest first, optionally of one type. */
  events(type?: string): Stripe.Event[];
  close(): Promise<void>;
}

const DEFAULT_RETRY_DELAYS_MS = [100, 400, 1600];
const MAX_BODY_BYTES = 1_000_000;

export async function startLocalStripe(options: LocalStripeOptions): Promise<LocalStripe> {
  const host = options.host ?? '127.0.0.1';
  const store = new LocalStripeStore(options.clock ?? systemClock);
  const webhooks = new WebhookDispatcher(
    store,
    options.webhookSecret,
    options.webhookUrl ?? null,
    options.webhookRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
  );
  let baseUrl = '';
  const links: Links = {
    checkoutUrl: (id) => `${baseUrl}/checkout/${id}`,
    portalUrl: (id) => `${baseUrl}/billing_portal/${id}`,
    invoiceUrl: (id) => `${baseUrl}/invoices/${id}`,
  };
  const engine = new BillingEngine(store, Stripe.API_VERSION, links, (event) => webhooks.publish(event));
  const advanceTime = (seconds: number) => {
    store.advance(seconds);
    engine.runDue();
  };
  const routes = buildRoutes({ store, engine, webhooks, links, advanceTime });

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error('local Stripe: unexpected error', error);
      if (!response.headersSent)
        sendJson(response, 500, { error: { type: 'api_error', message: 'Unexpected error in the local Stripe server.' } }, {});
      else response.destroy();
    });
  });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://local');
    const body = await readBody(request);
    const requestId = newId('req', 14);
    const headers: Record<string, string> = {
      'Request-Id': requestId,
      'Stripe-Version': header(request, 'stripe-version') ?? Stripe.API_VERSION,
    };
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

    if (segments[0] === 'checkout' || segments[0] === 'billing_portal' || segments[0] === 'invoices') {
      engine.runDue();
      const form = method === 'POST' ? parseForm(body) : {};
      const result = page(method, segments, form);
      engine.runDue();
      sendPage(response, result);
      return;
    }
    if (segments[0] !== 'v1' && segments[0] !== '__local') {
      sendJson(response, 404, StripeApiError.unrecognizedUrl(method, url.pathname).toJSON(), headers);
      return;
    }

    const apiKey = bearer(request);
    if (apiKey === null) {
      sendJson(response, 401, StripeApiError.noApiKey().toJSON(), headers);
      return;
    }
    if (!/^sk_test_\w+$/.test(apiKey)) {
      sendJson(response, 401, StripeApiError.invalidApiKey(apiKey).toJSON(), headers);
      return;
    }
    const idempotencyKey = method === 'POST' || method === 'DELETE' ? header(request, 'idempotency-key') : undefined;
    const cacheKey = idempotencyKey === undefined ? undefined : `${apiKey} ${idempotencyKey}`;
    const fingerprint = `${method} ${url.pathname} ${url.search} ${body}`;
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
    const cached = cacheKey === undefined ? undefined : store.idempotency.get(cacheKey);
    if (cached && idempotencyKey !== undefined) {
      if (cached.fingerprint !== fingerprint) {
        sendJson(response, 400, StripeApiError.idempotencyMismatch(idempotencyKey).toJSON(), headers);
        return;
      }
      sendRaw(response, cached.status, cached.body, { ...headers, 'Idempotent-Replayed': 'true' });
      return;
    }

    const isJson = (header(request, 'content-type') ?? '').includes('application/json');
    let status = 200;
    let result: unknown;
    engine.request = { id: requestId, idempotency_key: idempotencyKey ?? null };
    try {
      if (isJson) throw StripeApiError.invalid('The local Stripe server expects form-encoded request bodies (as Stripe v1 does).');
      engine.runDue();
      result = dispatch(method, url.pathname, new Params(parseForm(url.search.slice(1), body)));
      engine.runDue();
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      status = error.statusCode;
      result = error.toJSON();
    } finally {
      engine.request = null;
    }
    const text = JSON.stringify(result, null, 2);
    // Stripe replays stored results for the same key, errors included, but not server errors.
    if (cacheKey !== undefined && status < 500) store.idempotency.set(cacheKey, { fingerprint, status, body: text });
    sendRaw(response, status, text, headers);
  }

  function dispatch(method: string, pathname: string, params: Params): unknown {
    for (const route of routes) {
      const match = route.method === method ? route.pattern.exec(pathname) : null;
      if (match) return route.handle({ params, ids: match.slice(1).map(decodeURIComponent) });
    }
    throw StripeApiError.unrecognizedUrl(method, pathname);
  }

  function page(method: string, segments: string[], form: FormObject): PageResult {
    const [kind, id, ...rest] = segments;
    if (kind === 'checkout' && id && rest.length === 0) return checkoutPage(engine, store, method, id, form);
    if (kind === 'billing_portal' && id) return portalPage(engine, store, method, [id, ...rest]);
    if (kind === 'invoices' && id && rest.length === 0 && method === 'GET') return invoicePage(store, id);
    return { status: 404, html: 'Not found' };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const listening = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  baseUrl = options.publicUrl?.replace(/\/+$/, '') ?? listening;

  const waitForDelivery: LocalStripe['waitForDelivery'] = (type, waitOptions = {}) => {
    const deadline = Date.now() + (waitOptions.timeoutMs ?? 5_000);
    return new Promise((resolve, reject) => {
      const check = () => {
        for (const delivery of store.deliveries) {
          if (delivery.type !== type || delivery.status !== 'succeeded') continue;
          const event = store.events.get(delivery.eventId);
          if (event && (!waitOptions.where || waitOptions.where(event))) {
            resolve(event);
            return;
          }
        }
        if (Date.now() > deadline) reject(new Error(`local Stripe: no successful delivery of ${type} within the timeout`));
        else setTimeout(check, 10);
      };
      check();
    });
  };

  return {
    url: listening,
    host,
    port,
    sdkConfig: { host, port, protocol: 'http' },
    store,
    now: () => store.now(),
    setWebhookUrl: (url) => webhooks.setUrl(url),
    advanceTime: async (seconds) => advanceTime(seconds),
    idle: () => webhooks.idle(),
    waitForDelivery,
    deliver: (eventIds, url) => webhooks.deliver(eventIds, url),
    redeliver: (eventId) => webhooks.deliver([eventId])[0] as WebhookDelivery,
    events: (type) => [...store.events.values()].filter((event) => type === undefined || event.type === type),
    close: async () => {
      webhooks.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The API key from `Authorization: Bearer sk_…` or HTTP Basic (`curl -u sk_…:`), as Stripe accepts both. */
function bearer(request: http.IncomingMessage): string | null {
  const authorization = header(request, 'authorization');
  if (!authorization) return null;
  const [scheme, value = ''] = authorization.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') return value.trim() || null;
  if (scheme?.toLowerCase() === 'basic') return Buffer.from(value, 'base64').toString('utf8').split(':')[0] || null;
  return null;
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: http.ServerResponse, status: number, value: unknown, headers: Record<string, string>): void {
  sendRaw(response, status, JSON.stringify(value, null, 2), headers);
}

function sendRaw(response: http.ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  response.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

function sendPage(response: http.ServerResponse, result: PageResult): void {
  if ('location' in result) {
    response.writeHead(303, { Location: result.location, 'Content-Length': 0 });
    response.end();
    return;
  }
  response.writeHead(result.status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(result.html) });
  response.end(result.html);
}
