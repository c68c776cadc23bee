import type { TypedDocumentNode } from '@tierdesk/schema';
import { getOperationAST, print } from 'graphql';
import { data } from 'react-router';
import { redirectToSignIn, sessionToken, type HandlerArgs } from './session.server';

const DEFAULT_API_URL = 'http://localhost:4000/graphql';
const API_TIMEOUT_MS = 15_000;

function apiUrl(): string {
  return process.env.API_URL || DEFAULT_API_URL;
}

interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; reason?: string; [key: string]: unknown };
}

/** The API answered with GraphQL errors (not `userErrors`, which are data). */
export class ApiError extends Error {
  constructor(
    readonly operation: string,
    readonly errors: readonly GraphQLErrorShape[],
  ) {
    super(`${operation}: ${errors.map((error) => `${error.extensions?.code ?? 'ERROR'} ${error.message}`).join('; ')}`);
    this.name = 'ApiError';
  }

  /** The error family (`extensions.code`) of the first error: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, … */
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }

  get userMessage(): string {
    return this.errors[0]?.message ?? 'The request failed.';
  }
}

/** The API could not be reached, or answered with something that is not GraphQL. */
export class ApiUnavailableError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`${operation}: the API at ${apiUrl()} did not answer usefully`, { cause });
    this.name = 'ApiUnavailableError';
  }
}

const printed = new WeakMap<object, { query: string; operationName: string }>();

function serialize(document: TypedDocumentNode<unknown, unknown>) {
  let entry = printed.get(document);
  if (!entry) {
    entry = { query: print(document), operationName: getOperationAST(document)?.name?.value ?? 'anonymous' };
    printed.set(document, entry);
  }
  return entry;
}

/**
 * One GraphQL request, with the caller's session token if it has one. Throws ApiError for GraphQL errors and
 * ApiUnavailableError when the API is down or answers nonsense; callers that want the portal's standard handling
 * use `PortalApi.run` instead.
 */
export async function execute<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  token: string | null,
): Promise<TData> {
  const { query, operationName } = serialize(document as TypedDocumentNode<unknown, unknown>);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (token) headers.authorization = `Bearer ${token}`;

  let body: { data?: TData | null; errors?: GraphQLErrorShape[] };
  try {
    const response = await fetch(apiUrl(), {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables, operationName }),
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
    // GraphQL-over-HTTP reports request errors with 4xx and a GraphQL body; anything else without one is a failure.
    const text = await response.text();
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`HTTP ${response.status} with a non-JSON body: ${text.slice(0, 200)}`);
    }
  } catch (error) {
    throw new ApiUnavailableError(operationName, error);
  }

  if (body.errors && body.errors.length > 0) throw new ApiError(operationName, body.errors);
  if (!body.data) throw new ApiUnavailableError(operationName, new Error('the response has neither data nor errors'));
  return body.data;
}

/** The standard answer to an API failure: sign-in for UNAUTHENTICATED, a friendly error page for the rest. */
export async function failureResponse(args: HandlerArgs, error: unknown): Promise<never> {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'UNAUTHENTICATED':
        return redirectToSignIn(args);
      case 'FORBIDDEN':
        throw data({ message: 'Your account is not allowed to do that.' }, { status: 403 });
      case 'NOT_FOUND':
        throw data(
          { message: 'We could not find that. It may have been removed, or it belongs to another organization.' },
          { status: 404 },
        );
      case 'RATE_LIMITED':
        throw data({ message: 'Too many requests right now. Please wait a moment and try again.' }, { status: 429 });
      case 'BAD_USER_INPUT':
        throw data({ message: 'That link or request is not valid.' }, { status: 400 });
    }
    console.error(`[portal] ${error.message}`);
    throw data({ message: 'Something went wrong on our side. Please try again.' }, { status: 502 });
  }
  if (error instanceof ApiUnavailableError) {
    console.error(`[portal] ${error.message}:`, error.cause);
    throw data({ message: 'The support service is not reachable right now. Please try again in a moment.' }, { status: 503 });
  }
  throw error;
}

/** The API as one request's user sees it. */
export class PortalApi {
  constructor(
    private readonly args: HandlerArgs,
    readonly token: string | null,
  ) {}

  /** Runs an operation; any GraphQL error becomes the standard response (see `failureResponse`). */
  async run<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables): Promise<TData> {
    try {
      return await execute(document, variables, this.token);
    } catch (error) {
      return failureResponse(this.args, error);
    }
  }
}

/** The API for a signed-in user; without a session cookie, a redirect to sign-in. */
export async function requireApi(args: HandlerArgs): Promise<PortalApi> {
  const token = await sessionToken(args.request);
  if (!token) return redirectToSignIn(args);
  return new PortalApi(args, token);
}
