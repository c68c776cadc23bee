import { DashboardDocument, DismissUpgradeReminderDocument } from '@tierdesk/schema';
import { data, Form, Link, redirect } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { ApiError, execute, failureResponse, requireApi } from '../lib/api.server';
import {
  CHANNEL_LABELS,
  COVERAGE_LABELS,
  formatAllowance,
  formatDateTime,
  formatDuration,
  nextDeadline,
  PRIORITY_LABELS,
  STATUS_LABELS,
} from '../lib/format';
import type { Route } from './+types/dashboard';

const PAGE_SIZE = 20;

export function meta() {
  return [{ title: 'Dashboard · Tierdesk support' }];
}

export async function loader(args: Route.LoaderArgs) {
  const api = await requireApi(args);
  const after = args.url.searchParams.get('after');
  let result;
  try {
    result = await execute(DashboardDocument, { first: PAGE_SIZE, after: after || null }, api.token);
  } catch (error) {
    // A stale or hand-edited page link: start again from the first page rather than show an error.
    if (after && error instanceof ApiError && error.code === 'BAD_USER_INPUT') throw redirect('/dashboard');
    return failureResponse(args, error);
  }

  const organization = result.viewer.organization;
  if (!organization) throw data({ message: 'Your account does not belong to an organization.' }, { status: 403 });
  const { entitlements, ticketUsage, timeZone } = organization;
  return {
    organization: { name: organization.name, tier: organization.tier },
    reminder: result.upgradeReminder ? { id: result.upgradeReminder.id, reasons: result.upgradeReminder.reasons } : null,
    plan: {
      coverage: entitlements.coverage ? COVERAGE_LABELS[entitlements.coverage] : 'None',
      channels: entitlements.allowedChannels.map((channel) => CHANNEL_LABELS[channel]),
      technicalAccountManager: entitlements.technicalAccountManager,
      premiumKnowledgeBase: entitlements.premiumKnowledgeBase,
      customerEscalation: entitlements.customerEscalation,
      allowance: formatAllowance(ticketUsage.thisMonth, ticketUsage.allowance ?? entitlements.monthlyTicketAllowance),
      targets: entitlements.responseTargets.map((target) => ({
        priority: PRIORITY_LABELS[target.priority],
        firstResponse: formatDuration(target.firstResponseMinutes, entitlements.coverage),
        resolution: formatDuration(target.resolutionMinutes, entitlements.coverage),
      })),
    },
    tickets: {
      rows: result.tickets.nodes.map((ticket) => {
        const deadline = nextDeadline(ticket.slaClocks);
        return {
          id: ticket.id,
          number: ticket.number,
          subject: ticket.subject,
          status: STATUS_LABELS[ticket.status],
          priority: PRIORITY_LABELS[ticket.priority],
          updatedAt: ticket.updatedAt,
          updated: formatDateTime(ticket.updatedAt, timeZone),
          // The earliest due time among the clocks running now: when the team next owes an answer (or a solution).
          nextDeadlineAt: deadline,
          nextDeadline: deadline ? formatDateTime(deadline, timeZone) : null,
        };
      }),
      totalCount: result.tickets.totalCount,
      nextCursor: result.tickets.pageInfo.hasNextPage ? result.tickets.pageInfo.endCursor : null,
      isFirstPage: !after,
    },
  };
}

/** "Dismiss" on the upgrade reminder; post/redirect/get back to the dashboard. */
export async function action(args: Route.ActionArgs) {
  const api = await requireApi(args);
  const form = await args.request.formData();
  const id = String(form.get('reminderId') ?? '');
  if (form.get('intent') === 'dismiss-upgrade' && id) {
    const { dismissUpgradeReminder } = await api.run(DismissUpgradeReminderDocument, { id });
    if (dismissUpgradeReminder.userErrors.length > 0) {
      return data({ message: dismissUpgradeReminder.userErrors.map((error) => error.message).join(' ') }, { status: 400 });
    }
  }
  throw redirect('/dashboard');
}

const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

export default function Dashboard({ loaderData, actionData }: Route.ComponentProps) {
  const { organization, plan, tickets, reminder } = loaderData;
  return (
    <>
      <h1>{organization.name}</h1>

      {reminder ? (
        <section className="card upgrade-reminder" role="status" aria-labelledby="upgrade-title" data-testid="upgrade-reminder">
          <h2 id="upgrade-title">A higher tier may suit you better</h2>
          <ul>
            {reminder.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
          {actionData?.message ? <p className="error">{actionData.message}</p> : null}
          <div className="section-heading">
            <Link to="/plans" className="button button--primary">
              Compare plans
            </Link>
            <Form method="post">
              <input type="hidden" name="intent" value="dismiss-upgrade" />
              <input type="hidden" name="reminderId" value={reminder.id} />
              <button type="submit" className="button">
                Dismiss
              </button>
            </Form>
          </div>
        </section>
      ) : null}

      <section aria-labelledby="plan-title" className="card">
        <h2 id="plan-title">
          Your support plan: <span data-testid="tier-name">{organization.tier.name}</span>
        </h2>
        {organization.tier.description ? <p className="muted">{organization.tier.description}</p> : null}

        <table className="table">
          <caption>Response targets</caption>
          <thead>
            <tr>
              <th scope="col">Priority</th>
              <th scope="col">First response</th>
              <th scope="col">Resolution</th>
            </tr>
          </thead>
          <tbody>
            {plan.targets.map((target) => (
              <tr key={target.priority}>
                <th scope="row">{target.priority}</th>
                <td>{target.firstResponse}</td>
                <td>{target.resolution}</td>
              </tr>
            ))}
          </tbody>
        </table>

        <table className="table table--facts">
          <caption>What your tier includes</caption>
          <tbody>
            <tr>
              <th scope="row">Coverage</th>
              <td>{plan.coverage}</td>
            </tr>
            <tr>
              <th scope="row">Channels</th>
              <td>{plan.channels.join(', ') || 'None'}</td>
            </tr>
            <tr>
              <th scope="row">Technical account manager</th>
              <td>{yesNo(plan.technicalAccountManager)}</td>
            </tr>
            <tr>
              <th scope="row">Premium knowledge base</th>
              <td>{yesNo(plan.premiumKnowledgeBase)}</td>
            </tr>
            <tr>
              <th scope="row">Escalate tickets yourself</th>
              <td>{yesNo(plan.customerEscalation)}</td>
            </tr>
            <tr>
              <th scope="row">Monthly ticket allowance</th>
              <td>{plan.allowance}</td>
            </tr>
          </tbody>
        </table>
      </section>

      <section aria-labelledby="tickets-title" className="card">
        <div className="section-heading">
          <h2 id="tickets-title">Tickets</h2>
          <Link to="/tickets/new" className="button button--primary">
            New ticket
          </Link>
        </div>
        {tickets.rows.length === 0 ? (
          <p className="muted">{tickets.isFirstPage ? 'No tickets yet.' : 'No more tickets.'}</p>
        ) : (
          <table className="table">
            <caption className="visually-hidden">Your organization’s tickets, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Subject</th>
                <th scope="col">Status</th>
                <th scope="col">Priority</th>
                <th scope="col">Updated</th>
                <th scope="col">Next deadline</th>
              </tr>
            </thead>
            <tbody>
              {tickets.rows.map((ticket) => (
                <tr key={ticket.id}>
                  <td>
                    <Link to={`/tickets/${encodeURIComponent(ticket.id)}`}>#{ticket.number}</Link>
                  </td>
                  <td>
                    <Link to={`/tickets/${encodeURIComponent(ticket.id)}`}>{ticket.subject}</Link>
                  </td>
                  <td>{ticket.status}</td>
                  <td>{ticket.priority}</td>
                  <td>
                    <time dateTime={ticket.updatedAt}>{ticket.updated}</time>
                  </td>
                  <td className="next-deadline" data-testid="next-deadline">
                    {ticket.nextDeadlineAt ? <time dateTime={ticket.nextDeadlineAt}>{ticket.nextDeadline}</time> : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <nav aria-label="Ticket pages" className="pager">
          <span className="muted">{tickets.totalCount} tickets in total</span>
          {tickets.isFirstPage ? null : <Link to="/dashboard">First page</Link>}
          {tickets.nextCursor ? <Link to={`/dashboard?${new URLSearchParams({ after: tickets.nextCursor })}`}>Next page</Link> : null}
        </nav>
      </section>
    </>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} />;
}
