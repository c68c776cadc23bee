/** What other modules (and the CLI, server and tests) may use of the knowledge base. */
export { KnowledgeBaseResolver } from './kb.resolver.js';
export { Article, ArticleFeedback, ArticleVersion, SearchDocumentRow, SearchEvent, SearchTerm } from './kb.entity.js';
export { configureSearchEngine, searchEngineFor } from './engine.js';
export { formatReport, indexKnowledgeBase, KnowledgeBaseDirectoryError, type IndexReport } from './indexer.js';
export { getArticle } from './kb.service.js';
export { ArticleType } from './kb.types.js';
export { PostgresSearchEngine } from './postgres.engine.js';
export { MeiliSearchEngine } from './meili.engine.js';
export type { SearchEngine, SearchDocument } from './search.port.js';
