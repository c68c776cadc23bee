import type { EntityManager } from '@mikro-orm/postgresql';

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
