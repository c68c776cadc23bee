import { ConsoleKbTiersDocument, ConsoleKbVersionsDocument, type ConsoleKbVersionsQuery } from '@tierdesk/schema';
import { data, Link } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { VersionTable } from '../console/kb-article-form';
import kbStyles from '../console-kb.css?url';
import helpStyles from '../kb.css?url';
import { ARTICLE_STATUS_LABELS, describeChange, formatTags, saveView, visibilityLabel } from '../lib/console-kb';
import { previewHtml, requireArticleEditor } from '../lib/console-kb.server';
import { productAreaLabel, SLUG_PATTERN } from '../lib/kb';
import type { Route } from './+types/console.kb.$slug.versions';

export const links: Route.LinksFunction = () => [
  { rel: 'stylesheet', href: helpStyles },
  { rel: 'stylesheet', href: kbStyles },
];

export function meta({ loaderData }: Route.MetaArgs) {
  return [{ title: loaderData ? `Versions: ${loaderData.article.title} · Tierdesk console` : 'Versions · Tierdesk console' }];
}

const PAGE_SIZE = 20;
/** Looking up one version reads the history a hundred at a time (the API's largest page). */
const LOOKUP_PAGE = 100;

const notFound = (message: string) => data({ message, back: { to: '/console/kb', label: 'Back to the knowledge base' } }, { status: 404 });

/** The history of an article (who saved which version, when), page by page, and the content of one version. */
export async function loader(args: Route.LoaderArgs) {
  const { api } = await requireArticleEditor(args);
  const { slug } = args.params;
  if (!SLUG_PATTERN.test(slug) || slug.length > 120) throw notFound('There is no article at this address.');
  const params = args.url.searchParams;
  const after = params.get('after') || null;
  const wanted = params.has('version') ? Number.parseInt(params.get('version')!, 10) : null;
  const [{ article }, { tiers }] = await Promise.all([
    // One more than shown: the oldest version shown is compared with the one before it.
    api.run(ConsoleKbVersionsDocument, { slug, first: PAGE_SIZE + 1, after }),
    api.run(ConsoleKbTiersDocument, {}),
  ]);
  if (!article) throw notFound('There is no article at this address.');

  let shown = null;
  if (wanted !== null) {
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > article.version)
      throw notFound(`This article has no version ${params.get('version')}.`);
    // Versions are newest first; the one asked for is usually on the first page of a hundred.
    let cursor: string | null = null;
    for (;;) {
      const { article: page }: ConsoleKbVersionsQuery = await api.run(ConsoleKbVersionsDocument, {
        slug,
        first: LOOKUP_PAGE,
        after: cursor,
      });
      const found = page?.versions.nodes.find((node) => node.version === wanted);
      if (found) {
        shown = {
          ...saveView(found),
          summary: found.summary,
          tags: formatTags(found.tags),
          productArea: productAreaLabel(found.productArea),
          visibility: visibilityLabel(found.visibility, tiers),
          html: previewHtml(found.body),
          body: found.body,
        };
        break;
      }
      if (!page?.versions.pageInfo.hasNextPage) throw notFound(`This article has no version ${wanted}.`);
      cursor = page.versions.pageInfo.endCursor ?? null;
    }
  }

  const { nodes, edges } = article.versions;
  const shownNodes = nodes.slice(0, PAGE_SIZE);
  const lastShownCursor = nodes.length > PAGE_SIZE ? edges[PAGE_SIZE - 1]?.cursor : null;
  const next = lastShownCursor ? new URLSearchParams(params) : null;
  next?.set('after', lastShownCursor!);
  next?.delete('version');
  return {
    article: { slug: article.slug, title: article.title, version: article.version, status: ARTICLE_STATUS_LABELS[article.status] },
    total: article.versions.totalCount,
    saves: shownNodes.map((node, index) => ({ ...saveView(node), change: describeChange(node, nodes[index + 1] ?? null) })),
    paged: after !== null,
    nextHref: next ? `?${next}` : null,
    shown,
  };
}

export default function ArticleVersions({ loaderData }: Route.ComponentProps) {
  const { article, saves, total, shown, nextHref, paged } = loaderData;
  return (
    <div className="kb-console">
      <p className="breadcrumbs">
        <Link to="/console/kb">Knowledge base</Link> › <Link to={`/console/kb/${article.slug}`}>{article.title}</Link> › Versions
      </p>
      <h1>Versions of “{article.title}”</h1>
      <p className="muted">
        {total === 1 ? '1 version' : `${total} versions`}; the current one is version {article.version} ({article.status.toLowerCase()}).
      </p>

      {shown ? (
        <section className="card kb-version" aria-labelledby="kb-version-title" data-testid="kb-version">
          <h2 id="kb-version-title">
            Version {shown.version}
            {shown.version === article.version ? ' (current)' : ''}
          </h2>
          <dl className="kb-version__facts">
            <dt>Saved</dt>
            <dd>
              <time dateTime={shown.createdAt}>{shown.at}</time> by {shown.by}
            </dd>
            <dt>Status</dt>
            <dd>{shown.status}</dd>
            <dt>Title</dt>
            <dd>{shown.title}</dd>
            <dt>Summary</dt>
            <dd>{shown.summary}</dd>
            <dt>Product area</dt>
            <dd>{shown.productArea}</dd>
            <dt>Who may read it</dt>
            <dd>{shown.visibility}</dd>
            <dt>Tags</dt>
            <dd>{shown.tags || '—'}</dd>
          </dl>
          <h3>Body</h3>
          <div className="kb-body" dangerouslySetInnerHTML={{ __html: shown.html }} />
          <details>
            <summary>Markdown source</summary>
            <pre className="kb-diff__text">{shown.body}</pre>
          </details>
          <p>
            <Link to={`/console/kb/${article.slug}/versions`}>Close this version</Link>
          </p>
        </section>
      ) : null}

      <VersionTable slug={article.slug} saves={saves} caption="Every save of this article, newest first" />
      {nextHref || paged ? (
        <nav className="pager" aria-label="Pages of versions">
          {paged ? <Link to={`/console/kb/${article.slug}/versions`}>Newest versions</Link> : null}
          {nextHref ? <Link to={nextHref}>Older versions</Link> : null}
        </nav>
      ) : null}
    </div>
  );
}

/** Inside the console's layout, so its header and navigation stay; the refusal's own way back wins (ErrorMessage). */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} back={{ to: '/console/kb', label: 'Back to the knowledge base' }} />;
}
