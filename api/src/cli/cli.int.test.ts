import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readlink, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { gql } from '../../../test/support/graphql.js';
import { program } from './program.js';

/**
 * The command line as a newcomer uses it: the built `tierdesk` in processes of its own. `--help` answers
 * everywhere, mistakes get the usage and exit code 2, and a command run beside `pnpm start` uses its database.
 */

const REPO = resolve(import.meta.dirname, '../../..');
const CLI = resolve(REPO, 'api/dist/cli.js');

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: '', ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function paths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((child) => {
    const path = [...prefix, child.name()];
    return [path, ...paths(child, path)];
  });
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

describe('tierdesk --help and usage errors', () => {
  it('answers --help for itself and for every command and subcommand, with exit code 0', () => {
    const every = [[], ...paths(program())];
    expect(every.length).toBe(17);
    for (const path of every) {
      const { code, stdout } = run([...path, '--help']);
      expect(code, path.join(' ')).toBe(0);
      expect(stdout, path.join(' ')).toContain(`Usage: tierdesk${path.length ? ` ${path.join(' ')}` : ''}`);
    }
  });

  it('answers an unknown option with the usage and exit code 2, never a stack trace', () => {
    const { code, stderr } = run(['apikey', 'create', '--bogus']);
    expect(code).toBe(2);
    expect(stderr).toContain("error: unknown option '--bogus'");
    expect(stderr).toContain('Usage: tierdesk apikey create [options]');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('answers an unknown command, a missing argument and contradictory options with exit code 2', () => {
    expect(run(['nope']).code).toBe(2);
    expect(run([]).code).toBe(2);
    const missing = run(['simulate']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: missing required argument 'file'");
    const neither = run(['apikey', 'create']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('Give either --org <slug> or --staff.');
    expect(neither.stderr).toContain('Run `pnpm tierdesk apikey create --help` for its usage.');
    const badRole = run(['apikey', 'create', '--staff', '--role', 'boss']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('Allowed choices are agent, specialist, on_call_engineer, admin.');
  });
});

describe('a command beside a running `pnpm start`', () => {
  let home: string | undefined;
  let dataDir: string | undefined;
  let started: ChildProcess | undefined;

  afterAll(async () => {
    if (started && started.exitCode === null) started.kill('SIGKILL');
    for (const dir of [home, dataDir && resolve(dataDir, '..')]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  // mkdtemp makes a mode-700 folder: as root (PostgreSQL then runs as the `postgres` user, who cannot enter it) this
  // is the clone-in-a-home-folder case, and the data moves under /var/lib/tierdesk; otherwise it stays where asked.
  // `.tierdesk` inside it plays the clone's data folder.
  it('uses the running embedded database, refuses a second start, and stops cleanly', async () => {
    home = await mkdtemp(join(tmpdir(), 'tierdesk-cli-'));
    const env = {
      EMBEDDED_PG_DIR: join(home, '.tierdesk', 'pgdata'),
      EMBEDDED_PG_PORT: String(await freePort()),
      API_PORT: String(await freePort()),
      PORTAL_PORT: String(await freePort()),
      STRIPE_LOCAL_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, [CLI, 'start'], { cwd: REPO, env: { ...process.env, DATABASE_URL: '', ...env } });
    started = child;
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes('Tierdesk is running') && child.exitCode === null && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 100));
    }
    expect(output).toContain('Tierdesk is running');
    dataDir = /embedded PostgreSQL, data in (\S+)/.exec(output)?.[1];
    if (process.getuid?.() === 0) expect(dataDir).toMatch(/^\/var\/lib\/tierdesk\/data-[0-9a-f]{12}\/pgdata$/);
    else expect(dataDir).toBe(env.EMBEDDED_PG_DIR);

    // The key is made in the database `start` runs: the running API accepts it.
    const key = run(['apikey', 'create', '--org', 'initech', '--scopes', 'tickets:read,organization:read'], env);
    expect(key.stderr).toBe('');
    expect(key.code).toBe(0);
    expect(key.stdout).toMatch(/^td_[a-z0-9]+_[\w-]+\n$/);
    const organization = await gql(`http://127.0.0.1:${env.API_PORT}/graphql`, '{ organization { slug } }', {}, key.stdout.trim());
    expect(organization.data).toEqual({ organization: { slug: 'initech' } });

    const second = run(['start'], env);
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(
      `Tierdesk is already running (pid ${child.pid}, API http://localhost:${env.API_PORT}/graphql, portal http://localhost:${env.PORTAL_PORT}). ` +
        `Stop it first (Ctrl-C in its terminal, or \`kill ${child.pid}\`).`,
    );

    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // Everything it started stopped with it: no marker, no PostgreSQL holding the data directory.
    expect(existsSync(join(home, '.tierdesk', 'runtime.json'))).toBe(false);
    expect(existsSync(join(dataDir!, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir!, 'postmaster.pid'))).toBe(false);

    // Deleting the data folder resets the demo, also when the data itself was relocated: the link at the configured
    // path is gone, so the next command starts from an empty database: migrated, no organizations until `start` seeds them.
    if (process.getuid?.() === 0) expect(await readlink(env.EMBEDDED_PG_DIR)).toBe(dataDir);
    await rm(join(home, '.tierdesk'), { recursive: true, force: true });
    const afterReset = run(['apikey', 'create', '--org', 'initech', '--scopes', 'tickets:read'], env);
    expect(afterReset.stderr).toContain('No organization with slug "initech".');
    expect(afterReset.code).toBe(2);
  }, 90_000);
});
