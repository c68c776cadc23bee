import type { Audience } from './kb.policy.js';
import type { QueryPlan } from './query.js';

/**
 * The search engine port. Two adapters implement it: the embedded PostgreSQL engine (postgres.engine.ts, the
 * default) and Meilisearch (meili.engine.ts, when MEILI_HOST is set). One contract suite
 * (search.contract.int.test.ts) runs against both. The engine holds a copy of each published article; the database
 * (kb_article) stays the source of truth and the indexer reconciles the two by `revision`.
 */

/** What an engine indexes for one article. Plain text only: Markdown is stripped before (markdown.ts). */
export interface SearchDocument {
  id: string;
  slug: string;
  title: string;
  summary: string;
  body: string;
  tags: string[];
  productArea: string;
  visibility: string;
  updatedAt: Date;
  /** The article's content hash: an engine holding this revision needs no update. */
  revision: string;
}

interface SearchFilter {
  productAreas?: readonly string[];
  tags?: readonly string[];
}

/**
 * `all`: every word of the query must match (search box; the word being typed as a prefix).
 * `any`: articles matching more of the words rank first (deflection suggestions from a ticket's text).
 */
type MatchingMode = 'all' | 'any';

export interface SearchRequest {
  plan: QueryPlan;
  /** Who is asking, as the visibilities they may read: applied inside the engine's query, never afterwards. */
  audience: Audience;
  filter?: SearchFilter;
  mode: MatchingMode;
  offset: number;
  limit: number;
}

export interface FacetCount {
  value: string;
  count: number;
}

interface Highlights {
  /** HTML-escaped text with matches wrapped in <mark>…</mark>. */
  title: string;
  summary: string;
  /** A short passage of the body around the best matches. */
  snippet: string;
}

export interface SearchHit {
  id: string;
  slug: string;
  /** Relevance between 0 and 1, higher is better; comparable within one result, not across engines. */
  score: number;
  highlights: Highlights;
}

export interface SearchResult {
  hits: SearchHit[];
  /** All articles matching (within the audience and filter), capped at MAX_TOTAL_HITS. */
  total: number;
  /** Counts over all matching articles, not just this page. */
  facets: { productArea: FacetCount[]; tags: FacetCount[] };
}

/** The deepest hit either engine returns (Meilisearch's `maxTotalHits`); deeper pages are empty. */
export const MAX_TOTAL_HITS = 1000;
/** Tag facet values returned at most (most frequent first). */
export const MAX_TAG_FACETS = 30;

export interface SearchEngine {
  readonly kind: 'postgresql' | 'meilisearch';
  /** Creates or updates the index and its settings (idempotent). */
  prepare(): Promise<void>;
  /** Adds or replaces documents; returns when they are searchable. */
  upsert(documents: readonly SearchDocument[]): Promise<void>;
  /** Removes documents by id (unknown ids are ignored); returns when they are gone from results. */
  remove(ids: readonly string[]): Promise<void>;
  /** Housekeeping after a bulk change (the indexer calls it when anything changed); may do nothing. */
  optimize(): Promise<void>;
  /** Every document the engine holds, as id -> revision. */
  revisions(): Promise<Map<string, string>>;
  search(request: SearchRequest): Promise<SearchResult>;
  /** Several searches in one round trip where the engine can (Meilisearch multi-search). */
  multiSearch(requests: readonly SearchRequest[]): Promise<SearchResult[]>;
  /** The product areas and tags of the articles this audience may read (for validating filters). */
  vocabulary(audience: Audience): Promise<{ productAreas: string[]; tags: string[] }>;
}

const SELECT_START = '\u0001';
const SELECT_END = '\u0002';
export const HIGHLIGHT_MARKERS = { start: SELECT_START, end: SELECT_END } as const;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Engines mark matches with two control characters; this escapes the text for HTML and turns the markers into
 * <mark> tags, so a client can render highlights as HTML without trusting article text.
 */
export function renderHighlight(marked: string): string {
  let open = false;
  let out = '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is stripped here
  for (const char of marked.replace(/[\u0000\u0003-\u0008\u000b\u000c\u000e-\u001f]/g, '')) {
    if (char === SELECT_START) {
      if (!open) out += '<mark>';
      open = true;
    } else if (char === SELECT_END) {
      if (open) out += '</mark>';
      open = false;
    } else {
      out += ESCAPES[char] ?? char;
    }
  }
  return open ? `${out}</mark>` : out;
}
