import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { BILLING, createStripeClient } from '../modules/billing/index.js';
import { IDENTITY_SETTINGS, SIGN_IN_THROTTLE } from '../modules/identity/index.js';
import { SEARCH_ENGINES, searchEnginesFor } from '../modules/kb/index.js';
import { SLA_TIMER_SETTINGS } from '../modules/sla/index.js';
import { EVENT_HOOKS } from '../modules/outbox/index.js';
import type { Clock } from '../shared/clock.js';
import { ServiceKey, type RequestContext, type Services } from '../shared/context.js';
import type { Logger } from '../shared/logger.js';
import { systemPrincipal, type Principal } from '../shared/principal.js';
import { createContext } from './context.js';
import { signInThrottle } from './limiters.js';
import { EVENT_HOOKS as MODULE_HOOKS } from './modules.js';

/**
 * One process's wiring: the ORM, the services every module reads through its keys, the clock and the log. The API
 * server, the CLI, the job runner and the tests all build one here, from the same configuration.
 */
export interface Runtime {
  readonly orm: MikroORM;
  readonly services: Services;
  readonly clock: Clock;
  readonly log: Logger;
  /** A context for `principal` (a request, a command): the only way one is made. */
  context(principal: Principal, options?: { requestId?: string; log?: Logger; clientAddress?: string | null }): RequestContext;
  /** A context for background work, across every tenant, named for the audit trail. */
  system(reason: string): RequestContext;
}

class ServiceMap implements Services {
  private readonly values = new Map<ServiceKey<unknown>, unknown>();

  provide<T>(key: ServiceKey<T>, value: T): this {
    this.values.set(key, value);
    return this;
  }

  get<T>(key: ServiceKey<T>): T {
    if (!this.values.has(key)) throw new Error(`The composition root provides no "${key.name}"`);
    return this.values.get(key) as T;
  }
}

export function createRuntime(input: { config: Config; orm: MikroORM; clock: Clock; log: Logger }): Runtime {
  const { config, orm, clock, log } = input;
  const services = new ServiceMap()
    .provide(IDENTITY_SETTINGS, { sessionTtlHours: config.SESSION_TTL_HOURS })
    .provide(SIGN_IN_THROTTLE, signInThrottle(orm, { lockAfter: config.SIGN_IN_LOCK_AFTER, lockMinutes: config.SIGN_IN_LOCK_MINUTES }))
    .provide(BILLING, { ...createStripeClient(config), graceDays: config.BILLING_GRACE_DAYS })
    .provide(SEARCH_ENGINES, searchEnginesFor(config))
    .provide(SLA_TIMER_SETTINGS, { batchSize: config.TIMER_BATCH_SIZE })
    .provide(EVENT_HOOKS, MODULE_HOOKS);
  const runtime: Runtime = {
    orm,
    services,
    clock,
    log,
    context: (principal, options = {}) =>
      createContext(runtime, {
        principal,
        clock,
        log: options.log ?? log,
        clientAddress: options.clientAddress ?? null,
        ...(options.requestId ? { requestId: options.requestId } : {}),
      }),
    system: (reason) => createContext(runtime, { principal: systemPrincipal(reason), clock, log: log.child({ system: reason }) }),
  };
  return runtime;
}
