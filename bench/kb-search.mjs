// Knowledge-base search on the embedded PostgreSQL engine: latency over a generated corpus of 10,000 articles
// (BENCH_KB_ARTICLES), and indexing throughput, both the whole `kb index` pipeline (Markdown files -> kb_article
// with versions -> search documents) and a bulk load straight into the engine.
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { indexKnowledgeBase, planQuery, PostgresSearchEngine, PRODUCT_AREAS, SYNONYM_GROUPS } from '@tierdesk/api/modules/kb';
import { benchDatabase } from './lib/database.mjs';
import { benchRuntime } from './lib/runtime.mjs';
import { median, ms, perSecond, quantile, seconds, seededRandom, since } from './lib/stats.mjs';
import { REPO_ROOT, scratchDir } from './lib/system.mjs';

const progress = (message) => process.stderr.write(`  [kb-search] ${message}\n`);

/** Support vocabulary (real words customers use) followed by made-up words: 5,000 in all, drawn Zipf-like. */
const DOMAIN_WORDS = (
  'ticket tickets priority urgent escalation escalate incident outage response resolution target deadline clock pause ' +
  'breach warning tier plan upgrade downgrade billing invoice payment subscription allowance quota monthly limit api key ' +
  'token scope session password sign login portal dashboard organization member admin customer staff agent specialist ' +
  'engineer rotation calendar holiday business hours coverage channel email chat phone webhook event audit history ' +
  'status open solved closed reopen follow comment reply note internal public private attachment export import report ' +
  'graphql query mutation cursor page error unauthorized forbidden rate request retry timeout latency region cluster ' +
  'database backup restore migration integration sync warehouse order shipment account contract override entitlement ' +
  'feature premium enterprise growth community knowledge article search filter tag facet configure setting notify ' +
  'alert acknowledge bridge playbook severity impact triage workflow transition assign queue handoff schedule deploy'
).split(' ');

function vocabulary(rng, size = 5000) {
  const words = [...DOMAIN_WORDS];
  const syllables = ['ka', 'lo', 'mi', 'ren', 'dor', 'vi', 'sta', 'qu', 'el', 'bar', 'tin', 'pho', 'zu', 'gra', 'nel', 'os', 'tre', 'wy'];
  while (words.length < size) {
    let word = '';
    const parts = 2 + Math.floor(rng() * 3);
    for (let i = 0; i < parts; i += 1) word += syllables[Math.floor(rng() * syllables.length)];
    if (!words.includes(word)) words.push(word);
  }
  return words;
}

/** Zipf-like pick: low indexes (the domain words) are much more frequent than the tail. */
const zipf = (rng, words) => words[Math.min(words.length - 1, Math.floor(words.length * rng() ** 3))];

function sentence(rng, words, length) {
  const picked = Array.from({ length }, () => zipf(rng, words));
  return `${picked[0][0].toUpperCase()}${picked.join(' ').slice(1)}.`;
}

const VISIBILITIES = [
  [0.7, 'public'],
  [0.85, 'customers'],
  [0.95, 'tier:business'],
  [1, 'tier:enterprise'],
];

export function generateCorpus(count, seed = 42) {
  const rng = seededRandom(seed);
  const words = vocabulary(rng);
  const tags = words.slice(0, 180);
  const articles = [];
  for (let i = 0; i < count; i += 1) {
    const roll = rng();
    const body = Array.from({ length: 3 + Math.floor(rng() * 6) }, () =>
      Array.from({ length: 3 + Math.floor(rng() * 4) }, () => sentence(rng, words, 8 + Math.floor(rng() * 12))).join(' '),
    ).join('\n\n');
    articles.push({
      slug: `bench-article-${String(i).padStart(5, '0')}`,
      title: sentence(rng, words, 4 + Math.floor(rng() * 5)).slice(0, -1),
      summary: sentence(rng, words, 12 + Math.floor(rng() * 12)),
      tags: [...new Set(Array.from({ length: 2 + Math.floor(rng() * 4) }, () => zipf(rng, tags)))],
      productArea: PRODUCT_AREAS[Math.floor(rng() * PRODUCT_AREAS.length)],
      visibility: VISIBILITIES.find(([upTo]) => roll < upTo)[1],
      body: `## ${sentence(rng, words, 3).slice(0, -1)}\n\n${body}`,
    });
  }
  return { articles, words };
}

/**
 * The query mix, in fixed proportions: each query has a topic word, drawn log-uniformly from the 20th to the
 * 3,000th most frequent word (a topic word in a support knowledge base is usually common: in this corpus, as in
 * kb/articles, hundreds of words each appear in more than 10% of the articles), sometimes with a second, common word;
 * typed with a typo, still being typed (prefix), or as a synonym; plus one "broad" query in twelve that is a single
 * word among the ten most frequent (it matches most of the corpus: the worst case for total and facets).
 */
export function generateQueries(words, count = 480, seed = 7) {
  const rng = seededRandom(seed);
  const topic = () => words[Math.floor(Math.exp(Math.log(20) + rng() * (Math.log(3000) - Math.log(20))))];
  const common = () => words[Math.floor(rng() * 300)];
  const typo = (word) => {
    if (word.length < 5) return word;
    const at = 1 + Math.floor(rng() * (word.length - 2));
    return `${word.slice(0, at)}${word[at + 1]}${word[at]}${word.slice(at + 2)}`;
  };
  const kinds = [
    ['one word', () => `${topic()} `],
    ['two words', () => `${common()} ${topic()} `],
    ['one word', () => `${topic()} `],
    ['three words', () => `${common()} ${topic()} ${common()} `],
    ['typo', () => `${typo(topic())} `],
    ['two words', () => `${topic()} ${common()} `],
    [
      'prefix (typing)',
      () => {
        const word = topic();
        return `${common()} ${word.slice(0, Math.max(2, Math.ceil(word.length * 0.6)))}`;
      },
    ],
    ['synonym', () => `${SYNONYM_GROUPS[Math.floor(rng() * SYNONYM_GROUPS.length)][0]} `],
    ['typo', () => `${common()} ${typo(topic())} `],
    ['prefix (typing)', () => topic().slice(0, 4)],
    ['synonym', () => `${SYNONYM_GROUPS[Math.floor(rng() * SYNONYM_GROUPS.length)][0]} ${topic()} `],
    ['broad (top-10 word)', () => `${words[Math.floor(rng() * 10)]} `],
  ];
  return Array.from({ length: count }, (_, index) => {
    const [kind, make] = kinds[index % kinds.length];
    return { kind, text: make() };
  });
}

const toMarkdown = (article) => `---
title: ${JSON.stringify(article.title)}
slug: ${article.slug}
summary: ${JSON.stringify(article.summary)}
tags: [${article.tags.join(', ')}]
productArea: ${article.productArea}
visibility: ${article.visibility}
updated: 2026-11-20
---

${article.body}
`;

const AUDIENCES = {
  staff: { kind: 'everything' },
  'growth customer': { kind: 'visibilities', visibilities: ['public', 'customers', 'tier:community', 'tier:growth'] },
};

async function measure(engine, queries, audience, limit) {
  const timings = new Map();
  for (const query of queries) {
    const started = process.hrtime.bigint();
    await engine.search({ plan: planQuery(query.text), audience, mode: 'all', offset: 0, limit });
    const elapsed = since(started);
    timings.set(query.kind, [...(timings.get(query.kind) ?? []), elapsed]);
    timings.set('all', [...(timings.get('all') ?? []), elapsed]);
  }
  return timings;
}

function latencyRow(label, values) {
  const sorted = [...values].sort((a, b) => a - b);
  return [label, String(values.length), ms(median(sorted)), ms(quantile(sorted, 0.95)), ms(quantile(sorted, 0.99)), ms(sorted.at(-1))];
}

export async function kbSearch({ articles: count = Number(process.env.BENCH_KB_ARTICLES ?? 10_000) } = {}) {
  const database = await benchDatabase();
  const dir = await scratchDir('kb');
  let orm;
  try {
    execFileSync(process.execPath, [resolve(REPO_ROOT, 'api/dist/cli.js'), 'seed', '--no-demo'], {
      env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const runtime = await benchRuntime(database.url);
    orm = runtime.orm;
    const { articles, words } = generateCorpus(count);
    const articlesDir = join(dir, 'articles');
    await mkdir(articlesDir);
    for (const article of articles) await writeFile(join(articlesDir, `${article.slug}.md`), toMarkdown(article));
    progress(`${count} articles written to ${articlesDir}`);

    // The whole pipeline, as `tierdesk kb index` runs it: read, parse and validate every file, insert kb_article
    // and kb_article_version rows, then load the engine and rebuild its vocabulary.
    let started = process.hrtime.bigint();
    const first = await indexKnowledgeBase(runtime.system('kb-index'), { dir: articlesDir });
    const pipelineMs = since(started);
    if (first.added.length !== count || first.problems.some((problem) => problem.severity === 'error')) {
      throw new Error(`indexing went wrong: ${first.added.length} added, problems: ${JSON.stringify(first.problems.slice(0, 3))}`);
    }
    progress(`kb index: ${count} articles in ${seconds(pipelineMs)}`);
    started = process.hrtime.bigint();
    const again = await indexKnowledgeBase(runtime.system('kb-index'), { dir: articlesDir });
    const rerunMs = since(started);
    if (again.unchanged !== count) throw new Error(`the second run changed ${count - again.unchanged} articles`);

    // The engine alone: documents straight into kb_search_document (500 per call), then the vocabulary rebuild.
    const em = runtime.system('bench').em;
    const engine = new PostgresSearchEngine(em);
    const documents = await em
      .getConnection()
      .execute(
        `select id, slug, title, summary, body, tags, product_area as "productArea", visibility, updated_at as "updatedAt", revision from kb_search_document`,
      );
    await em.getConnection().execute('truncate kb_search_document, kb_term');
    started = process.hrtime.bigint();
    for (let offset = 0; offset < documents.length; offset += 500) {
      const batch = documents.slice(offset, offset + 500).map((row) => ({ ...row, updatedAt: new Date(row.updatedAt) }));
      await engine.upsert(batch);
    }
    await engine.optimize();
    const bulkMs = since(started);
    const [{ terms }] = await em.getConnection().execute('select count(*)::int as terms from kb_term');
    await em.getConnection().execute('vacuum analyze kb_search_document');
    await em.getConnection().execute('vacuum analyze kb_term');
    progress(`engine bulk load: ${count} documents in ${seconds(bulkMs)}, ${terms} words in the vocabulary`);

    const queries = generateQueries(words);
    await measure(engine, queries, AUDIENCES.staff, 20); // warm-up: caches, plans, the vocabulary's pages
    const results = {};
    for (const [name, audience] of Object.entries(AUDIENCES)) results[name] = await measure(engine, queries, audience, 20);
    // The same searches with the two statements one after the other on one connection (a transaction holds exactly
    // one): what sending them at the same time on two connections gains (docs/decisions/006).
    const serial = await em
      .fork()
      .transactional((transaction) => measure(new PostgresSearchEngine(transaction), queries, AUDIENCES.staff, 20));
    // Throughput with several searches at once (each search itself runs its two statements in parallel).
    const concurrency = 4;
    let next = 0;
    started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const own = new PostgresSearchEngine(runtime.system('bench').em);
        while (next < queries.length) {
          const query = queries[next++];
          await own.search({ plan: planQuery(query.text), audience: AUDIENCES.staff, mode: 'all', offset: 0, limit: 20 });
        }
      }),
    );
    const throughput = (queries.length / since(started)) * 1000;
    const kinds = [...new Set(queries.map((query) => query.kind))];
    const p95of = (values) =>
      quantile(
        [...values].sort((a, b) => a - b),
        0.95,
      );
    const p95 = p95of(results.staff.get('all'));
    const [{ matches }] = await em.getConnection().execute(
      `select percentile_disc(0.5) within group (order by n) as matches from (
         select (select count(*) from kb_search_document where search_vector @@ to_tsquery('english', q)) as n
         from unnest(?::text[]) q) counts`,
      [
        `{${queries
          .filter((query) => /^[a-z ]+$/.test(query.text) && !query.text.trim().includes(' '))
          .slice(0, 80)
          .map((query) => `"${query.text.trim()}"`)
          .join(',')}}`,
      ],
    );

    return {
      sections: [
        {
          heading: `Search latency: ${queries.length} queries, one at a time, first page of 20 with highlights, total and facets (${count.toLocaleString('en-US')} articles)`,
          rows: [
            ['queries (as staff: every article)', 'n', 'p50', 'p95', 'p99', 'max'],
            ...kinds.map((kind) => latencyRow(`  ${kind}`, results.staff.get(kind))),
            latencyRow('all (staff)', results.staff.get('all')),
            latencyRow('all (Growth customer: public, customers, growth)', results['growth customer'].get('all')),
            latencyRow('all (staff), the two statements one after the other on one connection', serial.get('all')),
          ],
          notes: [
            `Goal: p95 ≤ 20 ms. Measured p95 (staff, all queries): ${ms(p95)}${p95 <= 20 ? '' : ' — ABOVE the goal'}.`,
            `Median articles matching a one-word query of the mix: ${matches} of ${count.toLocaleString('en-US')}. The total and the facets count every match; ranking signals are computed for every match, the full-text rank for the best 40.`,
            'One search = the vocabulary lookup (typos and completions; pg_trgm), then two statements at once on two connections: total and facets, and the ranked page with ts_headline.',
            `The same two statements one after the other on one connection: p95 ${ms(p95of(serial.get('all')))} (staff, all queries), against ${ms(p95)} at the same time.`,
            `Throughput with ${concurrency} searches at a time: ${perSecond(throughput)} (the two statements of a search both read the matching set: CPU spent twice, latency halved on a multi-core server).`,
          ],
        },
        {
          heading: 'Indexing throughput',
          rows: [
            ['step', 'articles', 'time', 'articles/s'],
            [
              '`kb index`, first run (files → kb_article + versions → engine)',
              String(count),
              seconds(pipelineMs),
              perSecond((count / pipelineMs) * 1000),
            ],
            ['`kb index`, second run (nothing changed)', String(count), seconds(rerunMs), perSecond((count / rerunMs) * 1000)],
            [
              'engine only: upsert 500 per call, then optimize (vocabulary recount)',
              String(count),
              seconds(bulkMs),
              perSecond((count / bulkMs) * 1000),
            ],
          ],
          notes: [
            `Corpus: generated, deterministic; 3 to 8 paragraphs (about 120 to 500 words) per article, a 5,000-word vocabulary drawn Zipf-like; ${terms.toLocaleString('en-US')} distinct words indexed.`,
            "The second run reads and hashes every file and compares with kb_article and the engine's revisions; it writes nothing.",
          ],
        },
      ],
    };
  } finally {
    if (orm) await orm.close(true).catch(() => undefined);
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
