import { CreateTicketDocument, NewTicketFormDocument, type TicketImpact, type TicketPriority } from '@tierdesk/schema';
import { data, Form, Link, redirect, useNavigation } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { FormErrorSummary, fieldErrorProps, toFormErrors, type FormError } from '../components/form-errors';
import { requireApi } from '../lib/api.server';
import { IMPACT_LABELS, IMPACTS, isImpact, isPriority, PRIORITIES, PRIORITY_LABELS } from '../lib/format';
import type { Route } from './+types/tickets.new';

const SUBJECT_MAX = 200;
const DEFAULT_PRIORITY: TicketPriority = 'NORMAL';
const DEFAULT_IMPACT: TicketImpact = 'MEDIUM';

export function meta() {
  return [{ title: 'New ticket · Tierdesk support' }];
}

export async function loader(args: Route.LoaderArgs) {
  const api = await requireApi(args);
  const { viewer, tiers } = await api.run(NewTicketFormDocument, {});
  const organization = viewer.organization;
  if (!organization) throw data({ message: 'Your account does not belong to an organization.' }, { status: 403 });

  // The organization's effective entitlements decide what is included (a contract may add to the tier); the tier
  // catalogue says which tier would unlock the rest. Every priority stays selectable: the API has the last word,
  // and its refusal explains the upgrade.
  const included = new Set(organization.entitlements.allowedPriorities);
  const catalogue = [...tiers].sort((a, b) => a.rank - b.rank);
  const priorities = PRIORITIES.map((priority) => {
    if (included.has(priority)) return { value: priority, label: PRIORITY_LABELS[priority], included: true };
    const unlocking =
      catalogue.find((tier) => tier.rank > organization.tier.rank && tier.entitlements.allowedPriorities.includes(priority)) ??
      catalogue.find((tier) => tier.entitlements.allowedPriorities.includes(priority));
    const note = unlocking ? `${unlocking.name} tier and above` : 'not included in your tier';
    return { value: priority, label: `${PRIORITY_LABELS[priority]} — ${note}`, included: false };
  });
  return { tierName: organization.tier.name, priorities };
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
      { errors: apiErrors.length > 0 ? apiErrors : [{ field: null, message: 'The ticket could not be created.', code: 'UNKNOWN' }], values },
      { status: createTicket.userErrors.some((error) => error.code === 'ENTITLEMENT_REQUIRED') ? 403 : 400 },
    );
  }
  throw redirect(`/tickets/${encodeURIComponent(createTicket.ticket.id)}`);
}

export default function NewTicket({ loaderData, actionData }: Route.ComponentProps) {
  const submitting = useNavigation().state === 'submitting';
  const errors = actionData?.errors;
  const values = actionData?.values;
  return (
    <>
      <h1>New ticket</h1>
      <p className="muted">
        Your organization is on the {loaderData.tierName} tier. <Link to="/dashboard">See what it includes</Link>.
      </p>
      <Form method="post" className="form card">
        <FormErrorSummary errors={errors} />
        <div className="field">
          <label htmlFor="subject">Subject</label>
          <input
            id="subject"
            name="subject"
            type="text"
            required
            maxLength={SUBJECT_MAX}
            defaultValue={values?.subject ?? ''}
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
            <select id="priority" name="priority" defaultValue={values?.priority ?? DEFAULT_PRIORITY} {...fieldErrorProps(errors, 'priority')}>
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
    </>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} />;
}
