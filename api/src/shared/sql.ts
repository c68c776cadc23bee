import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * A raw statement on `em`'s connection, inside its transaction when it has one and under its logger context, so the
 * statement counts as its request's (the per-request statement budget) like the ORM's own queries do.
 */
export function sqlRows<T>(em: EntityManager, statement: string, params: unknown[] = []): Promise<T[]> {
  return em.getConnection().execute<T[]>(statement, params, 'all', em.getTransactionContext(), em.getLoggerContext());
}
