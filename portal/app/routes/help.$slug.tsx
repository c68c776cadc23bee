import { KbArticleDocument, KbRateArticleDocument } from '@tierdesk/schema';
import { data, isRouteErrorResponse, Link, useFetcher, useLocation, type ShouldRevalidateFunctionArgs } from 'react-router';
import { requireApi } from '../lib/api.server';
import { signInHref, useHelpViewer } from '../lib/help-viewer';
import { formatArticleDate, helpSearchHref, newTicketHref, productAreaLabel, SLUG_PATTERN } from '../lib/kb';
import { PublicApi } from '../lib/kb.server';
import { renderArticleMarkdown } from '../lib/markdown.server';
import type { Route } from './+types/help.$slug';

const NOT_FOUND_MESSAGE = 'We could not find that article. It may have moved, or it is not available to your account.';

export function meta({ loaderData }: Route.MetaArgs) {
  return [{ title: loaderData ? `${loaderData.article.title} · Help center · Tierdesk support` : 'Article not found · Tierdesk support' }];
}

/**
 * One article, as the reader may see it: `article(slug)` answers null both for an unknown slug and for one the
 * reader's tier does not include, and both are the same friendly 404 (a Growth customer cannot tell a premium
 * article exists). The Markdown body is rendered on the server (see markdown.server.ts for what makes it safe).
 */
export async function loader(args: Route.LoaderArgs) {
  const { slug } = args.params;
  if (!SLUG_PATTERN.test(slug) || slug.length > 200) throw data({ message: NOT_FOUND_MESSAGE }, { status: 404 });
  const api = await PublicApi.open(args);
  const { article } = await api.run(KbArticleDocument, { slug });
  if (!article) throw data({ message: NOT_FOUND_MESSAGE }, { status: 404 });
  const { html, related } = renderArticleMarkdown(article.body);
  return {
    article: {
      id: article.id,
      slug: article.slug,
      title: article.title,
      summary: article.summary,
      productArea: article.productArea,
      tags: article.tags,
      updatedAt: article.updatedAt,
      updated: formatArticleDate(article.updatedAt),
    },
    html,
    related: related.filter((link) => link.slug !== article.slug),
    /** The search or suggestion that led here, cited when rating. */
    searchId: args.url.searchParams.get('from')?.slice(0, 100) || null,
  };
}

/** Rating is a page change of nobody else's: the article need not be fetched again. */
export function shouldRevalidate({ formMethod, defaultShouldRevalidate }: ShouldRevalidateFunctionArgs) {
  return formMethod?.toUpperCase() === 'POST' ? false : defaultShouldRevalidate;
}

/** "Was this helpful?" (`rateArticle`, customers only: signed out, the page asks to sign in instead). */
export async function action(args: Route.ActionArgs) {
  const api = await requireApi(args);
  const form = await args.request.formData();
  const answer = String(form.get('helpful') ?? '');
  const articleId = String(form.get('articleId') ?? '');
  const searchId = String(form.get('searchId') ?? '') || null;
  if ((answer !== 'yes' && answer !== 'no') || !articleId) {
    return data({ helpful: null, error: 'Choose “Yes” or “No”.' }, { status: 400 });
  }
  const helpful = answer === 'yes';
  let { rateArticle } = await api.run(KbRateArticleDocument, { input: { articleId, helpful, searchId } });
  // The search cited may be someone else's, or from before signing in: the answer still counts without it.
  if (rateArticle.userErrors.length > 0 && searchId) {
    ({ rateArticle } = await api.run(KbRateArticleDocument, { input: { articleId, helpful } }));
  }
  if (rateArticle.userErrors.length > 0 || rateArticle.helpful === null) {
    return data({ helpful: null, error: rateArticle.userErrors[0]?.message ?? 'Your answer could not be recorded.' }, { status: 400 });
  }
  return { helpful: rateArticle.helpful, error: null };
}

export default function HelpArticle({ loaderData, actionData }: Route.ComponentProps) {
  const { article, html, related, searchId } = loaderData;
  const viewer = useHelpViewer();
  const location = useLocation();
  const rating = useFetcher<typeof action>();
  const answer = rating.data ?? actionData;
  const pending = rating.state !== 'idle';
  const canRate = viewer?.kind === 'CUSTOMER';

  return (
    <article className="kb-article" aria-labelledby="kb-article-title">
      <p className="breadcrumbs">
        <Link to="/help">Help center</Link> › {productAreaLabel(article.productArea)}
      </p>
      <h1 id="kb-article-title">{article.title}</h1>
      <p className="kb-article__meta muted">
        Updated <time dateTime={article.updatedAt}>{article.updated}</time>
      </p>
      {article.tags.length > 0 ? (
        <ul className="kb-tags" aria-label="Tags">
          {article.tags.map((tag) => (
            <li key={tag}>
              <Link className="kb-tag" to={helpSearchHref({ q: tag.replace(/-/g, ' '), tag })}>
                {tag}
              </Link>
            </li>
          ))}
        </ul>
      ) : null}

      <div className="kb-body" data-testid="kb-article-body" dangerouslySetInnerHTML={{ __html: html }} />

      <section className="kb-feedback card" aria-labelledby="kb-feedback-title">
        <h2 id="kb-feedback-title">Was this helpful?</h2>
        {canRate ? (
          <rating.Form method="post" className="kb-feedback__form">
            <input type="hidden" name="articleId" value={article.id} />
            {searchId ? <input type="hidden" name="searchId" value={searchId} /> : null}
            <button type="submit" name="helpful" value="yes" className="button" disabled={pending} aria-pressed={answer?.helpful === true}>
              Yes
            </button>
            <button type="submit" name="helpful" value="no" className="button" disabled={pending} aria-pressed={answer?.helpful === false}>
              No
            </button>
          </rating.Form>
        ) : viewer ? (
          <p className="muted">Customers of an organization can rate articles.</p>
        ) : (
          <p>
            <Link to={signInHref(`${location.pathname}${location.search}`)}>Sign in</Link> to tell us.
          </p>
        )}
        {answer?.error ? (
          <p role="alert" className="alert alert--error">
            {answer.error}
          </p>
        ) : null}
        {answer && answer.helpful !== null ? (
          <p role="status" className="kb-feedback__thanks" data-testid="kb-feedback-recorded">
            {answer.helpful ? 'Thanks! Glad it helped.' : 'Thanks for telling us: we will improve this article.'} You can change your answer
            any time.
          </p>
        ) : null}
        {answer?.helpful === false ? (
          <p>
            Still need help? <Link to={newTicketHref(article.title)}>Open a ticket</Link>
          </p>
        ) : null}
      </section>

      {related.length > 0 ? (
        <nav className="kb-related" aria-labelledby="kb-related-title">
          <h2 id="kb-related-title">Related articles</h2>
          <ul>
            {related.map((link) => (
              <li key={link.slug}>
                <Link to={`/help/${link.slug}`}>{link.text}</Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <p>
        <Link to={helpSearchHref({ q: productAreaLabel(article.productArea), area: article.productArea })}>
          More about {productAreaLabel(article.productArea).toLowerCase()}
        </Link>
      </p>
    </article>
  );
}

/** A missing or not-visible article: a friendly page with a way on, never a dead end. */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const viewer = useHelpViewer();
  const location = useLocation();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  const message =
    isRouteErrorResponse(error) && typeof (error.data as { message?: unknown } | null)?.message === 'string'
      ? (error.data as { message: string }).message
      : 'We could not load this article. Please try again in a moment.';
  return (
    <section className="error-panel kb-not-found" aria-labelledby="error-title">
      <h1 id="error-title">{notFound ? 'Article not found' : 'Something went wrong'}</h1>
      <p>{message}</p>
      {notFound && !viewer ? (
        <p>
          Some articles are for customers only: <Link to={signInHref(`${location.pathname}${location.search}`)}>sign in</Link> to see the
          articles of your plan.
        </p>
      ) : null}
      <form method="get" action="/help" role="search" className="kb-search kb-search--compact">
        <label htmlFor="kb-q-404">Search the help center</label>
        <div className="kb-search__row">
          <input id="kb-q-404" name="q" type="search" />
          <button type="submit" className="button button--primary">
            Search
          </button>
        </div>
      </form>
      <p>
        <Link to="/help">Back to the help center</Link>
      </p>
    </section>
  );
}
