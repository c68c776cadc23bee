import { AddCommentDocument, ChangeTicketStatusDocument, TicketDetailDocument, type TicketStatus } from '@tierdesk/schema';
import { data, Form, Link, redirect, useNavigation } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { FormErrorSummary, fieldErrorProps, toFormErrors, type FormError } from '../components/form-errors';
import { ApiError, execute, failureResponse, requireApi } from '../lib/api.server';
import { CHANNEL_LABELS, formatDateTime, IMPACT_LABELS, PRIORITY_LABELS, STATUS_LABELS } from '../lib/format';
import type { Route } from './+types/tickets.$id';

/** Replies shown on one page; a longer thread says so rather than loading without bound. */
const COMMENTS_PAGE = 100;

/** The status moves a customer can make, as buttons, in the order shown. */
const STATUS_ACTIONS: readonly { status: TicketStatus; label: string }[] = [
  { status: 'SOLVED', label: 'Mark as solved' },
  { status: 'OPEN', label: 'Reopen' },
];

export function meta({ loaderData }: Route.MetaArgs) {
  return [{ title: loaderData ? `#${loaderData.ticket.number} ${loaderData.ticket.subject} · Tierdesk support` : 'Ticket · Tierdesk support' }];
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
  const timeZone = result.viewer.organization?.timeZone ?? 'UTC';
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
  return {
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
      return data({ intent, errors: [{ field: 'body', message: 'Write a reply first.', code: 'BAD_USER_INPUT' }] as FormError[], body }, { status: 400 });
    }
    const { addComment } = await api.run(AddCommentDocument, { input: { ticketId: params.id, body, visibility: 'PUBLIC' } });
    if (addComment.userErrors.length > 0) return data({ intent, errors: toFormErrors(addComment.userErrors), body }, { status: 400 });
    // Post/redirect/get: a reload does not send the reply twice.
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
  const { ticket, comments, commentCount } = loaderData;
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const replyErrors = actionData?.intent === 'reply' ? actionData.errors : undefined;
  const statusErrors = actionData?.intent === 'status' ? actionData.errors : undefined;

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
          <p className="muted">Showing the first {COMMENTS_PAGE} of {commentCount} replies.</p>
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
