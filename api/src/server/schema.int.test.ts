import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { getNamedType, isObjectType } from 'graphql';
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
    const connections = Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .flatMap((type) => Object.values(type.getFields()).map((field) => ({ owner: type.name, field })))
      .filter(({ field }) => getNamedType(field.type).name.endsWith('Connection'));
    // The list is named so that the check below cannot pass over nothing; a new connection is added here.
    expect(connections.map(({ owner, field }) => `${owner}.${field.name}`).sort()).toEqual([
      'Article.versions',
      'Query.agents',
      'Query.apiKeys',
      'Query.articles',
      'Query.macros',
      'Query.myNotifications',
      'Query.myPages',
      'Query.organizations',
      'Query.searchKnowledgeBase',
      'Query.ticketView',
      'Query.tickets',
      'Query.ticketsNeedingAttention',
      'Queue.waiting',
      'Ticket.comments',
    ]);
    const withoutPaging = connections.filter(
      ({ field }) => !['first', 'after'].every((name) => field.args.some((arg) => arg.name === name)),
    );
    expect(withoutPaging.map(({ owner, field }) => `${owner}.${field.name}`)).toEqual([]);
  });
});
