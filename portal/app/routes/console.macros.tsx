import {
  ConsoleCreateMacroDocument,
  ConsoleDeleteMacroDocument,
  ConsoleMacroDocument,
  ConsoleMacrosDocument,
  ConsoleUpdateMacroDocument,
  type CommentVisibility,
  type ConsoleMacroFragment,
  type TicketStatus,
} from '@tierdesk/schema';
import { data, Form, Link, redirect, useNavigation } from 'react-router';
import { FormErrorSummary, toFormErrors, type FormError } from '../components/form-errors';
import { requireStaff } from '../lib/console.server';
import { formatDateTime } from '../lib/format';
import { canEditMacros, MACRO_BODY_MAX, MACRO_PLACEHOLDERS, MACRO_TITLE_MAX, VISIBILITY_LABELS } from '../lib/macros';
import { STAFF_STATUS_LABELS, TICKET_STATUSES } from '../console/labels';
import stylesheet from '../console-macros.css?url';
import type { Route } from './+types/console.macros';

export const links: Route.LinksFunction = () => [{ rel: 'stylesheet', href: stylesheet }];

export function meta() {
  return [{ title: 'Saved replies · Tierdesk console' }];
}

const PAGE_SIZE = 50;
const SEARCH_MAX = 200;
/** Staff work across zones; the list shows times in UTC, named, so two people compare the same thing. */
const LIST_TIME_ZONE = 'UTC';

interface MacroValues {
  id: string | null;
  title: string;
  body: string;
  visibility: CommentVisibility;
  statusAfterSend: TicketStatus | '';
  active: boolean;
}

const EMPTY: MacroValues = { id: null, title: '', body: '', visibility: 'PUBLIC', statusAfterSend: '', active: true };

function valuesOf(macro: ConsoleMacroFragment): MacroValues {
  return {
    id: macro.id,
    title: macro.title,
    body: macro.body,
    visibility: macro.visibility,
    statusAfterSend: macro.statusAfterSend ?? '',
    active: macro.active,
  };
}

export async function loader(args: Route.LoaderArgs) {
  const { api, staff } = await requireStaff(args);
  const params = args.url.searchParams;
  const search = (params.get('q') ?? '').trim().slice(0, SEARCH_MAX);
  const after = params.get('after');
  const { macros } = await api.run(ConsoleMacrosDocument, { first: PAGE_SIZE, after, search: search || null });
  const canEdit = canEditMacros(staff.role);

  // ?edit=<id> opens the form on that macro (read through node(id:), so it need not be on this page).
  const editId = params.get('edit');
  let editing: MacroValues | null = null;
  if (canEdit && editId) {
    let found: ConsoleMacroFragment | null = macros.nodes.find((macro) => macro.id === editId) ?? null;
    if (!found) {
      const { node } = await api.run(ConsoleMacroDocument, { id: editId });
      found = node?.__typename === 'Macro' ? node : null;
    }
    if (!found) throw data({ message: 'That saved reply no longer exists.' }, { status: 404 });
    editing = valuesOf(found);
  }

  return {
    canEdit,
    search,
    editing,
    notice: params.get('saved') ? 'Saved.' : params.get('deleted') ? 'Deleted.' : null,
    totalCount: macros.totalCount,
    nextCursor: macros.pageInfo.hasNextPage ? macros.pageInfo.endCursor : null,
    paged: Boolean(after),
    macros: macros.nodes.map((macro) => ({
      id: macro.id,
      title: macro.title,
      // The first line says what the reply is about; the whole body is one click away (Edit) for editors.
      excerpt:
        macro.body
          .split('\n')
          .find((line) => line.trim())
          ?.slice(0, 160) ?? '',
      visibility: VISIBILITY_LABELS[macro.visibility],
      internal: macro.visibility === 'INTERNAL',
      status: macro.statusAfterSend ? STAFF_STATUS_LABELS[macro.statusAfterSend] : null,
      active: macro.active,
      updatedAt: macro.updatedAt,
      updated: formatDateTime(macro.updatedAt, LIST_TIME_ZONE),
      updatedBy: macro.updatedBy?.name ?? 'Tierdesk',
    })),
  };
}

function formValues(form: FormData): MacroValues {
  const visibility = form.get('visibility') === 'INTERNAL' ? 'INTERNAL' : 'PUBLIC';
  const status = String(form.get('statusAfterSend') ?? '');
  return {
    id: form.get('id') ? String(form.get('id')) : null,
    title: String(form.get('title') ?? ''),
    body: String(form.get('body') ?? ''),
    visibility,
    statusAfterSend: (TICKET_STATUSES as string[]).includes(status) ? (status as TicketStatus) : '',
    active: form.get('active') === 'on',
  };
}

export async function action(args: Route.ActionArgs) {
  const { api } = await requireStaff(args);
  const form = await args.request.formData();
  const intent = form.get('intent');
  const list = '/console/macros';

  if (intent === 'create' || intent === 'update') {
    const values = formValues(form);
    const fields = {
      title: values.title,
      body: values.body,
      visibility: values.visibility,
      statusAfterSend: values.statusAfterSend || null,
      active: values.active,
    };
    // The API checks everything (placeholders, lengths, a clashing title); its userErrors come back beside the fields.
    const payload =
      intent === 'update' && values.id
        ? (await api.run(ConsoleUpdateMacroDocument, { input: { id: values.id, ...fields } })).updateMacro
        : (await api.run(ConsoleCreateMacroDocument, { input: fields })).createMacro;
    if (payload.userErrors.length > 0 || !payload.macro) {
      return data({ errors: toFormErrors(payload.userErrors), values }, { status: payload.userErrors[0]?.code === 'CONFLICT' ? 409 : 400 });
    }
    throw redirect(`${list}?saved=${encodeURIComponent(payload.macro.id)}`);
  }

  const id = String(form.get('id') ?? '');
  if ((intent === 'activate' || intent === 'deactivate') && id) {
    const { updateMacro } = await api.run(ConsoleUpdateMacroDocument, { input: { id, active: intent === 'activate' } });
    if (updateMacro.userErrors.length > 0) throw data({ message: updateMacro.userErrors[0]!.message }, { status: 400 });
    throw redirect(`${list}?saved=${encodeURIComponent(id)}`);
  }
  if (intent === 'delete' && id) {
    const { deleteMacro } = await api.run(ConsoleDeleteMacroDocument, { input: { id } });
    if (deleteMacro.userErrors.length > 0) throw data({ message: deleteMacro.userErrors[0]!.message }, { status: 400 });
    throw redirect(`${list}?deleted=1`);
  }
  throw data({ message: 'That action is not available on this page.' }, { status: 400 });
}

/** An error the API reported for one field, shown beside it and pointed to by the field's aria-describedby. */
function FieldError({ id, errors, field }: { id: string; errors: readonly FormError[] | undefined; field: string }) {
  const messages = errors?.filter((error) => error.field === field) ?? [];
  if (messages.length === 0) return null;
  return (
    <p id={id} className="field-error" data-testid={`error-${field}`}>
      {messages.map((error) => error.message).join(' ')}
    </p>
  );
}

function fieldProps(errors: readonly FormError[] | undefined, field: string, hintId?: string) {
  const invalid = errors?.some((error) => error.field === field) ?? false;
  const describedBy = [invalid ? `macro-${field}-error` : null, hintId ?? null].filter(Boolean).join(' ');
  return { 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy || undefined };
}

function MacroForm({ values, errors, busy }: { values: MacroValues; errors: FormError[] | undefined; busy: boolean }) {
  const editing = values.id !== null;
  // Errors the form cannot place beside a field (a deleted macro, say) go in the summary above it.
  const unplaced = errors?.filter((error) => error.field !== 'title' && error.field !== 'body');
  return (
    <Form method="post" className="form macro-form" aria-labelledby="macro-form-title" key={values.id ?? 'new'}>
      <h2 id="macro-form-title">{editing ? `Edit “${values.title}”` : 'New saved reply'}</h2>
      <input type="hidden" name="intent" value={editing ? 'update' : 'create'} />
      {values.id ? <input type="hidden" name="id" value={values.id} /> : null}
      <FormErrorSummary errors={unplaced} />
      <div className="field">
        <label htmlFor="macro-title">Title</label>
        <input
          id="macro-title"
          name="title"
          required
          maxLength={MACRO_TITLE_MAX}
          defaultValue={values.title}
          {...fieldProps(errors, 'title')}
        />
        <FieldError id="macro-title-error" errors={errors} field="title" />
      </div>
      <div className="field">
        <label htmlFor="macro-body">Reply (Markdown)</label>
        <textarea
          id="macro-body"
          name="body"
          rows={10}
          required
          maxLength={MACRO_BODY_MAX}
          defaultValue={values.body}
          {...fieldProps(errors, 'body', 'macro-body-hint')}
        />
        <FieldError id="macro-body-error" errors={errors} field="body" />
        <p id="macro-body-hint" className="hint">
          Placeholders such as <code>{'{{requester.firstName}}'}</code> are filled in for the ticket when the reply is inserted; the list is
          beside this form. Write <code>{'\\{{'}</code> for literal braces.
        </p>
      </div>
      <div className="field-row">
        <fieldset className="field macro-visibility">
          <legend>Inserts as</legend>
          {(['PUBLIC', 'INTERNAL'] as const).map((visibility) => (
            <label key={visibility} className="choice">
              <input type="radio" name="visibility" value={visibility} defaultChecked={values.visibility === visibility} />{' '}
              {VISIBILITY_LABELS[visibility]}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="macro-status">Status after sending</label>
          <select id="macro-status" name="statusAfterSend" defaultValue={values.statusAfterSend}>
            <option value="">Leave unchanged</option>
            {TICKET_STATUSES.map((status) => (
              <option key={status} value={status}>
                {STAFF_STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <label className="choice">
        <input type="checkbox" name="active" defaultChecked={values.active} /> Active (offered in the ticket workspace)
      </label>
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {editing ? 'Save changes' : 'Create saved reply'}
        </button>
        {editing ? <Link to="/console/macros">Cancel</Link> : null}
      </div>
    </Form>
  );
}

export default function MacrosPage({ loaderData, actionData }: Route.ComponentProps) {
  const { macros, canEdit, editing, search, notice, totalCount, nextCursor, paged } = loaderData;
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const formValuesShown = actionData?.values ?? editing ?? EMPTY;
  const editingId = formValuesShown.id;

  return (
    <div className="macros-page">
      <h1>Saved replies</h1>
      <p className="muted">
        Replies and notes the team reuses, with placeholders filled in for each ticket.{' '}
        {canEdit ? 'Deactivate a reply to stop offering it without losing it.' : 'Only specialists and admins change them.'}
      </p>
      {notice ? (
        <p role="status" className="macros-notice">
          {notice}
        </p>
      ) : null}

      <div className="macros-layout">
        <section aria-labelledby="macros-list-title" className="macros-list">
          <h2 id="macros-list-title">
            All saved replies <span className="count-badge">{totalCount}</span>
          </h2>
          <Form method="get" role="search" className="macros-search">
            <label htmlFor="macros-q">Search titles and text</label>
            <div className="macros-search-row">
              <input id="macros-q" name="q" type="search" defaultValue={search} maxLength={SEARCH_MAX} />
              <button type="submit" className="button button--small">
                Search
              </button>
            </div>
          </Form>
          {macros.length === 0 ? (
            <p className="muted">{search ? `No saved reply matches “${search}”.` : 'No saved replies yet.'}</p>
          ) : (
            // Focusable so that a keyboard can scroll the table sideways on a narrow screen.
            <div className="macros-table-wrap" role="region" aria-label="Saved replies table" tabIndex={0}>
              <table className="table macros-table" aria-labelledby="macros-list-title">
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Inserts as</th>
                    <th scope="col">Then sets</th>
                    <th scope="col">State</th>
                    <th scope="col">Updated</th>
                    {canEdit ? <th scope="col">Actions</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {macros.map((macro) => (
                    <tr key={macro.id} data-testid="macro-row" className={macro.active ? undefined : 'macro-row--inactive'}>
                      <th scope="row">
                        <span className="macro-title">{macro.title}</span>
                        <span className="macro-excerpt muted">{macro.excerpt}</span>
                      </th>
                      <td>
                        <span className={macro.internal ? 'visibility-badge visibility-badge--internal' : 'visibility-badge'}>
                          {macro.visibility}
                        </span>
                      </td>
                      <td>{macro.status ?? '—'}</td>
                      <td>{macro.active ? 'Active' : 'Inactive'}</td>
                      <td>
                        <time dateTime={macro.updatedAt}>{macro.updated}</time>
                        <span className="muted"> by {macro.updatedBy}</span>
                      </td>
                      {canEdit ? (
                        <td className="macro-actions">
                          <Link to={`/console/macros?edit=${encodeURIComponent(macro.id)}`} aria-label={`Edit ${macro.title}`}>
                            Edit
                          </Link>
                          <Form method="post">
                            <input type="hidden" name="id" value={macro.id} />
                            <button
                              type="submit"
                              name="intent"
                              value={macro.active ? 'deactivate' : 'activate'}
                              className="button button--link"
                              aria-label={`${macro.active ? 'Deactivate' : 'Activate'} ${macro.title}`}
                              disabled={busy}
                            >
                              {macro.active ? 'Deactivate' : 'Activate'}
                            </button>
                          </Form>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {nextCursor || paged ? (
            <nav className="pager" aria-label="Pages of saved replies">
              {paged ? <Link to={search ? `?q=${encodeURIComponent(search)}` : '?'}>First page</Link> : null}
              {nextCursor ? (
                <Link to={`?${new URLSearchParams({ ...(search ? { q: search } : {}), after: nextCursor })}`}>Next page</Link>
              ) : null}
            </nav>
          ) : null}
        </section>

        <div className="macros-side">
          {canEdit ? (
            <section className="card" aria-label="Saved reply form">
              <MacroForm values={formValuesShown} errors={actionData?.errors} busy={busy} />
              {editingId ? (
                <Form method="post" className="macro-delete">
                  <input type="hidden" name="id" value={editingId} />
                  <p className="hint">Deleting removes it for good; deactivating keeps it for later.</p>
                  <button type="submit" name="intent" value="delete" className="button button--danger" disabled={busy}>
                    Delete this saved reply
                  </button>
                </Form>
              ) : null}
            </section>
          ) : null}

          <section className="card placeholders" aria-labelledby="placeholders-title">
            <h2 id="placeholders-title">Placeholders</h2>
            <p className="hint">
              Write them in double braces; each is filled in for the ticket when the reply is inserted. Any other name is refused when
              saving.
            </p>
            <dl className="placeholder-list">
              {MACRO_PLACEHOLDERS.map((placeholder) => (
                <div key={placeholder.name}>
                  <dt>
                    <code>{`{{${placeholder.name}}}`}</code>
                  </dt>
                  <dd>{placeholder.description}</dd>
                </div>
              ))}
            </dl>
          </section>
        </div>
      </div>
    </div>
  );
}
