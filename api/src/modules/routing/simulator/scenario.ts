import { z } from 'zod';
import { BusinessCalendar, CalendarError, type CalendarDefinition, type Weekday } from '../../calendars/index.js';
import { DEFAULT_WEEKLY_HOURS } from '../../calendars/index.js';
import { DEFAULT_TIERS } from '../../tiers/index.js';
import { Coverage, DOMAINS, PRIORITY_ORDER, TicketChannel, TicketImpact, TicketPriority, type Domain } from '../../vocabulary/index.js';
import { URGENCY_LEVELS, type QueueDefinition, type RoutingRuleDefinition, type SkillLevel } from '../model.js';
import { validateQueues, validateRule } from '../rules.js';

/**
 * The what-if simulator's scenario file, format version 1 (documented field by field in docs/simulator.md).
 *
 * `parseScenario` is the only way in: it checks the shape (zod), then everything the shape cannot say — queue,
 * tier and skill references (through the routing module's own validateRule/validateQueues, so a rule the admin
 * API would refuse is refused here with the same words), calendars, and the limits that make a run absurd
 * (negative or non-finite rates, more than 2,000,000 expected arrivals, more than 366 days or 5,000 agents,
 * handling times that are not positive). Every problem found is reported at once, each with its path.
 *
 * What is NOT an error: a roster in which nobody can take some of the tickets the arrivals produce. That is a
 * legitimate question to ask a simulator ("what if we lose our only security engineer?"); the run reports it as
 * a warning and counts those tickets as unserved.
 */

export const SCENARIO_VERSION = 1 as const;

const SCENARIO_LIMITS = {
  maxDays: 366,
  maxAgents: 5_000,
  maxExpectedArrivals: 2_000_000,
  maxReplayTickets: 2_000_000,
  maxQueues: 500,
  maxRules: 1_000,
  maxRateEntries: 10_000,
  maxPeakMultiplier: 100,
  /** A handling time above 30 days is a typo in minutes, not a ticket. */
  maxHandleMinutes: 30 * 24 * 60,
  /** Problems listed before the rest are summarised in one line. */
  maxProblems: 100,
} as const;

export interface ScenarioProblem {
  /** Dotted path of the offending field, e.g. "arrivals.ratesPerHour.3.perHour", "rules.2.action.queue". */
  path: string;
  message: string;
  /** The routing validator's code (UNKNOWN_QUEUE, CYCLIC_FALLBACK…) or one of the simulator's (ABSURD_RATE…). */
  code?: string;
}

export class ScenarioError extends Error {
  constructor(readonly problems: ScenarioProblem[]) {
    super(
      `The scenario is invalid (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}): ` +
        problems
          .slice(0, 5)
          .map((problem) => `${problem.path || '(root)'}: ${problem.message}`)
          .join('; ') +
        (problems.length > 5 ? '; …' : ''),
    );
    this.name = 'ScenarioError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The shape

const WEEKDAY_NAMES = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const satisfies readonly Weekday[];
const DAY_GROUPS = { WEEKDAYS: [0, 1, 2, 3, 4], WEEKEND: [5, 6], ALL: [0, 1, 2, 3, 4, 5, 6] } as const;

const priority = z.enum(TicketPriority);
const key = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'A key is 1 to 64 lower-case letters, digits, "-" or "_".');
const instant = z.iso.datetime({ offset: true, error: 'An ISO 8601 instant with a time zone, e.g. "2026-03-02T00:00:00Z".' });
const positiveMinutes = z
  .number({ error: 'A number of minutes.' })
  .gt(0, 'Must be more than 0 minutes.')
  .max(SCENARIO_LIMITS.maxHandleMinutes, `At most ${SCENARIO_LIMITS.maxHandleMinutes} minutes (30 days).`);
const targetMinutes = z
  .number()
  .int('Whole minutes.')
  .min(1, 'At least 1 minute.')
  .max(60 * 24 * 366, 'At most 366 days.');

/** Hours of the week, local to the scenario's time zone: `from` inclusive, `to` exclusive, whole hours. */
const hoursWindow = z
  .strictObject({
    day: z.enum([...WEEKDAY_NAMES, 'WEEKDAYS', 'WEEKEND', 'ALL']),
    from: z.number().int().min(0).max(23),
    to: z.number().int().min(1).max(24),
  })
  .refine((window) => window.from < window.to, { error: '"from" must be before "to" (hours 0–24, to exclusive).', path: ['to'] });

const weeklyInterval = z.strictObject({ day: z.enum(WEEKDAY_NAMES), start: z.string(), end: z.string() });
const holiday = z.strictObject({ date: z.string(), name: z.string(), annual: z.boolean().nullable().optional() });

const tierOverride = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  /** Needed for a tier that is not in the default catalogue; 1 = lowest. */
  rank: z.number().int().min(1).max(100).optional(),
  priorities: z.array(priority).min(1).optional(),
  coverage: z.enum(Coverage).optional(),
  firstResponseMinutes: z.partialRecord(priority, targetMinutes.nullable()).optional(),
  resolutionMinutes: z.partialRecord(priority, targetMinutes.nullable()).optional(),
  /** Share of this tier's generated arrivals whose organization is business-critical (0..1). */
  businessCriticalShare: z.number().min(0).max(1).optional(),
  /** The tier's SLA policy warning threshold, as `upsertSlaPolicy` sets it (default 80). */
  warnPercent: z.number().int().min(1).max(99).optional(),
});

const rate = z.strictObject({
  tier: z.string(),
  priority,
  domain: z.enum(DOMAINS),
  perHour: z.number({ error: 'perHour must be a finite number of tickets per hour.' }).min(0, 'A rate cannot be negative.'),
  hoursOfWeek: z.array(hoursWindow).min(1).optional(),
  impact: z.enum(TicketImpact).optional(),
  channel: z.enum(TicketChannel).optional(),
  subject: z.string().max(500).optional(),
  description: z.string().max(10_000).optional(),
});

const profileArrivals = z.strictObject({
  kind: z.literal('profile'),
  ratesPerHour: z.array(rate).min(1, 'A profile needs at least one rate.').max(SCENARIO_LIMITS.maxRateEntries),
  peak: z
    .strictObject({
      multiplier: z.number({ error: 'multiplier must be a finite number.' }).min(0).max(SCENARIO_LIMITS.maxPeakMultiplier),
      hoursOfWeek: z.array(hoursWindow).min(1),
    })
    .optional(),
});

const replayTicket = z.strictObject({
  createdAt: instant,
  tier: z.string(),
  priority,
  impact: z.enum(TicketImpact),
  channel: z.enum(TicketChannel).default(TicketChannel.PORTAL),
  businessCritical: z.boolean(),
  subject: z.string().max(1_000),
  description: z.string().max(100_000).default(''),
  domain: z.enum(DOMAINS).nullable().optional(),
});

const replayArrivals = z.strictObject({
  kind: z.literal('replay'),
  tickets: z
    .array(replayTicket)
    .max(SCENARIO_LIMITS.maxReplayTickets, `At most ${SCENARIO_LIMITS.maxReplayTickets.toLocaleString('en-US')} tickets.`),
});

const handleMinutes = z.strictObject({
  default: positiveMinutes,
  /** First match wins: an override naming both a domain and a priority is more specific, so list it first. */
  overrides: z
    .array(z.strictObject({ domain: z.enum(DOMAINS).optional(), priority: priority.optional(), minutes: positiveMinutes }))
    .default([]),
  /** The first public reply happens this fraction of the way through handling (0 = on pickup). */
  firstResponseFraction: z.number().min(0).max(1).default(0),
});

const queue = z.strictObject({
  key,
  name: z.string().min(1).max(200).optional(),
  /** A skill (domain), or null: the ticket's triaged domain. Checked by the routing validator. */
  domain: z.string().nullable().default(null),
  levelByTier: z.record(z.string(), z.number().int()).default({}),
  requiredCertification: z.string().min(1).nullable().default(null),
  language: z.string().min(2).max(8).nullable().default(null),
  targetMinutes: targetMinutes.nullable().default(null),
  fallbackQueue: z.string().nullable().default(null),
  fallbackAfterMinutes: z.number().nullable().default(null),
});

const rule = z.strictObject({
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
  conditions: z
    .strictObject({
      domains: z.array(z.string()).optional(),
      tierKeys: z.array(z.string()).optional(),
      priorities: z.array(priority).optional(),
      minUrgency: z.enum(URGENCY_LEVELS).optional(),
      criticalOutage: z.boolean().optional(),
      businessCritical: z.boolean().optional(),
      channels: z.array(z.enum(TicketChannel)).optional(),
      keywords: z.array(z.string()).optional(),
    })
    .default({}),
  action: z.strictObject({
    queue: z.string(),
    priority: priority.nullable().optional(),
    /** Only recorded (the simulator does not run escalations); a page needs one, as in the live system. */
    escalationPolicy: z.string().min(1).nullable().optional(),
    pageImmediately: z.boolean().optional(),
  }),
});

const shift = z.union([
  z.literal('always'),
  z.strictObject({ timeZone: z.string().optional(), weeklyHours: z.array(weeklyInterval), holidays: z.array(holiday).default([]) }),
]);

const agent = z.strictObject({
  name: z.string().min(1).max(200),
  /** Replicates this agent; the copies are named "name 1", "name 2"… */
  count: z.number().int().min(1).max(SCENARIO_LIMITS.maxAgents).default(1),
  skills: z.record(z.string(), z.number().int().min(1, 'Skill levels are 1, 2 or 3.').max(3, 'Skill levels are 1, 2 or 3.')),
  certifications: z
    .array(z.union([z.string().min(1), z.strictObject({ name: z.string().min(1), expiresAt: instant.nullable().default(null) })]))
    .default([]),
  languages: z.array(z.string().min(2).max(8)).default(['en']),
  region: z.string().min(1).max(100).default('GLOBAL'),
  presence: z.enum(['ONLINE', 'AWAY', 'OFFLINE']).default('ONLINE'),
  shift: shift.default('always'),
  /** Open tickets at once: one number for every priority, or per priority (a priority left out: 0). */
  capacity: z.union([z.number().int().min(0).max(1_000), z.partialRecord(priority, z.number().int().min(0).max(1_000))]).default(1),
});

const scenarioSchema = z.strictObject({
  version: z.literal(SCENARIO_VERSION, { error: `Unsupported scenario version: this build reads version ${SCENARIO_VERSION}.` }),
  name: z.string().max(200).optional(),
  description: z.string().max(5_000).optional(),
  seed: z.number().int('The seed is an integer.').min(0).max(Number.MAX_SAFE_INTEGER),
  start: instant,
  days: z.number().int().min(1).max(SCENARIO_LIMITS.maxDays, `At most ${SCENARIO_LIMITS.maxDays} days.`),
  timeZone: z.string().min(1),
  /** The business hours that BUSINESS_HOURS coverage counts, in `timeZone`; default Monday–Friday 09:00–17:00. */
  businessHours: z.strictObject({ weeklyHours: z.array(weeklyInterval), holidays: z.array(holiday).default([]) }).optional(),
  tiers: z.record(key, tierOverride).default({}),
  arrivals: z.discriminatedUnion('kind', [profileArrivals, replayArrivals]),
  handleMinutes,
  queues: z.array(queue).min(1, 'At least one queue.').max(SCENARIO_LIMITS.maxQueues),
  rules: z.array(rule).max(SCENARIO_LIMITS.maxRules).default([]),
  defaultQueue: z.string(),
  roster: z.strictObject({ agents: z.array(agent).max(SCENARIO_LIMITS.maxAgents) }),
});

/** A parsed, checked scenario: every default filled in. Build it with `parseScenario`. */
export type Scenario = z.output<typeof scenarioSchema>;
type HoursWindow = z.output<typeof hoursWindow>;
export type ScenarioAgent = z.output<typeof agent>;

// ---------------------------------------------------------------------------------------------------------------
// Derived views, shared by the checks below and the engine

export interface SimTier {
  key: string;
  name: string;
  rank: number;
  priorities: readonly TicketPriority[];
  coverage: Coverage;
  firstResponseMinutes: Readonly<Record<TicketPriority, number | null>>;
  /** The tier's own next-response targets (a scenario has no customer replies, so these clocks never start). */
  nextResponseMinutes: Readonly<Record<TicketPriority, number | null>>;
  resolutionMinutes: Readonly<Record<TicketPriority, number | null>>;
  businessCriticalShare: number;
  /** The tier's SLA policy warning threshold; null: the default policy's. */
  warnPercent: number | null;
}

/** The tiers in force: DEFAULT_TIERS with the scenario's overrides applied, plus tiers the scenario adds. */
export function resolveTiers(scenario: Pick<Scenario, 'tiers'>): Map<string, SimTier> {
  const tiers = new Map<string, SimTier>();
  const targets = (
    entitlements: Record<string, unknown>,
    prefix: string,
    override: Partial<Record<TicketPriority, number | null>> | undefined,
  ) =>
    Object.fromEntries(
      PRIORITY_ORDER.map((p) => {
        const overridden = override?.[p];
        const base = entitlements[`${prefix}.${p}`];
        return [p, overridden !== undefined ? overridden : typeof base === 'number' ? base : null];
      }),
    ) as Record<TicketPriority, number | null>;

  for (const tier of DEFAULT_TIERS) {
    const override = scenario.tiers[tier.key];
    const entitlements = tier.entitlements as Record<string, unknown>;
    tiers.set(tier.key, {
      key: tier.key,
      name: override?.name ?? tier.name,
      rank: override?.rank ?? tier.rank,
      priorities: override?.priorities ?? (entitlements['tickets.priorities'] as TicketPriority[] | undefined) ?? [],
      coverage: override?.coverage ?? (entitlements['sla.coverage'] === Coverage.ALWAYS ? Coverage.ALWAYS : Coverage.BUSINESS_HOURS),
      firstResponseMinutes: targets(entitlements, 'sla.firstResponse', override?.firstResponseMinutes),
      nextResponseMinutes: targets(entitlements, 'sla.nextResponse', undefined),
      resolutionMinutes: targets(entitlements, 'sla.resolution', override?.resolutionMinutes),
      businessCriticalShare: override?.businessCriticalShare ?? (tier.requiresBusinessCritical ? 1 : 0),
      warnPercent: override?.warnPercent ?? null,
    });
  }
  for (const [tierKey, override] of Object.entries(scenario.tiers)) {
    if (tiers.has(tierKey)) continue;
    tiers.set(tierKey, {
      key: tierKey,
      name: override.name ?? tierKey,
      rank: override.rank ?? 1,
      priorities: override.priorities ?? [],
      coverage: override.coverage ?? Coverage.BUSINESS_HOURS,
      firstResponseMinutes: targets({}, 'sla.firstResponse', override.firstResponseMinutes),
      nextResponseMinutes: targets({}, 'sla.nextResponse', undefined),
      resolutionMinutes: targets({}, 'sla.resolution', override.resolutionMinutes),
      businessCriticalShare: override.businessCriticalShare ?? 0,
      warnPercent: override.warnPercent ?? null,
    });
  }
  return tiers;
}

/** The scenario's queues as the routing module's QueueDefinition (ids are the keys). Valid after parseScenario. */
export function queueDefinitions(scenario: Pick<Scenario, 'queues'>): QueueDefinition[] {
  return scenario.queues.map((queue) => ({
    id: queue.key,
    key: queue.key,
    name: queue.name ?? queue.key,
    domain: queue.domain as Domain | null,
    levelByTier: queue.levelByTier as Record<string, SkillLevel>,
    requiredCertification: queue.requiredCertification,
    language: queue.language,
    targetMinutes: queue.targetMinutes,
    fallbackQueueId: queue.fallbackQueue,
    fallbackAfterMinutes: queue.fallbackAfterMinutes,
  }));
}

/** The scenario's rules as RoutingRuleDefinition: ids "1", "2"… in file order, which is also their position. */
export function ruleDefinitions(scenario: Pick<Scenario, 'rules'>): RoutingRuleDefinition[] {
  return scenario.rules.map((rule, index) => ({
    id: String(index + 1),
    name: rule.name,
    position: index,
    enabled: rule.enabled,
    conditions: rule.conditions as RoutingRuleDefinition['conditions'],
    action: {
      queueId: rule.action.queue,
      priority: rule.action.priority ?? null,
      escalationPolicyId: rule.action.escalationPolicy ?? null,
      pageImmediately: rule.action.pageImmediately ?? false,
    },
  }));
}

/** The calendar BUSINESS_HOURS coverage counts: the scenario's business hours, or Monday–Friday 09:00–17:00. */
export function businessHoursDefinition(scenario: Pick<Scenario, 'timeZone' | 'businessHours'>): CalendarDefinition {
  return {
    timeZone: scenario.timeZone,
    weeklyHours: scenario.businessHours?.weeklyHours ?? [...DEFAULT_WEEKLY_HOURS],
    holidays: scenario.businessHours?.holidays ?? [],
  };
}

export function shiftDefinition(scenario: Pick<Scenario, 'timeZone'>, agentShift: ScenarioAgent['shift']): CalendarDefinition | null {
  if (agentShift === 'always') return null;
  return { timeZone: agentShift.timeZone ?? scenario.timeZone, weeklyHours: agentShift.weeklyHours, holidays: agentShift.holidays };
}

export const HOUR_MS = 3_600_000;

/**
 * The profile's arrival rates, piecewise constant per hour of the horizon: `rates[hour * entries + i]` is entry i's
 * expected arrivals in that hour (its perHour, if the hour is in its hoursOfWeek, times the peak multiplier if the
 * hour is a peak hour), `totals[hour]` their sum. Hours are real hours from `start`; each is labelled with the
 * local weekday and hour (in `timeZone`) at which it begins.
 */
export function hourlyRates(
  scenario: Pick<Scenario, 'start' | 'days' | 'timeZone'>,
  profile: z.output<typeof profileArrivals>,
): { entries: number; rates: Float64Array; totals: Float64Array } {
  const hours = scenario.days * 24;
  const entries = profile.ratesPerHour.length;
  const rates = new Float64Array(hours * entries);
  const totals = new Float64Array(hours);
  const startMs = Date.parse(scenario.start);
  const masks = profile.ratesPerHour.map((entry) => (entry.hoursOfWeek ? weekMask(entry.hoursOfWeek) : null));
  const peak = profile.peak ? weekMask(profile.peak.hoursOfWeek) : null;
  const multiplier = profile.peak?.multiplier ?? 1;
  const local = localHourOfWeek(scenario.timeZone);
  for (let hour = 0; hour < hours; hour++) {
    const hourOfWeek = local(startMs + hour * HOUR_MS);
    const factor = peak?.[hourOfWeek] ? multiplier : 1;
    let total = 0;
    for (let i = 0; i < entries; i++) {
      const mask = masks[i];
      const value = mask && !mask[hourOfWeek] ? 0 : profile.ratesPerHour[i]!.perHour * factor;
      rates[hour * entries + i] = value;
      total += value;
    }
    totals[hour] = total;
  }
  return { entries, rates, totals };
}

/** 168 flags, hour of week (Monday 00–01 = 0) → inside one of the windows. */
function weekMask(windows: readonly HoursWindow[]): Uint8Array {
  const mask = new Uint8Array(168);
  for (const window of windows) {
    const days =
      window.day in DAY_GROUPS ? DAY_GROUPS[window.day as keyof typeof DAY_GROUPS] : [WEEKDAY_NAMES.indexOf(window.day as Weekday)];
    for (const day of days) for (let h = window.from; h < window.to; h++) mask[day * 24 + h] = 1;
  }
  return mask;
}

/** Local hour of the week (Monday 00:00–00:59 = 0 … Sunday 23:00–23:59 = 167) of an instant in `timeZone`. */
function localHourOfWeek(timeZone: string): (ms: number) => number {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
  const days: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
  return (ms) => {
    let day = 0;
    let hour = 0;
    for (const part of format.formatToParts(ms)) {
      if (part.type === 'weekday') day = days[part.value] ?? 0;
      else if (part.type === 'hour') hour = Number(part.value) % 24;
    }
    return day * 24 + hour;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing and the checks beyond the shape

/** Parses and checks a scenario (a parsed JSON value); throws ScenarioError listing every problem. */
export function parseScenario(input: unknown): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    throw new ScenarioError(
      capped(
        parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message, code: 'INVALID_FIELD' })),
      ),
    );
  }
  const problems = checkScenario(parsed.data);
  if (problems.length > 0) throw new ScenarioError(capped(problems));
  return parsed.data;
}

function capped(problems: ScenarioProblem[]): ScenarioProblem[] {
  const max = SCENARIO_LIMITS.maxProblems;
  if (problems.length <= max) return problems;
  return [
    ...problems.slice(0, max),
    { path: '', message: `…and ${(problems.length - max).toLocaleString('en-US')} more problems.`, code: 'MORE_PROBLEMS' },
  ];
}

function calendarProblem(path: string, definition: CalendarDefinition, problems: ScenarioProblem[]): void {
  try {
    BusinessCalendar.compile(definition);
  } catch (error) {
    if (!(error instanceof CalendarError)) throw error;
    problems.push({ path: [path, ...error.field].join('.'), message: error.message, code: 'INVALID_CALENDAR' });
  }
}

/** The checks a schema cannot express. Exported for tests; parseScenario runs it. */
function checkScenario(scenario: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const add = (path: string, code: string, message: string) => problems.push({ path, code, message });

  // Time zone and calendars.
  let zoneOk = true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: scenario.timeZone });
  } catch {
    zoneOk = false;
    add('timeZone', 'INVALID_CALENDAR', `Unknown time zone "${scenario.timeZone}": use an IANA name such as "Europe/Berlin".`);
  }
  if (zoneOk) calendarProblem('businessHours', businessHoursDefinition(scenario), problems);
  scenario.roster.agents.forEach((agent, index) => {
    const definition = zoneOk || (agent.shift !== 'always' && agent.shift.timeZone) ? shiftDefinition(scenario, agent.shift) : null;
    if (definition) calendarProblem(`roster.agents.${index}.shift`, definition, problems);
  });

  // Tiers: a tier the default catalogue lacks must say where it ranks and what it allows.
  for (const [tierKey, override] of Object.entries(scenario.tiers)) {
    if (DEFAULT_TIERS.some((tier) => tier.key === tierKey)) continue;
    if (override.rank === undefined)
      add(`tiers.${tierKey}.rank`, 'INVALID_TIER', `Tier ${tierKey} is not in the default catalogue, so it needs a rank.`);
    if (override.priorities === undefined)
      add(`tiers.${tierKey}.priorities`, 'INVALID_TIER', `Tier ${tierKey} is not in the default catalogue, so it needs its priorities.`);
  }
  const tiers = resolveTiers(scenario);
  const tierKeys = new Set(tiers.keys());

  // Queues: unique keys; tier keys of levelByTier; fallbacks, domains and levels by the routing validator.
  const queueKeys = new Set<string>();
  scenario.queues.forEach((queue, index) => {
    if (queueKeys.has(queue.key)) add(`queues.${index}.key`, 'DUPLICATE_QUEUE', `Queue key ${queue.key} is used twice.`);
    queueKeys.add(queue.key);
    for (const tierKey of Object.keys(queue.levelByTier)) {
      if (!tierKeys.has(tierKey))
        add(`queues.${index}.levelByTier.${tierKey}`, 'UNKNOWN_TIER', `Queue ${queue.key}: tier ${tierKey} does not exist.`);
    }
  });
  const rename = (path: string) =>
    path
      .replace(/\.fallbackQueueId$/, '.fallbackQueue')
      .replace(/^action\.queueId$/, 'action.queue')
      .replace(/^action\.escalationPolicyId$/, 'action.escalationPolicy');
  for (const problem of validateQueues(queueDefinitions(scenario))) problems.push({ ...problem, path: rename(problem.path) });
  if (!queueKeys.has(scenario.defaultQueue)) add('defaultQueue', 'UNKNOWN_QUEUE', `Queue ${scenario.defaultQueue} does not exist.`);

  // Rules, by the routing validator (escalation policies are names the simulator only records: all known).
  const policies = new Set(scenario.rules.flatMap((r) => (r.action.escalationPolicy ? [r.action.escalationPolicy] : [])));
  ruleDefinitions(scenario).forEach((definition, index) => {
    for (const problem of validateRule(definition, { queueIds: queueKeys, escalationPolicyIds: policies, tierKeys })) {
      problems.push({ ...problem, path: `rules.${index}.${rename(problem.path)}` });
    }
  });

  // Arrivals.
  const startMs = Date.parse(scenario.start);
  const endMs = startMs + scenario.days * 24 * HOUR_MS;
  if (scenario.arrivals.kind === 'profile') {
    const profile = scenario.arrivals;
    profile.ratesPerHour.forEach((entry, index) => {
      const tier = tiers.get(entry.tier);
      if (!tier) add(`arrivals.ratesPerHour.${index}.tier`, 'UNKNOWN_TIER', `Tier ${entry.tier} does not exist.`);
      else if (!tier.priorities.includes(entry.priority)) {
        add(
          `arrivals.ratesPerHour.${index}.priority`,
          'PRIORITY_NOT_ALLOWED',
          `Tier ${entry.tier} does not allow ${entry.priority} tickets (it allows ${tier.priorities.join(', ')}).`,
        );
      }
    });
    if (zoneOk) {
      const { totals } = hourlyRates(scenario, profile);
      let expected = 0;
      for (const total of totals) expected += total;
      if (!Number.isFinite(expected) || expected > SCENARIO_LIMITS.maxExpectedArrivals) {
        add(
          'arrivals.ratesPerHour',
          'ABSURD_RATE',
          `The rates give ${Number.isFinite(expected) ? Math.round(expected).toLocaleString('en-US') : 'infinitely many'} expected arrivals over ${scenario.days} days; ` +
            `a run allows at most ${SCENARIO_LIMITS.maxExpectedArrivals.toLocaleString('en-US')}.`,
        );
      }
    }
  } else {
    scenario.arrivals.tickets.forEach((ticket, index) => {
      if (!tierKeys.has(ticket.tier)) add(`arrivals.tickets.${index}.tier`, 'UNKNOWN_TIER', `Tier ${ticket.tier} does not exist.`);
      const at = Date.parse(ticket.createdAt);
      if (at < startMs || at >= endMs) {
        add(
          `arrivals.tickets.${index}.createdAt`,
          'OUTSIDE_HORIZON',
          `${ticket.createdAt} is outside the simulated period ${scenario.start} + ${scenario.days} days.`,
        );
      }
    });
  }

  // Roster: skills are domains; the total head count is bounded.
  let headCount = 0;
  scenario.roster.agents.forEach((agent, index) => {
    headCount += agent.count;
    for (const skill of Object.keys(agent.skills)) {
      if (!(DOMAINS as readonly string[]).includes(skill)) {
        add(`roster.agents.${index}.skills.${skill}`, 'UNKNOWN_SKILL', `Skill ${skill} is not one of ${DOMAINS.join(', ')}.`);
      }
    }
  });
  if (headCount > SCENARIO_LIMITS.maxAgents) {
    add(
      'roster.agents',
      'TOO_MANY_AGENTS',
      `The roster has ${headCount.toLocaleString('en-US')} agents (counting copies); at most ${SCENARIO_LIMITS.maxAgents.toLocaleString('en-US')}.`,
    );
  }
  return problems;
}
