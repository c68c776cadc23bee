// What-if simulator: a 30-day run with about 100,000 tickets and 200 agents in shifts (goal: ≤ 10 s).
// `node bench/simulate.mjs` alone, or `simulateBench()` from a runner, against the current build of the API
// (`cd api && npx tsc -p tsconfig.build.json`). BENCH_SIM_DAYS and BENCH_SIM_RUNS change the horizon (default 30)
// and the number of timed runs (default 3; the median is reported, the first run also pays for JIT warm-up).
import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import { parseScenario, simulate } from '@tierdesk/api/modules/routing';
import { median, perSecond, printSections, seconds, since } from './lib/stats.mjs';

const DOMAINS = ['SECURITY', 'PERFORMANCE', 'INTEGRATIONS', 'DATA_MODELS', 'BILLING', 'HOW_TO', 'FEATURE_REQUEST'];
/** Share of tickets per domain. */
const DOMAIN_MIX = {
  SECURITY: 0.05,
  PERFORMANCE: 0.12,
  INTEGRATIONS: 0.18,
  DATA_MODELS: 0.15,
  BILLING: 0.12,
  HOW_TO: 0.3,
  FEATURE_REQUEST: 0.08,
};
/** Share of tickets per tier, and per priority within the tier (only the priorities the tier allows). */
const TIER_MIX = {
  community: [0.3, { LOW: 0.6, NORMAL: 0.4 }],
  growth: [0.35, { LOW: 0.3, NORMAL: 0.5, HIGH: 0.2 }],
  business: [0.25, { LOW: 0.2, NORMAL: 0.5, HIGH: 0.22, URGENT: 0.08 }],
  enterprise: [0.1, { LOW: 0.15, NORMAL: 0.45, HIGH: 0.28, URGENT: 0.12 }],
};

/**
 * Base rates: the weekday rate for every (tier, priority, domain), half of it at weekends, and a 1.6× peak on
 * weekday afternoons in New York (when Europe and the Americas overlap). Scaled so the expected total over 30 days
 * is 100,000 (about 139 an hour on average).
 */
function benchScenario(days) {
  const WEEKEND_FACTOR = 0.5;
  const PEAK = 1.6;
  const PEAK_HOURS = 5; // 12:00–17:00 on the five weekdays
  // Expected arrivals per hour-of-week unit of the base rate: 5 weekdays × 24 h + peak extra + weekend.
  const weeklyUnits = 5 * 24 + 5 * PEAK_HOURS * (PEAK - 1) + 2 * 24 * WEEKEND_FACTOR;
  const base = (100_000 * 7) / days / weeklyUnits;
  const ratesPerHour = [];
  for (const [tier, [tierShare, priorities]] of Object.entries(TIER_MIX)) {
    for (const [priority, priorityShare] of Object.entries(priorities)) {
      for (const domain of DOMAINS) {
        const perHour = base * tierShare * priorityShare * DOMAIN_MIX[domain];
        ratesPerHour.push({ tier, priority, domain, perHour, hoursOfWeek: [{ day: 'WEEKDAYS', from: 0, to: 24 }] });
        ratesPerHour.push({
          tier,
          priority,
          domain,
          perHour: perHour * WEEKEND_FACTOR,
          hoursOfWeek: [{ day: 'WEEKEND', from: 0, to: 24 }],
        });
      }
    }
  }
  // A few critical outages a week from business-critical enterprise customers: they page.
  ratesPerHour.push({
    tier: 'enterprise',
    priority: 'URGENT',
    domain: 'PERFORMANCE',
    perHour: 0.05,
    impact: 'CRITICAL',
    subject: 'Production outage: the dashboard is down for all users',
  });

  const weekdays = (start, end) => ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'].map((day) => ({ day, start, end }));
  const weekend = (start, end) => ['SATURDAY', 'SUNDAY'].map((day) => ({ day, start, end }));
  const capacity = { LOW: 3, NORMAL: 2, HIGH: 1, URGENT: 1 };
  const generalist = { HOW_TO: 2, BILLING: 2, INTEGRATIONS: 1, DATA_MODELS: 1, FEATURE_REQUEST: 2 };
  const engineer = { PERFORMANCE: 3, INTEGRATIONS: 3, DATA_MODELS: 3, HOW_TO: 2, SECURITY: 1 };
  const security = { SECURITY: 3, PERFORMANCE: 2, INTEGRATIONS: 2, HOW_TO: 1 };
  const region = (name, timeZone, hours, counts) => [
    { name: `${name} generalist`, count: counts[0], skills: generalist, region: name, shift: { timeZone, weeklyHours: hours }, capacity },
    { name: `${name} engineer`, count: counts[1], skills: engineer, region: name, shift: { timeZone, weeklyHours: hours }, capacity },
    {
      name: `${name} security`,
      count: counts[2],
      skills: security,
      certifications: ['security-response'],
      region: name,
      shift: { timeZone, weeklyHours: hours },
      capacity,
    },
  ];
  const agents = [
    ...region('Americas', 'America/New_York', weekdays('08:00', '17:00'), [28, 24, 6]),
    ...region('EMEA', 'Europe/Dublin', weekdays('08:00', '17:00'), [28, 24, 6]),
    ...region('APAC', 'Asia/Singapore', weekdays('08:00', '17:00'), [20, 18, 4]),
    // Nights and weekends: a follow-the-sun crew in UTC.
    ...region('Night', 'UTC', weekdays('22:00', '24:00'), [6, 6, 2]),
    ...region('Weekend', 'UTC', [...weekend('00:00', '12:00')], [6, 6, 2]),
    ...region('Weekend late', 'UTC', [...weekend('12:00', '24:00')], [6, 6, 2]),
  ];

  return {
    version: 1,
    name: `Benchmark: ${days} days, ~100,000 tickets, 200 agents`,
    seed: 2026,
    start: '2026-03-02T00:00:00Z',
    days,
    timeZone: 'America/New_York',
    arrivals: {
      kind: 'profile',
      ratesPerHour,
      peak: { multiplier: PEAK, hoursOfWeek: [{ day: 'WEEKDAYS', from: 12, to: 12 + PEAK_HOURS }] },
    },
    handleMinutes: {
      default: 30,
      overrides: [
        { domain: 'SECURITY', minutes: 60 },
        { domain: 'PERFORMANCE', minutes: 45 },
        { domain: 'HOW_TO', minutes: 15 },
        { domain: 'FEATURE_REQUEST', minutes: 10 },
      ],
      firstResponseFraction: 0.1,
    },
    queues: [
      { key: 'critical', name: 'Critical outages', levelByTier: { enterprise: 2, business: 2 } },
      { key: 'security', name: 'Security', domain: 'SECURITY', requiredCertification: 'security-response', levelByTier: { enterprise: 2 } },
      { key: 'performance', name: 'Performance', domain: 'PERFORMANCE', levelByTier: { enterprise: 2 } },
      { key: 'integrations', name: 'Integrations', domain: 'INTEGRATIONS', fallbackQueue: 'general', fallbackAfterMinutes: 240 },
      { key: 'data-models', name: 'Data models', domain: 'DATA_MODELS', fallbackQueue: 'general', fallbackAfterMinutes: 240 },
      { key: 'billing', name: 'Billing', domain: 'BILLING' },
      { key: 'product', name: 'Product specialists', domain: 'FEATURE_REQUEST', targetMinutes: 3 * 24 * 60 },
      { key: 'general', name: 'General', domain: 'HOW_TO' },
    ],
    rules: [
      {
        name: 'Critical outage: page on-call',
        conditions: { criticalOutage: true },
        action: { queue: 'critical', priority: 'URGENT', escalationPolicy: 'outage-on-call', pageImmediately: true },
      },
      { name: 'Feature requests to product', conditions: { domains: ['FEATURE_REQUEST'] }, action: { queue: 'product' } },
      { name: 'Security', conditions: { domains: ['SECURITY'] }, action: { queue: 'security' } },
      { name: 'Performance', conditions: { domains: ['PERFORMANCE'] }, action: { queue: 'performance' } },
      { name: 'Integrations', conditions: { domains: ['INTEGRATIONS'] }, action: { queue: 'integrations' } },
      { name: 'Data models', conditions: { domains: ['DATA_MODELS'] }, action: { queue: 'data-models' } },
      { name: 'Billing', conditions: { domains: ['BILLING'] }, action: { queue: 'billing' } },
    ],
    defaultQueue: 'general',
    roster: { agents },
  };
}

const percent = (value) => (value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)}%`);

export async function simulateBench({
  print = true,
  days = Number(process.env.BENCH_SIM_DAYS ?? 30),
  runs = Number(process.env.BENCH_SIM_RUNS ?? 3),
} = {}) {
  const parseStarted = process.hrtime.bigint();
  const scenario = parseScenario(benchScenario(days));
  const parseMs = since(parseStarted);

  const walls = [];
  let result;
  for (let run = 0; run < runs; run++) {
    process.stderr.write(`  [simulate] run ${run + 1} of ${runs}\n`);
    const started = process.hrtime.bigint();
    result = simulate(scenario);
    walls.push(since(started));
  }
  const wall = median(walls);
  const memory = process.memoryUsage();
  const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

  const slaRows = [['tier', 'priority', 'tickets', 'first response', 'resolution', 'unserved']];
  for (const row of result.sla) {
    slaRows.push([
      row.tier,
      row.priority,
      row.tickets.toLocaleString('en-US'),
      percent(row.firstResponseAttainment),
      percent(row.resolutionAttainment),
      String(row.unserved),
    ]);
  }
  const met = (field) => result.sla.reduce((sum, row) => sum + row[`${field}Met`], 0);
  const breached = (field) => result.sla.reduce((sum, row) => sum + row[`${field}Breached`], 0);
  const overall = (field) => met(field) / (met(field) + breached(field));

  const sections = [
    {
      heading: `What-if simulation: ${days} days, ${result.roster.agents} agents in shifts (median of ${runs} runs)`,
      rows: [
        ['figure', 'value'],
        ['arrivals', result.tickets.arrived.toLocaleString('en-US')],
        ['events', result.events.toLocaleString('en-US')],
        ['wall time (simulate)', seconds(wall)],
        ['wall time per run', walls.map((value) => seconds(value)).join(', ')],
        ['events per second', perSecond((result.events / wall) * 1000)],
        ['parseScenario', seconds(parseMs)],
        ['heap used after the runs', mib(memory.heapUsed)],
        ['rss', mib(memory.rss)],
        ['first-response attainment (all tickets)', percent(overall('firstResponse'))],
        ['resolution attainment (all tickets)', percent(overall('resolution'))],
        ['mean wait before pickup', `${result.waiting.meanWaitMinutes} min (p90 ${result.waiting.p90WaitMinutes} min)`],
        ['mean agent utilisation (on shift)', percent(result.roster.meanUtilisation)],
        ['pages (critical outages)', String(result.pages)],
        ['unassigned at the end', result.tickets.unassignedAtEnd.toLocaleString('en-US')],
      ],
      notes: [
        'Goal (issue budget): a 30-day simulation with 100,000 tickets and 200 agents in at most 10 s.',
        ...result.warnings.map((warning) => `warning: ${warning}`),
      ],
    },
    { heading: 'SLA attainment per tier and priority', rows: slaRows },
  ];
  if (print) {
    printSections(sections);
  }
  return { sections, result, wallMs: wall };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await simulateBench();
}
