import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is api/src/cli/paths.ts, or api/dist/cli/paths.js when built). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** What `pnpm start` writes while it runs: how to reach it, and that a second one must not start. */
export const RUNTIME_FILE = resolve(REPO_ROOT, '.tierdesk/runtime.json');
