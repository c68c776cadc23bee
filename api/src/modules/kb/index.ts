import type { RequestContext } from '../../shared/context.js';
import type { ModuleDefinition } from '../../shared/module.js';
import { Article, ArticleFeedback, ArticleVersion, SearchDocumentRow, SearchEvent, SearchTerm } from './kb.entity.js';
import { KnowledgeBaseResolver } from './kb.resolver.js';
import { getArticle } from './kb.service.js';
import { ArticleType } from './kb.types.js';

/** The knowledge base: versioned articles (files and admin edits), search on PostgreSQL or Meilisearch, analytics. */
export { SEARCH_ENGINES, searchEnginesFor, type SearchEngines } from './engine.js';
export { formatReport, indexKnowledgeBase, KnowledgeBaseDirectoryError, type IndexReport } from './indexer.js';

export const kbModule: ModuleDefinition = {
  name: 'kb',
  entities: [Article, ArticleVersion, SearchDocumentRow, SearchTerm, SearchEvent, ArticleFeedback],
  resolvers: [KnowledgeBaseResolver],
  nodes: {
    /** The same visibility as `article(slug)`: an article the caller may not read is null, like an unknown id. */
    Article: async (ctx: RequestContext, id: string) => {
      const article = await getArticle(ctx, id);
      return article && ArticleType.from(article);
    },
  },
};
