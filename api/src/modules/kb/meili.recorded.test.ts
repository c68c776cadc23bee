import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MeiliSearchEngine, meiliSynonyms } from './meili.engine.js';
import { planQuery, STOP_WORDS } from './query.js';
import { HIGHLIGHT_MARKERS, type SearchDocument } from './search.port.js';

/**
 * The adapter against recorded exchanges: the official `meilisearch` client talks HTTP to a local server that checks
 * every request against a script and answers with response bodies copied from Meilisearch's own documentation.
 * The bodies are kept as the documentation prints them (its "movies" index is this test's index, so names line up);
 * where a body is a fragment or uses the documentation's field names, the comment beside it says what was joined or
 * renamed. Sources, all at meilisearch/documentation@52a04d8aec7990caca1a57424e0a92b54ce5d0b5:
 *  - OPENAPI = assets/open-api/meilisearch-openapi.json (the server's OpenAPI file, Meilisearch 1.53.0), examples
 *    of the named operation and status;
 *  - pages under capabilities/ and resources/, named beside each body.
 */
const INDEX = 'movies';
const MASTER_KEY = 'master-key-of-the-test';

// OPENAPI GET /indexes/{index_uid} 404.
const INDEX_NOT_FOUND = {
  message: 'Index `movies` not found.',
  code: 'index_not_found',
  type: 'invalid_request',
  link: 'https://docs.meilisearch.com/errors#index_not_found',
};
// OPENAPI POST /indexes 202.
const INDEX_CREATION_ENQUEUED = {
  taskUid: 147,
  indexUid: 'movies',
  status: 'enqueued',
  type: 'indexCreation',
  enqueuedAt: '2024-08-08T17:05:55.791772Z',
};
// OPENAPI PATCH /indexes/{index_uid}/settings 202.
const SETTINGS_UPDATE_ENQUEUED = { ...INDEX_CREATION_ENQUEUED, type: 'settingsUpdate' };
// OPENAPI POST /indexes/{index_uid}/documents 202 (and the same example for .../documents/delete-batch 202).
const DOCUMENTS_ENQUEUED = {
  taskUid: 147,
  indexUid: null,
  status: 'enqueued',
  type: 'documentAdditionOrUpdate',
  enqueuedAt: '2024-08-08T17:05:55.791772Z',
};
// OPENAPI GET /tasks/{task_id} 200.
const TASK_SUCCEEDED = {
  uid: 1,
  indexUid: 'movies',
  status: 'succeeded',
  type: 'indexCreation',
  canceledBy: null,
  details: null,
  error: null,
  duration: 'PT1S',
  enqueuedAt: '2021-01-01T09:39:00.000000Z',
  startedAt: '2021-01-01T09:39:01.000000Z',
  finishedAt: '2021-01-01T09:39:02.000000Z',
};
// resources/internals/primary_key.mdx, "invalid_document_id": a document addition that failed.
const TASK_FAILED = {
  uid: 1,
  indexUid: 'books',
  status: 'failed',
  type: 'documentAdditionOrUpdate',
  canceledBy: null,
  details: { receivedDocuments: 5, indexedDocuments: null },
  error: {
    message:
      'Document identifier `1@` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_).',
    code: 'invalid_document_id',
    type: 'invalid_request',
    link: 'https://docs.meilisearch.com/errors#invalid_document_id',
  },
  duration: 'PT0.009738S',
  enqueuedAt: '2021-12-30T11:28:59.075065Z',
  startedAt: '2021-12-30T11:28:59.076144Z',
  finishedAt: '2021-12-30T11:28:59.084803Z',
};
// OPENAPI GET /keys 200: one key, not the adapter's (so the adapter must create its own).
const KEYS_PAGE = {
  results: [
    {
      uid: '01b4bc42-eb33-4041-b481-254d00cce834',
      key: 'd0552b41536279a0ad88bd595327b96f01176a60c2243e906c52ac02375f9bc4',
      name: 'An API Key',
      description: null,
      actions: ['documents.add'],
      indexes: ['movies'],
      expiresAt: '2022-11-12T10:00:00Z',
      createdAt: '2021-11-12T10:00:00Z',
      updatedAt: '2021-11-12T10:00:00Z',
    },
  ],
  limit: 20,
  offset: 0,
  total: 1,
};
// OPENAPI POST /keys 201. Its uid is a UUIDv4, which meilisearch/token requires of `apiKeyUid`.
const KEY_CREATED = {
  uid: '01b4bc42-eb33-4041-b481-254d00cce834',
  key: 'd0552b41536279a0ad88bd595327b96f01176a60c2243e906c52ac02375f9bc4',
  name: 'Indexing Products API key',
  description: null,
  actions: ['documents.add'],
  indexes: ['products'],
  expiresAt: '2021-11-13T00:00:00Z',
  createdAt: '2021-11-12T10:00:00Z',
  updatedAt: '2021-11-12T10:00:00Z',
};
/**
 * One result of a multi-search with page/hitsPerPage, joined from documentation fragments:
 *  - the result envelope (`indexUid` plus the fields of a search response): capabilities/multi_search/getting_started/multi_search.mdx;
 *  - hits with `_rankingScore`: capabilities/full_text_search/relevancy/ranking_score.mdx; the first hit's `_formatted`
 *    (with the default `<em>` tags): capabilities/full_text_search/how_to/highlight_search_results.mdx. Added: `slug`,
 *    the one field the adapter retrieves that the documentation's movies lack;
 *  - the exhaustive page fields (`hitsPerPage`, `page`, `totalPages`, `totalHits`, sent instead of `estimatedTotalHits`
 *    when the query has page/hitsPerPage): capabilities/full_text_search/how_to/paginate_search_results.mdx;
 *  - `facetDistribution` sorted by count: capabilities/filtering_sorting_faceting/how_to/filter_with_facets.mdx, its
 *    `genres` as our `tags` and its `language` as our `productArea`.
 */
const MULTI_SEARCH_PAGE = {
  results: [
    {
      indexUid: 'movies',
      hits: [
        {
          id: 155,
          slug: 'the-dark-knight',
          title: 'The Dark Knight',
          _rankingScore: 0.9546,
          _formatted: {
            title: 'The Dark <em>Knight</em>',
            overview: 'When the menace known as the Joker wreaks havoc, the Dark <em>Knight</em> must...',
          },
        },
        { id: 36657, slug: 'batman-begins', title: 'Batman Begins', _rankingScore: 0.8103 },
      ],
      query: '',
      processingTimeMs: 35,
      hitsPerPage: 20,
      page: 1,
      totalPages: 4,
      totalHits: 100,
      facetDistribution: {
        tags: {
          Fiction: 8,
          Literature: 7,
          Classics: 6,
          Novel: 2,
          Horror: 2,
          Fantasy: 2,
          Victorian: 2,
          Vampires: 1,
          Tragedy: 1,
          Satire: 1,
          Romance: 1,
          'Historical Fiction': 1,
          'Coming-of-Age': 1,
          Comedy: 1,
        },
        productArea: { English: 6, French: 1, Spanish: 1 },
      },
    },
  ],
};

/** One scripted exchange: the request the adapter must send, and the recorded answer. */
interface Exchange {
  method: string;
  /** Path and query string, exactly. */
  url: string;
  /** The exact JSON body expected (deep equality); absent for a request without a body. */
  body?: unknown;
  /** The bearer credential expected; defaults to the master key. */
  bearer?: string | ((token: string) => void);
  status: number;
  response: unknown;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** What differs between two JSON bodies, by top-level field when both are objects (a settings body is long). */
function bodyDifference(actual: unknown, expected: unknown): string {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(actual) || !isObject(expected)) return `body ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;
  return [...new Set([...Object.keys(actual), ...Object.keys(expected)])]
    .filter((field) => !isDeepStrictEqual(actual[field], expected[field]))
    .map((field) => `${field}: ${JSON.stringify(actual[field])}, expected ${JSON.stringify(expected[field])}`)
    .join('; ');
}

/** A local server that replays `script` in order and answers 500 (recording why) to anything else. */
async function recordedMeili(script: Exchange[]) {
  const pending = [...script];
  const failures: string[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const seen = `${request.method} ${request.url}`;
    const expected = pending.shift();
    try {
      if (!expected) throw new Error(`unexpected request ${seen} after the script ended`);
      if (seen !== `${expected.method} ${expected.url}`) throw new Error(`expected ${expected.method} ${expected.url}, got ${seen}`);
      const bearer = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
      if (typeof expected.bearer === 'function') expected.bearer(bearer);
      else if (bearer !== (expected.bearer ?? MASTER_KEY)) throw new Error(`${seen}: unexpected credential ${bearer}`);
      const body: unknown = text ? JSON.parse(text) : undefined;
      if ('body' in expected && !isDeepStrictEqual(body, expected.body)) throw new Error(`${seen}: ${bodyDifference(body, expected.body)}`);
      response.writeHead(expected.status, { 'content-type': 'application/json' }).end(JSON.stringify(expected.response));
    } catch (error) {
      failures.push((error as Error).message);
      response
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: (error as Error).message, code: 'unexpected_request', type: 'internal', link: '' }));
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    /** Every scripted exchange happened, in order, and nothing else did. */
    verify() {
      expect(failures).toEqual([]);
      expect(pending.map((exchange) => `${exchange.method} ${exchange.url}`)).toEqual([]);
    },
  };
}

const fromBase64url = (text: string) => Buffer.from(text, 'base64url').toString('utf8');

/**
 * A tenant token as Meilisearch reads it. Header: `{ alg: 'HS256', typ: 'JWT' }`, signed with HMAC-SHA256 of
 * `header.payload` by the parent key (meilisearch/meilisearch-js@8c8d29c4acfaf08a15659f4799330cb768fc2239,
 * tests/token.test.ts, "test header" and "test signature"). Payload: exactly `searchRules`, `apiKeyUid` and `exp`,
 * a UNIX timestamp in seconds (meilisearch/documentation@52a04d8, capabilities/security/advanced/tenant_token_payload.mdx).
 */
function checkTenantToken(token: string, expected: { key: string; apiKeyUid: string; searchRules: unknown; now: number }): void {
  const [header64 = '', payload64 = '', signature = '', ...rest] = token.split('.');
  if (rest.length) throw new Error(`a JWT has three parts: ${token}`);
  const header = JSON.parse(fromBase64url(header64)) as unknown;
  if (!isDeepStrictEqual(header, { alg: 'HS256', typ: 'JWT' })) throw new Error(`token header ${JSON.stringify(header)}`);
  const signed = createHmac('sha256', expected.key).update(`${header64}.${payload64}`).digest('base64url');
  if (signature !== signed) throw new Error('the token is not signed by the search key');
  const { exp, ...claims } = JSON.parse(fromBase64url(payload64)) as { exp: unknown };
  if (!isDeepStrictEqual(claims, { searchRules: expected.searchRules, apiKeyUid: expected.apiKeyUid })) {
    throw new Error(`token claims ${JSON.stringify(claims)}`);
  }
  // The adapter's tokens live five minutes (TOKEN_TTL_MS): never expired, never longer.
  if (!Number.isInteger(exp) || (exp as number) * 1000 <= expected.now || (exp as number) * 1000 > expected.now + 5 * 60_000 + 1000) {
    throw new Error(`token exp ${String(exp)} is not a UNIX timestamp within five minutes of ${expected.now}`);
  }
}

const SETTINGS = {
  searchableAttributes: ['title', 'summary', 'tags', 'body'],
  filterableAttributes: ['visibility', 'productArea', 'tags'],
  sortableAttributes: ['updatedAt'],
  displayedAttributes: ['id', 'slug', 'title', 'summary', 'body', 'tags', 'productArea', 'visibility', 'updatedAt', 'revision'],
  rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'],
  stopWords: [...STOP_WORDS],
  synonyms: meiliSynonyms(),
  typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 4, twoTypos: 8 } },
  faceting: { maxValuesPerFacet: 100, sortFacetValuesBy: { '*': 'count' } },
  pagination: { maxTotalHits: 1000 },
};

const KEY_REQUEST = {
  name: 'tierdesk-kb-search:movies',
  description: 'Signs Tierdesk tenant tokens for knowledge-base searches',
  actions: ['search'],
  indexes: ['movies'],
  expiresAt: null,
};

const findOrCreateKey: Exchange[] = [
  { method: 'GET', url: '/keys?offset=0&limit=100', status: 200, response: KEYS_PAGE },
  { method: 'POST', url: '/keys', body: KEY_REQUEST, status: 201, response: KEY_CREATED },
];

const article: SearchDocument = {
  id: '00000000-0000-7000-8000-000000000155',
  slug: 'the-dark-knight',
  title: 'The Dark Knight',
  summary: 'Batman raises the stakes.',
  body: 'When the menace known as the Joker wreaks havoc…',
  tags: ['Fiction'],
  productArea: 'English',
  visibility: 'public',
  updatedAt: new Date('2026-11-01T00:00:00Z'),
  revision: 'r1',
};

describe('the Meilisearch adapter against recorded Meilisearch exchanges', () => {
  it('creates a missing index, applies the settings, waits for both tasks and creates its search key', async () => {
    const meili = await recordedMeili([
      { method: 'GET', url: '/indexes/movies', status: 404, response: INDEX_NOT_FOUND },
      { method: 'POST', url: '/indexes', body: { uid: 'movies', primaryKey: 'id' }, status: 202, response: INDEX_CREATION_ENQUEUED },
      { method: 'GET', url: '/tasks/147', status: 200, response: TASK_SUCCEEDED },
      { method: 'PATCH', url: '/indexes/movies/settings', body: SETTINGS, status: 202, response: SETTINGS_UPDATE_ENQUEUED },
      { method: 'GET', url: '/tasks/147', status: 200, response: TASK_SUCCEEDED },
      ...findOrCreateKey,
    ]);
    await new MeiliSearchEngine({ host: meili.host, apiKey: MASTER_KEY, index: INDEX }).prepare();
    meili.verify();
  });

  it('adds and removes documents, waits for their tasks, and reports a task Meilisearch failed', async () => {
    const meili = await recordedMeili([
      {
        method: 'POST',
        url: '/indexes/movies/documents?primaryKey=id',
        body: [{ ...article, updatedAt: article.updatedAt.getTime() }],
        status: 202,
        response: DOCUMENTS_ENQUEUED,
      },
      { method: 'GET', url: '/tasks/147', status: 200, response: TASK_SUCCEEDED },
      { method: 'POST', url: '/indexes/movies/documents/delete-batch', body: [article.id], status: 202, response: DOCUMENTS_ENQUEUED },
      { method: 'GET', url: '/tasks/147', status: 200, response: TASK_SUCCEEDED },
      {
        method: 'POST',
        url: '/indexes/movies/documents?primaryKey=id',
        body: [{ ...article, id: '1@', updatedAt: article.updatedAt.getTime() }],
        status: 202,
        response: DOCUMENTS_ENQUEUED,
      },
      { method: 'GET', url: '/tasks/147', status: 200, response: TASK_FAILED },
    ]);
    const engine = new MeiliSearchEngine({ host: meili.host, apiKey: MASTER_KEY, index: INDEX });
    await engine.upsert([article]);
    await engine.remove([article.id]);
    await expect(engine.upsert([{ ...article, id: '1@' }])).rejects.toMatchObject({
      code: 'SEARCH_UNAVAILABLE',
      message: expect.stringContaining('could not index articles: Document identifier `1@` is invalid'),
    });
    meili.verify();
  });

  it('sends a customer search with a signed tenant token carrying the visibility filter, and maps the recorded page', async () => {
    const now = Date.now();
    const plan = planQuery('dark knight');
    const query = {
      indexUid: 'movies',
      q: plan.text,
      facets: ['productArea', 'tags'],
      page: 1,
      hitsPerPage: 20,
      matchingStrategy: 'all',
      attributesToRetrieve: ['id', 'slug'],
      attributesToHighlight: ['title', 'summary'],
      attributesToCrop: ['body'],
      cropLength: 24,
      cropMarker: '…',
      highlightPreTag: HIGHLIGHT_MARKERS.start,
      highlightPostTag: HIGHLIGHT_MARKERS.end,
      showRankingScore: true,
    };
    const meili = await recordedMeili([
      ...findOrCreateKey,
      {
        method: 'POST',
        url: '/multi-search',
        bearer: (token) =>
          checkTenantToken(token, {
            key: KEY_CREATED.key,
            apiKeyUid: KEY_CREATED.uid,
            searchRules: { movies: { filter: 'visibility IN ["public", "customers"]' } },
            now,
          }),
        // The visibility filter is in the token, so the query carries only the caller's own filters.
        body: { queries: [{ ...query, filter: 'productArea IN ["English"] AND tags IN ["Fiction", "a\\"b"]' }] },
        status: 200,
        response: MULTI_SEARCH_PAGE,
      },
      // Staff: the configured key itself, and no filter at all.
      { method: 'POST', url: '/multi-search', body: { queries: [query] }, status: 200, response: MULTI_SEARCH_PAGE },
    ]);
    const engine = new MeiliSearchEngine({ host: meili.host, apiKey: MASTER_KEY, index: INDEX });
    const request = { plan, mode: 'all', offset: 0, limit: 20 } as const;
    const result = await engine.search({
      ...request,
      audience: { kind: 'visibilities', visibilities: ['public', 'customers'] },
      filter: { productAreas: ['English'], tags: ['Fiction', 'a"b'] },
    });
    expect(await engine.search({ ...request, audience: { kind: 'everything' } })).toEqual(result);
    meili.verify();
    expect(result).toEqual({
      // totalHits (exhaustive), not the size of the page.
      total: 100,
      hits: [
        // Markup that is not the adapter's own markers is text, escaped: the engine cannot inject HTML.
        {
          id: '155',
          slug: 'the-dark-knight',
          score: 0.9546,
          highlights: { title: 'The Dark &lt;em&gt;Knight&lt;/em&gt;', summary: '', snippet: '' },
        },
        { id: '36657', slug: 'batman-begins', score: 0.8103, highlights: { title: '', summary: '', snippet: '' } },
      ],
      facets: {
        productArea: [
          { value: 'English', count: 6 },
          { value: 'French', count: 1 },
          { value: 'Spanish', count: 1 },
        ],
        // By count, then alphabetically among equal counts.
        tags: [
          { value: 'Fiction', count: 8 },
          { value: 'Literature', count: 7 },
          { value: 'Classics', count: 6 },
          { value: 'Fantasy', count: 2 },
          { value: 'Horror', count: 2 },
          { value: 'Novel', count: 2 },
          { value: 'Victorian', count: 2 },
          { value: 'Comedy', count: 1 },
          { value: 'Coming-of-Age', count: 1 },
          { value: 'Historical Fiction', count: 1 },
          { value: 'Romance', count: 1 },
          { value: 'Satire', count: 1 },
          { value: 'Tragedy', count: 1 },
          { value: 'Vampires', count: 1 },
        ],
      },
    });
  });
});
