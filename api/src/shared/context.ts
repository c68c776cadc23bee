import type { EntityManager } from '@mikro-orm/postgresql';
import type { Loaders } from '../server/loaders.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { Principal } from './principal.js';

/**
 * What every service call receives. `em` is a fork of the ORM bound to the principal's tenant; `loaders` are
 * per request. HTTP requests, tests, the CLI and background jobs all build it with `createContext`.
 */
export interface RequestContext {
  requestId: string;
  principal: Principal;
  em: EntityManager;
  loaders: Loaders;
  clock: Clock;
  log: Logger;
}

/** How a principal is named in audit trails. */
export function actorOf(ctx: RequestContext): { actor: string; actorName: string } {
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
