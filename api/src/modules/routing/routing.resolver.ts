import DataLoader from 'dataloader';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Float, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Access } from '../../shared/access.js';
import { defineLoaders, type RequestContext } from '../../shared/context.js';
import { badInput, notFound } from '../../shared/errors.js';
import { mutationPayload } from '../../shared/graphql.js';
import { fromGlobalId } from '../../shared/ids.js';
import { connectionFrom, PageArgs, pageRequest, type Connection } from '../../shared/pagination.js';
import { isStaffLike, type StaffRole } from '../../shared/principal.js';
import { calendarsInForce, type BusinessCalendar } from '../calendars/index.js';
import { EscalationPolicy, EscalationPolicyType } from '../escalations/index.js';
import { loadUser, UserType } from '../identity/index.js';
import { Organization, organizationEntitlements, OrganizationPayload, OrganizationType } from '../organizations/index.js';
import { LIMITS, requirePriority, Ticket, TicketConnection, TicketType } from '../tickets/index.js';
import { SupportDomain, TicketChannel, TicketImpact, TicketPriority, type Domain } from '../vocabulary/index.js';
import {
  agentLoads,
  getAgent,
  listAgents,
  setPresence,
  setTechnicalAccountManager,
  technicalAccountManagers,
  totalOf,
  upsertAgentProfile,
} from './agents.service.js';
import { classifierInfo, retrainClassifier } from './classifier.service.js';
import type { Presence } from './model.js';
import {
  createQueue,
  createRoutingRule,
  type QueueStats,
  deleteRoutingRule,
  listQueues,
  listRoutingRules,
  queueStats,
  routingWarnings,
  updateQueue,
  updateRoutingRule,
  waitingEntries,
  type QueueInput as QueueFields,
  type RuleInput,
} from './queues.service.js';
import { AgentProfile, Queue, RoutingRule, type RoutingDecision, type TriageDecision } from './routing.entity.js';
import { correctTriage, dryRun, routingOf, ticketsNeedingAttention, triageOf } from './routing.service.js';
import { API_LIMITS, runSimulation } from './simulation.service.js';
import {
  AgentConnection,
  AgentPayload,
  AgentProfileInput,
  AgentType,
  AssignmentPreviewType,
  ClassifierType,
  conditionsFrom,
  CorrectTriageInput,
  CorrectTriagePayload,
  DeleteRoutingRulePayload,
  PresenceEnum,
  priorityCounts,
  PriorityCountType,
  QueueEntryConnection,
  QueueEntryType,
  QueueInput,
  QueuePayload,
  QueueType,
  RetrainClassifierPayload,
  RoutingDecisionType,
  RoutingDryRunInput,
  RoutingDryRunType,
  RoutingProblemType,
  RoutingRuleInput,
  RoutingRulePayload,
  RoutingRuleType,
  RuleEvaluationType,
  SetPresenceInput,
  SetTechnicalAccountManagerInput,
  SimulationReplayInput,
  SimulationResultType,
  TriageDecisionType,
} from './routing.types.js';

const ADMIN: readonly StaffRole[] = ['ADMIN'];

/** Per-request batches, so a page of tickets, queues or agents costs one statement per field, not one per row. */
const routingLoaders = defineLoaders((ctx) => {
  const byTicket = <T extends { ticket: { id: string } }>(rows: T[], ids: readonly string[]) => {
    const found = new Map(rows.map((row) => [row.ticket.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  };
  return {
    triage: new DataLoader<string, TriageDecision | null>(async (ids) => byTicket(await triageOf(ctx, ids), ids)),
    routing: new DataLoader<string, RoutingDecision | null>(async (ids) => byTicket(await routingOf(ctx, ids), ids)),
    queueStats: new DataLoader<string, QueueStats>(async (ids) => {
      const stats = await queueStats(ctx, ids);
      return ids.map((id) => stats.get(id)!);
    }),
    agentLoad: new DataLoader<string, Record<TicketPriority, number>>(async (ids) => {
      const loads = await agentLoads(ctx, ids);
      return ids.map((id) => loads.get(id)!);
    }),
    /** Working hours by calendar id, as in force now. */
    hours: new DataLoader<string, BusinessCalendar | null>(async (calendarIds) => {
      const current = await calendarsInForce(ctx.em, calendarIds, ctx.clock.now());
      return calendarIds.map((id) => current.get(id) ?? null);
    }),
  };
});

const loadersOf = (ctx: RequestContext) => ctx.loaders(routingLoaders);

function queueFields(input: QueueInput): QueueFields {
  return {
    key: input.key,
    name: input.name,
    domain: input.domain ?? null,
    levelByTier: input.levelByTier ?? [],
    requiredCertification: input.requiredCertification ?? null,
    language: input.language ?? null,
    targetMinutes: input.targetMinutes ?? null,
    fallbackQueueId: input.fallbackQueueId ? fromGlobalId('Queue', input.fallbackQueueId, 'fallbackQueueId') : null,
    fallbackAfterMinutes: input.fallbackAfterMinutes ?? null,
    isDefault: input.isDefault ?? false,
  };
}

function ruleFields(input: RoutingRuleInput): RuleInput & { position: number | null } {
  return {
    name: input.name,
    position: input.position ?? null,
    enabled: input.enabled ?? true,
    conditions: conditionsFrom(input.conditions),
    queueId: fromGlobalId('Queue', input.queueId, 'queueId'),
    priority: input.priority ?? null,
    escalationPolicyId: input.escalationPolicyId ? fromGlobalId('EscalationPolicy', input.escalationPolicyId, 'escalationPolicyId') : null,
    pageImmediately: input.pageImmediately ?? false,
  };
}

@Resolver(() => TicketType)
export class TicketRoutingResolver {
  @FieldResolver(() => TriageDecisionType, { nullable: true, description: 'Triage of the ticket (staff only; null for others).' })
  async triage(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): Promise<TriageDecisionType | null> {
    if (!isStaffLike(ctx.principal)) return null;
    const row = await loadersOf(ctx).triage.load(ticket.ticketId);
    return row && TriageDecisionType.from(row);
  }

  @FieldResolver(() => RoutingDecisionType, {
    nullable: true,
    description: 'Where routing sent the ticket and why (staff only; null for others).',
  })
  async routingDecision(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): Promise<RoutingDecisionType | null> {
    if (!isStaffLike(ctx.principal)) return null;
    const row = await loadersOf(ctx).routing.load(ticket.ticketId);
    return row && RoutingDecisionType.from(row);
  }
}

@Resolver(() => RoutingDecisionType)
export class RoutingDecisionResolver {
  @FieldResolver(() => QueueType)
  async queue(@Root() decision: RoutingDecisionType, @Ctx() ctx: RequestContext): Promise<QueueType> {
    return QueueType.from(await ctx.em.findOneOrFail(Queue, { id: decision.queueId }));
  }

  @FieldResolver(() => EscalationPolicyType, { nullable: true })
  async escalationPolicy(@Root() decision: RoutingDecisionType, @Ctx() ctx: RequestContext): Promise<EscalationPolicyType | null> {
    const policy = decision.escalationPolicyId ? await ctx.em.findOne(EscalationPolicy, { id: decision.escalationPolicyId }) : null;
    return policy && EscalationPolicyType.from(policy);
  }

  @FieldResolver(() => UserType, { nullable: true })
  async assignedTo(@Root() decision: RoutingDecisionType, @Ctx() ctx: RequestContext): Promise<UserType | null> {
    const user = decision.assignedToId ? await loadUser(ctx, decision.assignedToId) : null;
    return user && UserType.from(user, true);
  }
}

@Resolver(() => QueueType)
export class QueueResolver {
  @FieldResolver(() => QueueType, {
    nullable: true,
    description: 'Where tickets overflow after `fallbackAfterMinutes` with nobody able to take them.',
  })
  async fallbackQueue(@Root() queue: QueueType, @Ctx() ctx: RequestContext): Promise<QueueType | null> {
    const fallback = queue.fallbackQueueId ? await ctx.em.findOne(Queue, { id: queue.fallbackQueueId }) : null;
    return fallback && QueueType.from(fallback);
  }

  @FieldResolver(() => Number, { description: 'Tickets waiting for an agent.' })
  async waitingCount(@Root() queue: QueueType, @Ctx() ctx: RequestContext): Promise<number> {
    return (await loadersOf(ctx).queueStats.load(queue.queueId)).waiting;
  }

  @FieldResolver(() => Date, { nullable: true })
  async oldestWaitingSince(@Root() queue: QueueType, @Ctx() ctx: RequestContext): Promise<Date | null> {
    return (await loadersOf(ctx).queueStats.load(queue.queueId)).oldestWaitingSince;
  }

  @FieldResolver(() => QueueEntryConnection, { description: 'Waiting tickets, longest waiting first, each with its SLA clocks.' })
  async waiting(
    @Root() queue: QueueType,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<QueueEntryType>> {
    return connectionFrom(await waitingEntries(ctx, queue.queueId, pageRequest(page)), QueueEntryType.from);
  }
}

@Resolver(() => RoutingRuleType)
export class RoutingRuleResolver {
  @FieldResolver(() => QueueType)
  async queue(@Root() rule: RoutingRuleType, @Ctx() ctx: RequestContext): Promise<QueueType> {
    return QueueType.from(await ctx.em.findOneOrFail(Queue, { id: rule.queueId }));
  }

  @FieldResolver(() => EscalationPolicyType, { nullable: true })
  async escalationPolicy(@Root() rule: RoutingRuleType, @Ctx() ctx: RequestContext): Promise<EscalationPolicyType | null> {
    const policy = rule.escalationPolicyId ? await ctx.em.findOne(EscalationPolicy, { id: rule.escalationPolicyId }) : null;
    return policy && EscalationPolicyType.from(policy);
  }
}

@Resolver(() => AgentType)
export class AgentResolver {
  @FieldResolver(() => [PriorityCountType], { description: 'Open tickets assigned now, per priority (all organizations).' })
  async load(@Root() agent: AgentType, @Ctx() ctx: RequestContext): Promise<PriorityCountType[]> {
    return priorityCounts(await loadersOf(ctx).agentLoad.load(agent.userId));
  }

  @FieldResolver(() => Float, { description: 'Open tickets ÷ total capacity (0 when the agent has no capacity).' })
  async utilisation(@Root() agent: AgentType, @Ctx() ctx: RequestContext): Promise<number> {
    const capacity = totalOf(agent.capacityValues);
    return capacity ? totalOf(await loadersOf(ctx).agentLoad.load(agent.userId)) / capacity : 0;
  }

  @FieldResolver(() => Boolean, {
    description: 'Inside working hours now (always true without set hours); whether they are online is `presence`.',
  })
  async onShift(@Root() agent: AgentType, @Ctx() ctx: RequestContext): Promise<boolean> {
    if (!agent.calendarId) return true;
    const hours = await loadersOf(ctx).hours.load(agent.calendarId);
    return hours?.isOpenAt(ctx.clock.now()) ?? false;
  }
}

@Resolver(() => RoutingDryRunType)
export class RoutingDryRunResolver {
  @FieldResolver(() => QueueType, { nullable: true })
  async queue(@Root() run: RoutingDryRunType, @Ctx() ctx: RequestContext): Promise<QueueType | null> {
    const queue = run.queueId ? await ctx.em.findOne(Queue, { id: run.queueId }) : null;
    return queue && QueueType.from(queue);
  }

  @FieldResolver(() => EscalationPolicyType, { nullable: true })
  async escalationPolicy(@Root() run: RoutingDryRunType, @Ctx() ctx: RequestContext): Promise<EscalationPolicyType | null> {
    const policy = run.escalationPolicyId ? await ctx.em.findOne(EscalationPolicy, { id: run.escalationPolicyId }) : null;
    return policy && EscalationPolicyType.from(policy);
  }
}

@Resolver(() => AssignmentPreviewType)
export class AssignmentPreviewResolver {
  @FieldResolver(() => UserType, { nullable: true, description: 'The agent who would get the ticket now; null: it would wait.' })
  async agent(@Root() preview: AssignmentPreviewType, @Ctx() ctx: RequestContext): Promise<UserType | null> {
    const user = preview.agentId ? await loadUser(ctx, preview.agentId) : null;
    return user && UserType.from(user, true);
  }
}

@Resolver(() => OrganizationType)
export class OrganizationTamResolver {
  @FieldResolver(() => UserType, { nullable: true, description: 'The technical account manager, where the tier includes one.' })
  async technicalAccountManager(@Root() organization: OrganizationType, @Ctx() ctx: RequestContext): Promise<UserType | null> {
    const organizationId = fromGlobalId('Organization', organization.id);
    const user = (await technicalAccountManagers(ctx, [organizationId])).get(organizationId);
    return user ? UserType.from(user, true) : null;
  }
}

@Resolver()
export class RoutingResolver {
  @Query(() => [QueueType], { description: 'Every queue, by key.' })
  @Access({ staff: 'ANY' })
  async queues(@Ctx() ctx: RequestContext): Promise<QueueType[]> {
    return (await listQueues(ctx)).map(QueueType.from);
  }

  @Query(() => QueueType, { nullable: true })
  @Access({ staff: 'ANY' })
  async queue(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<QueueType | null> {
    const queue = await ctx.em.findOne(Queue, { id: fromGlobalId('Queue', id) });
    return queue && QueueType.from(queue);
  }

  @Mutation(() => QueuePayload)
  @Access({ staff: ADMIN })
  async createQueue(@Arg('input', () => QueueInput) input: QueueInput, @Ctx() ctx: RequestContext): Promise<QueuePayload> {
    return mutationPayload(QueuePayload, async () => ({ queue: QueueType.from(await createQueue(ctx, queueFields(input))) }));
  }

  @Mutation(() => QueuePayload)
  @Access({ staff: ADMIN })
  async updateQueue(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => QueueInput) input: QueueInput,
    @Ctx() ctx: RequestContext,
  ): Promise<QueuePayload> {
    return mutationPayload(QueuePayload, async () => ({
      queue: QueueType.from(await updateQueue(ctx, fromGlobalId('Queue', id), queueFields(input))),
    }));
  }

  @Query(() => [RoutingRuleType], { description: 'The routing rules in the order they are evaluated.' })
  @Access({ staff: 'ANY' })
  async routingRules(@Ctx() ctx: RequestContext): Promise<RoutingRuleType[]> {
    return (await listRoutingRules(ctx)).map(RoutingRuleType.from);
  }

  @Query(() => [RoutingProblemType], { description: 'Warnings about the rule set as a whole (e.g. rules no ticket can reach).' })
  @Access({ staff: 'ANY' })
  async routingWarnings(@Ctx() ctx: RequestContext): Promise<RoutingProblemType[]> {
    return (await routingWarnings(ctx)).map(RoutingProblemType.from);
  }

  @Mutation(() => RoutingRulePayload)
  @Access({ staff: ADMIN })
  async createRoutingRule(
    @Arg('input', () => RoutingRuleInput) input: RoutingRuleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RoutingRulePayload> {
    return mutationPayload(RoutingRulePayload, async () => {
      const { rule, warnings } = await createRoutingRule(ctx, ruleFields(input));
      return { rule: RoutingRuleType.from(rule), warnings: warnings.map(RoutingProblemType.from) };
    });
  }

  @Mutation(() => RoutingRulePayload)
  @Access({ staff: ADMIN })
  async updateRoutingRule(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => RoutingRuleInput) input: RoutingRuleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RoutingRulePayload> {
    return mutationPayload(RoutingRulePayload, async () => {
      const { rule, warnings } = await updateRoutingRule(ctx, fromGlobalId('RoutingRule', id), ruleFields(input));
      return { rule: RoutingRuleType.from(rule), warnings: warnings.map(RoutingProblemType.from) };
    });
  }

  @Mutation(() => DeleteRoutingRulePayload)
  @Access({ staff: ADMIN })
  async deleteRoutingRule(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<DeleteRoutingRulePayload> {
    return mutationPayload(DeleteRoutingRulePayload, async () => {
      await deleteRoutingRule(ctx, fromGlobalId('RoutingRule', id));
      return { deletedRuleId: id };
    });
  }

  @Query(() => RoutingDryRunType, { description: 'Which rule a ticket would hit and why, and who would get it now. Writes nothing.' })
  @Access({ staff: 'ANY' })
  async routingDryRun(
    @Arg('input', () => RoutingDryRunInput) input: RoutingDryRunInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RoutingDryRunType> {
    const facts = await dryRunFacts(ctx, input);
    const { routed, assignment } = await dryRun(ctx, facts);
    const triage = TriageDecisionType.from({
      ...routed.triage,
      declaredPriority: facts.priority,
      correctedDomain: null,
      correctedBy: null,
      correctedAt: null,
      correctionNote: null,
    } as unknown as TriageDecision);
    return Object.assign(new RoutingDryRunType(), {
      triage,
      queueId: routed.queue?.id ?? null,
      escalationPolicyId: routed.outcome?.escalationPolicyId ?? null,
      ruleName: routed.outcome?.ruleName ?? null,
      evaluations: (routed.outcome?.evaluations ?? []).map(RuleEvaluationType.from),
      reasons: routed.outcome?.reasons ?? ['no queues are configured: tickets are not routed'],
      priority: routed.priority,
      pageImmediately: routed.outcome?.pageImmediately ?? false,
      assignment: assignment && AssignmentPreviewType.from(assignment),
    });
  }

  @Query(() => TicketConnection, {
    description:
      'Open tickets whose triage asked for staff (a priority beyond the tier, an uncertain domain) and nobody has corrected yet; newest first.',
  })
  @Access({ staff: 'ANY' })
  async ticketsNeedingAttention(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: RequestContext): Promise<Connection<TicketType>> {
    return connectionFrom(await ticketsNeedingAttention(ctx, pageRequest(page)), (decision) => TicketType.from(decision.ticket));
  }

  @Query(() => AgentConnection, { description: 'The competency matrix: agents with skills, hours, presence, capacity and load.' })
  @Access({ staff: 'ANY' })
  async agents(
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
    @Arg('presence', () => PresenceEnum, { nullable: true }) presence?: Presence | null,
    @Arg('domain', () => SupportDomain, { nullable: true }) domain?: Domain | null,
  ): Promise<Connection<AgentType>> {
    const now = ctx.clock.now();
    return connectionFrom(await listAgents(ctx, { presence, domain }, pageRequest(page)), (profile) => AgentType.from(profile, now));
  }

  @Query(() => AgentType, { nullable: true, description: 'An agent by user id (default: yourself).' })
  @Access({ staff: 'ANY' })
  async agent(@Ctx() ctx: RequestContext, @Arg('userId', () => ID, { nullable: true }) userId?: string | null): Promise<AgentType | null> {
    const id = userId ? fromGlobalId('User', userId, 'userId') : ctx.principal.kind === 'staff' ? ctx.principal.userId : null;
    const profile = id ? await getAgent(ctx, id) : null;
    return profile && AgentType.from(profile, ctx.clock.now());
  }

  @Mutation(() => AgentPayload, { description: "Creates or replaces an agent's skills, certifications, languages, hours and capacity." })
  @Access({ staff: ADMIN })
  async upsertAgentProfile(
    @Arg('input', () => AgentProfileInput) input: AgentProfileInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AgentPayload> {
    return mutationPayload(AgentPayload, async () => {
      const profile = await upsertAgentProfile(ctx, {
        userId: fromGlobalId('User', input.userId, 'userId'),
        skills: input.skills,
        certifications: (input.certifications ?? []).map((certification) => ({
          name: certification.name,
          expiresAt: certification.expiresAt ?? null,
        })),
        languages: input.languages ?? ['en'],
        region: input.region,
        calendarId: input.calendarId ? fromGlobalId('BusinessCalendar', input.calendarId, 'calendarId') : null,
        capacity: input.capacity,
      });
      return { agent: AgentType.from(profile, ctx.clock.now()) };
    });
  }

  @Mutation(() => AgentPayload, { description: "Sets presence (your own; admins anyone's). ONLINE takes waiting tickets at once." })
  @Access({ staff: 'ANY' })
  async setPresence(@Arg('input', () => SetPresenceInput) input: SetPresenceInput, @Ctx() ctx: RequestContext): Promise<AgentPayload> {
    return mutationPayload(AgentPayload, async () => {
      const profile = await setPresence(ctx, {
        userId: input.userId ? fromGlobalId('User', input.userId, 'userId') : null,
        presence: input.presence,
      });
      return { agent: AgentType.from(profile, ctx.clock.now()) };
    });
  }

  @Mutation(() => OrganizationPayload)
  @Access({ staff: ADMIN })
  async setTechnicalAccountManager(
    @Arg('input', () => SetTechnicalAccountManagerInput) input: SetTechnicalAccountManagerInput,
    @Ctx() ctx: RequestContext,
  ): Promise<OrganizationPayload> {
    return mutationPayload(OrganizationPayload, async () => {
      const organization = await setTechnicalAccountManager(ctx, {
        organizationId: fromGlobalId('Organization', input.organizationId, 'organizationId'),
        userId: input.userId ? fromGlobalId('User', input.userId, 'userId') : null,
      });
      return { organization: OrganizationType.from(organization) };
    });
  }

  @Mutation(() => CorrectTriagePayload, {
    description: "Corrects a ticket's domain; kept for retraining, and a waiting ticket is routed again.",
  })
  @Access({ staff: 'ANY' })
  async correctTriage(
    @Arg('input', () => CorrectTriageInput) input: CorrectTriageInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CorrectTriagePayload> {
    return mutationPayload(CorrectTriagePayload, async () => {
      const decision = await correctTriage(ctx, {
        ticketId: fromGlobalId('Ticket', input.ticketId, 'ticketId'),
        domain: input.domain,
        note: input.note,
      });
      return { triage: TriageDecisionType.from(decision) };
    });
  }

  @Query(() => SimulationResultType, {
    description:
      'A what-if run of a scenario (docs/simulator.md, version 1) through the live triage, routing, assignment and SLA code. ' +
      `Over the API a run is capped at ${API_LIMITS.maxEvents.toLocaleString('en-US')} events and ${API_LIMITS.maxReplayTickets.toLocaleString('en-US')} replayed tickets; \`tierdesk simulate <file>\` has no cap.`,
  })
  @Access({ staff: ADMIN })
  async simulate(
    @Arg('scenario', () => GraphQLJSONObject) scenario: Record<string, unknown>,
    @Ctx() ctx: RequestContext,
    @Arg('replay', () => SimulationReplayInput, { nullable: true }) replay?: SimulationReplayInput | null,
  ): Promise<SimulationResultType> {
    const result = await runSimulation(ctx.em, scenario, {
      replay,
      maxEvents: API_LIMITS.maxEvents,
      maxReplayTickets: API_LIMITS.maxReplayTickets,
      inThread: true,
    });
    return SimulationResultType.from(result);
  }

  @Query(() => ClassifierType, { description: 'The text classifier in use, with its held-out accuracy.' })
  @Access({ staff: 'ANY' })
  async domainClassifier(@Ctx() ctx: RequestContext): Promise<ClassifierType> {
    return ClassifierType.from(await classifierInfo(ctx));
  }

  @Mutation(() => RetrainClassifierPayload, {
    description: 'Retrains the classifier on the shipped labelled set plus every staff correction.',
  })
  @Access({ staff: ADMIN })
  async retrainClassifier(@Ctx() ctx: RequestContext): Promise<RetrainClassifierPayload> {
    return mutationPayload(RetrainClassifierPayload, async () => {
      const model = await retrainClassifier(ctx);
      return {
        classifier: ClassifierType.from({
          version: model.version,
          shippedExamples: model.shippedExamples,
          corrections: model.corrections,
          heldOutAccuracy: model.heldOutAccuracy,
          trainedAt: model.createdAt,
        }),
      };
    });
  }
}

async function dryRunFacts(ctx: RequestContext, input: RoutingDryRunInput) {
  let ticket: Pick<Ticket, 'subject' | 'description' | 'priority' | 'impact' | 'channel'> & { organizationId: string };
  if (input.ticketId) {
    const found = await ctx.em.findOne(Ticket, { id: fromGlobalId('Ticket', input.ticketId, 'ticketId') });
    if (!found) throw notFound('Ticket');
    ticket = {
      subject: found.subject,
      description: found.description,
      priority: found.priority,
      impact: found.impact,
      channel: found.channel,
      organizationId: found.organization.id,
    };
  } else {
    if (!input.organizationId || !input.subject?.trim() || !input.description?.trim() || !input.priority) {
      throw badInput('ticketId', 'Give a ticketId, or an organizationId with a subject, description and priority.');
    }
    // The same bounds as a real ticket: a dry run answers for tickets that could exist.
    if (input.subject.length > LIMITS.subject) throw badInput('subject', `The subject is too long (at most ${LIMITS.subject} characters).`);
    if (input.description.length > LIMITS.description)
      throw badInput('description', `The description is too long (at most ${LIMITS.description} characters).`);
    ticket = {
      organizationId: fromGlobalId('Organization', input.organizationId, 'organizationId'),
      subject: input.subject,
      description: input.description,
      priority: input.priority,
      impact: input.impact ?? TicketImpact.MEDIUM,
      channel: input.channel ?? TicketChannel.EMAIL,
    };
  }
  const organization = await ctx.em.findOne(Organization, { id: ticket.organizationId });
  if (!organization) throw notFound('Organization');
  const entitlements = await organizationEntitlements(ctx, organization.id);
  // The same refusal a real ticket of that priority would get.
  await requirePriority(ctx, entitlements, ticket.priority);
  return { ...ticket, organization, tier: entitlements.tier, entitlements };
}

/** `node(id:)` getters: queues, rules and the competency matrix are staff matters, like their queries. */
export const routingNodes = {
  Queue: async (ctx: RequestContext, id: string) => {
    if (!isStaffLike(ctx.principal)) return null;
    const queue = await ctx.em.findOne(Queue, { id });
    return queue && QueueType.from(queue);
  },
  RoutingRule: async (ctx: RequestContext, id: string) => {
    if (!isStaffLike(ctx.principal)) return null;
    const rule = await ctx.em.findOne(RoutingRule, { id });
    return rule && RoutingRuleType.from(rule);
  },
  Agent: async (ctx: RequestContext, id: string) => {
    if (!isStaffLike(ctx.principal)) return null;
    const profile = await ctx.em.findOne(AgentProfile, { id }, { populate: ['user'] });
    return profile && AgentType.from(profile, ctx.clock.now());
  },
};
