import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, Info, Query, Resolver } from 'type-graphql';
import { Access } from '../../shared/access.js';
import type { RequestContext } from '../../shared/context.js';
import { fromGlobalId, type NodeType } from '../../shared/ids.js';
import { pageRequest, PageArgs, type Connection } from '../../shared/pagination.js';
import { preloadTicketFields, TicketConnection, TicketType } from '../tickets/index.js';
import { ticketView, ticketViewCounts, type ViewFilter } from './view.service.js';
import { TicketViewCountType, TicketViewEnum, TicketViewFilterInput, TicketViewSortEnum } from './view.types.js';
import { DEFAULT_SORT, TICKET_VIEWS, type TicketView, type ViewSort } from './views.js';

function decodeIds(type: NodeType, ids: readonly string[] | null | undefined, field: string): string[] | undefined {
  return ids?.map((id) => fromGlobalId(type, id, `filter.${field}`));
}

function viewFilter(input: TicketViewFilterInput | null | undefined): ViewFilter {
  if (!input) return {};
  return {
    tierKeys: input.tierKeys ?? undefined,
    priorities: input.priorities ?? undefined,
    statuses: input.statuses ?? undefined,
    domains: input.domains ?? undefined,
    queueIds: decodeIds('Queue', input.queueIds, 'queueIds'),
    assigneeIds: decodeIds('User', input.assigneeIds, 'assigneeIds'),
    organizationIds: decodeIds('Organization', input.organizationIds, 'organizationIds'),
    search: input.search,
  };
}

@Resolver()
export class TicketViewResolver {
  @Query(() => TicketConnection, {
    description: "A staff view of tickets across organizations, filtered, in the view's order (or `sort`), keyset-paged.",
  })
  @Access({ staff: 'ANY' })
  async ticketView(
    @Arg('view', () => TicketViewEnum) view: TicketView,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('sort', () => TicketViewSortEnum, { nullable: true }) sort?: ViewSort | null,
    @Arg('filter', () => TicketViewFilterInput, { nullable: true }) filter?: TicketViewFilterInput | null,
  ): Promise<Connection<TicketType>> {
    const { first } = pageRequest({ first: page.first });
    const order = sort ?? DEFAULT_SORT[view];
    const result = await ticketView(ctx, { view, sort: order, filter: viewFilter(filter), first, after: page.after ?? null });
    const nodes = result.tickets.map(TicketType.fromRow);
    await preloadTicketFields(ctx, nodes, info);
    return {
      nodes,
      edges: nodes.map((node, index) => ({ node, cursor: result.cursors[index]! })),
      pageInfo: { hasNextPage: result.hasNextPage, endCursor: result.cursors[result.cursors.length - 1] ?? null },
      get totalCount() {
        return result.totalCount();
      },
    };
  }

  @Query(() => [TicketViewCountType], { description: 'Every view with how many tickets it holds now (one statement for all).' })
  @Access({ staff: 'ANY' })
  async ticketViewCounts(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => TicketViewFilterInput, { nullable: true }) filter?: TicketViewFilterInput | null,
  ): Promise<TicketViewCountType[]> {
    const counts = await ticketViewCounts(ctx, viewFilter(filter));
    return TICKET_VIEWS.map((view) => TicketViewCountType.of(view, counts.get(view)!));
  }
}
