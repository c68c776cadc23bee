import type { Domain, TicketChannel, TicketImpact, TicketPriority } from '../vocabulary/index.js';

/**
 * The shapes shared by triage, routing rules, assignment and the simulator. Everything here is plain data so the
 * live system (which loads it from PostgreSQL) and the what-if simulator (which builds it from a scenario file)
 * run the same decision code.
 */

export const URGENCY_LEVELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type UrgencyLevel = (typeof URGENCY_LEVELS)[number];

export type SkillLevel = 1 | 2 | 3;
export const PRESENCES = ['ONLINE', 'AWAY', 'OFFLINE'] as const;
export type Presence = (typeof PRESENCES)[number];

export const DOMAIN_SOURCES = ['RULE', 'CLASSIFIER', 'KNOWN'] as const;
export type DomainSource = (typeof DOMAIN_SOURCES)[number];

// ---------------------------------------------------------------------------------------------------------------
// Triage

export interface DomainPrediction {
  domain: Domain;
  /** Posterior probability of `domain`, 0..1. */
  confidence: number;
  /** Posterior per domain (sums to 1). */
  scores: Record<Domain, number>;
}

/** A trained text classifier (see classifier.ts); `version` names the model that made a decision. */
export interface DomainClassifier {
  readonly version: string;
  predict(text: string): DomainPrediction;
}

export interface TriageInput {
  subject: string;
  description: string;
  declaredPriority: TicketPriority;
  impact: TicketImpact;
  /** The organization says outages stop its business. */
  businessCritical: boolean;
  tierKey: string;
  /** 1 = lowest tier of the catalogue. */
  tierRank: number;
  /** The priorities the organization's tier entitles it to; triage never raises a priority outside them. */
  allowedPriorities: readonly TicketPriority[];
  /** A domain already known (a staff correction, a simulated arrival): skips the classifier. */
  knownDomain?: Domain | null;
}

export interface TriageResult {
  domain: Domain;
  domainConfidence: number;
  /** RULE: a keyword rule decided; CLASSIFIER: the statistical model; KNOWN: given (correction or simulation). */
  domainSource: DomainSource;
  /** 0..100, from priority, impact, criticality, tier and text; `urgencyLevel` is its band. */
  urgency: number;
  urgencyLevel: UrgencyLevel;
  /** The outage words found in the text ("outage", "down", "data loss", "breach"…). */
  outageSignals: string[];
  /** An outage of a business-critical customer, or one reported at critical impact: pages at once. */
  criticalOutage: boolean;
  /** The priority to apply: the declared one, raised where the evidence says so, never past what the tier allows. */
  priority: TicketPriority;
  /** The evidence asked for more than the tier allows: staff should look. */
  needsAttention: boolean;
  /** One sentence per factor, in the order they were weighed. */
  reasons: string[];
  /** Overall confidence of the decision, 0..1. */
  confidence: number;
  classifierVersion: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Queues and routing rules

export interface QueueDefinition {
  id: string;
  key: string;
  name: string;
  /** The skill an agent needs to take this queue's tickets; null = the ticket's triaged domain. */
  domain: Domain | null;
  /** Minimum skill level per tier key (higher tiers may require more); tiers not listed need level 1. */
  levelByTier: Readonly<Record<string, SkillLevel>>;
  /** A certification (by name) agents must hold, unexpired, to take this queue's tickets. */
  requiredCertification: string | null;
  /** A language agents must speak (ISO 639-1), or null. */
  language: string | null;
  /** The queue's own first-response target in minutes (an internal lead time, e.g. feature requests); null = the SLA's. */
  targetMinutes: number | null;
  /** Where tickets overflow after waiting `fallbackAfterMinutes` with nobody able to take them. */
  fallbackQueueId: string | null;
  fallbackAfterMinutes: number | null;
}

export interface RuleConditions {
  domains?: readonly Domain[];
  tierKeys?: readonly string[];
  priorities?: readonly TicketPriority[];
  minUrgency?: UrgencyLevel;
  criticalOutage?: boolean;
  businessCritical?: boolean;
  channels?: readonly TicketChannel[];
  /** Any of these words or phrases in subject or description (case-insensitive). */
  keywords?: readonly string[];
}

interface RuleAction {
  queueId: string;
  /** Set the ticket's priority (lowering always allowed; raising only within the tier's entitlement). */
  priority?: TicketPriority | null;
  escalationPolicyId?: string | null;
  /** Start the escalation policy at once (the critical-outage page) instead of waiting for an SLA breach. */
  pageImmediately?: boolean;
}

export interface RoutingRuleDefinition {
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  conditions: RuleConditions;
  action: RuleAction;
}

/** What the rules look at: the ticket after triage. */
export interface RoutingTicket {
  domain: Domain;
  tierKey: string;
  priority: TicketPriority;
  allowedPriorities: readonly TicketPriority[];
  urgencyLevel: UrgencyLevel;
  criticalOutage: boolean;
  businessCritical: boolean;
  channel: TicketChannel;
  text: string;
}

export interface RuleEvaluation {
  ruleId: string;
  ruleName: string;
  matched: boolean;
  /** Every condition of the rule with whether it held, e.g. "domain SECURITY is one of SECURITY" / "tier growth is not one of enterprise". */
  reasons: string[];
}

export interface RoutingOutcome {
  /** The first enabled rule that matched; null: no rule matched and the default queue applies. */
  ruleId: string | null;
  ruleName: string | null;
  queueId: string;
  priority: TicketPriority;
  escalationPolicyId: string | null;
  pageImmediately: boolean;
  /** The enabled rules in order up to and including the matching one. */
  evaluations: RuleEvaluation[];
  reasons: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Agents and assignment

export interface Certification {
  name: string;
  expiresAt: Date | null;
}

/** Working hours: anything with the business calendar's `isOpenAt`; null = always working. */
interface WorkingHours {
  isOpenAt(at: Date): boolean;
}

export interface AgentSnapshot {
  id: string;
  name: string;
  skills: Readonly<Partial<Record<Domain, SkillLevel>>>;
  certifications: readonly Certification[];
  languages: readonly string[];
  region: string;
  presence: Presence;
  hours: WorkingHours | null;
  /** Most open tickets of each priority the agent takes at once. */
  capacity: Readonly<Record<TicketPriority, number>>;
  /** Open tickets of each priority assigned now. */
  load: Readonly<Record<TicketPriority, number>>;
  /** When the agent was last given a ticket (epoch ms; 0 = never): round-robin among equally loaded agents. */
  lastAssignedAt: number;
}

export interface Requirement {
  domain: Domain;
  minLevel: SkillLevel;
  certification: string | null;
  language: string | null;
  priority: TicketPriority;
  /** The organization's technical account manager when its tier includes one: offered the ticket first. */
  tamAgentId: string | null;
}

export type RejectionReason = 'NO_SKILL' | 'LEVEL_TOO_LOW' | 'CERTIFICATION' | 'LANGUAGE' | 'NOT_ONLINE' | 'OFF_SHIFT' | 'AT_CAPACITY';

export interface AssignmentDecision {
  agentId: string | null;
  viaTam: boolean;
  /** Why this agent (or why nobody), in words. */
  reason: string;
  considered: number;
  eligible: number;
  rejected: Partial<Record<RejectionReason, number>>;
}
