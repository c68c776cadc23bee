import type { RequestContext } from '../../shared/context.js';
import { ServiceKey } from '../../shared/context.js';
import type { DomainEvent, EventHook } from '../../shared/module.js';
import { OutboundEvent } from './outbox.entity.js';

/** The in-transaction reactions the modules declared, collected by the composition root. */
export const EVENT_HOOKS = new ServiceKey<readonly EventHook[]>('outbox.hooks');

/**
 * Records an event of an organization in the caller's transaction, then runs the hooks that react to its type in
 * that same transaction (a tier change re-times the organization's open tickets). The time is the context's.
 */
export async function emitEvent(
  ctx: RequestContext,
  event: { organizationId: string; type: string; data: Record<string, unknown> },
): Promise<void> {
  const at = ctx.clock.now();
  ctx.em.persist(
    Object.assign(new OutboundEvent(), {
      organization: ctx.em.getReference('Organization', event.organizationId),
      type: event.type,
      payload: event.data,
      createdAt: at,
      updatedAt: at,
    }),
  );
  const emitted: DomainEvent = { ...event, at };
  for (const hook of ctx.services.get(EVENT_HOOKS)) {
    if (hook.type === event.type) await hook.run(ctx, emitted);
  }
}
