import type { RequestContext } from './context.js';

/** A background job a module owns. The one scheduler (app/scheduler.ts) runs it with a system principal. */
export interface JobDefinition {
  /** `<module>.<job>`, e.g. `sla.timers`. */
  readonly name: string;
  readonly description: string;
  /** The default cadence; the composition root may set another from configuration (0: never). */
  readonly everyMs: number;
  /** One pass; returns how many things it acted on. Safe to run in several processes at once. */
  run(ctx: RequestContext): Promise<number>;
  /**
   * For a job that knows when it next has work (the SLA timers: the earliest deadline in `ticket_clock`): the next
   * instant after now at which a pass would find work, or null. The runner wakes then instead of waiting out its
   * cadence, so a deadline is acted on as it falls due, not up to a whole interval later.
   */
  nextRunAt?(ctx: RequestContext): Promise<Date | null>;
}

/** An event as the outbox stores it, and as in-transaction hooks receive it. */
export interface DomainEvent {
  readonly type: string;
  readonly organizationId: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly at: Date;
}

/**
 * A reaction that must happen in the transaction of the change (re-timing open tickets when a tier changes). A
 * module declares it; the outbox runs it when the event is emitted. Reactions that may lag are jobs instead.
 */
export interface EventHook {
  readonly type: string;
  run(ctx: RequestContext, event: DomainEvent): Promise<void>;
}

/** Finds an object of one GraphQL type by id for `node(id:)`, with the same tenancy and access as its own query. */
export type NodeGetter = (ctx: RequestContext, id: string) => Promise<object | null>;

/**
 * What a module contributes to the composition root. `index.ts` of every module exports one; `app/modules.ts`
 * lists them in dependency order, and the ORM, the schema, the scheduler and the outbox read only that list.
 */
export interface ModuleDefinition {
  readonly name: string;
  readonly entities?: readonly (abstract new (...args: never[]) => object)[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql takes resolver classes of any shape
  readonly resolvers?: readonly Function[];
  readonly jobs?: readonly JobDefinition[];
  readonly hooks?: readonly EventHook[];
  /** `node(id:)` getters by GraphQL type name. */
  readonly nodes?: Readonly<Record<string, NodeGetter>>;
}
