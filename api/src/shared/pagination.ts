// Decorated classes need the metadata polyfill before they are defined; whoever imports them gets it first.
import 'reflect-metadata';
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { AppError } from './errors.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `How many items to return (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The `endCursor` of the previous page.' })
  after?: string | null;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

/** A keyset position: items are ordered newest first by (createdAt, id). */
export interface KeysetCursor {
  createdAt: Date;
  id: string;
}

export interface PageRequest {
  first: number;
  after: KeysetCursor | null;
}

export function encodeCursor(position: KeysetCursor): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): KeysetCursor {
  const invalid = new AppError('INVALID_CURSOR', '"after" is not a valid cursor.', { field: ['after'] });
  if (cursor.length > 200) throw invalid;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid;
    const [at, id] = parsed as unknown[];
    const createdAt = new Date(String(at));
    if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string' || id.length > 64) throw invalid;
    return { createdAt, id };
  } catch {
    throw invalid;
  }
}

export function pageRequest(args: PageArgs): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0) {
    throw new AppError('BAD_USER_INPUT', '"first" must be zero or a positive integer.', { field: ['first'] });
  }
  if (first > MAX_PAGE_SIZE) {
    throw new AppError('PAGE_SIZE_TOO_LARGE', `"first" may be at most ${MAX_PAGE_SIZE}.`, { field: ['first'], max: MAX_PAGE_SIZE });
  }
  return { first, after: args.after ? decodeCursor(args.after) : null };
}

export type KeysetDirection = 'newest-first' | 'oldest-first';

/** The MikroORM condition that selects the items after a cursor in (createdAt, id) order. */
export function afterCursorCondition(after: KeysetCursor | null, direction: KeysetDirection = 'newest-first'): Record<string, unknown> {
  if (!after) return {};
  const beyond = direction === 'newest-first' ? '$lt' : '$gt';
  return {
    $or: [{ createdAt: { [beyond]: after.createdAt } }, { createdAt: after.createdAt, id: { [beyond]: after.id } }],
  };
}

export function keysetOrder(direction: KeysetDirection = 'newest-first') {
  const order = direction === 'newest-first' ? 'desc' : 'asc';
  return { createdAt: order, id: order } as const;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

/** Trims the look-ahead row fetched to know whether another page exists. */
export function toPage<T>(rows: T[], request: PageRequest, totalCount: () => Promise<number>): Page<T> {
  return { items: rows.slice(0, request.first), hasNextPage: rows.length > request.first, totalCount };
}

export interface Connection<N> {
  edges: { cursor: string; node: N }[];
  nodes: N[];
  pageInfo: PageInfo;
  readonly totalCount: Promise<number>;
}

/** Builds the Relay connection type `<name>Connection` (with `<name>Edge`) for a node type. */
export function ConnectionType<N extends object>(name: string, node: ClassType<N>): ClassType<Connection<N>> {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor: string;

    @Field(() => node)
    node: N;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionClass {
    @Field(() => [Edge])
    edges: Edge[];

    @Field(() => [node], { description: 'The nodes of `edges`, for clients that need no cursors.' })
    nodes: N[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, { description: 'All items matching, across pages (one extra query, only when asked).' })
    totalCount: Promise<number>;
  }
  return ConnectionClass as unknown as ClassType<Connection<N>>;
}

/**
 * The connection of a page. Cursors are encoded when read: most pages are asked for `nodes` and `endCursor` only,
 * and a page of 100 tickets with 5 comments each would otherwise encode 600 cursors nobody reads.
 */
export function connectionFrom<T extends { id: string; createdAt: Date }, N>(page: Page<T>, map: (item: T) => N): Connection<N> {
  const nodes = page.items.map(map);
  const last = page.items[page.items.length - 1];
  return {
    nodes,
    get edges() {
      return page.items.map((item, index) => ({
        node: nodes[index]!,
        get cursor() {
          return encodeCursor(item);
        },
      }));
    },
    pageInfo: {
      hasNextPage: page.hasNextPage,
      get endCursor() {
        return last ? encodeCursor(last) : null;
      },
    },
    get totalCount() {
      return page.totalCount();
    },
  };
}
