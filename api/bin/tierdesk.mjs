#!/usr/bin/env node
// `pnpm tierdesk <command>`: runs the CLI from api/dist, compiling it first only when a source file changed since
// the last build (TypeScript's incremental build does the rest), so an unchanged tree starts at once.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const api = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(api, 'dist/cli.js');
const buildInfo = join(api, 'dist/.tsbuildinfo');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const stale = !existsSync(entry) || !existsSync(buildInfo) || newestSource(join(api, 'src')) > statSync(buildInfo).mtimeMs;
if (stale) {
  process.stderr.write('Building the API (sources changed since the last build)…\n');
  const tsc = spawnSync(
    process.execPath,
    [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', join(api, 'tsconfig.build.json')],
    {
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // A touched but unchanged file leaves the build info as it was; mark the build current so the next run skips it.
  const now = new Date();
  utimesSync(buildInfo, now, now);
}
await import(pathToFileURL(entry).href);
