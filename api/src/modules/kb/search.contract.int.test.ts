import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { TENANT_FILTER } from '../../shared/tenancy.js';
import type { Audience } from './kb.policy.js';
import { MeiliSearchEngine } from './meili.engine.js';
import { PostgresSearchEngine } from './postgres.engine.js';
import { planQuery } from './query.js';
import type { SearchDocument, SearchEngine, SearchRequest } from './search.port.js';

/**
 * The search engine contract: the same cases against every adapter. PostgreSQL always; Meilisearch when MEILI_HOST
 * points at a live server (no Meilisearch binary can be installed on these machines, so without MEILI_HOST that
 * run is skipped and says so).
 */

const id = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const at = new Date('2026-11-01T00:00:00Z');

function doc(n: number, fields: Partial<SearchDocument> & Pick<SearchDocument, 'slug' | 'title'>): SearchDocument {
  return {
    id: id(n),
    summary: '',
    body: '',
    tags: [],
    productArea: 'tickets',
    visibility: 'public',
    updatedAt: at,
    revision: `r${n}`,
    ...fields,
  };
}

const CORPUS: SearchDocument[] = [
  doc(1, {
    slug: 'invoices',
    title: 'Downloading invoices',
    summary: 'Where your monthly billing documents are kept.',
    body: 'Every month we issue one invoice per organization. Admins download it from the billing page.',
    tags: ['billing', 'invoice'],
    productArea: 'billing',
  }),
  doc(2, {
    slug: 'password-reset',
    title: 'Resetting a forgotten password',
    summary: 'Locked out? Ask for a new password.',
    body: 'Open the sign-in page and follow the reset link we email you. The link works once.',
    tags: ['password', 'security'],
    productArea: 'security',
  }),
  doc(3, {
    slug: 'signing-in',
    title: 'Signing in to the portal',
    summary: 'Use your work email.',
    body: 'Use your email and password to sign in to the portal. Sessions last a week.',
    tags: ['portal', 'session'],
    productArea: 'getting-started',
  }),
  doc(4, {
    slug: 'urgent-escalation',
    title: 'Escalating an incident',
    summary: 'How the on-call engineer is paged.',
    body: 'During an incident the escalation policy pages the on-call engineer every ten minutes.',
    tags: ['escalation', 'incident', 'premium-playbook'],
    productArea: 'escalations',
    visibility: 'tier:business',
  }),
  doc(5, {
    slug: 'enterprise-incident-playbook',
    title: 'The enterprise incident playbook',
    summary: 'War room, bridges and updates.',
    body: 'A major incident opens a bridge call within fifteen minutes.',
    tags: ['incident', 'war-room'],
    productArea: 'escalations',
    visibility: 'tier:enterprise',
  }),
  doc(6, {
    slug: 'contract-overrides',
    title: 'Contract exceptions',
    summary: 'When your entitlements differ from your tier.',
    body: 'A signed contract can raise an allowance for a while.',
    tags: ['contract', 'override'],
    productArea: 'tiers-and-plans',
    visibility: 'customers',
  }),
  doc(7, {
    slug: 'ticket-statuses',
    title: 'Ticket statuses explained',
    summary: 'New, open, waiting, solved, closed.',
    body: 'A ticket moves through statuses. Questions about an invoice go to the billing team as a ticket too.',
    tags: ['status', 'workflow'],
    productArea: 'tickets',
  }),
  doc(8, {
    slug: 'special-characters',
    title: 'Fields: a < b & "quotes"',
    summary: 'Markup stays text.',
    body: 'Angle brackets & ampersands are shown as typed.',
    tags: ['formatting'],
    productArea: 'troubleshooting',
  }),
  ...Array.from({ length: 25 }, (_, index) =>
    doc(100 + index, {
      slug: `zebra-${String(index).padStart(2, '0')}`,
      title: `Zebra sample ${index}`,
      summary: 'A filler article for paging.',
      body: `Zebra crossing number ${index}.`,
      tags: index % 2 ? ['odd', 'zebra'] : ['even', 'zebra'],
      productArea: index < 20 ? 'troubleshooting' : 'sla',
    }),
  ),
];

const STAFF: Audience = { kind: 'everything' };
const GROWTH: Audience = { kind: 'visibilities', visibilities: ['public', 'customers', 'tier:community', 'tier:growth'] };
const BUSINESS: Audience = { kind: 'visibilities', visibilities: [...GROWTH.visibilities, 'tier:business'] };
const ANONYMOUS: Audience = { kind: 'visibilities', visibilities: ['public'] };

function request(query: string, overrides: Partial<SearchRequest> = {}): SearchRequest {
  return { plan: planQuery(query), audience: STAFF, mode: 'all', offset: 0, limit: 10, ...overrides };
}

interface EngineUnderTest {
  engine: SearchEngine;
  close(): Promise<void>;
}

/** The contract suite; `skip` shows every case as skipped (not passed) when the engine is not there to test. */
function contract(name: string, open: () => Promise<EngineUnderTest>, skip = false) {
  describe.skipIf(skip)(name, () => {
    let engine: SearchEngine;
    let close: () => Promise<void>;
    const slugs = async (query: string, overrides: Partial<SearchRequest> = {}) =>
      (await engine.search(request(query, overrides))).hits.map((hit) => hit.slug);

    beforeAll(async () => {
      ({ engine, close } = await open());
      await engine.prepare();
      await engine.upsert(CORPUS);
    });
    afterAll(async () => close?.());

    it('holds what it was given, by revision, and upserting the same documents again changes nothing', async () => {
      const revisions = await engine.revisions();
      expect(revisions.size).toBe(CORPUS.length);
      expect(revisions.get(id(1))).toBe('r1');
      await engine.upsert(CORPUS.slice(0, 3));
      expect((await engine.revisions()).size).toBe(CORPUS.length);
      expect((await engine.search(request('invoices'))).total).toBe(2);
    });

    it('finds a word of the title and ranks a title match above a body-only match', async () => {
      expect(await slugs('invoices')).toEqual(['invoices', 'ticket-statuses']);
    });

    it('matches singular and plural forms', async () => {
      expect((await slugs('invoice'))[0]).toBe('invoices');
      expect((await slugs('passwords'))[0]).toBe('password-reset');
    });

    it('completes the word being typed (prefix) but not a finished word', async () => {
      expect(await slugs('passw')).toContain('password-reset');
      expect((await slugs('resetting forgo'))[0]).toBe('password-reset');
      expect(await slugs('passw ')).toEqual([]);
    });

    it('tolerates typos', async () => {
      expect((await slugs('pasword '))[0]).toBe('password-reset');
      expect((await slugs('escalaton '))[0]).toBe('urgent-escalation');
      expect(await slugs('recieve downlaoding ')).toEqual([]);
      expect((await slugs('downlaoding invoices '))[0]).toBe('invoices');
    });

    it('knows synonyms, both ways and as phrases', async () => {
      expect((await slugs('bill '))[0]).toBe('invoices');
      expect(await slugs('log in ')).toContain('signing-in');
    });

    it('highlights matches in escaped text and gives a body snippet', async () => {
      const [invoice] = (await engine.search(request('invoices'))).hits;
      expect(invoice!.highlights.title).toBe('Downloading <mark>invoices</mark>');
      expect(invoice!.highlights.snippet).toMatch(/<mark>invoice<\/mark>/);
      const [special] = (await engine.search(request('quotes'))).hits;
      expect(special!.highlights.title).toBe('Fields: a &lt; b &amp; &quot;<mark>quotes</mark>&quot;');
      expect(invoice!.score).toBeGreaterThan(0);
      expect(invoice!.score).toBeLessThanOrEqual(1);
    });

    it('confines results, totals and facets to the audience inside the query', async () => {
      const growth = await engine.search(request('incident', { audience: GROWTH }));
      expect(growth).toEqual({ hits: [], total: 0, facets: { productArea: [], tags: [] } });
      const business = await engine.search(request('incident', { audience: BUSINESS }));
      expect(business.hits.map((hit) => hit.slug)).toEqual(['urgent-escalation']);
      expect(business.total).toBe(1);
      expect(business.facets.productArea).toEqual([{ value: 'escalations', count: 1 }]);
      expect(business.facets.tags.map((tag) => tag.value)).not.toContain('war-room');
      const staff = await engine.search(request('incident'));
      expect(staff.total).toBe(2);
      expect(staff.facets.productArea).toEqual([{ value: 'escalations', count: 2 }]);
      expect(staff.facets.tags).toContainEqual({ value: 'incident', count: 2 });

      expect((await engine.search(request('contract', { audience: ANONYMOUS }))).total).toBe(0);
      expect((await engine.search(request('contract', { audience: GROWTH }))).total).toBe(1);
      const anonymousTags = (await engine.vocabulary(ANONYMOUS)).tags;
      expect(anonymousTags).toContain('billing');
      expect(anonymousTags).not.toContain('override');
      expect(anonymousTags).not.toContain('premium-playbook');
      expect((await engine.vocabulary(BUSINESS)).tags).toContain('premium-playbook');
      expect((await engine.vocabulary(GROWTH)).productAreas).not.toContain('escalations');
    });

    it('counts facets over every match, pages without overlap, and filters by product area and tag', async () => {
      const first = await engine.search(request('zebra', { limit: 10 }));
      expect(first.total).toBe(25);
      expect(first.hits).toHaveLength(10);
      expect(first.facets.productArea).toEqual([
        { value: 'troubleshooting', count: 20 },
        { value: 'sla', count: 5 },
      ]);
      expect(first.facets.tags[0]).toEqual({ value: 'zebra', count: 25 });
      const pages = [
        first,
        await engine.search(request('zebra', { offset: 10, limit: 10 })),
        await engine.search(request('zebra', { offset: 20, limit: 10 })),
      ];
      expect(pages.map((page) => page.hits.length)).toEqual([10, 10, 5]);
      expect(new Set(pages.flatMap((page) => page.hits.map((hit) => hit.id))).size).toBe(25);
      expect((await engine.search(request('zebra', { offset: 1000 }))).hits).toEqual([]);

      const sla = await engine.search(request('zebra', { filter: { productAreas: ['sla'] } }));
      expect(sla.total).toBe(5);
      expect(sla.facets.productArea).toEqual([{ value: 'sla', count: 5 }]);
      const odd = await engine.search(request('zebra', { filter: { tags: ['odd'], productAreas: ['troubleshooting', 'sla'] } }));
      expect(odd.total).toBe(12);
      expect(odd.hits.every((hit) => Number(hit.slug.slice(-2)) % 2 === 1)).toBe(true);
    });

    it('ranks the article with every word first in any-word mode', async () => {
      const result = await engine.search(request('portal password session', { mode: 'any' }));
      expect(result.hits[0]!.slug).toBe('signing-in');
      expect((await engine.search(request('portal password session'))).hits.map((hit) => hit.slug)).toEqual(['signing-in']);
    });

    it('answers a multi-search like the searches one by one', async () => {
      const requests = [request('invoices'), request('incident', { audience: BUSINESS }), request('zebra', { limit: 3, offset: 3 })];
      const together = await engine.multiSearch(requests);
      const alone = [];
      for (const one of requests) alone.push(await engine.search(one));
      expect(together).toEqual(alone);
    });

    it('forgets removed documents, in results, facets and revisions', async () => {
      await engine.remove([id(7), id(999)]);
      expect(await slugs('invoices')).toEqual(['invoices']);
      expect((await engine.revisions()).has(id(7))).toBe(false);
      expect((await engine.vocabulary(STAFF)).tags).not.toContain('workflow');
      await engine.upsert([CORPUS.find((document) => document.id === id(7))!]);
      expect(await slugs('invoices')).toEqual(['invoices', 'ticket-statuses']);
    });
  });
}

contract('the PostgreSQL engine', async () => {
  const database: TestDatabase = await createTestDatabase();
  const em = database.orm.em.fork();
  em.setFilterParams(TENANT_FILTER, { allTenants: true });
  return { engine: new PostgresSearchEngine(em), close: () => database.drop() };
});

const MEILI_HOST = process.env.MEILI_HOST ?? '';
const meiliCredentials = process.env.MEILI_API_KEY ? { apiKey: process.env.MEILI_API_KEY } : {};
contract(
  MEILI_HOST
    ? `the Meilisearch engine at ${MEILI_HOST}`
    : 'the Meilisearch engine (skipped: MEILI_HOST is not set; no Meilisearch binary can be installed on these machines, so set MEILI_HOST to a live server to run this suite against it)',
  async () => {
    const engine = new MeiliSearchEngine({ host: MEILI_HOST, ...meiliCredentials, index: `kb_contract_${randomBytes(4).toString('hex')}` });
    const { Meilisearch } = await import('meilisearch');
    const admin = new Meilisearch({ host: MEILI_HOST, ...meiliCredentials });
    return { engine, close: async () => void (await admin.deleteIndexIfExists(engine.indexUid)) };
  },
  !MEILI_HOST,
);
