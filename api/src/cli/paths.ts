import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is api/src/cli/paths.ts, or api/dist/cli/paths.js when built). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
