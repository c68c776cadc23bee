import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../shared/context.js';
import { Tier } from '../tiers/index.js';
import { applyContent, recordVersion, syncEngine } from './article.store.js';
import { searchEngineFor } from './engine.js';
import { parseArticleFile, type FileProblem, type ParsedArticleFile } from './front-matter.js';
import { Article, ArticleSource, ArticleStatus, ArticleVersion } from './kb.entity.js';
import { parseVisibility } from './kb.policy.js';
import type { SearchEngine } from './search.port.js';

const INDEXER_ACTOR = 'system:kb-index';

export interface IndexReport {
  dir: string;
  files: number;
  added: string[];
  updated: string[];
  restored: string[];
  archived: string[];
  unchanged: number;
  /** Errors (the file was skipped; its last good revision stays published) and warnings, by file and line. */
  problems: FileProblem[];
  engine: { kind: SearchEngine['kind']; upserted: number; removed: number };
  durationMs: number;
}

export class KnowledgeBaseDirectoryError extends Error {}

interface GoodFile {
  path: string;
  slug: string;
  hash: string;
  parsed: ParsedArticleFile;
}

/**
 * `tierdesk kb index`: syncs kb/articles/*.md into kb_article (with a version per change) and then the search
 * engine. Incremental by the file's SHA-256; articles whose file is gone are archived; files with problems are
 * reported (file and line) and skipped, keeping their last good revision; articles created in the admin API are
 * never touched. A transaction-scoped advisory lock serializes concurrent runs, so running it twice (even at the
 * same time) changes nothing the second time.
 */
export async function indexKnowledgeBase(ctx: RequestContext, options: { dir: string; displayDir?: string }): Promise<IndexReport> {
  const started = Date.now();
  const display = (path: string) => join(options.displayDir ?? options.dir, relative(options.dir, path));
  let names: string[];
  try {
    names = (await readdir(options.dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new KnowledgeBaseDirectoryError(`Cannot read the knowledge-base directory ${options.dir}: ${(error as Error).message}`);
  }
  // An empty directory is far more likely a wrong path than a knowledge base whose every article was deleted.
  if (!names.length) throw new KnowledgeBaseDirectoryError(`${options.dir} holds no .md articles: nothing indexed and nothing archived.`);

  // A system context reads across tenants; each phase gets its own identity map.
  const em = ctx.em.fork();
  const tiers = new Set((await em.find(Tier, {})).map((tier) => tier.key));

  const problems: FileProblem[] = [];
  const good: GoodFile[] = [];
  const presentSlugs = new Set<string>();
  for (const name of names) {
    const path = join(options.dir, name);
    const slug = basename(name, '.md');
    presentSlugs.add(slug);
    const source = await readFile(path);
    const result = parseArticleFile(display(path), source.toString('utf8'), slug);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    problems.push(...result.article.warnings);
    const visibility = parseVisibility(result.article.content.visibility);
    if (visibility?.kind === 'tier' && !tiers.has(visibility.tierKey)) {
      problems.push({
        file: display(path),
        line: result.article.lines.visibility ?? 1,
        severity: 'error',
        message: `visibility names the tier "${visibility.tierKey}", which is not in the catalogue (${[...tiers].join(', ')}).`,
      });
      continue;
    }
    good.push({ path, slug, hash: createHash('sha256').update(source).digest('hex'), parsed: result.article });
  }

  const report: IndexReport = {
    dir: options.displayDir ?? options.dir,
    files: names.length,
    added: [],
    updated: [],
    restored: [],
    archived: [],
    unchanged: 0,
    problems,
    engine: { kind: 'postgresql', upserted: 0, removed: 0 },
    durationMs: 0,
  };
  const now = ctx.clock.now();

  await em.transactional(async (tx) => {
    await tx.getConnection().execute(`select pg_advisory_xact_lock(hashtext('tierdesk:kb-index'))`, [], 'all', tx.getTransactionContext());
    const existing = new Map((await tx.find(Article, {})).map((article) => [article.slug, article]));
    for (const file of good) {
      const article = existing.get(file.slug);
      const { content, updated } = file.parsed;
      if (!article) {
        const created = Object.assign(new Article(), {
          slug: content.slug,
          origin: ArticleSource.FILE,
          filePath: basename(file.path),
          fileHash: file.hash,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
        applyContent(created, content, updated);
        tx.persist(created);
        recordVersion(tx, created, ArticleSource.FILE, INDEXER_ACTOR, now);
        report.added.push(file.slug);
        continue;
      }
      if (article.origin !== ArticleSource.FILE) {
        problems.push({
          file: display(file.path),
          line: file.parsed.lines.slug ?? 1,
          severity: 'error',
          message: `slug "${file.slug}" belongs to an article created in the admin API; rename the file or archive that article.`,
        });
        continue;
      }
      const archivedByIndexer = article.status === ArticleStatus.ARCHIVED && (await lastSource(tx, article)) === ArticleSource.FILE;
      if (article.fileHash === file.hash && !archivedByIndexer) {
        report.unchanged += 1;
        continue;
      }
      const changed = applyContent(article, content, updated);
      article.fileHash = file.hash;
      article.filePath = basename(file.path);
      const wasArchived = article.status === ArticleStatus.ARCHIVED;
      if (!changed && !wasArchived) {
        report.unchanged += 1;
        continue;
      }
      // A changed file republishes its article (the file is the source of truth for FILE articles).
      article.status = ArticleStatus.PUBLISHED;
      article.archivedAt = null;
      article.version += 1;
      article.updatedAt = now;
      recordVersion(tx, article, ArticleSource.FILE, INDEXER_ACTOR, now);
      (wasArchived && !changed ? report.restored : report.updated).push(file.slug);
    }
    for (const article of existing.values()) {
      if (article.origin !== ArticleSource.FILE || article.status !== ArticleStatus.PUBLISHED) continue;
      if (presentSlugs.has(article.slug)) continue;
      article.status = ArticleStatus.ARCHIVED;
      article.archivedAt = now;
      article.version += 1;
      article.updatedAt = now;
      recordVersion(tx, article, ArticleSource.FILE, INDEXER_ACTOR, now);
      report.archived.push(article.slug);
    }
    await tx.flush();
  });

  const syncEm = ctx.em.fork();
  const engine = searchEngineFor(ctx, syncEm);
  await engine.prepare();
  const synced = await syncEngine(syncEm, engine);
  if (synced.upserted || synced.removed) await engine.optimize();
  report.engine = { kind: engine.kind, ...synced };
  report.durationMs = Date.now() - started;
  ctx.log.info(
    {
      files: report.files,
      added: report.added.length,
      updated: report.updated.length,
      archived: report.archived.length,
      problems: problems.length,
      engine: report.engine,
    },
    'knowledge base indexed',
  );
  return report;
}

async function lastSource(em: EntityManager, article: Article): Promise<ArticleSource | null> {
  const last = await em.findOne(ArticleVersion, { article: article.id }, { orderBy: { version: 'desc' } });
  return last?.source ?? null;
}

export function formatReport(report: IndexReport): string {
  const lines = [
    `kb index ${report.dir}: ${report.files} files; ${report.added.length} added, ${report.updated.length} updated, ${report.restored.length} restored, ` +
      `${report.archived.length} archived, ${report.unchanged} unchanged; search engine ${report.engine.kind}: ${report.engine.upserted} indexed, ` +
      `${report.engine.removed} removed (${report.durationMs} ms)`,
  ];
  for (const problem of report.problems) lines.push(`${problem.file}:${problem.line}: ${problem.severity}: ${problem.message}`);
  return `${lines.join('\n')}\n`;
}
