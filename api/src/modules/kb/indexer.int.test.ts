import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testRuntime, type TestDatabase } from '../../../../test/support/db.js';
import { TENANT_FILTER } from '../../shared/tenancy.js';
import { FixedClock } from '../../shared/clock.js';
import { indexKnowledgeBase, KnowledgeBaseDirectoryError, type IndexReport } from './indexer.js';
import { Article, ArticleStatus, ArticleVersion } from './kb.entity.js';
import { archiveArticle, createArticle } from './kb.service.js';
import { PostgresSearchEngine } from './postgres.engine.js';
import { planQuery } from './query.js';

/** `kb index` against a scratch directory: incremental, idempotent, archives deleted files, reports bad ones. */

let database: TestDatabase;
let dir: string;
const clock = new FixedClock(new Date('2026-11-21T10:00:00Z'));

const article = (slug: string, overrides: Record<string, string> = {}, body = `All about ${slug.replace(/-/g, ' ')}.`) => {
  const fields = {
    title: `About ${slug}`,
    slug,
    summary: 'A summary.',
    tags: '[kb-test]',
    productArea: 'tickets',
    visibility: 'public',
    updated: '2026-11-20',
    ...overrides,
  };
  return `---\n${Object.entries(fields)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n---\n\n${body}\n`;
};

const write = (name: string, content: string) => writeFile(join(dir, name), content);
const run = (target = dir): Promise<IndexReport> =>
  indexKnowledgeBase(testRuntime(database, { clock }).system('kb-index'), { dir: target, displayDir: 'kb/articles' });

function em() {
  const fork = database.orm.em.fork();
  fork.setFilterParams(TENANT_FILTER, { allTenants: true });
  return fork;
}

async function searchSlugs(query: string): Promise<string[]> {
  const result = await new PostgresSearchEngine(em()).search({
    plan: planQuery(query),
    audience: { kind: 'everything' },
    mode: 'all',
    offset: 0,
    limit: 50,
  });
  return result.hits.map((hit) => hit.slug).sort();
}

beforeAll(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'tierdesk-kb-index-'));
});
afterAll(async () => {
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kb index', () => {
  it('adds good files, reports bad ones with file and line, and goes on with the rest', async () => {
    await write('alpha-guide.md', article('alpha-guide'));
    await write('beta-guide.md', article('beta-guide', { author: 'Jo' }));
    await write('gamma-guide.md', article('gamma-guide', { visibility: 'tier:business' }));
    await write('broken-yaml.md', article('broken-yaml', { summary: '[never closed' }));
    await write('unknown-tier.md', article('unknown-tier', { visibility: 'tier:platinum' }));
    await write('wrong-slug.md', article('other-slug'));
    await write('notes.txt', 'not an article');
    const report = await run();
    expect(report).toMatchObject({
      files: 6,
      added: ['alpha-guide', 'beta-guide', 'gamma-guide'],
      updated: [],
      archived: [],
      unchanged: 0,
    });
    expect(report.engine).toEqual({ kind: 'postgresql', upserted: 3, removed: 0 });
    expect(report.problems.map((problem) => `${problem.file}:${problem.line}: ${problem.severity}`)).toEqual([
      'kb/articles/beta-guide.md:9: warning',
      // The YAML parser notices the unclosed list where the next field starts.
      'kb/articles/broken-yaml.md:5: error',
      'kb/articles/unknown-tier.md:7: error',
      'kb/articles/wrong-slug.md:3: error',
    ]);
    expect(report.problems[1]!.message).toMatch(/^YAML: Flow sequence .* \(column 1\)\.$/);
    expect(report.problems[2]!.message).toMatch(/"platinum", which is not in the catalogue/);
    expect(await searchSlugs('guide')).toEqual(['alpha-guide', 'beta-guide', 'gamma-guide']);
  });

  it('changes nothing when run again, even twice at the same time', async () => {
    const versionsBefore = await em().count(ArticleVersion);
    const [first, second] = await Promise.all([run(), run()]);
    for (const report of [first, second]) {
      expect(report).toMatchObject({
        added: [],
        updated: [],
        archived: [],
        restored: [],
        unchanged: 3,
        engine: { upserted: 0, removed: 0 },
      });
    }
    expect(await em().count(ArticleVersion)).toBe(versionsBefore);
  });

  it('updates a changed file with a new version, and ignores a change that leaves the content as it was', async () => {
    await write('alpha-guide.md', article('alpha-guide', { title: 'Alpha guide, revised' }, 'Now about zeppelins.'));
    await write('beta-guide.md', `${article('beta-guide', { author: 'Jo' })}\n\n`);
    const report = await run();
    expect(report).toMatchObject({ updated: ['alpha-guide'], unchanged: 2, engine: { upserted: 1, removed: 0 } });
    const alpha = await em().findOneOrFail(Article, { slug: 'alpha-guide' });
    expect(alpha).toMatchObject({ version: 2, title: 'Alpha guide, revised' });
    expect(await searchSlugs('zeppelins')).toEqual(['alpha-guide']);
    expect((await run()).unchanged).toBe(3);
  });

  it('archives the article of a deleted file, keeps one whose file is broken, and restores a file that comes back', async () => {
    await unlink(join(dir, 'gamma-guide.md'));
    await write('beta-guide.md', article('beta-guide', { productArea: 'gardening' }));
    const report = await run();
    expect(report).toMatchObject({ archived: ['gamma-guide'], unchanged: 1, engine: { upserted: 0, removed: 1 } });
    expect(
      report.problems.some((problem) => problem.file === 'kb/articles/beta-guide.md' && problem.line === 6 && problem.severity === 'error'),
    ).toBe(true);
    expect(await searchSlugs('guide')).toEqual(['alpha-guide', 'beta-guide']);
    expect((await em().findOneOrFail(Article, { slug: 'gamma-guide' })).status).toBe(ArticleStatus.ARCHIVED);

    await write('gamma-guide.md', article('gamma-guide', { visibility: 'tier:business' }));
    expect(await run()).toMatchObject({ restored: ['gamma-guide'], engine: { upserted: 1 } });
    const gamma = await em().findOneOrFail(Article, { slug: 'gamma-guide' });
    expect(gamma).toMatchObject({ status: ArticleStatus.PUBLISHED, version: 3 });
  });

  it('leaves an article archived by staff archived while its file is unchanged, and never touches admin-created ones', async () => {
    const ctx = testRuntime(database, { clock }).system('test');
    const gamma = await em().findOneOrFail(Article, { slug: 'gamma-guide' });
    await archiveArticle(ctx, { id: gamma.id });
    expect((await run()).restored).toEqual([]);
    expect((await em().findOneOrFail(Article, { slug: 'gamma-guide' })).status).toBe(ArticleStatus.ARCHIVED);

    await createArticle(ctx, {
      slug: 'delta-guide',
      title: 'Delta from the admin API',
      summary: 's',
      body: 'b',
      tags: [],
      productArea: 'tickets',
      visibility: 'public',
    });
    await write('delta-guide.md', article('delta-guide'));
    const report = await run();
    expect(report.added).toEqual([]);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ file: 'kb/articles/delta-guide.md', line: 3, message: expect.stringMatching(/admin API/) }),
    );
    expect((await em().findOneOrFail(Article, { slug: 'delta-guide' })).title).toBe('Delta from the admin API');
    await unlink(join(dir, 'delta-guide.md'));
    expect((await run()).archived).toEqual([]);
  });

  it('refuses a directory it cannot read, or one without articles (a wrong path), archiving nothing', async () => {
    await expect(run(join(dir, 'missing'))).rejects.toThrow(KnowledgeBaseDirectoryError);
    const empty = await mkdtemp(join(tmpdir(), 'tierdesk-kb-empty-'));
    await expect(run(empty)).rejects.toThrow(/no \.md articles/);
    await rm(empty, { recursive: true });
    expect(await searchSlugs('guide')).toEqual(['alpha-guide', 'beta-guide']);
  });
});
