import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accessSnapshot } from './access.js';
import { printSortedSchema } from './print-schema.js';
import { tierdeskSchema } from './schema.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const REGENERATE = 'run `pnpm schema:emit` and commit the result';

describe('the committed schema', () => {
  it('matches the code (schema/schema.graphql)', async () => {
    const committed = await readFile(resolve(ROOT, 'schema/schema.graphql'), 'utf8');
    expect(printSortedSchema(await tierdeskSchema()), REGENERATE).toBe(committed);
  });

  it('lists every operation with its access rule (schema/access.snapshot.txt); a diff there is a permission change', async () => {
    const committed = await readFile(resolve(ROOT, 'schema/access.snapshot.txt'), 'utf8');
    const snapshot = accessSnapshot(await tierdeskSchema());
    expect(snapshot, REGENERATE).toBe(committed);
    expect(snapshot).not.toContain('MISSING');
  });

  it("has the portal's typed operations generated from it and valid against it (schema/src/generated.ts)", () => {
    expect(() =>
      execFileSync(process.execPath, [resolve(ROOT, 'schema/codegen.mjs'), '--check'], { cwd: resolve(ROOT, 'schema'), stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('uses Relay connections with a hard page maximum for every list of records', async () => {
    const schema = await tierdeskSchema();
    for (const type of [schema.getQueryType()!]) {
      for (const field of Object.values(type.getFields())) {
        if (field.type.toString().endsWith('Connection!')) {
          expect(
            field.args.map((arg) => arg.name),
            field.name,
          ).toEqual(expect.arrayContaining(['first', 'after']));
        }
      }
    }
  });
});
