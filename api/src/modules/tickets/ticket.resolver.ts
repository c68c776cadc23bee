import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Access } from '../../server/access.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { mutationPayload } from '../../shared/graphql.js';
import { fromGlobalId, parseGlobalId } from '../../shared/ids.js';
import { connectionFrom, PageArgs, pageRequest, toPage, type Connection } from '../../shared/pagination.js';
import { isStaffLike, tenantOf } from '../../shared/principal.js';
import { UserType } from '../identity/identity.types.js';
import { OrganizationType } from '../organizations/organization.types.js';
import { TicketStatus } from './ticket.enums.js';
import { allowedTransitions } from './ticket.policy.js';
import {
  addComment,
  assignTicket,
  changePriority,
  changeStatus,
  commentsAfter,
  countComments,
  getTicket,
  importTicket,
  listTickets,
  openTicket,
  ticketEvents,
} from './ticket.service.js';
import {
  AddCommentInput,
  AddCommentPayload,
  AssignTicketInput,
  ChangeTicketPriorityInput,
  ChangeTicketStatusInput,
  CommentConnection,
  CommentType,
  CreateTicketInput,
  ImportTicketInput,
  TicketConnection,
  TicketEventType,
  TicketFilterInput,
  TicketPayload,
  TicketType,
} from './ticket.types.js';

/** Another organization's ticket id reads exactly like an unknown one. */
function ticketIdOrNull(globalId: string): string | null {
  const parsed = parseGlobalId(globalId);
  return parsed?.type === 'Ticket' ? parsed.id : null;
}

@Resolver(() => TicketType)
export class TicketResolver {
  @Query(() => TicketConnection, { description: "Newest first. Customers and keys see their organization's tickets; staff see all." })
  @Access({ customer: 'MEMBER', partner: 'tickets:read', staff: 'ANY' })
  async tickets(
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => TicketFilterInput, { nullable: true }) filter?: TicketFilterInput | null,
  ): Promise<Connection<TicketType>> {
    const request = pageRequest(page);
    const organizationId = filter?.organizationId ? fromGlobalId('Organization', filter.organizationId, 'filter.organizationId') : null;
    if (organizationId && !isStaffLike(ctx.principal) && organizationId !== tenantOf(ctx.principal)) {
      return connectionFrom(
        toPage([], request, async () => 0),
        TicketType.from,
      );
    }
    return connectionFrom(await listTickets(ctx, { status: filter?.status, organizationId }, request), TicketType.from);
  }

  @Query(() => TicketType, { nullable: true })
  @Access({ customer: 'MEMBER', partner: 'tickets:read', staff: 'ANY' })
  async ticket(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<TicketType | null> {
    const ticketId = ticketIdOrNull(id);
    if (!ticketId) throw new AppError('INVALID_ID', '"id" is not a valid Ticket id.', { field: ['id'] });
    const ticket = await getTicket(ctx, ticketId);
    return ticket ? TicketType.from(ticket) : null;
  }

  @FieldResolver(() => OrganizationType)
  async organization(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): Promise<OrganizationType> {
    const organization = await ctx.loaders.organization.load(ticket.organizationId);
    if (!organization) throw new AppError('NOT_FOUND', 'Organization not found.');
    return OrganizationType.from(organization);
  }

  @FieldResolver(() => UserType, { nullable: true })
  async requester(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): Promise<UserType | null> {
    if (!ticket.requesterId) return null;
    const user = await ctx.loaders.user.load(ticket.requesterId);
    return user ? UserType.from(user, true) : null;
  }

  @FieldResolver(() => UserType, { nullable: true })
  async assignee(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): Promise<UserType | null> {
    if (!ticket.assigneeId) return null;
    const user = await ctx.loaders.user.load(ticket.assigneeId);
    return user ? UserType.from(user, isStaffLike(ctx.principal)) : null;
  }

  @FieldResolver(() => CommentConnection, { description: 'Oldest first. Internal notes only for staff.' })
  async comments(
    @Root() ticket: TicketType,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<CommentType>> {
    const request = pageRequest(page);
    const includeInternal = isStaffLike(ctx.principal);
    if (request.after) return connectionFrom(await commentsAfter(ctx, ticket.ticketId, request, includeInternal), CommentType.from);
    const rows = await ctx.loaders.firstComments({ first: request.first, includeInternal }).load(ticket.ticketId);
    return connectionFrom(
      toPage(rows, request, () => countComments(ctx, ticket.ticketId, includeInternal)),
      CommentType.from,
    );
  }

  @FieldResolver(() => [TicketStatus], { description: 'The statuses the caller may move this ticket to.' })
  allowedTransitions(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): TicketStatus[] {
    return allowedTransitions(ticket.status, ctx.principal);
  }

  @FieldResolver(() => [TicketEventType], { description: 'The audit trail, oldest first. Customers do not see internal-note entries.' })
  async events(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): Promise<TicketEventType[]> {
    const events = await ticketEvents(ctx, ticket.ticketId);
    const visible = isStaffLike(ctx.principal) ? events : events.filter((event) => event.data.visibility !== 'INTERNAL');
    return visible.map(TicketEventType.from);
  }

  @Mutation(() => TicketPayload, { description: 'Opens a ticket. The tier decides the priorities, channels and monthly allowance.' })
  @Access({ customer: 'MEMBER', partner: 'tickets:write', staff: 'ANY' })
  async createTicket(@Arg('input', () => CreateTicketInput) input: CreateTicketInput, @Ctx() ctx: RequestContext): Promise<TicketPayload> {
    return mutationPayload(TicketPayload, async () => {
      const organizationId = input.organizationId ? fromGlobalId('Organization', input.organizationId, 'organizationId') : null;
      return { ticket: TicketType.from(await openTicket(ctx, { ...input, organizationId })) };
    });
  }

  @Mutation(() => AddCommentPayload, { description: 'A public reply, or (staff) an internal note.' })
  @Access({ customer: 'MEMBER', partner: 'tickets:write', staff: 'ANY' })
  async addComment(@Arg('input', () => AddCommentInput) input: AddCommentInput, @Ctx() ctx: RequestContext): Promise<AddCommentPayload> {
    return mutationPayload(AddCommentPayload, async () => {
      const ticketId = fromGlobalId('Ticket', input.ticketId, 'ticketId');
      const { comment, ticket } = await addComment(ctx, { ...input, ticketId });
      return { comment: CommentType.from(comment), ticket: TicketType.from(ticket) };
    });
  }

  @Mutation(() => TicketPayload)
  @Access({ customer: 'MEMBER', partner: 'tickets:write', staff: 'ANY' })
  async changeTicketStatus(
    @Arg('input', () => ChangeTicketStatusInput) input: ChangeTicketStatusInput,
    @Ctx() ctx: RequestContext,
  ): Promise<TicketPayload> {
    return mutationPayload(TicketPayload, async () => {
      const ticketId = fromGlobalId('Ticket', input.ticketId, 'ticketId');
      return { ticket: TicketType.from(await changeStatus(ctx, { ticketId, status: input.status })) };
    });
  }

  @Mutation(() => TicketPayload)
  @Access({ customer: 'MEMBER', partner: 'tickets:write', staff: 'ANY' })
  async changeTicketPriority(
    @Arg('input', () => ChangeTicketPriorityInput) input: ChangeTicketPriorityInput,
    @Ctx() ctx: RequestContext,
  ): Promise<TicketPayload> {
    return mutationPayload(TicketPayload, async () => {
      const ticketId = fromGlobalId('Ticket', input.ticketId, 'ticketId');
      return { ticket: TicketType.from(await changePriority(ctx, { ticketId, priority: input.priority })) };
    });
  }

  @Mutation(() => TicketPayload, { description: 'Imports a ticket with its history; all or nothing.' })
  @Access({ partner: 'tickets:write', staff: 'ANY' })
  async importTicket(@Arg('input', () => ImportTicketInput) input: ImportTicketInput, @Ctx() ctx: RequestContext): Promise<TicketPayload> {
    return mutationPayload(TicketPayload, async () => {
      const organizationId = input.organizationId ? fromGlobalId('Organization', input.organizationId, 'organizationId') : null;
      return { ticket: TicketType.from(await importTicket(ctx, { ...input, organizationId })) };
    });
  }

  @Mutation(() => TicketPayload)
  @Access({ staff: 'ANY' })
  async assignTicket(@Arg('input', () => AssignTicketInput) input: AssignTicketInput, @Ctx() ctx: RequestContext): Promise<TicketPayload> {
    return mutationPayload(TicketPayload, async () => {
      const ticketId = fromGlobalId('Ticket', input.ticketId, 'ticketId');
      const assigneeId = input.assigneeId ? fromGlobalId('User', input.assigneeId, 'assigneeId') : null;
      return { ticket: TicketType.from(await assignTicket(ctx, { ticketId, assigneeId })) };
    });
  }
}
