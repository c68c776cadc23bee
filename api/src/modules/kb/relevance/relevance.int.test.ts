import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../app/runtime.js';
import { createTestDatabase, testRuntime, type TestDatabase } from '../../../../../test/support/db.js';
import { indexKnowledgeBase } from '../indexer.js';
import { searchKnowledgeBase } from '../kb.service.js';
import { RELEVANCE_CASES, type CaseKind } from './cases.js';

/**
 * Relevance against the real kb/articles on the embedded PostgreSQL engine: each query of cases.ts must bring its
 * article into the top 3. The goal is a hit rate of at least 90%; the figure and every miss are printed.
 */

const ROOT = resolve(import.meta.dirname, '../../../../..');
let database: TestDatabase;
let runtime: Runtime;

beforeAll(async () => {
  database = await createTestDatabase();
  runtime = testRuntime(database);
  const report = await indexKnowledgeBase(runtime.system('kb-index'), { dir: resolve(ROOT, 'kb/articles') });
  expect(report.added.length).toBeGreaterThan(20);
});
afterAll(async () => database?.drop());

describe('relevance on the real knowledge base', () => {
  it(`puts the expected article in the top 3 for at least 90% of ${RELEVANCE_CASES.length} queries (typos, synonyms, prefixes, plurals)`, async () => {
    const byKind = new Map<CaseKind, { hits: number; total: number }>();
    const misses: string[] = [];
    for (const testCase of RELEVANCE_CASES) {
      const ctx = runtime.system('relevance');
      const outcome = await searchKnowledgeBase(ctx, { query: testCase.query, first: 3, offset: 0 });
      const top = outcome.hits.map(({ article }) => article.slug);
      const hit = top.some((slug) => testCase.expected.includes(slug));
      const tally = byKind.get(testCase.kind) ?? { hits: 0, total: 0 };
      byKind.set(testCase.kind, { hits: tally.hits + (hit ? 1 : 0), total: tally.total + 1 });
      if (!hit)
        misses.push(
          `  [${testCase.kind}] "${testCase.query}" -> ${top.join(', ') || '(nothing)'}; expected ${testCase.expected.join(' or ')}`,
        );
    }
    const hits = [...byKind.values()].reduce((sum, tally) => sum + tally.hits, 0);
    const rate = hits / RELEVANCE_CASES.length;
    console.info(
      [
        `kb relevance: ${hits}/${RELEVANCE_CASES.length} = ${(rate * 100).toFixed(1)}% in the top 3`,
        ...[...byKind].map(([kind, tally]) => `  ${kind}: ${tally.hits}/${tally.total}`),
        ...(misses.length ? ['misses:', ...misses] : []),
      ].join('\n'),
    );
    expect(RELEVANCE_CASES.length).toBeGreaterThanOrEqual(50);
    expect(rate, misses.join('\n')).toBeGreaterThanOrEqual(0.9);
  });
});
