import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import {
  ConsoleViewDocument,
  type ConsoleViewTicketFragment,
  type SupportDomain,
  type TicketPriority,
  type TicketStatus,
  type TicketViewSort,
} from '@tierdesk/schema';
import { useEffect, useMemo, useRef } from 'react';
import { Form, Link, redirect, useFetcher, useNavigate, useRevalidator } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { DOMAIN_LABELS, DOMAINS, SORT_LABELS, SORTS, STAFF_STATUS_LABELS, TICKET_STATUSES, VIEW_LABELS, VIEWS } from '../console/labels';
import { useShortcuts } from '../console/shortcuts';
import { ShortcutHelp } from '../console/shortcut-help';
import { FILTER_PARAMS, readViewQuery, viewParams, type ViewQuery } from '../console/view-query';
import { nearestTimer, SlaTimer } from '../console/sla-timer';
import { ApiError, execute, failureResponse } from '../lib/api.server';
import { requireStaff } from '../lib/console.server';
import { PRIORITIES, PRIORITY_LABELS } from '../lib/format';
import type { loader as countsLoader } from './console.views.counts';
import stylesheet from '../console-views.css?url';
import type { Route } from './+types/console._index';

export const links: Route.LinksFunction = () => [{ rel: 'stylesheet', href: stylesheet }];

/** Tickets per page of a view: a screenful and a half for a dense table; keyset paging beyond. */
const PAGE_SIZE = 50;
/** How often an open view asks whether anything changed (one count statement), and re-reads the page regardless. */
const POLL_MS = 10_000;
const REFRESH_MS = 60_000;

export function meta({ loaderData }: Route.MetaArgs) {
  return [{ title: loaderData ? `${VIEW_LABELS[loaderData.view]} · Tierdesk console` : 'Views · Tierdesk console' }];
}

export async function loader(args: Route.LoaderArgs) {
  const { api } = await requireStaff(args);
  const { view, sort, filter, chosen } = readViewQuery(args.url.searchParams);
  const after = args.url.searchParams.get('after')?.trim() || null;
  let result;
  try {
    result = await execute(ConsoleViewDocument, { view, sort, filter, first: PAGE_SIZE, after }, api.token);
  } catch (error) {
    // A stale or edited cursor, or an id from another list: start the view from its first page instead.
    if (error instanceof ApiError && error.code === 'BAD_USER_INPUT') {
      const params = new URLSearchParams(args.url.searchParams);
      const hadSomethingToDrop = params.has('after') || ['queue', 'assignee', 'org'].some((name) => params.has(name));
      if (hadSomethingToDrop) {
        params.delete('after');
        if (!after) ['queue', 'assignee', 'org'].forEach((name) => params.delete(name));
        throw redirect(`/console?${params}`);
      }
    }
    return failureResponse(args, error);
  }
  const counts = result.ticketViewCounts;
  const current = counts.find((entry) => entry.view === view)!;
  return {
    view,
    viewDescription: current.description,
    sort: sort ?? current.defaultSort,
    chosen,
    after,
    tickets: result.ticketView.edges.map(({ cursor, node }) => ({ ...node, cursor })),
    totalCount: result.ticketView.totalCount,
    endCursor: result.ticketView.pageInfo.hasNextPage ? result.ticketView.pageInfo.endCursor : null,
    counts: counts.map(({ view: name, count }) => ({ view: name, count })),
    options: {
      tiers: [...result.tiers].sort((a, b) => a.rank - b.rank).map(({ key, name }) => ({ value: key, label: name })),
      queues: result.queues.map(({ id, name }) => ({ value: id, label: name })),
      assignees: result.agents.nodes.map(({ user }) => ({ value: user.id, label: user.name })),
      organizations: result.organizations.nodes.map(({ id, name }) => ({ value: id, label: name })),
    },
    renderedAt: Date.now(),
  };
}

type LoaderData = Route.ComponentProps['loaderData'];

/** A link to another view (or page) keeping the filters; changing view or filters starts at the first page. */
function viewHref(chosen: LoaderData['chosen'], changes: Record<string, string | null>): string {
  return `/console?${viewParams({ view: 'MINE', sort: null, chosen }, changes)}`;
}

type ViewRow = ConsoleViewTicketFragment & { cursor: string };

const column = createColumnHelper<ViewRow>();

/**
 * The columns of a view. A ticket's link carries the view, its order and filters, and the ticket's cursor: the
 * workspace's "next ticket" is the one after it in this same list.
 */
function useColumns(query: Pick<ViewQuery, 'view' | 'sort' | 'chosen'>, renderedAt: number) {
  return useMemo(
    () => [
      column.accessor('number', {
        header: '#',
        cell: (info) => <span className="ticket-number">#{info.getValue()}</span>,
      }),
      column.accessor('subject', {
        header: 'Subject',
        cell: (info) => (
          <Link
            className="ticket-link"
            to={`/console/tickets/${encodeURIComponent(info.row.original.id)}?${viewParams(query, { from: info.row.original.cursor })}`}
          >
            {info.getValue()}
          </Link>
        ),
      }),
      column.accessor((ticket) => ticket.organization.name, {
        id: 'organization',
        header: 'Organization',
        cell: (info) => (
          <>
            {info.getValue()}{' '}
            <span className={`tier-badge tier-badge--${info.row.original.organization.tier.key}`}>
              {info.row.original.organization.tier.name}
            </span>
          </>
        ),
      }),
      column.accessor('priority', {
        header: 'Priority',
        cell: (info) => <span className={`priority priority--${info.getValue().toLowerCase()}`}>{PRIORITY_LABELS[info.getValue()]}</span>,
      }),
      column.accessor('status', { header: 'Status', cell: (info) => STAFF_STATUS_LABELS[info.getValue()] }),
      column.accessor((ticket) => ticket.assignee?.name ?? null, {
        id: 'assignee',
        header: 'Assignee',
        cell: (info) => info.getValue() ?? <span className="muted">Unassigned</span>,
      }),
      column.accessor((ticket) => nearestTimer(ticket.slaTimers), {
        id: 'due',
        header: 'Next deadline',
        cell: (info) => <SlaTimer timer={info.getValue()} renderedAt={renderedAt} label="Next deadline" />,
      }),
    ],
    [query, renderedAt],
  );
}

/** Polls the counts; when they moved (a new ticket, a breach, an assignment), re-reads the page. */
function useLiveView(counts: LoaderData['counts']) {
  const revalidator = useRevalidator();
  const fetcher = useFetcher<typeof countsLoader>();
  const shown = useRef(counts);
  shown.current = counts;
  useEffect(() => {
    const poll = () => {
      if (document.visibilityState === 'visible') fetcher.load('/console/views/counts');
    };
    const refresh = () => {
      if (document.visibilityState === 'visible') revalidator.revalidate();
    };
    const polling = setInterval(poll, POLL_MS);
    const refreshing = setInterval(refresh, REFRESH_MS);
    return () => {
      clearInterval(polling);
      clearInterval(refreshing);
    };
    // The fetcher and revalidator objects change identity on every state change; the intervals need only their methods.
  }, []);
  useEffect(() => {
    const polled = fetcher.data?.counts;
    if (!polled) return;
    const changed = polled.some(({ view, count }) => shown.current.find((entry) => entry.view === view)?.count !== count);
    if (changed && revalidator.state === 'idle') revalidator.revalidate();
  }, [fetcher.data, revalidator]);
}

function Select({
  name,
  label,
  value,
  options,
  any,
}: {
  name: string;
  label: string;
  value: string | null;
  options: readonly { value: string; label: string }[];
  any: string;
}) {
  return (
    <div className="filter">
      <label htmlFor={`filter-${name}`}>{label}</label>
      <select id={`filter-${name}`} name={name} defaultValue={value ?? ''}>
        <option value="">{any}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export default function Views({ loaderData }: Route.ComponentProps) {
  const { view, viewDescription, sort, chosen, after, tickets, totalCount, endCursor, counts, options, renderedAt } = loaderData;
  const query = useMemo(() => ({ view, sort: sort as TicketViewSort, chosen }), [view, sort, chosen]);
  const columns = useColumns(query, renderedAt);
  const table = useReactTable({ data: tickets, columns, getCoreRowModel: getCoreRowModel(), getRowId: (ticket) => ticket.id });
  const navigate = useNavigate();
  const tableRef = useRef<HTMLTableElement>(null);
  useLiveView(counts);

  const moveFocus = (step: number) => {
    const links = [...(tableRef.current?.querySelectorAll<HTMLAnchorElement>('a.ticket-link') ?? [])];
    if (links.length === 0) return;
    const current = links.indexOf(document.activeElement as HTMLAnchorElement);
    links[current === -1 ? 0 : Math.min(links.length - 1, Math.max(0, current + step))]!.focus();
  };
  const shortcuts = useMemo(
    () => [
      { key: 'j', description: 'Next ticket in the list', run: () => moveFocus(1) },
      { key: 'k', description: 'Previous ticket in the list', run: () => moveFocus(-1) },
      { key: '/', description: 'Search', run: () => document.getElementById('filter-q')?.focus() },
      ...VIEWS.map((name, index) => ({
        key: String(index + 1),
        description: VIEW_LABELS[name],
        run: () => navigate(viewHref(chosen, { view: name })),
      })),
    ],
    [chosen, navigate],
  );
  useShortcuts(shortcuts);
  const filtered = FILTER_PARAMS.some((name) => chosen[name]);

  return (
    <div className="views">
      <nav aria-label="Views" className="view-list">
        <ul>
          {VIEWS.map((name, index) => {
            const count = counts.find((entry) => entry.view === name)?.count ?? 0;
            return (
              <li key={name}>
                <Link
                  to={viewHref(chosen, { view: name })}
                  aria-current={name === view ? 'page' : undefined}
                  className={name === view ? 'view-link view-link--current' : 'view-link'}
                  data-testid={`view-${name}`}
                >
                  <span>{VIEW_LABELS[name]}</span>
                  <span className="view-count" aria-label={`${count} tickets`} title={`Shortcut: ${index + 1}`}>
                    {count}
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>

      <section className="view-body" aria-labelledby="view-title">
        <div className="view-heading">
          <h1 id="view-title">{VIEW_LABELS[view]}</h1>
          <p className="muted" data-testid="view-total">
            {totalCount} {totalCount === 1 ? 'ticket' : 'tickets'}
            {filtered ? ' matching the filters' : ''}. {viewDescription}
          </p>
        </div>

        <Form method="get" className="view-filters" role="search" aria-label="Filter the view">
          <input type="hidden" name="view" value={view} />
          <div className="filter filter--search">
            <label htmlFor="filter-q">Search</label>
            <input
              id="filter-q"
              name="q"
              type="search"
              maxLength={200}
              defaultValue={chosen.q ?? ''}
              placeholder="Subject, description or #number"
            />
          </div>
          <Select name="tier" label="Tier" value={chosen.tier} options={options.tiers} any="Any tier" />
          <Select
            name="priority"
            label="Priority"
            value={chosen.priority}
            options={PRIORITIES.map((value: TicketPriority) => ({ value, label: PRIORITY_LABELS[value] }))}
            any="Any priority"
          />
          <Select
            name="status"
            label="Status"
            value={chosen.status}
            options={TICKET_STATUSES.map((value: TicketStatus) => ({ value, label: STAFF_STATUS_LABELS[value] }))}
            any="Any status"
          />
          <Select
            name="domain"
            label="Domain"
            value={chosen.domain}
            options={DOMAINS.map((value: SupportDomain) => ({ value, label: DOMAIN_LABELS[value] }))}
            any="Any domain"
          />
          <Select name="queue" label="Queue" value={chosen.queue} options={options.queues} any="Any queue" />
          <Select name="assignee" label="Assignee" value={chosen.assignee} options={options.assignees} any="Anyone" />
          <Select name="org" label="Organization" value={chosen.org} options={options.organizations} any="Any organization" />
          <Select
            name="sort"
            label="Order"
            value={sort}
            options={SORTS.map((value: TicketViewSort) => ({ value, label: SORT_LABELS[value] }))}
            any="The view's order"
          />
          <div className="filter filter--actions">
            <button type="submit" className="button button--primary">
              Apply
            </button>
            {filtered ? (
              <Link to={`/console?view=${view}`} className="button">
                Clear
              </Link>
            ) : null}
          </div>
        </Form>

        {tickets.length === 0 ? (
          <p className="card muted" data-testid="view-empty">
            {filtered ? 'No ticket in this view matches the filters.' : 'Nothing here right now.'}
          </p>
        ) : (
          <table className="table view-table" ref={tableRef} data-testid="view-table">
            <caption className="visually-hidden">
              {VIEW_LABELS[view]}, ordered by {SORT_LABELS[sort as TicketViewSort].toLowerCase()}
            </caption>
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => (
                    <th key={header.id} scope="col" className={`col-${header.column.id}`}>
                      {flexRender(header.column.columnDef.header, header.getContext())}
                    </th>
                  ))}
                </tr>
              ))}
            </thead>
            <tbody>
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} data-testid="view-row">
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className={`col-${cell.column.id}`} data-label={String(cell.column.columnDef.header)}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}

        <nav aria-label="Pages" className="pager">
          {after ? <Link to={viewHref(chosen, { view, sort })}>First page</Link> : null}
          {endCursor ? (
            <Link to={viewHref(chosen, { view, sort, after: endCursor })} data-testid="next-page">
              Next page
            </Link>
          ) : null}
        </nav>

        <ShortcutHelp shortcuts={shortcuts} />
      </section>
    </div>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} back={{ to: '/console', label: 'Back to your views' }} />;
}
