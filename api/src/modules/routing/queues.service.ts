import type { EntityManager } from '@mikro-orm/postgresql';
import { actorOf, type RequestContext } from '../../shared/context.js';
import { AppError, badInput, notFound } from '../../shared/errors.js';
import { afterCursorCondition, keysetOrder, toPage, type Page, type PageRequest } from '../../shared/pagination.js';
import { EscalationPolicy } from '../escalations/index.js';
import type { TicketPriority, Domain } from '../vocabulary/index.js';
import { Tier } from '../tiers/index.js';
import { type RuleConditions, type SkillLevel } from './model.js';
import { DOMAINS } from '../vocabulary/index.js';
import { Queue, RoutingDecision, RoutingRule } from './routing.entity.js';
import { queueDefinition, ruleDefinition } from './routing.service.js';
import { rulesWarnings, validateQueues, validateRule, type RuleProblem } from './rules.js';

const MAX_QUEUES = 100;
const MAX_RULES = 100;
const KEY = /^[a-z0-9][a-z0-9-]{1,39}$/;
const LANGUAGE = /^[a-z]{2,3}$/;

function invalid(problems: readonly RuleProblem[]): AppError {
  const first = problems[0]!;
  return new AppError('INVALID_ROUTING_CONFIG', problems.map((problem) => problem.message).join(' '), {
    // Problems of the queue set are reported at the input field they come from ("queues.3.fallbackQueueId" → "fallbackQueueId").
    field: [
      'input',
      ...first.path
        .replace(/^(queues|rules)\.\d+\.?/, '')
        .replace(/^action\./, '')
        .split('.')
        .filter(Boolean),
    ],
    problems: problems.map((problem) => ({ path: problem.path, code: problem.code, message: problem.message })),
  });
}

export interface QueueInput {
  key: string;
  name: string;
  domain: Domain | null;
  levelByTier: { tierKey: string; level: number }[];
  requiredCertification: string | null;
  language: string | null;
  targetMinutes: number | null;
  fallbackQueueId: string | null;
  fallbackAfterMinutes: number | null;
  isDefault: boolean;
}

async function applyQueue(em: EntityManager, queue: Queue, input: QueueInput): Promise<void> {
  const key = input.key.trim();
  if (!KEY.test(key))
    throw badInput('key', 'A queue key is 2 to 40 lower-case letters, digits or dashes, starting with a letter or digit.');
  const name = input.name.trim();
  if (!name || name.length > 120) throw badInput('name', 'A queue name is 1 to 120 characters.');
  if (input.domain && !DOMAINS.includes(input.domain)) throw badInput('domain', `Unknown domain ${input.domain}.`);
  const tierKeys = new Set((await em.find(Tier, {})).map((tier) => tier.key));
  const levelByTier: Record<string, SkillLevel> = {};
  input.levelByTier.forEach((entry, index) => {
    if (!tierKeys.has(entry.tierKey)) throw badInput(`levelByTier.${index}.tierKey`, `Unknown tier "${entry.tierKey}".`);
    if (![1, 2, 3].includes(entry.level)) throw badInput(`levelByTier.${index}.level`, 'Skill levels are 1, 2 or 3.');
    levelByTier[entry.tierKey] = entry.level as SkillLevel;
  });
  const certification = input.requiredCertification?.trim() || null;
  if (certification && certification.length > 120)
    throw badInput('requiredCertification', 'A certification name is at most 120 characters.');
  const language = input.language?.trim().toLowerCase() || null;
  if (language && !LANGUAGE.test(language)) throw badInput('language', 'A language is an ISO 639 code such as "en" or "de".');
  if (
    input.targetMinutes !== null &&
    (!Number.isInteger(input.targetMinutes) || input.targetMinutes < 1 || input.targetMinutes > 525_600)
  ) {
    throw badInput('targetMinutes', 'A queue target is 1 minute to 1 year.');
  }
  const fallback = input.fallbackQueueId ? await em.findOne(Queue, { id: input.fallbackQueueId }) : null;
  if (input.fallbackQueueId && !fallback) throw badInput('fallbackQueueId', 'The fallback queue does not exist.');
  const clash = await em.findOne(Queue, { key, id: { $ne: queue.id } });
  if (clash) throw new AppError('CONFLICT', `A queue with key "${key}" already exists.`, { field: ['input', 'key'] });
  Object.assign(queue, {
    key,
    name,
    domain: input.domain,
    levelByTier,
    requiredCertification: certification,
    language,
    targetMinutes: input.targetMinutes,
    fallbackQueue: fallback,
    fallbackAfterMinutes: input.fallbackAfterMinutes,
  });
  const all = await em.find(Queue, {});
  const definitions = [...all.filter((other) => other.id !== queue.id), queue].map(queueDefinition);
  const problems = validateQueues(definitions);
  if (problems.length) throw invalid(problems);
  if (input.isDefault) {
    for (const other of all) if (other.id !== queue.id && other.isDefault) other.isDefault = false;
    await em.flush();
  }
  queue.isDefault = input.isDefault || !all.some((other) => other.id !== queue.id && other.isDefault);
}

export async function createQueue(ctx: RequestContext, input: QueueInput): Promise<Queue> {
  return ctx.transaction(async ({ em }) => {
    if ((await em.count(Queue, {})) >= MAX_QUEUES) throw badInput('key', `At most ${MAX_QUEUES} queues.`);
    const queue = new Queue();
    await applyQueue(em, queue, input);
    em.persist(queue);
    return queue;
  });
}

export async function updateQueue(ctx: RequestContext, id: string, input: QueueInput): Promise<Queue> {
  return ctx.transaction(async ({ em }) => {
    const queue = await em.findOne(Queue, { id });
    if (!queue) throw notFound('Queue');
    const wasDefault = queue.isDefault;
    await applyQueue(em, queue, input);
    if (wasDefault && !input.isDefault) throw badInput('isDefault', 'Make another queue the default instead; one queue must be.');
    return queue;
  });
}

export async function listQueues(ctx: RequestContext): Promise<Queue[]> {
  return ctx.em.find(Queue, {}, { orderBy: { key: 'asc' }, limit: MAX_QUEUES });
}

export interface QueueStats {
  waiting: number;
  oldestWaitingSince: Date | null;
}

export async function queueStats(ctx: RequestContext, queueIds: readonly string[]): Promise<Map<string, QueueStats>> {
  const rows: { queue_id: string; waiting: string; oldest: Date | null }[] = await ctx.em
    .getConnection()
    .execute(
      `select queue_id, count(*) as waiting, min(waiting_since) as oldest from routing_decision where status = 'WAITING' and queue_id in (?) group by queue_id`,
      [[...queueIds]],
    );
  const stats = new Map<string, QueueStats>(queueIds.map((id) => [id, { waiting: 0, oldestWaitingSince: null }]));
  for (const row of rows)
    stats.set(row.queue_id, { waiting: Number(row.waiting), oldestWaitingSince: row.oldest ? new Date(row.oldest) : null });
  return stats;
}

/** The tickets waiting in a queue, longest waiting first (entries carry the priority that decides who is offered first). */
export async function waitingEntries(ctx: RequestContext, queueId: string, request: PageRequest): Promise<Page<RoutingDecision>> {
  const where = { queue: queueId, status: 'WAITING' as const };
  const rows = await ctx.em.find(
    RoutingDecision,
    { ...where, ...afterCursorCondition(request.after, 'oldest-first') },
    {
      populate: ['ticket'],
      orderBy: keysetOrder('oldest-first'),
      limit: request.first + 1,
    },
  );
  return toPage(rows, request, () => ctx.em.count(RoutingDecision, where));
}

// ---------------------------------------------------------------------------------------------------------------
// Routing rules

export interface RuleInput {
  name: string;
  enabled: boolean;
  conditions: RuleConditions;
  queueId: string;
  priority: TicketPriority | null;
  escalationPolicyId: string | null;
  pageImmediately: boolean;
}

async function validatedRule(
  em: EntityManager,
  input: RuleInput,
): Promise<{ queue: Queue; policy: EscalationPolicy | null; name: string }> {
  const name = input.name.trim();
  if (!name || name.length > 120) throw badInput('name', 'A rule name is 1 to 120 characters.');
  const queues = await em.find(Queue, {});
  const policies = await em.find(EscalationPolicy, {});
  const tiers = await em.find(Tier, {});
  const problems = validateRule(
    {
      name,
      enabled: input.enabled,
      conditions: input.conditions,
      action: {
        queueId: input.queueId,
        priority: input.priority,
        escalationPolicyId: input.escalationPolicyId,
        pageImmediately: input.pageImmediately,
      },
    },
    {
      queueIds: new Set(queues.map((queue) => queue.id)),
      escalationPolicyIds: new Set(policies.map((policy) => policy.id)),
      tierKeys: new Set(tiers.map((tier) => tier.key)),
    },
  );
  if (input.pageImmediately && !input.escalationPolicyId) {
    problems.push({
      path: 'escalationPolicyId',
      code: 'UNKNOWN_ESCALATION_POLICY',
      message: 'A rule that pages at once needs an escalation policy to page.',
    });
  }
  const keywords = input.conditions.keywords ?? [];
  if (keywords.length > 50 || keywords.some((word) => !word.trim() || word.length > 100)) {
    problems.push({
      path: 'conditions.keywords',
      code: 'EMPTY_CONDITION_LIST',
      message: 'Keywords are 1 to 100 characters each, at most 50.',
    });
  }
  if (problems.length) throw invalid(problems);
  return {
    queue: queues.find((queue) => queue.id === input.queueId)!,
    policy: policies.find((policy) => policy.id === input.escalationPolicyId) ?? null,
    name,
  };
}

/** Positions stay 1..n in order; `position` inserts there (clamped), the rest move down. */
async function placeRule(em: EntityManager, rule: RoutingRule, position: number | null): Promise<void> {
  const others = await em.find(RoutingRule, { id: { $ne: rule.id } }, { orderBy: { position: 'asc', id: 'asc' } });
  const index = position === null ? others.length : Math.min(Math.max(position, 1), others.length + 1) - 1;
  others.splice(index, 0, rule);
  others.forEach((entry, at) => {
    entry.position = at + 1;
  });
}

/** What a create or an update writes: the validated input and who changed the rule. */
async function ruleFields(ctx: RequestContext, em: EntityManager, input: RuleInput) {
  const { queue, policy, name } = await validatedRule(em, input);
  return {
    name,
    enabled: input.enabled,
    conditions: input.conditions,
    queue,
    priority: input.priority,
    escalationPolicy: policy,
    pageImmediately: input.pageImmediately,
    updatedBy: actorOf(ctx).actor,
  };
}

export async function createRoutingRule(
  ctx: RequestContext,
  input: RuleInput & { position: number | null },
): Promise<{ rule: RoutingRule; warnings: RuleProblem[] }> {
  return ctx.transaction(async ({ em }) => {
    if ((await em.count(RoutingRule, {})) >= MAX_RULES) throw badInput('name', `At most ${MAX_RULES} routing rules.`);
    const rule = Object.assign(new RoutingRule(), await ruleFields(ctx, em, input), { position: 0 });
    em.persist(rule);
    await placeRule(em, rule, input.position);
    return { rule, warnings: await currentWarnings(em) };
  });
}

export async function updateRoutingRule(
  ctx: RequestContext,
  id: string,
  input: RuleInput & { position: number | null },
): Promise<{ rule: RoutingRule; warnings: RuleProblem[] }> {
  return ctx.transaction(async ({ em }) => {
    const rule = await em.findOne(RoutingRule, { id });
    if (!rule) throw notFound('Routing rule');
    Object.assign(rule, await ruleFields(ctx, em, input));
    await placeRule(em, rule, input.position ?? rule.position);
    return { rule, warnings: await currentWarnings(em) };
  });
}

export async function deleteRoutingRule(ctx: RequestContext, id: string): Promise<void> {
  await ctx.transaction(async ({ em }) => {
    const rule = await em.findOne(RoutingRule, { id });
    if (!rule) throw notFound('Routing rule');
    em.remove(rule);
    const rest = await em.find(RoutingRule, { id: { $ne: id } }, { orderBy: { position: 'asc', id: 'asc' } });
    rest.forEach((entry, index) => {
      entry.position = index + 1;
    });
  });
}

async function currentWarnings(em: EntityManager): Promise<RuleProblem[]> {
  await em.flush();
  return rulesWarnings((await em.find(RoutingRule, {}, { orderBy: { position: 'asc', id: 'asc' } })).map(ruleDefinition));
}

export async function listRoutingRules(ctx: RequestContext): Promise<RoutingRule[]> {
  return ctx.em.find(
    RoutingRule,
    {},
    { orderBy: { position: 'asc', id: 'asc' }, limit: MAX_RULES, populate: ['queue', 'escalationPolicy'] },
  );
}

export async function routingWarnings(ctx: RequestContext): Promise<RuleProblem[]> {
  return rulesWarnings((await listRoutingRules(ctx)).map(ruleDefinition));
}
