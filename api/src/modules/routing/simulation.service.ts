import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { QueryFlag, type EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../shared/errors.js';
import { Ticket } from '../tickets/index.js';
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
  const inWindow = { createdAt: { $gte: window.from, $lt: window.to } };
  // Counted before anything is loaded, so a window over the cap is refused in milliseconds, not after hydrating it.
  if ((await em.count(Ticket, inWindow, { filters: ALL_TENANTS })) > limit) {
    throw new AppError(
      'INVALID_SCENARIO',
      `The window holds more than ${limit.toLocaleString('en-US')} tickets; replay a shorter period or use \`tierdesk simulate\`.`,
      { field: ['replay'] },
    );
  }
  // One projection of what the simulator reads, across tenants, without hydrating entities (a window at the cap
  // took seconds that way).
  const rows: ReplayRow[] = await em
    .createQueryBuilder(Ticket, 't')
    .select([
      't.created_at',
      'tier.key as tier',
      't.priority',
      't.impact',
      't.channel',
      'o.business_critical',
      't.subject',
      't.description',
      't.id',
    ])
    .join('t.organization', 'o')
    .join('o.tier', 'tier')
    .where(inWindow)
    .orderBy({ 't.createdAt': 'asc', 't.id': 'asc' })
    .setFlag(QueryFlag.DISABLE_PAGINATE)
    .execute('all', false);
  // Staff corrections are few: the domain a person gave wins over what triage would say again.
  const corrections = new Map(
    (await em.find(TriageDecision, { ticket: inWindow, correctedDomain: { $ne: null } }, { filters: ALL_TENANTS })).map((row) => [
      row.ticket.id,
      row.correctedDomain,
    ]),
  );
  return rows.map((row) => ({
    createdAt: new Date(row.created_at).toISOString(),
    tier: row.tier,
    priority: row.priority,
    impact: row.impact,
    channel: row.channel,
    businessCritical: row.business_critical,
    subject: row.subject,
    description: row.description,
    domain: corrections.get(row.id) ?? null,
  }));
}

interface ReplayRow {
  created_at: Date | string;
  tier: string;
  priority: string;
  impact: string;
  channel: string;
  business_critical: boolean;
  subject: string;
  description: string;
  id: string;
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
