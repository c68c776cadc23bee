import { Meilisearch, MeilisearchApiError, MeilisearchError, type Key, type SearchParams, type Settings, type Task } from 'meilisearch';
import { generateTenantToken } from 'meilisearch/token';
import { AppError } from '../../shared/errors.js';
import type { Audience } from './kb.policy.js';
import { STOP_WORDS, TYPO_RULES } from './query.js';
import {
  HIGHLIGHT_MARKERS,
  MAX_TAG_FACETS,
  MAX_TOTAL_HITS,
  renderHighlight,
  type FacetCount,
  type SearchDocument,
  type SearchEngine,
  type SearchRequest,
  type SearchResult,
} from './search.port.js';
import { SYNONYM_GROUPS } from './synonyms.js';

const DEFAULT_MEILI_INDEX = 'tierdesk_articles';
const SEARCH_KEY_NAME = 'tierdesk-kb-search';
/** Tenant tokens live briefly: a tier change takes effect within this time even for a cached token. */
const TOKEN_TTL_MS = 5 * 60_000;

interface MeiliDocument {
  id: string;
  slug: string;
  title: string;
  summary: string;
  body: string;
  tags: string[];
  productArea: string;
  visibility: string;
  updatedAt: number;
  revision: string;
}

/** Every phrase of a group is a synonym of every other (Meilisearch synonyms are one-way, so list both ways). */
export function meiliSynonyms(): Record<string, string[]> {
  const synonyms: Record<string, string[]> = {};
  for (const group of SYNONYM_GROUPS) {
    for (const phrase of group)
      synonyms[phrase] = [...new Set([...(synonyms[phrase] ?? []), ...group.filter((other) => other !== phrase)])];
  }
  return synonyms;
}

/** The index settings, applied by `prepare()` and waited for. */
function meiliSettings(): Settings {
  return {
    searchableAttributes: ['title', 'summary', 'tags', 'body'],
    filterableAttributes: ['visibility', 'productArea', 'tags'],
    sortableAttributes: ['updatedAt'],
    displayedAttributes: ['id', 'slug', 'title', 'summary', 'body', 'tags', 'productArea', 'visibility', 'updatedAt', 'revision'],
    // Meilisearch's default order, stated: more words matched, fewer typos, closer words, better attribute
    // (title > summary > tags > body, from searchableAttributes), explicit sort, exact words.
    rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'],
    stopWords: [...STOP_WORDS],
    synonyms: meiliSynonyms(),
    typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: TYPO_RULES.oneTypo, twoTypos: TYPO_RULES.twoTypos } },
    faceting: { maxValuesPerFacet: 100, sortFacetValuesBy: { '*': 'count' } },
    pagination: { maxTotalHits: MAX_TOTAL_HITS },
  };
}

/** A Meilisearch filter string value: double-quoted, with quotes and backslashes escaped. */
function filterValue(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function visibilityFilter(audience: Audience): string | null {
  return audience.kind === 'everything' ? null : `visibility IN [${audience.visibilities.map(filterValue).join(', ')}]`;
}

function facetCounts(distribution: Record<string, number> | undefined, limit: number): FacetCount[] {
  return Object.entries(distribution ?? {})
    .filter(([, count]) => count > 0)
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
    .slice(0, limit);
}

export interface MeiliEngineOptions {
  host: string;
  apiKey?: string;
  index?: string;
  timeoutMs?: number;
}

/**
 * The Meilisearch adapter (official `meilisearch` client). With an API key, customer searches go through a
 * tenant token whose search rules carry the visibility filter, signed with a search-only key created for the
 * purpose: Meilisearch itself refuses to return what the token does not allow. Without a key (a development
 * server with no master key) the same filter is part of each query.
 */
export class MeiliSearchEngine implements SearchEngine {
  readonly kind = 'meilisearch' as const;
  readonly indexUid: string;
  private readonly client: Meilisearch;
  private searchKey: Promise<Pick<Key, 'uid' | 'key'>> | null = null;
  private readonly tokens = new Map<string, { client: Meilisearch; expiresAt: number }>();

  constructor(private readonly options: MeiliEngineOptions) {
    this.indexUid = options.index ?? DEFAULT_MEILI_INDEX;
    this.client = this.newClient(options.apiKey);
  }

  private newClient(apiKey: string | undefined): Meilisearch {
    return new Meilisearch({
      host: this.options.host,
      ...(apiKey ? { apiKey } : {}),
      timeout: this.options.timeoutMs ?? 10_000,
      defaultWaitOptions: { timeout: 60_000, interval: 25 },
    });
  }

  private index() {
    return this.client.index<MeiliDocument>(this.indexUid);
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof MeilisearchError) {
        throw new AppError('SEARCH_UNAVAILABLE', `The search engine failed to ${what}: ${error.message}`, { engine: 'meilisearch' });
      }
      throw error;
    }
  }

  private static succeeded(task: Task, what: string): void {
    if (task.status !== 'succeeded') {
      throw new AppError('SEARCH_UNAVAILABLE', `Meilisearch could not ${what}: ${task.error?.message ?? task.status}`, {
        engine: 'meilisearch',
      });
    }
  }

  async prepare(): Promise<void> {
    await this.call('prepare the index', async () => {
      try {
        await this.client.getRawIndex(this.indexUid);
      } catch (error) {
        if (!(error instanceof MeilisearchApiError) || error.cause?.code !== 'index_not_found') throw error;
        MeiliSearchEngine.succeeded(await this.client.createIndex(this.indexUid, { primaryKey: 'id' }).waitTask(), 'create the index');
      }
      MeiliSearchEngine.succeeded(await this.index().updateSettings(meiliSettings()).waitTask(), 'apply the index settings');
      if (this.options.apiKey) {
        this.searchKey = this.ensureSearchKey();
        await this.searchKey;
      }
    });
  }

  /** The search-only key that signs tenant tokens: found by name, or created once. */
  private async ensureSearchKey(): Promise<Pick<Key, 'uid' | 'key'>> {
    const name = `${SEARCH_KEY_NAME}:${this.indexUid}`;
    for (let offset = 0; ; offset += 100) {
      const page = await this.client.getKeys({ offset, limit: 100 });
      const found = page.results.find((key) => key.name === name);
      if (found) return found;
      if (page.results.length < 100) break;
    }
    return this.client.createKey({
      name,
      description: 'Signs Tierdesk tenant tokens for knowledge-base searches',
      actions: ['search'],
      indexes: [this.indexUid],
      expiresAt: null,
    });
  }

  /** A client whose every search is confined to the audience by a tenant token (or null: use the filter). */
  private async clientFor(audience: Audience): Promise<Meilisearch | null> {
    const filter = visibilityFilter(audience);
    if (!filter || !this.options.apiKey) return null;
    // A serving process may never have run prepare(): it only needs the signing key (found or created once).
    this.searchKey ??= this.ensureSearchKey();
    const searchKey = await this.searchKey.catch((error: unknown) => {
      this.searchKey = null;
      throw error;
    });
    const cached = this.tokens.get(filter);
    if (cached && cached.expiresAt - Date.now() > 30_000) return cached.client;
    const expiresAt = Date.now() + TOKEN_TTL_MS;
    const token = await generateTenantToken({
      apiKey: searchKey.key,
      apiKeyUid: searchKey.uid,
      searchRules: { [this.indexUid]: { filter } },
      expiresAt: new Date(expiresAt),
    });
    const client = this.newClient(token);
    this.tokens.set(filter, { client, expiresAt });
    return client;
  }

  async upsert(documents: readonly SearchDocument[]): Promise<void> {
    if (!documents.length) return;
    await this.call('index articles', async () => {
      const payload: MeiliDocument[] = documents.map((document) => ({
        ...document,
        tags: [...document.tags],
        updatedAt: document.updatedAt.getTime(),
      }));
      MeiliSearchEngine.succeeded(await this.index().addDocuments(payload, { primaryKey: 'id' }).waitTask(), 'index articles');
    });
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.call('remove articles', async () => {
      MeiliSearchEngine.succeeded(
        await this.index()
          .deleteDocuments([...ids])
          .waitTask(),
        'remove articles',
      );
    });
  }

  /** Meilisearch keeps its index up to date as documents arrive: nothing to do. */
  async optimize(): Promise<void> {}

  async revisions(): Promise<Map<string, string>> {
    return this.call('list indexed articles', async () => {
      const revisions = new Map<string, string>();
      for (let offset = 0; ; offset += 1000) {
        const page = await this.index().getDocuments<Pick<MeiliDocument, 'id' | 'revision'>>({
          fields: ['id', 'revision'],
          offset,
          limit: 1000,
        });
        for (const document of page.results) revisions.set(document.id, document.revision);
        if (page.results.length < 1000) return revisions;
      }
    });
  }

  /** The search parameters of one request; the visibility filter is added here only when no tenant token carries it. */
  searchParams(request: SearchRequest, withVisibility: boolean): SearchParams {
    const filters: string[] = [];
    const visibility = visibilityFilter(request.audience);
    if (withVisibility && visibility) filters.push(visibility);
    if (request.filter?.productAreas?.length) filters.push(`productArea IN [${request.filter.productAreas.map(filterValue).join(', ')}]`);
    if (request.filter?.tags?.length) filters.push(`tags IN [${request.filter.tags.map(filterValue).join(', ')}]`);
    const window = Math.max(0, Math.min(request.offset + request.limit, MAX_TOTAL_HITS));
    return {
      q: request.plan.text,
      ...(filters.length ? { filter: filters.join(' AND ') } : {}),
      facets: ['productArea', 'tags'],
      // page/hitsPerPage (rather than offset/limit) gives an exact totalHits; the page is cut from the window.
      page: 1,
      hitsPerPage: window,
      matchingStrategy: request.mode === 'all' ? 'all' : 'frequency',
      attributesToRetrieve: ['id', 'slug'],
      attributesToHighlight: ['title', 'summary'],
      attributesToCrop: ['body'],
      cropLength: 24,
      cropMarker: '…',
      highlightPreTag: HIGHLIGHT_MARKERS.start,
      highlightPostTag: HIGHLIGHT_MARKERS.end,
      showRankingScore: true,
    };
  }

  private toResult(
    request: SearchRequest,
    response: { hits: Record<string, unknown>[]; totalHits?: number; facetDistribution?: Record<string, Record<string, number>> },
  ): SearchResult {
    const hits = response.hits.slice(Math.min(request.offset, MAX_TOTAL_HITS)).map((hit) => {
      const formatted = (hit._formatted ?? {}) as Record<string, unknown>;
      return {
        id: String(hit.id),
        slug: String(hit.slug),
        score: Math.round(Number(hit._rankingScore ?? 0) * 10_000) / 10_000,
        highlights: {
          title: renderHighlight(String(formatted.title ?? '')),
          summary: renderHighlight(String(formatted.summary ?? '')),
          snippet: renderHighlight(String(formatted.body ?? '')),
        },
      };
    });
    return {
      hits,
      total: Math.min(response.totalHits ?? 0, MAX_TOTAL_HITS),
      facets: {
        productArea: facetCounts(response.facetDistribution?.productArea, 100),
        tags: facetCounts(response.facetDistribution?.tags, MAX_TAG_FACETS),
      },
    };
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    const [result] = await this.multiSearch([request]);
    return result!;
  }

  /** One multi-search round trip per audience (a tenant token confines a whole request). */
  async multiSearch(requests: readonly SearchRequest[]): Promise<SearchResult[]> {
    return this.call('search', async () => {
      const results: SearchResult[] = new Array(requests.length);
      const byAudience = new Map<string, number[]>();
      requests.forEach((request, position) => {
        const key = visibilityFilter(request.audience) ?? '*';
        byAudience.set(key, [...(byAudience.get(key) ?? []), position]);
      });
      for (const positions of byAudience.values()) {
        const audience = requests[positions[0]!]!.audience;
        const tokenClient = await this.clientFor(audience);
        const client = tokenClient ?? this.client;
        const response = await client.multiSearch({
          queries: positions.map((position) => ({
            indexUid: this.indexUid,
            ...this.searchParams(requests[position]!, tokenClient === null),
          })),
        });
        response.results.forEach((result, index) => {
          const position = positions[index]!;
          results[position] = this.toResult(requests[position]!, result as never);
        });
      }
      return results;
    });
  }

  async vocabulary(audience: Audience): Promise<{ productAreas: string[]; tags: string[] }> {
    return this.call('list facet values', async () => {
      const tokenClient = await this.clientFor(audience);
      const visibility = visibilityFilter(audience);
      const response = await (tokenClient ?? this.client).index(this.indexUid).search('', {
        limit: 0,
        facets: ['productArea', 'tags'],
        ...(tokenClient === null && visibility ? { filter: visibility } : {}),
      });
      const keys = (name: string) => Object.keys(response.facetDistribution?.[name] ?? {}).sort();
      return { productAreas: keys('productArea'), tags: keys('tags') };
    });
  }
}
