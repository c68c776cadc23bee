import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../../..');
const { DATABASE_URL: _unused, ...withoutDatabase } = process.env;

/** `tierdesk simulate` as an operator runs it: the built CLI, no database for a plain scenario. */
function simulateCli(...args: string[]) {
  return spawnSync(process.execPath, [resolve(ROOT, 'api/dist/cli.js'), 'simulate', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...withoutDatabase, LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
}

describe('tierdesk simulate <file>', () => {
  it('prints the summary, and the full result as JSON with --json, identical run to run', () => {
    const summary = simulateCli('docs/scenarios/example.json');
    expect(summary.status, summary.stderr).toBe(0);
    expect(summary.stdout).toMatch(/SLA attainment/);
    expect(summary.stdout).toMatch(/Busiest agents/);
    const first = simulateCli('docs/scenarios/example.json', '--json');
    const second = simulateCli('docs/scenarios/example.json', '--json');
    const [a, b] = [JSON.parse(first.stdout), JSON.parse(second.stdout)];
    expect(a.scenarioVersion).toBe(1);
    expect(a.tickets.arrived).toBeGreaterThan(500);
    expect({ ...a, runtimeMs: 0 }).toEqual({ ...b, runtimeMs: 0 });
  });

  it('lists the problems of a bad scenario file (absurd horizon, cyclic fallback) and exits 1', async () => {
    const example = await readFile(resolve(ROOT, 'docs/scenarios/example.json'), 'utf8');
    const directory = await mkdtemp(join(tmpdir(), 'tierdesk-sim-'));
    const write = async (name: string, change: (scenario: Record<string, any>) => void) => {
      const scenario = JSON.parse(example);
      change(scenario);
      const file = join(directory, name);
      await writeFile(file, JSON.stringify(scenario));
      return file;
    };
    const tooLong = simulateCli(await write('long.json', (scenario) => (scenario.days = 4000)));
    expect(tooLong.status).toBe(1);
    expect(tooLong.stderr).toMatch(/days: At most 366 days/);
    const cyclic = simulateCli(
      await write('cyclic.json', (scenario) => {
        const [first, second] = scenario.queues;
        Object.assign(first, { fallbackQueue: second.key, fallbackAfterMinutes: 30 });
        Object.assign(second, { fallbackQueue: first.key, fallbackAfterMinutes: 30 });
      }),
    );
    expect(cyclic.status).toBe(1);
    expect(cyclic.stderr).toMatch(/cycle/i);
    expect(simulateCli('no/such/file.json').stderr).toMatch(/Cannot read no\/such\/file.json/);
  });
});
