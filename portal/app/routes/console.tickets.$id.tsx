import {
  ConsoleAcknowledgeEscalationDocument,
  ConsoleAddCommentDocument,
  ConsoleAssignTicketDocument,
  ConsoleChangeTicketPriorityDocument,
  ConsoleChangeTicketStatusDocument,
  ConsoleCorrectTriageDocument,
  ConsoleTicketCommentsSinceDocument,
  ConsoleTicketContextDocument,
  ConsoleNextTicketDocument,
  ConsoleTicketDocument,
  type CommentVisibility,
  type SupportDomain,
  type TicketPriority,
  type TicketStatus,
} from '@tierdesk/schema';
import { useEffect, useMemo, useRef, useState } from 'react';
import { data, Form, Link, redirect, useNavigate, useNavigation } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { toFormErrors, type FormError } from '../components/form-errors';
import { useShortcuts, type Shortcut } from '../console/shortcuts';
import stylesheet from '../console-ticket.css?url';
import macrosStylesheet from '../console-macros.css?url';
import { MacroPicker } from '../console/macro-picker';
import { activeMacroChoices } from '../lib/macros.server';
import type { RenderedMacro } from '../lib/macros';
import { ApiError, execute, failureResponse, type PortalApi } from '../lib/api.server';
import { readViewQuery, viewParams } from '../console/view-query';
import { requireStaff } from '../lib/console.server';
import { DOMAINS, STAFF_STATUS_LABELS, TICKET_STATUSES } from '../console/labels';
import { commentsView, COMMENTS_PAGE, workspaceView, type WorkspaceComment } from '../lib/console-ticket.server';
import { isPriority } from '../lib/format';
import type { Route } from './+types/console.tickets.$id';

export const links: Route.LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'stylesheet', href: macrosStylesheet },
];

export function meta({ loaderData }: Route.MetaArgs) {
  return [
    { title: loaderData ? `#${loaderData.ticket.number} ${loaderData.ticket.subject} · Tierdesk console` : 'Ticket · Tierdesk console' },
  ];
}

/**
 * Where `j` goes: the ticket after this one in the view the agent came from (the views page's link carries the
 * view, its order, its filters and this ticket's cursor as `from`), else back to that view.
 */
async function nextTicketHref(api: PortalApi, params: URLSearchParams): Promise<{ next: string; back: string }> {
  const query = readViewQuery(params);
  const back = params.has('view') ? `/console?${viewParams(query)}` : '/console';
  const from = params.get('from');
  if (!from || !params.has('view')) return { next: back, back };
  try {
    const { ticketView } = await execute(
      ConsoleNextTicketDocument,
      { view: query.view, sort: query.sort, filter: query.filter, after: from },
      api.token,
    );
    const following = ticketView.edges[0];
    return {
      next: following ? `/console/tickets/${encodeURIComponent(following.node.id)}?${viewParams(query, { from: following.cursor })}` : back,
      back,
    };
  } catch (error) {
    // A cursor from an older page or an edited link: the view itself is still a fine place to go next.
    if (error instanceof ApiError && error.code === 'BAD_USER_INPUT') return { next: back, back };
    throw error;
  }
}

const notFound = () => data({ message: 'There is no ticket at this address.' }, { status: 404 });

export async function loader(args: Route.LoaderArgs) {
  const { api, staff } = await requireStaff(args);
  const params = new URL(args.request.url).searchParams;
  let result;
  try {
    result = await execute(ConsoleTicketDocument, { id: args.params.id, commentsFirst: COMMENTS_PAGE }, api.token);
  } catch (error) {
    // An id that is not a ticket id at all is as missing as one that does not exist.
    if (error instanceof ApiError && error.code === 'BAD_USER_INPUT') throw notFound();
    return failureResponse(args, error);
  }
  const { ticket } = result;
  if (!ticket) throw notFound();
  const [context, macros, next] = await Promise.all([
    api.run(ConsoleTicketContextDocument, {
      organizationId: ticket.organization.id,
      subject: ticket.subject,
      // Suggestions read the first 1,000 characters; sending the rest would only cost bandwidth.
      description: ticket.description.slice(0, 1000),
    }),
    activeMacroChoices(api),
    nextTicketHref(api, params).catch((error: unknown) => failureResponse(args, error)),
  ]);
  return {
    ...workspaceView({
      ticket,
      agents: result.agents.nodes,
      slaPolicies: result.slaPolicies,
      context,
      me: { userId: staff.userId, name: staff.name },
      now: new Date(),
    }),
    me: { userId: staff.userId, name: staff.name },
    macros,
    nextHref: next.next,
    backHref: next.back,
  };
}

type Intent = 'reply' | 'status' | 'priority' | 'assign' | 'triage' | 'acknowledge';

const refused = (intent: Intent, errors: FormError[], status = 400) => data({ intent, errors, draft: null, collision: null }, { status });

const fieldError = (field: string, message: string): FormError[] => [{ field, message, code: 'BAD_USER_INPUT' }];

export async function action(args: Route.ActionArgs) {
  const { api } = await requireStaff(args);
  const { params, request } = args;
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  const url = new URL(request.url);
  // Post/redirect/get, keeping `?view=` so `j` still knows where the agent came from.
  const here = `/console/tickets/${encodeURIComponent(params.id)}${url.search}`;

  if (intent === 'reply') {
    const body = String(form.get('body') ?? '');
    const visibility = form.get('visibility') === 'INTERNAL' ? 'INTERNAL' : 'PUBLIC';
    const draft = { body, visibility: visibility as CommentVisibility };
    if (!body.trim()) {
      return data(
        {
          intent,
          errors: fieldError('body', visibility === 'INTERNAL' ? 'Write the note first.' : 'Write a reply first.'),
          draft,
          collision: null,
        },
        { status: 400 },
      );
    }
    // Collision safety: what was written since the last comment this page showed? Unless told to send anyway,
    // a reply that may no longer fit the conversation is held back with those comments shown.
    if (form.get('anyway') !== 'yes') {
      const seen = String(form.get('seenCursor') ?? '');
      const since = await api.run(ConsoleTicketCommentsSinceDocument, { id: params.id, after: seen || null });
      const fresh = since.ticket?.comments.edges ?? [];
      if (fresh.length > 0) {
        return data(
          {
            intent,
            errors: [] as FormError[],
            draft,
            collision: {
              replies: commentsView(
                fresh.map((edge) => edge.node),
                since.ticket!.organization.timeZone,
              ),
            },
          },
          { status: 409 },
        );
      }
    }
    const { addComment } = await api.run(ConsoleAddCommentDocument, { input: { ticketId: params.id, body, visibility } });
    if (addComment.userErrors.length > 0) {
      return data({ intent, errors: toFormErrors(addComment.userErrors), draft, collision: null }, { status: 400 });
    }
    // A saved reply may move the ticket on once it is sent ("then set: waiting on customer"). The reply is in;
    // a refused move is reported beside the status, not as a failed reply.
    const statusAfter = String(form.get('statusAfter') ?? '');
    if (statusAfter && (TICKET_STATUSES as string[]).includes(statusAfter)) {
      const { changeTicketStatus } = await api.run(ConsoleChangeTicketStatusDocument, {
        input: { ticketId: params.id, status: statusAfter as TicketStatus },
      });
      if (changeTicketStatus.userErrors.length > 0) return refused('status', toFormErrors(changeTicketStatus.userErrors));
    }
    throw redirect(here);
  }

  if (intent === 'status') {
    const status = String(form.get('status') ?? '');
    if (!status) return refused(intent, fieldError('status', 'Choose a status.'));
    const { changeTicketStatus } = await api.run(ConsoleChangeTicketStatusDocument, {
      input: { ticketId: params.id, status: status as TicketStatus },
    });
    if (changeTicketStatus.userErrors.length > 0) return refused(intent, toFormErrors(changeTicketStatus.userErrors));
    throw redirect(here);
  }

  if (intent === 'priority') {
    const priority = form.get('priority');
    if (!isPriority(priority)) return refused(intent, fieldError('priority', 'Choose a priority.'));
    const { changeTicketPriority } = await api.run(ConsoleChangeTicketPriorityDocument, {
      input: { ticketId: params.id, priority: priority as TicketPriority },
    });
    const errors = changeTicketPriority.userErrors;
    if (errors.length > 0) {
      const entitlement = errors.some((error) => error.code === 'ENTITLEMENT_REQUIRED');
      return refused(intent, toFormErrors(errors), entitlement ? 403 : 400);
    }
    throw redirect(here);
  }

  if (intent === 'assign') {
    const assigneeId = String(form.get('assigneeId') ?? '');
    const { assignTicket } = await api.run(ConsoleAssignTicketDocument, {
      input: { ticketId: params.id, assigneeId: assigneeId || null },
    });
    if (assignTicket.userErrors.length > 0) return refused(intent, toFormErrors(assignTicket.userErrors));
    throw redirect(here);
  }

  if (intent === 'triage') {
    const domain = String(form.get('domain') ?? '');
    if (!(DOMAINS as string[]).includes(domain)) return refused(intent, fieldError('domain', 'Choose a domain.'));
    const { correctTriage } = await api.run(ConsoleCorrectTriageDocument, {
      input: { ticketId: params.id, domain: domain as SupportDomain },
    });
    if (correctTriage.userErrors.length > 0) return refused(intent, toFormErrors(correctTriage.userErrors));
    throw redirect(here);
  }

  if (intent === 'acknowledge') {
    const id = String(form.get('escalationId') ?? '');
    const { acknowledgeEscalation } = await api.run(ConsoleAcknowledgeEscalationDocument, { id });
    if (acknowledgeEscalation.userErrors.length > 0) return refused(intent, toFormErrors(acknowledgeEscalation.userErrors));
    throw redirect(here);
  }

  throw data({ message: 'That action is not available on this page.' }, { status: 400 });
}

type LoaderData = Route.ComponentProps['loaderData'];
type ActionData = Route.ComponentProps['actionData'];

/** The errors of one form, shown beside its field; `id` is what the field's aria-describedby points at. */
function FieldErrors({ id, errors }: { id: string; errors: readonly FormError[] | undefined }) {
  if (!errors || errors.length === 0) return null;
  return (
    <div id={id} role="alert" className="field-error">
      {errors.map((error) => (
        <p key={`${error.field}:${error.message}`}>{error.message}</p>
      ))}
    </div>
  );
}

function errorsOf(actionData: ActionData, intent: Intent): FormError[] | undefined {
  return actionData?.intent === intent && actionData.errors.length > 0 ? actionData.errors : undefined;
}

function describedBy(errors: readonly FormError[] | undefined, errorId: string, hintId?: string) {
  const ids = [errors ? errorId : null, hintId ?? null].filter(Boolean).join(' ');
  return { 'aria-invalid': errors ? true : undefined, 'aria-describedby': ids || undefined };
}

// ---------------------------------------------------------------------------------------------------------------
// SLA timers: they count down in the browser from `dueAt`, and turn to "due soon" at the policy's warning instant.

type TimerState = 'ok' | 'warning' | 'breached' | 'paused' | 'none';

/** The current time, ticking every second once the page is live; the server's instant until then (same HTML). */
function useNow(renderedAt: string): number {
  const [now, setNow] = useState(() => Date.parse(renderedAt));
  useEffect(() => {
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function timerState(clock: LoaderData['clocks'][number], now: number): TimerState {
  if (clock.status === 'BREACHED') return 'breached';
  if (clock.status === 'PAUSED') return 'paused';
  if (clock.status === 'MET' || !clock.dueAt) return 'none';
  if (now >= Date.parse(clock.dueAt)) return 'breached';
  if (clock.warningAt && now >= Date.parse(clock.warningAt)) return 'warning';
  return 'ok';
}

const TIMER_LABELS: Record<TimerState, string> = { ok: 'On track', warning: 'Due soon', breached: 'Breached', paused: 'Paused', none: '' };

/** "1 h 04 min", "4 min 09 s", "2 d 3 h": precise near the deadline, short far from it. */
function countdown(ms: number): string {
  const seconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const pad = (value: number) => String(value).padStart(2, '0');
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  return `${minutes} min ${pad(rest)} s`;
}

function SlaTimer({ clock, now }: { clock: LoaderData['clocks'][number]; now: number }) {
  const state = timerState(clock, now);
  let text: string;
  if (state === 'none') text = clock.statusLabel;
  else if (state === 'paused') text = 'Paused';
  else if (!clock.dueAt) text = TIMER_LABELS[state];
  else {
    const left = Date.parse(clock.dueAt) - now;
    text = left > 0 ? `${TIMER_LABELS[state]} · ${countdown(left)} left` : `Breached · ${countdown(left)} over`;
  }
  return (
    <span className={`sla-timer sla-timer--${state}`} data-testid={`sla-timer-${clock.kind}`} data-state={state}>
      {text}
    </span>
  );
}

function SlaClocks({
  clocks,
  renderedAt,
  warnPercent,
  warnSource,
}: Pick<LoaderData, 'clocks' | 'renderedAt' | 'warnPercent' | 'warnSource'>) {
  const now = useNow(renderedAt);
  return (
    <section aria-labelledby="sla-title" className="card ws-card">
      <h2 id="sla-title">SLA clocks</h2>
      {clocks.length === 0 ? (
        <p className="muted">The customer’s tier sets no targets for this ticket’s priority.</p>
      ) : (
        <>
          <ul className="ws-clocks" aria-label="SLA clocks">
            {clocks.map((clock) => (
              <li key={clock.key} className="ws-clock">
                <div className="ws-clock__head">
                  <strong>{clock.label}</strong>
                  <span className="muted">target {clock.target}</span>
                </div>
                <SlaTimer clock={clock} now={now} />
                <p className="ws-clock__state">{clock.state}</p>
                <details className="ws-details">
                  <summary>Why this target</summary>
                  <p>{clock.reason}</p>
                </details>
              </li>
            ))}
          </ul>
          <p className="hint">
            Due soon from {warnPercent}% of a target ({warnSource}). Timers count down live.
          </p>
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The conversation and the reply form.

function CommentItem({ comment }: { comment: WorkspaceComment }) {
  const internal = comment.visibility === 'INTERNAL';
  return (
    <li
      id={`comment-${comment.id}`}
      className={`ws-comment ${internal ? 'ws-comment--internal' : 'ws-comment--public'}`}
      data-testid="comment"
    >
      <p className="ws-comment__meta">
        <span className={`ws-kind ${internal ? 'ws-kind--internal' : 'ws-kind--public'}`}>
          {internal ? 'Internal note' : 'Public reply'}
        </span>
        <strong>{comment.authorName}</strong>
        {comment.byStaff ? <span className="staff-badge">Staff</span> : <span className="ws-customer-badge">Customer</span>}
        <time dateTime={comment.createdAt}>{comment.created}</time>
      </p>
      <div className="ws-markdown" dangerouslySetInnerHTML={{ __html: comment.html }} />
    </li>
  );
}

function ReplyForm({
  loaderData,
  actionData,
  busy,
  textareaRef,
}: {
  loaderData: LoaderData;
  actionData: ActionData;
  busy: boolean;
  textareaRef: React.RefObject<HTMLTextAreaElement | null>;
}) {
  const [statusAfter, setStatusAfter] = useState<TicketStatus | ''>('');
  const insertMacro = (rendered: RenderedMacro) => {
    const box = textareaRef.current;
    if (box) {
      box.value = box.value.trim() ? `${box.value.replace(/\s+$/, '')}\n\n${rendered.body}` : rendered.body;
      box.focus();
    }
    const radio = document.getElementById(rendered.visibility === 'INTERNAL' ? 'visibility-internal' : 'visibility-public');
    if (radio instanceof HTMLInputElement) radio.checked = true;
    setStatusAfter(rendered.status && loaderData.statusOptions.some((option) => option.status === rendered.status) ? rendered.status : '');
  };
  const replyData = actionData?.intent === 'reply' ? actionData : undefined;
  const errors = errorsOf(actionData, 'reply');
  const collision = replyData?.collision ?? null;
  const draft = replyData?.draft ?? null;
  const initialVisibility = draft?.visibility ?? 'PUBLIC';
  // Keyed by the thread length: once a reply is in the thread the box starts empty again; a held-back draft stays.
  const key = `${loaderData.commentCount}-${collision ? 'held' : 'fresh'}`;
  return (
    <Form method="post" className="form ws-composer" id="reply-form" key={key}>
      <input type="hidden" name="intent" value="reply" />
      <input type="hidden" name="seenCursor" value={loaderData.seenCursor} />
      {collision ? (
        <div className="ws-collision" role="alert" data-testid="collision">
          <p>
            <strong>
              {collision.replies.length === 1 ? '1 new reply' : `${collision.replies.length} new replies`} since you opened this ticket
            </strong>
            . Your {draft?.visibility === 'INTERNAL' ? 'note' : 'reply'} was not sent; read what is new, then send anyway or edit it.
          </p>
          <ol className="ws-thread" aria-label="New since you opened this ticket">
            {collision.replies.map((reply) => (
              <CommentItem key={reply.id} comment={reply} />
            ))}
          </ol>
          <button type="submit" name="anyway" value="yes" className="button" disabled={busy}>
            Send anyway
          </button>
        </div>
      ) : null}
      <MacroPicker ticketId={loaderData.ticket.id} macros={loaderData.macros} onInsert={insertMacro} />
      <fieldset className="ws-visibility">
        <legend>Reply as</legend>
        <label>
          <input type="radio" name="visibility" value="PUBLIC" id="visibility-public" defaultChecked={initialVisibility === 'PUBLIC'} />
          Public reply <span className="muted">(the customer sees it)</span>
        </label>
        <label>
          <input
            type="radio"
            name="visibility"
            value="INTERNAL"
            id="visibility-internal"
            defaultChecked={initialVisibility === 'INTERNAL'}
          />
          Internal note <span className="muted">(staff only)</span>
        </label>
      </fieldset>
      <div className="field">
        <label htmlFor="reply-body">
          <span className="ws-when-public">Your reply</span>
          <span className="ws-when-internal">Your internal note</span>
        </label>
        <textarea
          ref={textareaRef}
          id="reply-body"
          name="body"
          rows={6}
          defaultValue={draft?.body ?? ''}
          {...describedBy(errors, 'reply-errors', 'reply-hint')}
        />
        <FieldErrors id="reply-errors" errors={errors} />
        <p id="reply-hint" className="hint">
          Markdown: **bold**, lists, `code`, [links](https://example.com). HTML shows as text.
        </p>
      </div>
      {loaderData.statusOptions.length > 0 ? (
        <div className="field ws-status-after">
          <label htmlFor="status-after">Then set the status</label>
          <select
            id="status-after"
            name="statusAfter"
            value={statusAfter}
            onChange={(event) => setStatusAfter(event.target.value as TicketStatus | '')}
          >
            <option value="">Leave it {STAFF_STATUS_LABELS[loaderData.ticket.status].toLowerCase()}</option>
            {loaderData.statusOptions.map((option) => (
              <option key={option.status} value={option.status}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="ws-actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          <span className="ws-when-public">Send public reply</span>
          <span className="ws-when-internal">Add internal note</span>
        </button>
      </div>
    </Form>
  );
}

// ---------------------------------------------------------------------------------------------------------------

export default function TicketWorkspace({ loaderData, actionData }: Route.ComponentProps) {
  const { ticket, comments, commentCount, customer, triage, routing, escalations, events, suggestions } = loaderData;
  const navigation = useNavigation();
  const navigate = useNavigate();
  const busy = navigation.state === 'submitting';
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const assignMeRef = useRef<HTMLFormElement>(null);
  // What needs JavaScript (inserting a link into the reply, the shortcuts) appears once the page is live.
  const [live, setLive] = useState(false);
  useEffect(() => setLive(true), []);

  const statusErrors = errorsOf(actionData, 'status');
  const priorityErrors = errorsOf(actionData, 'priority');
  const assignErrors = errorsOf(actionData, 'assign');
  const triageErrors = errorsOf(actionData, 'triage');
  const acknowledgeErrors = errorsOf(actionData, 'acknowledge');
  const assignedToMe = loaderData.assignee?.id === loaderData.me.userId;

  const shortcuts = useMemo<Shortcut[]>(() => {
    const compose = (visibility: 'public' | 'internal') => {
      const radio = document.getElementById(`visibility-${visibility}`);
      if (radio instanceof HTMLInputElement) radio.checked = true;
      textareaRef.current?.focus();
    };
    return [
      { key: 'r', description: 'Write a public reply', run: () => compose('public') },
      { key: 'n', description: 'Write an internal note', run: () => compose('internal') },
      { key: 'a', description: 'Assign the ticket to me', run: () => assignMeRef.current?.requestSubmit() },
      {
        key: 'j',
        description: 'Next ticket in the view you came from (the view itself after its last)',
        run: () => navigate(loaderData.nextHref),
      },
    ];
  }, [navigate, loaderData.nextHref]);
  useShortcuts(shortcuts);

  const insertLink = (title: string, slug: string) => {
    const textarea = textareaRef.current;
    if (!textarea) return;
    const link = `[${title.replace(/([[\]\\])/g, '\\$1')}](/help/${slug})`;
    textarea.value = textarea.value.trim() ? `${textarea.value.replace(/\s+$/, '')}\n\n${link}` : link;
    textarea.focus();
  };

  return (
    <div className="ws">
      <p className="breadcrumbs">
        <Link to={loaderData.backHref}>Views</Link> / {customer.name} / Ticket #{ticket.number}
      </p>
      <h1 className="ws-title">{ticket.subject}</h1>
      <dl className="ws-facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="ticket-status">{ticket.statusLabel}</dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd data-testid="ticket-priority">{ticket.priorityLabel}</dd>
        </div>
        <div>
          <dt>Assignee</dt>
          <dd data-testid="ticket-assignee">{loaderData.assignee?.name ?? 'Nobody'}</dd>
        </div>
        <div>
          <dt>Queue</dt>
          <dd>{loaderData.queue ?? '—'}</dd>
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
      </dl>

      <div className="ws-columns">
        <div className="ws-main">
          <section aria-labelledby="manage-title" className="card ws-card">
            <h2 id="manage-title">Manage</h2>
            <div className="ws-controls">
              <Form method="post" className="ws-control">
                <input type="hidden" name="intent" value="status" />
                <label htmlFor="ticket-status-select">Status</label>
                {loaderData.statusOptions.length > 0 ? (
                  <div className="ws-control__row">
                    <select id="ticket-status-select" name="status" defaultValue="" {...describedBy(statusErrors, 'status-errors')}>
                      <option value="" disabled>
                        {ticket.statusLabel} — move to…
                      </option>
                      {loaderData.statusOptions.map((option) => (
                        <option key={option.status} value={option.status}>
                          {option.label}
                        </option>
                      ))}
                    </select>
                    <button type="submit" className="button button--small" disabled={busy}>
                      Change status
                    </button>
                  </div>
                ) : (
                  <p className="muted">{ticket.statusLabel}: no further moves.</p>
                )}
                <FieldErrors id="status-errors" errors={statusErrors} />
              </Form>

              <Form method="post" className="ws-control">
                <input type="hidden" name="intent" value="priority" />
                <label htmlFor="ticket-priority-select">Priority</label>
                <div className="ws-control__row">
                  <select
                    id="ticket-priority-select"
                    name="priority"
                    defaultValue={ticket.priority}
                    key={ticket.priority}
                    {...describedBy(priorityErrors, 'priority-errors')}
                  >
                    {loaderData.priorityOptions.map((option) => (
                      <option key={option.priority} value={option.priority}>
                        {option.label}
                      </option>
                    ))}
                  </select>
                  <button type="submit" className="button button--small" disabled={busy}>
                    Change priority
                  </button>
                </div>
                <FieldErrors id="priority-errors" errors={priorityErrors} />
                {priorityErrors?.some((error) => error.code === 'ENTITLEMENT_REQUIRED') ? (
                  <p className="hint" data-testid="priority-reason">
                    Refused by the customer’s entitlements: the {customer.tierName} tier decides which priorities a ticket may have.
                  </p>
                ) : null}
              </Form>

              <div className="ws-control">
                <Form method="post" className="ws-control" id="assign-form">
                  <input type="hidden" name="intent" value="assign" />
                  <label htmlFor="ticket-assignee-select">Assignee</label>
                  <div className="ws-control__row">
                    <select
                      id="ticket-assignee-select"
                      name="assigneeId"
                      defaultValue={loaderData.assignee?.id ?? ''}
                      key={loaderData.assignee?.id ?? 'nobody'}
                      {...describedBy(assignErrors, 'assign-errors')}
                    >
                      <option value="">Nobody</option>
                      {loaderData.assignee && !loaderData.assignable.some((agent) => agent.id === loaderData.assignee!.id) ? (
                        <option value={loaderData.assignee.id}>{loaderData.assignee.name}</option>
                      ) : null}
                      {loaderData.assignable.map((agent) => (
                        <option key={agent.id} value={agent.id}>
                          {agent.name} ({agent.presence}
                          {agent.onShift ? ', on shift' : ''})
                        </option>
                      ))}
                    </select>
                    <button type="submit" className="button button--small" disabled={busy}>
                      Assign
                    </button>
                  </div>
                </Form>
                {assignedToMe ? null : (
                  <Form method="post" ref={assignMeRef}>
                    <input type="hidden" name="intent" value="assign" />
                    <input type="hidden" name="assigneeId" value={loaderData.me.userId} />
                    <button type="submit" className="button button--small" disabled={busy}>
                      Assign to me <kbd>a</kbd>
                    </button>
                  </Form>
                )}
                <FieldErrors id="assign-errors" errors={assignErrors} />
              </div>

              <div className="ws-control">
                <span className="ws-control__label">Queue</span>
                <p className="ws-control__value">
                  {loaderData.queue ?? 'Not routed'}
                  <span className="hint"> — set by routing; correcting the domain routes a waiting ticket again.</span>
                </p>
              </div>
            </div>
          </section>

          <section aria-labelledby="conversation-title" className="card ws-card">
            <h2 id="conversation-title">Conversation</h2>
            <ol className="ws-thread" aria-label="Conversation">
              <li className="ws-comment ws-comment--public" data-testid="description">
                <p className="ws-comment__meta">
                  <span className="ws-kind ws-kind--public">Description</span>
                  <strong>{ticket.requesterName}</strong>
                  <span className="ws-customer-badge">Customer</span>
                  <time dateTime={ticket.createdAt}>{ticket.created}</time>
                </p>
                <div className="ws-markdown" dangerouslySetInnerHTML={{ __html: ticket.descriptionHtml }} />
              </li>
              {comments.map((comment) => (
                <CommentItem key={comment.id} comment={comment} />
              ))}
            </ol>
            {commentCount > comments.length ? (
              <p className="muted">
                Showing the first {comments.length} of {commentCount} comments.
              </p>
            ) : null}

            {ticket.acceptsReplies ? (
              <ReplyForm loaderData={loaderData} actionData={actionData} busy={busy} textareaRef={textareaRef} />
            ) : (
              <p className="muted">This ticket is closed: it takes no more replies.</p>
            )}
          </section>

          <section aria-labelledby="suggestions-title" className="card ws-card">
            <h2 id="suggestions-title">Suggested articles</h2>
            {suggestions.length === 0 ? (
              <p className="muted">No knowledge-base article matches this ticket.</p>
            ) : (
              <ul className="ws-suggestions" aria-label="Suggested articles">
                {suggestions.map((article) => (
                  <li key={article.slug} data-testid="suggestion">
                    <a href={`/help/${article.slug}`} target="_blank" rel="noreferrer">
                      {article.title}
                    </a>
                    <p className="muted">{article.summary}</p>
                    {live && ticket.acceptsReplies ? (
                      <button type="button" className="button button--small" onClick={() => insertLink(article.title, article.slug)}>
                        Insert link in reply<span className="visually-hidden">: {article.title}</span>
                      </button>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section aria-labelledby="triage-title" className="card ws-card">
            <h2 id="triage-title">Triage and routing</h2>
            {triage ? (
              <>
                <p data-testid="triage-domain">
                  Domain <strong>{triage.domainLabel}</strong>
                  {triage.corrected
                    ? ` — corrected by ${triage.corrected.by} on ${triage.corrected.at} (triage said ${triage.triagedLabel})`
                    : ` — by ${triage.source}, confidence ${triage.confidence}`}
                  . Urgency {triage.urgency}/100 ({triage.urgencyLevel}); suggested priority {triage.suggestedPriority}, declared{' '}
                  {triage.declaredPriority}.{triage.criticalOutage ? ' Critical outage.' : ''}
                </p>
                {triage.needsAttention && !triage.corrected ? (
                  <p className="ws-attention">Needs attention: confirm or correct the domain.</p>
                ) : null}
                <Form method="post" className="ws-control">
                  <input type="hidden" name="intent" value="triage" />
                  <label htmlFor="triage-domain-select">Correct the domain</label>
                  <div className="ws-control__row">
                    <select
                      id="triage-domain-select"
                      name="domain"
                      defaultValue={triage.domain}
                      key={triage.domain}
                      {...describedBy(triageErrors, 'triage-errors')}
                    >
                      {loaderData.domainOptions.map((option) => (
                        <option key={option.domain} value={option.domain}>
                          {option.label}
                        </option>
                      ))}
                    </select>
                    <button type="submit" className="button button--small" disabled={busy}>
                      Correct
                    </button>
                  </div>
                  <FieldErrors id="triage-errors" errors={triageErrors} />
                </Form>
                <details className="ws-details">
                  <summary>Why triage decided this</summary>
                  <ul>
                    {triage.reasons.map((reason) => (
                      <li key={reason}>{reason}</li>
                    ))}
                  </ul>
                </details>
              </>
            ) : (
              <p className="muted">This ticket has not been triaged.</p>
            )}
            {routing ? (
              <>
                <p data-testid="routing-queue">
                  Queue <strong>{routing.queueName}</strong>
                  {routing.ruleName ? ` by the rule “${routing.ruleName}”` : ' (the default queue)'}; {routing.status}
                  {routing.waitingSince ? ` since ${routing.waitingSince}` : ''}.{routing.pagedImmediately ? ' On-call paged at once.' : ''}
                </p>
                {routing.assignmentReason ? <p>Assignment: {routing.assignmentReason}</p> : null}
                <details className="ws-details">
                  <summary>Every routing step</summary>
                  <ul>
                    {routing.reasons.map((reason) => (
                      <li key={reason}>{reason}</li>
                    ))}
                  </ul>
                </details>
              </>
            ) : null}
          </section>

          <section aria-labelledby="escalations-title" className="card ws-card">
            <h2 id="escalations-title">Escalations</h2>
            {routing?.policy ? (
              <p className="hint">
                Chain “{routing.policy.name}”:{' '}
                {routing.policy.levels.map((level) => `level ${level.level} after ${level.after} pages ${level.targets}`).join('; ')}
                {routing.policy.repeatCount > 0 ? `; repeats ${routing.policy.repeatCount}×` : ''}.
              </p>
            ) : null}
            {escalations.length === 0 ? (
              <p className="muted">Not escalated.</p>
            ) : (
              <ol className="ws-escalations" aria-label="Escalations">
                {escalations.map((escalation) => (
                  <li
                    key={escalation.id}
                    data-testid="escalation"
                    className={`ws-escalation ws-escalation--${escalation.status.toLowerCase()}`}
                  >
                    <p>
                      <strong data-testid="escalation-status">{escalation.statusLabel}</strong> · level {escalation.level} ·{' '}
                      {escalation.triggerLabel}, <time dateTime={escalation.createdAt}>{escalation.created}</time>
                    </p>
                    <p>{escalation.internalReason ?? escalation.reason}</p>
                    {escalation.steps.length > 0 ? (
                      <ol className="ws-steps" aria-label="Pages sent">
                        {escalation.steps.map((step) => (
                          <li key={step.key}>
                            Level {step.level}
                            {step.pass > 1 ? ` (pass ${step.pass})` : ''}, {step.at}: paged {step.notified}
                          </li>
                        ))}
                      </ol>
                    ) : null}
                    {escalation.acknowledged ? (
                      <p className="muted">
                        Acknowledged by {escalation.acknowledged.by} on {escalation.acknowledged.at}.
                      </p>
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="acknowledge" />
                        <input type="hidden" name="escalationId" value={escalation.id} />
                        {escalation.nextStep ? <p className="hint">Next level pages at {escalation.nextStep}.</p> : null}
                        <button type="submit" className="button button--small" disabled={busy}>
                          Acknowledge
                        </button>
                      </Form>
                    )}
                  </li>
                ))}
              </ol>
            )}
            <FieldErrors id="acknowledge-errors" errors={acknowledgeErrors} />
          </section>

          <section aria-labelledby="events-title" className="card ws-card">
            <h2 id="events-title">Trail</h2>
            <ol className="ws-events" aria-labelledby="events-title">
              {events.map((event) => (
                <li key={event.key}>
                  <time dateTime={event.at} className="muted">
                    {event.when}
                  </time>
                  <strong>{event.type}</strong>
                  <span>{event.actor}</span>
                  <span>{event.summary}</span>
                </li>
              ))}
            </ol>
          </section>
        </div>

        <aside className="ws-side" aria-label="SLA and customer">
          <SlaClocks
            clocks={loaderData.clocks}
            renderedAt={loaderData.renderedAt}
            warnPercent={loaderData.warnPercent}
            warnSource={loaderData.warnSource}
          />
          <CustomerPanel customer={customer} />
          <details className="card ws-card shortcut-help" open>
            <summary>Keyboard shortcuts</summary>
            {/* Listed once the page is live: the keys need JavaScript, and work from that moment on. */}
            {live ? (
              <>
                <ul className="ws-shortcuts" aria-label="Keyboard shortcuts">
                  {shortcuts.map((shortcut) => (
                    <li key={shortcut.key}>
                      <kbd>{shortcut.key}</kbd> {shortcut.description}
                    </li>
                  ))}
                </ul>
                <p className="hint">Shortcuts do nothing while you type in a field.</p>
              </>
            ) : (
              <p className="hint">Keyboard shortcuts need JavaScript.</p>
            )}
          </details>
        </aside>
      </div>
    </div>
  );
}

function CustomerPanel({ customer }: { customer: LoaderData['customer'] }) {
  const overrides = customer.entitlements.filter((entitlement) => entitlement.override);
  return (
    <section aria-labelledby="customer-title" className="card ws-card" data-testid="customer-panel">
      <h2 id="customer-title">Customer</h2>
      <p className="ws-org">
        <strong>{customer.name}</strong> <span className={`tier-badge tier-badge--${customer.tierKey}`}>{customer.tierName}</span>
      </p>
      <dl className="ws-kv">
        <div>
          <dt>Business-critical</dt>
          <dd>{customer.businessCritical ? 'Yes' : 'No'}</dd>
        </div>
        <div>
          <dt>Strategic</dt>
          <dd>{customer.strategic ? 'Yes' : 'No'}</dd>
        </div>
        <div>
          <dt>Technical account manager</dt>
          <dd data-testid="customer-tam">{customer.technicalAccountManager?.name ?? 'None'}</dd>
        </div>
        <div>
          <dt>Coverage</dt>
          <dd>{customer.coverage ?? 'No commitments'}</dd>
        </div>
        <div>
          <dt>Region, time zone</dt>
          <dd>
            {customer.region}, {customer.timeZone}
          </dd>
        </div>
        <div>
          <dt>Tickets this month</dt>
          <dd className="ws-number">
            {customer.usage.thisMonth}
            {customer.usage.allowance === null ? ' (unlimited)' : ` of ${customer.usage.allowance}`}
          </dd>
        </div>
      </dl>

      {customer.upgradeReminder ? (
        <div className="ws-upgrade" data-testid="upgrade-reminder">
          <p>
            <strong>Upgrade reminder:</strong> the {customer.upgradeReminder.tierName} tier fits them better (since{' '}
            {customer.upgradeReminder.created}).
          </p>
          <ul>
            {customer.upgradeReminder.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      ) : null}

      <h3>Open escalations</h3>
      {customer.openEscalations.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="ws-list" data-testid="open-escalations">
          {customer.openEscalations.map((escalation) => (
            <li key={escalation.id}>
              <Link to={`/console/tickets/${escalation.ticketId}`}>
                #{escalation.number} {escalation.subject}
              </Link>{' '}
              <span className="muted">
                — {escalation.statusLabel}, level {escalation.level}
              </span>
            </li>
          ))}
        </ul>
      )}

      <h3>Recent tickets</h3>
      <ul className="ws-list" data-testid="recent-tickets">
        {customer.recentTickets.map((recent) => (
          <li key={recent.id}>
            {recent.current ? (
              <span aria-current="page">
                #{recent.number} {recent.subject} (this ticket)
              </span>
            ) : (
              <Link to={`/console/tickets/${recent.id}`}>
                #{recent.number} {recent.subject}
              </Link>
            )}{' '}
            <span className="muted">
              — {recent.statusLabel}, {recent.priorityLabel}
            </span>
          </li>
        ))}
      </ul>
      {customer.ticketCount > customer.recentTickets.length ? (
        <p className="hint">
          {customer.recentTickets.length} newest of {customer.ticketCount}.
        </p>
      ) : null}

      <details className="ws-details">
        <summary>
          Entitlements{overrides.length > 0 ? ` (${overrides.length} contract override${overrides.length === 1 ? '' : 's'})` : ''}
        </summary>
        <table className="table ws-entitlements" aria-label="Entitlements in force">
          <tbody>
            {customer.entitlements.map((entitlement) => (
              <tr key={entitlement.feature}>
                <th scope="row">{entitlement.label}</th>
                <td className="ws-number">
                  {entitlement.value}
                  {entitlement.override ? (
                    <span className="ws-override">
                      {' '}
                      Contract override
                      {entitlement.override.until ? (
                        <>
                          {' '}
                          until <time dateTime={entitlement.override.untilIso!}>{entitlement.override.until}</time>
                        </>
                      ) : null}
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} back={{ to: '/console', label: 'Back to your views' }} />;
}
