import { CreateTicketDocument, NewTicketFormDocument, type TicketImpact, type TicketPriority } from '@tierdesk/schema';
import { useEffect, useRef, type FormEvent, type MouseEvent } from 'react';
import { data, Form, Link, redirect, useFetcher, useNavigation } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { FormErrorSummary, fieldErrorProps, toFormErrors, type FormError } from '../components/form-errors';
import { Highlight } from '../components/highlight';
import kbStyles from '../kb.css?url';
import { requireApi } from '../lib/api.server';
import { IMPACT_LABELS, IMPACTS, isImpact, isPriority, PRIORITY_LABELS } from '../lib/format';
import { articleHref, SUGGEST_DESCRIPTION_MAX } from '../lib/kb';
import { suggestArticles, type Suggestions } from '../lib/kb.server';
import type { Route } from './+types/tickets.new';
import type { loader as suggestionsLoader } from './tickets.new.suggestions';

const SUBJECT_MAX = 200;
const DEFAULT_PRIORITY: TicketPriority = 'NORMAL';
const DEFAULT_IMPACT: TicketImpact = 'MEDIUM';
/** Suggested articles follow the text after a pause in typing this long. */
const SUGGEST_PAUSE_MS = 400;
const FORM_ID = 'new-ticket';

export const links: Route.LinksFunction = () => [{ rel: 'stylesheet', href: kbStyles }];

export function meta() {
  return [{ title: 'New ticket · Tierdesk support' }];
}

export async function loader(args: Route.LoaderArgs) {
  const api = await requireApi(args);
  // `?subject=` prefills the form (the help center's "Still need help?"), with the articles that may answer it.
  const subject = (args.url.searchParams.get('subject') ?? '').trim().slice(0, SUBJECT_MAX);
  const [{ viewer, tiers }, suggestions] = await Promise.all([
    api.run(NewTicketFormDocument, {}),
    subject ? suggestArticles(api.token, subject, '') : Promise.resolve(null),
  ]);
  const organization = viewer.organization;
  if (!organization) throw data({ message: 'Your account does not belong to an organization.' }, { status: 403 });

  // The API's entitlement rules say which priorities the organization's effective entitlements include (a contract
  // may add to the tier) and which tier would unlock the rest. Every priority stays selectable: the API has the last
  // word, and its refusal explains the upgrade.
  const tierNames = new Map(tiers.map((tier) => [tier.key, tier.name]));
  const priorities = organization.entitlements.priorityOptions.map((option) => {
    const label = PRIORITY_LABELS[option.priority];
    if (option.included) return { value: option.priority, label, included: true };
    const unlocking = option.requiredTier ? tierNames.get(option.requiredTier) : undefined;
    return {
      value: option.priority,
      label: `${label} — ${unlocking ? `${unlocking} tier and above` : 'not included in your tier'}`,
      included: false,
    };
  });
  return { tierName: organization.tier.name, priorities, subject, suggestions };
}

interface FormValues {
  subject: string;
  description: string;
  priority: string;
  impact: string;
}

export async function action(args: Route.ActionArgs) {
  const api = await requireApi(args);
  const form = await args.request.formData();
  const values: FormValues = {
    subject: String(form.get('subject') ?? '').trim(),
    description: String(form.get('description') ?? '').trim(),
    priority: String(form.get('priority') ?? ''),
    impact: String(form.get('impact') ?? ''),
  };

  // "Find answers" (the no-JavaScript way to suggested articles): the form comes back as it was, with them.
  if (form.get('intent') === 'suggest') {
    return { errors: undefined, values, suggestions: await suggestArticles(api.token, values.subject, values.description) };
  }

  const errors: FormError[] = [];
  const invalid = (field: string, message: string) => errors.push({ field, message, code: 'BAD_USER_INPUT' });
  if (!values.subject) invalid('subject', 'Enter a subject.');
  else if (values.subject.length > SUBJECT_MAX) invalid('subject', `Keep the subject under ${SUBJECT_MAX} characters.`);
  if (!values.description) invalid('description', 'Describe the problem.');
  if (!isPriority(values.priority)) invalid('priority', 'Choose a priority.');
  if (!isImpact(values.impact)) invalid('impact', 'Choose an impact.');
  if (errors.length > 0 || !isPriority(values.priority) || !isImpact(values.impact)) {
    return data({ errors, values }, { status: 400 });
  }

  const { createTicket } = await api.run(CreateTicketDocument, {
    input: {
      subject: values.subject,
      description: values.description,
      priority: values.priority,
      impact: values.impact,
      channel: 'PORTAL',
    },
  });
  if (createTicket.userErrors.length > 0 || !createTicket.ticket) {
    const apiErrors = toFormErrors(createTicket.userErrors);
    return data(
      {
        errors: apiErrors.length > 0 ? apiErrors : [{ field: null, message: 'The ticket could not be created.', code: 'UNKNOWN' }],
        values,
      },
      { status: createTicket.userErrors.some((error) => error.code === 'ENTITLEMENT_REQUIRED') ? 403 : 400 },
    );
  }
  throw redirect(`/tickets/${encodeURIComponent(createTicket.ticket.id)}`);
}

export default function NewTicket({ loaderData, actionData }: Route.ComponentProps) {
  const submitting = useNavigation().state === 'submitting';
  const errors = actionData?.errors;
  const values = actionData?.values;
  const suggester = useSuggestions(actionData && 'suggestions' in actionData ? actionData.suggestions : loaderData.suggestions);
  return (
    <>
      <h1>New ticket</h1>
      <p className="muted">
        Your organization is on the {loaderData.tierName} tier. <Link to="/dashboard">See what it includes</Link>.
      </p>
      <div className="new-ticket-layout">
        <Form method="post" className="form card" id={FORM_ID} ref={suggester.form} onInput={suggester.onInput}>
          <FormErrorSummary errors={errors} />
          <div className="field">
            <label htmlFor="subject">Subject</label>
            <input
              id="subject"
              name="subject"
              type="text"
              required
              maxLength={SUBJECT_MAX}
              defaultValue={values?.subject ?? loaderData.subject}
              {...fieldErrorProps(errors, 'subject')}
            />
          </div>
          <div className="field">
            <label htmlFor="description">Description</label>
            <textarea
              id="description"
              name="description"
              rows={8}
              required
              defaultValue={values?.description ?? ''}
              {...fieldErrorProps(errors, 'description', 'description-hint')}
            />
            <p id="description-hint" className="hint">
              What happened, what you expected, and the steps to see it.
            </p>
          </div>
          <div className="field-row">
            <div className="field">
              <label htmlFor="priority">Priority</label>
              <select
                id="priority"
                name="priority"
                defaultValue={values?.priority ?? DEFAULT_PRIORITY}
                {...fieldErrorProps(errors, 'priority')}
              >
                {loaderData.priorities.map((priority) => (
                  <option key={priority.value} value={priority.value}>
                    {priority.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="impact">Impact</label>
              <select id="impact" name="impact" defaultValue={values?.impact ?? DEFAULT_IMPACT} {...fieldErrorProps(errors, 'impact')}>
                {IMPACTS.map((impact) => (
                  <option key={impact} value={impact}>
                    {IMPACT_LABELS[impact]}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={submitting}>
              Submit ticket
            </button>
            <Link to="/dashboard">Cancel</Link>
          </div>
        </Form>
        <SuggestedArticles suggestions={suggester.suggestions} loading={suggester.loading} onFindAnswers={suggester.findAnswers} />
      </div>
    </>
  );
}

/**
 * Suggested articles as the customer types: after a pause, the subject and the start of the description go to
 * `/tickets/new/suggestions` (a fetcher, so the form and the page stay as they are). Without JavaScript the
 * "Find answers" button posts the form with intent=suggest and the page comes back with them.
 */
function useSuggestions(initial: Suggestions | null) {
  const fetcher = useFetcher<typeof suggestionsLoader>();
  const form = useRef<HTMLFormElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const asked = useRef(initial ? `${initial.subject}\n` : '\n');
  useEffect(() => () => clearTimeout(timer.current), []);

  const ask = (delay: number, force = false) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (!form.current) return;
      const fields = new FormData(form.current);
      const subject = String(fields.get('subject') ?? '').trim();
      const description = String(fields.get('description') ?? '')
        .trim()
        .slice(0, SUGGEST_DESCRIPTION_MAX);
      const key = `${subject}\n${description}`;
      if (key === asked.current && !force) return;
      asked.current = key;
      fetcher.load(`/tickets/new/suggestions?${new URLSearchParams({ subject, description })}`);
    }, delay);
  };

  return {
    form,
    suggestions: fetcher.data?.suggestions ?? initial,
    loading: fetcher.state !== 'idle',
    onInput(event: FormEvent<HTMLFormElement>) {
      const name = (event.target as HTMLInputElement | HTMLTextAreaElement).name;
      if (name === 'subject' || name === 'description') ask(SUGGEST_PAUSE_MS);
    },
    findAnswers(event: MouseEvent<HTMLButtonElement>) {
      event.preventDefault();
      ask(0, true);
    },
  };
}

function SuggestedArticles({
  suggestions,
  loading,
  onFindAnswers,
}: {
  suggestions: Suggestions | null;
  loading: boolean;
  onFindAnswers: (event: MouseEvent<HTMLButtonElement>) => void;
}) {
  const hits = suggestions?.hits ?? [];
  return (
    <aside className="kb-suggestions card" aria-labelledby="kb-suggestions-title" aria-busy={loading}>
      <h2 id="kb-suggestions-title">Suggested articles</h2>
      <p className="visually-hidden" role="status">
        {suggestions ? `${hits.length} suggested ${hits.length === 1 ? 'article' : 'articles'}` : ''}
      </p>
      {hits.length > 0 ? (
        <ul className="kb-suggestions__list">
          {hits.map((hit) => (
            <li key={hit.slug}>
              <a href={articleHref(hit.slug, suggestions?.searchId)} target="_blank" rel="noopener">
                <Highlight html={hit.titleHtml} />
                <span className="visually-hidden"> (opens in a new tab)</span>
              </a>
              <p className="kb-suggestions__summary">
                <Highlight html={hit.summaryHtml} />
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">
          {suggestions?.subject
            ? 'No articles match yet: a few more words in the description may find some.'
            : 'As you write, articles that may answer your question appear here.'}
        </p>
      )}
      <button type="submit" form={FORM_ID} name="intent" value="suggest" formNoValidate className="button" onClick={onFindAnswers}>
        Find answers
      </button>
    </aside>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} />;
}
