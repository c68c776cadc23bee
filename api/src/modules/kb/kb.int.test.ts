import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';
import { createOrgApiKey, gql, organizationId, signIn, type GraphQLResponse } from '../../../../test/support/graphql.js';
import { FixedClock } from '../../shared/clock.js';
import { toGlobalId } from '../../shared/ids.js';
import { indexKnowledgeBase } from './indexer.js';

/**
 * The knowledge base over GraphQL: visibility for every kind of caller (results, counts and facets), reading by
 * slug and id, suggestions, ratings, analytics with deflection, the admin API with versions, and bad input.
 * Fixture articles, one per visibility, all about "lighthouse", so counts are exact.
 */

const FIXTURES = [
  {
    slug: 'lighthouse-public',
    visibility: 'public',
    productArea: 'getting-started',
    tag: 'beacon-public',
    title: 'Lighthouse basics for everyone',
  },
  {
    slug: 'lighthouse-customers',
    visibility: 'customers',
    productArea: 'tickets',
    tag: 'beacon-customers',
    title: 'Lighthouse tickets for customers',
  },
  { slug: 'lighthouse-growth', visibility: 'tier:growth', productArea: 'sla', tag: 'beacon-growth', title: 'Lighthouse targets on Growth' },
  {
    slug: 'lighthouse-business',
    visibility: 'tier:business',
    productArea: 'escalations',
    tag: 'beacon-business',
    title: 'Lighthouse escalations on Business',
  },
  {
    slug: 'lighthouse-enterprise',
    visibility: 'tier:enterprise',
    productArea: 'security',
    tag: 'beacon-enterprise',
    title: 'Lighthouse war room on Enterprise',
  },
] as const;

function fixtureFile(fixture: (typeof FIXTURES)[number]): string {
  return `---
title: ${fixture.title}
slug: ${fixture.slug}
summary: How the lighthouse works for ${fixture.visibility} readers.
tags: [lighthouse, ${fixture.tag}]
productArea: ${fixture.productArea}
visibility: ${fixture.visibility}
updated: 2026-11-20
---

The lighthouse keeper explains ${fixture.slug.replace('lighthouse-', '')} matters in detail.
`;
}

const clock = new FixedClock(new Date());
let api: TestApi;
let dir: string;
let ada: string; // initech, Growth
let peter: string; // initech, Growth
let richard: string; // piedpiper, Community
let hank: string; // globex, Business
let nancy: string; // northwind, Enterprise
let admin: string;
let specialist: string;
let agent: string;
let initechKey: string;

beforeAll(async () => {
  api = await startTestApi({ clock });
  dir = await mkdtemp(join(tmpdir(), 'tierdesk-kb-'));
  for (const fixture of FIXTURES) await writeFile(join(dir, `${fixture.slug}.md`), fixtureFile(fixture));
  const report = await indexKnowledgeBase(api.system('kb-index'), { dir });
  expect(report.problems).toEqual([]);
  expect(report.added).toHaveLength(FIXTURES.length);
  const who = [
    'ada@initech',
    'peter@initech',
    'richard@piedpiper',
    'hank@globex',
    'nancy@northwind',
    'admin@tierdesk',
    'specialist@tierdesk',
    'agent@tierdesk',
  ];
  const tokens = await Promise.all(who.map((user) => signIn(api.url, `${user}.example`)));
  [ada, peter, richard, hank, nancy, admin, specialist, agent] = tokens as [string, string, string, string, string, string, string, string];
  initechKey = await createOrgApiKey(api.url, ada, await organizationId(api.url, admin, 'initech'), ['tickets:read']);
});
afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function ok<T extends GraphQLResponse>(result: T): T {
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result;
}

const SEARCH = `query($query: String!, $filter: KnowledgeBaseFilter, $first: Int, $after: String) {
  searchKnowledgeBase(query: $query, filter: $filter, first: $first, after: $after) {
    totalCount matchedAllWords query searchId
    facets { productAreas { value count } tags { value count } }
    pageInfo { hasNextPage endCursor }
    edges { cursor node { score highlights { title summary snippet } article { id slug visibility } } }
  }
}`;

async function search(token: string | undefined, query: string, extra: Record<string, unknown> = {}) {
  return gql(api.url, SEARCH, { query, ...extra }, token);
}

async function visibleSlugs(token: string | undefined, query = 'lighthouse') {
  const result = ok(await search(token, query, { first: 100 }));
  const connection = result.data!.searchKnowledgeBase;
  return { slugs: connection.edges.map((edge: any) => edge.node.article.slug).sort(), connection };
}

const slugsFor = (...visibilities: string[]): string[] =>
  FIXTURES.filter((fixture) => visibilities.includes(fixture.visibility))
    .map((fixture) => fixture.slug)
    .sort();

function expectError(result: GraphQLResponse, code: string, reason: string) {
  expect(
    result.errors?.map((error) => [error.extensions?.code, error.extensions?.reason]),
    JSON.stringify(result.errors),
  ).toEqual([[code, reason]]);
}

describe('visibility inside the query, for every kind of caller', () => {
  const cases: [string, () => string | undefined, string[]][] = [
    ['an anonymous visitor', () => undefined, slugsFor('public')],
    ['a Community customer', () => richard, slugsFor('public', 'customers')],
    ['a Growth customer', () => ada, slugsFor('public', 'customers', 'tier:growth')],
    ["a Growth organization's API key", () => initechKey, slugsFor('public', 'customers', 'tier:growth')],
    ['a Business customer', () => hank, slugsFor('public', 'customers', 'tier:growth', 'tier:business')],
    ['an Enterprise customer', () => nancy, FIXTURES.map((fixture) => fixture.slug).sort()],
    ['staff', () => agent, FIXTURES.map((fixture) => fixture.slug).sort()],
  ];

  it.each(cases)('%s sees exactly its articles, and counts and facets say nothing more', async (_who, token, expected) => {
    const { slugs, connection } = await visibleSlugs(token());
    expect(slugs).toEqual(expected);
    expect(connection.totalCount).toBe(expected.length);
    const visible = FIXTURES.filter((fixture) => expected.includes(fixture.slug));
    expect(connection.facets.productAreas.map((facet: any) => facet.value).sort()).toEqual(
      visible.map((fixture) => fixture.productArea).sort(),
    );
    expect(connection.facets.productAreas.every((facet: any) => facet.count === 1)).toBe(true);
    const tags = connection.facets.tags.map((facet: any) => facet.value);
    expect(tags.sort()).toEqual(['lighthouse', ...visible.map((fixture) => fixture.tag)].sort());
    expect(connection.facets.tags.find((facet: any) => facet.value === 'lighthouse').count).toBe(expected.length);
  });

  it('gives a Growth customer the same answer for a premium-only word as for nonsense (no count, no facet, no highlight)', async () => {
    const premium = ok(await search(ada, 'war room'));
    const nonsense = ok(await search(ada, 'qwxzv plonk'));
    const strip = (data: any) => ({ ...data.searchKnowledgeBase, query: null, searchId: null });
    expect(strip(premium.data)).toEqual(strip(nonsense.data));
    expect(premium.data!.searchKnowledgeBase.totalCount).toBe(0);
    expect(ok(await search(nancy, 'war room')).data!.searchKnowledgeBase.totalCount).toBe(1);
  });

  it('article(slug) and node(id) read a premium article as null for Growth and anonymous, and as the article for Business', async () => {
    const query = 'query($slug: String!) { article(slug: $slug) { id slug visibility } }';
    const asHank = ok(await gql(api.url, query, { slug: 'lighthouse-business' }, hank)).data!.article;
    expect(asHank).toMatchObject({ slug: 'lighthouse-business', visibility: 'tier:business' });
    expect(ok(await gql(api.url, query, { slug: 'lighthouse-business' }, ada)).data).toEqual({ article: null });
    expect(ok(await gql(api.url, query, { slug: 'lighthouse-business' })).data).toEqual({ article: null });
    expect(ok(await gql(api.url, query, { slug: 'no-such-article' }, ada)).data).toEqual({ article: null });
    expect(ok(await gql(api.url, query, { slug: 'Not A Slug!' }, ada)).data).toEqual({ article: null });
    expect(ok(await gql(api.url, query, { slug: 'lighthouse-public' })).data!.article.slug).toBe('lighthouse-public');

    const node = 'query($id: ID!) { node(id: $id) { id ... on Article { slug } } }';
    expect(ok(await gql(api.url, node, { id: asHank.id }, ada)).data).toEqual({ node: null });
    expect(ok(await gql(api.url, node, { id: asHank.id }, initechKey)).data).toEqual({ node: null });
    expect(ok(await gql(api.url, node, { id: asHank.id }, hank)).data!.node).toEqual({ id: asHank.id, slug: 'lighthouse-business' });
  });

  it('refuses a filter on a tag only premium articles carry exactly like an unknown tag', async () => {
    const premiumTag = await search(ada, 'lighthouse', { filter: { tags: ['beacon-business'] } });
    const unknownTag = await search(ada, 'lighthouse', { filter: { tags: ['beacon-nowhere'] } });
    expectError(premiumTag, 'BAD_USER_INPUT', 'UNKNOWN_FILTER');
    expectError(unknownTag, 'BAD_USER_INPUT', 'UNKNOWN_FILTER');
    expect(premiumTag.errors![0]!.message.replace('beacon-business', 'X')).toBe(
      unknownTag.errors![0]!.message.replace('beacon-nowhere', 'X'),
    );
    const filtered = ok(await search(hank, 'lighthouse', { filter: { tags: ['beacon-business'], productAreas: ['escalations'] } }));
    expect(filtered.data!.searchKnowledgeBase.edges.map((edge: any) => edge.node.article.slug)).toEqual(['lighthouse-business']);
  });

  it('keeps article versions for staff', async () => {
    const query = 'query($slug: String!) { article(slug: $slug) { versions(first: 5) { totalCount nodes { version source actor } } } }';
    expectError(await gql(api.url, query, { slug: 'lighthouse-public' }, ada), 'FORBIDDEN', 'FORBIDDEN');
    const versions = ok(await gql(api.url, query, { slug: 'lighthouse-public' }, agent)).data!.article.versions;
    expect(versions).toEqual({ totalCount: 1, nodes: [{ version: 1, source: 'FILE', actor: 'system:kb-index' }] });
  });
});

describe('search results', () => {
  it('pages with cursors, highlights matches, and says when only some words matched', async () => {
    const first = ok(await search(agent, 'lighthouse', { first: 2 })).data!.searchKnowledgeBase;
    expect(first.totalCount).toBe(5);
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.edges[0].node.highlights.title).toMatch(/<mark>Lighthouse<\/mark>/);
    expect(first.edges[0].node.score).toBeGreaterThanOrEqual(first.edges[1].node.score);
    const rest = ok(await search(agent, 'lighthouse', { first: 10, after: first.pageInfo.endCursor })).data!.searchKnowledgeBase;
    expect(rest.edges).toHaveLength(3);
    expect(rest.pageInfo).toEqual({ hasNextPage: false, endCursor: rest.edges[2].cursor });
    const all = [...first.edges, ...rest.edges].map((edge: any) => edge.node.article.slug);
    expect(new Set(all).size).toBe(5);

    const partial = ok(await search(agent, 'lighthouse keeper zanzibar')).data!.searchKnowledgeBase;
    expect(partial.matchedAllWords).toBe(false);
    expect(partial.totalCount).toBe(5);
    expect(ok(await search(agent, 'lighthouse keeper')).data!.searchKnowledgeBase.matchedAllWords).toBe(true);
  });

  it('tolerates typos and completes the word being typed', async () => {
    expect((await visibleSlugs(agent, 'lighthous')).slugs).toHaveLength(5);
    expect((await visibleSlugs(agent, 'ligthhouse ')).slugs).toHaveLength(5);
    expect((await visibleSlugs(agent, 'escalation ')).slugs).toEqual(['lighthouse-business']);
  });

  it('refuses bad input with typed errors: empty, blank, punctuation-only, too long, unknown filters, bad paging', async () => {
    expectError(await search(ada, ''), 'BAD_USER_INPUT', 'EMPTY_QUERY');
    expectError(await search(ada, '   '), 'BAD_USER_INPUT', 'EMPTY_QUERY');
    expectError(await search(ada, '?!?! ... ---'), 'BAD_USER_INPUT', 'EMPTY_QUERY');
    const long = await search(ada, 'lighthouse '.repeat(50));
    expectError(long, 'BAD_USER_INPUT', 'QUERY_TOO_LONG');
    expect(long.errors![0]!.extensions).toMatchObject({ field: ['query'], max: 200 });
    const huge = await search(ada, 'x'.repeat(100_000));
    expectError(huge, 'BAD_USER_INPUT', 'QUERY_TOO_LONG');
    expectError(await search(ada, 'lighthouse', { filter: { productAreas: ['gardening'] } }), 'BAD_USER_INPUT', 'UNKNOWN_FILTER');
    expectError(await search(ada, 'lighthouse', { filter: { tags: ['Not A Tag!'] } }), 'BAD_USER_INPUT', 'UNKNOWN_FILTER');
    expectError(await search(ada, 'lighthouse', { first: 101 }), 'BAD_USER_INPUT', 'PAGE_SIZE_TOO_LARGE');
    expectError(await search(ada, 'lighthouse', { first: -1 }), 'BAD_USER_INPUT', 'BAD_USER_INPUT');
    expectError(await search(ada, 'lighthouse', { after: 'garbage' }), 'BAD_USER_INPUT', 'INVALID_CURSOR');
    expectError(
      await search(ada, 'lighthouse', { after: Buffer.from('["kb",-5]').toString('base64url') }),
      'BAD_USER_INPUT',
      'INVALID_CURSOR',
    );
    const unknownField = await gql(api.url, '{ searchKnowledgeBase(query: "x", filter: { color: "red" }) { totalCount } }', {}, ada);
    expect(unknownField.status).toBe(400);
    expect(unknownField.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const suggest =
      'query($subject: String!, $description: String) { suggestArticles(subject: $subject, description: $description) { hits { article { slug } } } }';
    expectError(await gql(api.url, suggest, { subject: 's'.repeat(201) }, ada), 'BAD_USER_INPUT', 'QUERY_TOO_LONG');
    expect(ok(await gql(api.url, suggest, { subject: '?!', description: '' }, ada)).data).toEqual({ suggestArticles: { hits: [] } });
  });
});

describe('suggestions while writing a ticket', () => {
  it('suggests the articles the caller may read that match the subject and description', async () => {
    const query =
      'query($subject: String!, $description: String) { suggestArticles(subject: $subject, description: $description) { searchId hits { score article { slug } } } }';
    const variables = { subject: 'Question about the lighthouse keeper', description: 'The escalations page mentions a war room.' };
    const asAda = ok(await gql(api.url, query, variables, ada)).data!.suggestArticles;
    const adaSlugs = asAda.hits.map((hit: any) => hit.article.slug);
    expect(adaSlugs.length).toBeGreaterThan(0);
    expect(adaSlugs.every((slug: string) => slugsFor('public', 'customers', 'tier:growth').includes(slug))).toBe(true);
    expect(asAda.searchId).toEqual(expect.any(String));
    const asNancy = ok(await gql(api.url, query, variables, nancy)).data!.suggestArticles.hits.map((hit: any) => hit.article.slug);
    expect(asNancy.slice(0, 2).sort()).toEqual(['lighthouse-business', 'lighthouse-enterprise']);
  });
});

describe('"was this helpful?"', () => {
  const RATE = 'mutation($input: RateArticleInput!) { rateArticle(input: $input) { article { slug } helpful userErrors { code field } } }';

  it('records one answer per customer, replaced when they answer again, and refuses articles they cannot read like unknown ones', async () => {
    const { connection } = await visibleSlugs(ada);
    const publicId = connection.edges.find((edge: any) => edge.node.article.slug === 'lighthouse-public').node.article.id;
    const first = ok(await gql(api.url, RATE, { input: { articleId: publicId, helpful: false, searchId: connection.searchId } }, ada)).data!
      .rateArticle;
    expect(first).toEqual({ article: { slug: 'lighthouse-public' }, helpful: false, userErrors: [] });
    const again = ok(await gql(api.url, RATE, { input: { articleId: publicId, helpful: true, comment: 'Clear now.' } }, ada)).data!
      .rateArticle;
    expect(again.helpful).toBe(true);

    const premiumId = (await visibleSlugs(hank)).connection.edges.find((edge: any) => edge.node.article.slug === 'lighthouse-business').node
      .article.id;
    const hidden = ok(await gql(api.url, RATE, { input: { articleId: premiumId, helpful: true } }, ada)).data!.rateArticle;
    const unknown = ok(
      await gql(api.url, RATE, { input: { articleId: toGlobalId('Article', '00000000-0000-4000-8000-000000000000'), helpful: true } }, ada),
    ).data!.rateArticle;
    expect(hidden).toEqual({ article: null, helpful: null, userErrors: [{ code: 'NOT_FOUND', field: null }] });
    expect(hidden).toEqual(unknown);
    // Someone else's search is not the caller's to cite.
    const hankSearch = ok(await search(hank, 'lighthouse')).data!.searchKnowledgeBase.searchId;
    const cited = ok(await gql(api.url, RATE, { input: { articleId: publicId, helpful: true, searchId: hankSearch } }, ada)).data!
      .rateArticle;
    expect(cited.userErrors).toEqual([{ code: 'NOT_FOUND', field: null }]);
    expectError(await gql(api.url, RATE, { input: { articleId: publicId, helpful: true } }, initechKey), 'FORBIDDEN', 'FORBIDDEN');
  });
});

describe('the admin API', () => {
  const CREATE =
    'mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id slug version status origin } notice userErrors { code field message } } }';
  const UPDATE =
    'mutation($input: UpdateArticleInput!) { updateArticle(input: $input) { article { id version status title visibility } notice userErrors { code field message } } }';
  const ARCHIVE =
    'mutation($input: ArchiveArticleInput!) { archiveArticle(input: $input) { article { status version } notice userErrors { code } } }';
  const input = {
    slug: 'harbour-pilot',
    title: 'Harbour pilot duties',
    summary: 'Who steers ships in.',
    body: 'The harbour pilot boards every ship.',
    tags: ['harbour'],
    productArea: 'tickets',
    visibility: 'customers',
  };

  it('creates, edits (with versions and optimistic concurrency), archives and restores an article, searchable at once', async () => {
    expectError(await gql(api.url, CREATE, { input }, agent), 'FORBIDDEN', 'FORBIDDEN');
    const created = ok(await gql(api.url, CREATE, { input }, specialist)).data!.createArticle;
    expect(created).toMatchObject({
      article: { slug: 'harbour-pilot', version: 1, status: 'PUBLISHED', origin: 'ADMIN' },
      notice: null,
      userErrors: [],
    });
    const id = created.article.id;
    expect((await visibleSlugs(ada, 'harbour')).slugs).toEqual(['harbour-pilot']);
    expect((await visibleSlugs(undefined, 'harbour')).slugs).toEqual([]);

    const duplicate = ok(await gql(api.url, CREATE, { input }, admin)).data!.createArticle;
    expect(duplicate.userErrors).toEqual([
      { code: 'CONFLICT', field: ['input', 'slug'], message: expect.stringContaining('already exists') },
    ]);
    const invalid = ok(
      await gql(api.url, CREATE, { input: { ...input, slug: 'Bad Slug', productArea: 'gardening', visibility: 'tier:platinum' } }, admin),
    ).data!.createArticle;
    expect(invalid.article).toBeNull();
    expect(invalid.userErrors).toEqual([
      { code: 'INVALID_ARTICLE', field: ['input', 'slug'], message: expect.stringContaining('lowercase letters') },
      { code: 'INVALID_ARTICLE', field: ['input', 'productArea'], message: expect.stringContaining('not "gardening"') },
      { code: 'INVALID_ARTICLE', field: ['input', 'visibility'], message: expect.stringContaining('"platinum"') },
    ]);

    const edited = ok(
      await gql(
        api.url,
        UPDATE,
        { input: { id, expectedVersion: 1, title: 'Harbour pilot boarding', visibility: 'tier:business' } },
        specialist,
      ),
    ).data!.updateArticle;
    expect(edited).toMatchObject({ article: { version: 2, title: 'Harbour pilot boarding', visibility: 'tier:business' }, userErrors: [] });
    expect((await visibleSlugs(ada, 'harbour')).slugs).toEqual([]);
    expect((await visibleSlugs(hank, 'boarding')).slugs).toEqual(['harbour-pilot']);
    const stale = ok(await gql(api.url, UPDATE, { input: { id, expectedVersion: 1, title: 'Lost update' } }, admin)).data!.updateArticle;
    expect(stale.userErrors).toEqual([
      { code: 'CONFLICT', field: ['input', 'expectedVersion'], message: expect.stringContaining('version 2') },
    ]);
    const unchanged = ok(await gql(api.url, UPDATE, { input: { id, title: 'Harbour pilot boarding' } }, admin)).data!.updateArticle;
    expect(unchanged.article.version).toBe(2);

    expect(ok(await gql(api.url, ARCHIVE, { input: { id } }, admin)).data!.archiveArticle).toMatchObject({
      article: { status: 'ARCHIVED', version: 3 },
    });
    expect((await visibleSlugs(agent, 'harbour')).slugs).toEqual([]);
    expect(ok(await gql(api.url, 'query { article(slug: "harbour-pilot") { status } }', {}, hank)).data).toEqual({ article: null });
    expect(ok(await gql(api.url, 'query { article(slug: "harbour-pilot") { status } }', {}, agent)).data).toEqual({
      article: { status: 'ARCHIVED' },
    });
    expect(ok(await gql(api.url, UPDATE, { input: { id, status: 'PUBLISHED' } }, admin)).data!.updateArticle.article).toMatchObject({
      status: 'PUBLISHED',
      version: 4,
    });
    expect((await visibleSlugs(hank, 'harbour')).slugs).toEqual(['harbour-pilot']);

    const history = ok(
      await gql(
        api.url,
        'query { article(slug: "harbour-pilot") { versions(first: 10) { nodes { version status source title author { role } } } } }',
        {},
        admin,
      ),
    );
    expect(history.data!.article.versions.nodes).toEqual([
      { version: 4, status: 'PUBLISHED', source: 'ADMIN', title: 'Harbour pilot boarding', author: { role: 'ADMIN' } },
      { version: 3, status: 'ARCHIVED', source: 'ADMIN', title: 'Harbour pilot boarding', author: { role: 'ADMIN' } },
      { version: 2, status: 'PUBLISHED', source: 'ADMIN', title: 'Harbour pilot boarding', author: { role: 'SPECIALIST' } },
      { version: 1, status: 'PUBLISHED', source: 'ADMIN', title: 'Harbour pilot duties', author: { role: 'SPECIALIST' } },
    ]);
  });

  it('lists every article to staff, archived ones included, by status and title, newest content first, page by page', async () => {
    const LIST = `query($status: ArticleStatus, $query: String, $first: Int, $after: String) {
      articles(status: $status, query: $query, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { slug status } }
    }`;
    const id = ok(await gql(api.url, 'query { article(slug: "lighthouse-public") { id } }', {}, admin)).data!.article.id;
    ok(await gql(api.url, ARCHIVE, { input: { id } }, admin));
    const list = async (variables: Record<string, unknown>) => ok(await gql(api.url, LIST, variables, agent)).data!.articles;

    const everything = await list({ first: 100 });
    expect(everything.nodes).toContainEqual({ slug: 'lighthouse-public', status: 'ARCHIVED' });
    expect(everything.totalCount).toBe(everything.nodes.length);
    expect((await list({ status: 'ARCHIVED' })).nodes).toEqual([{ slug: 'lighthouse-public', status: 'ARCHIVED' }]);
    expect((await list({ query: 'LIGHTHOUSE-pub' })).nodes).toEqual([{ slug: 'lighthouse-public', status: 'ARCHIVED' }]);
    expect((await list({ query: '100%_' })).nodes).toEqual([]);

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = await list({ first: 2, after });
      seen.push(...page.nodes.map((node: { slug: string }) => node.slug));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(everything.nodes.map((node: { slug: string }) => node.slug));

    expectError(await gql(api.url, LIST, {}, ada), 'FORBIDDEN', 'FORBIDDEN');
    expectError(await gql(api.url, LIST, { after: 'nonsense' }, agent), 'BAD_USER_INPUT', 'INVALID_CURSOR');
    ok(
      await gql(
        api.url,
        'mutation($id: ID!) { updateArticle(input: { id: $id, status: PUBLISHED }) { userErrors { code } } }',
        { id },
        admin,
      ),
    );
  });

  it('warns that an edit of a file article lasts until the file changes', async () => {
    const id = ok(await gql(api.url, 'query { article(slug: "lighthouse-public") { id } }', {}, admin)).data!.article.id;
    const edited = ok(await gql(api.url, UPDATE, { input: { id, summary: 'Edited by staff.' } }, admin)).data!.updateArticle;
    expect(edited.notice).toMatch(/kb\/articles file/);
    const unknown = ok(
      await gql(api.url, UPDATE, { input: { id: toGlobalId('Article', '00000000-0000-4000-8000-000000000000'), title: 'x' } }, admin),
    ).data!.updateArticle;
    expect(unknown.userErrors).toEqual([{ code: 'NOT_FOUND', field: null, message: 'Article not found.' }]);
  });
});

describe('search analytics and deflection', () => {
  const ANALYTICS = `query($since: DateTime, $window: Int) {
    knowledgeBaseAnalytics(since: $since, deflectionWindowMinutes: $window) {
      searches suggestions
      topQueries { query searches averageResults }
      zeroResultQueries { query searches }
      deflection { windowMinutes eligible deflected rate }
      ratings { helpful notHelpful helpfulRate }
    }
  }`;

  it('counts searches once per typing session, lists top and empty queries, and measures deflection over a window', async () => {
    clock.advance(24 * 3_600_000);
    const since = clock.now().toISOString();
    // Ada types "light", "lighth", "lighthouse": one search.
    for (const typed of ['light', 'lighth', 'lighthouse']) {
      ok(await search(ada, typed));
      clock.advance(2_000);
    }
    ok(await search(peter, 'lighthouse'));
    ok(await search(hank, 'qwxzv plonk'));
    ok(await search(agent, 'lighthouse'));
    ok(await search(undefined, 'lighthouse'));
    // Five minutes later Ada opens a ticket anyway: her search did not deflect it. Peter opens none.
    clock.advance(5 * 60_000);
    ok(
      await gql(
        api.url,
        'mutation { createTicket(input: { subject: "Lighthouse", description: "Still unclear", priority: LOW }) { ticket { id } } }',
        {},
        ada,
      ),
    );
    clock.advance(40 * 60_000);
    ok(await search(peter, 'lighthouse keeper recent'));
    clock.advance(2 * 60_000);

    const result = ok(await gql(api.url, ANALYTICS, { since, window: 30 }, agent)).data!.knowledgeBaseAnalytics;
    expect(result.searches).toBe(5);
    expect(result.topQueries[0]).toEqual({ query: 'lighthouse', searches: 3, averageResults: expect.any(Number) });
    expect(result.zeroResultQueries).toEqual([{ query: 'qwxzv plonk', searches: 1 }]);
    // Eligible: Ada's and Peter's first searches (signed in, with results, window passed). Anonymous, staff, the
    // empty one and Peter's recent one are not. Ada's was followed by a ticket within 30 minutes.
    expect(result.deflection).toEqual({ windowMinutes: 30, eligible: 2, deflected: 1, rate: 0.5 });
    const narrow = ok(await gql(api.url, ANALYTICS, { since, window: 1 }, agent)).data!.knowledgeBaseAnalytics;
    expect(narrow.deflection).toMatchObject({ eligible: 3, deflected: 3, rate: 1 });

    expectError(await gql(api.url, ANALYTICS, { since, window: 0 }, agent), 'BAD_USER_INPUT', 'BAD_USER_INPUT');
    expectError(await gql(api.url, ANALYTICS, { since }, ada), 'FORBIDDEN', 'FORBIDDEN');
  });
});

describe('the premium knowledge base follows kb.premium, overrides included', () => {
  const OVERRIDE =
    'mutation($input: SetEntitlementOverrideInput!) { setEntitlementOverride(input: $input) { userErrors { code message } } }';

  it('lifts Growth to Business articles (not Enterprise ones) with kb.premium, and takes them from Business without it', async () => {
    const [initech, globex] = await Promise.all([organizationId(api.url, admin, 'initech'), organizationId(api.url, admin, 'globex')]);
    const grant = ok(
      await gql(api.url, OVERRIDE, { input: { organizationId: initech, feature: 'kb.premium', enabled: true, reason: 'pilot' } }, admin),
    );
    expect(grant.data!.setEntitlementOverride.userErrors).toEqual([]);
    expect((await visibleSlugs(ada)).slugs).toEqual(slugsFor('public', 'customers', 'tier:growth', 'tier:business'));
    ok(
      await gql(api.url, OVERRIDE, { input: { organizationId: globex, feature: 'kb.premium', enabled: false, reason: 'dispute' } }, admin),
    );
    expect((await visibleSlugs(hank)).slugs).toEqual(slugsFor('public', 'customers', 'tier:growth'));
    expect(ok(await gql(api.url, 'query { article(slug: "lighthouse-business") { slug } }', {}, hank)).data).toEqual({ article: null });
  });
});
