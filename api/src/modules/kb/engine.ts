import type { EntityManager } from '@mikro-orm/postgresql';
import { MeiliSearchEngine } from './meili.engine.js';
import { PostgresSearchEngine } from './postgres.engine.js';
import type { SearchEngine } from './search.port.js';

/**
 * Which engine serves searches in this process: Meilisearch when MEILI_HOST is configured, else the embedded
 * PostgreSQL engine (which needs no configuration: it works on the request's own EntityManager, so it joins the
 * request's transaction).
 */
let meili: MeiliSearchEngine | null = null;

export function configureSearchEngine(
  config: { MEILI_HOST?: string | undefined; MEILI_API_KEY?: string | undefined },
  index?: string,
): void {
  meili = config.MEILI_HOST
    ? new MeiliSearchEngine({
        host: config.MEILI_HOST,
        ...(config.MEILI_API_KEY ? { apiKey: config.MEILI_API_KEY } : {}),
        ...(index ? { index } : {}),
      })
    : null;
}

export function searchEngineFor(em: EntityManager): SearchEngine {
  return meili ?? new PostgresSearchEngine(em);
}
