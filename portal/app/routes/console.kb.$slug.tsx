import {
  ConsoleKbArchiveArticleDocument,
  ConsoleKbArticleDocument,
  ConsoleKbUpdateArticleDocument,
  type ConsoleKbArticleQuery,
} from '@tierdesk/schema';
import { useEffect, useRef } from 'react';
import { data, Form, Link, redirect, useLocation, useNavigation, type ShouldRevalidateFunctionArgs } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { ArticleFields, ArticlePreview, FormLevelErrors, VersionTable } from '../console/kb-article-form';
import kbStyles from '../console-kb.css?url';
import helpStyles from '../kb.css?url';
import {
  ARTICLE_STATUS_LABELS,
  DRAFT_FIELDS,
  formatTags,
  parseTags,
  productAreaOptions,
  saveView,
  visibilityLabel,
  visibilityOptions,
  type ArticleDraft,
  type SaveView,
  type TierOption,
} from '../lib/console-kb';
import { previewHtml, readDraft, requireArticleEditor, toFormErrors, type FormError } from '../lib/console-kb.server';
import { productAreaLabel, SLUG_PATTERN } from '../lib/kb';
import type { Route } from './+types/console.kb.$slug';

export const links: Route.LinksFunction = () => [
  { rel: 'stylesheet', href: helpStyles },
  { rel: 'stylesheet', href: kbStyles },
];

export function meta({ loaderData }: Route.MetaArgs) {
  return [{ title: loaderData ? `Edit: ${loaderData.article.title} · Knowledge base · Tierdesk console` : 'Article · Tierdesk console' }];
}

const FIELDS = DRAFT_FIELDS.map((field) => field.key as string);

type Article = NonNullable<ConsoleKbArticleQuery['article']>;

const notFound = () =>
  data(
    { message: 'There is no article at this address.', back: { to: '/console/kb', label: 'Back to the knowledge base' } },
    { status: 404 },
  );

async function loadArticle(api: Awaited<ReturnType<typeof requireArticleEditor>>['api'], slug: string) {
  if (!SLUG_PATTERN.test(slug) || slug.length > 120) throw notFound();
  const { article, tiers } = await api.run(ConsoleKbArticleDocument, { slug });
  if (!article) throw notFound();
  return { article, tiers };
}

function draftOf(article: Pick<Article, 'title' | 'summary' | 'body' | 'productArea' | 'visibility' | 'tags'>): ArticleDraft {
  return {
    title: article.title,
    summary: article.summary,
    body: article.body,
    productArea: article.productArea,
    visibility: article.visibility,
    tags: formatTags(article.tags),
  };
}

/** A field's value as an editor compares it (tags normalised as the API stores them; labels for the choices). */
function comparable(key: keyof ArticleDraft, draft: ArticleDraft, tiers: readonly TierOption[]): string {
  if (key === 'tags') return formatTags(parseTags(draft.tags).map((tag) => tag.toLowerCase()));
  if (key === 'visibility') return visibilityLabel(draft.visibility, tiers);
  if (key === 'productArea') return productAreaLabel(draft.productArea);
  return key === 'body' ? draft.body.trim() : draft[key].trim();
}

const FLASH: Record<string, (version: string | null) => string> = {
  created: () => 'Article published. It is in the help center now.',
  saved: (version) => `Saved as version ${version}.`,
  unchanged: () => 'Nothing changed, so no new version was saved.',
  archived: () => 'Archived: the article is no longer in the help center or its search.',
  restored: () => 'Restored: the article is published in the help center again.',
  reloaded: () => 'Your edit was discarded: this is the latest saved version.',
};

export async function loader(args: Route.LoaderArgs) {
  const { api } = await requireArticleEditor(args);
  const { article, tiers } = await loadArticle(api, args.params.slug);
  const done = args.url.searchParams.get('done');
  const flash = done && FLASH[done] ? FLASH[done](args.url.searchParams.get('v')) : null;
  return {
    article: {
      id: article.id,
      slug: article.slug,
      title: article.title,
      status: article.status,
      statusLabel: ARTICLE_STATUS_LABELS[article.status],
      visibility: visibilityLabel(article.visibility, tiers),
      origin: article.origin,
      version: article.version,
    },
    values: draftOf(article),
    saves: article.versions.nodes.map(saveView),
    versionCount: article.versions.totalCount,
    productAreas: productAreaOptions(),
    visibilities: visibilityOptions(tiers),
    flash,
  };
}

/** After a conflict (409) the header must show the version that won, so the article is read again. */
export function shouldRevalidate({ actionStatus, defaultShouldRevalidate }: ShouldRevalidateFunctionArgs) {
  return actionStatus === 409 || defaultShouldRevalidate;
}

interface Conflict {
  /** The version the editor had opened. */
  openedVersion: number;
  /** The saves made since, newest first. */
  saves: SaveView[];
  current: number;
  differences: { field: string; label: string; theirs: string; yours: string }[];
}

interface EditResult {
  values: ArticleDraft;
  /** The version the next save expects (the current one after a conflict: saving then overwrites it). */
  expectedVersion: number;
  preview: string | null;
  errors: FormError[];
  conflict: Conflict | null;
  /** Remounts the form with these values (its fields are uncontrolled). */
  formKey: string;
}

export async function action(args: Route.ActionArgs) {
  const { api } = await requireArticleEditor(args);
  const form = await args.request.formData();
  const intent = String(form.get('intent') ?? '');
  const { article, tiers } = await loadArticle(api, args.params.slug);
  const base = `/console/kb/${article.slug}`;

  if (intent === 'archive') {
    const { archiveArticle } = await api.run(ConsoleKbArchiveArticleDocument, { input: { id: article.id } });
    if (archiveArticle.userErrors.length) return statusError(archiveArticle.userErrors);
    return redirect(`${base}?done=archived`);
  }
  if (intent === 'restore') {
    const { updateArticle } = await api.run(ConsoleKbUpdateArticleDocument, { input: { id: article.id, status: 'PUBLISHED' } });
    if (updateArticle.userErrors.length) return statusError(updateArticle.userErrors);
    return redirect(`${base}?done=restored`);
  }

  const values = readDraft(form);
  const expectedVersion = Number.parseInt(String(form.get('expectedVersion') ?? ''), 10);
  const result = (fields: Partial<EditResult>): EditResult => ({
    values,
    expectedVersion,
    preview: null,
    errors: [],
    conflict: null,
    formKey: crypto.randomUUID(),
    ...fields,
  });
  if (intent === 'preview') return result({ preview: previewHtml(values.body) });
  if (intent !== 'save' || !Number.isInteger(expectedVersion)) return data(result({}), { status: 400 });

  const { updateArticle } = await api.run(ConsoleKbUpdateArticleDocument, {
    input: {
      id: article.id,
      expectedVersion,
      title: values.title,
      summary: values.summary,
      body: values.body,
      productArea: values.productArea,
      visibility: values.visibility,
      tags: parseTags(values.tags),
    },
  });
  if (updateArticle.article) {
    const saved = updateArticle.article.version;
    return redirect(saved === expectedVersion ? `${base}?done=unchanged` : `${base}?done=saved&v=${saved}`);
  }
  const errors = toFormErrors(updateArticle.userErrors);
  if (errors.some((error) => error.code === 'CONFLICT' && error.field === 'expectedVersion')) {
    // Someone saved after this editor opened the article: say who and what differs, keep these edits, and let the
    // next save overwrite the version they now know about.
    const theirs = draftOf(article);
    const differences = DRAFT_FIELDS.flatMap(({ key, label }) => {
      const [theirText, yourText] = [comparable(key, theirs, tiers), comparable(key, values, tiers)];
      return theirText === yourText ? [] : [{ field: key, label, theirs: theirText, yours: yourText }];
    });
    const conflict: Conflict = {
      openedVersion: expectedVersion,
      current: article.version,
      saves: article.versions.nodes.filter((version) => version.version > expectedVersion).map(saveView),
      differences,
    };
    return data(result({ conflict, expectedVersion: article.version }), { status: 409 });
  }
  return data(result({ errors }), { status: 400 });
}

function statusError(userErrors: readonly { field?: readonly string[] | null; message: string; code: string }[]) {
  return data({ statusError: userErrors.map((error) => error.message).join(' ') }, { status: 400 });
}

function isEditResult(value: unknown): value is EditResult {
  return typeof value === 'object' && value !== null && 'formKey' in value;
}

export default function EditArticle({ loaderData, actionData }: Route.ComponentProps) {
  const { article, saves, versionCount, flash } = loaderData;
  const location = useLocation();
  const busy = useNavigation().state === 'submitting';
  const edit = isEditResult(actionData) ? actionData : null;
  const statusError = actionData && 'statusError' in actionData ? actionData.statusError : null;
  const values = edit?.values ?? loaderData.values;
  const expectedVersion = edit?.expectedVersion ?? article.version;
  const conflictHeading = useRef<HTMLHeadingElement>(null);

  // A preview or a conflict replaces the form: move focus to what appeared, so keyboard and screen-reader users land on it.
  useEffect(() => {
    if (edit?.conflict) conflictHeading.current?.focus();
    else if (edit?.preview != null) document.getElementById('preview')?.focus();
  }, [edit]);

  const lastSave = saves[0];
  return (
    <div className="kb-console kb-editor">
      <p className="breadcrumbs">
        <Link to="/console/kb">Knowledge base</Link> › Edit
      </p>
      <h1 data-testid="kb-edit-title">{article.title}</h1>
      <p className="kb-editor__meta">
        <span className={`kb-status kb-status--${article.status.toLowerCase()}`} data-testid="kb-status">
          {article.statusLabel}
        </span>{' '}
        Version {article.version}
        {lastSave ? (
          <>
            , saved by {lastSave.by} <time dateTime={lastSave.createdAt}>{lastSave.at}</time>
          </>
        ) : null}
        {' · '}
        <Link to={`/console/kb/${article.slug}/versions`}>{versionCount === 1 ? '1 version' : `All ${versionCount} versions`}</Link>
        {article.status === 'PUBLISHED' ? (
          <>
            {' · '}
            <Link to={`/help/${article.slug}`}>Open in the help center</Link>
          </>
        ) : null}
      </p>
      {flash && !actionData ? (
        <p role="status" className="alert kb-flash" data-testid="kb-flash">
          {flash}
        </p>
      ) : null}
      {article.origin === 'FILE' ? (
        <p className="hint">This article comes from a kb/articles file: its next change there (and `kb index`) replaces edits made here.</p>
      ) : null}

      {edit?.conflict ? <ConflictPanel conflict={edit.conflict} slug={article.slug} headingRef={conflictHeading} /> : null}

      <div className="kb-editor__columns">
        <Form method="post" className="form card" id="article-form" noValidate key={edit?.formKey ?? `${article.version}:${location.key}`}>
          <FormLevelErrors errors={edit?.errors} fields={FIELDS} />
          <input type="hidden" name="expectedVersion" value={expectedVersion} />
          <ArticleFields
            values={values}
            errors={edit?.errors}
            productAreas={loaderData.productAreas}
            visibilities={loaderData.visibilities}
          />
          <div className="actions kb-editor__actions">
            <button type="submit" name="intent" value="preview" className="button" disabled={busy}>
              Preview
            </button>
            <button type="submit" name="intent" value="save" className="button button--primary" disabled={busy}>
              {edit?.conflict ? `Save over version ${edit.conflict.current}` : 'Save'}
            </button>
          </div>
        </Form>
        {edit?.preview != null ? <ArticlePreview title={values.title} html={edit.preview} /> : null}
      </div>

      <section className="card kb-status-panel" aria-labelledby="kb-status-title">
        <h2 id="kb-status-title">Status: {article.statusLabel}</h2>
        {article.status === 'PUBLISHED' ? (
          <p>
            In the help center and its search, for: {article.visibility}. Archiving hides it from everyone but staff, keeping every version.
          </p>
        ) : (
          <p>Hidden from the help center and its search; staff still see it. Restoring publishes it again for: {article.visibility}.</p>
        )}
        {statusError ? (
          <p role="alert" className="alert alert--error">
            {statusError}
          </p>
        ) : null}
        <Form method="post">
          {article.status === 'PUBLISHED' ? (
            <button type="submit" name="intent" value="archive" className="button" disabled={busy}>
              Archive article
            </button>
          ) : (
            <button type="submit" name="intent" value="restore" className="button button--primary" disabled={busy}>
              Restore article
            </button>
          )}
        </Form>
      </section>

      <section className="card" aria-labelledby="kb-recent-title">
        <h2 id="kb-recent-title">Latest versions</h2>
        <VersionTable slug={article.slug} saves={saves} caption="The latest saves of this article, newest first" />
        <p>
          <Link to={`/console/kb/${article.slug}/versions`}>See every version and its content</Link>
        </p>
      </section>
    </div>
  );
}

function ConflictPanel({
  conflict,
  slug,
  headingRef,
}: {
  conflict: Conflict;
  slug: string;
  headingRef: React.RefObject<HTMLHeadingElement | null>;
}) {
  const latest = conflict.saves[0];
  return (
    <section className="kb-conflict card" aria-labelledby="kb-conflict-title" data-testid="kb-conflict">
      <h2 id="kb-conflict-title" tabIndex={-1} ref={headingRef}>
        Someone else saved this article first
      </h2>
      <p role="alert" data-testid="kb-conflict-message">
        {latest
          ? `${latest.by} saved version ${latest.version} at ${latest.at}, after you opened version ${conflict.openedVersion}.`
          : `The article is at version ${conflict.current} now; you opened version ${conflict.openedVersion}.`}{' '}
        Your changes are not saved yet.
      </p>
      {conflict.saves.length > 1 ? (
        <ul>
          {conflict.saves.map((save) => (
            <li key={save.version}>
              Version {save.version}: {save.by}, {save.at}
            </li>
          ))}
        </ul>
      ) : null}
      {conflict.differences.length > 0 ? (
        <table className="table kb-diff" data-testid="kb-conflict-diff">
          <caption>Fields where their version {conflict.current} and your edit differ</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Version {conflict.current} (saved)</th>
              <th scope="col">Your edit (not saved)</th>
            </tr>
          </thead>
          <tbody>
            {conflict.differences.map((difference) => (
              <tr key={difference.field}>
                <th scope="row" data-label="Field">
                  {difference.label}
                </th>
                <td data-label={`Version ${conflict.current}`}>
                  <pre className="kb-diff__text">{difference.theirs || '(empty)'}</pre>
                </td>
                <td data-label="Your edit">
                  <pre className="kb-diff__text">{difference.yours || '(empty)'}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>Your edit and their version have the same content.</p>
      )}
      <div className="actions kb-conflict__actions">
        <button type="submit" form="article-form" name="intent" value="save" className="button button--primary">
          Overwrite with my edit
        </button>
        <Link to={`/console/kb/${slug}?done=reloaded`} className="button">
          Discard my edit and load version {conflict.current}
        </Link>
      </div>
    </section>
  );
}

/** Inside the console's layout, so its header and navigation stay; the refusal's own way back wins (ErrorMessage). */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} back={{ to: '/console/kb', label: 'Back to the knowledge base' }} />;
}
