import { afterEach, describe, expect, it, vi } from 'vitest';
import { planQuery } from './query.js';
import { MeiliSearchEngine, meiliSynonyms } from './meili.engine.js';
import type { SearchRequest } from './search.port.js';
import { SYNONYM_GROUPS } from './synonyms.js';

/**
 * The adapter's requests, checked without a server (no Meilisearch binary can be installed here): a stand-in for
 * fetch records every request the official client makes and answers like Meilisearch (status codes included). The live behaviour is covered by
 * search.contract.int.test.ts whenever MEILI_HOST points at a server.
 */
interface Call {
  method: string;
  path: string;
  body: unknown;
  authorization: string | null;
}

function fakeMeili(options: { indexExists?: boolean; searchResponse?: Record<string, unknown> } = {}) {
  const calls: Call[] = [];
  let taskUid = 0;
  const tasks = new Map<number, number>();
  const answer = async (input: string | URL | Request, init?: RequestInit): Promise<[number, unknown]> => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, path: url.pathname, body, authorization: headers.get('authorization') });
    const enqueued = () => {
      taskUid += 1;
      tasks.set(taskUid, 0);
      return { taskUid, indexUid: 'kb_test', status: 'enqueued', type: 'settingsUpdate', enqueuedAt: new Date().toISOString() };
    };
    if (url.pathname.startsWith('/tasks/')) {
      const uid = Number(url.pathname.split('/')[2]);
      const polls = (tasks.get(uid) ?? 0) + 1;
      tasks.set(uid, polls);
      return [200, { uid, status: polls < 2 ? 'processing' : 'succeeded', error: null }];
    }
    if (method === 'GET' && url.pathname === '/indexes/kb_test') {
      if (options.indexExists) return [200, { uid: 'kb_test', primaryKey: 'id' }];
      return [404, { message: 'Index `kb_test` not found.', code: 'index_not_found', type: 'invalid_request', link: '' }];
    }
    if (method === 'GET' && url.pathname === '/keys') return [200, { results: [], offset: 0, limit: 100, total: 0 }];
    if (method === 'POST' && url.pathname === '/keys')
      return [
        201,
        {
          uid: '1f1c7a8e-0000-4000-8000-000000000001',
          key: 'search-key-secret',
          name: body.name,
          actions: body.actions,
          indexes: body.indexes,
        },
      ];
    if (url.pathname === '/multi-search') {
      return [
        200,
        {
          results: (body as { queries: unknown[] }).queries.map(() => ({
            indexUid: 'kb_test',
            ...(options.searchResponse ?? { hits: [], totalHits: 0, facetDistribution: {} }),
          })),
        },
      ];
    }
    return [202, enqueued()];
  };
  vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
    const [status, body] = await answer(input, init);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  });
  return { calls };
}

function jwtPayload(authorization: string | null): Record<string, any> {
  const token = authorization?.replace(/^Bearer /, '') ?? '';
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

const request = (overrides: Partial<SearchRequest> = {}): SearchRequest => ({
  plan: planQuery('reset password'),
  audience: { kind: 'visibilities', visibilities: ['public', 'customers'] },
  mode: 'all',
  offset: 0,
  limit: 5,
  ...overrides,
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the Meilisearch adapter', () => {
  it('creates the index, applies its settings and waits for each task', async () => {
    const fake = fakeMeili();
    const engine = new MeiliSearchEngine({ host: 'http://127.0.0.1:7700', apiKey: 'master', index: 'kb_test' });
    await engine.prepare();
    const paths = fake.calls.map((call) => `${call.method} ${call.path}`);
    expect(paths).toContain('POST /indexes');
    const settings = fake.calls.find((call) => call.path === '/indexes/kb_test/settings')!.body as Record<string, any>;
    expect(settings.searchableAttributes).toEqual(['title', 'summary', 'tags', 'body']);
    expect(settings.filterableAttributes).toEqual(['visibility', 'productArea', 'tags']);
    expect(settings.sortableAttributes).toEqual(['updatedAt']);
    expect(settings.rankingRules).toEqual(['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness']);
    expect(settings.typoTolerance).toEqual({ enabled: true, minWordSizeForTypos: { oneTypo: 4, twoTypos: 8 } });
    expect(settings.synonyms['log in']).toEqual(expect.arrayContaining(['sign in', 'login']));
    expect(settings.synonyms.login).toContain('log in');
    // Each task was polled until it succeeded, in order: create the index, then settings.
    const polled = fake.calls.filter((call) => call.path.startsWith('/tasks/')).map((call) => call.path);
    expect(polled).toEqual(['/tasks/1', '/tasks/1', '/tasks/2', '/tasks/2']);
    expect(paths.slice(-2)).toEqual(['GET /keys', 'POST /keys']);
    const key = fake.calls.find((call) => call.method === 'POST' && call.path === '/keys')!.body as Record<string, any>;
    expect(key).toMatchObject({ actions: ['search'], indexes: ['kb_test'], expiresAt: null });
  });

  it('confines a customer search with a tenant token whose rules carry the visibility filter', async () => {
    const fake = fakeMeili({ indexExists: true });
    const engine = new MeiliSearchEngine({ host: 'http://127.0.0.1:7700', apiKey: 'master', index: 'kb_test' });
    await engine.search(request({ filter: { productAreas: ['security'], tags: ['sign-in', 'a"b'] } }));
    const search = fake.calls.find((call) => call.path === '/multi-search')!;
    const claims = jwtPayload(search.authorization);
    expect(claims.searchRules).toEqual({ kb_test: { filter: 'visibility IN ["public", "customers"]' } });
    expect(claims.apiKeyUid).toBe('1f1c7a8e-0000-4000-8000-000000000001');
    expect(claims.exp * 1000).toBeGreaterThan(Date.now());
    const query = (search.body as { queries: Record<string, any>[] }).queries[0]!;
    expect(query).toMatchObject({
      indexUid: 'kb_test',
      q: 'reset password',
      filter: 'productArea IN ["security"] AND tags IN ["sign-in", "a\\"b"]',
      facets: ['productArea', 'tags'],
      matchingStrategy: 'all',
      page: 1,
      hitsPerPage: 5,
      showRankingScore: true,
    });
    expect(query.filter).not.toContain('visibility');

    // Staff search with the configured key and no visibility condition at all.
    await engine.search(request({ audience: { kind: 'everything' } }));
    const staff = fake.calls.filter((call) => call.path === '/multi-search').at(-1)!;
    expect(staff.authorization).toBe('Bearer master');
    expect((staff.body as { queries: Record<string, any>[] }).queries[0]!.filter).toBeUndefined();
  });

  it('puts the visibility filter in the query itself when there is no key to sign tokens', async () => {
    const fake = fakeMeili({ indexExists: true });
    const engine = new MeiliSearchEngine({ host: 'http://127.0.0.1:7700', index: 'kb_test' });
    await engine.multiSearch([request(), request({ mode: 'any', plan: planQuery('sign in') })]);
    const search = fake.calls.find((call) => call.path === '/multi-search')!;
    expect(search.authorization).toBeNull();
    const queries = (search.body as { queries: Record<string, any>[] }).queries;
    expect(queries.map((query) => query.filter)).toEqual([
      'visibility IN ["public", "customers"]',
      'visibility IN ["public", "customers"]',
    ]);
    expect(queries.map((query) => query.matchingStrategy)).toEqual(['all', 'frequency']);
  });

  it('maps hits, escaped highlights, the exact total, facets by count and the requested page', async () => {
    const fake = fakeMeili({
      indexExists: true,
      searchResponse: {
        hits: [
          { id: 'a', slug: 'first', _rankingScore: 0.98765, _formatted: { title: 'x', summary: 'y', body: 'z' } },
          {
            id: 'b',
            slug: 'second',
            _rankingScore: 0.5,
            _formatted: { title: '\u0001Reset\u0002 <b>', summary: 's', body: '…your \u0001password\u0002…' },
          },
        ],
        totalHits: 7,
        facetDistribution: { productArea: { security: 2, sla: 5 }, tags: { zeta: 1, alpha: 1, beta: 3 } },
      },
    });
    const engine = new MeiliSearchEngine({ host: 'http://127.0.0.1:7700', index: 'kb_test' });
    const result = await engine.search(request({ offset: 1, limit: 1 }));
    expect((fake.calls.at(-1)!.body as { queries: Record<string, any>[] }).queries[0]).toMatchObject({ page: 1, hitsPerPage: 2 });
    expect(result).toEqual({
      total: 7,
      hits: [
        {
          id: 'b',
          slug: 'second',
          score: 0.5,
          highlights: { title: '<mark>Reset</mark> &lt;b&gt;', summary: 's', snippet: '…your <mark>password</mark>…' },
        },
      ],
      facets: {
        productArea: [
          { value: 'sla', count: 5 },
          { value: 'security', count: 2 },
        ],
        tags: [
          { value: 'beta', count: 3 },
          { value: 'alpha', count: 1 },
          { value: 'zeta', count: 1 },
        ],
      },
    });
  });

  it('lists every synonym of a group both ways', () => {
    const synonyms = meiliSynonyms();
    expect(Object.keys(synonyms).sort()).toEqual([...new Set(SYNONYM_GROUPS.flat())].sort());
    let pairs = 0;
    for (const [phrase, others] of Object.entries(synonyms)) {
      for (const other of others) {
        expect(synonyms[other], `${other} -> ${phrase}`).toContain(phrase);
        pairs += 1;
      }
    }
    // Each phrase of a group of n lists the n - 1 others (no phrase is in two groups).
    expect(pairs).toBe(SYNONYM_GROUPS.reduce((sum, group) => sum + group.length * (group.length - 1), 0));
  });
});
