import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Runtime } from '../app/runtime.js';
import { billingSettings, handleStripeEvent, verifyWebhook } from '../modules/billing/index.js';
import { authenticate } from '../modules/identity/index.js';
import { organizationEntitlements } from '../modules/organizations/index.js';
import type { RequestContext } from '../shared/context.js';
import { AppError, conflictFromUniqueViolation } from '../shared/errors.js';
import { systemPrincipal } from '../shared/principal.js';
import { depthLimit } from './depth-limit.js';
import { ApiBudget } from './rate-limit.js';
import { tierdeskSchema } from './schema.js';
import { textInputPlugin } from './text-input.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiServerOptions {
  runtime: Runtime;
  port: number;
  host?: string;
  maxQueryDepth: number;
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
  // Apollo wraps validation errors and overwrites their code; a rule of ours (the depth limit) keeps its own.
  const validationCode = (error as { originalError?: { extensions?: { code?: unknown } } } | null)?.originalError?.extensions?.code;
  if (typeof validationCode === 'string' && formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED') {
    return { ...formatted, extensions: { ...formatted.extensions, code: validationCode } };
  }
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

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function errorBody(code: string, message: string, requestId: string) {
  return { errors: [{ message, extensions: { code, requestId } }] };
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { runtime } = options;
  const { orm, clock, log } = runtime;
  const schema = await tierdeskSchema();
  const budget = new ApiBudget();
  const apollo = new ApolloServer<RequestContext>({
    schema,
    validationRules: [depthLimit(options.maxQueryDepth)],
    formatError,
    plugins: [requestIdPlugin, textInputPlugin],
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
    const ctx = runtime.context(principal, { requestId });
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
        sendJson(res, 413, errorBody('PAYLOAD_TOO_LARGE', `The request body is over ${MAX_BODY_BYTES} bytes.`, requestId));
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
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () => contextFor(req, requestId),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.setHeader('x-request-id', requestId);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
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
      return sendJson(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'POST Stripe events here.' } }, { allow: 'POST' });
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge)
        return sendJson(res, 413, { error: { code: 'PAYLOAD_TOO_LARGE', message: `The body is over ${MAX_BODY_BYTES} bytes.` } });
      throw error;
    }
    const signature = req.headers['stripe-signature'];
    const ctx = runtime.context(systemPrincipal('stripe'), { requestId });
    const verified = verifyWebhook(raw, Array.isArray(signature) ? signature[0] : signature, billingSettings(ctx).webhookSecret);
    if ('status' in verified) return sendJson(res, verified.status, verified.body, { 'x-request-id': requestId });
    const outcome = await handleStripeEvent(ctx, verified);
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
      sendJson(res, 404, errorBody('NOT_FOUND', `No route ${req.method} ${url.pathname}; the API is at /graphql.`, requestId));
    } catch (error) {
      log.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, errorBody('INTERNAL_SERVER_ERROR', 'Internal error; quote the request id.', requestId));
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
