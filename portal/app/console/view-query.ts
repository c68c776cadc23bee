import type { TicketView, TicketViewFilter, TicketViewSort } from '@tierdesk/schema';
import { PRIORITIES } from '../lib/format';
import { DOMAINS, SORTS, TICKET_STATUSES, VIEWS } from './labels';

/** The URL parameters of a view's filters, as the views page writes them and the workspace carries them along. */
export const FILTER_PARAMS = ['tier', 'priority', 'status', 'domain', 'queue', 'assignee', 'org', 'q'] as const;
type FilterParam = (typeof FILTER_PARAMS)[number];

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | null =>
  value !== null && (values as readonly string[]).includes(value) ? (value as T) : null;

export interface ViewQuery {
  view: TicketView;
  /** Null: the view's own order. */
  sort: TicketViewSort | null;
  filter: TicketViewFilter;
  /** The filters as chosen (what the form shows and links keep). */
  chosen: Record<FilterParam, string | null>;
}

/** The view, order and filters a URL asks for; values that are not one of the choices are dropped. */
export function readViewQuery(params: URLSearchParams): ViewQuery {
  const text = (name: string) => params.get(name)?.trim() || null;
  const view = oneOf(VIEWS, params.get('view')) ?? 'MINE';
  const sort = oneOf(SORTS, params.get('sort'));
  const chosen = {
    tier: text('tier'),
    priority: oneOf(PRIORITIES, params.get('priority')),
    status: oneOf(TICKET_STATUSES, params.get('status')),
    domain: oneOf(DOMAINS, params.get('domain')),
    queue: text('queue'),
    assignee: text('assignee'),
    org: text('org'),
    q: text('q')?.slice(0, 200) ?? null,
  };
  const filter: TicketViewFilter = {
    ...(chosen.tier ? { tierKeys: [chosen.tier] } : {}),
    ...(chosen.priority ? { priorities: [chosen.priority] } : {}),
    ...(chosen.status ? { statuses: [chosen.status] } : {}),
    ...(chosen.domain ? { domains: [chosen.domain] } : {}),
    ...(chosen.queue ? { queueIds: [chosen.queue] } : {}),
    ...(chosen.assignee ? { assigneeIds: [chosen.assignee] } : {}),
    ...(chosen.org ? { organizationIds: [chosen.org] } : {}),
    ...(chosen.q ? { search: chosen.q } : {}),
  };
  return { view, sort, filter, chosen };
}

/** The parameters of a view (view, order, filters) with `changes` applied; a null change removes the parameter. */
export function viewParams(
  query: Pick<ViewQuery, 'view' | 'sort' | 'chosen'>,
  changes: Record<string, string | null> = {},
): URLSearchParams {
  const params = new URLSearchParams({ view: query.view });
  if (query.sort) params.set('sort', query.sort);
  for (const name of FILTER_PARAMS) {
    const value = query.chosen[name];
    if (value) params.set(name, value);
  }
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) params.delete(name);
    else params.set(name, value);
  }
  return params;
}
