import { billingModule } from '../modules/billing/index.js';
import { calendarsModule } from '../modules/calendars/index.js';
import { entitlementsModule } from '../modules/entitlements/index.js';
import { escalationsModule } from '../modules/escalations/index.js';
import { identityModule } from '../modules/identity/index.js';
import { kbModule } from '../modules/kb/index.js';
import { macrosModule } from '../modules/macros/index.js';
import { organizationsModule } from '../modules/organizations/index.js';
import { outboxModule } from '../modules/outbox/index.js';
import { routingModule } from '../modules/routing/index.js';
import { slaModule } from '../modules/sla/index.js';
import { ticketsModule } from '../modules/tickets/index.js';
import { tiersModule } from '../modules/tiers/index.js';
import { viewsModule } from '../modules/views/index.js';
import { vocabularyModule } from '../modules/vocabulary/index.js';
import { workflowsModule } from '../workflows/index.js';
import type { EventHook, JobDefinition, ModuleDefinition, NodeGetter } from '../shared/module.js';

/**
 * Every module, lowest layer first: a module may import only the modules before it (the lint rule in
 * eslint.config.js holds the same order). The ORM, the GraphQL schema, the scheduler and the outbox read this list
 * and nothing else, so adding a module is one line here.
 */
export const MODULES: readonly ModuleDefinition[] = [
  vocabularyModule,
  outboxModule,
  calendarsModule,
  entitlementsModule,
  tiersModule,
  organizationsModule,
  identityModule,
  ticketsModule,
  escalationsModule,
  slaModule,
  routingModule,
  viewsModule,
  kbModule,
  billingModule,
  macrosModule,
  workflowsModule,
];

export const ENTITIES = MODULES.flatMap((module) => module.entities ?? []);
export const RESOLVERS = MODULES.flatMap((module) => module.resolvers ?? []);
export const JOBS: readonly JobDefinition[] = MODULES.flatMap((module) => module.jobs ?? []);
export const EVENT_HOOKS: readonly EventHook[] = MODULES.flatMap((module) => module.hooks ?? []);
export const NODE_GETTERS: Readonly<Record<string, NodeGetter>> = Object.assign({}, ...MODULES.map((module) => module.nodes ?? {}));
