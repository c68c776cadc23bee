import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Access } from '../../shared/access.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { mutationPayload } from '../../shared/graphql.js';
import { fromGlobalId, toGlobalId } from '../../shared/ids.js';
import { connectionFrom, PageArgs, pageRequest, type Connection } from '../../shared/pagination.js';
import { isStaffLike } from '../../shared/principal.js';
import { TicketType } from '../tickets/index.js';
import { Escalation, EscalationPolicy, InboxNotification, OnCallSchedule, Team } from './escalation.entity.js';
import {
  acknowledgeEscalation,
  createEscalationPolicy,
  createOnCallSchedule,
  createTeam,
  escalationsPaging,
  escalationSteps,
  escalationTicket,
  inbox,
  markRead,
  ticketEscalations,
} from './escalation.service.js';
import {
  CreateEscalationPolicyInput,
  CreateOnCallScheduleInput,
  CreateTeamInput,
  EscalationPayload,
  EscalationPolicyPayload,
  EscalationConnection,
  EscalationPolicyType,
  EscalationStepType,
  EscalationType,
  NotificationConnection,
  NotificationPayload,
  NotificationType,
  OnCallSchedulePayload,
  OnCallScheduleType,
  TeamPayload,
  TeamType,
  TARGET_NODE,
} from './escalation.types.js';
import { onCallNow } from './oncall.js';

function staffUserId(ctx: RequestContext): string {
  if (ctx.principal.kind !== 'staff' || !ctx.principal.userId) {
    throw new AppError('FORBIDDEN', 'The inbox and pages belong to a signed-in staff member, not to a key.');
  }
  return ctx.principal.userId;
}

@Resolver(() => EscalationType)
export class EscalationResolver {
  /**
   * `@Access` guards root operations only, and an escalation is reached through customer-facing roots (a ticket,
   * `node`, `escalateTicket`), so the staff-only part is decided here, on the field, as `User.email` and internal notes are.
   */
  @FieldResolver(() => String, {
    nullable: true,
    description:
      "Staff only: the triage details or staff note behind the escalation. Null for customers and their organization's API keys.",
  })
  internalReason(@Root() escalation: EscalationType, @Ctx() ctx: RequestContext): string | null {
    return isStaffLike(ctx.principal) ? escalation.staffOnlyReason : null;
  }

  @FieldResolver(() => [EscalationStepType], { description: 'Every page sent, oldest first.' })
  async steps(@Root() escalation: EscalationType, @Ctx() ctx: RequestContext): Promise<EscalationStepType[]> {
    return (await escalationSteps(ctx, [escalation.escalationId])).map(EscalationStepType.from);
  }

  /** Guarded by Ticket's read rule, like every field returning a ticket: whoever reads the escalation reads its ticket. */
  @FieldResolver(() => TicketType, { description: 'The escalated ticket.' })
  async ticket(@Root() escalation: EscalationType, @Ctx() ctx: RequestContext): Promise<TicketType> {
    return TicketType.from(await escalationTicket(ctx, escalation.ticketId));
  }

  @Mutation(() => EscalationPayload, { description: 'Stops the escalation chain: someone has it.' })
  @Access({ staff: 'ANY' })
  async acknowledgeEscalation(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<EscalationPayload> {
    return mutationPayload(EscalationPayload, async () => ({
      escalation: EscalationType.from(await acknowledgeEscalation(ctx, fromGlobalId('Escalation', id))),
    }));
  }

  @Mutation(() => TeamPayload)
  @Access({ staff: ['ADMIN'] })
  async createTeam(@Arg('input', () => CreateTeamInput) input: CreateTeamInput, @Ctx() ctx: RequestContext): Promise<TeamPayload> {
    return mutationPayload(TeamPayload, async () => {
      const memberIds = input.memberIds.map((id, index) => fromGlobalId('User', id, `memberIds.${index}`));
      return { team: TeamType.from(await createTeam(ctx, { name: input.name, memberIds })) };
    });
  }

  @Mutation(() => OnCallSchedulePayload)
  @Access({ staff: ['ADMIN'] })
  async createOnCallSchedule(
    @Arg('input', () => CreateOnCallScheduleInput) input: CreateOnCallScheduleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<OnCallSchedulePayload> {
    return mutationPayload(OnCallSchedulePayload, async () => {
      const rotations = input.rotations.map((rotation, index) => ({
        ...rotation,
        userIds: rotation.userIds.map((id, position) => fromGlobalId('User', id, `rotations.${index}.userIds.${position}`)),
      }));
      return {
        schedule: OnCallScheduleType.from(await createOnCallSchedule(ctx, { name: input.name, timeZone: input.timeZone, rotations })),
      };
    });
  }

  @Mutation(() => EscalationPolicyPayload)
  @Access({ staff: ['ADMIN'] })
  async createEscalationPolicy(
    @Arg('input', () => CreateEscalationPolicyInput) input: CreateEscalationPolicyInput,
    @Ctx() ctx: RequestContext,
  ): Promise<EscalationPolicyPayload> {
    return mutationPayload(EscalationPolicyPayload, async () => {
      const levels = input.levels.map((level, index) => ({
        delayMinutes: level.delayMinutes,
        targets: level.targets.map((target) => {
          if (target.type === 'ASSIGNEE') return { type: target.type, id: '' };
          if (!target.id)
            throw new AppError('BAD_USER_INPUT', `Level ${index + 1}: a ${target.type.toLowerCase()} target needs an id.`, {
              field: ['input', 'levels', String(index), 'targets'],
            });
          return { type: target.type, id: fromGlobalId(TARGET_NODE[target.type], target.id, `levels.${index}.targets`) };
        }),
      }));
      return {
        escalationPolicy: EscalationPolicyType.from(
          await createEscalationPolicy(ctx, { name: input.name, levels, repeatCount: input.repeatCount ?? 0 }),
        ),
      };
    });
  }

  @Query(() => [EscalationPolicyType])
  @Access({ staff: 'ANY' })
  async escalationPolicies(@Ctx() ctx: RequestContext): Promise<EscalationPolicyType[]> {
    return (await ctx.em.find(EscalationPolicy, {}, { orderBy: { name: 'asc' }, limit: 100 })).map(EscalationPolicyType.from);
  }

  @Query(() => [ID], { description: 'Staff user ids on call on a schedule at an instant (default: now).' })
  @Access({ staff: 'ANY' })
  async onCallNow(
    @Arg('scheduleId', () => ID) scheduleId: string,
    @Ctx() ctx: RequestContext,
    @Arg('at', () => Date, { nullable: true }) at?: Date | null,
  ): Promise<string[]> {
    const schedule = await ctx.em.findOne(OnCallSchedule, { id: fromGlobalId('OnCallSchedule', scheduleId, 'scheduleId') });
    if (!schedule) throw new AppError('NOT_FOUND', 'On-call schedule not found.');
    return onCallNow(schedule, at ?? ctx.clock.now()).map((id) => toGlobalId('User', id));
  }

  @Query(() => NotificationConnection, { description: "The signed-in staff member's inbox, newest first." })
  @Access({ staff: 'ANY' })
  async myNotifications(
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
    @Arg('unreadOnly', () => Boolean, { nullable: true }) unreadOnly?: boolean | null,
  ): Promise<Connection<NotificationType>> {
    return connectionFrom(await inbox(ctx, staffUserId(ctx), unreadOnly ?? false, pageRequest(page)), NotificationType.from);
  }

  @Query(() => EscalationConnection, {
    description:
      'Escalations that paged the signed-in staff member (a step notified them: directly, through a team, the on-call schedule or as assignee), newest first. Open ones (TRIGGERED) unless includeAcknowledged.',
  })
  @Access({ staff: 'ANY' })
  async myPages(
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
    @Arg('includeAcknowledged', () => Boolean, { nullable: true }) includeAcknowledged?: boolean | null,
  ): Promise<Connection<EscalationType>> {
    return connectionFrom(
      await escalationsPaging(ctx, staffUserId(ctx), includeAcknowledged ?? false, pageRequest(page)),
      EscalationType.from,
    );
  }

  @Mutation(() => NotificationPayload)
  @Access({ staff: 'ANY' })
  async markNotificationRead(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<NotificationPayload> {
    return mutationPayload(NotificationPayload, async () => ({
      notification: NotificationType.from(await markRead(ctx, staffUserId(ctx), fromGlobalId('Notification', id))),
    }));
  }
}

@Resolver(() => TicketType)
export class TicketEscalationResolver {
  @FieldResolver(() => [EscalationType], { description: 'Escalations of this ticket, newest first.' })
  async escalations(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): Promise<EscalationType[]> {
    return (await ticketEscalations(ctx, ticket.ticketId)).map(EscalationType.from);
  }
}

/** `node(id:)` getters: escalation configuration and pages are staff matters, like their queries. */
export const escalationNodes = {
  EscalationPolicy: async (ctx: RequestContext, id: string) => {
    if (!isStaffLike(ctx.principal)) return null;
    const policy = await ctx.em.findOne(EscalationPolicy, { id });
    return policy && EscalationPolicyType.from(policy);
  },
  Team: async (ctx: RequestContext, id: string) => {
    if (!isStaffLike(ctx.principal)) return null;
    const team = await ctx.em.findOne(Team, { id });
    return team && TeamType.from(team);
  },
  OnCallSchedule: async (ctx: RequestContext, id: string) => {
    if (!isStaffLike(ctx.principal)) return null;
    const schedule = await ctx.em.findOne(OnCallSchedule, { id });
    return schedule && OnCallScheduleType.from(schedule);
  },
  /** Escalations are shown on their ticket to whoever may read the ticket (the tenant filter confines customers). */
  Escalation: async (ctx: RequestContext, id: string) => {
    const escalation = await ctx.em.findOne(Escalation, { id });
    return escalation && EscalationType.from(escalation);
  },
  /** A notification is its recipient's alone. */
  Notification: async (ctx: RequestContext, id: string) => {
    if (ctx.principal.kind !== 'staff' || !ctx.principal.userId) return null;
    const notification = await ctx.em.findOne(InboxNotification, { id, user: ctx.principal.userId });
    return notification && NotificationType.from(notification);
  },
};
