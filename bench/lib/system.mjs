import { execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A port nothing listens on right now (the kernel picks it). */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/**
 * A fresh directory under the OS temp dir. Readable by others because, when the benchmark runs as root, the
 * embedded PostgreSQL runs as the `postgres` user and must reach its data directory inside it.
 */
export async function scratchDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), `tierdesk-bench-${prefix}-`));
  await chmod(dir, 0o755);
  return dir;
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * Forks one of bench/servers/*.mjs, waits for its `{ url }` message, and returns it with a stop() that ends that
 * child (by its pid) and waits for it to exit.
 */
export async function startServerProcess(script, args = [], env = {}, execArgv = []) {
  const child = fork(resolve(REPO_ROOT, 'bench/servers', script), args, {
    env: { ...process.env, ...env },
    execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise((done) => child.once('exit', done));
  const url = await new Promise((done, fail) => {
    child.once('message', (message) => done(message.url));
    child.once('exit', (code) => fail(new Error(`${script} exited (code ${code}) before it was ready`)));
  });
  return {
    // The API reports http://localhost:…; both servers are reached the same way, over IPv4 loopback.
    url: url.replace('//localhost:', '//127.0.0.1:'),
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
/** utime + stime of a process in milliseconds, from /proc/<pid>/stat (fields 14 and 15, after the command name). */
let ticksPerSecond;
export function cpuMillisOf(pid) {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}
/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function rssOf(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}
