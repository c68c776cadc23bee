import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODULES } from './modules.js';

/**
 * The module boundaries are a lint rule (eslint.config.js, from api/module-layers.json): these fixtures, linted
 * as if they sat in the tree, prove the rule refuses what it should and allows what it should.
 */

const REPO = resolve(import.meta.dirname, '../../..');
const LAYERS = JSON.parse(readFileSync(resolve(REPO, 'api/module-layers.json'), 'utf8')) as { modules: string[] };

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: REPO });
});

/** The boundary messages ESLint gives `code` placed at `path` (relative to the repository). */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(REPO, path) });
  return result!.messages.filter((message) => message.ruleId === 'import-x/no-restricted-paths').map((message) => message.message);
}

describe('the module order', () => {
  it('is the order app/modules.ts composes the modules in, and covers every module folder', () => {
    expect(MODULES.map((module) => module.name)).toEqual([...LAYERS.modules, 'workflows']);
    const folders = readdirSync(resolve(REPO, 'api/src/modules'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(folders.map((folder) => folder.name).sort()).toEqual([...LAYERS.modules].sort());
    for (const folder of folders) expect(existsSync(resolve(REPO, 'api/src/modules', folder.name, 'index.ts')), folder.name).toBe(true);
  });
});

describe('the boundary rule', () => {
  it('refuses a deep import into another module', async () => {
    expect(
      await boundaryErrors('api/src/modules/routing/fixture.ts', "import { writeStatus } from '../tickets/ticket.service.js';\n"),
    ).toEqual([
      'Unexpected path "../tickets/ticket.service.js" imported in restricted zone. Import "tickets" through its index.ts, its public surface.',
    ]);
  });

  it("allows a lower module's index.ts", async () => {
    expect(await boundaryErrors('api/src/modules/routing/fixture.ts', "import { Ticket } from '../tickets/index.js';\n")).toEqual([]);
  });

  it('refuses a module importing one that comes later, even through its index', async () => {
    const errors = await boundaryErrors('api/src/modules/tickets/fixture.ts', "import { assignWaiting } from '../routing/index.js';\n");
    expect(errors).toEqual([
      'Unexpected path "../routing/index.js" imported in restricted zone. "tickets" may not import "routing": it comes later in api/module-layers.json (emit an event, or compose them in a workflow).',
    ]);
  });

  it('keeps shared/ below every module, and the composition root and workflows out of the modules', async () => {
    expect(await boundaryErrors('api/src/shared/fixture.ts', "import { Ticket } from '../modules/tickets/index.js';\n")).toHaveLength(1);
    expect(await boundaryErrors('api/src/modules/sla/fixture.ts', "import { createContext } from '../../app/context.js';\n")).toHaveLength(
      1,
    );
    expect(await boundaryErrors('api/src/modules/sla/fixture.ts', "import { openTicket } from '../../workflows/index.js';\n")).toHaveLength(
      1,
    );
    expect(await boundaryErrors('api/src/workflows/fixture.ts', "import { tierdeskSchema } from '../server/schema.js';\n")).toHaveLength(1);
  });

  it('holds the composition root and the tests to index.ts too', async () => {
    expect(
      await boundaryErrors('api/src/server/fixture.ts', "import { Ticket } from '../modules/tickets/ticket.entity.js';\n"),
    ).toHaveLength(1);
    expect(
      await boundaryErrors('test/fixture.test.ts', "import { Ticket } from '../api/src/modules/tickets/ticket.entity.js';\n"),
    ).toHaveLength(1);
    expect(await boundaryErrors('test/fixture.test.ts', "import { Ticket } from '../api/src/modules/tickets/index.js';\n")).toEqual([]);
  });
});
