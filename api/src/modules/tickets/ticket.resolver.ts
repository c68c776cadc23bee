import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { Access } from '../../shared/access.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { fromGlobalId, parseGlobalId } from '../../shared/ids.js';
import { andThen, type MaybePromise } from '../../shared/loaders.js';
import { connectionFrom, PageArgs, pageRequest, toPage, type Connection } from '../../shared/pagination.js';
import { isStaffLike, tenantOf } from '../../shared/principal.js';
import { loadUser, UserType } from '../identity/index.js';
import { loadOrganization, organizationEntitlements, OrganizationType } from '../organizations/index.js';
import { preloadTicketFields } from './ticket.preload.js';
import { CommentVisibility, TicketStatus } from '../vocabulary/index.js';
import { STAFF_ONLY_EVENTS } from './ticket.entity.js';
import { allowedTransitions } from './ticket.policy.js';
import {
  commentsAfter,
  countComments,
  firstComments,
  getComment,
  getTicket,
  listTickets,
  ticketEvents,
  ticketsThisMonth,
} from './ticket.service.js';
import {
  CommentConnection,
  CommentType,
  TicketConnection,
  TicketEventType,
  TicketFilterInput,
  TICKETS_READ,
  TicketType,
  TicketUsage,
} from './ticket.types.js';

/** Another organization's ticket id reads exactly like an unknown one. */
function ticketIdOrNull(globalId: string): string | null {
  const parsed = parseGlobalId(globalId);
  return parsed?.type === 'Ticket' ? parsed.id : null;
}

@Resolver(() => TicketType)
export class TicketResolver {
  @Query(() => TicketConnection, { description: "Newest first. Customers and keys see their organization's tickets; staff see all." })
  @Access(TICKETS_READ)
  async tickets(
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => TicketFilterInput, { nullable: true }) filter?: TicketFilterInput | null,
  ): Promise<Connection<TicketType>> {
    const request = pageRequest(page);
    const organizationId = filter?.organizationId ? fromGlobalId('Organization', filter.organizationId, 'filter.organizationId') : null;
    if (organizationId && !isStaffLike(ctx.principal) && organizationId !== tenantOf(ctx.principal)) {
      return connectionFrom(
        toPage([], request, async () => 0),
        TicketType.fromRow,
      );
    }
    const connection = connectionFrom(await listTickets(ctx, { status: filter?.status, organizationId }, request), TicketType.fromRow);
    await preloadTicketFields(ctx, connection.nodes, info);
    return connection;
  }

  @Query(() => TicketType, { nullable: true })
  @Access(TICKETS_READ)
  async ticket(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<TicketType | null> {
    const ticketId = ticketIdOrNull(id);
    if (!ticketId) throw new AppError('INVALID_ID', '"id" is not a valid Ticket id.', { field: ['id'] });
    const ticket = await getTicket(ctx, ticketId);
    return ticket ? TicketType.from(ticket) : null;
  }

  // The relations answer without a promise when the page preloaded them (see ticket.preload.ts).
  @FieldResolver(() => OrganizationType)
  organization(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): MaybePromise<OrganizationType> {
    return andThen(loadOrganization(ctx, ticket.organizationId), (organization) => {
      if (!organization) throw new AppError('NOT_FOUND', 'Organization not found.');
      return OrganizationType.from(organization);
    });
  }

  @FieldResolver(() => UserType, { nullable: true })
  requester(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): MaybePromise<UserType | null> {
    if (!ticket.requesterId) return null;
    return andThen(loadUser(ctx, ticket.requesterId), (user) => (user ? UserType.from(user, true) : null));
  }

  @FieldResolver(() => UserType, { nullable: true })
  assignee(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): MaybePromise<UserType | null> {
    if (!ticket.assigneeId) return null;
    return andThen(loadUser(ctx, ticket.assigneeId), (user) => (user ? UserType.from(user, isStaffLike(ctx.principal)) : null));
  }

  @FieldResolver(() => CommentConnection, { description: 'Oldest first. Internal notes only for staff.' })
  comments(
    @Root() ticket: TicketType,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
  ): MaybePromise<Connection<CommentType>> {
    const request = pageRequest(page);
    const includeInternal = isStaffLike(ctx.principal);
    if (request.after) {
      return commentsAfter(ctx, ticket.ticketId, request, includeInternal).then((comments) =>
        connectionFrom(comments, CommentType.fromRow),
      );
    }
    return andThen(firstComments(ctx, { first: request.first, includeInternal }, ticket.ticketId), (rows) =>
      connectionFrom(
        toPage(rows, request, () => countComments(ctx, ticket.ticketId, includeInternal)),
        CommentType.fromRow,
      ),
    );
  }

  @FieldResolver(() => [TicketStatus], { description: 'The statuses the caller may move this ticket to.' })
  allowedTransitions(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): TicketStatus[] {
    return allowedTransitions(ticket.status, ctx.principal);
  }

  @FieldResolver(() => [TicketEventType], { description: 'The audit trail, oldest first. Customers do not see internal-note entries.' })
  async events(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): Promise<TicketEventType[]> {
    const events = await ticketEvents(ctx, ticket.ticketId);
    const visible = isStaffLike(ctx.principal)
      ? events
      : events.filter((event) => event.data.visibility !== CommentVisibility.INTERNAL && !STAFF_ONLY_EVENTS.has(event.type));
    return visible.map(TicketEventType.from);
  }
}

@Resolver(() => OrganizationType)
export class OrganizationTicketsResolver {
  @FieldResolver(() => TicketUsage)
  async ticketUsage(@Root() organization: OrganizationType, @Ctx() ctx: RequestContext): Promise<TicketUsage> {
    const [thisMonth, entitlements] = await Promise.all([
      ticketsThisMonth(ctx, organization.organizationId),
      organizationEntitlements(ctx, organization.organizationId),
    ]);
    return Object.assign(new TicketUsage(), { thisMonth, allowance: entitlements.limit('tickets.monthlyAllowance') });
  }
}

/** `node(id:)` for tickets: the tenant filter confines customers and keys to their organization's. */
export async function ticketNode(ctx: RequestContext, id: string): Promise<TicketType | null> {
  const ticket = await getTicket(ctx, id);
  return ticket && TicketType.from(ticket);
}

/** `node(id:)` for comments: internal notes only for staff, as in `Ticket.comments`. */
export async function commentNode(ctx: RequestContext, id: string): Promise<CommentType | null> {
  const comment = await getComment(ctx, id);
  if (!comment || (comment.visibility === CommentVisibility.INTERNAL && !isStaffLike(ctx.principal))) return null;
  return CommentType.from(comment);
}
