import type { ModuleDefinition } from '../../shared/module.js';
import { OutboundEvent } from './outbox.entity.js';

/** The outbox: every outbound event of an organization, written in the transaction of its change. */
export { OutboundEvent } from './outbox.entity.js';
export { emitEvent, EVENT_HOOKS } from './outbox.js';

export const outboxModule: ModuleDefinition = { name: 'outbox', entities: [OutboundEvent] };
