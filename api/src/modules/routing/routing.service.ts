import type { EntityManager } from '@mikro-orm/postgresql';
import { actorOf, type RequestContext } from '../../shared/context.js';
import { badInput, notFound } from '../../shared/errors.js';
import { afterCursorCondition, keysetOrder, toPage, type Page, type PageRequest } from '../../shared/pagination.js';
import { calendarsInForce } from '../calendars/index.js';
import type { EffectiveEntitlements } from '../entitlements/index.js';
import { EscalationPolicy, startEscalation } from '../escalations/index.js';
import { entitlementsAcrossTenants, Organization } from '../organizations/index.js';
import { emitEvent } from '../outbox/index.js';
import { refreshTicketClocks } from '../sla/index.js';
import { recordTicketEvent, Ticket } from '../tickets/index.js';
import { Tier } from '../tiers/index.js';
import {
  OPEN_STATUSES,
  PRIORITY_ORDER,
  type Domain,
  type TicketChannel,
  type TicketImpact,
  type TicketPriority,
} from '../vocabulary/index.js';
import { chooseAgent, emptyLoad, requirementFor, servesQueue } from './assignment.js';
import { activeClassifier } from './classifier.service.js';
import type { AgentSnapshot, AssignmentDecision, QueueDefinition, RoutingOutcome, RoutingRuleDefinition, TriageResult } from './model.js';
import {
  AgentProfile,
  certificationsOf,
  Queue,
  RoutingDecision,
  RoutingRule,
  TechnicalAccountManager,
  TriageDecision,
} from './routing.entity.js';
import { evaluateRules } from './rules.js';
import { triage } from './triage.js';
import { sqlRows } from '../../shared/sql.js';

/**
 * The live routing engine: triage → routing rules → queue → assignment, with the same pure functions the
 * simulator runs. Assignment across the whole team is serialised by one transaction-scoped advisory lock, so two
 * transactions can never both hand an agent their last free slot (decisions take milliseconds; see docs/decisions/007).
 */

const ROUTING_LOCK = 7_243_001;
const ALL_TENANTS = { tenant: { allTenants: true } } as const;
const ROUTING_ACTOR = { actor: 'system:routing', actorName: 'Tierdesk routing' };

export function queueDefinition(queue: Queue): QueueDefinition {
  return {
    id: queue.id,
    key: queue.key,
    name: queue.name,
    domain: queue.domain,
    levelByTier: queue.levelByTier,
    requiredCertification: queue.requiredCertification,
    language: queue.language,
    targetMinutes: queue.targetMinutes,
    fallbackQueueId: queue.fallbackQueue?.id ?? null,
    fallbackAfterMinutes: queue.fallbackAfterMinutes,
  };
}

export function ruleDefinition(rule: RoutingRule): RoutingRuleDefinition {
  return {
    id: rule.id,
    name: rule.name,
    position: rule.position,
    enabled: rule.enabled,
    conditions: rule.conditions,
    action: {
      queueId: rule.queue.id,
      priority: rule.priority,
      escalationPolicyId: rule.escalationPolicy?.id ?? null,
      pageImmediately: rule.pageImmediately,
    },
  };
}

interface RoutingConfig {
  queues: Map<string, Queue>;
  rules: RoutingRuleDefinition[];
  defaultQueue: Queue | null;
}

async function loadRoutingConfig(em: EntityManager): Promise<RoutingConfig> {
  const queues = await em.find(Queue, {}, { orderBy: { key: 'asc' } });
  const rules = await em.find(RoutingRule, {}, { orderBy: { position: 'asc', id: 'asc' } });
  return {
    queues: new Map(queues.map((queue) => [queue.id, queue])),
    rules: rules.map(ruleDefinition),
    defaultQueue: queues.find((queue) => queue.isDefault) ?? queues[0] ?? null,
  };
}

export interface TicketFacts {
  subject: string;
  description: string;
  priority: TicketPriority;
  impact: TicketImpact;
  channel: TicketChannel;
  organization: Organization;
  tier: Tier;
  entitlements: EffectiveEntitlements;
  knownDomain?: Domain | null;
}

export interface Routed {
  triage: TriageResult;
  outcome: RoutingOutcome | null;
  queue: Queue | null;
  /** The priority to give the ticket: triage's, then the matching rule's, within the tier's entitlement. */
  priority: TicketPriority;
}

/** Triage and the routing rules for a ticket, without writing anything (the dry-run and ticket creation share it). */
export async function decideRoute(em: EntityManager, facts: TicketFacts): Promise<Routed> {
  const allowedPriorities = facts.entitlements.allowedPriorities;
  const triaged = triage(
    {
      subject: facts.subject,
      description: facts.description,
      declaredPriority: facts.priority,
      impact: facts.impact,
      businessCritical: facts.organization.businessCritical,
      tierKey: facts.tier.key,
      tierRank: facts.tier.rank,
      allowedPriorities,
      knownDomain: facts.knownDomain ?? null,
    },
    facts.knownDomain ? null : await activeClassifier(em),
  );
  const config = await loadRoutingConfig(em);
  if (!config.defaultQueue) return { triage: triaged, outcome: null, queue: null, priority: triaged.priority };
  const outcome = evaluateRules(
    config.rules,
    {
      domain: triaged.domain,
      tierKey: facts.tier.key,
      priority: triaged.priority,
      allowedPriorities,
      urgencyLevel: triaged.urgencyLevel,
      criticalOutage: triaged.criticalOutage,
      businessCritical: facts.organization.businessCritical,
      channel: facts.channel,
      text: `${facts.subject}\n${facts.description}`,
    },
    config.defaultQueue.id,
  );
  return { triage: triaged, outcome, queue: config.queues.get(outcome.queueId) ?? config.defaultQueue, priority: outcome.priority };
}

function triageRow(ticket: Ticket, triaged: TriageResult, declared: TicketPriority, at: Date): TriageDecision {
  return Object.assign(new TriageDecision(), {
    organization: ticket.organization,
    ticket,
    domain: triaged.domain,
    domainConfidence: triaged.domainConfidence,
    domainSource: triaged.domainSource,
    urgency: triaged.urgency,
    urgencyLevel: triaged.urgencyLevel,
    outageSignals: triaged.outageSignals,
    criticalOutage: triaged.criticalOutage,
    declaredPriority: declared,
    priority: triaged.priority,
    needsAttention: triaged.needsAttention,
    reasons: triaged.reasons,
    confidence: triaged.confidence,
    classifierVersion: triaged.classifierVersion,
    createdAt: at,
    updatedAt: at,
  });
}

/**
 * Records the decision for a ticket just created (inside its transaction), pages at once when the rule says so,
 * and offers the ticket to an agent. `page: false` for imported history: past emergencies are not paged.
 */
export async function recordRoute(
  tx: RequestContext,
  ticket: Ticket,
  routed: Routed,
  declared: TicketPriority,
  options: { page: boolean },
): Promise<void> {
  const { em } = tx;
  const at = tx.clock.now();
  em.persist(triageRow(ticket, routed.triage, declared, at));
  const { outcome, queue } = routed;
  if (!outcome || !queue) return;
  recordQueue(em, ticket, queue, at);
  const policy = outcome.escalationPolicyId ? await em.findOne(EscalationPolicy, { id: outcome.escalationPolicyId }) : null;
  const reasons = [...outcome.reasons];
  const decision = Object.assign(new RoutingDecision(), {
    organization: ticket.organization,
    ticket,
    rule: outcome.ruleId ? em.getReference(RoutingRule, outcome.ruleId) : null,
    ruleName: outcome.ruleName,
    queue,
    escalationPolicy: policy,
    evaluations: outcome.evaluations,
    reasons,
    waitingSince: at,
    createdAt: at,
    updatedAt: at,
  });
  em.persist(decision);
  if (outcome.pageImmediately && policy) {
    if (options.page) {
      await em.flush();
      await startEscalation(tx, {
        ticket,
        trigger: 'ROUTING',
        reason: `Routing rule "${outcome.ruleName}": ${routed.triage.reasons.join(' ')}`,
        policy,
      });
      decision.pagedImmediately = true;
      reasons.push(`paged ${policy.name} at once`);
    } else {
      reasons.push(`imported history: ${policy.name} not paged`);
    }
  }
  if (!OPEN_STATUSES.includes(ticket.status)) decision.status = 'CLOSED';
}

/**
 * The ticket's trail records each queue it lands in with the queue's own first-response target: the SLA clocks
 * read the target from there (from that instant on), so they never need to know about queues.
 */
function recordQueue(em: EntityManager, ticket: Ticket, queue: Queue, at: Date): void {
  recordTicketEvent(
    em,
    ticket,
    'ROUTED',
    { queue: queue.key, queueName: queue.name, targetMinutes: queue.targetMinutes },
    ROUTING_ACTOR,
    at,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Assignment

/** Agent snapshots with their current load, for one routing pass. */
async function loadAgents(em: EntityManager, at: Date): Promise<{ snapshots: AgentSnapshot[]; profiles: Map<string, AgentProfile> }> {
  const profiles = await em.find(AgentProfile, { user: { active: true, staffRole: { $ne: null } } }, { populate: ['user'] });
  const current = await calendarsInForce(
    em,
    profiles.map((profile) => profile.calendar?.id).filter((id): id is string => Boolean(id)),
    at,
  );

  const loads = new Map<string, Record<TicketPriority, number>>();
  if (profiles.length) {
    // Load counts every organization's open tickets: it is the agent's workload, not tenant data.
    const rows: { assignee_id: string; priority: TicketPriority; open: string }[] = await em
      .getConnection()
      .execute(
        `select assignee_id, priority, count(*) as open from ticket where assignee_id in (?) and status in (?) group by assignee_id, priority`,
        [profiles.map((profile) => profile.user.id), OPEN_STATUSES],
        'all',
        em.getTransactionContext(),
      );
    for (const row of rows) {
      const load = loads.get(row.assignee_id) ?? emptyLoad();
      load[row.priority] = Number(row.open);
      loads.set(row.assignee_id, load);
    }
  }
  const snapshots = profiles.map((profile): AgentSnapshot => {
    const hours = profile.calendar ? current.get(profile.calendar.id) : undefined;
    return {
      id: profile.user.id,
      name: profile.user.name,
      skills: profile.skills,
      certifications: certificationsOf(profile),
      languages: profile.languages,
      region: profile.region,
      presence: profile.presence,
      hours: profile.calendar ? (hours ?? { isOpenAt: () => false }) : null,
      capacity: profile.capacity,
      load: loads.get(profile.user.id) ?? emptyLoad(),
      lastAssignedAt: profile.lastAssignedAt?.getTime() ?? 0,
    };
  });
  return { snapshots, profiles: new Map(profiles.map((profile) => [profile.user.id, profile])) };
}

/**
 * Taken first by every transaction that assigns or changes what assignment reads (presence, profiles), before it
 * locks any row routing will write, so routing's locks are always taken in one order.
 */
export async function lockRouting(em: EntityManager): Promise<void> {
  await sqlRows(em, 'select pg_advisory_xact_lock(?)', [ROUTING_LOCK]);
}

interface Pass {
  at: Date;
  agents: AgentSnapshot[];
  profiles: Map<string, AgentProfile>;
  queues: Map<string, Queue>;
  tams: Map<string, string>;
}

async function startPass(em: EntityManager, at: Date, organizationIds: string[]): Promise<Pass> {
  const { snapshots, profiles } = await loadAgents(em, at);
  const queues = await em.find(Queue, {});
  const tamRows = organizationIds.length
    ? await em.find(TechnicalAccountManager, { organization: { $in: organizationIds } }, { filters: ALL_TENANTS })
    : [];
  return {
    at,
    agents: snapshots,
    profiles,
    queues: new Map(queues.map((queue) => [queue.id, queue])),
    tams: new Map(tamRows.map((row) => [row.organization.id, row.user.id])),
  };
}

/** Offers one waiting ticket to the agents; assigns it when someone can take it, else says why not. */
async function offer(
  tx: RequestContext,
  pass: Pass,
  decision: RoutingDecision,
  ticket: Ticket,
  domain: Domain,
  tier: Tier,
  entitlements: EffectiveEntitlements,
): Promise<AssignmentDecision> {
  const queue = pass.queues.get(decision.queue.id) ?? decision.queue;
  const tam = entitlements.enabled('support.technicalAccountManager') ? (pass.tams.get(ticket.organization.id) ?? null) : null;
  const requirement = requirementFor(queueDefinition(queue), { domain, tierKey: tier.key, priority: ticket.priority }, tam);
  const chosen = chooseAgent(requirement, pass.agents, pass.at);
  decision.assignmentReason = chosen.reason;
  if (!chosen.agentId) return chosen;
  const snapshot = pass.agents.find((agent) => agent.id === chosen.agentId)!;
  (snapshot.load as Record<TicketPriority, number>)[ticket.priority] += 1;
  snapshot.lastAssignedAt = pass.at.getTime();
  const profile = pass.profiles.get(chosen.agentId)!;
  profile.lastAssignedAt = pass.at;
  const from = ticket.assignee?.id ?? null;
  ticket.assignee = profile.user;
  ticket.updatedAt = pass.at;
  Object.assign(decision, { status: 'ASSIGNED', assignedTo: profile.user, assignedAt: pass.at });
  recordTicketEvent(
    tx.em,
    ticket,
    'ASSIGNED',
    { from, to: profile.user.id, reason: chosen.reason, queue: queue.key },
    ROUTING_ACTOR,
    pass.at,
  );
  await emitEvent(tx, {
    organizationId: ticket.organization.id,
    type: 'ticket.assigned',
    data: { ticketId: ticket.id, ticketNumber: ticket.number, assigneeId: profile.user.id, assigneeName: profile.user.name },
  });
  return chosen;
}

type TierOf = (organizationId: string) => { tier: Tier; entitlements: EffectiveEntitlements<Tier> };

/** Tier and entitlements of the organizations in one routing pass (read across tenants, in four statements). */
async function tiersOf(tx: RequestContext, organizationIds: readonly string[], at: Date): Promise<TierOf> {
  const resolved = await entitlementsAcrossTenants(tx, organizationIds, at);
  return (organizationId) => {
    const entitlements = resolved.get(organizationId);
    if (!entitlements) throw new Error(`routing: organization ${organizationId} vanished during the pass`);
    return { tier: entitlements.tier, entitlements };
  };
}

/** Effective domain of a ticket: the staff correction when there is one. */
function domainOf(triaged: TriageDecision | undefined): Domain {
  return triaged?.correctedDomain ?? triaged?.domain ?? 'HOW_TO';
}

/**
 * Assigns waiting tickets while agents have room: at ticket creation (that ticket), when capacity frees up (a
 * ticket solved or reassigned, an agent coming online) and from the timer worker (shift starts, overflow to
 * fallback queues). Highest priority first, then longest waiting. Runs inside the caller's transaction.
 */
export async function assignWaiting(tx: RequestContext, options: { ticketIds?: string[]; limit?: number } = {}): Promise<number> {
  const { em } = tx;
  const at = tx.clock.now();
  await lockRouting(em);
  const where = options.ticketIds ? { status: 'WAITING' as const, ticket: { $in: options.ticketIds } } : { status: 'WAITING' as const };
  const candidates = await em.find(RoutingDecision, where, {
    populate: ['ticket', 'ticket.assignee'],
    filters: ALL_TENANTS,
    orderBy: { waitingSince: 'asc', id: 'asc' },
    limit: options.limit ?? 1000,
    refresh: true,
  });
  if (!candidates.length) return 0;
  // A ticket another transaction is changing right now is left to the next pass: waiting for its row while holding
  // the routing lock could deadlock with that transaction (which may want the routing lock next).
  const free: { id: string }[] = await em
    .getConnection()
    .execute(
      'select id from ticket where id in (?) for update skip locked',
      [candidates.map((decision) => decision.ticket.id)],
      'all',
      em.getTransactionContext(),
    );
  const lockable = new Set(free.map((row) => row.id));
  const waiting = candidates.filter((decision) => lockable.has(decision.ticket.id));
  if (!waiting.length) return 0;
  const rank = (decision: RoutingDecision) => PRIORITY_ORDER.indexOf(decision.ticket.priority);
  waiting.sort((a, b) => rank(b) - rank(a) || a.waitingSince.getTime() - b.waitingSince.getTime());
  const pass = await startPass(em, at, [...new Set(waiting.map((decision) => decision.ticket.organization.id))]);
  const triaged = new Map(
    (await em.find(TriageDecision, { ticket: { $in: waiting.map((decision) => decision.ticket.id) } }, { filters: ALL_TENANTS })).map(
      (row) => [row.ticket.id, row],
    ),
  );
  const tierOf = await tiersOf(
    tx,
    waiting.map((decision) => decision.ticket.organization.id),
    at,
  );
  let assigned = 0;
  const moved: string[] = [];
  for (const decision of waiting) {
    const ticket = decision.ticket;
    if (overflow(decision, pass)) {
      recordQueue(em, ticket, decision.queue, at);
      moved.push(ticket.id);
    }
    const { tier, entitlements } = tierOf(ticket.organization.id);
    const chosen = await offer(tx, pass, decision, ticket, domainOf(triaged.get(ticket.id)), tier, entitlements);
    if (chosen.agentId) assigned += 1;
  }
  if (moved.length) {
    // A new queue may carry its own first-response target.
    await em.flush();
    await refreshTicketClocks(tx, moved);
  }
  return assigned;
}

/**
 * The routing job: offers waiting tickets again for what no change of a ticket announces (an agent's shift
 * starting, a queue's fallback time passing). Capacity freed by a ticket is used at once by that change itself.
 */
export async function assignWaitingTickets(ctx: RequestContext): Promise<number> {
  const assigned = await ctx.transaction((tx) => assignWaiting(tx));
  if (assigned) ctx.log.info({ assigned }, 'waiting tickets assigned');
  return assigned;
}

/** A ticket that waited longer than its queue allows moves to the queue's fallback (one hop per pass). */
function overflow(decision: RoutingDecision, pass: Pass): boolean {
  const queue = pass.queues.get(decision.queue.id);
  if (!queue?.fallbackQueue || !queue.fallbackAfterMinutes) return false;
  const waitedMinutes = (pass.at.getTime() - decision.waitingSince.getTime()) / 60_000;
  if (waitedMinutes < queue.fallbackAfterMinutes) return false;
  const fallback = pass.queues.get(queue.fallbackQueue.id);
  if (!fallback) return false;
  decision.queue = fallback;
  decision.waitingSince = pass.at;
  decision.reasons = [
    ...decision.reasons,
    `waited ${Math.floor(waitedMinutes)} min in ${queue.name} with nobody able to take it: moved to ${fallback.name}`,
  ];
  return true;
}

/**
 * Keeps a ticket's routing in step with its status and assignee: a solved or closed ticket leaves the queue,
 * a reopened unassigned one waits again, a manual assignment is recorded, an unassignment puts it back.
 */
export async function routingFollowsTicket(tx: RequestContext, ticket: Ticket): Promise<{ startedWaiting: boolean }> {
  const { em } = tx;
  const at = tx.clock.now();
  const by = actorOf(tx).actor;
  const decision = await em.findOne(RoutingDecision, { ticket: ticket.id }, { filters: ALL_TENANTS });
  if (!decision) return { startedWaiting: false };
  if (!OPEN_STATUSES.includes(ticket.status)) {
    decision.status = 'CLOSED';
    return { startedWaiting: false };
  }
  if (ticket.assignee && decision.assignedTo?.id !== ticket.assignee.id) {
    Object.assign(decision, { status: 'ASSIGNED', assignedTo: ticket.assignee, assignedAt: at, assignmentReason: `assigned by ${by}` });
  } else if (!ticket.assignee) {
    const startedWaiting = decision.status !== 'WAITING';
    Object.assign(decision, {
      status: 'WAITING',
      assignedTo: null,
      assignedAt: null,
      waitingSince: startedWaiting ? at : decision.waitingSince,
    });
    return { startedWaiting };
  } else if (decision.status === 'CLOSED') {
    decision.status = 'ASSIGNED';
  }
  return { startedWaiting: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Reads and staff actions

/**
 * Open tickets whose triage asked for a person: the evidence wanted a priority beyond the tier, or the domain was a
 * guess. A staff correction (even confirming the domain) takes a ticket off the list. Newest first.
 */
/**
 * A triage that needs staff: the evidence asked for more than the tier allows, or the domain is uncertain, and
 * nobody has corrected it yet. With an open ticket, it is the "needs attention" list (here and the console's view).
 */
export const NEEDS_ATTENTION = { needsAttention: true, correctedAt: null } as const;

export async function ticketsNeedingAttention(ctx: RequestContext, request: PageRequest): Promise<Page<TriageDecision>> {
  const where = { ...NEEDS_ATTENTION, ticket: { status: { $in: OPEN_STATUSES } } };
  const rows = await ctx.em.find(
    TriageDecision,
    { ...where, ...afterCursorCondition(request.after) },
    { populate: ['ticket'], orderBy: keysetOrder(), limit: request.first + 1 },
  );
  return toPage(rows, request, () => ctx.em.count(TriageDecision, where));
}

/** The queues whose tickets `userId` is qualified to take (see `servesQueue`); none without an agent profile. */
export async function queuesServedBy(ctx: RequestContext, userId: string): Promise<string[]> {
  const profile = await ctx.em.findOne(AgentProfile, { user: userId });
  if (!profile) return [];
  const queues = await ctx.em.find(Queue, {});
  const tiers = await ctx.em.find(Tier, {});
  const tierKeys = tiers.map((tier) => tier.key);
  const agent = { skills: profile.skills, certifications: certificationsOf(profile), languages: profile.languages };
  const at = ctx.clock.now();
  return queues.filter((queue) => servesQueue(agent, queueDefinition(queue), tierKeys, at)).map((queue) => queue.id);
}

export async function triageOf(ctx: RequestContext, ticketIds: readonly string[]): Promise<TriageDecision[]> {
  return ctx.em.find(TriageDecision, { ticket: { $in: [...ticketIds] } });
}

export async function routingOf(ctx: RequestContext, ticketIds: readonly string[]): Promise<RoutingDecision[]> {
  return ctx.em.find(RoutingDecision, { ticket: { $in: [...ticketIds] } }, { populate: ['queue', 'escalationPolicy', 'assignedTo'] });
}

/**
 * A staff correction of the triaged domain. It is kept beside the decision (and feeds `retrainClassifier`); a
 * ticket still waiting is routed again with the corrected domain.
 */
export async function correctTriage(
  ctx: RequestContext,
  input: { ticketId: string; domain: Domain; note?: string | null },
): Promise<TriageDecision> {
  const note = input.note?.trim() || null;
  if (note && note.length > 1000) throw badInput('note', 'The note is too long (at most 1000 characters).');
  return ctx.transaction(async (tx) => {
    const { em } = tx;
    const decision = await em.findOne(TriageDecision, { ticket: input.ticketId }, { populate: ['ticket'] });
    if (!decision) throw notFound('Ticket');
    const at = ctx.clock.now();
    const by = ctx.principal.kind === 'staff' && ctx.principal.userId ? `user:${ctx.principal.userId}` : 'staff';
    Object.assign(decision, { correctedDomain: input.domain, correctedBy: by, correctedAt: at, correctionNote: note });
    const routing = await em.findOne(RoutingDecision, { ticket: input.ticketId });
    if (routing?.status === 'WAITING') {
      const ticket = decision.ticket;
      const { tier, entitlements } = (await tiersOf(tx, [ticket.organization.id], at))(ticket.organization.id);
      const organization = await em.findOneOrFail(Organization, { id: ticket.organization.id });
      const rerouted = await decideRoute(em, {
        subject: ticket.subject,
        description: ticket.description,
        priority: ticket.priority,
        impact: ticket.impact,
        channel: ticket.channel,
        organization,
        tier,
        entitlements,
        knownDomain: input.domain,
      });
      if (rerouted.queue && rerouted.outcome) {
        Object.assign(routing, {
          queue: rerouted.queue,
          rule: rerouted.outcome.ruleId ? em.getReference(RoutingRule, rerouted.outcome.ruleId) : null,
          ruleName: rerouted.outcome.ruleName,
          evaluations: rerouted.outcome.evaluations,
          reasons: [...routing.reasons, `domain corrected to ${input.domain} by staff: routed again to ${rerouted.queue.name}`],
          waitingSince: at,
        });
        recordQueue(em, ticket, rerouted.queue, at);
        await em.flush();
        await refreshTicketClocks(tx, [ticket.id]);
        await assignWaiting(tx, { ticketIds: [ticket.id] });
      }
    }
    return decision;
  });
}

export interface DryRun {
  routed: Routed;
  assignment: AssignmentDecision | null;
}

/** What routing would do with a ticket now, writing nothing: for a real ticket or one described in the input. */
export async function dryRun(ctx: RequestContext, facts: TicketFacts): Promise<DryRun> {
  const routed = await decideRoute(ctx.em, facts);
  if (!routed.queue) return { routed, assignment: null };
  const { snapshots } = await loadAgents(ctx.em, ctx.clock.now());
  const tamRow = facts.entitlements.enabled('support.technicalAccountManager')
    ? await ctx.em.findOne(TechnicalAccountManager, { organization: facts.organization.id }, { filters: ALL_TENANTS })
    : null;
  const requirement = requirementFor(
    queueDefinition(routed.queue),
    { domain: routed.triage.domain, tierKey: facts.tier.key, priority: routed.priority },
    tamRow?.user.id ?? null,
  );
  return { routed, assignment: chooseAgent(requirement, snapshots, ctx.clock.now()) };
}
