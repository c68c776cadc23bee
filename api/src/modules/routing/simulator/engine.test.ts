import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from './engine.js';
import { parseScenario } from './scenario.js';

/** Scenarios are written as JSON (string literals, not the TS enums), so the tests build them as plain values. */
type Json = Record<string, unknown>;

const scenarioFile = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../../../../docs/scenarios/${name}`, import.meta.url), 'utf8')) as Json;

/** A small scenario: one queue, one always-on agent for HOW_TO, overridable field by field. */
function scenario(overrides: Json = {}): Json {
  return {
    version: 1,
    seed: 7,
    start: '2026-03-02T00:00:00Z', // a Monday
    days: 7,
    timeZone: 'UTC',
    arrivals: { kind: 'profile', ratesPerHour: [{ tier: 'growth', priority: 'NORMAL', domain: 'HOW_TO', perHour: 1 }] },
    handleMinutes: { default: 20 },
    queues: [{ key: 'general', name: 'General' }],
    defaultQueue: 'general',
    roster: { agents: [{ name: 'Gil', skills: { HOW_TO: 2 } }] },
    ...overrides,
  };
}

const withoutRuntime = ({ runtimeMs: _runtimeMs, ...rest }: SimulationResult) => rest;

describe('simulate: queueing theory', () => {
  it('matches M/M/1 (λ = 3/h, μ = 4/h) within 10%: Wq = 45 min, ρ = 0.75, Lq = 2.25 (mean of 3 seeds × 365 days)', () => {
    // docs/scenarios/mm1.json: one agent always on shift, capacity 1, one queue, Poisson arrivals, exponential
    // handling with mean 15 minutes. One year per seed keeps the standard error of Wq at about 5% per run.
    const lambda = 3;
    const mu = 4;
    const rho = lambda / mu;
    const wqMinutes = (lambda / (mu * (mu - lambda))) * 60;
    const lq = rho ** 2 / (1 - rho);
    const runs = [1, 2, 3].map((seed) => simulate(parseScenario({ ...scenarioFile('mm1.json'), seed })));
    const mean = (pick: (result: SimulationResult) => number) => runs.reduce((sum, result) => sum + pick(result), 0) / runs.length;

    for (const result of runs) {
      expect(result.sla).toHaveLength(1); // one priority, so capacity 1 really means one ticket at a time
      expect(result.tickets.arrived).toBeGreaterThan(0.95 * lambda * 24 * 365);
      expect(result.tickets.arrived).toBeLessThan(1.05 * lambda * 24 * 365);
    }
    const wq = mean((result) => result.waiting.meanWaitMinutes!);
    const utilisation = mean((result) => result.agents[0]!.utilisation);
    const waiting = mean((result) => result.waiting.meanWaiting);
    expect(Math.abs(wq - wqMinutes) / wqMinutes).toBeLessThan(0.1);
    expect(Math.abs(utilisation - rho) / rho).toBeLessThan(0.03);
    expect(Math.abs(waiting - lq) / lq).toBeLessThan(0.1);
    // Little's law ties the two measurements together: Lq = λ · Wq.
    expect(Math.abs(waiting - (lambda * wq) / 60) / waiting).toBeLessThan(0.05);
  });
});

describe('simulate: determinism', () => {
  it('gives the identical result for the same seed and a different one for another seed', () => {
    const input = scenarioFile('example.json');
    const first = simulate(parseScenario(input));
    const again = simulate(parseScenario(input));
    expect(JSON.stringify(withoutRuntime(again))).toBe(JSON.stringify(withoutRuntime(first)));
    const other = simulate(parseScenario({ ...input, seed: 43 }));
    expect(other.tickets.arrived).not.toBe(first.tickets.arrived);
    expect(JSON.stringify(withoutRuntime(other))).not.toBe(JSON.stringify(withoutRuntime(first)));
  });
});

describe('simulate: the example week', () => {
  const result = simulate(parseScenario(scenarioFile('example.json')));

  it('pages critical outages and routes them to the critical queue', () => {
    const critical = result.routing.find((row) => row.rule === 'Critical outage: page on-call')!;
    expect(critical.tickets).toBeGreaterThan(0);
    expect(result.pages).toBe(critical.tickets);
    expect(result.queues.find((queue) => queue.key === 'critical')!.entered).toBe(critical.tickets);
  });

  it('routes feature requests to the product specialists', () => {
    const product = result.queues.find((queue) => queue.key === 'product')!;
    const rule = result.routing.find((row) => row.rule === 'Feature requests to product')!;
    expect(rule.tickets).toBeGreaterThan(0);
    expect(product.entered).toBe(rule.tickets);
  });

  it('accounts for every ticket and reports SLA attainment per tier and priority', () => {
    const { arrived, assigned, resolved, unassignedAtEnd, inProgressAtEnd } = result.tickets;
    expect(assigned + unassignedAtEnd).toBe(arrived);
    expect(resolved + inProgressAtEnd).toBe(assigned);
    expect(result.sla.reduce((sum, row) => sum + row.tickets, 0)).toBe(arrived);
    expect(new Set(result.sla.map((row) => row.tier))).toEqual(new Set(['community', 'growth', 'business', 'enterprise']));
    for (const row of result.sla) {
      if (row.firstResponseAttainment !== null)
        expect(row.firstResponseAttainment).toBeCloseTo(row.firstResponseMet / (row.firstResponseMet + row.firstResponseBreached), 3);
    }
    expect(result.breaches.firstResponse).toBe(result.sla.reduce((sum, row) => sum + row.firstResponseBreached, 0));
    expect(result.agents).toHaveLength(20);
    expect(result.queues[0]!.lengthOverTime).toHaveLength(7 * 24);
  });
});

describe('simulate: rosters and shifts', () => {
  it('warns when nobody can take SECURITY tickets, leaves them unassigned and still terminates', () => {
    const result = simulate(
      parseScenario(
        scenario({
          arrivals: {
            kind: 'profile',
            ratesPerHour: [
              { tier: 'enterprise', priority: 'HIGH', domain: 'SECURITY', perHour: 0.5 },
              { tier: 'growth', priority: 'NORMAL', domain: 'HOW_TO', perHour: 1 },
            ],
          },
          queues: [{ key: 'general' }, { key: 'security', domain: 'SECURITY' }],
          rules: [{ name: 'Security', conditions: { domains: ['SECURITY'] }, action: { queue: 'security' } }],
        }),
      ),
    );
    const security = result.queues.find((queue) => queue.key === 'security')!;
    expect(security.entered).toBeGreaterThan(40);
    expect(security.picked).toBe(0);
    expect(security.waitingAtEnd).toBe(security.entered);
    expect(result.tickets.unserved).toBe(security.entered);
    expect(result.tickets.unassignedAtEnd).toBe(security.entered);
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^Nobody in the roster can take queue security's tickets that need SECURITY level 1, HIGH: \d+ tickets waited unassigned/,
      ),
    ]);
    const row = result.sla.find((r) => r.tier === 'enterprise' && r.priority === 'HIGH')!;
    expect(row.unserved).toBe(security.entered);
    expect(row.firstResponseBreached).toBe(security.entered);
    expect(row.firstResponseAttainment).toBe(0);
    // The HOW_TO tickets are served as usual.
    expect(result.queues.find((queue) => queue.key === 'general')!.picked).toBeGreaterThan(100);
  });

  it('gives no work to agents off shift: weekend tickets wait for Monday 09:00', () => {
    const weekendOnly = {
      kind: 'profile',
      ratesPerHour: [
        { tier: 'growth', priority: 'NORMAL', domain: 'HOW_TO', perHour: 2, hoursOfWeek: [{ day: 'WEEKEND', from: 0, to: 24 }] },
      ],
    };
    const weekdays = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'];
    const roster = {
      agents: [
        {
          name: 'Nine-to-five',
          skills: { HOW_TO: 1 },
          capacity: 100,
          shift: { weeklyHours: weekdays.map((day) => ({ day, start: '09:00', end: '17:00' })) },
        },
      ],
    };
    // Seven days from Monday: the weekend's tickets arrive after the last shift of the horizon.
    const week = simulate(parseScenario(scenario({ arrivals: weekendOnly, roster })));
    expect(week.tickets.arrived).toBeGreaterThan(50);
    expect(week.tickets.assigned).toBe(0);
    expect(week.agents[0]!.utilisation).toBe(0);
    expect(week.agents[0]!.onShiftHours).toBe(40);
    expect(week.warnings).toEqual([]); // someone could take them, just not yet
    // Eight days: they are all taken on Monday at 09:00 (the shift start wakes the agent), none before.
    const eight = simulate(parseScenario(scenario({ days: 8, arrivals: weekendOnly, roster })));
    expect(eight.tickets.assigned).toBe(eight.tickets.arrived);
    const general = eight.queues[0]!;
    const monday9 = general.lengthOverTime.findIndex((sample) => sample.at === '2026-03-09T09:00:00.000Z');
    expect(general.lengthOverTime[monday9]!.length).toBe(eight.tickets.arrived);
    expect(general.lengthOverTime[monday9 + 1]!.length).toBe(0);
    // The shortest wait is from Sunday 24:00 to Monday 09:00.
    expect(general.p90WaitMinutes!).toBeGreaterThan(9 * 60);
  });

  it('moves tickets nobody in a queue can take to its fallback queue after fallbackAfterMinutes', () => {
    const result = simulate(
      parseScenario(
        scenario({
          arrivals: { kind: 'profile', ratesPerHour: [{ tier: 'enterprise', priority: 'NORMAL', domain: 'INTEGRATIONS', perHour: 1 }] },
          queues: [
            {
              key: 'integrations',
              domain: 'INTEGRATIONS',
              levelByTier: { enterprise: 3 },
              fallbackQueue: 'general',
              fallbackAfterMinutes: 30,
            },
            { key: 'general', domain: 'HOW_TO' },
          ],
          defaultQueue: 'integrations',
          roster: { agents: [{ name: 'Junior', skills: { INTEGRATIONS: 1, HOW_TO: 1 }, capacity: 10 }] },
        }),
      ),
    );
    const [integrations, general] = result.queues;
    expect(integrations!.picked).toBe(0);
    // Tickets of the horizon's last half hour are still waiting for their overflow: not unserved.
    expect(integrations!.overflowed).toBe(integrations!.entered - integrations!.waitingAtEnd);
    expect(general!.picked).toBe(result.tickets.arrived - integrations!.waitingAtEnd);
    expect(result.tickets.unserved).toBe(0);
    expect(general!.meanWaitMinutes).toBeCloseTo(30, 5);
    expect(result.warnings).toEqual([]);
  });

  it('splits work by skill and reports utilisation against on-shift time', () => {
    const result = simulate(
      parseScenario(
        scenario({
          days: 28,
          arrivals: {
            kind: 'profile',
            ratesPerHour: [
              { tier: 'growth', priority: 'NORMAL', domain: 'HOW_TO', perHour: 1 },
              { tier: 'growth', priority: 'NORMAL', domain: 'BILLING', perHour: 1 },
            ],
          },
          handleMinutes: { default: 30 },
          roster: {
            agents: [
              { name: 'How-to', skills: { HOW_TO: 1 }, capacity: 1 },
              { name: 'Billing', skills: { BILLING: 1 }, capacity: 1 },
            ],
          },
        }),
      ),
    );
    const [howTo, billing] = result.agents;
    expect(howTo!.assigned + billing!.assigned).toBe(result.tickets.assigned);
    // Each is an M/M/1 with ρ = 0.5.
    expect(howTo!.utilisation).toBeGreaterThan(0.42);
    expect(howTo!.utilisation).toBeLessThan(0.58);
    expect(billing!.utilisation).toBeGreaterThan(0.42);
    expect(billing!.utilisation).toBeLessThan(0.58);
    expect(result.roster.meanUtilisation).toBeCloseTo((howTo!.utilisation + billing!.utilisation) / 2, 3);
  });

  it('counts concurrency separately from utilisation when an agent holds several tickets', () => {
    const result = simulate(
      parseScenario(
        scenario({
          arrivals: { kind: 'profile', ratesPerHour: [{ tier: 'growth', priority: 'NORMAL', domain: 'HOW_TO', perHour: 6 }] },
          handleMinutes: { default: 20 },
          roster: { agents: [{ name: 'Juggler', skills: { HOW_TO: 1 }, capacity: 5 }] },
        }),
      ),
    );
    const [agent] = result.agents;
    // Offered load 6/h × 1/3 h = 2 tickets held on average (an M/M/5 with a = 2), busy whenever holding one.
    expect(agent!.meanConcurrent).toBeGreaterThan(1.7);
    expect(agent!.meanConcurrent).toBeLessThan(2.3);
    expect(agent!.utilisation).toBeLessThan(1);
    expect(agent!.utilisation).toBeGreaterThan(0.75);
  });
});

describe('simulate: replay', () => {
  it('replays real tickets, triaging text without a domain with the classifier', () => {
    const result = simulate(
      parseScenario(
        scenario({
          days: 1,
          arrivals: {
            kind: 'replay',
            tickets: [
              {
                createdAt: '2026-03-02T10:00:00Z',
                tier: 'business',
                priority: 'NORMAL',
                impact: 'LOW',
                businessCritical: false,
                subject: 'We were charged twice on the last invoice',
                description: 'Please refund.',
              },
              {
                createdAt: '2026-03-02T09:00:00Z',
                tier: 'enterprise',
                priority: 'HIGH',
                impact: 'CRITICAL',
                businessCritical: true,
                subject: 'Production outage',
                description: 'The app is down for all users.',
                domain: 'PERFORMANCE',
              },
              {
                createdAt: '2026-03-02T11:00:00Z',
                tier: 'community',
                priority: 'LOW',
                impact: 'LOW',
                businessCritical: false,
                subject: 'How do I export a report?',
                description: '',
                domain: 'HOW_TO',
              },
            ],
          },
          queues: [{ key: 'general' }, { key: 'billing', domain: 'BILLING' }, { key: 'critical' }],
          rules: [
            {
              name: 'Outage',
              conditions: { criticalOutage: true },
              action: { queue: 'critical', escalationPolicy: 'on-call', pageImmediately: true },
            },
            { name: 'Billing', conditions: { domains: ['BILLING'] }, action: { queue: 'billing' } },
          ],
          roster: { agents: [{ name: 'Everyone', skills: { HOW_TO: 3, BILLING: 3, PERFORMANCE: 3 }, capacity: 5 }] },
        }),
      ),
    );
    expect(result.tickets.arrived).toBe(3);
    expect(result.routing).toEqual([
      { rule: 'Outage', tickets: 1 },
      { rule: 'Billing', tickets: 1 },
      { rule: '(default queue)', tickets: 1 },
    ]);
    expect(result.pages).toBe(1);
    // The outage was raised to URGENT by triage, within what enterprise allows.
    expect(result.sla.find((row) => row.tier === 'enterprise')!.priority).toBe('URGENT');
  });
});

describe('simulate: safety valve', () => {
  it('stops after maxEvents with a warning instead of running on', () => {
    const result = simulate(parseScenario(scenario()), { maxEvents: 10 });
    expect(result.events).toBe(10);
    expect(result.warnings.some((warning) => warning.includes('stopped after 10 events'))).toBe(true);
  });
});
