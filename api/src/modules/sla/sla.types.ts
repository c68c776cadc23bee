import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, UserError, type WithUserErrors } from '../../shared/graphql.js';
import { TicketStatus } from '../vocabulary/index.js';
import { CLOCK_KINDS, CLOCK_STATUSES, type ClockKind, type ClockState, type ClockStatus } from './clocks.js';

const ClockKindEnum = graphqlEnum('SlaClockKind', CLOCK_KINDS);

const ClockStatusEnum = graphqlEnum('SlaClockStatus', CLOCK_STATUSES);

@ObjectType('SlaClock', { description: 'One response commitment of a ticket, as its history says now.' })
export class SlaClockType {
  @Field(() => ClockKindEnum)
  kind: ClockKind;

  @Field(() => Int, { description: 'NEXT_RESPONSE restarts on every customer reply; this is the round shown.' })
  cycle: number;

  @Field(() => ClockStatusEnum)
  status: ClockStatus;

  @Field(() => Int)
  targetMinutes: number;

  @Field(() => Date)
  startedAt: Date;

  @Field(() => Date, { nullable: true })
  stoppedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'null while paused, stopped or already breached.' })
  dueAt: Date | null;

  @Field(() => Date, { nullable: true })
  breachedAt: Date | null;

  @Field(() => Float, { description: 'Open (business or 24×7) minutes used so far.' })
  usedMinutes: number;

  @Field(() => Float, { description: 'Wall-clock minutes spent paused.' })
  pausedMinutes: number;

  @Field(() => Float)
  remainingMinutes: number;

  @Field(() => String, { description: 'Which policy and targets applied, and why.' })
  reason: string;

  static from(clock: ClockState): SlaClockType {
    const minutes = (ms: number) => Math.round((ms / 60_000) * 100) / 100;
    return Object.assign(new SlaClockType(), {
      kind: clock.kind,
      cycle: clock.cycle,
      status: clock.status,
      targetMinutes: clock.targetMinutes,
      startedAt: clock.startedAt,
      stoppedAt: clock.stoppedAt,
      dueAt: clock.dueAt,
      breachedAt: clock.breachedAt,
      usedMinutes: minutes(clock.usedMillis),
      pausedMinutes: minutes(clock.pausedMillis),
      remainingMinutes: minutes(clock.remainingMillis),
      reason: clock.reason,
    });
  }
}

@ObjectType('SlaTimer', {
  description:
    "One clock's stored schedule: what the timer worker watches. Exact while the clock runs (a clock's deadline moves only when the ticket changes, and then this is rewritten); for minutes used and paused, read `slaClocks`.",
})
export class SlaTimerType {
  @Field(() => ClockKindEnum)
  kind: ClockKind;

  @Field(() => Int)
  cycle: number;

  @Field(() => ClockStatusEnum, { description: 'WARNING and BREACHED once the timer worker has recorded the crossing.' })
  status: ClockStatus;

  @Field(() => Int)
  targetMinutes: number;

  @Field(() => Date, { nullable: true, description: 'null while paused, stopped or already breached.' })
  dueAt: Date | null;

  @Field(() => Date, { nullable: true, description: "When the clock enters its warning (the tier's SLA policy's warning percentage)." })
  warningAt: Date | null;

  @Field(() => Date, { nullable: true })
  breachedAt: Date | null;

  @Field(() => Date, { nullable: true })
  stoppedAt: Date | null;

  static fromRow(row: Pick<SlaTimerType, keyof SlaTimerType>): SlaTimerType {
    return Object.assign(new SlaTimerType(), {
      kind: row.kind,
      cycle: row.cycle,
      status: row.status,
      targetMinutes: row.targetMinutes,
      dueAt: row.dueAt,
      warningAt: row.warningAt,
      breachedAt: row.breachedAt,
      stoppedAt: row.stoppedAt,
    });
  }
}

@ObjectType('SlaPolicy')
export class SlaPolicyType {
  @Field(() => String)
  tierKey: string;

  @Field(() => [TicketStatus])
  pauseStatuses: TicketStatus[];

  @Field(() => Int)
  warnPercent: number;

  @Field(() => ID, { nullable: true })
  escalationPolicyId: string | null;
}

@InputType()
export class UpsertSlaPolicyInput {
  @Field(() => String)
  tierKey: string;

  @Field(() => [TicketStatus], { description: 'Statuses that pause the clocks: WAITING_ON_CUSTOMER and/or ON_HOLD.' })
  pauseStatuses: TicketStatus[];

  @Field(() => Int, { description: 'Warn when this percentage of a target is used (1–99).' })
  warnPercent: number;

  @Field(() => ID, { nullable: true })
  escalationPolicyId?: string | null;
}

@ObjectType()
export class SlaPolicyPayload implements WithUserErrors {
  @Field(() => SlaPolicyType, { nullable: true })
  slaPolicy: SlaPolicyType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
