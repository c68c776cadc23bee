import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../shared/clock.js';
import type { LoaderDefinition, RequestContext, Services } from '../shared/context.js';
import type { Logger } from '../shared/logger.js';
import { isStaffLike, tenantOf, type Principal } from '../shared/principal.js';
import { TENANT_FILTER } from '../shared/tenancy.js';

export interface ContextOptions {
  principal: Principal;
  clock: Clock;
  log: Logger;
  requestId?: string;
  clientAddress?: string | null;
}

/**
 * The one factory for request contexts (HTTP, tests, CLI, jobs). The forked EntityManager is bound to the
 * principal's organization; staff and system principals state that they cross tenants. An anonymous context
 * binds nothing, so any tenant-owned query it attempts fails closed.
 */
export function createContext(runtime: { orm: MikroORM; services: Services }, options: ContextOptions): RequestContext {
  const requestId = options.requestId ?? randomUUID();
  const em = runtime.orm.em.fork({ loggerContext: { requestId } });
  bindTenant(em, options.principal);
  return build({
    requestId,
    principal: options.principal,
    em,
    clock: options.clock,
    log: options.log.child({ requestId }),
    services: runtime.services,
    clientAddress: options.clientAddress ?? null,
  });
}

function bindTenant(em: EntityManager, principal: Principal): void {
  const tenant = tenantOf(principal);
  if (tenant) em.setFilterParams(TENANT_FILTER, { organizationId: tenant });
  else if (isStaffLike(principal)) em.setFilterParams(TENANT_FILTER, { allTenants: true });
}

type ContextFields = Pick<RequestContext, 'requestId' | 'principal' | 'em' | 'clock' | 'log' | 'services' | 'clientAddress'>;

/** Every context, and every context derived from one, is made here: each gets its own loaders. */
function build(fields: ContextFields): RequestContext {
  const loaders = new Map<LoaderDefinition<unknown>, unknown>();
  const ctx: RequestContext = {
    ...fields,
    loaders<L>(definition: LoaderDefinition<L>): L {
      if (!loaders.has(definition)) loaders.set(definition, definition(ctx));
      return loaders.get(definition) as L;
    },
    transaction(work) {
      return fields.em.transactional((em) => work(build({ ...fields, em: em as EntityManager })));
    },
    at(instant) {
      const frozen = new Date(instant.getTime());
      return build({ ...fields, clock: { now: () => new Date(frozen.getTime()) } });
    },
    as(principal) {
      const em = fields.em.fork({ clear: true });
      bindTenant(em, principal);
      return build({ ...fields, principal, em });
    },
  };
  return ctx;
}
