import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../app/runtime.js';
import { createTestDatabase, testRuntime, type TestDatabase } from '../../../../../test/support/db.js';
import { indexKnowledgeBase } from '../indexer.js';
import { searchKnowledgeBase } from '../kb.service.js';
import { RELEVANCE_CASES, type CaseKind } from './cases.js';

/**
 * Relevance against the real kb/articles on the embedded PostgreSQL engine: each query of cases.ts should bring its
 * article into the top 3. The articles, the cases and the engine are all in the repository, so the figure is exact:
 * 74 of 75 (98.7%), the one miss named below. A change to any of them that moves the figure fails here, and the
 * figure (with the README's, which quotes it) is updated on purpose. The figure and every miss are printed.
 */
/** The one query whose article is not in the top 3 (those are the general API articles: rate limits, errors, quick start). */
const EXPECTED_MISSES = ['retry after header'];

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
  it('puts the expected article in the top 3 for 74 of 75 queries (typos, synonyms, prefixes, plurals)', async () => {
    const byKind = new Map<CaseKind, { hits: number; total: number }>();
    const misses: string[] = [];
    const missed: string[] = [];
    for (const testCase of RELEVANCE_CASES) {
      const ctx = runtime.system('relevance');
      const outcome = await searchKnowledgeBase(ctx, { query: testCase.query, first: 3, offset: 0 });
      const top = outcome.hits.map(({ article }) => article.slug);
      const hit = top.some((slug) => testCase.expected.includes(slug));
      const tally = byKind.get(testCase.kind) ?? { hits: 0, total: 0 };
      byKind.set(testCase.kind, { hits: tally.hits + (hit ? 1 : 0), total: tally.total + 1 });
      if (!hit) {
        missed.push(testCase.query);
        misses.push(
          `  [${testCase.kind}] "${testCase.query}" -> ${top.join(', ') || '(nothing)'}; expected ${testCase.expected.join(' or ')}`,
        );
      }
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
    expect(RELEVANCE_CASES.length).toBe(75);
    expect(missed, misses.join('\n')).toEqual(EXPECTED_MISSES);
    expect(hits).toBe(74);
  });
});
