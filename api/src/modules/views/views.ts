import { AppError } from '../../shared/errors.js';

/**
 * The staff console's views (Zendesk's views, Plain's queues): named selections of tickets, each with a default
 * order. What each view holds is defined here and in `viewCondition` (view.service.ts), once, for the list, its
 * count and the benchmark.
 */
export const TICKET_VIEWS = [
  'MINE',
  'MY_QUEUES',
  'UNASSIGNED',
  'BREACHING_SOON',
  'ESCALATED',
  'NEEDS_ATTENTION',
  'RECENTLY_SOLVED',
  'ALL_OPEN',
] as const;
export type TicketView = (typeof TICKET_VIEWS)[number];

export const VIEW_SORTS = ['NEAREST_DUE', 'NEWEST', 'OLDEST', 'PRIORITY', 'RECENTLY_UPDATED'] as const;
export type ViewSort = (typeof VIEW_SORTS)[number];

/** A running clock due within this many minutes puts its ticket in "breaching soon" (overdue ones too). */
export const BREACHING_SOON_MINUTES = 120;
/** How far back "recently solved" reaches. */
export const RECENTLY_SOLVED_DAYS = 7;

export const VIEW_DESCRIPTIONS: Readonly<Record<TicketView, string>> = {
  MINE: 'Open tickets assigned to you.',
  MY_QUEUES: 'Open tickets in the queues you are qualified for (skill, level, certification and language), assigned or not.',
  UNASSIGNED: 'Open tickets nobody is assigned to.',
  BREACHING_SOON: `Open tickets with a running response clock due within ${BREACHING_SOON_MINUTES} minutes, or already overdue.`,
  ESCALATED: 'Open tickets with an escalation, acknowledged or not.',
  NEEDS_ATTENTION: 'Open tickets whose triage asked for staff (a priority beyond the tier, an uncertain domain), not yet corrected.',
  RECENTLY_SOLVED: `Tickets solved in the last ${RECENTLY_SOLVED_DAYS} days.`,
  ALL_OPEN: 'Every open ticket.',
};

/** The order a view opens in: deadlines first where the promise is at stake. */
export const DEFAULT_SORT: Readonly<Record<TicketView, ViewSort>> = {
  MINE: 'NEAREST_DUE',
  MY_QUEUES: 'NEAREST_DUE',
  UNASSIGNED: 'NEAREST_DUE',
  BREACHING_SOON: 'NEAREST_DUE',
  ESCALATED: 'NEAREST_DUE',
  NEEDS_ATTENTION: 'NEWEST',
  RECENTLY_SOLVED: 'RECENTLY_UPDATED',
  ALL_OPEN: 'NEAREST_DUE',
};

type KeyKind = 'timestamp' | 'integer' | 'uuid';

/** One column of a sort: the SQL expression (over the view's select), its direction and the cursor value's kind. */
interface SortKey {
  sql: string;
  direction: 'asc' | 'desc';
  kind: KeyKind;
}

/**
 * The keys of each order, the last one always the ticket id so that the order is total and keyset paging never
 * skips or repeats a ticket. `next_due` is the nearest deadline of a running clock, 'infinity' when none runs (so
 * tickets without a running clock come last, in a stable order).
 */
export const SORT_KEYS: Readonly<Record<ViewSort, readonly SortKey[]>> = {
  NEAREST_DUE: [
    { sql: 'next_due', direction: 'asc', kind: 'timestamp' },
    { sql: 't.id', direction: 'asc', kind: 'uuid' },
  ],
  NEWEST: [
    { sql: 't.created_at', direction: 'desc', kind: 'timestamp' },
    { sql: 't.id', direction: 'desc', kind: 'uuid' },
  ],
  OLDEST: [
    { sql: 't.created_at', direction: 'asc', kind: 'timestamp' },
    { sql: 't.id', direction: 'asc', kind: 'uuid' },
  ],
  PRIORITY: [
    { sql: 'priority_rank', direction: 'desc', kind: 'integer' },
    { sql: 't.created_at', direction: 'asc', kind: 'timestamp' },
    { sql: 't.id', direction: 'asc', kind: 'uuid' },
  ],
  RECENTLY_UPDATED: [
    { sql: 't.updated_at', direction: 'desc', kind: 'timestamp' },
    { sql: 't.id', direction: 'desc', kind: 'uuid' },
  ],
};

/** A cursor's values, as the statement returns them: timestamps as ISO text ('infinity' allowed), ranks as numbers. */
export type CursorValue = string | number;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cursor names its order: a cursor of one order used with another is refused rather than misread. */
export function encodeViewCursor(sort: ViewSort, values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify([sort, ...values]), 'utf8').toString('base64url');
}

function validValue(kind: KeyKind, value: unknown): value is CursorValue {
  switch (kind) {
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1000;
    case 'timestamp':
      return typeof value === 'string' && (value === 'infinity' || (value.length <= 40 && !Number.isNaN(Date.parse(value))));
  }
}

export function decodeViewCursor(sort: ViewSort, cursor: string): CursorValue[] {
  const invalid = new AppError('INVALID_CURSOR', '"after" is not a cursor of this view in this order.', { field: ['after'] });
  if (cursor.length > 300) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const keys = SORT_KEYS[sort];
  if (!Array.isArray(parsed) || parsed[0] !== sort || parsed.length !== keys.length + 1) throw invalid;
  const values = parsed.slice(1);
  if (!keys.every((key, index) => validValue(key.kind, values[index]))) throw invalid;
  return values as CursorValue[];
}

const CAST: Readonly<Record<KeyKind, string>> = { timestamp: 'timestamptz', integer: 'int', uuid: 'uuid' };

/**
 * The condition that selects the rows after `values` in `sort`'s order, with its parameters:
 * (a > x) or (a = x and b > y) or …, each comparison in its key's direction.
 */
export function afterCondition(sort: ViewSort, values: readonly CursorValue[]): { sql: string; params: CursorValue[] } {
  const keys = SORT_KEYS[sort];
  const alternatives: string[] = [];
  const params: CursorValue[] = [];
  keys.forEach((key, index) => {
    const parts: string[] = [];
    for (let equal = 0; equal < index; equal += 1) {
      parts.push(`${keys[equal]!.sql} = ?::${CAST[keys[equal]!.kind]}`);
      params.push(values[equal]!);
    }
    parts.push(`${key.sql} ${key.direction === 'asc' ? '>' : '<'} ?::${CAST[key.kind]}`);
    params.push(values[index]!);
    alternatives.push(`(${parts.join(' and ')})`);
  });
  return { sql: `(${alternatives.join(' or ')})`, params };
}

export function orderBy(sort: ViewSort): string {
  return SORT_KEYS[sort].map((key) => `${key.sql} ${key.direction}`).join(', ');
}

/** `%` and `_` in a search are letters, not wildcards. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
