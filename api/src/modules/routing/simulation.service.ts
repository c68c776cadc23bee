import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../shared/errors.js';
import { Organization } from '../organizations/index.js';
import { Ticket } from '../tickets/index.js';
import { Tier } from '../tiers/index.js';
import { defaultClassifier, TextClassifier } from './classifier.js';
import { activeClassifier } from './classifier.service.js';
import type { DomainClassifier } from './model.js';
import { TriageDecision } from './routing.entity.js';
import { simulate, type SimulationResult } from './simulator/engine.js';
import { parseScenario, ScenarioError, type Scenario } from './simulator/scenario.js';

const DAY_MS = 86_400_000;
const ALL_TENANTS = { tenant: { allTenants: true } } as const;

/** Over HTTP a run must stay interactive: bigger what-ifs belong to `tierdesk simulate <file>`. */
export const API_LIMITS = { maxEvents: 2_000_000, maxReplayTickets: 200_000 } as const;

export interface ReplayWindow {
  from: Date;
  to: Date;
}

function invalidScenario(error: ScenarioError): AppError {
  const first = error.problems[0];
  return new AppError('INVALID_SCENARIO', error.message, {
    field: ['scenario', ...(first?.path ? first.path.split('.') : [])],
    problems: error.problems,
  });
}

/**
 * The real tickets created in a window, as replay arrivals: their text (so the live classifier triages them
 * again), declared priority, impact, channel, the organization's tier and criticality, and the domain staff
 * settled on when a correction exists.
 */
async function replayTickets(em: EntityManager, window: ReplayWindow, limit: number): Promise<Record<string, unknown>[]> {
  if (!(window.from < window.to))
    throw new AppError('BAD_USER_INPUT', 'The replay window must end after it starts.', { field: ['replay', 'to'] });
  const tickets = await em.find(
    Ticket,
    { createdAt: { $gte: window.from, $lt: window.to } },
    { filters: ALL_TENANTS, orderBy: { createdAt: 'asc', id: 'asc' }, limit: limit + 1 },
  );
  if (tickets.length > limit) {
    throw new AppError(
      'INVALID_SCENARIO',
      `The window holds more than ${limit.toLocaleString('en-US')} tickets; replay a shorter period or use \`tierdesk simulate\`.`,
      { field: ['replay'] },
    );
  }
  const organizations = new Map(
    (
      await em.find(Organization, { id: { $in: [...new Set(tickets.map((ticket) => ticket.organization.id))] } }, { filters: ALL_TENANTS })
    ).map((org) => [org.id, org]),
  );
  const tiers = new Map((await em.find(Tier, {})).map((tier) => [tier.id, tier]));
  const corrections = new Map(
    (
      await em.find(
        TriageDecision,
        { ticket: { $in: tickets.map((ticket) => ticket.id) }, correctedDomain: { $ne: null } },
        { filters: ALL_TENANTS },
      )
    ).map((row) => [row.ticket.id, row.correctedDomain]),
  );
  return tickets.map((ticket) => {
    const organization = organizations.get(ticket.organization.id)!;
    return {
      createdAt: ticket.createdAt.toISOString(),
      tier: tiers.get(organization.tier.id)!.key,
      priority: ticket.priority,
      impact: ticket.impact,
      channel: ticket.channel,
      businessCritical: organization.businessCritical,
      subject: ticket.subject,
      description: ticket.description,
      domain: corrections.get(ticket.id) ?? null,
    };
  });
}

/** Puts a replay of real tickets in place of the scenario's arrivals; the horizon becomes the window. */
function withReplay(input: unknown, tickets: Record<string, unknown>[], window: ReplayWindow): unknown {
  if (typeof input !== 'object' || input === null) return input;
  return {
    ...input,
    start: window.from.toISOString(),
    days: Math.max(1, Math.ceil((window.to.getTime() - window.from.getTime()) / DAY_MS)),
    arrivals: { kind: 'replay', tickets },
  };
}

function parsedScenario(input: unknown): Scenario {
  try {
    return parseScenario(input);
  } catch (error) {
    if (error instanceof ScenarioError) throw invalidScenario(error);
    throw error;
  }
}

/**
 * A what-if run: the scenario (docs/simulator.md), optionally with the real tickets of a past window as its
 * arrivals, through the same triage, routing, assignment and SLA code as the live system, with the classifier
 * the live system uses now.
 */
export async function runSimulation(
  em: EntityManager | null,
  input: unknown,
  options: { replay?: ReplayWindow | null; maxEvents?: number; maxReplayTickets?: number; inThread?: boolean } = {},
): Promise<SimulationResult> {
  let scenarioInput = input;
  if (options.replay) {
    if (!em) throw new AppError('BAD_USER_INPUT', 'A replay of real tickets needs the database.', { field: ['replay'] });
    scenarioInput = withReplay(
      input,
      await replayTickets(em, options.replay, options.maxReplayTickets ?? Number.MAX_SAFE_INTEGER),
      options.replay,
    );
  }
  const scenario = parsedScenario(scenarioInput);
  const classifier: DomainClassifier = em ? await activeClassifier(em) : defaultClassifier();
  if (!options.inThread) return simulate(scenario, { classifier, maxEvents: options.maxEvents });
  return inThread(scenario, classifier instanceof TextClassifier ? classifier.toJSON() : null, options.maxEvents);
}

function threadFile(): string {
  const here = fileURLToPath(new URL('./simulator/thread.js', import.meta.url));
  // Under the test runner this module is the TypeScript source; the thread always runs the compiled build.
  return existsSync(here) ? here : here.replace(`${sep}src${sep}`, `${sep}dist${sep}`);
}

/** A run of seconds would stall every other request of the API process: it runs on a worker thread instead. */
function inThread(scenario: Scenario, model: string | null, maxEvents: number | undefined): Promise<SimulationResult> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(threadFile(), { workerData: { scenario, model, maxEvents } });
    let settled = false;
    worker.once('message', (result: SimulationResult) => {
      settled = true;
      resolvePromise(result);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`The simulation thread exited with code ${code} before answering.`));
    });
  });
}
