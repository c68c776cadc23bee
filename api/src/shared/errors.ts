import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';

/**
 * Every error the API reports on purpose has a code from this table. The kind decides how clients
 * see it (the `extensions.code` family) and whether a mutation reports it as a `userError`.
 */
const ERROR_CODES = {
  BAD_USER_INPUT: { kind: 'BAD_USER_INPUT', doc: 'The input is malformed or out of range; `field` names the culprit.' },
  PAGE_SIZE_TOO_LARGE: { kind: 'BAD_USER_INPUT', doc: '`first` is above the maximum page size of 100.' },
  INVALID_CURSOR: { kind: 'BAD_USER_INPUT', doc: '`after` is not a cursor this API produced.' },
  INVALID_ID: { kind: 'BAD_USER_INPUT', doc: 'The id is not a global id of the expected type.' },
  ILLEGAL_STATUS_TRANSITION: { kind: 'CONFLICT', doc: 'The ticket cannot move from its current status to the requested one.' },
  UNAUTHENTICATED: { kind: 'UNAUTHENTICATED', doc: 'No valid credentials were presented.' },
  INVALID_CREDENTIALS: { kind: 'BAD_USER_INPUT', doc: 'signIn: the email and password do not match an active user.' },
  API_KEY_REVOKED: { kind: 'UNAUTHENTICATED', doc: 'The API key was revoked.' },
  MALFORMED_API_KEY: { kind: 'UNAUTHENTICATED', doc: 'The bearer token is not a well-formed Tierdesk key or session.' },
  FORBIDDEN: { kind: 'FORBIDDEN', doc: 'The caller is authenticated but its role or scopes do not allow this operation.' },
  NOT_FOUND: { kind: 'NOT_FOUND', doc: 'Nothing with that id exists for the caller (including: it belongs to another organization).' },
  CONFLICT: { kind: 'CONFLICT', doc: 'The change conflicts with the current state (a duplicate slug, an already revoked key).' },
  ENTITLEMENT_REQUIRED: {
    kind: 'ENTITLEMENT_REQUIRED',
    doc: "The organization's tier does not include this; `requiredTier` names the tier that does.",
  },
  TICKET_ALLOWANCE_EXHAUSTED: { kind: 'ENTITLEMENT_REQUIRED', doc: 'The monthly ticket allowance of the tier is used up.' },
  RATE_LIMITED: {
    kind: 'RATE_LIMITED',
    doc: "The caller's request budget is spent (an organization key's tier budget, an address's or a customer's per-minute budget); retry after `retryAfterSeconds`.",
  },
  SIGN_IN_THROTTLED: {
    kind: 'RATE_LIMITED',
    doc: 'signIn: repeated failed sign-ins for this account; each further failure doubles the wait, `retryAfterSeconds`.',
  },
  SIGN_IN_LOCKED: {
    kind: 'RATE_LIMITED',
    doc: 'signIn: the account (or the address) failed too often and is locked for a while, `retryAfterSeconds`; a password reset still works.',
  },
  EMPTY_QUERY: { kind: 'BAD_USER_INPUT', doc: 'Knowledge-base search: the query is blank or has no letters or digits (only punctuation).' },
  QUERY_TOO_LONG: {
    kind: 'BAD_USER_INPUT',
    doc: "Knowledge-base search: the query (or a suggestion's subject or description) is longer than its documented maximum, `max`.",
  },
  UNKNOWN_FILTER: {
    kind: 'BAD_USER_INPUT',
    doc: 'Knowledge-base search: a filter names a product area or tag that none of the articles you may read has.',
  },
  INVALID_ARTICLE: {
    kind: 'BAD_USER_INPUT',
    doc: "An article's fields break the knowledge-base format (kb/README.md); in a payload, one user error per field at fault.",
  },
  SEARCH_UNAVAILABLE: { kind: 'INTERNAL_SERVER_ERROR', doc: 'The search engine (Meilisearch) did not answer; retry later.' },
  ALREADY_ON_TIER: { kind: 'CONFLICT', doc: 'Billing: the organization is already on the tier (and interval) asked for.' },
  SUBSCRIPTION_EXISTS: { kind: 'CONFLICT', doc: 'startCheckout: the organization already has a subscription; change it with changePlan.' },
  NO_SUBSCRIPTION: {
    kind: 'CONFLICT',
    doc: 'Billing: the organization has no subscription (or no Stripe customer) yet; start with startCheckout.',
  },
  SUBSCRIPTION_NOT_ACTIVE: {
    kind: 'CONFLICT',
    doc: 'changePlan: the subscription is past due or ending; pay the open invoice in the billing portal first.',
  },
  DOWNGRADE_BLOCKED: {
    kind: 'CONFLICT',
    doc: 'changePlan: open tickets have priorities the lower tier does not allow; `tickets` names them.',
  },
  BILLING_UNAVAILABLE: { kind: 'INTERNAL_SERVER_ERROR', doc: 'Stripe did not answer or refused the request; retry later.' },
  INVALID_ROUTING_CONFIG: {
    kind: 'BAD_USER_INPUT',
    doc: 'A queue or routing rule names an unknown queue, escalation policy, tier or domain, has an empty condition list, or closes a fallback cycle; `problems` lists each with its path.',
  },
  INVALID_COMPETENCY: {
    kind: 'BAD_USER_INPUT',
    doc: 'An agent profile breaks the competency matrix (unknown domain, level outside 1-3, capacity outside 0-100, a repeated skill); `field` names it.',
  },
  INVALID_SCENARIO: {
    kind: 'BAD_USER_INPUT',
    doc: 'simulate: the scenario breaks the format of docs/simulator.md (unknown fields, absurd rates, unknown queues, cyclic fallbacks); `problems` lists every one with its path.',
  },
  INVALID_TEXT: {
    kind: 'BAD_USER_INPUT',
    doc: 'A string argument holds a NUL character or an unpaired UTF-16 surrogate, which no field can store; the message names where.',
  },
  INTERNAL_SERVER_ERROR: {
    kind: 'INTERNAL_SERVER_ERROR',
    doc: 'Something failed on our side; the message carries the request id to quote.',
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type ErrorKind = (typeof ERROR_CODES)[ErrorCode]['kind'];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { field?: string[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get kind(): ErrorKind {
    return ERROR_CODES[this.code].kind;
  }

  /** Expected failures of a mutation: reported in its payload's `userErrors`, not as a GraphQL error. */
  get isUserError(): boolean {
    switch (this.kind) {
      case 'BAD_USER_INPUT':
      case 'NOT_FOUND':
      case 'CONFLICT':
      case 'ENTITLEMENT_REQUIRED':
        return true;
      case 'UNAUTHENTICATED':
      case 'FORBIDDEN':
      case 'RATE_LIMITED':
      case 'INTERNAL_SERVER_ERROR':
        return false;
    }
  }

  toGraphQLError(): GraphQLError {
    const { field, ...rest } = this.details;
    return new GraphQLError(this.message, {
      extensions: { code: this.kind, reason: this.code, ...(field ? { field } : {}), ...rest },
    });
  }
}

export const notFound = (what: string): AppError => new AppError('NOT_FOUND', `${what} not found.`);
export const badInput = (field: string, message: string): AppError => new AppError('BAD_USER_INPUT', message, { field: ['input', field] });

/**
 * A unique violation is a race the service's own check lost (two `createTeam` with one name at once): the answer is
 * the CONFLICT the check would have given, naming the field, never a 500. PostgreSQL names the columns in `detail`
 * ("Key (organization_id, name)=(…) already exists."); the tenant column is context, not the field that clashed.
 */
export function conflictFromUniqueViolation(error: unknown): AppError | null {
  if (!(error instanceof UniqueConstraintViolationException)) return null;
  const detail = (error as { detail?: unknown }).detail;
  const columns = typeof detail === 'string' ? (/^Key \(([^)]*)\)/.exec(detail)?.[1]?.split(', ') ?? []) : [];
  const column = columns.filter((name) => name !== 'organization_id').at(-1);
  if (!column) return new AppError('CONFLICT', 'The change clashed with one made at the same time; try again.');
  const field = column.replace(/_id$/, '').replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return new AppError('CONFLICT', `Another record already has this ${field.replace(/([A-Z])/g, ' $1').toLowerCase()}.`, {
    field: ['input', field],
  });
}
