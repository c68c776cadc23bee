import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Access } from '../../shared/access.js';
import type { RequestContext } from '../../shared/context.js';
import { mutationPayload } from '../../shared/graphql.js';
import { fromGlobalId, toGlobalId } from '../../shared/ids.js';
import { TicketType } from '../tickets/index.js';
import type { SlaPolicy } from './sla.entity.js';
import { listSlaPolicies, ticketClocks, ticketSchedule, upsertSlaPolicy } from './sla.service.js';
import { SlaClockType, SlaPolicyPayload, SlaPolicyType, SlaTimerType, UpsertSlaPolicyInput } from './sla.types.js';

function presentPolicy(policy: SlaPolicy): SlaPolicyType {
  return Object.assign(new SlaPolicyType(), {
    tierKey: policy.tier.key,
    pauseStatuses: policy.pauseStatuses,
    warnPercent: policy.warnPercent,
    escalationPolicyId: policy.escalationPolicy ? toGlobalId('EscalationPolicy', policy.escalationPolicy.id) : null,
  });
}

@Resolver(() => TicketType)
export class SlaResolver {
  @FieldResolver(() => [SlaClockType], { description: 'First response, next response and resolution clocks, current to the request.' })
  async slaClocks(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): Promise<SlaClockType[]> {
    return (await ticketClocks(ctx, ticket.ticketId)).map(SlaClockType.from);
  }

  @FieldResolver(() => [SlaTimerType], {
    description: 'The stored deadlines and warning instants of the clocks, for live countdowns in lists (cheaper than `slaClocks`).',
  })
  async slaTimers(@Root() ticket: TicketType, @Ctx() ctx: RequestContext): Promise<SlaTimerType[]> {
    return (await ticketSchedule(ctx, ticket.ticketId)).map(SlaTimerType.fromRow);
  }

  @Query(() => [SlaPolicyType], { description: 'The SLA policy of each tier that has one (others use the defaults).' })
  @Access({ staff: 'ANY' })
  async slaPolicies(@Ctx() ctx: RequestContext): Promise<SlaPolicyType[]> {
    return (await listSlaPolicies(ctx)).map(presentPolicy);
  }

  @Mutation(() => SlaPolicyPayload, {
    description: "Sets how a tier's clocks pause and warn and whom they escalate to; open tickets are re-timed.",
  })
  @Access({ staff: ['ADMIN'] })
  async upsertSlaPolicy(
    @Arg('input', () => UpsertSlaPolicyInput) input: UpsertSlaPolicyInput,
    @Ctx() ctx: RequestContext,
  ): Promise<SlaPolicyPayload> {
    return mutationPayload(SlaPolicyPayload, async () => {
      const escalationPolicyId = input.escalationPolicyId
        ? fromGlobalId('EscalationPolicy', input.escalationPolicyId, 'escalationPolicyId')
        : null;
      const policy = await upsertSlaPolicy(ctx, { ...input, escalationPolicyId });
      await ctx.em.populate(policy, ['tier', 'escalationPolicy']);
      return { slaPolicy: presentPolicy(policy) };
    });
  }
}
