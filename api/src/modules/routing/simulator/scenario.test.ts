import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Random, poissonArrivals } from './random.js';
import { hourlyRates, parseScenario, ScenarioError, type ScenarioProblem } from './scenario.js';

const scenarioFile = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../../../docs/scenarios/${name}`, import.meta.url), 'utf8'));

/** Scenarios are JSON (string literals, not the TS enums), so the tests build them as plain values. */
function base(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    seed: 1,
    start: '2026-03-02T00:00:00Z',
    days: 7,
    timeZone: 'UTC',
    arrivals: { kind: 'profile', ratesPerHour: [{ tier: 'growth', priority: 'NORMAL', domain: 'HOW_TO', perHour: 1 }] },
    handleMinutes: { default: 20 },
    queues: [{ key: 'general' }, { key: 'security', domain: 'SECURITY' }],
    rules: [{ name: 'Security', conditions: { domains: ['SECURITY'] }, action: { queue: 'security' } }],
    defaultQueue: 'general',
    roster: { agents: [{ name: 'Gil', skills: { HOW_TO: 2, SECURITY: 1 } }] },
    ...overrides,
  };
}

function problemsOf(input: unknown): ScenarioProblem[] {
  try {
    parseScenario(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).problems;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseScenario', () => {
  it('reads the documented examples and fills in the defaults', () => {
    const example = parseScenario(scenarioFile('example.json'));
    expect(example.roster.agents.reduce((sum, agent) => sum + agent.count, 0)).toBe(20);
    expect(example.queues.map((queue) => queue.key)).toContain('product');
    const mm1 = parseScenario(scenarioFile('mm1.json'));
    expect(mm1.handleMinutes).toEqual({ default: 15, overrides: [], firstResponseFraction: 0 });
    expect(mm1.roster.agents[0]).toMatchObject({
      count: 1,
      languages: ['en'],
      presence: 'ONLINE',
      shift: 'always',
      capacity: 1,
      certifications: [],
    });
  });

  it('refuses another version', () => {
    expect(problemsOf(base({ version: 2 }))).toEqual([
      expect.objectContaining({ path: 'version', message: expect.stringContaining('version 1') }),
    ]);
  });

  it('names a rule that references an unknown queue, with the routing validator’s code', () => {
    const problems = problemsOf(
      base({ rules: [{ name: 'Security', conditions: { domains: ['SECURITY'] }, action: { queue: 'secops' } }] }),
    );
    expect(problems).toEqual([{ path: 'rules.0.action.queue', code: 'UNKNOWN_QUEUE', message: 'Queue secops does not exist.' }]);
  });

  it('names unknown domains and tiers in rules, unknown skills in the roster and an unknown default queue', () => {
    const problems = problemsOf(
      base({
        rules: [{ name: 'Odd', conditions: { domains: ['SECURITY', 'CRYPTO'], tierKeys: ['platinum'] }, action: { queue: 'security' } }],
        roster: { agents: [{ name: 'Gil', skills: { HOW_TO: 2, COOKING: 3 } }] },
        defaultQueue: 'nowhere',
      }),
    );
    expect(problems.map((problem) => [problem.path, problem.code])).toEqual(
      expect.arrayContaining([
        ['rules.0.conditions.domains.1', 'UNKNOWN_DOMAIN'],
        ['rules.0.conditions.tierKeys.0', 'UNKNOWN_TIER'],
        ['roster.agents.0.skills.COOKING', 'UNKNOWN_SKILL'],
        ['defaultQueue', 'UNKNOWN_QUEUE'],
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('reports a cyclic fallback', () => {
    const problems = problemsOf(
      base({
        queues: [
          { key: 'general', fallbackQueue: 'security', fallbackAfterMinutes: 30 },
          { key: 'security', domain: 'SECURITY', fallbackQueue: 'general', fallbackAfterMinutes: 30 },
        ],
      }),
    );
    expect(problems).toEqual([
      { path: 'queues.0.fallbackQueue', code: 'CYCLIC_FALLBACK', message: 'Fallback cycle: general → security → general.' },
    ]);
  });

  it('reports absurd rates: negative, not finite, or too many arrivals in total', () => {
    const rate = (perHour: number) =>
      base({ arrivals: { kind: 'profile', ratesPerHour: [{ tier: 'growth', priority: 'NORMAL', domain: 'HOW_TO', perHour }] } });
    expect(problemsOf(rate(-1))).toEqual([
      expect.objectContaining({ path: 'arrivals.ratesPerHour.0.perHour', message: 'A rate cannot be negative.' }),
    ]);
    expect(problemsOf(rate(Number.POSITIVE_INFINITY))).toEqual([expect.objectContaining({ path: 'arrivals.ratesPerHour.0.perHour' })]);
    expect(problemsOf(rate(Number.NaN))).toEqual([expect.objectContaining({ path: 'arrivals.ratesPerHour.0.perHour' })]);
    // 12,000 an hour for a week is 2,016,000 expected arrivals.
    expect(problemsOf(rate(12_000))).toEqual([
      {
        path: 'arrivals.ratesPerHour',
        code: 'ABSURD_RATE',
        message: 'The rates give 2,016,000 expected arrivals over 7 days; a run allows at most 2,000,000.',
      },
    ]);
    // Just under the cap is accepted as given.
    expect(parseScenario(rate(11_000)).arrivals).toEqual({
      kind: 'profile',
      ratesPerHour: [expect.objectContaining({ tier: 'growth', priority: 'NORMAL', domain: 'HOW_TO', perHour: 11_000 })],
    });
    // A peak multiplier counts too.
    const peaked = base({
      arrivals: {
        kind: 'profile',
        ratesPerHour: [{ tier: 'growth', priority: 'NORMAL', domain: 'HOW_TO', perHour: 10_000 }],
        peak: { multiplier: 2, hoursOfWeek: [{ day: 'ALL', from: 0, to: 24 }] },
      },
    });
    expect(problemsOf(peaked)).toEqual([expect.objectContaining({ code: 'ABSURD_RATE' })]);
  });

  it('reports the limits: days, head count, handling time', () => {
    expect(problemsOf(base({ days: 367 }))).toEqual([expect.objectContaining({ path: 'days', message: 'At most 366 days.' })]);
    expect(
      problemsOf(
        base({
          roster: {
            agents: [
              { name: 'Crowd', count: 3_000, skills: { HOW_TO: 1 } },
              { name: 'More', count: 2_001, skills: { HOW_TO: 1 } },
            ],
          },
        }),
      ),
    ).toEqual([expect.objectContaining({ path: 'roster.agents', code: 'TOO_MANY_AGENTS' })]);
    expect(problemsOf(base({ handleMinutes: { default: 0 } }))).toEqual([
      expect.objectContaining({ path: 'handleMinutes.default', message: 'Must be more than 0 minutes.' }),
    ]);
    expect(problemsOf(base({ handleMinutes: { default: 10, overrides: [{ domain: 'HOW_TO', minutes: -5 }] } }))).toEqual([
      expect.objectContaining({ path: 'handleMinutes.overrides.0.minutes' }),
    ]);
  });

  it('reports every problem of the shape at once, each with its path', () => {
    const problems = problemsOf({
      ...base(),
      seed: 1.5,
      start: 'yesterday',
      timeZone: '',
      queues: [],
      roster: { agents: [{ name: '', skills: { HOW_TO: 4 } }] },
    });
    expect(problems.map((problem) => problem.path).sort()).toEqual(
      ['queues', 'roster.agents.0.name', 'roster.agents.0.skills.HOW_TO', 'seed', 'start', 'timeZone'].sort(),
    );
  });

  it('checks calendars, tiers and priorities the tier allows', () => {
    const problems = problemsOf(
      base({
        timeZone: 'Mars/Olympus',
        arrivals: {
          kind: 'profile',
          ratesPerHour: [
            { tier: 'community', priority: 'URGENT', domain: 'HOW_TO', perHour: 1 },
            { tier: 'gold', priority: 'LOW', domain: 'HOW_TO', perHour: 1 },
          ],
        },
        roster: {
          agents: [
            {
              name: 'Gil',
              skills: { HOW_TO: 1 },
              shift: { timeZone: 'UTC', weeklyHours: [{ day: 'MONDAY', start: '09:00', end: '09:00' }] },
            },
          ],
        },
      }),
    );
    expect(problems.map((problem) => [problem.path, problem.code])).toEqual(
      expect.arrayContaining([
        ['timeZone', 'INVALID_CALENDAR'],
        ['roster.agents.0.shift.weeklyHours.0.end', 'INVALID_CALENDAR'],
        ['arrivals.ratesPerHour.0.priority', 'PRIORITY_NOT_ALLOWED'],
        ['arrivals.ratesPerHour.1.tier', 'UNKNOWN_TIER'],
      ]),
    );
  });

  it('reads replayed tickets inside the horizon only', () => {
    const ticket = { tier: 'growth', priority: 'NORMAL', impact: 'LOW', businessCritical: false, subject: 'Question' };
    const replay = (createdAt: string) => base({ arrivals: { kind: 'replay', tickets: [{ ...ticket, createdAt }] } });
    const inside = parseScenario(replay('2026-03-03T10:00:00Z')).arrivals;
    expect(inside.kind === 'replay' && inside.tickets.map((read) => read.createdAt)).toEqual([expect.anything()]);
    expect(inside.kind === 'replay' && new Date(inside.tickets[0]!.createdAt).toISOString()).toBe('2026-03-03T10:00:00.000Z');
    expect(problemsOf(replay('2026-03-09T00:00:00Z'))).toEqual([
      expect.objectContaining({ path: 'arrivals.tickets.0.createdAt', code: 'OUTSIDE_HORIZON' }),
    ]);
  });

  it('does not treat a roster with nobody for a domain as an error (the run warns instead)', () => {
    const { roster } = parseScenario(base({ roster: { agents: [{ name: 'Gil', skills: { HOW_TO: 2 } }] } }));
    expect(roster.agents).toEqual([expect.objectContaining({ name: 'Gil', skills: { HOW_TO: 2 } })]);
  });
});

describe('arrival rates per hour of the week', () => {
  it('follows the local hours of the scenario’s time zone and applies the peak', () => {
    const scenario = parseScenario(
      base({
        timeZone: 'America/New_York',
        start: '2026-03-02T05:00:00Z', // Monday 00:00 in New York
        arrivals: {
          kind: 'profile',
          ratesPerHour: [
            { tier: 'growth', priority: 'NORMAL', domain: 'HOW_TO', perHour: 2, hoursOfWeek: [{ day: 'WEEKDAYS', from: 9, to: 17 }] },
          ],
          peak: { multiplier: 3, hoursOfWeek: [{ day: 'MONDAY', from: 9, to: 10 }] },
        },
      }),
    );
    if (scenario.arrivals.kind !== 'profile') throw new Error('profile expected');
    const { totals } = hourlyRates(scenario, scenario.arrivals);
    expect(totals).toHaveLength(7 * 24);
    expect(totals[8]).toBe(0);
    expect(totals[9]).toBe(6); // Monday 09:00, peak
    expect(totals[10]).toBe(2);
    expect(totals[17]).toBe(0);
    expect(totals[24 + 9]).toBe(2);
    expect(totals.slice(5 * 24).every((rate) => rate === 0)).toBe(true); // the weekend
  });
});

describe('random', () => {
  it('repeats a stream for the same seed and separates streams and seeds', () => {
    const draw = (seed: number, stream: number) => {
      const random = new Random(seed, stream);
      return Array.from({ length: 5 }, () => random.nextUint32());
    };
    expect(draw(1, 0)).toEqual(draw(1, 0));
    expect(draw(1, 0)).not.toEqual(draw(1, 1));
    expect(draw(1, 0)).not.toEqual(draw(2, 0));
    expect(draw(1, 0)).not.toEqual(draw(2 ** 32 + 1, 0));
  });

  it('draws exponential and Poisson variates with the right means', () => {
    const random = new Random(99);
    const n = 50_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += random.exponential(4);
    expect(sum / n).toBeCloseTo(0.25, 2);
    for (const mean of [3, 120]) {
      let total = 0;
      let squares = 0;
      for (let i = 0; i < n; i++) {
        const k = random.poisson(mean);
        total += k;
        squares += k * k;
      }
      const sampleMean = total / n;
      expect(Math.abs(sampleMean - mean) / mean).toBeLessThan(0.01);
      expect(Math.abs(squares / n - sampleMean ** 2 - mean) / mean).toBeLessThan(0.05); // variance = mean
    }
  });

  it('generates a non-homogeneous Poisson process slot by slot, in order', () => {
    const random = new Random(5);
    const rates = [0, 10, 0, 40];
    const counts = [0, 0, 0, 0];
    let last = -Infinity;
    let outOfSlotOrOrder = 0;
    let runs = 0;
    for (; runs < 500; runs++) {
      last = -Infinity;
      poissonArrivals(random, rates, 0, 1000, (at, slot) => {
        if (at < slot * 1000 || at >= (slot + 1) * 1000 || at < last) outOfSlotOrOrder++;
        counts[slot]!++;
        last = at;
      });
    }
    expect(outOfSlotOrOrder).toBe(0);
    expect(counts[0]).toBe(0);
    expect(counts[2]).toBe(0);
    expect(Math.abs(counts[1]! / runs - 10)).toBeLessThan(0.5);
    expect(Math.abs(counts[3]! / runs - 40)).toBeLessThan(1.2);
  });
});
