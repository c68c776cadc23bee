import { performance } from 'node:perf_hooks';
import { BusinessCalendar, type CalendarDefinition } from '../../calendars/index.js';
import { clockRules, computeClocks, type ClockRules, type ClockState, type TimelineEvent } from '../../sla/index.js';
import {
  Coverage,
  PRIORITY_ORDER,
  TicketChannel,
  TicketImpact,
  TicketPriority,
  TicketStatus,
  type Domain,
} from '../../vocabulary/index.js';
import { chooseAgent, emptyLoad, requirementFor } from '../assignment.js';
import { defaultClassifier } from '../classifier.js';
import type { AgentSnapshot, DomainClassifier, QueueDefinition, Requirement, RoutingRuleDefinition, TriageInput } from '../model.js';
import { evaluateRules, rulesWarnings } from '../rules.js';
import { triage } from '../triage.js';
import { poissonArrivals, Random } from './random.js';
import {
  businessHoursDefinition,
  HOUR_MS,
  hourlyRates,
  queueDefinitions,
  resolveTiers,
  ruleDefinitions,
  SCENARIO_VERSION,
  shiftDefinition,
  type Scenario,
  type SimTier,
} from './scenario.js';

/**
 * The what-if simulator's engine: a discrete-event run of a parsed scenario through the live system's own
 * decision code — `triage` (triage.ts), `evaluateRules` (rules.ts), `requirementFor`/`chooseAgent`
 * (assignment.ts) and the SLA clock engine `computeClocks` (sla/clocks.ts). Model and result fields are
 * documented in docs/simulator.md; in short:
 *
 * - Arrivals come from the profile (a non-homogeneous Poisson process, per-hour rates) or a replay. Each is
 *   triaged and routed once on arrival. Triage and routing are pure functions of the ticket's facts, so for
 *   generated arrivals (identical facts per rate entry) the decision is computed once per entry and reused.
 * - A routed ticket is offered to the agents at once (chooseAgent); if nobody can take it, it waits in its queue.
 *   Waiting tickets are kept per queue and per requirement ("class": domain, level, priority), each class in
 *   arrival order. When an agent frees capacity or starts a shift, it takes the best ticket it may take:
 *   the highest priority, then the longest waiting, over the heads of the classes it qualifies for
 *   (qualification ignoring load and shift is worked out once per class and agent with chooseAgent; the final
 *   say is chooseAgent's over that one agent at that instant).
 * - A ticket that waited `fallbackAfterMinutes` in a queue with a fallback moves to the fallback queue.
 * - Handling time is exponential with the scenario's mean for the ticket's domain and priority, drawn on arrival
 *   from its own random stream. The first public reply is at pickup + firstResponseFraction × handling, the
 *   resolution at pickup + handling. An agent finishes what they hold after their shift ends, but takes nothing new.
 * - SLA per ticket: computeClocks over that two-event timeline, with the tier's targets for the final priority
 *   (the routed queue's targetMinutes, when set, replaces the first-response target) and the tier's calendar
 *   (24×7 for ALWAYS coverage, the scenario's business hours otherwise).
 * - Same scenario and seed → the same result, bit for bit, except `runtimeMs`. Events at the same instant run
 *   in a fixed order: completions, overflows and shift starts (by scheduling order) before arrivals.
 */

export interface SimulateOptions {
  /** The text classifier for replayed tickets without a domain: default the shipped one; null = keyword rules only. */
  classifier?: DomainClassifier | null;
  /** A safety valve: the run stops (with a warning) after this many events. Default 50,000,000. */
  maxEvents?: number;
}

interface SlaRow {
  tier: string;
  priority: TicketPriority;
  tickets: number;
  firstResponseMet: number;
  firstResponseBreached: number;
  /** Clocks still running at the end of the horizon and not yet past their target: neither met nor breached. */
  firstResponsePending: number;
  /** met ÷ (met + breached); null when no clock finished. */
  firstResponseAttainment: number | null;
  resolutionMet: number;
  resolutionBreached: number;
  resolutionPending: number;
  resolutionAttainment: number | null;
  /** Tickets nobody in the roster could ever take: counted as breached on both clocks. */
  unserved: number;
}

interface QueueResult {
  key: string;
  name: string;
  /** Tickets that entered the queue (on arrival or by overflow), were taken from it, overflowed out of it. */
  entered: number;
  picked: number;
  overflowed: number;
  maxLength: number;
  /** Time-average number of tickets waiting. */
  meanLength: number;
  waitingAtEnd: number;
  /** Of the tickets taken from this queue: time from arrival (in the system) to pickup. */
  meanWaitMinutes: number | null;
  p90WaitMinutes: number | null;
  /** Tickets waiting, sampled at the start of every hour of the horizon. */
  lengthOverTime: { at: string; length: number }[];
}

interface AgentResult {
  name: string;
  region: string;
  assigned: number;
  onShiftHours: number;
  /** On-shift time handling at least one ticket ÷ on-shift time (0 when never on shift). */
  utilisation: number;
  /** Time-average number of tickets held while on shift (matters for capacity > 1). */
  meanConcurrent: number;
}

export interface SimulationResult {
  scenarioVersion: typeof SCENARIO_VERSION;
  seed: number;
  horizon: { start: string; end: string };
  tickets: { arrived: number; assigned: number; resolved: number; unassignedAtEnd: number; inProgressAtEnd: number; unserved: number };
  /** Over every ticket taken: arrival to pickup, and the time-average number waiting over all queues. */
  waiting: { meanWaitMinutes: number | null; p90WaitMinutes: number | null; meanWaiting: number };
  sla: SlaRow[];
  breaches: { firstResponse: number; resolution: number };
  queues: QueueResult[];
  agents: AgentResult[];
  roster: { agents: number; meanUtilisation: number | null; meanConcurrent: number | null };
  /** Tickets per matching rule, in rule order; "(default queue)" for tickets no rule matched. */
  routing: { rule: string; tickets: number }[];
  /** Tickets routed by a rule that pages at once (a critical outage). */
  pages: number;
  warnings: string[];
  runtimeMs: number;
  events: number;
}

// ---------------------------------------------------------------------------------------------------------------

const MINUTE_MS = 60_000;
const DEFAULT_MAX_EVENTS = 50_000_000;
const PRIORITY_RANK: Readonly<Record<TicketPriority, number>> = Object.fromEntries(PRIORITY_ORDER.map((p, i) => [p, i])) as Record<
  TicketPriority,
  number
>;
/** Generated arrivals without an impact: a plausible one for the priority (an outage profile sets CRITICAL). */
const DEFAULT_IMPACT: Readonly<Record<TicketPriority, TicketImpact>> = {
  LOW: TicketImpact.LOW,
  NORMAL: TicketImpact.MEDIUM,
  HIGH: TicketImpact.HIGH,
  URGENT: TicketImpact.HIGH,
} as Record<TicketPriority, TicketImpact>;

const EVENT_COMPLETE = 0;
const EVENT_OVERFLOW = 1;
const EVENT_WAKE = 2;

/** The triage and routing decision for a ticket's facts (shared by every generated arrival of one rate entry). */
interface Routed {
  tier: SimTier;
  domain: Domain;
  priority: TicketPriority;
  queue: number;
  /** Index of the matching rule, or -1 for the default queue. */
  rule: number;
  page: boolean;
  handleMeanMs: number;
  clockRules: ClockRules;
  /** Waiting class per queue index (filled as the ticket's kind reaches queues). */
  classes: Map<number, WaitClass>;
}

const WAITING = 1;
const IN_SERVICE = 2;
const RESOLVED = 3;

interface Ticket {
  seq: number;
  arrivedAt: number;
  routed: Routed;
  handleMs: number;
  state: number;
  queue: number;
  waitClass: WaitClass | null;
  /** Bumped on every queue change, so a stale overflow event is recognised. */
  token: number;
  pickedAt: number;
  resolvedAt: number;
}

/**
 * The SLA rules of a simulated ticket: the same `clockRules` the live engine uses, fed from the scenario's tier
 * (its `warnPercent` stands for the tier's SLA policy; without it the default policy applies, as live).
 */
export function simulatedClockRules(
  tier: SimTier,
  priority: TicketPriority,
  queue: QueueDefinition,
  businessHours: BusinessCalendar,
): ClockRules {
  const always = tier.coverage === Coverage.ALWAYS;
  return clockRules({
    tierName: tier.name,
    priority,
    tierTargets: {
      FIRST_RESPONSE: tier.firstResponseMinutes[priority],
      NEXT_RESPONSE: tier.nextResponseMinutes[priority],
      RESOLUTION: tier.resolutionMinutes[priority],
    },
    queueTarget: queue.targetMinutes !== null ? { minutes: queue.targetMinutes, queueName: queue.name } : null,
    calendar: always ? BusinessCalendar.alwaysOpen() : businessHours,
    hours: always ? '24×7' : 'business hours',
    policy: tier.warnPercent === null ? null : { warnPercent: tier.warnPercent },
  });
}

/** Tickets of one queue with one requirement, in arrival order (a heap on `seq`, stale entries skipped lazily). */
interface WaitClass {
  index: number;
  queue: number;
  requirement: Requirement;
  rank: number;
  heap: Ticket[];
  live: number;
  /** Agents who meet the requirement apart from load and shift (checked at the start of the run). */
  agents: AgentSnapshot[];
  label: string;
}

interface AgentState {
  index: number;
  snapshot: AgentSnapshot;
  load: Record<TicketPriority, number>;
  hours: BusinessCalendar | null;
  classes: WaitClass[];
  region: string;
  assigned: number;
  held: number;
  lastChange: number;
  busyMs: number;
  heldMs: number;
  onShiftMs: number;
}

export function simulate(scenario: Scenario, options: SimulateOptions = {}): SimulationResult {
  const started = performance.now();
  const startMs = Date.parse(scenario.start);
  const endMs = startMs + scenario.days * 24 * HOUR_MS;
  const hours = scenario.days * 24;
  const warnings: string[] = [];
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;

  const tiers = resolveTiers(scenario);
  const queues: QueueDefinition[] = queueDefinitions(scenario);
  const queueIndex = new Map(queues.map((queue, index) => [queue.id, index]));
  const fallbackOf = queues.map((queue) => (queue.fallbackQueueId === null ? -1 : (queueIndex.get(queue.fallbackQueueId) ?? -1)));
  const rules: RoutingRuleDefinition[] = ruleDefinitions(scenario);
  for (const problem of rulesWarnings(rules)) warnings.push(`${problem.path}: ${problem.message}`);
  const defaultQueue = scenario.defaultQueue;

  // Calendars: compiled once per definition (each keeps its own week cache).
  const calendars = new Map<string, BusinessCalendar>();
  const calendarOf = (definition: CalendarDefinition): BusinessCalendar => {
    const cacheKey = JSON.stringify(definition);
    let calendar = calendars.get(cacheKey);
    if (!calendar) calendars.set(cacheKey, (calendar = BusinessCalendar.compile(definition)));
    return calendar;
  };
  const businessHours = calendarOf(businessHoursDefinition(scenario));

  // SLA rules per tier, priority and queue target.
  const clockRulesCache = new Map<string, ClockRules>();
  const clockRulesFor = (tier: SimTier, priority: TicketPriority, queue: QueueDefinition): ClockRules => {
    const cacheKey = `${tier.key}|${priority}|${queue.targetMinutes ?? ''}`;
    let rules = clockRulesCache.get(cacheKey);
    if (!rules) clockRulesCache.set(cacheKey, (rules = simulatedClockRules(tier, priority, queue, businessHours)));
    return rules;
  };

  // Handling times: first matching override, else the default.
  const handleMeanMs = (domain: Domain, priority: TicketPriority): number => {
    for (const override of scenario.handleMinutes.overrides) {
      if (
        (override.domain === undefined || override.domain === domain) &&
        (override.priority === undefined || override.priority === priority)
      ) {
        return override.minutes * MINUTE_MS;
      }
    }
    return scenario.handleMinutes.default * MINUTE_MS;
  };
  const firstResponseFraction = scenario.handleMinutes.firstResponseFraction;

  // The roster.
  const agents: AgentState[] = [];
  const agentById = new Map<string, AgentState>();
  for (const template of scenario.roster.agents) {
    const shift = shiftDefinition(scenario, template.shift);
    const hoursCalendar = shift ? calendarOf(shift) : null;
    const capacity = emptyLoad();
    for (const p of PRIORITY_ORDER) capacity[p] = typeof template.capacity === 'number' ? template.capacity : (template.capacity[p] ?? 0);
    const certifications = template.certifications.map((c) =>
      typeof c === 'string'
        ? { name: c, expiresAt: null }
        : { name: c.name, expiresAt: c.expiresAt === null ? null : new Date(c.expiresAt) },
    );
    const onShiftMs = hoursCalendar ? hoursCalendar.businessMillisBetween(new Date(startMs), new Date(endMs)) : endMs - startMs;
    for (let copy = 1; copy <= template.count; copy++) {
      const load = emptyLoad();
      const id = `agent-${agents.length + 1}`;
      const snapshot: AgentSnapshot = {
        id,
        name: template.count > 1 ? `${template.name} ${copy}` : template.name,
        skills: template.skills as AgentSnapshot['skills'],
        certifications,
        languages: template.languages,
        region: template.region,
        presence: template.presence,
        hours: hoursCalendar,
        capacity,
        load,
        lastAssignedAt: 0,
      };
      const state: AgentState = {
        index: agents.length,
        snapshot,
        load,
        hours: hoursCalendar,
        classes: [],
        region: template.region,
        assigned: 0,
        held: 0,
        lastChange: startMs,
        busyMs: 0,
        heldMs: 0,
        onShiftMs,
      };
      agents.push(state);
      agentById.set(id, state);
    }
  }

  // Waiting classes, created as tickets need them.
  const classes: WaitClass[] = [];
  const classByKey = new Map<string, WaitClass>();
  const startDate = new Date(startMs);
  const classFor = (routed: Routed, queue: number): WaitClass => {
    let waitClass = routed.classes.get(queue);
    if (waitClass) return waitClass;
    const definition = queues[queue]!;
    const requirement = requirementFor(definition, { domain: routed.domain, tierKey: routed.tier.key, priority: routed.priority }, null);
    const cacheKey = `${queue}|${requirement.domain}|${requirement.minLevel}|${requirement.priority}`;
    waitClass = classByKey.get(cacheKey);
    if (!waitClass) {
      waitClass = {
        index: classes.length,
        queue,
        requirement,
        rank: PRIORITY_RANK[requirement.priority],
        heap: [],
        live: 0,
        agents: [],
        label: `${requirement.domain} level ${requirement.minLevel}${requirement.certification ? `, certified ${requirement.certification}` : ''}${requirement.language ? `, speaking ${requirement.language}` : ''}, ${requirement.priority}`,
      };
      // Who could ever take these tickets: the assignment check itself, on an idle, always-working copy.
      for (const agent of agents) {
        const idle: AgentSnapshot = { ...agent.snapshot, hours: null, load: emptyLoad() };
        if (chooseAgent(requirement, [idle], startDate).agentId !== null) {
          waitClass.agents.push(agent.snapshot);
          agent.classes.push(waitClass);
        }
      }
      classes.push(waitClass);
      classByKey.set(cacheKey, waitClass);
    }
    routed.classes.set(queue, waitClass);
    return waitClass;
  };

  // Triage and routing.
  const routingCounts = new Array<number>(rules.length + 1).fill(0);
  const route = (input: TriageInput, channel: TicketChannel, classifier: DomainClassifier | null, tier: SimTier): Routed => {
    const triaged = triage(input, classifier);
    const outcome = evaluateRules(
      rules,
      {
        domain: triaged.domain,
        tierKey: tier.key,
        priority: triaged.priority,
        allowedPriorities: tier.priorities,
        urgencyLevel: triaged.urgencyLevel,
        criticalOutage: triaged.criticalOutage,
        businessCritical: input.businessCritical,
        channel,
        text: `${input.subject}\n${input.description}`,
      },
      defaultQueue,
    );
    const queue = queueIndex.get(outcome.queueId) ?? queueIndex.get(defaultQueue)!;
    return {
      tier,
      domain: triaged.domain,
      priority: outcome.priority,
      queue,
      rule: outcome.ruleId === null ? -1 : Number(outcome.ruleId) - 1,
      page: outcome.pageImmediately,
      handleMeanMs: handleMeanMs(triaged.domain, outcome.priority),
      clockRules: clockRulesFor(tier, outcome.priority, queues[queue]!),
      classes: new Map(),
    };
  };

  // Arrivals, in time order.
  const tickets: Ticket[] = [];
  const handleRandom = new Random(scenario.seed, 2);
  const addTicket = (arrivedAt: number, routed: Routed) => {
    const handleMs = Math.max(1, Math.round(handleRandom.exponential(1) * routed.handleMeanMs));
    tickets.push({
      seq: tickets.length,
      arrivedAt,
      routed,
      handleMs,
      state: 0,
      queue: -1,
      waitClass: null,
      token: 0,
      pickedAt: -1,
      resolvedAt: -1,
    });
  };
  if (scenario.arrivals.kind === 'profile') {
    const profile = scenario.arrivals;
    const { entries, rates, totals } = hourlyRates(scenario, profile);
    const arrivalRandom = new Random(scenario.seed, 1);
    const criticalRandom = new Random(scenario.seed, 3);
    const memo = new Map<number, Routed>();
    poissonArrivals(arrivalRandom, totals, startMs, HOUR_MS, (at, hour) => {
      const entryIndex = arrivalRandom.pick(rates, hour * entries, (hour + 1) * entries, totals[hour]!) - hour * entries;
      const entry = profile.ratesPerHour[entryIndex]!;
      const tier = tiers.get(entry.tier)!;
      const businessCritical = criticalRandom.bernoulli(tier.businessCriticalShare);
      const memoKey = entryIndex * 2 + (businessCritical ? 1 : 0);
      let routed = memo.get(memoKey);
      if (!routed) {
        const input: TriageInput = {
          subject: entry.subject ?? `${entry.domain} ticket (simulated)`,
          description: entry.description ?? '',
          declaredPriority: entry.priority,
          impact: entry.impact ?? DEFAULT_IMPACT[entry.priority],
          businessCritical,
          tierKey: tier.key,
          tierRank: tier.rank,
          allowedPriorities: tier.priorities,
          knownDomain: entry.domain,
        };
        routed = route(input, entry.channel ?? TicketChannel.PORTAL, null, tier);
        memo.set(memoKey, routed);
      }
      addTicket(at, routed);
    });
  } else {
    const replay = scenario.arrivals.tickets
      .map((ticket, index) => ({ ticket, index, at: Date.parse(ticket.createdAt) }))
      .sort((a, b) => a.at - b.at || a.index - b.index);
    let classifier: DomainClassifier | null | undefined = options.classifier;
    let withoutDomain = 0;
    for (const { ticket, at } of replay) {
      const tier = tiers.get(ticket.tier)!;
      const known = ticket.domain ?? null;
      if (known === null) {
        withoutDomain++;
        if (classifier === undefined) classifier = defaultClassifier();
      }
      const input: TriageInput = {
        subject: ticket.subject,
        description: ticket.description,
        declaredPriority: ticket.priority,
        impact: ticket.impact,
        businessCritical: ticket.businessCritical,
        tierKey: tier.key,
        tierRank: tier.rank,
        allowedPriorities: tier.priorities,
        knownDomain: known,
      };
      addTicket(at, route(input, ticket.channel, known === null ? (classifier ?? null) : null, tier));
    }
    if (withoutDomain > 0 && classifier === null) {
      warnings.push(
        `${withoutDomain} replayed tickets carry no domain and no classifier was given: triage decided their domain by its keyword rules alone.`,
      );
    }
  }

  // ----------------------------------------------------------------------------------------------------------
  // The run

  const events = new EventHeap();
  const queueStats = queues.map(() => ({
    entered: 0,
    picked: 0,
    overflowed: 0,
    length: 0,
    maxLength: 0,
    area: 0,
    lastChange: startMs,
    waits: [] as number[],
    samples: [] as number[],
  }));
  let pages = 0;
  let assignedCount = 0;
  let resolvedCount = 0;
  let processed = 0;
  let now = startMs;

  const changeLength = (queue: number, delta: number, at: number) => {
    const stats = queueStats[queue]!;
    stats.area += stats.length * (at - stats.lastChange);
    stats.lastChange = at;
    stats.length += delta;
    if (stats.length > stats.maxLength) stats.maxLength = stats.length;
  };

  /** Books the time since the agent's last load change, then applies `delta` to what they hold. */
  const changeHeld = (agent: AgentState, delta: number, at: number) => {
    if (agent.held > 0 && at > agent.lastChange) {
      const onShift = agent.hours ? agent.hours.businessMillisBetween(new Date(agent.lastChange), new Date(at)) : at - agent.lastChange;
      agent.busyMs += onShift;
      agent.heldMs += onShift * agent.held;
    }
    agent.lastChange = at;
    agent.held += delta;
  };

  const assign = (agent: AgentState, ticket: Ticket, at: number) => {
    const priority = ticket.routed.priority;
    changeHeld(agent, 1, at);
    agent.load[priority]++;
    agent.snapshot.lastAssignedAt = at;
    agent.assigned++;
    ticket.state = IN_SERVICE;
    ticket.pickedAt = at;
    assignedCount++;
    const stats = queueStats[ticket.queue]!;
    stats.picked++;
    stats.waits.push(at - ticket.arrivedAt);
    events.push(at + ticket.handleMs, EVENT_COMPLETE, ticket.seq, agent.index);
  };

  const heapTop = (waitClass: WaitClass): Ticket | null => {
    const heap = waitClass.heap;
    while (heap.length > 0) {
      const top = heap[0]!;
      if (top.waitClass === waitClass && top.state === WAITING) return top;
      popTicket(heap);
    }
    return null;
  };

  const leaveQueue = (ticket: Ticket, at: number) => {
    const waitClass = ticket.waitClass!;
    waitClass.live--;
    ticket.waitClass = null;
    changeLength(ticket.queue, -1, at);
  };

  const enterQueue = (ticket: Ticket, queue: number, at: number) => {
    ticket.queue = queue;
    ticket.token++;
    queueStats[queue]!.entered++;
    const waitClass = classFor(ticket.routed, queue);
    // Nobody of this class waits ahead, so an agent free for it now takes it now.
    if (waitClass.live === 0 && waitClass.agents.length > 0) {
      const decision = chooseAgent(waitClass.requirement, waitClass.agents, new Date(at));
      if (decision.agentId !== null) {
        assign(agentById.get(decision.agentId)!, ticket, at);
        return;
      }
    }
    ticket.state = WAITING;
    ticket.waitClass = waitClass;
    waitClass.live++;
    pushTicket(waitClass.heap, ticket);
    changeLength(queue, 1, at);
    const definition = queues[queue]!;
    const fallback = fallbackOf[queue]!;
    if (fallback >= 0 && definition.fallbackAfterMinutes !== null) {
      events.push(at + Math.round(definition.fallbackAfterMinutes * MINUTE_MS), EVENT_OVERFLOW, ticket.seq, ticket.token);
    }
  };

  /** The agent takes the best waiting tickets they may take, while they have room. */
  const pull = (agent: AgentState, at: number) => {
    const snapshot = agent.snapshot;
    if (snapshot.presence !== 'ONLINE' || agent.classes.length === 0) return;
    const date = new Date(at);
    if (agent.hours && !agent.hours.isOpenAt(date)) return;
    let refused: Set<WaitClass> | null = null;
    for (;;) {
      let best: WaitClass | null = null;
      let bestTicket: Ticket | null = null;
      for (const waitClass of agent.classes) {
        if (waitClass.live === 0 || agent.load[waitClass.requirement.priority] >= snapshot.capacity[waitClass.requirement.priority])
          continue;
        if (refused?.has(waitClass)) continue;
        const top = heapTop(waitClass);
        if (!top) continue;
        if (bestTicket === null || waitClass.rank > best!.rank || (waitClass.rank === best!.rank && top.seq < bestTicket.seq)) {
          best = waitClass;
          bestTicket = top;
        }
      }
      if (best === null || bestTicket === null) return;
      if (chooseAgent(best.requirement, [snapshot], date).agentId === null) {
        // Something beyond load and shift (an expired certification): skip this class for now.
        (refused ??= new Set()).add(best);
        continue;
      }
      popTicket(best.heap);
      leaveQueue(bestTicket, at);
      assign(agent, bestTicket, at);
    }
  };

  // Shift starts wake the agents up.
  const scheduleWake = (agentIdx: number, from: number) => {
    const hoursCalendar = agents[agentIdx]!.hours;
    if (!hoursCalendar) return;
    const opening = hoursCalendar.nextOpening(new Date(from));
    if (opening !== null && opening.getTime() < endMs) events.push(opening.getTime(), EVENT_WAKE, agentIdx, 0);
  };
  agents.forEach((agent, index) => {
    if (agent.hours && agent.snapshot.presence === 'ONLINE') scheduleWake(index, startMs);
  });

  let nextArrival = 0;
  let nextSample = 0;
  const sample = (upTo: number) => {
    while (nextSample < hours && startMs + nextSample * HOUR_MS <= upTo) {
      for (const stats of queueStats) stats.samples.push(stats.length);
      nextSample++;
    }
  };
  let stoppedEarly = false;
  for (;;) {
    const arrivalAt = nextArrival < tickets.length ? tickets[nextArrival]!.arrivedAt : Infinity;
    const eventAt = events.size > 0 ? events.peekTime() : Infinity;
    const at = Math.min(arrivalAt, eventAt);
    if (at >= endMs) break;
    if (processed >= maxEvents) {
      stoppedEarly = true;
      break;
    }
    sample(at);
    // Samples are taken before the events of their instant; a sample at `at` sees the state just before it.
    now = at;
    processed++;
    if (eventAt <= arrivalAt) {
      events.pop();
      const kind = events.kind;
      if (kind === EVENT_COMPLETE) {
        const ticket = tickets[events.ref]!;
        const agent = agents[events.aux]!;
        changeHeld(agent, -1, at);
        agent.load[ticket.routed.priority]--;
        ticket.state = RESOLVED;
        ticket.resolvedAt = at;
        resolvedCount++;
        pull(agent, at);
      } else if (kind === EVENT_OVERFLOW) {
        const ticket = tickets[events.ref]!;
        if (ticket.state === WAITING && ticket.token === events.aux) {
          queueStats[ticket.queue]!.overflowed++;
          const from = ticket.queue;
          leaveQueue(ticket, at);
          enterQueue(ticket, fallbackOf[from]!, at);
        }
      } else {
        const agentIdx = events.ref;
        pull(agents[agentIdx]!, at);
        const closing = agents[agentIdx]!.hours!.nextClosing(new Date(at));
        if (closing !== null) scheduleWake(agentIdx, closing.getTime());
      }
    } else {
      const ticket = tickets[nextArrival++]!;
      const routed = ticket.routed;
      routingCounts[routed.rule + 1]!++;
      if (routed.page) pages++;
      enterQueue(ticket, routed.queue, at);
    }
  }
  const finishedAt = stoppedEarly ? now : endMs;
  sample(endMs - 1);
  for (const agent of agents) changeHeld(agent, 0, finishedAt);
  queueStats.forEach((_, queue) => changeLength(queue, 0, finishedAt));
  if (stoppedEarly) {
    warnings.push(
      `The run stopped after ${processed.toLocaleString('en-US')} events (maxEvents) at ${new Date(now).toISOString()}; later figures are missing.`,
    );
  }

  // ----------------------------------------------------------------------------------------------------------
  // SLA per ticket, through the SLA engine

  /** Someone in the roster could take the ticket, in its queue or one it would overflow to (shifts and load aside). */
  const servable = (ticket: Ticket): boolean => {
    const seen = new Set<number>();
    for (let queue = ticket.queue; queue >= 0 && !seen.has(queue); queue = fallbackOf[queue]!) {
      seen.add(queue);
      if (classFor(ticket.routed, queue).agents.length > 0) return true;
    }
    return false;
  };
  const arrived = stoppedEarly ? nextArrival : tickets.length;
  const rows = new Map<string, SlaRow & { rank: number }>();
  const unservedByClass = new Map<WaitClass, number>();
  let unservedTotal = 0;
  let breachedFirst = 0;
  let breachedResolution = 0;
  const endDate = new Date(finishedAt);
  const allWaits: number[] = [];
  for (let i = 0; i < arrived; i++) {
    const ticket = tickets[i]!;
    const { routed } = ticket;
    const rowKey = `${routed.tier.key}|${routed.priority}`;
    let row = rows.get(rowKey);
    if (!row) {
      row = {
        rank: routed.tier.rank * 10 + PRIORITY_RANK[routed.priority],
        tier: routed.tier.key,
        priority: routed.priority,
        tickets: 0,
        firstResponseMet: 0,
        firstResponseBreached: 0,
        firstResponsePending: 0,
        firstResponseAttainment: null,
        resolutionMet: 0,
        resolutionBreached: 0,
        resolutionPending: 0,
        resolutionAttainment: null,
        unserved: 0,
      };
      rows.set(rowKey, row);
    }
    row.tickets++;
    if (ticket.pickedAt >= 0) allWaits.push(ticket.pickedAt - ticket.arrivedAt);
    const unserved = ticket.state === WAITING && !servable(ticket);
    if (unserved) {
      row.unserved++;
      unservedTotal++;
      unservedByClass.set(ticket.waitClass!, (unservedByClass.get(ticket.waitClass!) ?? 0) + 1);
    }
    const timeline: TimelineEvent[] = [];
    if (ticket.pickedAt >= 0) {
      const replyAt = ticket.pickedAt + Math.round(firstResponseFraction * ticket.handleMs);
      if (replyAt <= finishedAt) timeline.push({ at: new Date(replyAt), type: 'REPLY', byStaff: true });
    }
    if (ticket.resolvedAt >= 0) timeline.push({ at: new Date(ticket.resolvedAt), type: 'STATUS', to: TicketStatus.SOLVED });
    const createdAt = new Date(ticket.arrivedAt);
    const clockNow = ticket.resolvedAt >= 0 ? new Date(ticket.resolvedAt) : endDate;
    const rulesAt = () => routed.clockRules;
    for (const clock of computeClocks(createdAt, timeline, rulesAt, clockNow)) {
      const outcome = outcomeOf(clock, unserved);
      if (clock.kind === 'FIRST_RESPONSE') {
        if (outcome === 'MET') row.firstResponseMet++;
        else if (outcome === 'BREACHED') {
          row.firstResponseBreached++;
          breachedFirst++;
        } else row.firstResponsePending++;
      } else if (clock.kind === 'RESOLUTION') {
        if (outcome === 'MET') row.resolutionMet++;
        else if (outcome === 'BREACHED') {
          row.resolutionBreached++;
          breachedResolution++;
        } else row.resolutionPending++;
      }
    }
  }
  const ratio = (met: number, breached: number) => (met + breached === 0 ? null : round(met / (met + breached), 4));
  const sla = [...rows.values()]
    .sort((a, b) => a.rank - b.rank)
    .map(({ rank: _rank, ...row }) => ({
      ...row,
      firstResponseAttainment: ratio(row.firstResponseMet, row.firstResponseBreached),
      resolutionAttainment: ratio(row.resolutionMet, row.resolutionBreached),
    }));

  for (const [waitClass, count] of [...unservedByClass].sort((a, b) => a[0].index - b[0].index)) {
    warnings.push(
      `Nobody in the roster can take queue ${queues[waitClass.queue]!.key}'s tickets that need ${waitClass.label}: ` +
        `${count.toLocaleString('en-US')} ${count === 1 ? 'ticket' : 'tickets'} waited unassigned until the end of the run (counted as breached).`,
    );
  }

  // ----------------------------------------------------------------------------------------------------------
  // The result

  const horizonMs = finishedAt - startMs;
  let inProgress = 0;
  let unassigned = 0;
  for (let i = 0; i < arrived; i++) {
    const state = tickets[i]!.state;
    if (state === IN_SERVICE) inProgress++;
    else if (state === WAITING) unassigned++;
  }
  const queueResults: QueueResult[] = queues.map((queue, index) => {
    const stats = queueStats[index]!;
    const waits = Float64Array.from(stats.waits).sort();
    return {
      key: queue.key,
      name: queue.name,
      entered: stats.entered,
      picked: stats.picked,
      overflowed: stats.overflowed,
      maxLength: stats.maxLength,
      meanLength: round(horizonMs > 0 ? stats.area / horizonMs : 0, 4),
      waitingAtEnd: stats.length,
      meanWaitMinutes: waits.length ? round(mean(waits) / MINUTE_MS, 2) : null,
      p90WaitMinutes: waits.length ? round(quantile(waits, 0.9) / MINUTE_MS, 2) : null,
      lengthOverTime: stats.samples.map((length, hour) => ({ at: new Date(startMs + hour * HOUR_MS).toISOString(), length })),
    };
  });
  const agentResults: AgentResult[] = agents.map((agent) => ({
    name: agent.snapshot.name,
    region: agent.region,
    assigned: agent.assigned,
    onShiftHours: round(agent.onShiftMs / HOUR_MS, 2),
    utilisation: agent.onShiftMs > 0 ? round(agent.busyMs / agent.onShiftMs, 4) : 0,
    meanConcurrent: agent.onShiftMs > 0 ? round(agent.heldMs / agent.onShiftMs, 4) : 0,
  }));
  const working = agents.filter((agent) => agent.onShiftMs > 0);
  const sortedWaits = Float64Array.from(allWaits).sort();
  let totalArea = 0;
  for (const stats of queueStats) totalArea += stats.area;

  return {
    scenarioVersion: SCENARIO_VERSION,
    seed: scenario.seed,
    horizon: { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() },
    tickets: {
      arrived,
      assigned: assignedCount,
      resolved: resolvedCount,
      unassignedAtEnd: unassigned,
      inProgressAtEnd: inProgress,
      unserved: unservedTotal,
    },
    waiting: {
      meanWaitMinutes: sortedWaits.length ? round(mean(sortedWaits) / MINUTE_MS, 3) : null,
      p90WaitMinutes: sortedWaits.length ? round(quantile(sortedWaits, 0.9) / MINUTE_MS, 3) : null,
      meanWaiting: round(horizonMs > 0 ? totalArea / horizonMs : 0, 4),
    },
    sla,
    breaches: { firstResponse: breachedFirst, resolution: breachedResolution },
    queues: queueResults,
    agents: agentResults,
    roster: {
      agents: agents.length,
      meanUtilisation: working.length
        ? round(working.reduce((sum, agent) => sum + agent.busyMs / agent.onShiftMs, 0) / working.length, 4)
        : null,
      meanConcurrent: working.length
        ? round(working.reduce((sum, agent) => sum + agent.heldMs / agent.onShiftMs, 0) / working.length, 4)
        : null,
    },
    routing: [
      ...rules.map((rule, index) => ({ rule: rule.name, tickets: routingCounts[index + 1]! })),
      ...(routingCounts[0]! > 0 ? [{ rule: '(default queue)', tickets: routingCounts[0]! }] : []),
    ],
    pages,
    warnings,
    runtimeMs: Math.round(performance.now() - started),
    events: processed,
  };
}

/** A clock's outcome at the end: a running clock of a ticket nobody could take counts as breached. */
function outcomeOf(clock: ClockState, unserved: boolean): 'MET' | 'BREACHED' | 'PENDING' {
  if (clock.status === 'MET') return 'MET';
  if (clock.status === 'BREACHED' || unserved) return 'BREACHED';
  return 'PENDING';
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------------------------------
// Heaps

/** Waiting tickets of a class: a binary min-heap on arrival sequence. */
function pushTicket(heap: Ticket[], ticket: Ticket): void {
  let i = heap.length;
  heap.push(ticket);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]!.seq <= ticket.seq) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = ticket;
}

function popTicket(heap: Ticket[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  let i = 0;
  const n = heap.length;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= n) break;
    const right = left + 1;
    const child = right < n && heap[right]!.seq < heap[left]!.seq ? right : left;
    if (heap[child]!.seq >= last.seq) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = last;
}

/**
 * The event list: a binary min-heap on (time, sequence) in parallel arrays, so events at the same instant run in
 * the order they were scheduled, whatever the heap's shape. `pop` leaves the event in `kind`, `ref` and `aux`.
 */
class EventHeap {
  private times: number[] = [];
  private seqs: number[] = [];
  private kinds: number[] = [];
  private refs: number[] = [];
  private auxes: number[] = [];
  private counter = 0;
  kind = 0;
  ref = 0;
  aux = 0;

  get size(): number {
    return this.times.length;
  }

  peekTime(): number {
    return this.times[0]!;
  }

  push(time: number, kind: number, ref: number, aux: number): void {
    const seq = this.counter++;
    let i = this.times.length;
    this.times.push(time);
    this.seqs.push(seq);
    this.kinds.push(kind);
    this.refs.push(ref);
    this.auxes.push(aux);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.times[parent]!;
      if (pt < time || (pt === time && this.seqs[parent]! < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, time, seq, kind, ref, aux);
  }

  pop(): void {
    this.kind = this.kinds[0]!;
    this.ref = this.refs[0]!;
    this.aux = this.auxes[0]!;
    const time = this.times.pop()!;
    const seq = this.seqs.pop()!;
    const kind = this.kinds.pop()!;
    const ref = this.refs.pop()!;
    const aux = this.auxes.pop()!;
    const n = this.times.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n) {
        const lt = this.times[left]!;
        const rt = this.times[right]!;
        if (rt < lt || (rt === lt && this.seqs[right]! < this.seqs[left]!)) child = right;
      }
      const ct = this.times[child]!;
      if (ct > time || (ct === time && this.seqs[child]! > seq)) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, time, seq, kind, ref, aux);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.kinds[to] = this.kinds[from]!;
    this.refs[to] = this.refs[from]!;
    this.auxes[to] = this.auxes[from]!;
  }

  private set(i: number, time: number, seq: number, kind: number, ref: number, aux: number): void {
    this.times[i] = time;
    this.seqs[i] = seq;
    this.kinds[i] = kind;
    this.refs[i] = ref;
    this.auxes[i] = aux;
  }
}
