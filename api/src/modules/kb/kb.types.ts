import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, Node, UserError, type WithUserErrors } from '../../shared/graphql.js';
import { toGlobalId } from '../../shared/ids.js';
import { ConnectionType, PageInfo } from '../../shared/pagination.js';
import {
  ARTICLE_SOURCES,
  ARTICLE_STATUSES,
  type Article,
  type ArticleSource,
  type ArticleStatus,
  type ArticleVersion,
} from './kb.entity.js';
import type { SearchHit } from './search.port.js';

export const ArticleStatusEnum = graphqlEnum('ArticleStatus', ARTICLE_STATUSES, {
  description: 'PUBLISHED articles are searchable; ARCHIVED ones only staff see.',
});
const ArticleSourceEnum = graphqlEnum('ArticleSource', ARTICLE_SOURCES, {
  description: 'FILE: kb/articles (the indexer); ADMIN: the admin API.',
});

@ObjectType('Article', { implements: Node, description: 'A knowledge-base article. Who may read it depends on `visibility` (see README).' })
export class ArticleType extends Node {
  @Field(() => String)
  slug: string;

  @Field(() => String)
  title: string;

  @Field(() => String, { description: 'One or two sentences, shown in search results.' })
  summary: string;

  @Field(() => String, { description: 'Markdown.' })
  body: string;

  @Field(() => [String])
  tags: string[];

  @Field(() => String, {
    description: 'getting-started, tiers-and-plans, tickets, sla, escalations, partner-api, billing, security or troubleshooting.',
  })
  productArea: string;

  @Field(() => String, { description: '`public`, `customers` or `tier:<tier key>`.' })
  visibility: string;

  @Field(() => Date, { description: "When the content last changed (the front matter's `updated`, or the admin edit)." })
  updatedAt: Date;

  @Field(() => Int, { description: 'Increases with every change; pass it as `expectedVersion` to updateArticle.' })
  version: number;

  @Field(() => ArticleStatusEnum)
  status: ArticleStatus;

  @Field(() => ArticleSourceEnum, { description: 'Where the article was created.' })
  origin: ArticleSource;

  articleId: string;

  static from(article: Article): ArticleType {
    return Object.assign(new ArticleType(), {
      id: toGlobalId('Article', article.id),
      articleId: article.id,
      slug: article.slug,
      title: article.title,
      summary: article.summary,
      body: article.body,
      tags: [...article.tags],
      productArea: article.productArea,
      visibility: article.visibility,
      updatedAt: article.contentUpdatedAt,
      version: article.version,
      status: article.status,
      origin: article.origin,
    });
  }
}

@ObjectType('ArticleVersion', { description: 'One revision of an article, as it was saved.' })
export class ArticleVersionType {
  @Field(() => Int)
  version: number;

  @Field(() => String)
  title: string;

  @Field(() => String)
  summary: string;

  @Field(() => String)
  body: string;

  @Field(() => [String])
  tags: string[];

  @Field(() => String)
  productArea: string;

  @Field(() => String)
  visibility: string;

  @Field(() => ArticleStatusEnum)
  status: ArticleStatus;

  @Field(() => ArticleSourceEnum)
  source: ArticleSource;

  @Field(() => String, { description: '`user:<id>`, `apikey:<id>` or `system:kb-index`.' })
  actor: string;

  @Field(() => Date)
  createdAt: Date;

  static from(version: ArticleVersion): ArticleVersionType {
    return Object.assign(new ArticleVersionType(), {
      version: version.version,
      title: version.title,
      summary: version.summary,
      body: version.body,
      tags: [...version.tags],
      productArea: version.productArea,
      visibility: version.visibility,
      status: version.status,
      source: version.source,
      actor: version.actor,
      createdAt: version.createdAt,
    });
  }
}

export const ArticleVersionConnection = ConnectionType('ArticleVersion', ArticleVersionType);

export const ArticleConnection = ConnectionType('Article', ArticleType);

@ObjectType({ description: 'HTML-escaped text with the matching words in <mark>…</mark>.' })
export class ArticleHighlights {
  @Field(() => String)
  title: string;

  @Field(() => String)
  summary: string;

  @Field(() => String, { description: 'A short passage of the body around the best matches.' })
  snippet: string;
}

@ObjectType()
export class ArticleHit {
  @Field(() => ArticleType)
  article: ArticleType;

  @Field(() => Float, { description: 'Relevance from 0 to 1 (higher is better), comparable within one result.' })
  score: number;

  @Field(() => ArticleHighlights)
  highlights: ArticleHighlights;

  static from(hit: SearchHit, article: Article): ArticleHit {
    return Object.assign(new ArticleHit(), {
      article: ArticleType.from(article),
      score: hit.score,
      highlights: Object.assign(new ArticleHighlights(), hit.highlights),
    });
  }
}

@ObjectType('ArticleHitEdge')
export class ArticleHitEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => ArticleHit)
  node: ArticleHit;
}

@ObjectType()
export class FacetCount {
  @Field(() => String)
  value: string;

  @Field(() => Int)
  count: number;
}

@ObjectType({ description: 'Counts over every matching article you may read (not just this page).' })
export class KnowledgeBaseFacets {
  @Field(() => [FacetCount])
  productAreas: FacetCount[];

  @Field(() => [FacetCount], { description: 'The 30 most frequent tags.' })
  tags: FacetCount[];
}

@ObjectType('ArticleSearchConnection', { description: 'Search results, best first, with facets.' })
export class ArticleSearchConnection {
  @Field(() => [ArticleHitEdge])
  edges: ArticleHitEdge[];

  @Field(() => [ArticleHit])
  nodes: ArticleHit[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { description: 'Matching articles you may read (at most 1000).' })
  totalCount: number;

  @Field(() => KnowledgeBaseFacets)
  facets: KnowledgeBaseFacets;

  @Field(() => Boolean, { description: 'False when no article had every word and the articles with the most of them are shown instead.' })
  matchedAllWords: boolean;

  @Field(() => String, { description: 'The query as searched: lowercase words, punctuation removed.' })
  query: string;

  @Field(() => ID, {
    nullable: true,
    description: 'This search, for rateArticle(searchId) (null for staff, whose searches are not recorded, and after the first page).',
  })
  searchId: string | null;
}

@ObjectType()
export class ArticleSuggestions {
  @Field(() => [ArticleHit], { description: 'Best first; empty while the subject and description have no words yet.' })
  hits: ArticleHit[];

  @Field(() => ID, { nullable: true })
  searchId: string | null;
}

@InputType('KnowledgeBaseFilter', { description: 'Values within a field are alternatives (OR); fields combine with AND.' })
export class KnowledgeBaseFilterInput {
  @Field(() => [String], { nullable: true })
  productAreas?: string[] | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;
}

@InputType()
export class RateArticleInput {
  @Field(() => ID)
  articleId: string;

  @Field(() => Boolean, { description: 'Was this article helpful? Answering again replaces your answer.' })
  helpful: boolean;

  @Field(() => String, { nullable: true, description: 'At most 1000 characters.' })
  comment?: string | null;

  @Field(() => ID, { nullable: true, description: 'The search or suggestion that led here (`searchId`).' })
  searchId?: string | null;
}

@ObjectType()
export class RateArticlePayload implements WithUserErrors {
  @Field(() => ArticleType, { nullable: true })
  article: ArticleType | null;

  @Field(() => Boolean, { nullable: true, description: 'Your answer as recorded.' })
  helpful: boolean | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType()
export class CreateArticleInput {
  @Field(() => String, { description: 'Lowercase letters, digits and single hyphens; cannot change later.' })
  slug: string;

  @Field(() => String)
  title: string;

  @Field(() => String)
  summary: string;

  @Field(() => String, { description: 'Markdown.' })
  body: string;

  @Field(() => [String])
  tags: string[];

  @Field(() => String)
  productArea: string;

  @Field(() => String, { description: '`public`, `customers` or `tier:<tier key>`.' })
  visibility: string;
}

@InputType()
export class UpdateArticleInput {
  @Field(() => ID)
  id: string;

  @Field(() => Int, {
    nullable: true,
    description: 'The version you edited; a different current version is a CONFLICT (someone else saved first).',
  })
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  summary?: string | null;

  @Field(() => String, { nullable: true })
  body?: string | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;

  @Field(() => String, { nullable: true })
  productArea?: string | null;

  @Field(() => String, { nullable: true })
  visibility?: string | null;

  @Field(() => ArticleStatusEnum, { nullable: true, description: 'PUBLISHED republishes an archived article.' })
  status?: ArticleStatus | null;
}

@InputType()
export class ArchiveArticleInput {
  @Field(() => ID)
  id: string;
}

@ObjectType()
export class ArticlePayload implements WithUserErrors {
  @Field(() => ArticleType, { nullable: true })
  article: ArticleType | null;

  @Field(() => String, {
    nullable: true,
    description: 'Set when the edit has a consequence to know, e.g. a file-based article will follow its next file change.',
  })
  notice: string | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class SearchQueryStat {
  @Field(() => String)
  query: string;

  @Field(() => Int)
  searches: number;

  @Field(() => Float)
  averageResults: number;

  @Field(() => Date)
  lastSearchedAt: Date;
}

@ObjectType({
  description: 'Searches and suggestions that showed articles and were not followed by a ticket from the same caller within the window.',
})
export class DeflectionStats {
  @Field(() => Int)
  windowMinutes: number;

  @Field(() => Int, {
    description: 'Searches and suggestions by signed-in customers and keys, with at least one result, whose window has passed.',
  })
  eligible: number;

  @Field(() => Int, { description: 'Of those, the ones not followed by a ticket opened by the same caller within the window.' })
  deflected: number;

  @Field(() => Float, { nullable: true, description: 'deflected / eligible; null when nothing is eligible.' })
  rate: number | null;
}

@ObjectType()
export class RatingStats {
  @Field(() => Int)
  helpful: number;

  @Field(() => Int)
  notHelpful: number;

  @Field(() => Float, { nullable: true, description: 'helpful / (helpful + notHelpful); null without ratings.' })
  helpfulRate: number | null;
}

@ObjectType()
export class ArticleRatingStat {
  @Field(() => ID)
  articleId: string;

  @Field(() => String)
  slug: string;

  @Field(() => String)
  title: string;

  @Field(() => Int)
  helpful: number;

  @Field(() => Int)
  notHelpful: number;
}

@ObjectType('KnowledgeBaseAnalytics')
export class KnowledgeBaseAnalyticsType {
  @Field(() => Date)
  since: Date;

  @Field(() => Date)
  until: Date;

  @Field(() => Int, { description: 'Searches (search-as-you-type keystrokes within a minute count once).' })
  searches: number;

  @Field(() => Int, { description: 'Suggestion requests while writing a ticket.' })
  suggestions: number;

  @Field(() => [SearchQueryStat], { description: 'Most frequent queries first.' })
  topQueries: SearchQueryStat[];

  @Field(() => [SearchQueryStat], { description: 'Queries that found nothing, most frequent first: articles to write.' })
  zeroResultQueries: SearchQueryStat[];

  @Field(() => DeflectionStats)
  deflection: DeflectionStats;

  @Field(() => RatingStats)
  ratings: RatingStats;

  @Field(() => [ArticleRatingStat], { description: 'Rated articles, most "not helpful" answers first: articles to improve.' })
  articleRatings: ArticleRatingStat[];
}
