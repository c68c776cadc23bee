import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { actorOf, type RequestContext } from '../../shared/context.js';
import { AppError, badInput, notFound } from '../../shared/errors.js';
import { afterCursorCondition, keysetOrder, toPage, type Page, type PageRequest } from '../../shared/pagination.js';
import { isStaffLike, tenantOf } from '../../shared/principal.js';
import { User } from '../identity/index.js';
import { Organization, organizationEntitlements } from '../organizations/index.js';
import { tierCatalogue } from '../tiers/index.js';
import { validateArticle, type ArticleContent } from './article.fields.js';
import { applyContent, contentHashOf, recordVersion, syncEngine } from './article.store.js';
import { searchEngineFor } from './engine.js';
import { Article, ArticleFeedback, ArticleSource, ArticleStatus, ArticleVersion, SearchEvent, SearchEventKind } from './kb.entity.js';
import {
  ANONYMOUS_AUDIENCE,
  ARTICLE_LIMITS,
  audienceAllows,
  customerAudience,
  EVERYTHING,
  isProductArea,
  KEBAB,
  parseVisibility,
  PRODUCT_AREAS,
  type Audience,
  type KbTier,
} from './kb.policy.js';
import { planQuery, planSuggestion, type QueryPlan } from './query.js';
import { MAX_TOTAL_HITS, type SearchHit, type SearchRequest, type SearchResult } from './search.port.js';

// ---------------------------------------------------------------------------------------------------------------
// Who reads what

async function knowledgeBaseTiers(ctx: RequestContext): Promise<KbTier[]> {
  return (await tierCatalogue(ctx)).map((entry) => ({
    key: entry.tier.key,
    rank: entry.tier.rank,
    premium: entry.entitlements.enabled('kb.premium'),
  }));
}

/** The caller's audience (kb.policy.ts): staff everything, anonymous public, customers and keys by tier and kb.premium. */
async function audienceOf(ctx: RequestContext): Promise<Audience> {
  const principal = ctx.principal;
  if (isStaffLike(principal)) return EVERYTHING;
  const organizationId = tenantOf(principal);
  if (!organizationId) return ANONYMOUS_AUDIENCE;
  const entitlements = await organizationEntitlements(ctx, organizationId);
  return customerAudience(entitlements.tier.rank, entitlements.enabled('kb.premium'), await knowledgeBaseTiers(ctx));
}

function visibleCondition(audience: Audience): Record<string, unknown> {
  return audience.kind === 'everything' ? {} : { status: ArticleStatus.PUBLISHED, visibility: { $in: [...audience.visibilities] } };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export async function getArticleBySlug(ctx: RequestContext, slug: string): Promise<Article | null> {
  const normalized = slug.trim().toLowerCase();
  if (!KEBAB.test(normalized) || normalized.length > ARTICLE_LIMITS.slug) return null;
  return ctx.em.findOne(Article, { slug: normalized, ...visibleCondition(await audienceOf(ctx)) });
}

/** By id, for node(id:) and mutations: another audience's article reads exactly like an unknown one. */
export async function getArticle(ctx: RequestContext, id: string): Promise<Article | null> {
  return ctx.em.findOne(Article, { id, ...visibleCondition(await audienceOf(ctx)) });
}

export async function articleVersions(ctx: RequestContext, articleId: string, request: PageRequest): Promise<Page<ArticleVersion>> {
  const rows = await ctx.em.find(
    ArticleVersion,
    { article: articleId, ...afterCursorCondition(request.after) },
    { orderBy: keysetOrder(), limit: request.first + 1 },
  );
  return toPage(rows, request, () => ctx.em.count(ArticleVersion, { article: articleId }));
}

const LIST_QUERY_MAX = 200;

/** A keyset position in the editors' list: newest content first, by (contentUpdatedAt, id). */
export interface ArticleListCursor {
  updatedAt: Date;
  id: string;
}

export interface ArticleListInput {
  status?: ArticleStatus | null;
  /** Part of the title or slug, any case. */
  text?: string | null;
  first: number;
  after: ArticleListCursor | null;
}

/**
 * Every article, archived ones included, for the staff who edit them: unlike search it needs no words, and it
 * pages by key so a list edited meanwhile neither repeats nor skips an article.
 */
export async function listArticles(ctx: RequestContext, input: ArticleListInput): Promise<Page<Article>> {
  if (!isStaffLike(ctx.principal)) throw new AppError('FORBIDDEN', 'Only staff list every article.');
  const text = input.text?.trim() ?? '';
  if (text.length > LIST_QUERY_MAX)
    throw new AppError('BAD_USER_INPUT', `The query is too long (at most ${LIST_QUERY_MAX} characters).`, { field: ['query'] });
  const pattern = `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  const where = {
    ...(input.status ? { status: input.status } : {}),
    ...(text ? { $or: [{ title: { $ilike: pattern } }, { slug: { $ilike: pattern } }] } : {}),
  };
  const after = input.after;
  const position = after
    ? { $or: [{ contentUpdatedAt: { $lt: after.updatedAt } }, { contentUpdatedAt: after.updatedAt, id: { $lt: after.id } }] }
    : {};
  const rows = await ctx.em.find(
    Article,
    { $and: [where, position] },
    { orderBy: { contentUpdatedAt: 'desc', id: 'desc' }, limit: input.first + 1 },
  );
  return toPage(rows, { first: input.first, after: null }, () => ctx.em.count(Article, where));
}

// ---------------------------------------------------------------------------------------------------------------
// Searching

export interface SearchInput {
  query: string;
  productAreas?: string[] | null;
  tags?: string[] | null;
  first: number;
  offset: number;
}

export interface SearchOutcome {
  result: SearchResult;
  hits: { hit: SearchHit; article: Article }[];
  offset: number;
  /** False when no article had every word and the best partial matches are shown instead. */
  matchedAllWords: boolean;
  searchId: string | null;
  plan: QueryPlan;
}

const SEARCH_SESSION_MS = 60_000;

/**
 * Records a search for analytics (not staff's: they search while working, not as customers). Keystrokes of
 * search-as-you-type (the same caller, within a minute, a query extending or trimming the previous one) update
 * the previous event instead of adding one, so analytics count searches, not keystrokes.
 */
async function recordSearch(ctx: RequestContext, kind: SearchEventKind, query: string, resultCount: number): Promise<string | null> {
  if (isStaffLike(ctx.principal)) return null;
  const { actor } = actorOf(ctx);
  const organizationId = tenantOf(ctx.principal);
  const now = ctx.clock.now();
  const text = query.slice(0, 300);
  const em = ctx.em.fork();
  if (organizationId && kind === SearchEventKind.SEARCH) {
    const previous = await em.findOne(
      SearchEvent,
      { actor, kind, searchedAt: { $gte: new Date(now.getTime() - SEARCH_SESSION_MS) } },
      { orderBy: { searchedAt: 'desc', id: 'desc' } },
    );
    if (previous && (text.startsWith(previous.query) || previous.query.startsWith(text))) {
      Object.assign(previous, { query: text, resultCount, searchedAt: now });
      await em.flush();
      return previous.id;
    }
  }
  const event = Object.assign(new SearchEvent(), {
    organization: organizationId ? em.getReference(Organization, organizationId) : null,
    actor,
    kind,
    query: text,
    resultCount,
    searchedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  await em.persistAndFlush(event);
  return event.id;
}

async function checkFilter(
  ctx: RequestContext,
  audience: Audience,
  input: Pick<SearchInput, 'productAreas' | 'tags'>,
): Promise<{ productAreas?: string[]; tags?: string[] }> {
  const productAreas = [...new Set((input.productAreas ?? []).map((area) => area.trim().toLowerCase()))];
  const tags = [...new Set((input.tags ?? []).map((tag) => tag.trim().toLowerCase()))];
  if (productAreas.length > PRODUCT_AREAS.length) throw badInput('filter.productAreas', `At most ${PRODUCT_AREAS.length} product areas.`);
  if (tags.length > ARTICLE_LIMITS.tags) throw badInput('filter.tags', `At most ${ARTICLE_LIMITS.tags} tags.`);
  const unknownArea = productAreas.find((area) => !isProductArea(area));
  if (unknownArea !== undefined) {
    throw new AppError('UNKNOWN_FILTER', `"${unknownArea}" is not a product area. Known: ${PRODUCT_AREAS.join(', ')}.`, {
      field: ['filter', 'productAreas'],
    });
  }
  if (tags.length) {
    // Checked against the tags of the articles the caller may read, so an unknown tag and a tag only premium
    // articles carry give the same answer.
    const known = new Set((await searchEngineFor(ctx).vocabulary(audience)).tags);
    const unknownTag = tags.find((tag) => !KEBAB.test(tag) || !known.has(tag));
    if (unknownTag !== undefined)
      throw new AppError('UNKNOWN_FILTER', `No article you can read has the tag "${unknownTag}".`, { field: ['filter', 'tags'] });
  }
  return { ...(productAreas.length ? { productAreas } : {}), ...(tags.length ? { tags } : {}) };
}

async function articlesFor(
  ctx: RequestContext,
  audience: Audience,
  hits: readonly SearchHit[],
): Promise<{ hit: SearchHit; article: Article }[]> {
  if (!hits.length) return [];
  const articles = await ctx.em.find(Article, { id: { $in: hits.map((hit) => hit.id) }, status: ArticleStatus.PUBLISHED });
  const byId = new Map(articles.map((article) => [article.id, article]));
  // The engine applied the audience; an article missing here was archived after the engine last synced.
  return hits.flatMap((hit) => {
    const article = byId.get(hit.id);
    return article && audienceAllows(audience, article.visibility) ? [{ hit, article }] : [];
  });
}

export async function searchKnowledgeBase(ctx: RequestContext, input: SearchInput): Promise<SearchOutcome> {
  const plan = planQuery(input.query);
  const audience = await audienceOf(ctx);
  const filter = await checkFilter(ctx, audience, input);
  const offset = Math.min(input.offset, MAX_TOTAL_HITS);
  const engine = searchEngineFor(ctx);
  const request: SearchRequest = { plan, audience, filter, mode: 'all', offset, limit: input.first };
  let result = await engine.search(request);
  let matchedAllWords = true;
  if (result.total === 0 && plan.groups.length > 1) {
    // No article has every word: show the articles with the most of them rather than a dead end.
    result = await engine.search({ ...request, mode: 'any' });
    matchedAllWords = result.total === 0;
  }
  const searchId = offset === 0 ? await recordSearch(ctx, SearchEventKind.SEARCH, plan.text, result.total) : null;
  return { result, hits: await articlesFor(ctx, audience, result.hits), offset, matchedAllWords, searchId, plan };
}

const MAX_SUGGESTIONS = 10;

/**
 * Deflection: articles that may answer a ticket while the customer writes it. Two searches in one round trip
 * (multi-search), any-word matching: the subject with the description's first words (ranked first: it says the
 * most), then the subject alone (it still finds articles sharing a single word with a short subject).
 */
export async function suggestArticles(
  ctx: RequestContext,
  input: { subject: string; description?: string | null; first: number },
): Promise<{ hits: { hit: SearchHit; article: Article }[]; searchId: string | null }> {
  if (!Number.isInteger(input.first) || input.first < 0)
    throw new AppError('BAD_USER_INPUT', '"first" must be zero or a positive integer.', { field: ['first'] });
  if (input.first > MAX_SUGGESTIONS)
    throw new AppError('PAGE_SIZE_TOO_LARGE', `"first" may be at most ${MAX_SUGGESTIONS}.`, { field: ['first'], max: MAX_SUGGESTIONS });
  const plans = planSuggestion(input.subject, input.description);
  if (!plans.full || input.first === 0) return { hits: [], searchId: null };
  const audience = await audienceOf(ctx);
  const requests: SearchRequest[] = [plans.full, plans.subject]
    .filter((plan): plan is QueryPlan => plan !== null)
    .map((plan) => ({ plan, audience, mode: 'any', offset: 0, limit: input.first }));
  const results = await searchEngineFor(ctx).multiSearch(requests);
  const merged = new Map<string, SearchHit>();
  for (const hit of results.flatMap((result) => result.hits)) if (!merged.has(hit.id)) merged.set(hit.id, hit);
  const best = [...merged.values()].slice(0, input.first);
  const hits = await articlesFor(ctx, audience, best);
  const searchId = await recordSearch(ctx, SearchEventKind.SUGGESTION, plans.subject?.text ?? plans.full.text, hits.length);
  return { hits, searchId };
}

// ---------------------------------------------------------------------------------------------------------------
// Feedback

export async function rateArticle(
  ctx: RequestContext,
  input: { articleId: string; helpful: boolean; comment?: string | null; searchId?: string | null },
): Promise<{ article: Article; feedback: ArticleFeedback }> {
  const principal = ctx.principal;
  if (principal.kind !== 'customer') throw new AppError('FORBIDDEN', 'Only customers rate articles.');
  const comment = input.comment?.trim() || null;
  if (comment && comment.length > 1000) throw badInput('comment', 'The comment is too long (at most 1000 characters).');
  const article = await getArticle(ctx, input.articleId);
  if (!article) throw notFound('Article');
  const { actor } = actorOf(ctx);
  if (input.searchId) {
    const search = await ctx.em.findOne(SearchEvent, { id: input.searchId, actor });
    if (!search) throw notFound('Search');
  }
  return ctx.transaction(async ({ em }) => {
    const now = ctx.clock.now();
    let feedback = await em.findOne(ArticleFeedback, { article: article.id, actor });
    if (!feedback) {
      feedback = Object.assign(new ArticleFeedback(), {
        organization: em.getReference(Organization, principal.organizationId),
        article: em.getReference(Article, article.id),
        user: em.getReference(User, principal.userId),
        actor,
        createdAt: now,
      });
      em.persist(feedback);
    }
    Object.assign(feedback, { helpful: input.helpful, comment, searchId: input.searchId ?? feedback.searchId, answeredAt: now });
    return { article, feedback };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Analytics (staff)

export interface AnalyticsInput {
  since: Date;
  until: Date;
  windowMinutes: number;
  first: number;
}

interface QueryStat {
  query: string;
  searches: number;
  averageResults: number;
  lastSearchedAt: Date;
}

export interface KnowledgeBaseAnalytics {
  since: Date;
  until: Date;
  searches: number;
  suggestions: number;
  topQueries: QueryStat[];
  zeroResultQueries: QueryStat[];
  deflection: { windowMinutes: number; eligible: number; deflected: number; rate: number | null };
  ratings: { helpful: number; notHelpful: number; helpfulRate: number | null };
  articleRatings: { articleId: string; slug: string; title: string; helpful: number; notHelpful: number }[];
}

const MAX_DEFLECTION_WINDOW_MINUTES = 24 * 60;

/**
 * Search analytics over [since, until). The deflection rate is defined in README ("Knowledge base and search"):
 * of the searches and suggestions made by a signed-in customer or an organization's key that showed at least one
 * article, and whose window has fully passed, the share NOT followed by a ticket opened by the same caller within
 * `windowMinutes` of the search's last keystroke. Anonymous searches cannot be followed and are left out.
 */
export async function knowledgeBaseAnalytics(ctx: RequestContext, input: AnalyticsInput): Promise<KnowledgeBaseAnalytics> {
  if (!(input.since < input.until)) throw badInput('since', '"since" must be before "until".');
  if (!Number.isInteger(input.windowMinutes) || input.windowMinutes < 1 || input.windowMinutes > MAX_DEFLECTION_WINDOW_MINUTES) {
    throw new AppError('BAD_USER_INPUT', `deflectionWindowMinutes must be between 1 and ${MAX_DEFLECTION_WINDOW_MINUTES}.`, {
      field: ['deflectionWindowMinutes'],
    });
  }
  const em = ctx.em;
  const sql = <T>(statement: string, params: unknown[]) =>
    em.getConnection().execute<T[]>(statement, params, 'all', em.getTransactionContext());
  const now = ctx.clock.now();
  const period = [input.since, input.until];

  const [counts] = await sql<{ searches: number; suggestions: number }>(
    `select count(*) filter (where kind = 'SEARCH')::int as searches, count(*) filter (where kind = 'SUGGESTION')::int as suggestions
     from kb_search_event where searched_at >= ? and searched_at < ?`,
    period,
  );
  const queryStats = (zeroOnly: boolean) =>
    sql<{ query: string; searches: number; average: number; last: Date }>(
      `select query, count(*)::int as searches, avg(result_count)::float8 as average, max(searched_at) as last
       from kb_search_event where kind = 'SEARCH' and searched_at >= ? and searched_at < ? ${zeroOnly ? 'and result_count = 0' : ''}
       group by query order by count(*) desc, max(searched_at) desc, query limit ?`,
      [...period, input.first],
    );
  const [top, zero] = [await queryStats(false), await queryStats(true)];
  const [deflection] = await sql<{ eligible: number; deflected: number }>(
    `select count(*)::int as eligible,
            count(*) filter (where not exists (
              select 1 from ticket_event t
              where t.type = 'CREATED' and t.actor = e.actor
                and t.created_at > e.searched_at and t.created_at <= e.searched_at + make_interval(mins => ?)))::int as deflected
     from kb_search_event e
     where e.actor <> 'anonymous' and e.result_count > 0 and e.searched_at >= ? and e.searched_at < ?
       and e.searched_at + make_interval(mins => ?) <= ?`,
    [input.windowMinutes, ...period, input.windowMinutes, now],
  );
  const [ratings] = await sql<{ helpful: number; not_helpful: number }>(
    `select count(*) filter (where helpful)::int as helpful, count(*) filter (where not helpful)::int as not_helpful
     from kb_article_feedback where answered_at >= ? and answered_at < ?`,
    period,
  );
  const perArticle = await sql<{ id: string; slug: string; title: string; helpful: number; not_helpful: number }>(
    `select a.id, a.slug, a.title, count(*) filter (where f.helpful)::int as helpful, count(*) filter (where not f.helpful)::int as not_helpful
     from kb_article_feedback f join kb_article a on a.id = f.article_id
     where f.answered_at >= ? and f.answered_at < ?
     group by a.id, a.slug, a.title order by count(*) filter (where not f.helpful) desc, count(*) desc, a.slug limit ?`,
    [...period, input.first],
  );
  const stat = (row: { query: string; searches: number; average: number; last: Date }): QueryStat => ({
    query: row.query,
    searches: row.searches,
    averageResults: Math.round(row.average * 100) / 100,
    lastSearchedAt: new Date(row.last),
  });
  const ratio = (part: number, whole: number) => (whole ? Math.round((part / whole) * 10_000) / 10_000 : null);
  const eligible = deflection?.eligible ?? 0;
  const deflected = deflection?.deflected ?? 0;
  const helpful = ratings?.helpful ?? 0;
  const notHelpful = ratings?.not_helpful ?? 0;
  return {
    since: input.since,
    until: input.until,
    searches: counts?.searches ?? 0,
    suggestions: counts?.suggestions ?? 0,
    topQueries: top.map(stat),
    zeroResultQueries: zero.map(stat),
    deflection: { windowMinutes: input.windowMinutes, eligible, deflected, rate: ratio(deflected, eligible) },
    ratings: { helpful, notHelpful, helpfulRate: ratio(helpful, helpful + notHelpful) },
    articleRatings: perArticle.map((row) => ({
      articleId: row.id,
      slug: row.slug,
      title: row.title,
      helpful: row.helpful,
      notHelpful: row.not_helpful,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Administration (staff ADMIN and SPECIALIST)

async function checkContent(ctx: RequestContext, input: Record<string, unknown>): Promise<ArticleContent> {
  const { content, problems } = validateArticle(input);
  const visibility = parseVisibility(content.visibility);
  if (visibility?.kind === 'tier') {
    const tiers = await knowledgeBaseTiers(ctx);
    if (!tiers.some((tier) => tier.key === visibility.tierKey)) {
      problems.push({
        field: 'visibility',
        message: `visibility names the tier "${visibility.tierKey}", which is not in the catalogue (${tiers.map((tier) => tier.key).join(', ')}).`,
      });
    }
  }
  const [first] = problems;
  if (first) {
    throw new AppError(
      'INVALID_ARTICLE',
      problems.length > 1 ? `${first.message} (and ${problems.length - 1} more problems)` : first.message,
      {
        field: ['input', first.field],
        problems: problems.map((problem) => `${problem.field}: ${problem.message}`),
        fieldProblems: problems,
      },
    );
  }
  return content;
}

/**
 * Saves an admin change and brings the search engine along: inside the transaction for the PostgreSQL engine
 * (the article and its search document commit together), after the commit for Meilisearch (a failure there is
 * logged; the next `kb index` reconciles).
 */
async function saveAndSync(ctx: RequestContext, change: (em: EntityManager) => Promise<Article>): Promise<Article> {
  const article = await ctx.transaction(async ({ em }) => {
    const changed = await change(em);
    await em.flush();
    const engine = searchEngineFor(ctx, em);
    if (engine.kind === 'postgresql') await syncEngine(em, engine, [changed.id]);
    return changed;
  });
  const engine = searchEngineFor(ctx);
  if (engine.kind !== 'postgresql') {
    try {
      await syncEngine(ctx.em, engine, [article.id]);
    } catch (error) {
      ctx.log.warn({ err: error, articleId: article.id }, 'search engine not updated; `kb index` will reconcile');
    }
  }
  return article;
}

export interface ArticleInput {
  slug?: string | null;
  title?: string | null;
  summary?: string | null;
  body?: string | null;
  tags?: string[] | null;
  productArea?: string | null;
  visibility?: string | null;
}

export async function createArticle(ctx: RequestContext, input: ArticleInput): Promise<Article> {
  const content = await checkContent(ctx, { ...input });
  const { actor } = actorOf(ctx);
  return saveAndSync(ctx, async (em) => {
    if (await em.count(Article, { slug: content.slug })) {
      throw new AppError('CONFLICT', `An article with the slug "${content.slug}" already exists.`, { field: ['input', 'slug'] });
    }
    const now = ctx.clock.now();
    const article = Object.assign(new Article(), { origin: ArticleSource.ADMIN, version: 1, createdAt: now, updatedAt: now });
    applyContent(article, content, now);
    em.persist(article);
    recordVersion(em, article, ArticleSource.ADMIN, actor, now);
    return article;
  });
}

async function lockArticle(em: EntityManager, id: string): Promise<Article> {
  const article = await em.findOne(Article, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!article) throw notFound('Article');
  return article;
}

export async function updateArticle(
  ctx: RequestContext,
  input: ArticleInput & { id: string; expectedVersion?: number | null; status?: ArticleStatus | null },
): Promise<Article> {
  const { actor } = actorOf(ctx);
  return saveAndSync(ctx, async (em) => {
    const article = await lockArticle(em, input.id);
    if (input.expectedVersion != null && input.expectedVersion !== article.version) {
      throw new AppError(
        'CONFLICT',
        `The article changed meanwhile: it is at version ${article.version}, not ${input.expectedVersion}. Reload it and edit again.`,
        {
          field: ['input', 'expectedVersion'],
          currentVersion: article.version,
        },
      );
    }
    if (input.slug != null && input.slug !== article.slug)
      throw badInput('slug', 'The slug of an article cannot change (links and files use it).');
    const content = await checkContent(ctx, {
      slug: article.slug,
      title: input.title ?? article.title,
      summary: input.summary ?? article.summary,
      body: input.body ?? article.body,
      tags: input.tags ?? article.tags,
      productArea: input.productArea ?? article.productArea,
      visibility: input.visibility ?? article.visibility,
    });
    const now = ctx.clock.now();
    const contentChanged = contentHashOf(content, article.contentUpdatedAt) !== article.contentHash;
    const statusChanged = input.status != null && input.status !== article.status;
    if (!contentChanged && !statusChanged) return article;
    if (contentChanged) applyContent(article, content, now);
    if (statusChanged) {
      article.status = input.status!;
      article.archivedAt = input.status === ArticleStatus.ARCHIVED ? now : null;
    }
    article.version += 1;
    article.updatedAt = now;
    recordVersion(em, article, ArticleSource.ADMIN, actor, now);
    return article;
  });
}

export async function archiveArticle(ctx: RequestContext, input: { id: string }): Promise<Article> {
  return updateArticle(ctx, { id: input.id, status: ArticleStatus.ARCHIVED });
}
