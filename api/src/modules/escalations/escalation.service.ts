import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { actorOf, type RequestContext } from '../../shared/context.js';
import { AppError, badInput, notFound } from '../../shared/errors.js';
import { afterCursorCondition, keysetOrder, toPage, type Page, type PageRequest } from '../../shared/pagination.js';
import { customerEscalationRefusal } from '../entitlements/index.js';
import { User } from '../identity/index.js';
import { isValidTimeZone, organizationEntitlements } from '../organizations/index.js';
import { emitEvent } from '../outbox/index.js';
import { Ticket } from '../tickets/index.js';
import { tierCatalogue } from '../tiers/index.js';
import { TicketStatus } from '../vocabulary/index.js';
import {
  Escalation,
  EscalationPolicy,
  EscalationStep,
  InboxNotification,
  OnCallSchedule,
  Team,
  type EscalationLevel,
  type EscalationStatus,
  type EscalationTrigger,
  type Rotation,
} from './escalation.entity.js';
import { onCallNow, rotationProblems } from './oncall.js';

const MINUTE = 60_000;

/**
 * Resolves escalation targets to active staff, remembering every team, schedule and user it looked up, so a
 * timer pass that pages hundreds of tickets reads each of them once.
 */
export class Pager {
  private readonly teams = new Map<string, Team | null>();
  private readonly schedules = new Map<string, OnCallSchedule | null>();
  private readonly activeStaff = new Map<string, boolean>();

  constructor(private readonly em: EntityManager) {}

  async targets(level: EscalationLevel, ticket: Ticket, at: Date): Promise<string[]> {
    const users: string[] = [];
    for (const target of level.targets) {
      switch (target.type) {
        case 'USER':
          users.push(target.id);
          break;
        case 'ASSIGNEE':
          if (ticket.assignee) users.push(ticket.assignee.id);
          break;
        case 'TEAM':
          users.push(...((await this.remember(this.teams, target.id, () => this.em.findOne(Team, { id: target.id })))?.memberIds ?? []));
          break;
        case 'SCHEDULE': {
          const schedule = await this.remember(this.schedules, target.id, () => this.em.findOne(OnCallSchedule, { id: target.id }));
          if (schedule) users.push(...onCallNow(schedule, at));
          break;
        }
      }
    }
    const unique = [...new Set(users)];
    const unknown = unique.filter((id) => !this.activeStaff.has(id));
    if (unknown.length) {
      const found = await this.em.find(User, { id: { $in: unknown }, staffRole: { $ne: null }, active: true }, { fields: ['id'] });
      for (const id of unknown)
        this.activeStaff.set(
          id,
          found.some((user) => user.id === id),
        );
    }
    return unique.filter((id) => this.activeStaff.get(id));
  }

  private async remember<T>(cache: Map<string, T | null>, id: string, load: () => Promise<T | null>): Promise<T | null> {
    if (!cache.has(id)) cache.set(id, await load());
    return cache.get(id) ?? null;
  }
}

/** Pages the escalation's current level: inbox items for every target, a step record, the next deadline. */
async function page(tx: RequestContext, escalation: Escalation, ticket: Ticket, pager: Pager): Promise<void> {
  const at = tx.clock.now();
  const policy = escalation.policy;
  const level = policy?.levels[escalation.level];
  const userIds = level ? await pager.targets(level, ticket, at) : ticket.assignee ? [ticket.assignee.id] : [];
  tx.em.persist(
    Object.assign(new EscalationStep(), {
      organization: escalation.organization,
      escalation,
      level: escalation.level,
      pass: escalation.pass,
      notifiedUserIds: userIds,
      createdAt: at,
    }),
  );
  for (const userId of userIds) {
    tx.em.persist(
      Object.assign(new InboxNotification(), {
        user: tx.em.getReference(User, userId),
        ticket,
        escalation,
        title: `Escalated: #${ticket.number} ${ticket.subject}`.slice(0, 200),
        body: `${escalation.internalReason} (level ${escalation.level + 1}${escalation.pass ? `, repeat ${escalation.pass}` : ''}). Acknowledge to stop the chain.`,
        createdAt: at,
      }),
    );
  }
  await emitEvent(tx, {
    organizationId: escalation.organization.id,
    type: 'ticket.escalated',
    data: {
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      escalationId: escalation.id,
      trigger: escalation.trigger,
      level: escalation.level + 1,
      notifiedUserIds: userIds,
    },
  });
  // After the last level of the last pass the deadline still runs: nobody acknowledging by then exhausts it.
  escalation.nextStepAt = level && policy ? new Date(at.getTime() + level.delayMinutes * MINUTE) : null;
}

/**
 * What a customer reads when the one who starts an escalation gives no public reason: a plain sentence per trigger,
 * because the internal reason of a routing page or a staff escalation may quote triage figures or staff notes.
 */
const PUBLIC_REASONS: Record<EscalationTrigger, string> = {
  SLA_WARNING: 'A response target is about to be missed.',
  SLA_BREACH: 'A response target was missed.',
  CUSTOMER: 'Your organization escalated this ticket.',
  STAFF: 'The support team escalated this ticket.',
  ROUTING: 'The ticket was urgent enough for the on-call engineers to be alerted as soon as it arrived.',
};

/**
 * Starts an escalation of a ticket at `tx`'s time, unless one is already running for it: a breach after a
 * warning, or a second customer escalation, joins the running chain instead of paging everybody again.
 * `reason` is the internal one (staff only); `publicReason` is what the customer reads (see `PUBLIC_REASONS`).
 */
export async function startEscalation(
  tx: RequestContext,
  input: { ticket: Ticket; trigger: EscalationTrigger; reason: string; publicReason?: string; policy: EscalationPolicy | null },
  pager: Pager = new Pager(tx.em),
  /** The ticket's running escalation when the caller already looked it up (a timer pass does, for many tickets). */
  known?: { running: Escalation | null },
): Promise<{ escalation: Escalation; started: boolean }> {
  const at = tx.clock.now();
  const running = known ? known.running : await tx.em.findOne(Escalation, { ticket: input.ticket.id, status: 'TRIGGERED' });
  if (running) {
    await emitEvent(tx, {
      organizationId: input.ticket.organization.id,
      type: 'ticket.escalation_joined',
      data: { ticketId: input.ticket.id, escalationId: running.id, trigger: input.trigger, reason: input.reason },
    });
    return { escalation: running, started: false };
  }
  const escalation = Object.assign(new Escalation(), {
    organization: input.ticket.organization,
    ticket: input.ticket,
    policy: input.policy,
    trigger: input.trigger,
    publicReason: input.publicReason ?? PUBLIC_REASONS[input.trigger],
    internalReason: input.reason,
    createdAt: at,
    updatedAt: at,
  });
  tx.em.persist(escalation);
  await page(tx, escalation, input.ticket, pager);
  return { escalation, started: true };
}

/** Moves an unacknowledged escalation to its next level (or next pass); past the last, it is exhausted. */
async function advanceEscalation(tx: RequestContext, escalation: Escalation, pager: Pager): Promise<void> {
  const policy = escalation.policy;
  if (escalation.status !== 'TRIGGERED' || !policy) {
    escalation.nextStepAt = null;
    return;
  }
  if (escalation.level + 1 < policy.levels.length) {
    escalation.level += 1;
  } else if (escalation.pass < policy.repeatCount) {
    escalation.pass += 1;
    escalation.level = 0;
  } else {
    escalation.status = 'EXHAUSTED';
    escalation.nextStepAt = null;
    await emitEvent(tx, {
      organizationId: escalation.organization.id,
      type: 'ticket.escalation_exhausted',
      data: { ticketId: escalation.ticket.id, escalationId: escalation.id },
    });
    return;
  }
  await page(tx, escalation, await tx.em.findOneOrFail(Ticket, { id: escalation.ticket.id }), pager);
}

/**
 * The job that moves unacknowledged escalations whose level's delay ran out to their next level, one transaction
 * per pass; FOR UPDATE SKIP LOCKED keeps two runners off the same escalation.
 */
export async function advanceDueEscalations(ctx: RequestContext, batchSize = 50): Promise<number> {
  return ctx.transaction(async (tx) => {
    const due = await tx.em
      .getConnection()
      .execute<{ id: string }[]>(
        `select id from escalation where next_step_at <= ? and status = 'TRIGGERED' order by next_step_at limit ? for update skip locked`,
        [tx.clock.now(), batchSize],
        'all',
        tx.em.getTransactionContext(),
      );
    if (!due.length) return 0;
    const escalations = await tx.em.find(Escalation, { id: { $in: due.map((row) => row.id) } }, { populate: ['policy'] });
    const pager = new Pager(tx.em);
    for (const escalation of escalations) await advanceEscalation(tx, escalation, pager);
    return escalations.length;
  });
}

/** When the escalation job next has work: the earliest step deadline still ahead (the job runner wakes then). */
export async function nextEscalationStepAt(ctx: RequestContext): Promise<Date | null> {
  const [row] = await ctx.em
    .getConnection()
    .execute<{ at: Date | string | null }[]>(
      `select min(next_step_at) as at from escalation where next_step_at > ? and status = 'TRIGGERED'`,
      [ctx.clock.now()],
    );
  return row?.at ? new Date(row.at) : null;
}

export async function acknowledgeEscalation(ctx: RequestContext, escalationId: string): Promise<Escalation> {
  return ctx.transaction(async (tx) => {
    const escalation = await tx.em.findOne(Escalation, { id: escalationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!escalation) throw notFound('Escalation');
    if (escalation.status !== 'TRIGGERED') throw new AppError('CONFLICT', `The escalation is already ${escalation.status.toLowerCase()}.`);
    const principal = tx.principal;
    const userId = principal.kind === 'staff' ? principal.userId : null;
    Object.assign(escalation, {
      status: 'ACKNOWLEDGED',
      acknowledgedAt: tx.clock.now(),
      acknowledgedBy: userId ? tx.em.getReference(User, userId) : null,
      nextStepAt: null,
    });
    await emitEvent(tx, {
      organizationId: escalation.organization.id,
      type: 'ticket.escalation_acknowledged',
      data: { ticketId: escalation.ticket.id, escalationId: escalation.id, by: actorOf(tx).actor },
    });
    return escalation;
  });
}

/**
 * A customer's own escalation (where the tier entitles it) or a staff escalation of a ticket, with the policy the
 * caller names for it (the ticket workflow passes its tier SLA policy's).
 */
export async function escalateTicket(
  ctx: RequestContext,
  input: { ticketId: string; reason: string },
  policyFor: (tx: RequestContext, ticket: Ticket) => Promise<EscalationPolicy | null>,
): Promise<Escalation> {
  const reason = input.reason.trim();
  if (!reason || reason.length > 1000) throw badInput('reason', 'Say why the ticket needs escalating (1 to 1000 characters).');
  const customerSide = ctx.principal.kind === 'customer' || ctx.principal.kind === 'partner';
  return ctx.transaction(async (tx) => {
    const ticket = await tx.em.findOne(Ticket, { id: input.ticketId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!ticket) throw notFound('Ticket');
    if (ticket.status === TicketStatus.SOLVED || ticket.status === TicketStatus.CLOSED) {
      throw new AppError('CONFLICT', `Ticket #${ticket.number} is ${ticket.status.toLowerCase()}; reopen it first.`, {
        field: ['input', 'ticketId'],
      });
    }
    if (customerSide) {
      const refusal = customerEscalationRefusal(await organizationEntitlements(tx, ticket.organization.id), await tierCatalogue(tx));
      if (refusal) throw refusal;
    }
    const { escalation } = await startEscalation(tx, {
      ticket,
      trigger: customerSide ? 'CUSTOMER' : 'STAFF',
      reason: `${customerSide ? 'Customer' : 'Staff'} escalation: ${reason}`,
      // The customer's own words are theirs to read back; a staff member's may speak of internals.
      publicReason: customerSide ? reason : undefined,
      policy: await policyFor(tx, ticket),
    });
    return escalation;
  });
}

export async function escalationSteps(ctx: RequestContext, escalationIds: readonly string[]): Promise<EscalationStep[]> {
  return ctx.em.find(EscalationStep, { escalation: { $in: [...escalationIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

/**
 * The escalations that paged a staff member, newest first: those with a step whose stored `notifiedUserIds` name
 * them, however the target resolved then (the user, a team, the schedule on call at that moment, the assignee).
 * The steps decide, not the policy's targets now: a rotation that has handed off since still shows the page to
 * whoever it woke. Open ones only (TRIGGERED), or acknowledged ones too.
 */
export async function escalationsPaging(
  ctx: RequestContext,
  userId: string,
  includeAcknowledged: boolean,
  request: PageRequest,
): Promise<Page<Escalation>> {
  const statuses: EscalationStatus[] = includeAcknowledged ? ['TRIGGERED', 'ACKNOWLEDGED'] : ['TRIGGERED'];
  // A query builder is thenable (awaiting it runs it), so it is built here and filtered where it is used.
  const matching = (extra: Record<string, unknown>) =>
    ctx.em
      .createQueryBuilder(Escalation, 'e')
      .where({ status: { $in: statuses }, ...extra })
      .andWhere('exists (select 1 from escalation_step s where s.escalation_id = e.id and s.notified_user_ids @> ?::jsonb)', [
        JSON.stringify([userId]),
      ]);
  const page = matching(afterCursorCondition(request.after))
    .orderBy(keysetOrder())
    .limit(request.first + 1);
  await page.applyFilters();
  const rows = await page.getResultList();
  // The list shows each page's ticket: one statement for all of them (`escalationTicket` then finds them loaded).
  await ctx.em.populate(rows, ['ticket']);
  return toPage(rows, request, async () => {
    const all = matching({});
    await all.applyFilters();
    return all.getCount();
  });
}

/** The ticket an escalation is for (already in the identity map when the escalation's list populated it). */
export async function escalationTicket(ctx: RequestContext, ticketId: string): Promise<Ticket> {
  const ticket = await ctx.em.findOne(Ticket, { id: ticketId });
  if (!ticket) throw notFound('Ticket');
  return ticket;
}

export async function ticketEscalations(ctx: RequestContext, ticketId: string): Promise<Escalation[]> {
  return ctx.em.find(Escalation, { ticket: ticketId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 50 });
}

async function staffIds(em: EntityManager, ids: readonly string[], field: string): Promise<void> {
  const found = await em.find(User, { id: { $in: [...ids] }, staffRole: { $ne: null } });
  const missing = ids.filter((id) => !found.some((user) => user.id === id));
  if (missing.length) throw badInput(field, `These are not staff users: ${missing.join(', ')}.`);
}

export async function createTeam(ctx: RequestContext, input: { name: string; memberIds: string[] }): Promise<Team> {
  const name = input.name.trim();
  if (!name || name.length > 120) throw badInput('name', 'Give the team a name of 1 to 120 characters.');
  await staffIds(ctx.em, input.memberIds, 'memberIds');
  if (await ctx.em.count(Team, { name })) throw new AppError('CONFLICT', `A team named "${name}" exists.`, { field: ['input', 'name'] });
  const team = Object.assign(new Team(), { name, memberIds: [...new Set(input.memberIds)] });
  await ctx.em.persistAndFlush(team);
  return team;
}

export async function createOnCallSchedule(
  ctx: RequestContext,
  input: { name: string; timeZone: string; rotations: Rotation[] },
): Promise<OnCallSchedule> {
  const name = input.name.trim();
  if (!name || name.length > 120) throw badInput('name', 'Give the schedule a name of 1 to 120 characters.');
  if (!isValidTimeZone(input.timeZone)) throw badInput('timeZone', `"${input.timeZone}" is not an IANA time zone.`);
  if (!input.rotations.length || input.rotations.length > 10) throw badInput('rotations', 'A schedule has 1 to 10 rotations.');
  for (const [index, rotation] of input.rotations.entries()) {
    const problems = rotationProblems(rotation);
    if (problems.length)
      throw new AppError('BAD_USER_INPUT', `Rotation ${index + 1} ${problems.join('; ')}.`, {
        field: ['input', 'rotations', String(index)],
      });
    await staffIds(ctx.em, rotation.userIds, `rotations.${index}.userIds`);
  }
  if (await ctx.em.count(OnCallSchedule, { name }))
    throw new AppError('CONFLICT', `A schedule named "${name}" exists.`, { field: ['input', 'name'] });
  const schedule = Object.assign(new OnCallSchedule(), { name, timeZone: input.timeZone, rotations: input.rotations });
  await ctx.em.persistAndFlush(schedule);
  return schedule;
}

export async function createEscalationPolicy(
  ctx: RequestContext,
  input: { name: string; levels: EscalationLevel[]; repeatCount: number },
): Promise<EscalationPolicy> {
  const name = input.name.trim();
  if (!name || name.length > 120) throw badInput('name', 'Give the policy a name of 1 to 120 characters.');
  if (!input.levels.length || input.levels.length > 10) throw badInput('levels', 'A policy has 1 to 10 levels.');
  if (!Number.isInteger(input.repeatCount) || input.repeatCount < 0 || input.repeatCount > 10)
    throw badInput('repeatCount', 'repeatCount is 0 to 10.');
  for (const [index, level] of input.levels.entries()) {
    const field = ['input', 'levels', String(index)];
    if (!Number.isInteger(level.delayMinutes) || level.delayMinutes < 1 || level.delayMinutes > 1440) {
      throw new AppError('BAD_USER_INPUT', `Level ${index + 1}: the delay is 1 to 1440 minutes.`, { field: [...field, 'delayMinutes'] });
    }
    if (!level.targets.length) throw new AppError('BAD_USER_INPUT', `Level ${index + 1} pages nobody.`, { field: [...field, 'targets'] });
    for (const target of level.targets) {
      const exists =
        target.type === 'ASSIGNEE' ||
        (target.type === 'USER' && (await ctx.em.count(User, { id: target.id, staffRole: { $ne: null } }))) ||
        (target.type === 'TEAM' && (await ctx.em.count(Team, { id: target.id }))) ||
        (target.type === 'SCHEDULE' && (await ctx.em.count(OnCallSchedule, { id: target.id })));
      if (!exists)
        throw new AppError('BAD_USER_INPUT', `Level ${index + 1}: no ${target.type.toLowerCase()} ${target.id}.`, {
          field: [...field, 'targets'],
        });
    }
  }
  if (await ctx.em.count(EscalationPolicy, { name }))
    throw new AppError('CONFLICT', `A policy named "${name}" exists.`, { field: ['input', 'name'] });
  const policy = Object.assign(new EscalationPolicy(), { name, levels: input.levels, repeatCount: input.repeatCount });
  await ctx.em.persistAndFlush(policy);
  return policy;
}

export async function inbox(
  ctx: RequestContext,
  userId: string,
  unreadOnly: boolean,
  request: PageRequest,
): Promise<Page<InboxNotification>> {
  const where = { user: userId, ...(unreadOnly ? { readAt: null } : {}) };
  const rows = await ctx.em.find(
    InboxNotification,
    { ...where, ...afterCursorCondition(request.after) },
    { orderBy: keysetOrder(), limit: request.first + 1 },
  );
  return toPage(rows, request, () => ctx.em.count(InboxNotification, where));
}

export async function markRead(ctx: RequestContext, userId: string, notificationId: string): Promise<InboxNotification> {
  const notification = await ctx.em.findOne(InboxNotification, { id: notificationId, user: userId });
  if (!notification) throw notFound('Notification');
  notification.readAt ??= ctx.clock.now();
  await ctx.em.flush();
  return notification;
}
