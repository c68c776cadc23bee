import {
  AddCommentDocument,
  ChangeTicketStatusDocument,
  EscalateTicketDocument,
  TicketDetailDocument,
  type PortalSlaClockFragment,
  type TicketStatus,
} from '@tierdesk/schema';
import { data, Form, Link, redirect, useNavigation } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { FormErrorSummary, fieldErrorProps, toFormErrors, type FormError } from '../components/form-errors';
import { ApiError, execute, failureResponse, requireApi } from '../lib/api.server';
import {
  CHANNEL_LABELS,
  COVERAGE_PHRASES,
  ESCALATION_STATUS_LABELS,
  ESCALATION_TRIGGER_LABELS,
  formatDateTime,
  formatDuration,
  IMPACT_LABELS,
  PRIORITY_LABELS,
  slaClockLabel,
  SLA_CLOCK_KINDS,
  slaStatusLabel,
  STATUS_LABELS,
} from '../lib/format';
import type { Route } from './+types/tickets.$id';

/** Replies shown on one page; a longer thread says so rather than loading without bound. */
const COMMENTS_PAGE = 100;

/** The status moves a customer can make, as buttons, in the order shown. */
const STATUS_ACTIONS: readonly { status: TicketStatus; label: string }[] = [
  { status: 'SOLVED', label: 'Mark as solved' },
  { status: 'OPEN', label: 'Reopen' },
];

export function meta({ loaderData }: Route.MetaArgs) {
  return [
    { title: loaderData ? `#${loaderData.ticket.number} ${loaderData.ticket.subject} · Tierdesk support` : 'Ticket · Tierdesk support' },
  ];
}

/** Statuses in which a ticket is done with: no escalating (the API refuses it too; reopen first). */
const FINISHED: readonly TicketStatus[] = ['SOLVED', 'CLOSED'];

/** What the Due column says: the deadline while a clock runs, when it was met or missed once it is not. */
function dueCell(clock: PortalSlaClockFragment, timeZone: string): { text: string; dateTime: string | null } {
  if (clock.dueAt) return { text: formatDateTime(clock.dueAt, timeZone), dateTime: clock.dueAt };
  if (clock.status === 'MET' && clock.stoppedAt)
    return { text: `Met ${formatDateTime(clock.stoppedAt, timeZone)}`, dateTime: clock.stoppedAt };
  if (clock.status === 'BREACHED' && clock.breachedAt)
    return { text: formatDateTime(clock.breachedAt, timeZone), dateTime: clock.breachedAt };
  return { text: '—', dateTime: null };
}

const notFound = () => data({ message: 'There is no ticket at this address, or it belongs to another organization.' }, { status: 404 });

export async function loader(args: Route.LoaderArgs) {
  const { params } = args;
  const api = await requireApi(args);
  let result;
  try {
    result = await execute(TicketDetailDocument, { id: params.id, commentsFirst: COMMENTS_PAGE }, api.token);
  } catch (error) {
    // An id that is not a ticket id at all is as missing as one that does not exist.
    if (error instanceof ApiError && error.code === 'BAD_USER_INPUT') throw notFound();
    return failureResponse(args, error);
  }
  const { ticket } = result;
  if (!ticket) throw notFound();
  const organization = result.viewer.organization;
  const timeZone = organization?.timeZone ?? 'UTC';
  const coverage = organization?.entitlements.coverage ?? null;
  // Customers only ever see the public thread; the filter guards against an API that forgets.
  const comments = ticket.comments.nodes
    .filter((comment) => comment.visibility === 'PUBLIC')
    .map((comment) => ({
      id: comment.id,
      body: comment.body,
      authorName: comment.authorName,
      byStaff: comment.byStaff,
      createdAt: comment.createdAt,
      created: formatDateTime(comment.createdAt, timeZone),
    }));

  const commitments = [...ticket.slaClocks]
    .sort((a, b) => SLA_CLOCK_KINDS.indexOf(a.kind) - SLA_CLOCK_KINDS.indexOf(b.kind))
    .map((clock) => ({
      kind: clock.kind,
      label: slaClockLabel(clock),
      target: formatDuration(clock.targetMinutes, coverage),
      status: clock.status,
      statusLabel: slaStatusLabel(clock.status, ticket.status),
      due: dueCell(clock, timeZone),
      reason: clock.reason,
    }));

  // Escalating yourself is an entitlement: the organization's effective one decides (a contract may grant it);
  // the tier catalogue names the lowest tier above the current one that includes it.
  const canEscalate = organization?.entitlements.customerEscalation ?? false;
  let escalationTier: string | null = null;
  if (!canEscalate && organization) {
    const unlocking = [...result.tiers]
      .sort((a, b) => a.rank - b.rank)
      .find((tier) => tier.rank > organization.tier.rank && tier.entitlements.customerEscalation);
    escalationTier = unlocking?.name ?? null;
  }
  const finished = FINISHED.includes(ticket.status);
  // Once escalated, by anyone, the team has been paged: a second escalation would only join the running one.
  const escalated = ticket.escalations.length > 0;

  return {
    commitments,
    coverage: coverage ? COVERAGE_PHRASES[coverage] : null,
    escalation: {
      mode: finished ? ('finished' as const) : escalated ? ('escalated' as const) : canEscalate ? ('form' as const) : ('upsell' as const),
      tierName: escalationTier,
      history: ticket.escalations.map((escalation) => ({
        id: escalation.id,
        status: escalation.status,
        statusLabel: ESCALATION_STATUS_LABELS[escalation.status],
        triggerLabel: ESCALATION_TRIGGER_LABELS[escalation.trigger],
        // The public reason: the customer's own words, or a plain sentence (the API keeps triage details for staff).
        reason: escalation.reason,
        createdAt: escalation.createdAt,
        created: formatDateTime(escalation.createdAt, timeZone),
      })),
    },
    ticket: {
      id: ticket.id,
      number: ticket.number,
      subject: ticket.subject,
      description: ticket.description,
      status: ticket.status,
      statusLabel: STATUS_LABELS[ticket.status],
      priority: PRIORITY_LABELS[ticket.priority],
      impact: IMPACT_LABELS[ticket.impact].split(' — ')[0],
      channel: CHANNEL_LABELS[ticket.channel],
      requesterName: ticket.requesterName,
      createdAt: ticket.createdAt,
      created: formatDateTime(ticket.createdAt, timeZone),
      updatedAt: ticket.updatedAt,
      updated: formatDateTime(ticket.updatedAt, timeZone),
      acceptsReplies: ticket.status !== 'CLOSED',
      statusActions: STATUS_ACTIONS.filter((action) => ticket.allowedTransitions.includes(action.status)),
    },
    comments,
    commentCount: ticket.comments.totalCount,
  };
}

export async function action(args: Route.ActionArgs) {
  const { params } = args;
  const api = await requireApi(args);
  const form = await args.request.formData();
  const intent = form.get('intent');
  const here = `/tickets/${encodeURIComponent(params.id)}`;

  if (intent === 'reply') {
    const body = String(form.get('body') ?? '').trim();
    if (!body) {
      return data(
        { intent, errors: [{ field: 'body', message: 'Write a reply first.', code: 'BAD_USER_INPUT' }] as FormError[], body },
        { status: 400 },
      );
    }
    const { addComment } = await api.run(AddCommentDocument, { input: { ticketId: params.id, body, visibility: 'PUBLIC' } });
    if (addComment.userErrors.length > 0) return data({ intent, errors: toFormErrors(addComment.userErrors), body }, { status: 400 });
    // Post/redirect/get: a reload does not send the reply twice.
    throw redirect(here);
  }

  if (intent === 'escalate') {
    const reason = String(form.get('reason') ?? '').trim();
    if (!reason) {
      return data(
        {
          intent,
          errors: [{ field: 'reason', message: 'Say why the ticket needs escalating.', code: 'BAD_USER_INPUT' }] as FormError[],
          body: reason,
        },
        { status: 400 },
      );
    }
    const { escalateTicket } = await api.run(EscalateTicketDocument, { input: { ticketId: params.id, reason } });
    if (escalateTicket.userErrors.length > 0) {
      const status = escalateTicket.userErrors.some((error) => error.code === 'ENTITLEMENT_REQUIRED') ? 403 : 400;
      return data({ intent, errors: toFormErrors(escalateTicket.userErrors), body: reason }, { status });
    }
    throw redirect(here);
  }

  const status = form.get('status');
  if (intent === 'status' && STATUS_ACTIONS.some((action) => action.status === status)) {
    const { changeTicketStatus } = await api.run(ChangeTicketStatusDocument, {
      input: { ticketId: params.id, status: status as TicketStatus },
    });
    if (changeTicketStatus.userErrors.length > 0) {
      return data({ intent, errors: toFormErrors(changeTicketStatus.userErrors), body: '' }, { status: 400 });
    }
    throw redirect(here);
  }

  throw data({ message: 'That action is not available on this page.' }, { status: 400 });
}

export default function TicketPage({ loaderData, actionData }: Route.ComponentProps) {
  const { ticket, comments, commentCount, commitments, coverage, escalation } = loaderData;
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const replyErrors = actionData?.intent === 'reply' ? actionData.errors : undefined;
  const statusErrors = actionData?.intent === 'status' ? actionData.errors : undefined;
  const escalateErrors = actionData?.intent === 'escalate' ? actionData.errors : undefined;

  return (
    <article className="ticket">
      <p className="breadcrumbs">
        <Link to="/dashboard">Dashboard</Link> / Ticket #{ticket.number}
      </p>
      <h1>{ticket.subject}</h1>

      <dl className="ticket-facts">
        <div>
          <dt>Number</dt>
          <dd>#{ticket.number}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd data-testid="ticket-status">{ticket.statusLabel}</dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd data-testid="ticket-priority">{ticket.priority}</dd>
        </div>
        <div>
          <dt>Impact</dt>
          <dd>{ticket.impact}</dd>
        </div>
        <div>
          <dt>Opened</dt>
          <dd>
            <time dateTime={ticket.createdAt}>{ticket.created}</time> by {ticket.requesterName} via {ticket.channel}
          </dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            <time dateTime={ticket.updatedAt}>{ticket.updated}</time>
          </dd>
        </div>
      </dl>

      {ticket.statusActions.length > 0 ? (
        <Form method="post" className="status-actions">
          <input type="hidden" name="intent" value="status" />
          <FormErrorSummary errors={statusErrors} />
          {ticket.statusActions.map((action) => (
            <button key={action.status} type="submit" name="status" value={action.status} className="button" disabled={busy}>
              {action.label}
            </button>
          ))}
        </Form>
      ) : null}

      <section aria-labelledby="description-title" className="card">
        <h2 id="description-title">Description</h2>
        <div className="prose">{ticket.description}</div>
      </section>

      <section aria-labelledby="commitments-title" className="card">
        <h2 id="commitments-title">Response commitments</h2>
        {commitments.length === 0 ? (
          <p className="muted">Your support plan sets no response targets for this ticket’s priority.</p>
        ) : (
          <>
            {coverage ? (
              <p className="muted" data-testid="sla-coverage">
                Targets are measured {coverage}. Open “Why this target” to see which plan, priority and hours apply.
              </p>
            ) : null}
            <table className="table sla-table" aria-labelledby="commitments-title">
              <thead>
                <tr>
                  <th scope="col">Commitment</th>
                  <th scope="col">Target</th>
                  <th scope="col">Status</th>
                  <th scope="col">Due</th>
                </tr>
              </thead>
              <tbody>
                {commitments.map((clock) => (
                  <tr key={clock.kind}>
                    <th scope="row">
                      {clock.label}
                      <details className="sla-reason">
                        <summary>Why this target</summary>
                        <p>{clock.reason}</p>
                      </details>
                    </th>
                    <td data-testid={`sla-target-${clock.kind}`}>{clock.target}</td>
                    <td data-testid={`sla-status-${clock.kind}`}>
                      <span className={`sla-status sla-status--${clock.status.toLowerCase()}`}>{clock.statusLabel}</span>
                    </td>
                    <td>{clock.due.dateTime ? <time dateTime={clock.due.dateTime}>{clock.due.text}</time> : clock.due.text}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>

      {escalation.mode !== 'finished' || escalation.history.length > 0 ? (
        <section aria-labelledby="escalation-title" className="card">
          <h2 id="escalation-title">Escalation</h2>
          {escalation.history.length > 0 ? (
            <ol className="escalations" aria-label="Escalations">
              {escalation.history.map((entry) => (
                <li key={entry.id} data-testid="escalation">
                  <strong className={`escalation-status escalation-status--${entry.status.toLowerCase()}`}>{entry.statusLabel}</strong>
                  <span className="muted">
                    {entry.triggerLabel}, <time dateTime={entry.createdAt}>{entry.created}</time>
                  </span>
                  <p className="prose escalation-reason" data-testid="escalation-reason">
                    {entry.reason}
                  </p>
                </li>
              ))}
            </ol>
          ) : null}
          {escalation.mode === 'form' ? (
            <Form method="post" className="form escalate-form">
              <input type="hidden" name="intent" value="escalate" />
              <FormErrorSummary errors={escalateErrors} />
              <div className="field">
                <label htmlFor="escalation-reason">Reason</label>
                <textarea
                  id="escalation-reason"
                  name="reason"
                  rows={3}
                  required
                  maxLength={1000}
                  defaultValue={escalateErrors ? actionData?.body : ''}
                  {...fieldErrorProps(escalateErrors, 'reason', 'escalation-hint')}
                />
                <p id="escalation-hint" className="hint">
                  Escalating alerts the support team’s on-call engineers right away. Say what is at stake.
                </p>
              </div>
              <button type="submit" className="button" disabled={busy}>
                Escalate
              </button>
            </Form>
          ) : escalation.mode === 'upsell' ? (
            <p className="muted" data-testid="escalation-upsell">
              {escalation.tierName
                ? `Escalating a ticket yourself is included from the ${escalation.tierName} tier.`
                : 'Escalating a ticket yourself is not included in your support plan.'}{' '}
              <Link to="/dashboard">See what your plan includes</Link>.
            </p>
          ) : escalation.mode === 'escalated' ? (
            <p className="muted" data-testid="escalation-followup">
              The support team has been alerted. To tell them more, reply below.
            </p>
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="thread-title" className="card">
        <h2 id="thread-title">Conversation</h2>
        {comments.length === 0 ? (
          <p className="muted">No replies yet.</p>
        ) : (
          <ol className="thread" aria-label="Replies">
            {comments.map((comment) => (
              <li key={comment.id} id={`comment-${comment.id}`} className={comment.byStaff ? 'comment comment--staff' : 'comment'}>
                <p className="comment-meta">
                  <strong>{comment.authorName}</strong>
                  {comment.byStaff ? <span className="staff-badge">Support team</span> : null}{' '}
                  <time dateTime={comment.createdAt}>{comment.created}</time>
                </p>
                <div className="prose">{comment.body}</div>
              </li>
            ))}
          </ol>
        )}
        {commentCount > comments.length && commentCount > COMMENTS_PAGE ? (
          <p className="muted">
            Showing the first {COMMENTS_PAGE} of {commentCount} replies.
          </p>
        ) : null}

        {ticket.acceptsReplies ? (
          <Form method="post" className="form reply-form">
            <input type="hidden" name="intent" value="reply" />
            <FormErrorSummary errors={replyErrors} />
            <div className="field">
              <label htmlFor="reply">Reply</label>
              {/* Keyed by the thread length: once the reply is in the thread the box starts empty again. */}
              <textarea
                key={commentCount}
                id="reply"
                name="body"
                rows={5}
                required
                defaultValue={actionData?.intent === 'reply' ? actionData.body : ''}
                {...fieldErrorProps(replyErrors, 'body')}
              />
            </div>
            <button type="submit" className="button button--primary" disabled={busy}>
              Send reply
            </button>
          </Form>
        ) : (
          <p className="muted">
            This ticket is closed. <Link to="/tickets/new">Open a new ticket</Link> if you need more help.
          </p>
        )}
      </section>
    </article>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} />;
}
