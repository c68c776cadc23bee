import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { median, seconds, since } from './lib/stats.mjs';
import { freePort, REPO_ROOT, scratchDir, sleep } from './lib/system.mjs';

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;
const POLL_MS = 25;
const REPETITIONS = Number(process.env.BENCH_START_RUNS ?? 3);

const progress = (message) => process.stderr.write(`  [cold-start] ${message}\n`);

async function answers(url, accept) {
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return accept(response.status);
  } catch {
    return false; // not listening yet
  }
}

/** True while any process of the group `pgid` is alive. */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * One `node api/dist/cli.js start`, exactly as `pnpm start` runs it after building, from the repo root, in its
 * own process group (so the embedded PostgreSQL and the portal, its children, can be stopped together).
 * Times from spawn to: the "embedded PostgreSQL started" log line, GET /readyz = 200, the portal answering
 * (what the CLI itself waits for: any status below 500), and the CLI's "Tierdesk is running" banner.
 * Then stops it as an operator would (SIGTERM to the CLI, which stops the portal, the API and PostgreSQL) and
 * times that; whatever of the group is still alive after STOP_TIMEOUT_MS gets SIGKILL.
 */
async function startOnce({ dataDir, portalBuilt }) {
  const [apiPort, portalPort, pgPort] = [await freePort(), await freePort(), await freePort()];
  const env = { ...process.env };
  delete env.DATABASE_URL; // this benchmark is about the embedded database
  Object.assign(env, {
    EMBEDDED_PG_DIR: dataDir,
    EMBEDDED_PG_PORT: String(pgPort),
    API_PORT: String(apiPort),
    PORTAL_PORT: String(portalPort),
    LOG_LEVEL: 'info',
    // Given, so `start` does not write .tierdesk/portal-session-secret into the repository.
    PORTAL_SESSION_SECRET: randomBytes(24).toString('base64url'),
  });

  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [resolve(REPO_ROOT, 'api/dist/cli.js'), 'start'], {
    cwd: REPO_ROOT,
    env,
    detached: true, // its own process group: pgid = child.pid
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const marks = {};
  let output = '';
  let exit = null;
  const onOutput = (chunk) => {
    const at = since(t0);
    const text = chunk.toString('utf8');
    output += text;
    for (const line of text.split('\n')) {
      if (!marks.postgres && line.includes('embedded PostgreSQL started')) {
        marks.postgres = at;
        try {
          marks.postgresLogMs = JSON.parse(line).ms;
        } catch {
          // not a JSON line after all
        }
      }
      if (!marks.seeded && line.includes('seed complete')) marks.seeded = at;
      if (!marks.banner && line.includes('Tierdesk is running')) marks.banner = at;
      if (!marks.portalMissing && line.includes('The portal is not built')) marks.portalMissing = at;
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exited = new Promise((done) => child.once('exit', (code, signal) => done((exit = { code, signal, at: since(t0) }))));
  // The CLI has its own process group, so a Ctrl-C of the benchmark does not reach it: pass it on (its own
  // shutdown then stops the portal and PostgreSQL) instead of leaving a running Tierdesk behind.
  const interrupted = () => {
    child.kill('SIGTERM');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!marks.api && (await answers(`http://127.0.0.1:${apiPort}/readyz`, (status) => status === 200))) marks.api = since(t0);
      if (portalBuilt && !marks.portal && (await answers(`http://127.0.0.1:${portalPort}/`, (status) => status < 500)))
        marks.portal = since(t0);
      if (marks.api && (marks.portal || !portalBuilt)) break;
      if (exit) break;
      await sleep(POLL_MS);
    }
    // Without a portal build, `start` boots the API and then stops with "The portal is not built": that line
    // comes right after the API listens, so it bounds API readiness when the poll missed the short window.
    if (!marks.api && marks.portalMissing) marks.apiBound = marks.portalMissing;
    if (!marks.api && !marks.apiBound) {
      throw new Error(
        `not ready after ${seconds(since(t0))}${exit ? ` (exited with ${exit.code ?? exit.signal})` : ''}; output:\n${output.slice(-3000)}`,
      );
    }
    if (portalBuilt && !marks.portal) throw new Error(`the portal did not answer; output:\n${output.slice(-3000)}`);
    if (marks.portal && !marks.banner) {
      // The banner follows the CLI's own check of the portal; give it a moment.
      for (let i = 0; i < 100 && !marks.banner && !exit; i += 1) await sleep(POLL_MS);
    }
  } finally {
    marks.stop = await stopGroup(child, exited, () => exit);
    marks.leftovers = await stopLeftoverPostgres(dataDir);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
  marks.postgresStopped = !existsSync(join(dataDir, 'postmaster.pid'));
  return marks;
}

/** Pids of processes whose command line names `dataDir`: the embedded postmaster (`postgres -D <dataDir>`). */
async function processesUsing(dataDir) {
  const pids = [];
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(dataDir)) pids.push(Number(entry));
  }
  return pids;
}

/**
 * PostgreSQL's server processes call setsid(), so the process-group kill reaches the postmaster but not its
 * workers; those exit on their own once the postmaster is gone. This makes sure no postmaster of this run
 * survives (it would hold the data directory and port): it waits a little, then kills the ones left, by pid.
 */
async function stopLeftoverPostgres(dataDir) {
  let pids = await processesUsing(dataDir);
  for (let i = 0; i < 200 && pids.length; i += 1) {
    await sleep(POLL_MS);
    pids = await processesUsing(dataDir);
  }
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  return pids.length;
}

/** SIGTERM to the CLI (its own shutdown path), then SIGKILL to the whole group for anything left. */
async function stopGroup(child, exited, exitOf) {
  const started = process.hrtime.bigint();
  if (!exitOf()) child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
  // The CLI may be gone while a child lingers (e.g. PostgreSQL finishing a checkpoint): wait for the group too.
  const groupDeadline = Date.now() + STOP_TIMEOUT_MS;
  while (!timedOut && groupAlive(child.pid) && Date.now() < groupDeadline) await sleep(POLL_MS);
  const forced = groupAlive(child.pid);
  if (forced) {
    process.kill(-child.pid, 'SIGKILL');
    await exited;
    for (let i = 0; i < 200 && groupAlive(child.pid); i += 1) await sleep(POLL_MS);
  }
  return { ms: since(started), forced, exit: exitOf() };
}

export async function coldStart() {
  if (!existsSync(resolve(REPO_ROOT, 'api/dist/cli.js'))) throw new Error('api/dist/cli.js is missing: build first.');
  const portalBuilt = existsSync(resolve(REPO_ROOT, 'portal/build/server/index.js'));
  if (!portalBuilt) progress('portal/build is missing: timing API readiness only (`pnpm build` builds the portal)');
  const runs = [];
  for (let repetition = 1; repetition <= REPETITIONS; repetition += 1) {
    // Each repetition: a fresh data directory (cold, initdb included), then a second start on it (warm).
    const dir = await scratchDir('start');
    const dataDir = join(dir, 'pgdata');
    try {
      for (const kind of ['cold', 'warm']) {
        progress(`${repetition}/${REPETITIONS} ${kind}: node api/dist/cli.js start (EMBEDDED_PG_DIR=${dataDir})`);
        runs.push({ kind, repetition, ...(await startOnce({ dataDir, portalBuilt })) });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const cell = (value) => (value === undefined ? '–' : seconds(value));
  const apiCell = (run) => (run.api !== undefined ? seconds(run.api) : run.apiBound !== undefined ? `~${seconds(run.apiBound)}` : '–');
  const row = (label, run) => [
    label,
    cell(run.postgres),
    apiCell(run),
    portalBuilt ? cell(run.portal) : 'not built',
    cell(run.banner),
    `${seconds(run.stop.ms)}${run.stop.forced ? ' (SIGKILL needed)' : ''}`,
  ];
  const medianOf = (kind) => {
    const of = runs.filter((run) => run.kind === kind);
    const pick = (key) => (of.every((run) => run[key] !== undefined) ? median(of.map((run) => run[key])) : undefined);
    return {
      postgres: pick('postgres'),
      api: pick('api'),
      apiBound: pick('apiBound'),
      portal: pick('portal'),
      banner: pick('banner'),
      stop: { ms: median(of.map((run) => run.stop.ms)), forced: of.some((run) => run.stop.forced) },
    };
  };
  const rows = [
    ['run', 'PostgreSQL up', 'API /readyz 200', portalBuilt ? 'portal answers' : 'portal', 'banner printed', 'stop (SIGTERM)'],
    ...runs.map((run) =>
      row(`${run.repetition}. ${run.kind === 'cold' ? 'cold: fresh data dir (initdb)' : 'warm: same data dir again'}`, run),
    ),
    row(`median cold (${REPETITIONS} run${REPETITIONS === 1 ? '' : 's'})`, medianOf('cold')),
    row(`median warm (${REPETITIONS} run${REPETITIONS === 1 ? '' : 's'})`, medianOf('warm')),
  ];
  const notes = [
    'Times from spawning `node api/dist/cli.js start` (what `pnpm start` runs after its build step); Node start-up, migrations and the demo seed included.',
    `"PostgreSQL up" is when the CLI logs it; inside that, the embedded PostgreSQL start itself (median) took ${seconds(median(runs.filter((run) => run.kind === 'cold').map((run) => run.postgresLogMs)))} cold (initdb + start), ${seconds(median(runs.filter((run) => run.kind === 'warm').map((run) => run.postgresLogMs)))} warm.`,
    '"Cold" means a new data directory, not a cold machine: the OS page cache still holds Node, the modules and the PostgreSQL binaries.',
  ];
  if (!portalBuilt)
    notes.push(
      'The portal is not built, so only API readiness is reported (`start` stops once it finds no portal build; "~" = when it said so, right after the API listened).',
    );
  for (const run of runs) {
    const name = `${run.repetition}. ${run.kind}`;
    if (!run.postgresStopped) notes.push(`${name}: PostgreSQL left postmaster.pid behind (it did not shut down cleanly).`);
    if (run.stop.forced) notes.push(`${name}: the process group was still alive ${seconds(STOP_TIMEOUT_MS)} after SIGTERM and was killed.`);
    if (run.leftovers) notes.push(`${name}: ${run.leftovers} PostgreSQL process(es) outlived the CLI and were killed.`);
  }
  return { sections: [{ heading: 'Cold start to ready: `pnpm start` with the embedded PostgreSQL', rows, notes }] };
}
