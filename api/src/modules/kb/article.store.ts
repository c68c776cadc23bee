import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ArticleContent } from './article.fields.js';
import { Article, ArticleSource, ArticleStatus, ArticleVersion } from './kb.entity.js';
import { markdownToText } from './markdown.js';
import type { SearchDocument, SearchEngine } from './search.port.js';

/** The hash of what search engines hold for an article: its searchable content, visibility and date. */
export function contentHashOf(content: Omit<ArticleContent, 'slug'> & { slug: string }, contentUpdatedAt: Date): string {
  const canonical = JSON.stringify([
    content.slug,
    content.title,
    content.summary,
    content.body,
    content.tags,
    content.productArea,
    content.visibility,
    contentUpdatedAt.toISOString(),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function toSearchDocument(article: Article): SearchDocument {
  return {
    id: article.id,
    slug: article.slug,
    title: article.title,
    summary: article.summary,
    body: markdownToText(article.body),
    tags: [...article.tags],
    productArea: article.productArea,
    visibility: article.visibility,
    updatedAt: article.contentUpdatedAt,
    revision: article.contentHash,
  };
}

/** Sets an article's content (and bumps its version when anything changed); returns whether it did. */
export function applyContent(article: Article, content: ArticleContent, contentUpdatedAt: Date): boolean {
  const hash = contentHashOf(content, contentUpdatedAt);
  if (article.contentHash === hash) return false;
  Object.assign(article, {
    slug: content.slug,
    title: content.title,
    summary: content.summary,
    body: content.body,
    tags: [...content.tags],
    productArea: content.productArea,
    visibility: content.visibility,
    contentUpdatedAt,
    contentHash: hash,
  });
  return true;
}

/** Appends the article's current state to its history (call after every change, with the new `version`). */
export function recordVersion(em: EntityManager, article: Article, source: ArticleSource, actor: string, at: Date): ArticleVersion {
  const version = Object.assign(new ArticleVersion(), {
    article,
    version: article.version,
    title: article.title,
    summary: article.summary,
    body: article.body,
    tags: [...article.tags],
    productArea: article.productArea,
    visibility: article.visibility,
    status: article.status,
    source,
    actor,
    contentHash: article.contentHash,
    contentUpdatedAt: article.contentUpdatedAt,
    createdAt: at,
    updatedAt: at,
  });
  em.persist(version);
  return version;
}

/**
 * Brings the engine in line with the published articles (all of them, or just `ids`): documents whose revision
 * differs are (re)indexed, documents of archived or deleted articles removed. Idempotent.
 */
export async function syncEngine(
  em: EntityManager,
  engine: SearchEngine,
  ids?: readonly string[],
): Promise<{ upserted: number; removed: number }> {
  const where = ids ? { id: { $in: [...ids] } } : {};
  const articles = await em.find(Article, where, { orderBy: { slug: 'asc' } });
  const published = articles.filter((article) => article.status === ArticleStatus.PUBLISHED);
  const held = await engine.revisions();
  const upserts = published.filter((article) => held.get(article.id) !== article.contentHash).map(toSearchDocument);
  const publishedIds = new Set(published.map((article) => article.id));
  const scope = ids ? [...ids] : [...held.keys()];
  const removals = scope.filter((id) => held.has(id) && !publishedIds.has(id));
  await engine.upsert(upserts);
  await engine.remove(removals);
  return { upserted: upserts.length, removed: removals.length };
}
