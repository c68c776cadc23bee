import { ConsoleKbCreateArticleDocument, ConsoleKbTiersDocument } from '@tierdesk/schema';
import { data, Form, Link, redirect, useNavigation } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { ArticleFields, ArticlePreview, FieldError, fieldProps, FormLevelErrors } from '../console/kb-article-form';
import kbStyles from '../console-kb.css?url';
import helpStyles from '../kb.css?url';
import { parseTags, productAreaOptions, slugFromTitle, visibilityOptions, type ArticleDraft } from '../lib/console-kb';
import { previewHtml, readDraft, requireArticleEditor, toFormErrors } from '../lib/console-kb.server';
import type { Route } from './+types/console.kb.new';

export const links: Route.LinksFunction = () => [
  { rel: 'stylesheet', href: helpStyles },
  { rel: 'stylesheet', href: kbStyles },
];

export const meta: Route.MetaFunction = () => [{ title: 'New article · Knowledge base · Tierdesk console' }];

const FIELDS = ['slug', 'title', 'summary', 'body', 'productArea', 'visibility', 'tags'];

const EMPTY: ArticleDraft & { slug: string } = {
  slug: '',
  title: '',
  summary: '',
  body: '',
  productArea: 'getting-started',
  visibility: 'public',
  tags: '',
};

export async function loader(args: Route.LoaderArgs) {
  const { api } = await requireArticleEditor(args);
  const { tiers } = await api.run(ConsoleKbTiersDocument, {});
  return { productAreas: productAreaOptions(), visibilities: visibilityOptions(tiers) };
}

/**
 * `preview` renders the draft and keeps it in the form; `publish` creates the article (the API publishes it at once:
 * it has no draft state). Either way a refused draft comes back with the API's message beside each field.
 */
export async function action(args: Route.ActionArgs) {
  const { api } = await requireArticleEditor(args);
  const form = await args.request.formData();
  const draft = { ...readDraft(form), slug: String(form.get('slug') ?? '').trim() };
  if (form.get('intent') === 'preview') return { values: draft, preview: previewHtml(draft.body), errors: [] };
  // A blank slug follows the title; with no title either, the title's error says what to do.
  const slug = draft.slug || slugFromTitle(draft.title);
  const { createArticle } = await api.run(ConsoleKbCreateArticleDocument, {
    input: {
      slug,
      title: draft.title,
      summary: draft.summary,
      body: draft.body,
      productArea: draft.productArea,
      visibility: draft.visibility,
      tags: parseTags(draft.tags),
    },
  });
  if (createArticle.article) return redirect(`/console/kb/${createArticle.article.slug}?done=created`);
  const errors = toFormErrors(createArticle.userErrors).filter((error) => draft.slug || slug || error.field !== 'slug');
  return data({ values: draft, preview: null, errors }, { status: 400 });
}

export default function NewArticle({ loaderData, actionData }: Route.ComponentProps) {
  const values = actionData?.values ?? EMPTY;
  const errors = actionData?.errors;
  const busy = useNavigation().state === 'submitting';
  return (
    <div className="kb-console kb-editor">
      <p className="breadcrumbs">
        <Link to="/console/kb">Knowledge base</Link> › New article
      </p>
      <h1>New article</h1>
      <p className="hint">An article is published in the help center as soon as it is created: preview it first.</p>
      <div className="kb-editor__columns">
        <Form method="post" className="form card" id="article-form" noValidate>
          <FormLevelErrors errors={errors} fields={FIELDS} />
          <ArticleFields values={values} errors={errors} productAreas={loaderData.productAreas} visibilities={loaderData.visibilities} />
          <div className="field">
            <label htmlFor="slug">Address (slug)</label>
            <input
              id="slug"
              name="slug"
              type="text"
              maxLength={120}
              defaultValue={values.slug}
              {...fieldProps(errors, 'slug', 'slug-hint')}
            />
            <p id="slug-hint" className="hint">
              The article&rsquo;s address, <code>/help/&lt;slug&gt;</code>: lowercase words joined by hyphens. Left blank, it follows the
              title. It cannot change later.
            </p>
            <FieldError errors={errors} field="slug" />
          </div>
          <div className="actions kb-editor__actions">
            <button type="submit" name="intent" value="preview" className="button" disabled={busy}>
              Preview
            </button>
            <button type="submit" name="intent" value="publish" className="button button--primary" disabled={busy}>
              Publish article
            </button>
            <Link to="/console/kb">Cancel</Link>
          </div>
        </Form>
        {actionData?.preview != null ? <ArticlePreview title={values.title} html={actionData.preview} /> : null}
      </div>
    </div>
  );
}

/** Inside the console's layout, so its header and navigation stay; the refusal's own way back wins (ErrorMessage). */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} back={{ to: '/console/kb', label: 'Back to the knowledge base' }} />;
}
