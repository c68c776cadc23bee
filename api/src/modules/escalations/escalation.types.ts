import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, Node, UserError, type WithUserErrors } from '../../shared/graphql.js';
import { toGlobalId } from '../../shared/ids.js';
import { ConnectionType } from '../../shared/pagination.js';
import {
  ESCALATION_STATUSES,
  ESCALATION_TARGET_TYPES,
  ESCALATION_TRIGGERS,
  type Escalation,
  type EscalationPolicy,
  type EscalationStatus,
  type EscalationStep,
  type EscalationTargetType as EscalationTargetKind,
  type EscalationTrigger,
  type InboxNotification,
  type OnCallSchedule,
  type Team,
} from './escalation.entity.js';

const EscalationTargetTypeEnum = graphqlEnum('EscalationTargetType', ESCALATION_TARGET_TYPES, {
  description: "ASSIGNEE: the ticket's assignee at the time.",
});

const EscalationTriggerEnum = graphqlEnum('EscalationTrigger', ESCALATION_TRIGGERS, {
  description: 'ROUTING: a routing rule paged at once when the ticket arrived.',
});

const EscalationStatusEnum = graphqlEnum('EscalationStatus', ESCALATION_STATUSES);

@ObjectType('EscalationTarget')
export class EscalationTargetType {
  @Field(() => EscalationTargetTypeEnum)
  type: EscalationTargetKind;

  @Field(() => ID, { nullable: true, description: 'Global id of the user, team or schedule (null for ASSIGNEE).' })
  id: string | null;
}

@InputType()
export class EscalationTargetInput {
  @Field(() => EscalationTargetTypeEnum)
  type: EscalationTargetKind;

  @Field(() => ID, { nullable: true })
  id?: string | null;
}

@ObjectType('EscalationLevel')
export class EscalationLevelType {
  @Field(() => Int)
  delayMinutes: number;

  @Field(() => [EscalationTargetType])
  targets: EscalationTargetType[];
}

@InputType()
export class EscalationLevelInput {
  @Field(() => Int, { description: 'Minutes to wait for an acknowledgement before the next level.' })
  delayMinutes: number;

  @Field(() => [EscalationTargetInput])
  targets: EscalationTargetInput[];
}

/** The global-id type of each kind of escalation target. */
export const TARGET_NODE = { USER: 'User', TEAM: 'Team', SCHEDULE: 'OnCallSchedule' } as const;

@ObjectType('EscalationPolicy', { implements: Node })
export class EscalationPolicyType extends Node {
  @Field(() => String)
  name: string;

  @Field(() => [EscalationLevelType])
  levels: EscalationLevelType[];

  @Field(() => Int, { description: 'How many more times the whole chain repeats when nobody acknowledges.' })
  repeatCount: number;

  static from(policy: EscalationPolicy): EscalationPolicyType {
    return Object.assign(new EscalationPolicyType(), {
      id: toGlobalId('EscalationPolicy', policy.id),
      name: policy.name,
      repeatCount: policy.repeatCount,
      levels: policy.levels.map((level) =>
        Object.assign(new EscalationLevelType(), {
          delayMinutes: level.delayMinutes,
          targets: level.targets.map((target) =>
            Object.assign(new EscalationTargetType(), {
              type: target.type,
              id: target.type === 'ASSIGNEE' ? null : toGlobalId(TARGET_NODE[target.type], target.id),
            }),
          ),
        }),
      ),
    });
  }
}

@InputType()
export class CreateEscalationPolicyInput {
  @Field(() => String)
  name: string;

  @Field(() => [EscalationLevelInput])
  levels: EscalationLevelInput[];

  @Field(() => Int, { nullable: true })
  repeatCount?: number | null;
}

@ObjectType('Team', { implements: Node })
export class TeamType extends Node {
  @Field(() => String)
  name: string;

  @Field(() => [ID])
  memberIds: string[];

  static from(team: Team): TeamType {
    return Object.assign(new TeamType(), {
      id: toGlobalId('Team', team.id),
      name: team.name,
      memberIds: team.memberIds.map((id) => toGlobalId('User', id)),
    });
  }
}

@InputType()
export class CreateTeamInput {
  @Field(() => String)
  name: string;

  @Field(() => [ID])
  memberIds: string[];
}

@ObjectType('Rotation')
export class RotationType {
  @Field(() => String)
  name: string;

  @Field(() => [ID])
  userIds: string[];

  @Field(() => String)
  startDate: string;

  @Field(() => String)
  handoffTime: string;

  @Field(() => Int)
  shiftDays: number;
}

@InputType()
export class RotationInput {
  @Field(() => String)
  name: string;

  @Field(() => [ID], { description: 'Staff users in hand-off order.' })
  userIds: string[];

  @Field(() => String, { description: 'Local date of the first shift, "YYYY-MM-DD".' })
  startDate: string;

  @Field(() => String, { description: 'Local hand-off time, "HH:MM".' })
  handoffTime: string;

  @Field(() => Int, { description: 'Shift length in days (1 daily, 7 weekly).' })
  shiftDays: number;
}

@ObjectType('OnCallSchedule', { implements: Node })
export class OnCallScheduleType extends Node {
  @Field(() => String)
  name: string;

  @Field(() => String)
  timeZone: string;

  @Field(() => [RotationType])
  rotations: RotationType[];

  scheduleId: string;

  static from(schedule: OnCallSchedule): OnCallScheduleType {
    return Object.assign(new OnCallScheduleType(), {
      id: toGlobalId('OnCallSchedule', schedule.id),
      scheduleId: schedule.id,
      name: schedule.name,
      timeZone: schedule.timeZone,
      rotations: schedule.rotations.map((rotation) =>
        Object.assign(new RotationType(), { ...rotation, userIds: rotation.userIds.map((id) => toGlobalId('User', id)) }),
      ),
    });
  }
}

@InputType()
export class CreateOnCallScheduleInput {
  @Field(() => String)
  name: string;

  @Field(() => String)
  timeZone: string;

  @Field(() => [RotationInput])
  rotations: RotationInput[];
}

@ObjectType('EscalationStep', { description: 'One page: which level, who was notified, when.' })
export class EscalationStepType {
  @Field(() => Int, { description: '1-based.' })
  level: number;

  @Field(() => Int)
  pass: number;

  @Field(() => [ID])
  notifiedUserIds: string[];

  @Field(() => Date)
  at: Date;

  static from(step: EscalationStep): EscalationStepType {
    return Object.assign(new EscalationStepType(), {
      level: step.level + 1,
      pass: step.pass,
      notifiedUserIds: step.notifiedUserIds.map((id) => toGlobalId('User', id)),
      at: step.createdAt,
    });
  }
}

@ObjectType('Escalation', { implements: Node })
export class EscalationType extends Node {
  @Field(() => EscalationTriggerEnum)
  trigger: EscalationTrigger;

  @Field(() => String, {
    description:
      'What the customer reads: their own words when they escalated, else a plain sentence such as "A response target was missed."',
  })
  reason: string;

  @Field(() => EscalationStatusEnum)
  status: EscalationStatus;

  @Field(() => Int, { description: 'The level paged last, 1-based.' })
  level: number;

  @Field(() => Date, { nullable: true })
  nextStepAt: Date | null;

  @Field(() => Date, { nullable: true })
  acknowledgedAt: Date | null;

  @Field(() => ID, { nullable: true })
  acknowledgedById: string | null;

  @Field(() => Date)
  createdAt: Date;

  escalationId: string;

  /** Not a field: `EscalationResolver.ticket` resolves it. */
  ticketId: string;

  /** Not a field: `EscalationResolver.internalReason` shows it to staff only, whichever path reached the escalation. */
  staffOnlyReason: string;

  static from(escalation: Escalation): EscalationType {
    return Object.assign(new EscalationType(), {
      id: toGlobalId('Escalation', escalation.id),
      escalationId: escalation.id,
      ticketId: escalation.ticket.id,
      trigger: escalation.trigger,
      reason: escalation.publicReason,
      staffOnlyReason: escalation.internalReason,
      status: escalation.status,
      level: escalation.level + 1,
      nextStepAt: escalation.nextStepAt,
      acknowledgedAt: escalation.acknowledgedAt,
      acknowledgedById: escalation.acknowledgedBy ? toGlobalId('User', escalation.acknowledgedBy.id) : null,
      createdAt: escalation.createdAt,
    });
  }
}

@ObjectType('Notification', { implements: Node })
export class NotificationType extends Node {
  @Field(() => String)
  title: string;

  @Field(() => String)
  body: string;

  @Field(() => ID, { nullable: true })
  ticketId: string | null;

  @Field(() => ID, { nullable: true })
  escalationId: string | null;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  readAt: Date | null;

  static from(notification: InboxNotification): NotificationType {
    return Object.assign(new NotificationType(), {
      id: toGlobalId('Notification', notification.id),
      title: notification.title,
      body: notification.body,
      ticketId: notification.ticket ? toGlobalId('Ticket', notification.ticket.id) : null,
      escalationId: notification.escalation ? toGlobalId('Escalation', notification.escalation.id) : null,
      createdAt: notification.createdAt,
      readAt: notification.readAt,
    });
  }
}

@InputType()
export class EscalateTicketInput {
  @Field(() => ID)
  ticketId: string;

  @Field(() => String)
  reason: string;
}

@ObjectType()
export class EscalationPayload implements WithUserErrors {
  @Field(() => EscalationType, { nullable: true })
  escalation: EscalationType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class EscalationPolicyPayload implements WithUserErrors {
  @Field(() => EscalationPolicyType, { nullable: true })
  escalationPolicy: EscalationPolicyType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class TeamPayload implements WithUserErrors {
  @Field(() => TeamType, { nullable: true })
  team: TeamType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class OnCallSchedulePayload implements WithUserErrors {
  @Field(() => OnCallScheduleType, { nullable: true })
  schedule: OnCallScheduleType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class NotificationPayload implements WithUserErrors {
  @Field(() => NotificationType, { nullable: true })
  notification: NotificationType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export const NotificationConnection = ConnectionType('Notification', NotificationType);
export const EscalationConnection = ConnectionType('Escalation', EscalationType);
