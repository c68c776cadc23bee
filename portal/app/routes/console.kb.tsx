import { ConsoleKbArticlesDocument, ConsoleKbTiersDocument, type ArticleStatus } from '@tierdesk/schema';
import { Form, Link, useNavigate } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { useMemo } from 'react';
import { useShortcuts } from '../console/shortcuts';
import { ShortcutHelp } from '../console/shortcut-help';
import kbStyles from '../console-kb.css?url';
import { ARTICLE_STATUS_LABELS, visibilityLabel } from '../lib/console-kb';
import { requireArticleEditor } from '../lib/console-kb.server';
import { formatDateTime } from '../lib/format';
import { productAreaLabel } from '../lib/kb';
import type { Route } from './+types/console.kb';

export const links: Route.LinksFunction = () => [{ rel: 'stylesheet', href: kbStyles }];

export const meta: Route.MetaFunction = () => [{ title: 'Knowledge base · Tierdesk console' }];

const PAGE_SIZE = 25;
const QUERY_MAX = 200;
const STATUSES: readonly ArticleStatus[] = ['PUBLISHED', 'ARCHIVED'];

function isStatus(value: string | null): value is ArticleStatus {
  return STATUSES.includes(value as ArticleStatus);
}

/** Every article (archived ones too), newest content first, filtered by words of the title or slug and by status. */
export async function loader(args: Route.LoaderArgs) {
  const { api } = await requireArticleEditor(args);
  const params = args.url.searchParams;
  const query = (params.get('q') ?? '').trim().slice(0, QUERY_MAX);
  const statusParam = params.get('status');
  const status = isStatus(statusParam) ? statusParam : null;
  const after = params.get('after') || null;
  const [{ articles }, { tiers }] = await Promise.all([
    api.run(ConsoleKbArticlesDocument, { status, query: query || null, first: PAGE_SIZE, after }),
    api.run(ConsoleKbTiersDocument, {}),
  ]);
  const next = articles.pageInfo.hasNextPage && articles.pageInfo.endCursor ? new URLSearchParams(params) : null;
  next?.set('after', articles.pageInfo.endCursor!);
  const first = new URLSearchParams(params);
  first.delete('after');
  return {
    query,
    status,
    paged: after !== null,
    total: articles.totalCount,
    nextHref: next ? `?${next}` : null,
    firstHref: `?${first}`,
    articles: articles.nodes.map((article) => ({
      slug: article.slug,
      title: article.title,
      status: article.status,
      statusLabel: ARTICLE_STATUS_LABELS[article.status],
      visibility: visibilityLabel(article.visibility, tiers),
      productArea: productAreaLabel(article.productArea),
      version: article.version,
      updatedAt: article.updatedAt,
      updated: formatDateTime(article.updatedAt, 'UTC'),
    })),
  };
}

export default function KnowledgeBaseList({ loaderData }: Route.ComponentProps) {
  const { articles, query, status, total, nextHref, firstHref, paged } = loaderData;
  const navigate = useNavigate();
  const shortcuts = useMemo(
    () => [
      { key: 'n', description: 'New article', run: () => navigate('/console/kb/new') },
      { key: '/', description: 'Search articles', run: () => document.getElementById('kb-q')?.focus() },
    ],
    [navigate],
  );
  useShortcuts(shortcuts);
  return (
    <div className="kb-console">
      <div className="kb-console__head">
        <h1>Knowledge base</h1>
        <Link className="button button--primary" to="/console/kb/new">
          New article
        </Link>
      </div>
      <Form method="get" role="search" className="kb-list-filters" aria-label="Articles">
        <div className="field">
          <label htmlFor="kb-q">Title or slug</label>
          <input id="kb-q" name="q" type="search" defaultValue={query} maxLength={QUERY_MAX} />
        </div>
        <div className="field">
          <label htmlFor="kb-status">Status</label>
          <select id="kb-status" name="status" defaultValue={status ?? ''}>
            <option value="">Any status</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {ARTICLE_STATUS_LABELS[value]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Filter
        </button>
      </Form>
      <p className="muted" role="status" data-testid="kb-total">
        {total === 1 ? '1 article' : `${total.toLocaleString('en-GB')} articles`}
        {query || status ? ' match' : ''}
      </p>
      {articles.length > 0 ? (
        <table className="table kb-table" data-testid="kb-articles">
          <caption className="visually-hidden">Articles, most recently changed first</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Who may read it</th>
              <th scope="col">Product area</th>
              <th scope="col" className="kb-table__number">
                Version
              </th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {articles.map((article) => (
              <tr key={article.slug}>
                <th scope="row" data-label="Title">
                  <Link to={`/console/kb/${article.slug}`}>{article.title}</Link>
                  <span className="kb-table__slug muted">{article.slug}</span>
                </th>
                <td data-label="Status">
                  <span className={`kb-status kb-status--${article.status.toLowerCase()}`}>{article.statusLabel}</span>
                </td>
                <td data-label="Who may read it">{article.visibility}</td>
                <td data-label="Product area">{article.productArea}</td>
                <td data-label="Version" className="kb-table__number">
                  {article.version}
                </td>
                <td data-label="Updated">
                  <time dateTime={article.updatedAt}>{article.updated}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>No article matches. Try other words, or any status.</p>
      )}
      {nextHref || paged ? (
        <nav className="pager" aria-label="Pages of articles">
          {paged ? <Link to={firstHref}>First page</Link> : null}
          {nextHref ? (
            <Link to={nextHref} data-testid="kb-next-page">
              Next page
            </Link>
          ) : null}
        </nav>
      ) : null}
      <ShortcutHelp shortcuts={shortcuts} />
    </div>
  );
}

/** Inside the console's layout, so its header and navigation stay; the refusal's own way back wins (ErrorMessage). */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} back={{ to: '/console/kb', label: 'Back to the knowledge base' }} />;
}
