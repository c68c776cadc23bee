import {
  ConsoleAcknowledgePageDocument,
  ConsoleMarkNotificationReadDocument,
  ConsoleMyWorkDocument,
  type EscalationTrigger,
  type Presence,
  type SupportDomain,
  type TicketPriority,
} from '@tierdesk/schema';
import { useEffect, useMemo, useRef } from 'react';
import { data, Form, Link, useFetcher, useNavigation, useRevalidator } from 'react-router';
import { FormErrorSummary, toFormErrors, type FormError } from '../components/form-errors';
import { useShortcuts } from '../console/shortcuts';
import { ShortcutHelp } from '../console/shortcut-help';
import stylesheet from '../console-me.css?url';
import { requireStaff } from '../lib/console.server';
import { formatDateTime, PRIORITIES, PRIORITY_LABELS } from '../lib/format';
import type { Route } from './+types/console.me';

export const links: Route.LinksFunction = () => [{ rel: 'stylesheet', href: stylesheet }];

export function meta() {
  return [{ title: 'My work · Tierdesk console' }];
}

/** How often an open, visible page asks for new pages and notifications. */
const REFRESH_MS = 10_000;
const NOTIFICATIONS_PAGE = 20;
/** A certification expiring within this many days is flagged: time to renew before routing stops counting it. */
const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;
/** The console does not know a staff member's time zone (the API does not expose it): times are in UTC, labelled. */
const TIME_ZONE = 'UTC';

const PRESENCE_LABELS: Record<Presence, string> = { ONLINE: 'Online', AWAY: 'Away', OFFLINE: 'Offline' };

const DOMAIN_LABELS: Record<SupportDomain, string> = {
  BILLING: 'Billing',
  DATA_MODELS: 'Data models',
  FEATURE_REQUEST: 'Feature requests',
  HOW_TO: 'How-to',
  INTEGRATIONS: 'Integrations',
  PERFORMANCE: 'Performance',
  SECURITY: 'Security',
};

const SKILL_LEVEL_LABELS: Record<number, string> = { 1: 'Can handle', 2: 'Experienced', 3: 'Expert' };

/** What started an escalation, as staff say it (the portal's labels speak to the customer). */
const TRIGGER_LABELS: Record<EscalationTrigger, string> = {
  SLA_WARNING: 'SLA warning',
  SLA_BREACH: 'SLA breach',
  CUSTOMER: 'Customer escalated',
  STAFF: 'Staff escalated',
  ROUTING: 'Paged on arrival (routing)',
};

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language' });

/** "4 min ago", "in 26 min", "yesterday": computed on the server with the loader, so hydration agrees. */
function relativeTime(iso: string, now: number): string {
  const seconds = (Date.parse(iso) - now) / 1000;
  const size = Math.abs(seconds);
  if (size < 45) return seconds < 0 ? 'just now' : 'in under a minute';
  if (size < 3600) return RELATIVE.format(Math.round(seconds / 60), 'minute');
  if (size < 48 * 3600) return RELATIVE.format(Math.round(seconds / 3600), 'hour');
  return RELATIVE.format(Math.round(seconds / 86400), 'day');
}

function moment(iso: string, now: number) {
  return { iso, relative: relativeTime(iso, now), absolute: formatDateTime(iso, TIME_ZONE) };
}

function languageName(code: string): string {
  try {
    const name = LANGUAGE_NAMES.of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

type CertificationState = 'expired' | 'expiring' | 'valid' | 'no-expiry';

function certificationState(expiresAt: string | null, valid: boolean, now: number): { state: CertificationState; label: string } {
  if (!valid) return { state: 'expired', label: 'Expired' };
  if (!expiresAt) return { state: 'no-expiry', label: 'Valid, does not expire' };
  const days = Math.ceil((Date.parse(expiresAt) - now) / DAY_MS);
  if (days <= EXPIRY_WARNING_DAYS) return { state: 'expiring', label: `Expires in ${days} ${days === 1 ? 'day' : 'days'}` };
  return { state: 'valid', label: 'Valid' };
}

export async function loader(args: Route.LoaderArgs) {
  const { api } = await requireStaff(args);
  const url = new URL(args.request.url);
  const includeAcknowledged = url.searchParams.get('acknowledged') === '1';
  const notificationsAfter = url.searchParams.get('after') || null;
  const result = await api.run(ConsoleMyWorkDocument, {
    includeAcknowledged,
    notificationsFirst: NOTIFICATIONS_PAGE,
    notificationsAfter,
  });
  const now = Date.now();
  const { agent } = result;

  const pages = result.myPages.nodes.map((page) => ({
    id: page.id,
    open: page.status === 'TRIGGERED',
    statusLabel: page.status === 'TRIGGERED' ? 'Paging' : page.status === 'ACKNOWLEDGED' ? 'Acknowledged' : 'Exhausted',
    trigger: TRIGGER_LABELS[page.trigger],
    reason: page.internalReason,
    level: page.level,
    since: moment(page.createdAt, now),
    nextStep: page.status === 'TRIGGERED' && page.nextStepAt ? moment(page.nextStepAt, now) : null,
    acknowledged: page.acknowledgedAt ? moment(page.acknowledgedAt, now) : null,
    ticket: {
      id: page.ticket.id,
      number: page.ticket.number,
      subject: page.ticket.subject,
      priority: PRIORITY_LABELS[page.ticket.priority],
      organization: page.ticket.organization.name,
      tierKey: page.ticket.organization.tier.key,
      tierName: page.ticket.organization.tier.name,
    },
  }));

  const notifications = result.myNotifications.nodes.map((notification) => ({
    id: notification.id,
    title: notification.title,
    body: notification.body,
    ticketId: notification.ticketId ?? null,
    unread: !notification.readAt,
    created: moment(notification.createdAt, now),
  }));

  const countOf = (list: readonly { priority: TicketPriority; count: number }[], priority: TicketPriority) =>
    list.find((entry) => entry.priority === priority)?.count ?? 0;
  const workload = agent
    ? PRIORITIES.slice()
        .reverse()
        .map((priority) => {
          const open = countOf(agent.load, priority);
          const capacity = countOf(agent.capacity, priority);
          return { priority, label: PRIORITY_LABELS[priority], open, capacity, room: Math.max(capacity - open, 0) };
        })
    : [];

  return {
    updated: formatDateTime(new Date(now).toISOString(), TIME_ZONE),
    includeAcknowledged,
    pages,
    openPages: result.myPages.totalCount,
    notifications,
    notificationCount: result.myNotifications.totalCount,
    unreadCount: result.unreadNotifications.totalCount,
    olderNotificationsAfter: result.myNotifications.pageInfo.hasNextPage ? result.myNotifications.pageInfo.endCursor : null,
    showingOlder: notificationsAfter !== null,
    agent: agent
      ? {
          presence: agent.presence,
          presenceLabel: PRESENCE_LABELS[agent.presence],
          onShift: agent.onShift,
          utilisationPercent: Math.round(agent.utilisation * 100),
          takingTickets: agent.presence === 'ONLINE' && agent.onShift && workload.some((row) => row.room > 0),
          workload,
          region: agent.region,
          languages: agent.languages.map(languageName),
          skills: [...agent.skills]
            .sort((a, b) => b.level - a.level || DOMAIN_LABELS[a.domain].localeCompare(DOMAIN_LABELS[b.domain]))
            .map((skill) => ({
              domain: DOMAIN_LABELS[skill.domain],
              level: skill.level,
              meaning: SKILL_LEVEL_LABELS[skill.level] ?? '',
            })),
          certifications: agent.certifications.map((certification) => ({
            name: certification.name,
            expires: certification.expiresAt ? formatDateTime(certification.expiresAt, TIME_ZONE) : 'No expiry',
            expiresAt: certification.expiresAt ?? null,
            ...certificationState(certification.expiresAt ?? null, certification.valid, now),
          })),
        }
      : null,
  };
}

type ActionResult =
  | { intent: 'acknowledge'; acknowledged: { number: number; subject: string } | null; errors: FormError[] }
  | { intent: 'read'; errors: FormError[] };

export async function action(args: Route.ActionArgs) {
  const { api } = await requireStaff(args);
  const form = await args.request.formData();
  const intent = form.get('intent');
  const id = String(form.get('id') ?? '');
  if (intent === 'acknowledge' && id) {
    const { acknowledgeEscalation } = await api.run(ConsoleAcknowledgePageDocument, { id });
    if (acknowledgeEscalation.userErrors.length > 0) {
      // Typically CONFLICT: someone else acknowledged it first, or the chain ran out; the list reloads either way.
      return data<ActionResult>({ intent, acknowledged: null, errors: toFormErrors(acknowledgeEscalation.userErrors) }, { status: 409 });
    }
    const ticket = acknowledgeEscalation.escalation?.ticket;
    return data<ActionResult>({ intent, acknowledged: ticket ? { number: ticket.number, subject: ticket.subject } : null, errors: [] });
  }
  if (intent === 'read' && id) {
    const { markNotificationRead } = await api.run(ConsoleMarkNotificationReadDocument, { id });
    return data<ActionResult>(
      { intent, errors: toFormErrors(markNotificationRead.userErrors) },
      { status: markNotificationRead.userErrors.length ? 400 : 200 },
    );
  }
  throw data({ message: 'That action is not available on this page.' }, { status: 400 });
}

/**
 * Keeps the page current while someone looks at it: every REFRESH_MS, and at once when the tab becomes visible
 * again, the route's loaders run again (this page's and the layout's, whose unread count is in the header).
 * Polling rather than a socket: the console reaches the API only over GraphQL through the portal server, which
 * holds the session; the API has no subscriptions, and a socket would need a second, authenticated channel past
 * the portal. A revalidation is the same request the page already makes, paused while the tab is hidden, and
 * ten seconds is well inside an escalation level's delay (minutes).
 */
function useRefreshWhileVisible(intervalMs: number) {
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const busy = useRef(false);
  busy.current = revalidator.state !== 'idle' || navigation.state !== 'idle';
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  useEffect(() => {
    const refresh = () => {
      if (document.visibilityState === 'visible' && !busy.current) void revalidate.current();
    };
    const timer = window.setInterval(refresh, intervalMs);
    const onVisibility = () => {
      if (document.visibilityState === 'visible') refresh();
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs]);
}

function Moment({ value }: { value: { iso: string; relative: string; absolute: string } }) {
  return (
    <time dateTime={value.iso} title={value.absolute}>
      {value.relative}
    </time>
  );
}

type LoaderData = Route.ComponentProps['loaderData'];

function PagesSection({ loaderData, actionData }: { loaderData: LoaderData; actionData: ActionResult | undefined }) {
  const { pages, includeAcknowledged } = loaderData;
  const acknowledgement = actionData?.intent === 'acknowledge' ? actionData : undefined;
  const confirmation = useRef<HTMLParagraphElement>(null);
  // The button just pressed leaves with its row: focus goes to what happened instead of to the top of the page.
  useEffect(() => {
    if (acknowledgement?.acknowledged) confirmation.current?.focus();
  }, [acknowledgement]);
  return (
    <section className="card me-section" aria-labelledby="pages-heading">
      <div className="section-heading">
        <h2 id="pages-heading">
          Escalations paging you <span className="count-badge">{loaderData.openPages}</span>
        </h2>
        <Link to={includeAcknowledged ? '/console/me' : '/console/me?acknowledged=1'} className="me-toggle">
          {includeAcknowledged ? 'Show open pages only' : 'Include acknowledged'}
        </Link>
      </div>
      {acknowledgement?.acknowledged ? (
        <p className="alert me-confirmation" role="status" tabIndex={-1} ref={confirmation} data-testid="acknowledged">
          You acknowledged #{acknowledgement.acknowledged.number} {acknowledgement.acknowledged.subject}. The escalation chain stopped.
        </p>
      ) : null}
      <FormErrorSummary errors={acknowledgement?.errors} />
      {pages.length === 0 ? (
        <p className="muted" data-testid="no-pages">
          {includeAcknowledged ? 'No escalation has paged you yet.' : 'Nothing is paging you.'}
        </p>
      ) : (
        <table className="table me-pages" data-testid="pages">
          <caption className="visually-hidden">Escalations that paged you, newest first</caption>
          <colgroup>
            <col className="me-col-ticket" />
            <col className="me-col-organization" />
            <col className="me-col-level" />
            <col className="me-col-time" />
            <col className="me-col-time" />
            <col className="me-col-action" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Ticket</th>
              <th scope="col">Organization</th>
              <th scope="col" className="num">
                Level
              </th>
              <th scope="col">Paged</th>
              <th scope="col">Next level</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pages.map((page) => (
              <tr key={page.id} data-testid="page-row" className={page.open ? undefined : 'me-pages__done'}>
                <th scope="row" data-label="Ticket">
                  <Link to={`/console/tickets/${page.ticket.id}`}>
                    #{page.ticket.number} {page.ticket.subject}
                  </Link>
                  <span className="me-meta">
                    {page.trigger} · {page.ticket.priority}
                  </span>
                  {page.reason ? <span className="me-reason">{page.reason}</span> : null}
                </th>
                <td data-label="Organization">
                  {page.ticket.organization} <span className={`tier-badge tier-badge--${page.ticket.tierKey}`}>{page.ticket.tierName}</span>
                </td>
                <td data-label="Level" className="num">
                  {page.level}
                </td>
                <td data-label="Paged">
                  <Moment value={page.since} />
                </td>
                <td data-label="Next level">{page.nextStep ? <Moment value={page.nextStep} /> : page.open ? 'Last level' : '—'}</td>
                <td data-label="Action">
                  {page.open ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="acknowledge" />
                      <input type="hidden" name="id" value={page.id} />
                      <button type="submit" className="button button--primary button--small me-acknowledge">
                        Acknowledge<span className="visually-hidden"> #{page.ticket.number}</span>
                      </button>
                    </Form>
                  ) : (
                    <span className="me-status">
                      {page.statusLabel}
                      {page.acknowledged ? (
                        <>
                          {' '}
                          <Moment value={page.acknowledged} />
                        </>
                      ) : null}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NotificationItem({ notification }: { notification: LoaderData['notifications'][number] }) {
  const fetcher = useFetcher<ActionResult>();
  // Shown as read at once; the revalidation after the action confirms it (or brings it back with the error).
  const unread = notification.unread && fetcher.state === 'idle' && !(fetcher.data && fetcher.data.errors.length === 0);
  const errors = fetcher.data?.errors;
  return (
    <li className={unread ? 'me-notification me-notification--unread' : 'me-notification'} data-testid="notification">
      <div className="me-notification__head">
        {unread ? <span className="me-unread-badge">Unread</span> : null}
        <strong className="me-notification__title">
          {notification.ticketId ? <Link to={`/console/tickets/${notification.ticketId}`}>{notification.title}</Link> : notification.title}
        </strong>
        <span className="muted me-notification__time">
          <Moment value={notification.created} />
        </span>
      </div>
      <p className="me-notification__body">{notification.body}</p>
      {errors && errors.length > 0 ? (
        <p role="alert" className="alert alert--error">
          {errors[0]!.message}
        </p>
      ) : null}
      {unread ? (
        <fetcher.Form method="post">
          <input type="hidden" name="intent" value="read" />
          <input type="hidden" name="id" value={notification.id} />
          <button type="submit" className="button button--small me-mark-read">
            Mark read<span className="visually-hidden">: {notification.title}</span>
          </button>
        </fetcher.Form>
      ) : null}
    </li>
  );
}

function NotificationsSection({ loaderData }: { loaderData: LoaderData }) {
  const { notifications, unreadCount } = loaderData;
  return (
    <section className="card me-section" aria-labelledby="notifications-heading">
      <div className="section-heading">
        <h2 id="notifications-heading">Notifications</h2>
        {/* Announced when a refresh brings new ones. */}
        <p className="muted me-unread-count" aria-live="polite" data-testid="unread-count">
          {unreadCount === 0 ? 'All read' : `${unreadCount} unread`}
        </p>
      </div>
      {notifications.length === 0 ? (
        <p className="muted">{loaderData.showingOlder ? 'No older notifications.' : 'No notifications yet.'}</p>
      ) : (
        <ol className="me-notifications" data-testid="notifications">
          {notifications.map((notification) => (
            <NotificationItem key={notification.id} notification={notification} />
          ))}
        </ol>
      )}
      {loaderData.showingOlder || loaderData.olderNotificationsAfter ? (
        <nav className="pager" aria-label="Notification pages">
          {loaderData.showingOlder ? <Link to="/console/me">Newest</Link> : null}
          {loaderData.olderNotificationsAfter ? (
            <Link to={`/console/me?after=${encodeURIComponent(loaderData.olderNotificationsAfter)}`}>Older</Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

function PresenceSection({ agent }: { agent: NonNullable<LoaderData['agent']> }) {
  return (
    <section className="card me-section" aria-labelledby="presence-heading">
      <h2 id="presence-heading">Presence and load</h2>
      <dl className="me-facts">
        <div>
          <dt>Presence</dt>
          <dd data-testid="my-presence">
            <span className={`presence-dot presence-dot--${agent.presence.toLowerCase()}`} aria-hidden="true" /> {agent.presenceLabel}
          </dd>
        </div>
        <div>
          <dt>Working hours</dt>
          <dd data-testid="on-shift">{agent.onShift ? 'On shift now' : 'Off shift now'}</dd>
        </div>
        <div>
          <dt>Taking new tickets</dt>
          <dd data-testid="taking-tickets">{agent.takingTickets ? 'Yes' : 'No'}</dd>
        </div>
        <div>
          <dt>Utilisation</dt>
          <dd>{agent.utilisationPercent}% of capacity</dd>
        </div>
      </dl>
      <p className="hint">
        New tickets are offered to you while you are online, on shift and below your capacity for their priority. Change your presence in
        the header.
      </p>
      <table className="table me-numbers" data-testid="workload">
        <caption>Open tickets against capacity</caption>
        <thead>
          <tr>
            <th scope="col">Priority</th>
            <th scope="col" className="num">
              Open
            </th>
            <th scope="col" className="num">
              Capacity
            </th>
            <th scope="col" className="num">
              Room
            </th>
          </tr>
        </thead>
        <tbody>
          {agent.workload.map((row) => (
            <tr key={row.priority} className={row.capacity > 0 && row.room === 0 ? 'me-full' : undefined}>
              <th scope="row">{row.label}</th>
              <td className="num">{row.open}</td>
              <td className="num">{row.capacity}</td>
              <td className="num">{row.room}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ProfileSection({ agent }: { agent: NonNullable<LoaderData['agent']> }) {
  return (
    <section className="card me-section me-profile" aria-labelledby="profile-heading">
      <h2 id="profile-heading">My profile</h2>
      <p className="hint">
        Only an admin can change an agent profile (skills, certifications, languages, region and capacity): ask one when something here is
        out of date.
      </p>
      <dl className="me-facts">
        <div>
          <dt>Region</dt>
          <dd>{agent.region}</dd>
        </div>
        <div>
          <dt>Languages</dt>
          <dd>{agent.languages.join(', ') || '—'}</dd>
        </div>
      </dl>
      <table className="table me-numbers" data-testid="skills">
        <caption>Skills</caption>
        <thead>
          <tr>
            <th scope="col">Domain</th>
            <th scope="col" className="num">
              Level
            </th>
            <th scope="col">Meaning</th>
          </tr>
        </thead>
        <tbody>
          {agent.skills.map((skill) => (
            <tr key={skill.domain}>
              <th scope="row">{skill.domain}</th>
              <td className="num">{skill.level}</td>
              <td>{skill.meaning}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {agent.skills.length === 0 ? <p className="muted">No skills recorded.</p> : null}
      <table className="table me-certifications" data-testid="certifications">
        <caption>Certifications</caption>
        <colgroup>
          <col className="me-col-name" />
          <col className="me-col-expires" />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Certification</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {agent.certifications.map((certification) => (
            <tr key={certification.name}>
              <th scope="row">{certification.name}</th>
              <td>
                {certification.expiresAt ? <time dateTime={certification.expiresAt}>{certification.expires}</time> : certification.expires}
              </td>
              <td>
                <span className={`me-certification me-certification--${certification.state}`}>{certification.label}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {agent.certifications.length === 0 ? <p className="muted">No certifications recorded.</p> : null}
    </section>
  );
}

export default function MyWork({ loaderData, actionData }: Route.ComponentProps) {
  useRefreshWhileVisible(REFRESH_MS);
  const shortcuts = useMemo(
    () => [
      {
        key: 'a',
        description: 'Go to the newest page’s Acknowledge button',
        run: () => document.querySelector<HTMLButtonElement>('.me-acknowledge')?.focus(),
      },
      {
        key: 'n',
        description: 'Go to the newest unread notification’s Mark read button',
        run: () => document.querySelector<HTMLButtonElement>('.me-mark-read')?.focus(),
      },
    ],
    [],
  );
  useShortcuts(shortcuts);
  return (
    <div className="me">
      <div className="me-title">
        <h1>My work</h1>
        <p className="muted">
          Refreshes every {REFRESH_MS / 1000} seconds while this tab is open. Last updated {loaderData.updated}.
        </p>
      </div>
      <div className="me-grid">
        <div className="me-column">
          <PagesSection loaderData={loaderData} actionData={actionData as ActionResult | undefined} />
          <NotificationsSection loaderData={loaderData} />
        </div>
        <div className="me-column">
          {loaderData.agent ? (
            <>
              <PresenceSection agent={loaderData.agent} />
              <ProfileSection agent={loaderData.agent} />
            </>
          ) : (
            <section className="card me-section" aria-labelledby="profile-heading">
              <h2 id="profile-heading">My profile</h2>
              <p>You have no agent profile yet, so no tickets are routed to you. An admin creates agent profiles.</p>
            </section>
          )}
        </div>
      </div>
      <ShortcutHelp shortcuts={shortcuts} />
    </div>
  );
}
