import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { actorOf, defineLoaders, type RequestContext } from '../../shared/context.js';
import { AppError, badInput } from '../../shared/errors.js';
import type { DomainEvent } from '../../shared/module.js';
import { readRows, type Row } from '../../shared/reads.js';
import { BusinessCalendar, BusinessCalendarVersion, compileVersion, defaultCalendarFor } from '../calendars/index.js';
import { firstResponseFeature, nextResponseFeature, resolutionFeature, resolveEntitlements } from '../entitlements/index.js';
import { EscalationPolicy } from '../escalations/index.js';
import { EntitlementOverride, Organization, OrganizationCalendarChange, TierChange } from '../organizations/index.js';
import { Ticket, TicketEvent } from '../tickets/index.js';
import { Tier, TierEntitlement } from '../tiers/index.js';
import { CommentVisibility, Coverage, TicketStatus, type TicketPriority } from '../vocabulary/index.js';
import { computeClocks, type ClockRules, type ClockState, type TimelineEvent } from './clocks.js';
import { clockRules } from './rules.js';
import { SlaAlert, SlaPolicy, TicketClock, type SlaThreshold } from './sla.entity.js';

const ALWAYS_OPEN = BusinessCalendar.alwaysOpen();

/** Everything the rules of an organization's tickets depend on, loaded once for a batch of tickets. */
interface RulesSources {
  organizations: Map<string, Organization>;
  tiers: Map<string, Tier>;
  /** Read as rows: only read, and a clock refresh runs inside transactions whose flushes would compare entities. */
  tierValues: Row<TierEntitlement>[];
  overrides: Row<EntitlementOverride>[];
  tierChanges: TierChange[];
  calendarChanges: OrganizationCalendarChange[];
  calendarVersions: BusinessCalendarVersion[];
  policies: Map<string, SlaPolicy>;
}

/** Sequential on purpose: inside a transaction every statement shares one connection. */
async function loadSources(em: EntityManager, organizationIds: string[]): Promise<RulesSources> {
  const organizations = await em.find(Organization, { id: { $in: organizationIds } });
  const tiers = await em.find(Tier, {});
  const tierValues = await readRows(em, TierEntitlement, {});
  const overrides = await readRows(em, EntitlementOverride, { organization: { $in: organizationIds } });
  const tierChanges = await em.find(TierChange, { organization: { $in: organizationIds } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const calendarChanges = await em.find(
    OrganizationCalendarChange,
    { organization: { $in: organizationIds } },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  const policies = await em.find(SlaPolicy, {});
  const calendarIds = [
    ...new Set(
      [...organizations.map((org) => org.calendar?.id), ...calendarChanges.map((change) => change.calendar?.id)].filter(
        (id): id is string => Boolean(id),
      ),
    ),
  ];
  const calendarVersions = calendarIds.length
    ? await em.find(BusinessCalendarVersion, { calendar: { $in: calendarIds } }, { orderBy: { effectiveFrom: 'asc', id: 'asc' } })
    : [];
  return {
    organizations: new Map(organizations.map((org) => [org.id, org])),
    tiers: new Map(tiers.map((tier) => [tier.id, tier])),
    tierValues,
    overrides,
    tierChanges,
    calendarChanges,
    calendarVersions,
    policies: new Map(policies.map((policy) => [policy.tier.id, policy])),
  };
}

/** The last entry at or before `at`, else the first one (history older than the records, e.g. imports). */
function inForce<T extends { at: Date }>(entries: readonly T[], at: Date): T | undefined {
  let found: T | undefined;
  for (const entry of entries) {
    if (entry.at <= at) found = entry;
    else break;
  }
  return found ?? entries[0];
}

/** A queue's own first-response target, from the ROUTED entries of the ticket's trail (null: the tier's applies). */
interface QueueTarget {
  minutes: number;
  queueName: string;
}

function ticketRules(
  ticket: Ticket,
  events: readonly TicketEvent[],
  sources: RulesSources,
  now: Date,
): { rulesAt: (at: Date) => ClockRules; changes: Date[] } {
  const organization = sources.organizations.get(ticket.organization.id)!;
  const tierTimeline = sources.tierChanges
    .filter((change) => change.organization.id === organization.id)
    .map((change) => ({ at: change.createdAt, tierId: change.toTier.id }));
  if (!tierTimeline.length) tierTimeline.push({ at: ticket.createdAt, tierId: organization.tier.id });

  const priorityChanges = events.filter((event) => event.type === 'PRIORITY_CHANGED');
  const initialPriority = (priorityChanges[0]?.data.from as TicketPriority | undefined) ?? ticket.priority;
  const priorityTimeline = [
    { at: ticket.createdAt, priority: initialPriority },
    ...priorityChanges.map((event) => ({ at: event.createdAt, priority: event.data.to as TicketPriority })),
  ];

  const calendarTimeline = sources.calendarChanges
    .filter((change) => change.organization.id === organization.id)
    .map((change) => ({ at: change.createdAt, calendarId: change.calendar?.id ?? null }));
  if (!calendarTimeline.length) calendarTimeline.push({ at: ticket.createdAt, calendarId: organization.calendar?.id ?? null });
  const versionsOf = (calendarId: string) =>
    sources.calendarVersions
      .filter((version) => version.calendar.id === calendarId)
      .map((version) => ({ at: version.effectiveFrom, version }));

  const overrides = sources.overrides.filter((override) => override.organization === organization.id);

  // Routing records each queue the ticket lands in; a queue's target applies from then on (earlier time keeps its rules).
  const queueTimeline = events
    .filter((event) => event.type === 'ROUTED')
    .map((event) => {
      const minutes = event.data.targetMinutes;
      const target: QueueTarget | null = typeof minutes === 'number' ? { minutes, queueName: String(event.data.queueName) } : null;
      return { at: event.createdAt, target };
    });
  const queueTargetAt = (at: Date): QueueTarget | null => {
    let found: QueueTarget | null = null;
    for (const entry of queueTimeline) if (entry.at <= at) found = entry.target;
    return found;
  };

  const rulesAt = (at: Date): ClockRules => {
    const tier = sources.tiers.get(inForce(tierTimeline, at)!.tierId)!;
    const priority = inForce(priorityTimeline, at)!.priority;
    const entitlements = resolveEntitlements(
      tier,
      sources.tierValues.filter((value) => value.tier === tier.id),
      overrides,
      at,
    );
    const policy = sources.policies.get(tier.id) ?? null;
    let calendar: BusinessCalendar = ALWAYS_OPEN;
    let hours = '24×7';
    if (entitlements.coverage !== Coverage.ALWAYS) {
      const calendarId = inForce(calendarTimeline, at)?.calendarId ?? null;
      const version = calendarId ? inForce(versionsOf(calendarId), at)?.version : undefined;
      calendar = version ? compileVersion(version) : defaultCalendarFor(organization.timeZone);
      hours = version ? `business hours of its calendar (${version.timeZone})` : `standard business hours (${organization.timeZone})`;
    }
    return clockRules({
      tierName: tier.name,
      priority,
      tierTargets: {
        FIRST_RESPONSE: entitlements.minutes(firstResponseFeature(priority)),
        NEXT_RESPONSE: entitlements.minutes(nextResponseFeature(priority)),
        RESOLUTION: entitlements.minutes(resolutionFeature(priority)),
      },
      queueTarget: queueTargetAt(at),
      calendar,
      hours,
      policy,
    });
  };

  const changes = [
    ...tierTimeline.map((entry) => entry.at),
    ...priorityTimeline.slice(1).map((entry) => entry.at),
    ...calendarTimeline.map((entry) => entry.at),
    ...calendarTimeline.flatMap((entry) => (entry.calendarId ? versionsOf(entry.calendarId).map((version) => version.at) : [])),
    ...overrides.flatMap((override) => [override.effectiveFrom, ...(override.effectiveUntil ? [override.effectiveUntil] : [])]),
    ...queueTimeline.map((entry) => entry.at),
  ].filter((at) => at > ticket.createdAt && at <= now);
  return { rulesAt, changes };
}

function timelineOf(events: readonly TicketEvent[], ruleChanges: readonly Date[]): TimelineEvent[] {
  const timeline: TimelineEvent[] = [];
  for (const event of events) {
    if (event.type === 'STATUS_CHANGED') timeline.push({ at: event.createdAt, type: 'STATUS', to: event.data.to as TicketStatus });
    if (event.type === 'COMMENT_ADDED' && event.data.visibility === CommentVisibility.PUBLIC) {
      timeline.push({ at: event.createdAt, type: 'REPLY', byStaff: event.data.byStaff === true });
    }
  }
  for (const at of ruleChanges) timeline.push({ at, type: 'RULES' });
  return timeline;
}

/** Replays the tickets' histories and returns their clocks (nothing is written). */
async function computeTicketClocks(em: EntityManager, tickets: readonly Ticket[], now: Date): Promise<Map<string, ClockState[]>> {
  return (await replayTicketClocks(em, tickets, now)).states;
}

/** The clocks, and the contract overrides of the tickets' organizations they were computed with. */
async function replayTicketClocks(
  em: EntityManager,
  tickets: readonly Ticket[],
  now: Date,
): Promise<{ states: Map<string, ClockState[]>; overrides: readonly Row<EntitlementOverride>[] }> {
  const result = new Map<string, ClockState[]>();
  if (!tickets.length) return { states: result, overrides: [] };
  const sources = await loadSources(em, [...new Set(tickets.map((ticket) => ticket.organization.id))]);
  const events = await em.find(
    TicketEvent,
    { ticket: { $in: tickets.map((ticket) => ticket.id) } },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  for (const ticket of tickets) {
    const own = events.filter((event) => event.ticket.id === ticket.id);
    const { rulesAt, changes } = ticketRules(ticket, own, sources, now);
    result.set(ticket.id, computeClocks(ticket.createdAt, timelineOf(own, changes), rulesAt, now));
  }
  return { states: result, overrides: sources.overrides };
}

/** When the worker must look at a clock next: a crossing not yet acted on (now), else the next warning or due instant. */
function nextFireAt(state: ClockState, alerted: ReadonlySet<string>, now: Date): Date | null {
  const key = (threshold: string) => `${state.kind}:${state.cycle}:${threshold}`;
  if (state.breachedAt) return alerted.has(key('BREACH')) ? null : state.breachedAt;
  if (state.status === 'WARNING' && !alerted.has(key('WARNING'))) return now;
  const pending = [state.warningAt, state.dueAt].filter((at): at is Date => at !== null && at > now);
  return pending.length ? new Date(Math.min(...pending.map((at) => at.getTime()))) : null;
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a <= b ? a : b;
}

/**
 * Recomputes and stores the clocks of the given tickets. Called inside the transaction of every change that can
 * move a clock, so the stored clocks and the worker's schedule never disagree with the ticket.
 */
export async function refreshTicketClocks(tx: RequestContext, ticketIds: readonly string[]): Promise<Map<string, ClockState[]>> {
  if (!ticketIds.length) return new Map();
  const { em } = tx;
  const tickets = await em.find(Ticket, { id: { $in: [...ticketIds] } });
  const [stored, alerts] = [
    await em.find(TicketClock, { ticket: { $in: [...ticketIds] } }),
    await em.find(SlaAlert, { ticket: { $in: [...ticketIds] } }),
  ];
  return writeTicketClocks(tx, tickets, stored, alerts);
}

/**
 * Computes and stores the first clocks of a ticket written (and flushed) in this transaction: it has no stored
 * clocks and no alerts yet, so the three reads `refreshTicketClocks` starts with would find the ticket in hand and
 * nothing else.
 */
export function startTicketClocks(tx: RequestContext, ticket: Ticket): Promise<Map<string, ClockState[]>> {
  return writeTicketClocks(tx, [ticket], [], []);
}

async function writeTicketClocks(
  tx: RequestContext,
  tickets: Ticket[],
  stored: TicketClock[],
  alerts: SlaAlert[],
): Promise<Map<string, ClockState[]>> {
  const { em } = tx;
  const now = tx.clock.now();
  const { states, overrides } = await replayTicketClocks(em, tickets, now);
  // A contract override that starts or ends later changes the targets then: the worker looks again at that instant.
  const upcoming = overrides.filter(
    (override) => override.effectiveFrom > now || (override.effectiveUntil !== null && override.effectiveUntil > now),
  );
  const nextRuleChange = (organizationId: string): Date | null => {
    const instants = upcoming
      .filter((override) => override.organization === organizationId)
      .flatMap((override) => [override.effectiveFrom, override.effectiveUntil])
      .filter((at): at is Date => at !== null && at > now)
      .map((at) => at.getTime());
    return instants.length ? new Date(Math.min(...instants)) : null;
  };
  for (const ticket of tickets) {
    const ruleChange = ticket.status === TicketStatus.CLOSED ? null : nextRuleChange(ticket.organization.id);
    const alerted = new Set(
      alerts.filter((alert) => alert.ticket.id === ticket.id).map((alert) => `${alert.kind}:${alert.cycle}:${alert.threshold}`),
    );
    const computed = states.get(ticket.id) ?? [];
    for (const state of computed) {
      const row =
        stored.find((candidate) => candidate.ticket.id === ticket.id && candidate.kind === state.kind) ??
        Object.assign(new TicketClock(), { ticket, organization: ticket.organization, kind: state.kind });
      Object.assign(row, {
        cycle: state.cycle,
        status: state.status,
        targetMinutes: state.targetMinutes,
        startedAt: state.startedAt,
        stoppedAt: state.stoppedAt,
        dueAt: state.dueAt,
        warningAt: state.warningAt,
        breachedAt: state.breachedAt,
        usedMillis: state.usedMillis,
        pausedMillis: state.pausedMillis,
        reason: state.reason,
        nextFireAt: earliest(nextFireAt(state, alerted, now), state.stoppedAt ? null : ruleChange),
      });
      em.persist(row);
    }
    for (const orphan of stored.filter((row) => row.ticket.id === ticket.id && !computed.some((state) => state.kind === row.kind)))
      em.remove(orphan);
  }
  await em.flush();
  return states;
}

/**
 * The thresholds a clock has crossed, in the order it crossed them; whether each was acted on is `sla_alert`'s
 * business. A warning stays a fact once a breach followed it (both fell due while no runner ran: the warning is
 * recorded late, beside the breach); a clock met after its warning, before any breach, warns no more.
 */
export function crossedThresholds(state: ClockState): { kind: SlaThreshold; at: Date }[] {
  const crossed: { kind: SlaThreshold; at: Date }[] = [];
  if (state.warnedAt && (state.breachedAt || state.status !== 'MET')) crossed.push({ kind: 'WARNING', at: state.warnedAt });
  if (state.breachedAt) crossed.push({ kind: 'BREACH', at: state.breachedAt });
  return crossed;
}

/**
 * Marks thresholds crossed in imported history as already handled: a target missed last year in another
 * helpdesk is a fact to show, not a reason to page anyone now.
 */
export async function settleHistoricalCrossings(tx: RequestContext, ticketIds: readonly string[]): Promise<void> {
  const { em } = tx;
  const now = tx.clock.now();
  const tickets = await em.find(Ticket, { id: { $in: [...ticketIds] } });
  const states = await computeTicketClocks(em, tickets, now);
  for (const ticket of tickets) {
    for (const state of states.get(ticket.id) ?? []) {
      for (const crossed of crossedThresholds(state)) {
        await em.getConnection().execute(
          `insert into sla_alert (id, created_at, updated_at, organization_id, ticket_id, kind, cycle, threshold, crossed_at, latency_millis)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, 0) on conflict (ticket_id, kind, cycle, threshold) do nothing`,
          [new SlaAlert().id, now, now, ticket.organization.id, ticket.id, state.kind, state.cycle, crossed.kind, crossed.at],
          'all',
          em.getTransactionContext(),
        );
      }
    }
  }
  await refreshTicketClocks(tx, ticketIds);
}

/** A tier, override or calendar change: every open ticket of the organization is re-timed in the same transaction. */
async function retimeOrganization(tx: RequestContext, organizationId: string): Promise<number> {
  const open = await tx.em.find(Ticket, { organization: organizationId, status: { $ne: TicketStatus.CLOSED } }, { fields: ['id'] });
  await refreshTicketClocks(
    tx,
    open.map((ticket) => ticket.id),
  );
  return open.length;
}

/** The in-transaction reaction to the organizations module's events that change what tickets are timed by. */
export async function retimeAfterRulesChanged(tx: RequestContext, event: DomainEvent): Promise<void> {
  await retimeOrganization(tx, event.organizationId);
}

export async function listSlaPolicies(ctx: RequestContext): Promise<SlaPolicy[]> {
  return ctx.em.find(SlaPolicy, {}, { populate: ['tier'], orderBy: { tier: { rank: 'asc' } } });
}

export interface SlaPolicyInput {
  tierKey: string;
  pauseStatuses: TicketStatus[];
  warnPercent: number;
  escalationPolicyId?: string | null;
}

/**
 * Sets a tier's SLA policy. A policy needs a first-response and a resolution target for every priority the tier
 * allows: a tier that offers a priority without committing to it is refused, naming the priority.
 */
export async function upsertSlaPolicy(ctx: RequestContext, input: SlaPolicyInput): Promise<SlaPolicy> {
  if (!Number.isInteger(input.warnPercent) || input.warnPercent < 1 || input.warnPercent > 99) {
    throw badInput('warnPercent', 'warnPercent is a whole percentage from 1 to 99.');
  }
  const pausable = new Set<TicketStatus>([TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.ON_HOLD]);
  const wrong = input.pauseStatuses.filter((status) => !pausable.has(status));
  if (wrong.length) throw badInput('pauseStatuses', `Clocks can pause only on WAITING_ON_CUSTOMER or ON_HOLD, not ${wrong.join(', ')}.`);
  return ctx.transaction(async (tx) => {
    const em = tx.em;
    const tier = await em.findOne(Tier, { key: input.tierKey });
    if (!tier) throw badInput('tierKey', `There is no tier "${input.tierKey}".`);
    const entitlements = resolveEntitlements(tier, await em.find(TierEntitlement, { tier: tier.id }), [], ctx.clock.now());
    for (const priority of entitlements.allowedPriorities) {
      for (const [feature, label] of [
        [firstResponseFeature(priority), 'first-response'],
        [resolutionFeature(priority), 'resolution'],
      ] as const) {
        if (entitlements.minutes(feature) === null) {
          throw new AppError(
            'BAD_USER_INPUT',
            `The ${tier.name} tier allows ${priority} tickets but has no ${label} target for them (${feature}).`,
            {
              field: ['input', 'tierKey'],
              feature,
            },
          );
        }
      }
    }
    const escalationPolicy = input.escalationPolicyId ? await em.findOne(EscalationPolicy, { id: input.escalationPolicyId }) : null;
    if (input.escalationPolicyId && !escalationPolicy) throw badInput('escalationPolicyId', 'There is no such escalation policy.');
    const policy = (await em.findOne(SlaPolicy, { tier: tier.id })) ?? Object.assign(new SlaPolicy(), { tier });
    Object.assign(policy, {
      pauseStatuses: [...new Set(input.pauseStatuses)],
      warnPercent: input.warnPercent,
      escalationPolicy,
      updatedBy: actorOf(ctx).actor,
    });
    em.persist(policy);
    await em.flush();
    const organizations = await em.find(Organization, { tier: tier.id }, { fields: ['id'] });
    for (const organization of organizations) await retimeOrganization(tx, organization.id);
    return policy;
  });
}

/** For each ticket, the escalation policy of the SLA policy of its organization's tier (null when none). */
export async function escalationPoliciesFor(em: EntityManager, tickets: readonly Ticket[]): Promise<Map<string, EscalationPolicy | null>> {
  const organizations = await em.find(Organization, { id: { $in: [...new Set(tickets.map((ticket) => ticket.organization.id))] } });
  const policies = await em.find(
    SlaPolicy,
    { tier: { $in: [...new Set(organizations.map((organization) => organization.tier.id))] } },
    { populate: ['escalationPolicy'] },
  );
  return new Map(
    tickets.map((ticket) => {
      const tier = organizations.find((organization) => organization.id === ticket.organization.id)?.tier.id;
      return [ticket.id, policies.find((policy) => policy.tier.id === tier)?.escalationPolicy ?? null];
    }),
  );
}

/** The escalation policy a ticket's escalations page through: its tier SLA policy's. */
export async function escalationPolicyFor(tx: RequestContext, ticket: Ticket): Promise<EscalationPolicy | null> {
  return (await escalationPoliciesFor(tx.em, [ticket])).get(ticket.id) ?? null;
}

const loaders = defineLoaders((ctx) => ({
  /** Each ticket's stored clock schedule (the timer worker's), in clock order: one statement per page. */
  schedules: new DataLoader<string, Row<TicketClock>[]>(async (ticketIds) => {
    const rows = await readRows(ctx.em, TicketClock, { ticket: { $in: [...ticketIds] } }, { orderBy: { kind: 'asc' } });
    const byTicket = new Map<string, Row<TicketClock>[]>();
    for (const row of rows) {
      const list = byTicket.get(row.ticket);
      if (list) list.push(row);
      else byTicket.set(row.ticket, [row]);
    }
    return ticketIds.map((id) => byTicket.get(id) ?? []);
  }),
  /** Each ticket's SLA clocks replayed up to now: always current, one batch per page. */
  clocks: new DataLoader<string, ClockState[]>(async (ticketIds) => {
    const tickets = await ctx.em.find(Ticket, { id: { $in: [...ticketIds] } });
    const clocks = await computeTicketClocks(ctx.em, tickets, ctx.clock.now());
    return ticketIds.map((id) => clocks.get(id) ?? []);
  }),
}));

/** A ticket's stored clock schedule: deadlines and warning instants without replaying its history. */
export function ticketSchedule(ctx: RequestContext, ticketId: string): Promise<Row<TicketClock>[]> {
  return ctx.loaders(loaders).schedules.load(ticketId);
}

/** A ticket's clocks as its history says now (computed, not the stored schedule). */
export function ticketClocks(ctx: RequestContext, ticketId: string): Promise<ClockState[]> {
  return ctx.loaders(loaders).clocks.load(ticketId);
}
