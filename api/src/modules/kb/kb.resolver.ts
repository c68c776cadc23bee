import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Access } from '../../shared/access.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { mutationPayload, UserError } from '../../shared/graphql.js';
import { fromGlobalId, toGlobalId } from '../../shared/ids.js';
import { connectionFrom, MAX_PAGE_SIZE, PageArgs, pageRequest, type Connection } from '../../shared/pagination.js';
import { isStaffLike } from '../../shared/principal.js';
import { loadUser, UserType } from '../identity/index.js';
import type { FieldProblem } from './article.fields.js';
import { ArticleSource, ArticleStatus } from './kb.entity.js';
import {
  archiveArticle,
  articleVersions,
  createArticle,
  getArticleBySlug,
  listArticles,
  type ArticleListCursor,
  knowledgeBaseAnalytics,
  rateArticle,
  searchKnowledgeBase,
  suggestArticles,
  updateArticle,
} from './kb.service.js';
import {
  ArchiveArticleInput,
  ArticleConnection,
  ArticleHit,
  ArticleHitEdge,
  ArticleStatusEnum,
  ArticlePayload,
  ArticleSearchConnection,
  ArticleSuggestions,
  ArticleType,
  ArticleVersionConnection,
  ArticleVersionType,
  CreateArticleInput,
  KnowledgeBaseAnalyticsType,
  KnowledgeBaseFilterInput,
  RateArticleInput,
  RateArticlePayload,
  UpdateArticleInput,
} from './kb.types.js';

/** Search results page by position: the cursor is the offset of the next hit, opaque to clients. */
function encodeSearchCursor(offset: number): string {
  return Buffer.from(JSON.stringify(['kb', offset]), 'utf8').toString('base64url');
}

function decodeSearchCursor(cursor: string): number {
  const invalid = new AppError('INVALID_CURSOR', '"after" is not a valid cursor.', { field: ['after'] });
  if (cursor.length > 100) throw invalid;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2 || parsed[0] !== 'kb' || !Number.isInteger(parsed[1]) || (parsed[1] as number) < 1)
      throw invalid;
    return parsed[1] as number;
  } catch {
    throw invalid;
  }
}

function pageSize(first: number | null | undefined, max = MAX_PAGE_SIZE, fallback = 20): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0)
    throw new AppError('BAD_USER_INPUT', '"first" must be zero or a positive integer.', { field: ['first'] });
  if (size > max) throw new AppError('PAGE_SIZE_TOO_LARGE', `"first" may be at most ${max}.`, { field: ['first'], max });
  return size;
}

/** The editors' list pages by (content date, id) of the last article shown. */
function encodeListCursor(position: ArticleListCursor): string {
  return Buffer.from(JSON.stringify(['kb-list', position.updatedAt.toISOString(), position.id]), 'utf8').toString('base64url');
}

function decodeListCursor(cursor: string): ArticleListCursor {
  const invalid = new AppError('INVALID_CURSOR', '"after" is not a valid cursor.', { field: ['after'] });
  if (cursor.length > 200) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== 'kb-list' || typeof parsed[2] !== 'string' || parsed[2].length > 64)
    throw invalid;
  const updatedAt = new Date(String(parsed[1]));
  if (Number.isNaN(updatedAt.getTime())) throw invalid;
  return { updatedAt, id: parsed[2] };
}

/**
 * An article mutation's payload, with one user error per field at fault when the content is invalid (the form
 * beside each field, fixed in one pass), rather than only the first.
 */
async function articlePayload(run: () => Promise<Partial<Omit<ArticlePayload, 'userErrors'>>>): Promise<ArticlePayload> {
  let problems: FieldProblem[] = [];
  const payload = await mutationPayload(ArticlePayload, async () => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AppError && error.code === 'INVALID_ARTICLE') problems = (error.details.fieldProblems as FieldProblem[]) ?? [];
      throw error;
    }
  });
  if (problems.length === 0) return payload;
  payload.userErrors = problems.map((problem) =>
    Object.assign(new UserError(), {
      field: ['input', problem.field],
      message: problem.message,
      code: 'INVALID_ARTICLE',
      requiredTier: null,
    }),
  );
  return payload;
}

const FILE_NOTICE = 'This article comes from a kb/articles file: its next change there (and `kb index`) replaces this edit.';

@Resolver(() => ArticleType)
export class KnowledgeBaseResolver {
  @Query(() => ArticleSearchConnection, {
    description:
      'Searches the articles you may read (anonymous: public ones; customers and keys: by tier; staff: all), best first, ' +
      'with highlights, facets and the total. Tolerates typos, matches the word being typed as a prefix, knows synonyms.',
  })
  @Access({ public: true })
  async searchKnowledgeBase(
    @Arg('query', () => String, { description: 'At most 200 characters; needs at least one letter or digit.' }) query: string,
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => KnowledgeBaseFilterInput, { nullable: true }) filter?: KnowledgeBaseFilterInput | null,
    @Arg('first', () => Int, { nullable: true, description: 'How many hits (default 20, at most 100).' }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The `endCursor` of the previous page.' }) after?: string | null,
  ): Promise<ArticleSearchConnection> {
    const size = pageSize(first);
    const offset = after ? decodeSearchCursor(after) : 0;
    const outcome = await searchKnowledgeBase(ctx, { query, productAreas: filter?.productAreas, tags: filter?.tags, first: size, offset });
    const edges = outcome.hits.map(({ hit, article }, index) =>
      Object.assign(new ArticleHitEdge(), { cursor: encodeSearchCursor(outcome.offset + index + 1), node: ArticleHit.from(hit, article) }),
    );
    const end = outcome.offset + outcome.result.hits.length;
    return Object.assign(new ArticleSearchConnection(), {
      edges,
      nodes: edges.map((edge) => edge.node),
      pageInfo: { hasNextPage: end < outcome.result.total, endCursor: outcome.result.hits.length ? encodeSearchCursor(end) : null },
      totalCount: outcome.result.total,
      facets: { productAreas: outcome.result.facets.productArea, tags: outcome.result.facets.tags },
      matchedAllWords: outcome.matchedAllWords,
      query: outcome.plan.text,
      searchId: outcome.searchId ? toGlobalId('KnowledgeBaseSearch', outcome.searchId) : null,
    });
  }

  @Query(() => ArticleType, {
    nullable: true,
    description: 'An article you may read, by slug; null otherwise (also for one you may not read).',
  })
  @Access({ public: true })
  async article(@Arg('slug', () => String) slug: string, @Ctx() ctx: RequestContext): Promise<ArticleType | null> {
    const found = await getArticleBySlug(ctx, slug);
    return found ? ArticleType.from(found) : null;
  }

  @Query(() => ArticleConnection, {
    description:
      'Staff: every article, archived ones included, most recently changed content first; `query` matches part of the title or slug.',
  })
  @Access({ staff: 'ANY' })
  async articles(
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
    @Arg('status', () => ArticleStatusEnum, { nullable: true }) status?: ArticleStatus | null,
    @Arg('query', () => String, { nullable: true, description: 'At most 200 characters.' }) query?: string | null,
  ): Promise<Connection<ArticleType>> {
    const size = pageSize(page.first);
    const after = page.after ? decodeListCursor(page.after) : null;
    const found = await listArticles(ctx, { status, text: query, first: size, after });
    const nodes = found.items.map(ArticleType.from);
    const cursorOf = (index: number) => encodeListCursor({ updatedAt: found.items[index]!.contentUpdatedAt, id: found.items[index]!.id });
    return {
      nodes,
      edges: nodes.map((node, index) => ({ node, cursor: cursorOf(index) })),
      pageInfo: { hasNextPage: found.hasNextPage, endCursor: nodes.length ? cursorOf(nodes.length - 1) : null },
      get totalCount() {
        return found.totalCount();
      },
    };
  }

  @Query(() => ArticleSuggestions, { description: 'Articles that may answer a ticket while it is being written (deflection).' })
  @Access({ public: true })
  async suggestArticles(
    @Arg('subject', () => String, { description: 'At most 200 characters.' }) subject: string,
    @Ctx() ctx: RequestContext,
    @Arg('description', () => String, { nullable: true, description: 'At most 20,000 characters; the first 1,000 are read.' })
    description?: string | null,
    @Arg('first', () => Int, { nullable: true, description: 'Default 5, at most 10.' }) first?: number | null,
  ): Promise<ArticleSuggestions> {
    const { hits, searchId } = await suggestArticles(ctx, { subject, description, first: first ?? 5 });
    return Object.assign(new ArticleSuggestions(), {
      hits: hits.map(({ hit, article }) => ArticleHit.from(hit, article)),
      searchId: searchId ? toGlobalId('KnowledgeBaseSearch', searchId) : null,
    });
  }

  @Query(() => KnowledgeBaseAnalyticsType, { description: 'Search analytics: top queries, queries with no result, deflection, ratings.' })
  @Access({ staff: 'ANY' })
  async knowledgeBaseAnalytics(
    @Ctx() ctx: RequestContext,
    @Arg('since', () => Date, { nullable: true, description: 'Default: 30 days before `until`.' }) since?: Date | null,
    @Arg('until', () => Date, { nullable: true, description: 'Default: now.' }) until?: Date | null,
    @Arg('deflectionWindowMinutes', () => Int, { nullable: true, description: 'Default 30, at most 1440.' }) windowMinutes?: number | null,
    @Arg('first', () => Int, { nullable: true, description: 'Rows per list (default 20, at most 100).' }) first?: number | null,
  ): Promise<KnowledgeBaseAnalyticsType> {
    const end = until ?? ctx.clock.now();
    const start = since ?? new Date(end.getTime() - 30 * 86_400_000);
    const analytics = await knowledgeBaseAnalytics(ctx, {
      since: start,
      until: end,
      windowMinutes: windowMinutes ?? 30,
      first: pageSize(first),
    });
    return Object.assign(new KnowledgeBaseAnalyticsType(), {
      ...analytics,
      articleRatings: analytics.articleRatings.map((row) => ({ ...row, articleId: toGlobalId('Article', row.articleId) })),
    });
  }

  @FieldResolver(() => ArticleVersionConnection, { description: 'Staff only: every revision, newest first.' })
  async versions(
    @Root() article: ArticleType,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<ArticleVersionType>> {
    if (!isStaffLike(ctx.principal)) throw new AppError('FORBIDDEN', 'Only staff see article versions.');
    return connectionFrom(await articleVersions(ctx, article.articleId, pageRequest(page)), ArticleVersionType.from);
  }

  @Mutation(() => RateArticlePayload, {
    description: '"Was this helpful?" One answer per customer and article; answering again replaces it.',
  })
  @Access({ customer: 'MEMBER' })
  async rateArticle(
    @Arg('input', () => RateArticleInput) input: RateArticleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RateArticlePayload> {
    return mutationPayload(RateArticlePayload, async () => {
      const articleId = fromGlobalId('Article', input.articleId, 'articleId');
      const searchId = input.searchId ? fromGlobalId('KnowledgeBaseSearch', input.searchId, 'searchId') : null;
      const { article, feedback } = await rateArticle(ctx, { articleId, helpful: input.helpful, comment: input.comment, searchId });
      return { article: ArticleType.from(article), helpful: feedback.helpful };
    });
  }

  @Mutation(() => ArticlePayload, { description: 'A new article (version 1), searchable at once.' })
  @Access({ staff: ['ADMIN', 'SPECIALIST'] })
  async createArticle(
    @Arg('input', () => CreateArticleInput) input: CreateArticleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ArticlePayload> {
    return articlePayload(async () => ({ article: ArticleType.from(await createArticle(ctx, input)), notice: null }));
  }

  @Mutation(() => ArticlePayload, { description: 'Changes the fields given (a new version when anything changed).' })
  @Access({ staff: ['ADMIN', 'SPECIALIST'] })
  async updateArticle(
    @Arg('input', () => UpdateArticleInput) input: UpdateArticleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ArticlePayload> {
    return articlePayload(async () => {
      const article = await updateArticle(ctx, { ...input, id: fromGlobalId('Article', input.id) });
      return { article: ArticleType.from(article), notice: article.origin === ArticleSource.FILE ? FILE_NOTICE : null };
    });
  }

  @Mutation(() => ArticlePayload, {
    description: 'Removes an article from search (a new version; updateArticle(status: PUBLISHED) restores it).',
  })
  @Access({ staff: ['ADMIN', 'SPECIALIST'] })
  async archiveArticle(
    @Arg('input', () => ArchiveArticleInput) input: ArchiveArticleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ArticlePayload> {
    return mutationPayload(ArticlePayload, async () => {
      const article = await archiveArticle(ctx, { id: fromGlobalId('Article', input.id) });
      return {
        article: ArticleType.from(article),
        notice:
          article.origin === ArticleSource.FILE
            ? 'This article comes from a kb/articles file: delete the file to remove it for good; a change to the file republishes it.'
            : null,
      };
    });
  }
}

@Resolver(() => ArticleVersionType)
export class ArticleVersionResolver {
  @FieldResolver(() => UserType, { nullable: true, description: 'The staff member who saved it; null for the indexer and API keys.' })
  async author(@Root() version: ArticleVersionType, @Ctx() ctx: RequestContext): Promise<UserType | null> {
    const userId = /^user:(.+)$/.exec(version.actor)?.[1];
    const user = userId ? await loadUser(ctx, userId) : null;
    return user && UserType.from(user, isStaffLike(ctx.principal));
  }
}
