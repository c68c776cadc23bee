// Business-calendar arithmetic: due-date computations per second on one core.
// `node bench/calendar.mjs` alone, or `run()` from bench/run.mjs, against the current build of the API
// (`npx -y pnpm@10 --filter @tierdesk/api build`). BENCH_CALENDAR_SECONDS sets the time per figure (default 1).
import { pathToFileURL } from 'node:url';
import { BusinessCalendar } from '@tierdesk/api/modules/calendars';
import { perSecond, printSections, seededRandom } from './lib/stats.mjs';

const WORKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'];
const ALL_DAYS = [...WORKDAYS, 'SATURDAY', 'SUNDAY'];
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

/** US federal holidays 2026 plus the day after Thanksgiving: fixed-date ones annual, the others one-off. */
const HOLIDAYS = [
  { date: '2026-01-01', name: "New Year's Day", annual: true },
  { date: '2026-01-19', name: 'Martin Luther King Jr. Day' },
  { date: '2026-02-16', name: "Washington's Birthday" },
  { date: '2026-05-25', name: 'Memorial Day' },
  { date: '2026-06-19', name: 'Juneteenth', annual: true },
  { date: '2026-07-03', name: 'Independence Day (observed)' },
  { date: '2026-09-07', name: 'Labor Day' },
  { date: '2026-10-12', name: 'Columbus Day' },
  { date: '2026-11-11', name: 'Veterans Day', annual: true },
  { date: '2026-11-26', name: 'Thanksgiving Day' },
  { date: '2026-11-27', name: 'Day after Thanksgiving' },
  { date: '2026-12-25', name: 'Christmas Day', annual: true },
];

/** SLA targets from 15 minutes to 5 days, as tiers set them. */
const TARGETS = [15, 30, 60, 120, 240, 480, 960, 1440, 2880, 7200];

function officeCalendar() {
  return BusinessCalendar.compile({
    timeZone: 'America/New_York',
    weeklyHours: [
      ...WORKDAYS.map((day) => ({ day, start: '09:00', end: '12:00' })),
      ...WORKDAYS.map((day) => ({ day, start: '13:00', end: '17:00' })),
    ],
    holidays: HOLIDAYS,
  });
}

/** Runs `body(i)` over i = 0..size-1 again and again for about `durationMs`; returns operations per second. */
function measure(size, durationMs, body) {
  for (let i = 0; i < size; i++) body(i); // warm-up: JIT and the week cache
  let operations = 0;
  let sink = 0;
  const started = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < size; i++) sink += body(i);
    operations += size;
    elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  }
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the results alive');
  return (operations / elapsed) * 1000;
}

const nsPerOp = (opsPerSecond) => `${(1e9 / opsPerSecond).toFixed(0)} ns`;

export async function run({ print = true, durationMs = Number(process.env.BENCH_CALENDAR_SECONDS ?? 1) * 1000 } = {}) {
  const random = seededRandom(2026);
  const size = 1 << 14;
  // Random instants within March 2026 (which has New York's spring-forward change) and random SLA targets.
  const monthStart = Date.parse('2026-03-01T05:00:00Z');
  const instants = Array.from({ length: size }, () => new Date(monthStart + Math.floor(random() * 31 * DAY)));
  const targets = Int32Array.from({ length: size }, () => TARGETS[Math.floor(random() * TARGETS.length)]);
  const ends = Array.from({ length: size }, (_, i) => new Date(instants[i].getTime() + Math.floor(random() * 7 * DAY)));

  const calendars = [
    ['New York office hours, lunch break, 12 holidays', officeCalendar()],
    ['24x7 (alwaysOpen)', BusinessCalendar.alwaysOpen()],
    [
      '24x7 in New York with the 12 holidays',
      BusinessCalendar.compile({
        timeZone: 'America/New_York',
        weeklyHours: ALL_DAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
        holidays: HOLIDAYS,
      }),
    ],
  ];

  const throughput = [['calendar', 'addBusinessMinutes', 'per call', 'businessMinutesBetween', 'per call']];
  for (const [name, calendar] of calendars) {
    process.stderr.write(`  [calendar] ${name}\n`);
    const add = measure(size, durationMs, (i) => calendar.addBusinessMinutes(instants[i], targets[i]).getTime());
    const between = measure(size, durationMs, (i) => calendar.businessMinutesBetween(instants[i], ends[i]));
    throughput.push([name, perSecond(add), nsPerOp(add), perSecond(between), nsPerOp(between)]);
  }

  // Cost against the span: the same calendar, growing targets. Weeks crossed, not minutes, set the price.
  const office = officeCalendar();
  const spans = [
    ['15 minutes', 15],
    ['1 business day (7 h)', 420],
    ['5 business days', 5 * 420],
    ['1 month (22 business days)', 22 * 420],
    ['1 year (250 business days)', 250 * 420],
  ];
  const growth = [['target', 'minutes', 'addBusinessMinutes', 'per call', 'mean calendar span']];
  const meanSpanDays = (minutes) => {
    let sum = 0;
    for (let i = 0; i < 1000; i++) sum += office.addBusinessMinutes(instants[i], minutes) - instants[i];
    return sum / 1000 / DAY;
  };
  for (const [name, minutes] of spans) {
    process.stderr.write(`  [calendar] span ${name}\n`);
    const add = measure(size, durationMs / 2, (i) => office.addBusinessMinutes(instants[i], minutes).getTime());
    const days = meanSpanDays(minutes);
    growth.push([
      name,
      minutes.toLocaleString('en-US'),
      perSecond(add),
      nsPerOp(add),
      days < 1 ? `${(days * 24).toFixed(1)} h` : `${days.toFixed(1)} days`,
    ]);
  }
  const yearLater = instants.map((instant) => new Date(instant.getTime() + 365 * DAY));
  const betweenYear = measure(size, durationMs / 2, (i) => office.businessMinutesBetween(instants[i], yearLater[i]));
  growth.push(['businessMinutesBetween over 365 days', '–', perSecond(betweenYear), nsPerOp(betweenYear), '365.0 days']);

  // Cold: a freshly compiled calendar's first answer pays for compiling and expanding its weeks (Intl offsets).
  process.stderr.write('  [calendar] cold start\n');
  const cold = [];
  for (let i = 0; i < 200; i++) {
    const started = process.hrtime.bigint();
    officeCalendar().addBusinessMinutes(instants[i], 2880);
    cold.push(Number(process.hrtime.bigint() - started) / 1e3);
  }
  cold.sort((a, b) => a - b);
  const coldMedian = cold[cold.length >> 1];
  const expansionStarted = process.hrtime.bigint();
  const fresh = officeCalendar();
  fresh.businessMinutesBetween(new Date('2026-01-05T05:00:00Z'), new Date('2035-01-01T05:00:00Z')); // 470 weeks, all cold
  const perWeek = Number(process.hrtime.bigint() - expansionStarted) / 1e3 / 470;

  const sections = [
    {
      heading: 'Due dates per second, one core (random instants in March 2026, targets 15 min–5 days)',
      rows: throughput,
      notes: ['Goal (issue budget): at least 1,000,000 addBusinessMinutes per second on the office calendar.'],
    },
    {
      heading: 'Cost against the target: grows with the weeks and intervals crossed, not the minutes',
      rows: growth,
    },
    {
      heading: 'Cold caches',
      rows: [
        ['case', 'time'],
        ['compile + first addBusinessMinutes (2 days), median of 200', `${coldMedian.toFixed(0)} µs`],
        ['expanding one week of open time (Intl offsets), mean over 470 weeks', `${perWeek.toFixed(1)} µs`],
      ],
      notes: ['Each calendar keeps up to 256 expanded weeks (about five years) in a direct-mapped cache.'],
    },
  ];
  if (print) {
    printSections(sections);
  }
  return { sections };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
