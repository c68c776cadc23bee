import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { Principal } from './principal.js';

/**
 * A typed handle on something the composition root provides once per process (a setting, a client, a search
 * engine). Modules declare the keys they need; `app/runtime.ts` is the only place that fills them, so no module
 * keeps mutable settings of its own.
 */
export class ServiceKey<T> {
  declare readonly type: T;
  constructor(readonly name: string) {}
}

export interface Services {
  get<T>(key: ServiceKey<T>): T;
}

/**
 * A module's per-request DataLoaders: a factory the context calls once per request (and once per transaction, so
 * loaders always read through the transaction's EntityManager). Modules keep their definition private and export
 * small getters (`loadOrganization(ctx, id)`) instead.
 */
export type LoaderDefinition<L> = (ctx: RequestContext) => L;

export function defineLoaders<L>(factory: (ctx: RequestContext) => L): LoaderDefinition<L> {
  return factory;
}

/**
 * What every service call receives. `em` is a fork of the ORM bound to the principal's tenant; loaders are per
 * request. Only `createContext` (app/context.ts) builds one, for HTTP, the CLI, jobs and tests alike; the methods
 * below derive the variants a use case needs from the same factory.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly principal: Principal;
  readonly em: EntityManager;
  readonly clock: Clock;
  readonly log: Logger;
  readonly services: Services;
  /** The caller's network address (HTTP requests), for per-address limits; null for the CLI, jobs and tests. */
  readonly clientAddress: string | null;
  /** This context's instance of a module's loaders, created on first use. */
  loaders<L>(definition: LoaderDefinition<L>): L;
  /**
   * Runs `work` in one transaction (a savepoint when one is already open), with a context whose EntityManager and
   * loaders are the transaction's.
   */
  transaction<T>(work: (tx: RequestContext) => Promise<T>): Promise<T>;
  /** The same caller and EntityManager at another instant: imported history is written with its original times. */
  at(instant: Date): RequestContext;
  /** The same request seen as another principal (after sign-in: the new session's own view). */
  as(principal: Principal): RequestContext;
}

/** How a principal is named in audit trails. */
export function actorOf(ctx: Pick<RequestContext, 'principal'>): { actor: string; actorName: string } {
  const principal = ctx.principal;
  switch (principal.kind) {
    case 'customer':
      return { actor: `user:${principal.userId}`, actorName: 'customer' };
    case 'partner':
      return { actor: `apikey:${principal.apiKeyId}`, actorName: 'integration' };
    case 'staff':
      return principal.userId
        ? { actor: `user:${principal.userId}`, actorName: 'staff' }
        : { actor: `apikey:${principal.apiKeyId}`, actorName: 'staff integration' };
    case 'system':
      return { actor: `system:${principal.reason}`, actorName: 'Tierdesk' };
    case 'anonymous':
      return { actor: 'anonymous', actorName: 'anonymous' };
  }
}
