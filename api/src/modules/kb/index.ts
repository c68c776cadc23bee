import type { RequestContext } from '../../shared/context.js';
import type { ModuleDefinition } from '../../shared/module.js';
import { Article, ArticleFeedback, ArticleVersion, SearchDocumentRow, SearchEvent, SearchTerm } from './kb.entity.js';
import { ArticleVersionResolver, KnowledgeBaseResolver } from './kb.resolver.js';
import { getArticle } from './kb.service.js';
import { ArticleType } from './kb.types.js';

/** The knowledge base: versioned articles (files and admin edits), search on PostgreSQL or Meilisearch, analytics. */
export { SEARCH_ENGINES, searchEnginesFor } from './engine.js';
export { formatReport, indexKnowledgeBase, KnowledgeBaseDirectoryError, type IndexReport } from './indexer.js';
/** @public The engine and its inputs on their own, for bench/kb-search.mjs (a corpus generated from the product areas and synonyms). */
export { PRODUCT_AREAS } from './kb.policy.js';
/** @public */
export { PostgresSearchEngine } from './postgres.engine.js';
/** @public */
export { planQuery } from './query.js';
/** @public */
export { SYNONYM_GROUPS } from './synonyms.js';

export const kbModule: ModuleDefinition = {
  name: 'kb',
  entities: [Article, ArticleVersion, SearchDocumentRow, SearchTerm, SearchEvent, ArticleFeedback],
  resolvers: [KnowledgeBaseResolver, ArticleVersionResolver],
  nodes: {
    /** The same visibility as `article(slug)`: an article the caller may not read is null, like an unknown id. */
    Article: async (ctx: RequestContext, id: string) => {
      const article = await getArticle(ctx, id);
      return article && ArticleType.from(article);
    },
  },
};
