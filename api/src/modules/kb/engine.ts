import type { EntityManager } from '@mikro-orm/postgresql';
import { ServiceKey, type RequestContext } from '../../shared/context.js';
import { MeiliSearchEngine } from './meili.engine.js';
import { PostgresSearchEngine } from './postgres.engine.js';
import type { SearchEngine } from './search.port.js';

/** Which engine serves searches in this process; the composition root provides it from the configuration. */
export interface SearchEngines {
  readonly kind: SearchEngine['kind'];
  /** The engine for work on `em` (the PostgreSQL engine joins that EntityManager's transaction). */
  engineFor(em: EntityManager): SearchEngine;
}

export const SEARCH_ENGINES = new ServiceKey<SearchEngines>('kb.search');

/**
 * Meilisearch when MEILI_HOST is configured, else the embedded PostgreSQL engine (which needs no configuration: it
 * works on the request's own EntityManager, so it joins the request's transaction).
 */
export function searchEnginesFor(
  config: { MEILI_HOST?: string | undefined; MEILI_API_KEY?: string | undefined },
  index?: string,
): SearchEngines {
  if (!config.MEILI_HOST) return { kind: 'postgresql', engineFor: (em) => new PostgresSearchEngine(em) };
  const meili = new MeiliSearchEngine({
    host: config.MEILI_HOST,
    ...(config.MEILI_API_KEY ? { apiKey: config.MEILI_API_KEY } : {}),
    ...(index ? { index } : {}),
  });
  return { kind: meili.kind, engineFor: () => meili };
}

export function searchEngineFor(ctx: RequestContext, em: EntityManager = ctx.em): SearchEngine {
  return ctx.services.get(SEARCH_ENGINES).engineFor(em);
}
