import type { RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { isStaffLike } from '../../shared/principal.js';
import { rowsOf, type Row } from '../../shared/reads.js';
import { sqlRows } from '../../shared/sql.js';
import { NEEDS_ATTENTION, queuesServedBy, TriageDecision } from '../routing/index.js';
import { Ticket } from '../tickets/index.js';
import { OPEN_STATUSES, PRIORITY_ORDER, type Domain, type TicketPriority, type TicketStatus } from '../vocabulary/index.js';
import {
  afterCondition,
  BREACHING_SOON_MINUTES,
  decodeViewCursor,
  encodeViewCursor,
  likePattern,
  orderBy,
  RECENTLY_SOLVED_DAYS,
  SORT_KEYS,
  TICKET_VIEWS,
  type CursorValue,
  type TicketView,
  type ViewSort,
} from './views.js';

/** The filters of a view, ids already decoded. Empty lists filter nothing. */
export interface ViewFilter {
  tierKeys?: readonly string[];
  priorities?: readonly TicketPriority[];
  statuses?: readonly TicketStatus[];
  domains?: readonly Domain[];
  queueIds?: readonly string[];
  assigneeIds?: readonly string[];
  organizationIds?: readonly string[];
  /** Words in the subject or the description, or a ticket number ("#42" or "42"). */
  search?: string | null;
}

const SEARCH_MAX_LENGTH = 200;
const FILTER_MAX_VALUES = 50;

interface Condition {
  sql: string;
  params: unknown[];
}

const statusList = (statuses: readonly string[]) => statuses.map((status) => `'${status}'`).join(', ');
const OPEN = `t.status in (${statusList(OPEN_STATUSES)})`;
const FINISHED = `t.status in (${statusList(['SOLVED', 'CLOSED'])})`;
const PRIORITY_RANK = `case t.priority ${PRIORITY_ORDER.map((priority, index) => `when '${priority}' then ${index + 1}`).join(' ')} end`;
/** Clock statuses in which a deadline is still ahead (the timer worker marks WARNING at the warning instant). */
const RUNNING_CLOCKS = `('ACTIVE', 'WARNING')`;

/**
 * Every ticket with what the views filter and sort on, as columns of one relation `t`: the ticket's own columns,
 * the nearest deadline of a running clock (`next_due`, 'infinity' when none runs), the priority's rank, the
 * organization's tier, the effective triaged domain (a correction wins) and the routing queue.
 */
const VIEW_RELATION = `(
  select t.*, n.next_due, ${PRIORITY_RANK} as priority_rank, tr.key as tier_key,
    coalesce(td.corrected_domain, td.domain) as effective_domain, rd.queue_id as routed_queue_id
  from ticket t
  join organization o on o.id = t.organization_id
  join tier tr on tr.id = o.tier_id
  left join triage_decision td on td.ticket_id = t.id
  left join routing_decision rd on rd.ticket_id = t.id
  left join lateral (
    select coalesce(min(c.due_at), 'infinity'::timestamptz) as next_due
    from ticket_clock c
    where c.ticket_id = t.id and c.status in ${RUNNING_CLOCKS} and c.due_at is not null
  ) n on true
) t`;

/** What a view holds: its condition over `VIEW_RELATION`, for the caller at `now`. */
async function viewCondition(ctx: RequestContext, view: TicketView, now: Date): Promise<Condition> {
  const me = ctx.principal.kind === 'staff' ? ctx.principal.userId : null;
  switch (view) {
    case 'MINE':
      return me ? { sql: `${OPEN} and t.assignee_id = ?`, params: [me] } : { sql: 'false', params: [] };
    case 'MY_QUEUES': {
      const queues = me ? await queuesServedBy(ctx, me) : [];
      return queues.length > 0 ? { sql: `${OPEN} and t.routed_queue_id in (?)`, params: [queues] } : { sql: 'false', params: [] };
    }
    case 'UNASSIGNED':
      return { sql: `${OPEN} and t.assignee_id is null`, params: [] };
    case 'BREACHING_SOON':
      return { sql: `${OPEN} and t.next_due <= ?::timestamptz`, params: [new Date(now.getTime() + BREACHING_SOON_MINUTES * 60_000)] };
    case 'ESCALATED':
      return { sql: `${OPEN} and exists (select 1 from escalation e where e.ticket_id = t.id)`, params: [] };
    case 'NEEDS_ATTENTION': {
      // The routing module's definition, rendered by the ORM: one home for "needs attention".
      const triage = ctx.em.createQueryBuilder(TriageDecision, 'attention').select('attention.ticket').where(NEEDS_ATTENTION);
      return { sql: `${OPEN} and t.id in (${triage.getFormattedQuery()})`, params: [] };
    }
    case 'RECENTLY_SOLVED':
      return {
        sql: `${FINISHED} and t.solved_at >= ?::timestamptz`,
        params: [new Date(now.getTime() - RECENTLY_SOLVED_DAYS * 86_400_000)],
      };
    case 'ALL_OPEN':
      return { sql: OPEN, params: [] };
  }
}

function limited<T>(values: readonly T[] | undefined, field: string): readonly T[] {
  if (!values) return [];
  if (values.length > FILTER_MAX_VALUES) {
    throw new AppError('BAD_USER_INPUT', `"${field}" may list at most ${FILTER_MAX_VALUES} values.`, { field: ['filter', field] });
  }
  return values;
}

/** The filters as conditions over `VIEW_RELATION` (ANDed); a list filter with no values filters nothing. */
function filterConditions(filter: ViewFilter): Condition[] {
  const conditions: Condition[] = [];
  const list = (column: string, values: readonly unknown[] | undefined, field: string) => {
    const checked = limited(values, field);
    if (checked.length > 0) conditions.push({ sql: `${column} in (?)`, params: [[...checked]] });
  };
  list('t.tier_key', filter.tierKeys, 'tierKeys');
  list('t.priority', filter.priorities, 'priorities');
  list('t.status', filter.statuses, 'statuses');
  list('t.effective_domain', filter.domains, 'domains');
  list('t.routed_queue_id', filter.queueIds, 'queueIds');
  list('t.assignee_id', filter.assigneeIds, 'assigneeIds');
  list('t.organization_id', filter.organizationIds, 'organizationIds');
  const search = filter.search?.trim();
  if (search) {
    if (search.length > SEARCH_MAX_LENGTH) {
      throw new AppError('BAD_USER_INPUT', `The search may be at most ${SEARCH_MAX_LENGTH} characters.`, { field: ['filter', 'search'] });
    }
    const pattern = likePattern(search);
    const number = /^#?(\d{1,9})$/.exec(search);
    conditions.push(
      number
        ? { sql: '(t.number = ? or t.subject ilike ? or t.description ilike ?)', params: [Number(number[1]), pattern, pattern] }
        : { sql: '(t.subject ilike ? or t.description ilike ?)', params: [pattern, pattern] },
    );
  }
  return conditions;
}

function requireStaff(ctx: RequestContext): void {
  // Views read across organizations, which only staff may; the resolvers' access rules say so too.
  if (!isStaffLike(ctx.principal)) throw new AppError('FORBIDDEN', 'Ticket views are for support staff.');
}

const and = (conditions: readonly Condition[]): Condition => ({
  sql: conditions.map((condition) => `(${condition.sql})`).join(' and ') || 'true',
  params: conditions.flatMap((condition) => condition.params),
});

export interface ViewPage {
  tickets: Row<Ticket>[];
  /** The cursor after each ticket, in this order. */
  cursors: string[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

type ViewRow = Record<string, unknown> & { cursor_values: CursorValue[] };

/** One page of a view, in `sort`'s order, after the cursor `after`. */
export async function ticketView(
  ctx: RequestContext,
  input: { view: TicketView; sort: ViewSort; filter: ViewFilter; first: number; after: string | null },
): Promise<ViewPage> {
  requireStaff(ctx);
  const now = ctx.clock.now();
  const where = and([await viewCondition(ctx, input.view, now), ...filterConditions(input.filter)]);
  const page = input.after ? afterCondition(input.sort, decodeViewCursor(input.sort, input.after)) : { sql: 'true', params: [] };
  // The sort keys come back as JSON, so the cursor holds timestamps to the microsecond and 'infinity' as they are.
  const keys = SORT_KEYS[input.sort].map((key) => key.sql).join(', ');
  const rows = await sqlRows<ViewRow>(
    ctx.em,
    `select t.*, json_build_array(${keys}) as cursor_values from ${VIEW_RELATION}
     where ${where.sql} and ${page.sql} order by ${orderBy(input.sort)} limit ?`,
    [...where.params, ...page.params, input.first + 1],
  );
  const shown = rows.slice(0, input.first);
  return {
    tickets: rowsOf(ctx.em, Ticket, shown),
    cursors: shown.map((row) => encodeViewCursor(input.sort, row.cursor_values)),
    hasNextPage: rows.length > input.first,
    totalCount: async () => {
      const [count] = await sqlRows<{ count: string }>(
        ctx.em,
        `select count(*) as count from ${VIEW_RELATION} where ${where.sql}`,
        where.params,
      );
      return Number(count!.count);
    },
  };
}

/** How many tickets each view holds now, under the same filters: one statement for all of them. */
export async function ticketViewCounts(ctx: RequestContext, filter: ViewFilter): Promise<Map<TicketView, number>> {
  requireStaff(ctx);
  const now = ctx.clock.now();
  const views = await Promise.all(TICKET_VIEWS.map(async (view) => ({ view, condition: await viewCondition(ctx, view, now) })));
  const filters = and(filterConditions(filter));
  const columns = views.map(({ view, condition }) => `count(*) filter (where ${condition.sql}) as "${view}"`).join(', ');
  const since = new Date(now.getTime() - RECENTLY_SOLVED_DAYS * 86_400_000);
  const [counts] = await sqlRows<Record<TicketView, string>>(
    ctx.em,
    // Every view holds open or recently solved tickets only: the years of closed history are not scanned.
    `select ${columns} from ${VIEW_RELATION}
     where (${OPEN} or (${FINISHED} and t.solved_at >= ?::timestamptz)) and ${filters.sql}`,
    [...views.flatMap(({ condition }) => condition.params), since, ...filters.params],
  );
  return new Map(TICKET_VIEWS.map((view) => [view, Number(counts![view])]));
}
