import { KbSearchDocument, type KnowledgeBaseFilter } from '@tierdesk/schema';
import { useEffect, useRef, type FormEvent } from 'react';
import { data, Form, isRouteErrorResponse, Link, useNavigation, useSubmit } from 'react-router';
import { Highlight } from '../components/highlight';
import { signInHref, useHelpViewer } from '../lib/help-viewer';
import { articleHref, helpSearchHref, newTicketHref, pluralize, productAreaLabel } from '../lib/kb';
import { hitView, PublicApi, type KbInputError } from '../lib/kb.server';
import type { Route } from './+types/help';

/** Hits per page. */
const PAGE_SIZE = 10;
/** Search as you type: wait for a pause this long before asking. */
const TYPING_PAUSE_MS = 250;

export function meta({ loaderData }: Route.MetaArgs) {
  const q = loaderData?.q.trim();
  return [{ title: q ? `${q} · Help center · Tierdesk support` : 'Help center · Tierdesk support' }];
}

/**
 * The page is its query string (`?q=…&area=…&tag=…&after=…`): every state can be shared, reloaded and reached
 * without JavaScript. No `q`: the start page; a blank `q`: a nudge to type something; the API's typed input errors
 * (EMPTY_QUERY, QUERY_TOO_LONG, UNKNOWN_FILTER, INVALID_CURSOR) are explained on the page with HTTP 400.
 */
export async function loader(args: Route.LoaderArgs) {
  const params = args.url.searchParams;
  const raw = params.get('q');
  const q = raw ?? '';
  const area = params.get('area')?.trim() || null;
  const tag = params.get('tag')?.trim() || null;
  const after = params.get('after')?.trim() || null;
  const base = { q, area, tag, after, error: null as KbInputError | null, results: null };
  if (raw === null) return { ...base, state: 'start' as const };
  if (!q.trim()) return { ...base, state: 'empty' as const };

  const api = await PublicApi.open(args);
  const filter: KnowledgeBaseFilter | null = area || tag ? { productAreas: area ? [area] : null, tags: tag ? [tag] : null } : null;
  const outcome = await api.attempt(KbSearchDocument, { query: q.trim(), filter, first: PAGE_SIZE, after });
  if (outcome.error) return data({ ...base, state: 'error' as const, error: outcome.error }, { status: 400 });

  const search = outcome.data.searchKnowledgeBase;
  return {
    ...base,
    state: 'results' as const,
    results: {
      totalCount: search.totalCount,
      matchedAllWords: search.matchedAllWords,
      searchId: search.searchId,
      nextCursor: search.pageInfo.hasNextPage ? search.pageInfo.endCursor : null,
      areas: search.facets.productAreas,
      tags: search.facets.tags,
      hits: search.nodes.map(hitView),
    },
  };
}

export default function HelpSearch({ loaderData }: Route.ComponentProps) {
  const { q, area, tag, after, state, error, results } = loaderData;
  const viewer = useHelpViewer();
  const submit = useSubmit();
  const navigation = useNavigation();
  const input = useRef<HTMLInputElement>(null);
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const searching = navigation.state !== 'idle' && navigation.location?.pathname === '/help';

  // Back, forward and facet links change the query under the box: show it, unless the reader is typing there.
  useEffect(() => {
    if (input.current && document.activeElement !== input.current) input.current.value = q;
  }, [q]);
  useEffect(() => () => clearTimeout(typing.current), []);

  const searchAsYouType = (event: FormEvent<HTMLInputElement>) => {
    const form = event.currentTarget.form;
    clearTimeout(typing.current);
    if (!form) return;
    typing.current = setTimeout(() => {
      if (new FormData(form).get('q') === q && state !== 'start') return;
      // One history entry per search, not per keystroke.
      submit(form, { replace: state !== 'start', preventScrollReset: true });
    }, TYPING_PAUSE_MS);
  };

  const query = q.trim();
  const ticketHref = newTicketHref(query);
  return (
    <div className="kb">
      <h1>Help center</h1>
      <Form method="get" action="/help" role="search" className="kb-search" onSubmit={() => clearTimeout(typing.current)}>
        <label htmlFor="kb-q">Search the help center</label>
        <div className="kb-search__row">
          <input
            ref={input}
            id="kb-q"
            name="q"
            type="search"
            defaultValue={q}
            autoComplete="off"
            spellCheck={false}
            aria-describedby="kb-q-hint"
            onInput={searchAsYouType}
          />
          {area ? <input type="hidden" name="area" value={area} /> : null}
          {tag ? <input type="hidden" name="tag" value={tag} /> : null}
          <button type="submit" className="button button--primary">
            Search
          </button>
        </div>
        <p id="kb-q-hint" className="hint">
          A few words about your question, e.g. “pause the SLA clock” or “escalate a ticket”.
          {viewer ? null : ' Signed-in customers also find the articles of their plan.'}
        </p>
      </Form>

      <p className="kb-progress" aria-live="polite">
        {searching ? 'Searching…' : ''}
      </p>

      {state === 'start' ? <p className="muted">Type above to search the guides, answers to common errors and API how-tos.</p> : null}
      {state === 'empty' ? (
        <p className="kb-notice" role="status">
          Type a word or two to search for.
        </p>
      ) : null}
      {state === 'error' && error ? (
        <div role="alert" className="alert alert--error kb-error">
          <p>{error.message}</p>
          {error.reason === 'UNKNOWN_FILTER' ? (
            <p>
              <Link to={helpSearchHref({ q: query })}>Search without filters</Link>
            </p>
          ) : null}
          {error.reason === 'INVALID_CURSOR' ? (
            <p>
              <Link to={helpSearchHref({ q: query, area, tag })}>Back to the first page</Link>
            </p>
          ) : null}
        </div>
      ) : null}

      {state === 'results' && results ? (
        <div className="kb-layout">
          <section className="kb-results-section" aria-labelledby="kb-results-title">
            <h2 id="kb-results-title" className="visually-hidden">
              Results
            </h2>
            <p className="kb-count" role="status" data-testid="kb-total">
              {results.totalCount === 0 ? `No articles match “${query}”.` : `${pluralize(results.totalCount, 'article')} found`}
            </p>
            {area || tag ? (
              <ul className="kb-active-filters" aria-label="Active filters">
                {area ? (
                  <li>
                    Area: {productAreaLabel(area)}{' '}
                    <Link to={helpSearchHref({ q: query, tag })} aria-label={`Remove the filter ${productAreaLabel(area)}`}>
                      ×
                    </Link>
                  </li>
                ) : null}
                {tag ? (
                  <li>
                    Tag: {tag}{' '}
                    <Link to={helpSearchHref({ q: query, area })} aria-label={`Remove the filter ${tag}`}>
                      ×
                    </Link>
                  </li>
                ) : null}
              </ul>
            ) : null}
            {!results.matchedAllWords && results.totalCount > 0 ? (
              <p className="muted">No article has all of these words; these have the most of them.</p>
            ) : null}
            {results.hits.length > 0 ? (
              <ol className="kb-results" aria-label="Search results">
                {results.hits.map((hit) => (
                  <li key={hit.slug} className="kb-result">
                    <h3>
                      <Link to={articleHref(hit.slug, results.searchId)}>
                        <Highlight html={hit.titleHtml} />
                      </Link>
                    </h3>
                    <p className="kb-result__summary">
                      <Highlight html={hit.summaryHtml} />
                    </p>
                    {hit.snippetHtml.trim() ? (
                      <p className="kb-result__snippet">
                        <Highlight html={hit.snippetHtml} />
                      </p>
                    ) : null}
                    <p className="kb-result__meta">{productAreaLabel(hit.productArea)}</p>
                  </li>
                ))}
              </ol>
            ) : null}
            {after || results.nextCursor ? (
              <nav className="pager" aria-label="Pages">
                {after ? <Link to={helpSearchHref({ q: query, area, tag })}>First page</Link> : null}
                {results.nextCursor ? (
                  <Link to={helpSearchHref({ q: query, area, tag, after: results.nextCursor })} rel="next">
                    Next page
                  </Link>
                ) : null}
              </nav>
            ) : null}
          </section>

          {results.areas.length > 0 || results.tags.length > 0 ? (
            <nav className="kb-facets" aria-label="Filters">
              {results.areas.length > 0 ? (
                <section aria-labelledby="kb-facet-areas">
                  <h2 id="kb-facet-areas">Product area</h2>
                  <ul>
                    {area ? (
                      <li>
                        <Link to={helpSearchHref({ q: query, tag })}>All areas</Link>
                      </li>
                    ) : null}
                    {results.areas.map((facet) => (
                      <li key={facet.value}>
                        <Link
                          to={helpSearchHref({ q: query, area: facet.value, tag })}
                          aria-current={facet.value === area ? 'true' : undefined}
                          className="kb-facet"
                        >
                          {productAreaLabel(facet.value)} <span className="kb-facet__count">({facet.count})</span>
                        </Link>
                      </li>
                    ))}
                  </ul>
                </section>
              ) : null}
              {results.tags.length > 0 ? (
                <section aria-labelledby="kb-facet-tags">
                  <h2 id="kb-facet-tags">Tag</h2>
                  <ul className="kb-tags">
                    {tag ? (
                      <li>
                        <Link to={helpSearchHref({ q: query, area })}>All tags</Link>
                      </li>
                    ) : null}
                    {results.tags.map((facet) => (
                      <li key={facet.value}>
                        <Link
                          to={helpSearchHref({ q: query, area, tag: facet.value })}
                          aria-current={facet.value === tag ? 'true' : undefined}
                          className="kb-facet"
                        >
                          {facet.value} <span className="kb-facet__count">({facet.count})</span>
                        </Link>
                      </li>
                    ))}
                  </ul>
                </section>
              ) : null}
            </nav>
          ) : null}
        </div>
      ) : null}

      <aside className="kb-still-need-help card" aria-labelledby="kb-still-title">
        <h2 id="kb-still-title">Still need help?</h2>
        <p>
          <Link to={viewer ? ticketHref : signInHref(ticketHref)}>Open a ticket</Link>
          {viewer ? ' and our support team will answer.' : ' (you will be asked to sign in first).'}
        </p>
      </aside>
    </div>
  );
}

/** The API unreachable or refusing (not an input error, which the page explains itself): a way back, never a stack. */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const message =
    isRouteErrorResponse(error) && typeof (error.data as { message?: unknown } | null)?.message === 'string'
      ? (error.data as { message: string }).message
      : 'We could not search the help center just now. Please try again in a moment.';
  return (
    <section className="error-panel" aria-labelledby="error-title">
      <h1 id="error-title">The help center is not available</h1>
      <p>{message}</p>
      <p>
        <Link to="/help">Back to the help center</Link>
      </p>
    </section>
  );
}
