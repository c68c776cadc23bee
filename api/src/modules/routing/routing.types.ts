import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, Node, UserError, type WithUserErrors } from '../../shared/graphql.js';
import { toGlobalId } from '../../shared/ids.js';
import { ConnectionType } from '../../shared/pagination.js';
import { UserType } from '../identity/index.js';
import { TicketType } from '../tickets/index.js';
import { PRIORITY_ORDER, SupportDomain, TicketChannel, TicketImpact, TicketPriority, type Domain } from '../vocabulary/index.js';
import {
  DOMAIN_SOURCES,
  PRESENCES,
  URGENCY_LEVELS,
  type AssignmentDecision,
  type Presence,
  type RuleConditions,
  type RuleEvaluation,
  type UrgencyLevel,
} from './model.js';
import {
  ROUTING_STATUSES,
  type AgentProfile,
  type Queue,
  type RoutingDecision,
  type RoutingRule,
  type TriageDecision,
} from './routing.entity.js';
import type { RuleProblem } from './rules.js';
import type { ClassifierInfo } from './classifier.service.js';
import type { SimulationResult } from './simulator/engine.js';

const UrgencyLevelEnum = graphqlEnum('UrgencyLevel', URGENCY_LEVELS);

const DomainSourceEnum = graphqlEnum('DomainSource', DOMAIN_SOURCES, {
  description: 'RULE: a keyword rule; CLASSIFIER: the text classifier; KNOWN: given (a staff correction).',
});

export const PresenceEnum = graphqlEnum('Presence', PRESENCES, { description: 'Only ONLINE agents are offered tickets.' });

const RoutingStatusEnum = graphqlEnum('RoutingStatus', ROUTING_STATUSES, {
  description: 'WAITING in its queue, ASSIGNED to an agent, or CLOSED (solved or closed).',
});

// ---------------------------------------------------------------------------------------------------------------
// Triage

@ObjectType('TriageDecision', { description: 'What triage decided when the ticket arrived, with its reasons; visible to staff.' })
export class TriageDecisionType {
  @Field(() => SupportDomain, { description: 'The domain in force: the staff correction when there is one.' })
  domain: Domain;

  @Field(() => SupportDomain)
  triagedDomain: Domain;

  @Field(() => Float)
  domainConfidence: number;

  @Field(() => DomainSourceEnum)
  domainSource: string;

  @Field(() => Int, { description: '0-100, from priority, impact, criticality, tier and text.' })
  urgency: number;

  @Field(() => UrgencyLevelEnum)
  urgencyLevel: UrgencyLevel;

  @Field(() => [String])
  outageSignals: string[];

  @Field(() => Boolean)
  criticalOutage: boolean;

  @Field(() => TicketPriority)
  declaredPriority: TicketPriority;

  @Field(() => TicketPriority, { description: "What triage suggested (never above the tier's entitlement)." })
  priority: TicketPriority;

  @Field(() => Boolean, { description: 'The evidence asks for more than the tier allows, or the domain is uncertain.' })
  needsAttention: boolean;

  @Field(() => [String])
  reasons: string[];

  @Field(() => Float)
  confidence: number;

  @Field(() => String, { nullable: true })
  classifierVersion: string | null;

  @Field(() => SupportDomain, { nullable: true })
  correctedDomain: Domain | null;

  @Field(() => String, { nullable: true })
  correctedBy: string | null;

  @Field(() => Date, { nullable: true })
  correctedAt: Date | null;

  @Field(() => String, { nullable: true })
  correctionNote: string | null;

  static from(row: TriageDecision): TriageDecisionType {
    return Object.assign(new TriageDecisionType(), {
      domain: row.correctedDomain ?? row.domain,
      triagedDomain: row.domain,
      domainConfidence: row.domainConfidence,
      domainSource: row.domainSource,
      urgency: row.urgency,
      urgencyLevel: row.urgencyLevel,
      outageSignals: row.outageSignals,
      criticalOutage: row.criticalOutage,
      declaredPriority: row.declaredPriority,
      priority: row.priority,
      needsAttention: row.needsAttention,
      reasons: row.reasons,
      confidence: row.confidence,
      classifierVersion: row.classifierVersion,
      correctedDomain: row.correctedDomain,
      correctedBy: row.correctedBy,
      correctedAt: row.correctedAt,
      correctionNote: row.correctionNote,
    });
  }
}

@InputType()
export class CorrectTriageInput {
  @Field(() => ID)
  ticketId: string;

  @Field(() => SupportDomain)
  domain: Domain;

  @Field(() => String, { nullable: true })
  note?: string | null;
}

@ObjectType()
export class CorrectTriagePayload implements WithUserErrors {
  @Field(() => TriageDecisionType, { nullable: true })
  triage: TriageDecisionType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType('DomainClassifier', { description: 'The text classifier triage uses.' })
export class ClassifierType {
  @Field(() => String)
  version: string;

  @Field(() => Int)
  shippedExamples: number;

  @Field(() => Int, { description: 'Staff corrections it was trained with.' })
  corrections: number;

  @Field(() => Float, { description: 'Accuracy on the held-back fifth of the shipped labelled set.' })
  heldOutAccuracy: number;

  @Field(() => Date, { nullable: true, description: 'Null: the model trained at start-up on the shipped set.' })
  trainedAt: Date | null;

  static from(info: ClassifierInfo): ClassifierType {
    return Object.assign(new ClassifierType(), info);
  }
}

@ObjectType()
export class RetrainClassifierPayload implements WithUserErrors {
  @Field(() => ClassifierType, { nullable: true })
  classifier: ClassifierType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

// ---------------------------------------------------------------------------------------------------------------
// Queues and rules

@ObjectType('TierSkillLevel')
export class TierSkillLevelType {
  @Field(() => String)
  tierKey: string;

  @Field(() => Int)
  level: number;
}

@InputType()
export class TierSkillLevelInput {
  @Field(() => String)
  tierKey: string;

  @Field(() => Int)
  level: number;
}

@ObjectType('Queue', { implements: Node })
export class QueueType extends Node {
  queueId: string;
  fallbackQueueId: string | null;

  @Field(() => String)
  key: string;

  @Field(() => String)
  name: string;

  @Field(() => SupportDomain, { nullable: true, description: "The skill agents need; null: the ticket's triaged domain." })
  domain: Domain | null;

  @Field(() => [TierSkillLevelType], { description: 'Minimum skill level per tier (others need level 1).' })
  levelByTier: TierSkillLevelType[];

  @Field(() => String, { nullable: true })
  requiredCertification: string | null;

  @Field(() => String, { nullable: true })
  language: string | null;

  @Field(() => Int, { nullable: true, description: "The queue's own first-response target (an internal lead time), if any." })
  targetMinutes: number | null;

  @Field(() => Int, { nullable: true })
  fallbackAfterMinutes: number | null;

  @Field(() => Boolean)
  isDefault: boolean;

  static from(queue: Queue): QueueType {
    return Object.assign(new QueueType(), {
      id: toGlobalId('Queue', queue.id),
      queueId: queue.id,
      fallbackQueueId: queue.fallbackQueue?.id ?? null,
      key: queue.key,
      name: queue.name,
      domain: queue.domain,
      levelByTier: Object.entries(queue.levelByTier).map(([tierKey, level]) => Object.assign(new TierSkillLevelType(), { tierKey, level })),
      requiredCertification: queue.requiredCertification,
      language: queue.language,
      targetMinutes: queue.targetMinutes,
      fallbackAfterMinutes: queue.fallbackAfterMinutes,
      isDefault: queue.isDefault,
    });
  }
}

@ObjectType('QueueEntry', { description: 'A ticket waiting in a queue.' })
export class QueueEntryType {
  @Field(() => TicketType, { description: 'With its SLA clocks (`slaClocks`).' })
  ticket: TicketType;

  @Field(() => Date)
  waitingSince: Date;

  @Field(() => String, { nullable: true, description: 'Why nobody has it yet, from the last assignment attempt.' })
  lastAttempt: string | null;

  static from(decision: RoutingDecision): QueueEntryType {
    return Object.assign(new QueueEntryType(), {
      ticket: TicketType.from(decision.ticket),
      waitingSince: decision.waitingSince,
      lastAttempt: decision.assignmentReason,
    });
  }
}
export const QueueEntryConnection = ConnectionType('QueueEntry', QueueEntryType);

@InputType()
export class QueueInput {
  @Field(() => String)
  key: string;

  @Field(() => String)
  name: string;

  @Field(() => SupportDomain, { nullable: true })
  domain?: Domain | null;

  @Field(() => [TierSkillLevelInput], { nullable: true })
  levelByTier?: TierSkillLevelInput[] | null;

  @Field(() => String, { nullable: true })
  requiredCertification?: string | null;

  @Field(() => String, { nullable: true })
  language?: string | null;

  @Field(() => Int, { nullable: true })
  targetMinutes?: number | null;

  @Field(() => ID, { nullable: true })
  fallbackQueueId?: string | null;

  @Field(() => Int, { nullable: true })
  fallbackAfterMinutes?: number | null;

  @Field(() => Boolean, { nullable: true })
  isDefault?: boolean | null;
}

@ObjectType()
export class QueuePayload implements WithUserErrors {
  @Field(() => QueueType, { nullable: true })
  queue: QueueType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType('RuleConditions', { description: 'Every condition set must hold; unset conditions match anything.' })
export class RuleConditionsType {
  @Field(() => [SupportDomain], { nullable: true })
  domains: Domain[] | null;

  @Field(() => [String], { nullable: true })
  tierKeys: string[] | null;

  @Field(() => [TicketPriority], { nullable: true })
  priorities: TicketPriority[] | null;

  @Field(() => UrgencyLevelEnum, { nullable: true })
  minUrgency: UrgencyLevel | null;

  @Field(() => Boolean, { nullable: true })
  criticalOutage: boolean | null;

  @Field(() => Boolean, { nullable: true })
  businessCritical: boolean | null;

  @Field(() => [TicketChannel], { nullable: true })
  channels: TicketChannel[] | null;

  @Field(() => [String], { nullable: true })
  keywords: string[] | null;

  static from(conditions: RuleConditions): RuleConditionsType {
    return Object.assign(new RuleConditionsType(), {
      domains: conditions.domains ?? null,
      tierKeys: conditions.tierKeys ?? null,
      priorities: conditions.priorities ?? null,
      minUrgency: conditions.minUrgency ?? null,
      criticalOutage: conditions.criticalOutage ?? null,
      businessCritical: conditions.businessCritical ?? null,
      channels: conditions.channels ?? null,
      keywords: conditions.keywords ?? null,
    });
  }
}

@InputType()
export class RuleConditionsInput {
  @Field(() => [SupportDomain], { nullable: true })
  domains?: Domain[] | null;

  @Field(() => [String], { nullable: true })
  tierKeys?: string[] | null;

  @Field(() => [TicketPriority], { nullable: true })
  priorities?: TicketPriority[] | null;

  @Field(() => UrgencyLevelEnum, { nullable: true })
  minUrgency?: UrgencyLevel | null;

  @Field(() => Boolean, { nullable: true })
  criticalOutage?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  businessCritical?: boolean | null;

  @Field(() => [TicketChannel], { nullable: true })
  channels?: TicketChannel[] | null;

  @Field(() => [String], { nullable: true })
  keywords?: string[] | null;
}

/** GraphQL nulls become absent conditions (null = "any"). */
export function conditionsFrom(input: RuleConditionsInput | null | undefined): RuleConditions {
  const conditions: { -readonly [K in keyof RuleConditions]: RuleConditions[K] } = {};
  if (!input) return conditions;
  if (input.domains != null) conditions.domains = input.domains;
  if (input.tierKeys != null) conditions.tierKeys = input.tierKeys;
  if (input.priorities != null) conditions.priorities = input.priorities;
  if (input.minUrgency != null) conditions.minUrgency = input.minUrgency;
  if (input.criticalOutage != null) conditions.criticalOutage = input.criticalOutage;
  if (input.businessCritical != null) conditions.businessCritical = input.businessCritical;
  if (input.channels != null) conditions.channels = input.channels;
  if (input.keywords != null) conditions.keywords = input.keywords;
  return conditions;
}

@ObjectType('RoutingRule', { implements: Node })
export class RoutingRuleType extends Node {
  queueId: string;
  escalationPolicyId: string | null;

  @Field(() => String)
  name: string;

  @Field(() => Int, { description: '1 = evaluated first; the first enabled rule that matches wins.' })
  position: number;

  @Field(() => Boolean)
  enabled: boolean;

  @Field(() => RuleConditionsType)
  conditions: RuleConditionsType;

  @Field(() => TicketPriority, { nullable: true, description: "Priority to set (raising stays within the tier's entitlement)." })
  priority: TicketPriority | null;

  @Field(() => Boolean, { description: 'Start the escalation policy at once instead of waiting for an SLA breach.' })
  pageImmediately: boolean;

  static from(rule: RoutingRule): RoutingRuleType {
    return Object.assign(new RoutingRuleType(), {
      id: toGlobalId('RoutingRule', rule.id),
      queueId: rule.queue.id,
      escalationPolicyId: rule.escalationPolicy?.id ?? null,
      name: rule.name,
      position: rule.position,
      enabled: rule.enabled,
      conditions: RuleConditionsType.from(rule.conditions),
      priority: rule.priority,
      pageImmediately: rule.pageImmediately,
    });
  }
}

@InputType()
export class RoutingRuleInput {
  @Field(() => String)
  name: string;

  @Field(() => Int, { nullable: true, description: 'Where to put it (1 = first); default: last, or where it is.' })
  position?: number | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => RuleConditionsInput, { nullable: true })
  conditions?: RuleConditionsInput | null;

  @Field(() => ID)
  queueId: string;

  @Field(() => TicketPriority, { nullable: true })
  priority?: TicketPriority | null;

  @Field(() => ID, { nullable: true })
  escalationPolicyId?: string | null;

  @Field(() => Boolean, { nullable: true })
  pageImmediately?: boolean | null;
}

@ObjectType('RoutingProblem', { description: 'A problem of the routing set-up (an error refuses the change; a warning does not).' })
export class RoutingProblemType {
  @Field(() => String)
  path: string;

  @Field(() => String)
  code: string;

  @Field(() => String)
  message: string;

  static from(problem: RuleProblem): RoutingProblemType {
    return Object.assign(new RoutingProblemType(), { path: problem.path, code: problem.code, message: problem.message });
  }
}

@ObjectType()
export class RoutingRulePayload implements WithUserErrors {
  @Field(() => RoutingRuleType, { nullable: true })
  rule: RoutingRuleType | null;

  @Field(() => [RoutingProblemType], { description: 'Warnings about the whole rule set after the change (e.g. unreachable rules).' })
  warnings: RoutingProblemType[] = [];

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class DeleteRoutingRulePayload implements WithUserErrors {
  @Field(() => ID, { nullable: true })
  deletedRuleId: string | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

// ---------------------------------------------------------------------------------------------------------------
// Decisions

@ObjectType('RuleEvaluation')
export class RuleEvaluationType {
  @Field(() => ID, { nullable: true })
  ruleId: string | null;

  @Field(() => String)
  ruleName: string;

  @Field(() => Boolean)
  matched: boolean;

  @Field(() => [String], { description: 'Each condition of the rule and whether it held.' })
  reasons: string[];

  static from(evaluation: RuleEvaluation): RuleEvaluationType {
    return Object.assign(new RuleEvaluationType(), {
      ruleId: evaluation.ruleId ? toGlobalId('RoutingRule', evaluation.ruleId) : null,
      ruleName: evaluation.ruleName,
      matched: evaluation.matched,
      reasons: evaluation.reasons,
    });
  }
}

@ObjectType('RoutingDecision', { description: 'Where routing sent a ticket and why, and who has it and why; visible to staff.' })
export class RoutingDecisionType {
  queueId: string;
  escalationPolicyId: string | null;
  assignedToId: string | null;

  @Field(() => String, { nullable: true, description: 'The rule that matched (its name then); null: the default queue.' })
  ruleName: string | null;

  @Field(() => [RuleEvaluationType])
  evaluations: RuleEvaluationType[];

  @Field(() => [String], { description: 'Every step: the rule, pages, overflows, corrections.' })
  reasons: string[];

  @Field(() => Boolean)
  pagedImmediately: boolean;

  @Field(() => RoutingStatusEnum)
  status: string;

  @Field(() => Date)
  waitingSince: Date;

  @Field(() => Date, { nullable: true })
  assignedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Why this agent; while waiting, why nobody yet.' })
  assignmentReason: string | null;

  static from(decision: RoutingDecision): RoutingDecisionType {
    return Object.assign(new RoutingDecisionType(), {
      queueId: decision.queue.id,
      escalationPolicyId: decision.escalationPolicy?.id ?? null,
      assignedToId: decision.assignedTo?.id ?? null,
      ruleName: decision.ruleName,
      evaluations: decision.evaluations.map(RuleEvaluationType.from),
      reasons: decision.reasons,
      pagedImmediately: decision.pagedImmediately,
      status: decision.status,
      waitingSince: decision.waitingSince,
      assignedAt: decision.assignedAt,
      assignmentReason: decision.assignmentReason,
    });
  }
}

@ObjectType('RejectionCount')
export class RejectionCountType {
  @Field(() => String, { description: 'NO_SKILL, LEVEL_TOO_LOW, CERTIFICATION, LANGUAGE, NOT_ONLINE, OFF_SHIFT or AT_CAPACITY.' })
  reason: string;

  @Field(() => Int)
  agents: number;
}

@ObjectType('AssignmentPreview')
export class AssignmentPreviewType {
  agentId: string | null;

  @Field(() => Boolean)
  viaTechnicalAccountManager: boolean;

  @Field(() => String)
  reason: string;

  @Field(() => Int)
  considered: number;

  @Field(() => Int)
  eligible: number;

  @Field(() => [RejectionCountType])
  rejected: RejectionCountType[];

  static from(decision: AssignmentDecision): AssignmentPreviewType {
    return Object.assign(new AssignmentPreviewType(), {
      agentId: decision.agentId,
      viaTechnicalAccountManager: decision.viaTam,
      reason: decision.reason,
      considered: decision.considered,
      eligible: decision.eligible,
      rejected: Object.entries(decision.rejected).map(([reason, agents]) => Object.assign(new RejectionCountType(), { reason, agents })),
    });
  }
}

@ObjectType('RoutingDryRun', { description: 'What routing would do with the ticket now; nothing is written.' })
export class RoutingDryRunType {
  queueId: string | null;
  escalationPolicyId: string | null;

  @Field(() => TriageDecisionType)
  triage: TriageDecisionType;

  @Field(() => String, { nullable: true, description: 'The rule it would hit; null: the default queue (or no queues configured).' })
  ruleName: string | null;

  @Field(() => [RuleEvaluationType])
  evaluations: RuleEvaluationType[];

  @Field(() => [String])
  reasons: string[];

  @Field(() => TicketPriority)
  priority: TicketPriority;

  @Field(() => Boolean)
  pageImmediately: boolean;

  @Field(() => AssignmentPreviewType, { nullable: true })
  assignment: AssignmentPreviewType | null;
}

@InputType({ description: 'A real ticket (`ticketId`), or a described one (organization, subject, description, priority…).' })
export class RoutingDryRunInput {
  @Field(() => ID, { nullable: true })
  ticketId?: string | null;

  @Field(() => ID, { nullable: true })
  organizationId?: string | null;

  @Field(() => String, { nullable: true })
  subject?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => TicketPriority, { nullable: true })
  priority?: TicketPriority | null;

  @Field(() => TicketImpact, { nullable: true })
  impact?: TicketImpact | null;

  @Field(() => TicketChannel, { nullable: true })
  channel?: TicketChannel | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Agents

@ObjectType('Skill')
export class SkillType {
  @Field(() => SupportDomain)
  domain: Domain;

  @Field(() => Int, { description: '1 can handle, 2 experienced, 3 expert.' })
  level: number;
}

@InputType()
export class SkillInput {
  @Field(() => SupportDomain)
  domain: Domain;

  @Field(() => Int)
  level: number;
}

@ObjectType('Certification')
export class CertificationType {
  @Field(() => String)
  name: string;

  @Field(() => Date, { nullable: true })
  expiresAt: Date | null;

  @Field(() => Boolean, { description: 'Not expired now.' })
  valid: boolean;
}

@InputType()
export class CertificationInput {
  @Field(() => String)
  name: string;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date | null;
}

@ObjectType('PriorityCount')
export class PriorityCountType {
  @Field(() => TicketPriority)
  priority: TicketPriority;

  @Field(() => Int)
  count: number;
}

@InputType()
export class CapacityInput {
  @Field(() => TicketPriority)
  priority: TicketPriority;

  @Field(() => Int, { description: 'Most open tickets of this priority at once (0-100).' })
  max: number;
}

export function priorityCounts(values: Readonly<Record<TicketPriority, number>>): PriorityCountType[] {
  return PRIORITY_ORDER.map((priority) => Object.assign(new PriorityCountType(), { priority, count: values[priority] }));
}

@ObjectType('Agent', { implements: Node, description: "A staff member's line of the competency matrix, with presence and load." })
export class AgentType extends Node {
  userId: string;
  calendarId: string | null;
  capacityValues: Record<TicketPriority, number>;

  @Field(() => UserType)
  user: UserType;

  @Field(() => [SkillType])
  skills: SkillType[];

  @Field(() => [CertificationType])
  certifications: CertificationType[];

  @Field(() => [String])
  languages: string[];

  @Field(() => String)
  region: string;

  @Field(() => PresenceEnum)
  presence: Presence;

  @Field(() => [PriorityCountType])
  capacity: PriorityCountType[];

  @Field(() => Date, { nullable: true })
  lastAssignedAt: Date | null;

  static from(profile: AgentProfile, now: Date): AgentType {
    return Object.assign(new AgentType(), {
      id: toGlobalId('Agent', profile.id),
      userId: profile.user.id,
      calendarId: profile.calendar?.id ?? null,
      capacityValues: profile.capacity,
      user: UserType.from(profile.user, true),
      skills: Object.entries(profile.skills).map(([domain, level]) => Object.assign(new SkillType(), { domain, level })),
      certifications: profile.certifications.map((certification) =>
        Object.assign(new CertificationType(), {
          name: certification.name,
          expiresAt: certification.expiresAt ? new Date(certification.expiresAt) : null,
          valid: !certification.expiresAt || new Date(certification.expiresAt) > now,
        }),
      ),
      languages: profile.languages,
      region: profile.region,
      presence: profile.presence,
      capacity: priorityCounts(profile.capacity),
      lastAssignedAt: profile.lastAssignedAt,
    });
  }
}
export const AgentConnection = ConnectionType('Agent', AgentType);

@InputType()
export class AgentProfileInput {
  @Field(() => ID, { description: 'The staff user.' })
  userId: string;

  @Field(() => [SkillInput])
  skills: SkillInput[];

  @Field(() => [CertificationInput], { nullable: true })
  certifications?: CertificationInput[] | null;

  @Field(() => [String], { nullable: true, description: 'ISO 639 codes; default ["en"].' })
  languages?: string[] | null;

  @Field(() => String)
  region: string;

  @Field(() => ID, { nullable: true, description: 'Working hours as a business calendar; null: always working.' })
  calendarId?: string | null;

  @Field(() => [CapacityInput])
  capacity: CapacityInput[];
}

@ObjectType()
export class AgentPayload implements WithUserErrors {
  @Field(() => AgentType, { nullable: true })
  agent: AgentType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType()
export class SetPresenceInput {
  @Field(() => PresenceEnum)
  presence: Presence;

  @Field(() => ID, { nullable: true, description: "The agent's user id (admins); default: yourself." })
  userId?: string | null;
}

@InputType()
export class SetTechnicalAccountManagerInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, { nullable: true, description: "The agent's user id; null clears it." })
  userId?: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// What-if simulation (the figures are documented in docs/simulator.md)

@InputType({ description: "Replay the real tickets created in [from, to) instead of the scenario's arrival profile." })
export class SimulationReplayInput {
  @Field(() => Date)
  from: Date;

  @Field(() => Date)
  to: Date;
}

@ObjectType('SimulationTickets')
export class SimulationTicketsType {
  @Field(() => Int) arrived: number;
  @Field(() => Int) assigned: number;
  @Field(() => Int) resolved: number;
  @Field(() => Int) unassignedAtEnd: number;
  @Field(() => Int) inProgressAtEnd: number;
  @Field(() => Int, { description: 'Tickets nobody in the roster could ever take.' }) unserved: number;
}

@ObjectType('SimulationWaiting')
export class SimulationWaitingType {
  @Field(() => Float, { nullable: true }) meanWaitMinutes: number | null;
  @Field(() => Float, { nullable: true }) p90WaitMinutes: number | null;
  @Field(() => Float, { description: 'Time-average number of tickets waiting, all queues.' }) meanWaiting: number;
}

@ObjectType('SimulationSlaRow', { description: 'SLA attainment of one tier and priority: met ÷ (met + breached).' })
export class SimulationSlaRowType {
  @Field(() => String) tier: string;
  @Field(() => TicketPriority) priority: TicketPriority;
  @Field(() => Int) tickets: number;
  @Field(() => Int) firstResponseMet: number;
  @Field(() => Int) firstResponseBreached: number;
  @Field(() => Int) firstResponsePending: number;
  @Field(() => Float, { nullable: true }) firstResponseAttainment: number | null;
  @Field(() => Int) resolutionMet: number;
  @Field(() => Int) resolutionBreached: number;
  @Field(() => Int) resolutionPending: number;
  @Field(() => Float, { nullable: true }) resolutionAttainment: number | null;
  @Field(() => Int) unserved: number;
}

@ObjectType('SimulationBreaches')
export class SimulationBreachesType {
  @Field(() => Int) firstResponse: number;
  @Field(() => Int) resolution: number;
}

@ObjectType('QueueLengthSample')
export class QueueLengthSampleType {
  @Field(() => Date) at: Date;
  @Field(() => Int) length: number;
}

@ObjectType('SimulationQueue')
export class SimulationQueueType {
  @Field(() => String) key: string;
  @Field(() => String) name: string;
  @Field(() => Int) entered: number;
  @Field(() => Int) picked: number;
  @Field(() => Int) overflowed: number;
  @Field(() => Int) maxLength: number;
  @Field(() => Float) meanLength: number;
  @Field(() => Int) waitingAtEnd: number;
  @Field(() => Float, { nullable: true }) meanWaitMinutes: number | null;
  @Field(() => Float, { nullable: true }) p90WaitMinutes: number | null;
  @Field(() => [QueueLengthSampleType], { description: 'Tickets waiting at the start of every hour.' })
  lengthOverTime: QueueLengthSampleType[];
}

@ObjectType('SimulationAgent')
export class SimulationAgentType {
  @Field(() => String) name: string;
  @Field(() => String) region: string;
  @Field(() => Int) assigned: number;
  @Field(() => Float) onShiftHours: number;
  @Field(() => Float, { description: 'On-shift time handling at least one ticket ÷ on-shift time.' }) utilisation: number;
  @Field(() => Float) meanConcurrent: number;
}

@ObjectType('SimulationRoster')
export class SimulationRosterType {
  @Field(() => Int) agents: number;
  @Field(() => Float, { nullable: true }) meanUtilisation: number | null;
  @Field(() => Float, { nullable: true }) meanConcurrent: number | null;
}

@ObjectType('SimulationRuleCount')
export class SimulationRuleCountType {
  @Field(() => String) rule: string;
  @Field(() => Int) tickets: number;
}

@ObjectType('SimulationResult', { description: 'A deterministic what-if run (same scenario and seed, same result).' })
export class SimulationResultType {
  @Field(() => Int) scenarioVersion: number;
  @Field(() => Float) seed: number;
  @Field(() => Date) horizonStart: Date;
  @Field(() => Date) horizonEnd: Date;
  @Field(() => SimulationTicketsType) tickets: SimulationTicketsType;
  @Field(() => SimulationWaitingType) waiting: SimulationWaitingType;
  @Field(() => [SimulationSlaRowType]) sla: SimulationSlaRowType[];
  @Field(() => SimulationBreachesType) breaches: SimulationBreachesType;
  @Field(() => [SimulationQueueType]) queues: SimulationQueueType[];
  @Field(() => [SimulationAgentType]) agents: SimulationAgentType[];
  @Field(() => SimulationRosterType) roster: SimulationRosterType;
  @Field(() => [SimulationRuleCountType], { description: 'Tickets per matching rule, in rule order.' }) routing: SimulationRuleCountType[];
  @Field(() => Int, { description: 'Tickets routed by a rule that pages at once.' }) pages: number;
  @Field(() => [String], { description: 'E.g. a domain nobody in the roster can take; a run stopped at its event limit.' })
  warnings: string[];
  @Field(() => Float) runtimeMs: number;
  @Field(() => Int) events: number;

  static from(result: SimulationResult): SimulationResultType {
    return Object.assign(new SimulationResultType(), {
      ...result,
      horizonStart: new Date(result.horizon.start),
      horizonEnd: new Date(result.horizon.end),
      queues: result.queues.map((queue) => ({
        ...queue,
        lengthOverTime: queue.lengthOverTime.map((sample) => ({ at: new Date(sample.at), length: sample.length })),
      })),
    });
  }
}
