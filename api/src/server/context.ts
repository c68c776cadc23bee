import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { TENANT_FILTER } from '../db/tenant-filter.js';
import type { Clock } from '../shared/clock.js';
import type { RequestContext } from '../shared/context.js';
import type { Logger } from '../shared/logger.js';
import { isStaffLike, tenantOf, type Principal } from '../shared/principal.js';
import { createLoaders } from './loaders.js';

/**
 * The one factory for request contexts (HTTP, tests, CLI, jobs). The forked EntityManager is bound to the
 * principal's organization; staff and system principals state that they cross tenants. An anonymous context
 * binds nothing, so any tenant-owned query it attempts fails closed.
 */
export function createContext(
  orm: MikroORM,
  options: { principal: Principal; clock: Clock; log: Logger; requestId?: string },
): RequestContext {
  const requestId = options.requestId ?? randomUUID();
  const em = orm.em.fork({ loggerContext: { requestId } });
  bindTenant(em, options.principal);
  return {
    requestId,
    principal: options.principal,
    em,
    loaders: createLoaders(em, options.principal, options.clock),
    clock: options.clock,
    log: options.log.child({ requestId }),
  };
}

function bindTenant(em: EntityManager, principal: Principal): void {
  const tenant = tenantOf(principal);
  if (tenant) em.setFilterParams(TENANT_FILTER, { organizationId: tenant });
  else if (isStaffLike(principal)) em.setFilterParams(TENANT_FILTER, { allTenants: true });
}

/** The same request seen as another principal: after sign-in, the new session's own view. */
export function contextAs(ctx: RequestContext, principal: Principal): RequestContext {
  const em = ctx.em.fork({ clear: true });
  bindTenant(em, principal);
  return { ...ctx, principal, em, loaders: createLoaders(em, principal, ctx.clock) };
}
