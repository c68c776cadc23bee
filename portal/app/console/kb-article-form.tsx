import { Link } from 'react-router';
import type { FormError } from '../components/form-errors';
import type { ArticleDraft, SaveView } from '../lib/console-kb';

/** The id of a field's own error message, which the field points at with aria-describedby. */
const errorId = (field: string) => `${field}-error`;

/** The API's messages for one field, shown beside it. */
export function FieldError({ errors, field }: { errors: readonly FormError[] | undefined; field: string }) {
  const messages = errors?.filter((error) => error.field === field) ?? [];
  if (messages.length === 0) return null;
  return (
    <p className="kb-field-error" id={errorId(field)} data-testid={`error-${field}`}>
      {messages.map((error) => error.message).join(' ')}
    </p>
  );
}

/** aria-invalid and aria-describedby (the field's error, then its hint) for a field. */
export function fieldProps(errors: readonly FormError[] | undefined, field: string, hint?: string) {
  const invalid = errors?.some((error) => error.field === field) ?? false;
  const describedBy = [invalid ? errorId(field) : null, hint ?? null].filter(Boolean).join(' ');
  return { 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy || undefined };
}

/** Errors the form cannot place beside a field (a conflict, a refusal), shown above it. */
export function FormLevelErrors({ errors, fields }: { errors: readonly FormError[] | undefined; fields: readonly string[] }) {
  const loose = errors?.filter((error) => !error.field || !fields.includes(error.field)) ?? [];
  const placed = errors?.filter((error) => error.field && fields.includes(error.field)) ?? [];
  if (loose.length === 0 && placed.length === 0) return null;
  return (
    <div role="alert" className="alert alert--error">
      {placed.length > 0 ? (
        <p>Nothing was saved: {placed.length === 1 ? 'one field needs' : `${placed.length} fields need`} a change (see below).</p>
      ) : null}
      {loose.map((error) => (
        <p key={`${error.field}:${error.message}`}>{error.message}</p>
      ))}
    </div>
  );
}

interface Option {
  value: string;
  label: string;
}

/** The fields of an article (the same for a new one and an edit), with the API's errors beside each. */
export function ArticleFields({
  values,
  errors,
  productAreas,
  visibilities,
}: {
  values: ArticleDraft;
  errors: readonly FormError[] | undefined;
  productAreas: readonly Option[];
  visibilities: readonly Option[];
}) {
  return (
    <>
      <div className="field">
        <label htmlFor="title">Title</label>
        <input id="title" name="title" type="text" maxLength={200} defaultValue={values.title} {...fieldProps(errors, 'title')} />
        <FieldError errors={errors} field="title" />
      </div>
      <div className="field">
        <label htmlFor="summary">Summary</label>
        <textarea
          id="summary"
          name="summary"
          rows={2}
          maxLength={500}
          defaultValue={values.summary}
          {...fieldProps(errors, 'summary', 'summary-hint')}
        />
        <p id="summary-hint" className="hint">
          One or two sentences, shown in search results.
        </p>
        <FieldError errors={errors} field="summary" />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="productArea">Product area</label>
          <select id="productArea" name="productArea" defaultValue={values.productArea} {...fieldProps(errors, 'productArea')}>
            {productAreas.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <FieldError errors={errors} field="productArea" />
        </div>
        <div className="field">
          <label htmlFor="visibility">Who may read it</label>
          <select id="visibility" name="visibility" defaultValue={values.visibility} {...fieldProps(errors, 'visibility')}>
            {visibilities.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <FieldError errors={errors} field="visibility" />
        </div>
      </div>
      <div className="field">
        <label htmlFor="tags">Tags</label>
        <input id="tags" name="tags" type="text" defaultValue={values.tags} {...fieldProps(errors, 'tags', 'tags-hint')} />
        <p id="tags-hint" className="hint">
          Separated by commas; lowercase words joined by hyphens, e.g. <code>sla, first-response</code>.
        </p>
        <FieldError errors={errors} field="tags" />
      </div>
      <div className="field">
        <label htmlFor="body">Body (Markdown)</label>
        <textarea
          id="body"
          name="body"
          rows={16}
          className="kb-editor__body"
          defaultValue={values.body}
          {...fieldProps(errors, 'body', 'body-hint')}
        />
        <p id="body-hint" className="hint">
          Headings, lists, tables and code blocks. Link another article as <code>other-article.md</code>. Raw HTML shows as text.
        </p>
        <FieldError errors={errors} field="body" />
      </div>
    </>
  );
}

/** The rendered body of the draft, as the help center will show it. */
export function ArticlePreview({ title, html }: { title: string; html: string }) {
  return (
    <section className="kb-preview card" aria-labelledby="kb-preview-title" data-testid="kb-preview" tabIndex={-1} id="preview">
      <h2 id="kb-preview-title">Preview</h2>
      <p className="kb-preview__title">{title || <span className="muted">(no title yet)</span>}</p>
      <div className="kb-body" dangerouslySetInnerHTML={{ __html: html }} />
    </section>
  );
}

/** Saves of an article, newest first; each version links to its content. */
export function VersionTable({ slug, saves, caption }: { slug: string; saves: readonly SaveView[]; caption: string }) {
  const withChanges = saves.some((save) => save.change !== undefined);
  return (
    <table className="table kb-table kb-versions">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col" className="kb-table__number">
            Version
          </th>
          <th scope="col">Saved</th>
          <th scope="col">By</th>
          <th scope="col">Status</th>
          <th scope="col">Title</th>
          {withChanges ? <th scope="col">Changed</th> : null}
        </tr>
      </thead>
      <tbody>
        {saves.map((save) => (
          <tr key={save.version}>
            <th scope="row" data-label="Version" className="kb-table__number">
              <Link to={`/console/kb/${slug}/versions?version=${save.version}`} aria-label={`Version ${save.version}`}>
                {save.version}
              </Link>
            </th>
            <td data-label="Saved">
              <time dateTime={save.createdAt}>{save.at}</time>
            </td>
            <td data-label="By">{save.by}</td>
            <td data-label="Status">{save.status}</td>
            <td data-label="Title">{save.title}</td>
            {withChanges ? <td data-label="Changed">{save.change}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
