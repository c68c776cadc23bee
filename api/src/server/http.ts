import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { requestBudget } from '../app/limiters.js';
import type { Runtime } from '../app/runtime.js';
import { billingSettings, handleStripeEvent, verifyWebhook } from '../modules/billing/index.js';
import { authenticate } from '../modules/identity/index.js';
import { organizationEntitlements } from '../modules/organizations/index.js';
import type { RequestContext } from '../shared/context.js';
import { AppError, conflictFromUniqueViolation } from '../shared/errors.js';
import { systemPrincipal } from '../shared/principal.js';
import { documentLimitError, queryLimitsPlugin, type IntrospectionMode, type QueryLimits } from './limits.js';
import { ApiBudget } from './rate-limit.js';
import { tierdeskSchema } from './schema.js';
import { textInputPlugin } from './text-input.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiServerOptions {
  runtime: Runtime;
  port: number;
  host?: string;
  limits: QueryLimits;
  introspection: IntrospectionMode;
  /** A result serialized larger than this is replaced by a RESPONSE_TOO_LARGE error. */
  responseMaxBytes: number;
  /** Per-minute budgets of callers without an organization key (those have their tier's budget). */
  requestBudgets: { anonymousPerMinute: number; customerPerMinute: number; trustProxy: boolean };
}

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Known failures keep their message and code; anything else is masked (and logged with the request id). */
function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) return original.toGraphQLError().toJSON();
  const conflict = conflictFromUniqueViolation(original);
  if (conflict) return conflict.toGraphQLError().toJSON();
  if (original instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') return formatted;
  return {
    message: 'Internal error: something failed on our side. Quote the request id when reporting it.',
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

const requestIdPlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          const original = unwrapResolverError(error);
          if (!(original instanceof AppError) && !(original instanceof GraphQLError && original.extensions?.code)) {
            contextValue.log.error({ err: original, path: error.path }, 'unexpected error');
          }
        }
      },
      async willSendResponse({ response, contextValue }) {
        response.http.headers.set('x-request-id', contextValue.requestId);
        if (response.body.kind === 'single' && response.body.singleResult.errors) {
          response.body.singleResult.errors = response.body.singleResult.errors.map((error) => ({
            ...error,
            extensions: { ...error.extensions, requestId: contextValue.requestId },
          }));
        }
      },
    };
  },
};

const isLoopback = (address: string | undefined) => !!address && /^(127\.|::1$|::ffff:127\.)/.test(address);

/**
 * The caller's address, for per-address limits. A loopback peer is the bundled portal or a proxy on this host: its
 * X-Forwarded-For names the caller, and without one the request has no address of its own (limiting the portal's
 * address would limit every visitor at once; accounts are still throttled). With TRUST_PROXY any peer's header counts.
 */
function clientAddressOf(req: IncomingMessage, trustProxy: boolean): string | null {
  const peer = req.socket.remoteAddress;
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim() || null;
  if (trustProxy || isLoopback(peer)) return first ?? (isLoopback(peer) ? null : (peer ?? null));
  return peer ?? null;
}

class BodyTooLarge extends Error {}

/**
 * Reads the body up to MAX_BODY_BYTES. Past the cap it stops listening without destroying the request, so the 413
 * can still be written; that answer then closes the connection (see refuse) instead of reading the rest.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd).pause();
      reject(new BodyTooLarge());
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData).on('end', onEnd).once('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * An answer given before the request body was read to its end (too large, or a route that takes none). The unread
 * bytes would otherwise be taken for the next request on a keep-alive connection, or read in full by Node to skip
 * them; `Connection: close` makes Node end the connection after this answer and tells the client not to reuse it.
 */
function refuse(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, status, body, { ...headers, connection: 'close' });
}

function errorBody(code: string, message: string, requestId: string) {
  return { errors: [{ message, extensions: { code, requestId } }] };
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { runtime } = options;
  const { orm, clock, log } = runtime;
  const schema = await tierdeskSchema();
  const budget = new ApiBudget();
  const anonymousBudget = requestBudget(runtime.orm, 'anonymous', options.requestBudgets.anonymousPerMinute);
  const customerBudget = requestBudget(runtime.orm, 'customer', options.requestBudgets.customerPerMinute);
  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    // No landing page: Apollo's Sandbox and its production page load from Apollo's CDN, which an offline or locked-down
    // deployment cannot reach; a browser at /graphql gets an ordinary GraphQL error instead.
    plugins: [
      requestIdPlugin,
      textInputPlugin,
      queryLimitsPlugin(options.limits, options.introspection),
      ApolloServerPluginLandingPageDisabled(),
      // The API sets no cache hints (every answer depends on the caller), and Apollo's default cache-control plugin
      // listens to every field resolution, which makes Apollo wrap every resolver of the schema: on a page of 100
      // nested tickets that is thousands of wrapped calls per request for a header nobody reads.
      ApolloServerPluginCacheControlDisabled(),
    ],
    // Who may introspect is decided per caller by queryLimitsPlugin (GRAPHQL_INTROSPECTION).
    introspection: true,
    // The process's commands (start, serve) stop everything in order on SIGINT/SIGTERM; Apollo must not stop itself first.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
  });
  await apollo.start();

  /** Authenticates, applies the API budget, and builds the request context. */
  async function contextFor(req: IncomingMessage, requestId: string): Promise<RequestContext> {
    let principal;
    try {
      principal = await authenticate(orm.em.fork({ loggerContext: { requestId } }), req.headers.authorization, clock);
    } catch (error) {
      if (error instanceof AppError) {
        throw new GraphQLError(error.message, { extensions: { code: error.kind, reason: error.code, http: { status: 401 } } });
      }
      throw error;
    }
    const clientAddress = clientAddressOf(req, options.requestBudgets.trustProxy);
    const ctx = runtime.context(principal, { requestId, clientAddress });
    if ((principal.kind === 'anonymous' && clientAddress) || principal.kind === 'customer') {
      const retryAfterSeconds =
        principal.kind === 'anonymous' ? await anonymousBudget.take(clientAddress!) : await customerBudget.take(principal.userId);
      if (retryAfterSeconds !== null) {
        throw new GraphQLError(
          `Too many requests from this ${principal.kind === 'anonymous' ? 'address' : 'account'}; retry in ${retryAfterSeconds} s.`,
          {
            extensions: {
              code: 'RATE_LIMITED',
              retryAfterSeconds,
              http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
            },
          },
        );
      }
    }
    if (principal.kind === 'partner') {
      const entitlements = await organizationEntitlements(ctx, principal.organizationId);
      const verdict = budget.take(principal.organizationId, entitlements.limit('api.requestsPerMinute'), clock.now().getTime());
      if (!verdict.allowed) {
        throw new GraphQLError(`The API budget of ${entitlements.tier.name} is spent; retry in ${verdict.retryAfterSeconds} s.`, {
          extensions: {
            code: 'RATE_LIMITED',
            retryAfterSeconds: verdict.retryAfterSeconds,
            http: { status: 429, headers: new Map([['retry-after', String(verdict.retryAfterSeconds)]]) },
          },
        });
      }
    }
    return ctx;
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        refuse(res, 413, errorBody('PAYLOAD_TOO_LARGE', `The request body is over ${MAX_BODY_BYTES} bytes.`, requestId));
        return;
      }
      throw error;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = raw;
    if ((headers.get('content-type') ?? '').includes('json') && raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        sendJson(res, 400, errorBody('BAD_REQUEST', 'The request body is not valid JSON.', requestId));
        return;
      }
    }
    const query = req.method === 'GET' ? url.searchParams.get('query') : (body as { query?: unknown } | null)?.query;
    const overLimit = typeof query === 'string' ? documentLimitError(schema, query, options.limits, requestId) : null;
    if (overLimit) return sendJson(res, 400, { errors: [overLimit.toJSON()] }, { 'x-request-id': requestId });
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () => contextFor(req, requestId),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.setHeader('x-request-id', requestId);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      const size = Buffer.byteLength(response.body.string);
      if (size <= options.responseMaxBytes) {
        res.end(response.body.string);
        return;
      }
      // The result is already built, but a client (or proxy) is spared receiving it; the log says who asked for it.
      log.warn({ requestId, size, limit: options.responseMaxBytes }, 'response too large');
      res.end(
        JSON.stringify({
          data: null,
          ...errorBody(
            'RESPONSE_TOO_LARGE',
            `The result is ${size} bytes; the maximum is ${options.responseMaxBytes}. Select fewer fields or ask for smaller pages (\`first\`).`,
            requestId,
          ),
        }),
      );
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  /**
   * Stripe's webhook: the raw body is verified against the signature before anything is parsed; refusals are 400
   * with a code (Stripe retries non-2xx), duplicates and unknown types are acknowledged with 200.
   */
  async function handleStripeWebhook(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    if (req.method !== 'POST')
      return refuse(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'POST Stripe events here.' } }, { allow: 'POST' });
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge)
        return refuse(res, 413, { error: { code: 'PAYLOAD_TOO_LARGE', message: `The body is over ${MAX_BODY_BYTES} bytes.` } });
      throw error;
    }
    const signature = req.headers['stripe-signature'];
    const ctx = runtime.context(systemPrincipal('stripe'), { requestId });
    const verified = verifyWebhook(raw, Array.isArray(signature) ? signature[0] : signature, billingSettings(ctx).webhookSecret);
    if ('status' in verified) return sendJson(res, verified.status, verified.body, { 'x-request-id': requestId });
    const outcome = await handleStripeEvent(ctx, verified.event);
    sendJson(res, outcome.status, outcome.body, { 'x-request-id': requestId });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/graphql') return await handleGraphQL(req, res, url, requestId);
      if (url.pathname === '/webhooks/stripe') return await handleStripeWebhook(req, res, requestId);
      if (url.pathname === '/healthz' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz' && req.method === 'GET') {
        const ready = await orm.isConnected().catch(() => false);
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'database unavailable' });
      }
      refuse(res, 404, errorBody('NOT_FOUND', `No route ${req.method} ${url.pathname}; the API is at /graphql.`, requestId));
    } catch (error) {
      log.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) refuse(res, 500, errorBody('INTERNAL_SERVER_ERROR', 'Internal error; quote the request id.', requestId));
      else res.end();
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await apollo.stop();
    },
  };
}
