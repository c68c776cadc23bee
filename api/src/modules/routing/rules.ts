import { PRIORITY_ORDER, type TicketPriority } from '../vocabulary/index.js';
import {
  URGENCY_LEVELS,
  type QueueDefinition,
  type RoutingOutcome,
  type RoutingRuleDefinition,
  type RoutingTicket,
  type RuleConditions,
  type RuleEvaluation,
} from './model.js';
import { DOMAINS } from '../vocabulary/index.js';

/**
 * Routing rules: an ordered list of "conditions -> queue, priority, escalation policy", evaluated first match wins.
 * Pure and allocation-light, because the live router and the what-if simulator both call it for every ticket,
 * and the admin API's dry-run calls it to show which rule a ticket would hit and why.
 *
 * - Rules run by `position` (ties by id, so two admins saving the same position still get one order); disabled
 *   rules are skipped and do not appear in the evaluations.
 * - A rule matches when every condition it sets holds; a rule that sets none matches every ticket (a catch-all).
 *   Every set condition is evaluated and explained even after one fails: the dry-run shows all that missed, not
 *   only the first.
 * - A rule may lower a ticket's priority freely but raise it only as far as the organization's tier allows, the
 *   same limit triage obeys; a clamped raise is said in the outcome's reasons.
 *
 * Validation is separate from evaluation (the admin API runs it on save): errors for what cannot work (unknown
 * queues, policies, domains, tiers; lists that can never match; broken fallback chains) and a warning for rules
 * that a catch-all before them makes unreachable. Evaluation itself never throws on such input: an unknown queue
 * is the caller's to resolve, and an empty list simply never matches.
 */

export interface RuleProblem {
  /** Where the problem is, dotted: "action.queueId", "conditions.domains.1", "queues.2.fallbackQueueId", "rules.4". */
  path: string;
  code:
    | 'UNKNOWN_QUEUE'
    | 'UNKNOWN_ESCALATION_POLICY'
    | 'UNKNOWN_DOMAIN'
    | 'UNKNOWN_TIER'
    | 'EMPTY_CONDITION_LIST'
    | 'CYCLIC_FALLBACK'
    | 'UNKNOWN_FALLBACK_QUEUE'
    | 'INVALID_FALLBACK'
    | 'UNKNOWN_SKILL_LEVEL'
    | 'UNREACHABLE_RULE';
  message: string;
}

export interface KnownReferences {
  queueIds: ReadonlySet<string>;
  escalationPolicyIds: ReadonlySet<string>;
  tierKeys: ReadonlySet<string>;
}

const priorityRank = (priority: TicketPriority): number => PRIORITY_ORDER.indexOf(priority);
const urgencyRank = (level: string): number => (URGENCY_LEVELS as readonly string[]).indexOf(level);

function byPosition(a: RoutingRuleDefinition, b: RoutingRuleDefinition): number {
  return a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Rules in evaluation order; the caller's array when it is already in order (the usual case: loaded sorted). */
function ordered(rules: readonly RoutingRuleDefinition[]): readonly RoutingRuleDefinition[] {
  for (let i = 1; i < rules.length; i++) {
    if (byPosition(rules[i - 1]!, rules[i]!) > 0) return [...rules].sort(byPosition);
  }
  return rules;
}

const isSet = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

function hasConditions(conditions: RuleConditions): boolean {
  for (const value of Object.values(conditions)) if (isSet(value)) return true;
  return false;
}

const list = (values: readonly string[]): string => (values.length === 0 ? '(nothing)' : values.join(', '));
const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

/** Lower case with runs of white space as one space, so a phrase matches across line breaks and double spaces. */
const normalize = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').trim();

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;
const isWordCharacter = (character: string | undefined): boolean => character !== undefined && WORD_CHARACTER.test(character);

/**
 * Whether `phrase` (normalized) occurs in `text` (normalized) as whole words: "api" matches "the API is down"
 * but not "rapid". Edges that are not word characters ("c++", "#billing") need no boundary there.
 */
function containsPhrase(text: string, phrase: string): boolean {
  if (phrase.length === 0) return false;
  const needsStart = isWordCharacter(phrase[0]);
  const needsEnd = isWordCharacter(phrase[phrase.length - 1]);
  for (let at = text.indexOf(phrase); at !== -1; at = text.indexOf(phrase, at + 1)) {
    const startOk = !needsStart || !isWordCharacter(text[at - 1]);
    const endOk = !needsEnd || !isWordCharacter(text[at + phrase.length]);
    if (startOk && endOk) return true;
  }
  return false;
}

/** Evaluates one rule's conditions, explaining each; `text` is computed once per ticket and only if a rule needs it. */
function evaluateConditions(
  conditions: RuleConditions,
  ticket: RoutingTicket,
  text: () => string,
): { matched: boolean; reasons: string[] } {
  const reasons: string[] = [];
  let matched = true;
  const oneOf = (label: string, value: string, allowed: readonly string[]): void => {
    const holds = allowed.includes(value);
    matched &&= holds;
    reasons.push(`${label} ${value} is ${holds ? '' : 'not '}one of ${list(allowed)}`);
  };
  const flag = (label: string, value: boolean, wanted: boolean): void => {
    const holds = value === wanted;
    matched &&= holds;
    reasons.push(`${label}: ${yesNo(value)} (rule wants ${yesNo(wanted)})`);
  };

  if (isSet(conditions.domains)) oneOf('domain', ticket.domain, conditions.domains);
  if (isSet(conditions.tierKeys)) oneOf('tier', ticket.tierKey, conditions.tierKeys);
  if (isSet(conditions.priorities)) oneOf('priority', ticket.priority, conditions.priorities);
  if (isSet(conditions.minUrgency)) {
    const holds = urgencyRank(ticket.urgencyLevel) >= urgencyRank(conditions.minUrgency);
    matched &&= holds;
    reasons.push(`urgency ${ticket.urgencyLevel} is ${holds ? 'at least' : 'below'} ${conditions.minUrgency}`);
  }
  if (isSet(conditions.criticalOutage)) flag('critical outage', ticket.criticalOutage, conditions.criticalOutage);
  if (isSet(conditions.businessCritical)) flag('business-critical organization', ticket.businessCritical, conditions.businessCritical);
  if (isSet(conditions.channels)) oneOf('channel', ticket.channel, conditions.channels);
  if (isSet(conditions.keywords)) {
    const normalized = text();
    const found = conditions.keywords.find((keyword) => containsPhrase(normalized, normalize(keyword)));
    matched &&= found !== undefined;
    reasons.push(
      found !== undefined
        ? `text contains "${found}"`
        : `text contains none of ${conditions.keywords.length === 0 ? '(nothing)' : conditions.keywords.map((keyword) => `"${keyword}"`).join(', ')}`,
    );
  }
  if (reasons.length === 0) reasons.push('no conditions: matches every ticket');
  return { matched, reasons };
}

/**
 * The priority a matching rule leaves the ticket with. Raising stops at the highest priority the tier allows
 * (never below the ticket's own priority: a rule does not lower by accident while trying to raise).
 */
function applyPriority(ticket: RoutingTicket, wanted: TicketPriority | null | undefined, reasons: string[]): TicketPriority {
  if (!isSet(wanted)) return ticket.priority;
  const current = priorityRank(ticket.priority);
  const target = priorityRank(wanted);
  if (target <= current) {
    reasons.push(target === current ? `priority stays ${wanted}` : `priority lowered from ${ticket.priority} to ${wanted}`);
    return wanted;
  }
  let ceiling = -1;
  for (const allowed of ticket.allowedPriorities) ceiling = Math.max(ceiling, priorityRank(allowed));
  if (target <= ceiling) {
    reasons.push(`priority raised from ${ticket.priority} to ${wanted}`);
    return wanted;
  }
  const result = ceiling > current ? PRIORITY_ORDER[ceiling]! : ticket.priority;
  reasons.push(
    `rule asks for priority ${wanted} but the tier allows at most ${ceiling >= 0 ? PRIORITY_ORDER[ceiling] : 'no priority'}: ` +
      (result === ticket.priority ? `priority stays ${result}` : `priority raised from ${ticket.priority} to ${result} only`),
  );
  return result;
}

export function evaluateRules(rules: readonly RoutingRuleDefinition[], ticket: RoutingTicket, defaultQueueId: string): RoutingOutcome {
  let normalizedText: string | null = null;
  const text = (): string => (normalizedText ??= normalize(ticket.text));
  const evaluations: RuleEvaluation[] = [];

  for (const rule of ordered(rules)) {
    if (!rule.enabled) continue;
    const { matched, reasons } = evaluateConditions(rule.conditions, ticket, text);
    evaluations.push({ ruleId: rule.id, ruleName: rule.name, matched, reasons });
    if (!matched) continue;

    const { action } = rule;
    const outcomeReasons = [`rule "${rule.name}" matched: ${reasons.join('; ')}`];
    const priority = applyPriority(ticket, action.priority, outcomeReasons);
    const escalationPolicyId = action.escalationPolicyId ?? null;
    const pageImmediately = action.pageImmediately === true;
    if (escalationPolicyId !== null) {
      outcomeReasons.push(`escalation policy ${escalationPolicyId}${pageImmediately ? ', paged immediately' : ''}`);
    } else if (pageImmediately) {
      outcomeReasons.push('page requested but the rule names no escalation policy: nobody is paged');
    }
    return {
      ruleId: rule.id,
      ruleName: rule.name,
      queueId: action.queueId,
      priority,
      escalationPolicyId,
      // Paging needs a policy to page through; without one the flag would promise a page that never happens.
      pageImmediately: pageImmediately && escalationPolicyId !== null,
      evaluations,
      reasons: outcomeReasons,
    };
  }

  return {
    ruleId: null,
    ruleName: null,
    queueId: defaultQueueId,
    priority: ticket.priority,
    escalationPolicyId: null,
    pageImmediately: false,
    evaluations,
    reasons: ['no rule matched; default queue'],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

const LIST_CONDITIONS = ['domains', 'tierKeys', 'priorities', 'channels', 'keywords'] as const;

export function validateRule(rule: Omit<RoutingRuleDefinition, 'id' | 'position'>, known: KnownReferences): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const { action, conditions } = rule;

  if (!known.queueIds.has(action.queueId)) {
    problems.push({ path: 'action.queueId', code: 'UNKNOWN_QUEUE', message: `Queue ${action.queueId} does not exist.` });
  }
  if (isSet(action.escalationPolicyId) && !known.escalationPolicyIds.has(action.escalationPolicyId)) {
    problems.push({
      path: 'action.escalationPolicyId',
      code: 'UNKNOWN_ESCALATION_POLICY',
      message: `Escalation policy ${action.escalationPolicyId} does not exist.`,
    });
  }

  for (const name of LIST_CONDITIONS) {
    const values = conditions[name];
    if (isSet(values) && values.length === 0) {
      problems.push({
        path: `conditions.${name}`,
        code: 'EMPTY_CONDITION_LIST',
        message: `The ${name} condition is an empty list, so the rule can never match; remove the condition to match any value.`,
      });
    }
  }
  conditions.domains?.forEach((domain, index) => {
    if (!(DOMAINS as readonly string[]).includes(domain)) {
      problems.push({
        path: `conditions.domains.${index}`,
        code: 'UNKNOWN_DOMAIN',
        message: `Domain ${domain} is not one of ${DOMAINS.join(', ')}.`,
      });
    }
  });
  conditions.tierKeys?.forEach((tierKey, index) => {
    if (!known.tierKeys.has(tierKey)) {
      problems.push({ path: `conditions.tierKeys.${index}`, code: 'UNKNOWN_TIER', message: `Tier ${tierKey} does not exist.` });
    }
  });
  conditions.keywords?.forEach((keyword, index) => {
    if (normalize(keyword).length === 0) {
      problems.push({ path: `conditions.keywords.${index}`, code: 'EMPTY_CONDITION_LIST', message: 'A blank keyword can never match.' });
    }
  });
  return problems;
}

export function validateQueues(queues: readonly QueueDefinition[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const indexById = new Map<string, number>();
  queues.forEach((queue, index) => indexById.set(queue.id, index));

  queues.forEach((queue, index) => {
    if (queue.domain !== null && !(DOMAINS as readonly string[]).includes(queue.domain)) {
      problems.push({
        path: `queues.${index}.domain`,
        code: 'UNKNOWN_DOMAIN',
        message: `Queue ${queue.key}: domain ${queue.domain} is not one of ${DOMAINS.join(', ')}.`,
      });
    }
    for (const [tierKey, level] of Object.entries(queue.levelByTier)) {
      if (level !== 1 && level !== 2 && level !== 3) {
        problems.push({
          path: `queues.${index}.levelByTier.${tierKey}`,
          code: 'UNKNOWN_SKILL_LEVEL',
          message: `Queue ${queue.key}: level ${String(level)} for tier ${tierKey} is not a skill level (1, 2 or 3).`,
        });
      }
    }
    if (queue.fallbackQueueId === null) return;
    if (!indexById.has(queue.fallbackQueueId)) {
      problems.push({
        path: `queues.${index}.fallbackQueueId`,
        code: 'UNKNOWN_FALLBACK_QUEUE',
        message: `Queue ${queue.key} falls back to ${queue.fallbackQueueId}, which does not exist.`,
      });
    }
    const after = queue.fallbackAfterMinutes;
    if (after === null || !Number.isFinite(after) || after <= 0) {
      problems.push({
        path: `queues.${index}.fallbackAfterMinutes`,
        code: 'INVALID_FALLBACK',
        message: `Queue ${queue.key} has a fallback queue but ${after === null ? 'no' : `an invalid (${after})`} fallbackAfterMinutes; it must be a positive number of minutes.`,
      });
    }
  });

  // Each queue has at most one fallback, so the chains form a functional graph: walk each chain once, colouring
  // queues as on the current walk (1) or finished (2); reaching a queue on the current walk closes a cycle.
  const state = new Array<number>(queues.length).fill(0);
  for (let start = 0; start < queues.length; start++) {
    const walk: number[] = [];
    let current: number | undefined = start;
    while (current !== undefined && state[current] === 0) {
      state[current] = 1;
      walk.push(current);
      const next: string | null = queues[current]!.fallbackQueueId;
      current = next === null ? undefined : indexById.get(next);
    }
    if (current !== undefined && state[current] === 1) {
      // Reported once, on the cycle's queue listed first, starting from it: the same message whatever the walk.
      const cycle = walk.slice(walk.indexOf(current));
      const first = Math.min(...cycle);
      const rotated = [...cycle.slice(cycle.indexOf(first)), ...cycle.slice(0, cycle.indexOf(first)), first];
      const keys = rotated.map((i) => queues[i]!.key).join(' → ');
      problems.push({
        path: `queues.${first}.fallbackQueueId`,
        code: 'CYCLIC_FALLBACK',
        message: cycle.length === 1 ? `Queue ${queues[first]!.key} falls back to itself (${keys}).` : `Fallback cycle: ${keys}.`,
      });
    }
    for (const index of walk) state[index] = 2;
  }
  return problems;
}

export function rulesWarnings(rules: readonly RoutingRuleDefinition[]): RuleProblem[] {
  const indexOf = new Map(rules.map((rule, index) => [rule, index]));
  let catchAll: RoutingRuleDefinition | null = null;
  const problems: RuleProblem[] = [];
  for (const rule of ordered(rules)) {
    if (!rule.enabled) continue;
    if (catchAll !== null) {
      problems.push({
        path: `rules.${indexOf.get(rule)}`,
        code: 'UNREACHABLE_RULE',
        message: `Rule "${rule.name}" can never match: rule "${catchAll.name}" before it has no conditions and takes every ticket.`,
      });
    } else if (!hasConditions(rule.conditions)) {
      catchAll = rule;
    }
  }
  return problems;
}

/** The queue and the queues it overflows to, in order; stops at a queue already listed or unknown ([] if `queueId` is unknown). */
export function fallbackChain(queues: readonly QueueDefinition[], queueId: string): QueueDefinition[] {
  const byId = new Map(queues.map((queue) => [queue.id, queue]));
  const chain: QueueDefinition[] = [];
  const seen = new Set<string>();
  for (
    let queue = byId.get(queueId);
    queue !== undefined && !seen.has(queue.id);
    queue = queue.fallbackQueueId === null ? undefined : byId.get(queue.fallbackQueueId)
  ) {
    seen.add(queue.id);
    chain.push(queue);
  }
  return chain;
}
