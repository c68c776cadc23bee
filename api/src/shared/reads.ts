import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterOptions, FilterQuery, QueryOrderMap } from '@mikro-orm/core';

/**
 * Runs independent reads at once, except inside a transaction: there every statement shares one connection, so
 * they go one after another (the PostgreSQL driver refuses overlapping queries on one connection).
 */
export async function readAll<T extends readonly unknown[]>(em: EntityManager, reads: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  if (!em.isInTransaction()) return (await Promise.all(reads.map((read) => read()))) as unknown as T;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as unknown as T;
}

/** An entity's columns as a plain object: property names, and a relation as the id it points to. */
export type Row<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] extends { id: string }
    ? string
    : T[K] extends { id: string } | null
      ? string | null
      : T[K];
};

/**
 * Rows to read and not change (pages, lists): the statement `em.find` would send, with the same filters (the
 * tenant filter first), but the result stays plain objects. Making entities of them costs several times the query
 * (identity map, change-set snapshots, a reference entity per relation: 7.4 ms against 1.9 ms for 100 tickets),
 * work only a write needs; writes load entities with `em.find`.
 */
export async function readRows<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  options: { orderBy?: QueryOrderMap<T>; limit?: number; filters?: FilterOptions } = {},
): Promise<Row<T>[]> {
  const query = em.createQueryBuilder(entity).where(where);
  await query.applyFilters(options.filters);
  if (options.orderBy) query.orderBy(options.orderBy);
  if (options.limit !== undefined) query.limit(options.limit);
  return (await query.execute('all', true)) as unknown as Row<T>[];
}

/** Rows of a hand-written statement on an entity's table (`select t.* …`), mapped as `readRows` maps them. */
export function rowsOf<T extends object>(em: EntityManager, entity: EntityName<T>, rows: Record<string, unknown>[]): Row<T>[] {
  const meta = em.getMetadata(entity);
  const driver = em.getDriver();
  return rows.map((row) => driver.mapResult(row as never, meta) as unknown as Row<T>);
}
