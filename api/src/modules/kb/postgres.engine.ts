import type { EntityManager } from '@mikro-orm/postgresql';
import type { Audience } from './kb.policy.js';
import { editDistance, STOP_WORDS, typosAllowed, type Alternative, type QueryGroup } from './query.js';
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

type Row = Record<string, unknown>;

/** A PostgreSQL array literal, bound as one string (the driver would spread a JS array into a list). */
function pgArray(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * A word as a tsquery operand: quoted (tokens are letters and digits only, but quoting keeps that a non-issue),
 * optionally a prefix (`:*`) and restricted to a weight (`:A`, the title).
 */
const operand = (word: string, prefix = false, weight = '') => {
  const flags = `${prefix ? '*' : ''}${weight}`;
  return `'${word.replace(/'/g, "''")}'${flags ? `:${flags}` : ''}`;
};

function phrase(alternative: Alternative, weight = ''): string {
  const words = alternative.words.filter((word, index) => alternative.words.length === 1 || index === 0 || !STOP_WORDS.has(word));
  return words.map((word, index) => operand(word, alternative.prefix === true && index === words.length - 1, weight)).join(' <-> ');
}

/** One query group as tsquery texts: what the index matches, every variant, the typed ones, those in the title. */
interface CompiledGroup {
  match: string;
  every: string;
  exact: string;
  title: string;
  optional: boolean;
}

/** Vocabulary lookups: the words a typed word may have meant (typos) or may become (the word being typed). */
interface Expansion {
  known: boolean;
  near: string[];
  completions: string[];
}

const MAX_NEAR = 3;
const MAX_COMPLETIONS = 8;

const HEADLINE_MARKS = `StartSel=${HIGHLIGHT_MARKERS.start}, StopSel=${HIGHLIGHT_MARKERS.end}`;

/** The part of the body a snippet is taken from (two `?`: the anchor word twice). */
const SNIPPET_SOURCE = `(case when position(? in lower(d.body)) > 0
    then substr(d.body, greatest(1, position(? in lower(d.body)) - 200), 800) else left(d.body, 800) end)`;

/**
 * The embedded engine: PostgreSQL full-text search on `kb_search_document` (weighted tsvector: title A, summary B,
 * tags C, body D), typo tolerance and search-as-you-type through the `kb_term` vocabulary (pg_trgm distance and
 * prefix completion), synonyms from synonyms.ts, ts_headline highlights, facets from the same matching set.
 * The audience's visibilities are a condition of the one statement that computes hits, total and facets.
 */
export class PostgresSearchEngine implements SearchEngine {
  readonly kind = 'postgresql' as const;

  constructor(private readonly em: EntityManager) {}

  private async sql<T = Row>(statement: string, params: unknown[] = []): Promise<T[]> {
    return this.em.getConnection().execute<T[]>(statement, params, 'all', this.em.getTransactionContext());
  }

  async prepare(): Promise<void> {
    const [row] = await this.sql<{ ready: boolean }>(
      `select exists (select 1 from pg_extension where extname = 'pg_trgm') and to_regclass('kb_search_document') is not null as ready`,
    );
    if (!row?.ready) throw new Error('The knowledge-base tables or the pg_trgm extension are missing: run `pnpm tierdesk migrate`.');
  }

  async upsert(documents: readonly SearchDocument[]): Promise<void> {
    for (let start = 0; start < documents.length; start += 250) {
      const chunk = documents.slice(start, start + 250).map((document) => ({
        id: document.id,
        slug: document.slug,
        title: document.title,
        summary: document.summary,
        body: document.body,
        tags: document.tags,
        tag_text: document.tags.map((tag) => tag.replace(/-/g, ' ')).join(' '),
        product_area: document.productArea,
        visibility: document.visibility,
        updated_at: document.updatedAt.toISOString(),
        revision: document.revision,
      }));
      await this.sql(
        `insert into kb_search_document (id, slug, title, summary, body, tags, tag_text, product_area, visibility, updated_at, revision)
         select id, slug, title, summary, body, tags, tag_text, product_area, visibility, updated_at, revision
         from jsonb_to_recordset(?::jsonb) as x(id uuid, slug text, title text, summary text, body text, tags text[], tag_text text,
                                                product_area text, visibility text, updated_at timestamptz, revision text)
         on conflict (id) do update set slug = excluded.slug, title = excluded.title, summary = excluded.summary, body = excluded.body,
           tags = excluded.tags, tag_text = excluded.tag_text, product_area = excluded.product_area, visibility = excluded.visibility,
           updated_at = excluded.updated_at, revision = excluded.revision`,
        [JSON.stringify(chunk)],
      );
    }
    if (documents.length) await this.addVocabulary(documents.map((document) => document.id));
  }

  /** After a bulk change: recount the vocabulary (`upsert` only adds words; counts drift until this runs). */
  async optimize(): Promise<void> {
    await this.rebuildVocabulary();
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    // Words of removed documents linger until `optimize()`: they only widen a correction that then matches nothing.
    await this.sql(`delete from kb_search_document where id = any(?::uuid[])`, [pgArray(ids)]);
  }

  private static readonly VOCABULARY_SOURCE = `select to_tsvector('simple', title || ' ' || summary || ' ' || tag_text || ' ' || body) from kb_search_document`;

  private async addVocabulary(ids: readonly string[]): Promise<void> {
    const source = `${PostgresSearchEngine.VOCABULARY_SOURCE} where id = any('${pgArray(ids)}'::uuid[])`;
    await this.sql(
      `insert into kb_term (word, documents)
       select word, ndoc from ts_stat(?) where word ~ '^[a-z0-9]+$' and length(word) <= 100
       on conflict (word) do update set documents = greatest(kb_term.documents, excluded.documents)`,
      [source],
    );
  }

  /** Recounts every word (after a bulk change): one transaction, so searches never see an empty vocabulary. */
  async rebuildVocabulary(): Promise<void> {
    await this.em.transactional(async (em) => {
      const connection = em.getConnection();
      const context = em.getTransactionContext();
      await connection.execute(`delete from kb_term`, [], 'run', context);
      await connection.execute(
        `insert into kb_term (word, documents) select word, ndoc from ts_stat(?) where word ~ '^[a-z0-9]+$' and length(word) <= 100`,
        [PostgresSearchEngine.VOCABULARY_SOURCE],
        'run',
        context,
      );
    });
  }

  async revisions(): Promise<Map<string, string>> {
    const rows = await this.sql<{ id: string; revision: string }>(`select id, revision from kb_search_document`);
    return new Map(rows.map((row) => [row.id, row.revision]));
  }

  async vocabulary(audience: Audience): Promise<{ productAreas: string[]; tags: string[] }> {
    const [where, params] = audienceCondition(audience);
    const [row] = await this.sql<{ areas: string[] | null; tags: string[] | null }>(
      `select (select array_agg(distinct product_area order by product_area) from kb_search_document d where ${where}) as areas,
              (select array_agg(distinct tag order by tag) from kb_search_document d, unnest(d.tags) tag where ${where}) as tags`,
      [...params, ...params],
    );
    return { productAreas: row?.areas ?? [], tags: row?.tags ?? [] };
  }

  async multiSearch(requests: readonly SearchRequest[]): Promise<SearchResult[]> {
    const results: SearchResult[] = [];
    for (const request of requests) results.push(await this.search(request));
    return results;
  }

  private async expand(groups: readonly QueryGroup[]): Promise<Map<string, Expansion>> {
    const words = new Map<string, { fuzzy: boolean; prefix: boolean }>();
    for (const group of groups) {
      if (group.typed.length !== 1) continue;
      const word = group.typed[0]!;
      const previous = words.get(word);
      words.set(word, { fuzzy: typosAllowed(word) > 0, prefix: group.prefix || previous?.prefix === true });
    }
    if (!words.size) return new Map();
    // One row per word, each lookup an index scan with the word as a plain parameter: equality (known?), trigram
    // nearest neighbours (GiST, only for an unknown word that may carry a typo), prefix range (the word being typed).
    const params: unknown[] = [];
    const selects = [...words].map(([word, flags]) => {
      params.push(word, word);
      const known = 'exists (select 1 from kb_term where word = ?)';
      let near = 'null::json';
      if (flags.fuzzy) {
        params.push(word, word);
        near = `case when not exists (select 1 from kb_term where word = ?) then (select json_agg(json_build_object('w', word, 'n', documents)) from (select word, documents from kb_term order by word <-> ? limit 12) s) end`;
      }
      let completions = 'null::text[]';
      if (flags.prefix && word.length >= 2) {
        params.push(word, `${word}{`, word);
        completions = `array(select word from kb_term where word ~>=~ ? and word ~<~ ? and word <> ? order by documents desc, word limit ${MAX_COMPLETIONS})`;
      }
      return `select ?::text as word, ${known} as known, ${near} as near, ${completions} as completions`;
    });
    const rows = await this.sql<{ word: string; known: boolean; near: { w: string; n: number }[] | null; completions: string[] | null }>(
      selects.join(' union all '),
      params,
    );
    return new Map(
      rows.map((row) => {
        const allowed = typosAllowed(row.word);
        const near = (row.near ?? [])
          .map((candidate) => ({ candidate: candidate.w, documents: candidate.n, distance: editDistance(row.word, candidate.w, allowed) }))
          .filter((entry) => entry.distance <= allowed)
          .sort((a, b) => a.distance - b.distance || b.documents - a.documents)
          .slice(0, MAX_NEAR)
          .map((entry) => entry.candidate);
        return [row.word, { known: row.known, near, completions: row.completions ?? [] }];
      }),
    );
  }

  /**
   * Each group as tsquery text: every variant (what matches), the typed alternatives alone (exactness), and every
   * variant restricted to the title (attribute).
   */
  private compile(groups: readonly QueryGroup[], expansions: Map<string, Expansion>): CompiledGroup[] {
    const compiled: CompiledGroup[] = [];
    for (const group of groups) {
      const typed: Alternative[] = group.alternatives.filter((alternative) => !alternative.derived);
      const derived: Alternative[] = group.alternatives.filter((alternative) => alternative.derived);
      const expansion = group.typed.length === 1 ? expansions.get(group.typed[0]!) : undefined;
      if (expansion) {
        for (const word of expansion.near) derived.push({ words: [word], derived: true });
        for (const word of expansion.completions) derived.push({ words: [word], derived: true });
      }
      const usable = (alternative: Alternative) =>
        alternative.words.some((word) => !STOP_WORDS.has(word)) &&
        !(alternative.prefix && alternative.words.length === 1 && alternative.words[0]!.length < 2 && expansion?.completions.length);
      const exact = typed.filter(usable).map((alternative) => phrase(alternative));
      const every = [...exact, ...derived.filter(usable).map((alternative) => phrase(alternative))];
      if (!every.length) continue;
      const title = [...typed, ...derived].filter(usable).map((alternative) => phrase(alternative, 'A'));
      // What the index matches: a phrase as all its words (like Meilisearch, which ranks words close together first
      // rather than requiring them adjacent; it also spares PostgreSQL a recheck of every candidate's full vector),
      // and the synonym phrases of a single typed word left to ranking (in a support knowledge base "support request"
      // as two loose words would match nearly everything).
      const singleWordTyped = typed.some((alternative) => alternative.words.length === 1);
      const loose = [...typed, ...derived]
        .filter(usable)
        .filter((alternative) => !(alternative.derived && alternative.words.length > 1 && singleWordTyped))
        .map((alternative) => (alternative.words.length > 1 ? `(${phrase(alternative).replace(/ <-> /g, ' & ')})` : phrase(alternative)));
      compiled.push({
        exact: exact.length ? exact.join(' | ') : every.join(' | '),
        every: every.join(' | '),
        match: loose.length ? loose.join(' | ') : every.join(' | '),
        title: title.join(' | '),
        optional: group.optional === true,
      });
    }
    return compiled;
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    const empty: SearchResult = { hits: [], total: 0, facets: { productArea: [], tags: [] } };
    const compiled = this.compile(request.plan.groups, await this.expand(request.plan.groups));
    if (!compiled.length || request.offset >= MAX_TOTAL_HITS) return empty;
    const limit = Math.max(0, Math.min(request.limit, MAX_TOTAL_HITS - request.offset));
    // Optional groups (a stop word still being typed) only add to the rank; the rest are what must match.
    const required = compiled.filter((group) => !group.optional);
    const groups = required.length ? required : compiled;
    const loose = groups.map((group) => `(${group.match})`);
    const any = request.mode === 'any';
    const minimum = any ? (groups.length <= 2 ? 1 : 2) : groups.length;

    const matchText = any ? loose.join(' | ') : loose.join(' & ');
    const rankText = compiled.map((group) => `(${group.every})`).join(' | ');
    const [audience, audienceParams] = audienceCondition(request.audience);
    const conditions = [audience];
    const filterParams: unknown[] = [...audienceParams];
    if (request.filter?.productAreas?.length) {
      conditions.push('d.product_area = any(?::text[])');
      filterParams.push(pgArray(request.filter.productAreas));
    }
    if (request.filter?.tags?.length) {
      conditions.push('d.tags && ?::text[]');
      filterParams.push(pgArray(request.filter.tags));
    }
    const sum = (expression: (index: number) => string) => `(${groups.map((_, index) => `(${expression(index)})::int`).join(' + ')})`;
    // Words matched need the whole document (any-word mode only; in all-word mode every match has them all). The
    // lateral copy detoasts the long search_vector once per row instead of once per group.
    const words = any ? sum((index) => `f.v @@ q.w${index}`) : String(groups.length);
    const whole = any ? "cross join lateral (select d.search_vector || ''::tsvector as v offset 0) f" : '';
    const kept = any ? 'kept' : 'matched';

    /**
     * The statement prefix both statements share: the query's tsqueries, then the matching set with the audience and
     * filters inside it (in any-word mode, only the articles with enough of the words are kept).
     */
    const matching = (selected: string, extraColumns: string[], extraParams: unknown[]): [string, unknown[]] => {
      const params: unknown[] = [];
      const tsquery = (text: string) => {
        params.push(text);
        return "to_tsquery('english', ?)";
      };
      const columns = [`${tsquery(matchText)} as q_match`, ...(any ? loose.map((text, index) => `${tsquery(text)} as w${index}`) : [])];
      for (const [name, text] of extraParams as [string, string][]) columns.push(`${tsquery(text)} as ${name}`);
      params.push(...filterParams);
      if (any) params.push(minimum);
      const sql = `with q as materialized (select ${columns.join(', ')}),
       matched as materialized (
         select ${[selected, `${words} as words`, ...extraColumns].join(', ')}
         from kb_search_document d cross join q ${whole}
         where d.search_vector @@ q.q_match and ${conditions.join(' and ')}
       )${any ? ',\n       kept as materialized (select * from matched where words >= ?)' : ''}`;
      return [sql, params];
    };

    // Two statements on two connections, at the same time: the total and the facets count every match; the page ranks
    // them and highlights the best. Each reads the matching set (an index scan), which costs CPU twice but halves
    // the latency of broad queries on a server with more than one core.
    const [countsPrefix, countsParams] = matching('d.product_area, d.tags', [], []);
    const countsSql = `${countsPrefix}
       select
         (select count(*)::int from ${kept}) as total,
         (select coalesce(json_agg(json_build_object('value', product_area, 'count', n) order by n desc, product_area), '[]')
            from (select product_area, count(*)::int as n from ${kept} group by product_area) a) as areas,
         (select coalesce(json_agg(json_build_object('value', tag, 'count', n) order by n desc, tag), '[]')
            from (select tag, count(*)::int as n from (select unnest(tags) as tag from ${kept}) u group by tag order by n desc, tag limit ${MAX_TAG_FACETS}) t) as tags`;

    // Ranking, like Meilisearch's rules: words matched, then words matched as typed (not through a typo, completion
    // or synonym) in the title, summary or tags, then words in the title, then ts_rank on those fields; the short
    // head_vector keeps that cheap for every match. The best `window` are then ordered by ts_rank on the whole text
    // (title A > summary B > tags C > body D), and ts_headline runs for the page alone.
    const signals = [
      ['q_rank', rankText],
      ...groups.map((group, index) => [`e${index}`, `(${group.exact})`]),
      ...groups.map((group, index) => [`t${index}`, `(${group.title})`]),
    ];
    const [pagePrefix, pageParams] = matching(
      'd.id',
      [
        `case when d.head_vector @@ q.q_rank then ${sum((index) => `d.head_vector @@ q.e${index}`)} else 0 end as exact`,
        `case when d.head_vector @@ q.q_rank then ${sum((index) => `d.head_vector @@ q.t${index}`)} else 0 end as title`,
        "case when d.head_vector @@ q.q_rank then ts_rank('{0.1, 0.2, 0.4, 1.0}', d.head_vector, q.q_rank) else 0 end as head_rank",
      ],
      signals,
    );
    const window = request.offset + limit + 20;
    // ts_headline parses all the text it is given: the snippet is cut from a window around the first occurrence of
    // the longest word typed (or the start), which keeps highlighting cheap on long articles.
    const anchor = request.plan.groups
      .flatMap((group) => group.typed)
      .reduce((longest, word) => (word.length > longest.length ? word : longest), '');
    const pageSql = `${pagePrefix},
       best as materialized (
         select k.*, ts_rank('{0.1, 0.2, 0.4, 1.0}', d.search_vector, q.q_rank, 1 | 32) as rank
         from (select * from ${kept} order by words desc, exact desc, title desc, head_rank desc, id limit ?) k
         join kb_search_document d on d.id = k.id cross join q
       ),
       page as (select * from best order by words desc, exact desc, title desc, head_rank desc, rank desc, id limit ? offset ?)
       select coalesce(json_agg(json_build_object(
              'id', d.id, 'slug', d.slug, 'words', p.words, 'exact', p.exact, 'title_words', p.title, 'rank', p.rank, 'head_rank', p.head_rank,
              'title', ts_headline('english', d.title, q.q_rank, 'HighlightAll=true, ${HEADLINE_MARKS}'),
              'summary', ts_headline('english', d.summary, q.q_rank, 'HighlightAll=true, ${HEADLINE_MARKS}'),
              'snippet', ts_headline('english', ${SNIPPET_SOURCE}, q.q_rank, 'MaxFragments=2, MaxWords=24, MinWords=10, FragmentDelimiter=" … ", ${HEADLINE_MARKS}')
            ) order by p.words desc, p.exact desc, p.title desc, p.head_rank desc, p.rank desc, p.id), '[]') as hits
       from page p join kb_search_document d on d.id = p.id cross join q`;
    pageParams.push(window, limit, request.offset, anchor, anchor);

    const [[counts], [page]] = await Promise.all([
      this.sql<{ total: number; areas: FacetCount[]; tags: FacetCount[] }>(countsSql, countsParams),
      this.sql<{ hits: Row[] }>(pageSql, pageParams),
    ]);
    const row = counts && page ? { ...counts, hits: page.hits } : undefined;
    if (!row) return empty;
    const n = groups.length;
    return {
      total: Math.min(row.total, MAX_TOTAL_HITS),
      facets: { productArea: row.areas, tags: row.tags },
      hits: row.hits.map((hit) => ({
        id: String(hit.id),
        slug: String(hit.slug),
        // words, exact and title each count up to n; the two ranks (each below 1) break ties.
        score:
          Math.round(
            ((Number(hit.words) +
              Number(hit.exact) +
              Number(hit.title_words) +
              Math.min(Number(hit.head_rank), 1) / 2 +
              Number(hit.rank) / 2) /
              (3 * n + 1)) *
              10_000,
          ) / 10_000,
        highlights: {
          title: renderHighlight(String(hit.title)),
          summary: renderHighlight(String(hit.summary)),
          snippet: renderHighlight(String(hit.snippet)),
        },
      })),
    };
  }
}

/** The audience as a SQL condition on `d` (kb_search_document): everything, or these visibilities. */
function audienceCondition(audience: Audience): [string, unknown[]] {
  if (audience.kind === 'everything') return ['true', []];
  return ['d.visibility = any(?::text[])', [pgArray(audience.visibilities)]];
}
