import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { Access } from '../shared/access.js';
import type { RequestContext } from '../shared/context.js';
import { mutationPayload } from '../shared/graphql.js';
import { fromGlobalId } from '../shared/ids.js';
import { EscalateTicketInput, EscalationPayload, EscalationType } from '../modules/escalations/index.js';
import {
  AddCommentInput,
  AddCommentPayload,
  AssignTicketInput,
  ChangeTicketPriorityInput,
  ChangeTicketStatusInput,
  CommentType,
  CreateTicketInput,
  ImportTicketGraphQLInput,
  TicketPayload,
  TicketType,
} from '../modules/tickets/index.js';
import {
  assignTicket,
  changeTicketPriority,
  changeTicketStatus,
  escalateTicket,
  importTicket,
  openTicket,
  replyToTicket,
} from './tickets.js';

/** The mutations of a ticket's life: each calls its workflow, which keeps routing and the SLA clocks in step. */
@Resolver()
export class TicketWorkflowResolver {
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
      const { comment, ticket } = await replyToTicket(ctx, { ...input, ticketId });
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
      return { ticket: TicketType.from(await changeTicketStatus(ctx, { ticketId, status: input.status })) };
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
      return { ticket: TicketType.from(await changeTicketPriority(ctx, { ticketId, priority: input.priority })) };
    });
  }

  @Mutation(() => TicketPayload, { description: 'Imports a ticket with its history; all or nothing.' })
  @Access({ partner: 'tickets:write', staff: 'ANY' })
  async importTicket(
    @Arg('input', () => ImportTicketGraphQLInput) input: ImportTicketGraphQLInput,
    @Ctx() ctx: RequestContext,
  ): Promise<TicketPayload> {
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

  @Mutation(() => EscalationPayload, { description: 'Escalates a ticket now: staff always; customers where their tier includes it.' })
  @Access({ customer: 'MEMBER', partner: 'tickets:write', staff: 'ANY' })
  async escalateTicket(
    @Arg('input', () => EscalateTicketInput) input: EscalateTicketInput,
    @Ctx() ctx: RequestContext,
  ): Promise<EscalationPayload> {
    return mutationPayload(EscalationPayload, async () => {
      const ticketId = fromGlobalId('Ticket', input.ticketId, 'ticketId');
      return { escalation: EscalationType.from(await escalateTicket(ctx, { ticketId, reason: input.reason })) };
    });
  }
}
