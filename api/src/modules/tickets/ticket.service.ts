import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { actorOf, type RequestContext } from '../../shared/context.js';
import { AppError, badInput, notFound } from '../../shared/errors.js';
import { afterCursorCondition, keysetOrder, toPage, type Page, type PageRequest } from '../../shared/pagination.js';
import { entitlementRequired, type EffectiveEntitlements } from '../entitlements/entitlement.service.js';
import { ApiKey, User } from '../identity/identity.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { startOfMonthUtc } from '../../shared/clock.js';
import { Comment, Ticket, TicketEvent, type TicketEventType } from './ticket.entity.js';
import { CommentVisibility, TicketChannel, TicketImpact, TicketPriority, TicketStatus } from './ticket.enums.js';
import { refreshTicketClocks, settleHistoricalCrossings } from '../sla/sla.service.js';
import { acceptsReplies, allowedTransitions, statusAfterPublicReply } from './ticket.policy.js';
import { recordTicketEvent } from './ticket.events.js';
import { assignWaiting, decideRoute, recordRoute, routingFollowsTicket } from '../routing/routing.service.js';

/** Every change that can move an SLA clock re-times the ticket inside its own transaction. */
async function clocksFollow(em: EntityManager, ctx: RequestContext, ticket: Ticket): Promise<void> {
  await em.flush();
  await refreshTicketClocks(em, [ticket.id], ctx.clock);
}

export const LIMITS = { subject: 200, description: 20_000, comment: 20_000, name: 200, email: 254 } as const;

function requireText(field: string, value: string, max: number, what: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw badInput(field, `${what} cannot be empty.`);
  if (trimmed.length > max) throw badInput(field, `${what} is too long (at most ${max} characters).`);
  return trimmed;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function record(em: EntityManager, ctx: RequestContext, ticket: Ticket, type: TicketEventType, data: Record<string, unknown>): void {
  recordTicketEvent(em, ticket, type, data, actorOf(ctx), ctx.clock.now());
}

async function entitlementsOf(ctx: RequestContext, organizationId: string): Promise<EffectiveEntitlements> {
  return ctx.loaders.entitlements.load(organizationId);
}

async function requirePriority(ctx: RequestContext, entitlements: EffectiveEntitlements, priority: TicketPriority): Promise<void> {
  if (entitlements.allowsPriority(priority)) return;
  const label = `${priority.charAt(0)}${priority.slice(1).toLowerCase()} priority`;
  throw entitlementRequired(
    label,
    entitlements,
    await ctx.loaders.tierCatalogue(),
    (e) => e.allowsPriority(priority),
    'tickets.priorities',
  );
}

async function requireChannel(ctx: RequestContext, entitlements: EffectiveEntitlements, channel: TicketChannel): Promise<void> {
  if (entitlements.allowsChannel(channel)) return;
  const label = `Support over ${channel.toLowerCase()}`;
  throw entitlementRequired(label, entitlements, await ctx.loaders.tierCatalogue(), (e) => e.allowsChannel(channel), 'tickets.channels');
}

export interface OpenTicketInput {
  organizationId?: string | null;
  subject: string;
  description: string;
  priority: TicketPriority;
  impact?: TicketImpact | null;
  channel?: TicketChannel | null;
  requesterName?: string | null;
  requesterEmail?: string | null;
}

function defaultChannel(ctx: RequestContext): TicketChannel {
  switch (ctx.principal.kind) {
    case 'customer':
      return TicketChannel.PORTAL;
    case 'partner':
      return TicketChannel.API;
    default:
      return TicketChannel.EMAIL;
  }
}

/**
 * Opens a ticket. The tier's entitlements decide the priorities, channels and monthly allowance it may use; the
 * allowance is counted under a lock on the organization row so two concurrent requests cannot both take the last one.
 */
export async function openTicket(ctx: RequestContext, input: OpenTicketInput): Promise<Ticket> {
  return open(ctx, input, 'live');
}

/**
 * `import`: the ticket's history follows, so triage and routing record their decision but change nothing
 * (no raised priority, no page, no assignment until the history is in).
 */
async function open(ctx: RequestContext, input: OpenTicketInput, mode: 'live' | 'import'): Promise<Ticket> {
  const principal = ctx.principal;
  const organizationId = principal.kind === 'customer' || principal.kind === 'partner' ? principal.organizationId : input.organizationId;
  if (!organizationId) throw badInput('organizationId', 'Staff must name the organization the ticket is for.');
  const subject = requireText('subject', input.subject, LIMITS.subject, 'The subject');
  const description = requireText('description', input.description, LIMITS.description, 'The description');
  const channel = input.channel ?? defaultChannel(ctx);
  const requesterEmail = input.requesterEmail?.trim().toLowerCase() || null;
  if (requesterEmail && (requesterEmail.length > LIMITS.email || !EMAIL.test(requesterEmail))) {
    throw badInput('requesterEmail', 'The requester email is not a valid address.');
  }

  const organization = await ctx.loaders.organization.load(organizationId);
  if (!organization) throw notFound('Organization');
  const entitlements = await entitlementsOf(ctx, organization.id);
  await requirePriority(ctx, entitlements, input.priority);
  await requireChannel(ctx, entitlements, channel);

  return ctx.em.transactional(async (em) => {
    const locked = await em.findOneOrFail(Organization, { id: organization.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const allowance = entitlements.limit('tickets.monthlyAllowance');
    if (allowance !== null) {
      const used = await em.count(Ticket, { organization: locked.id, createdAt: { $gte: startOfMonthUtc(ctx.clock.now()) } });
      if (used >= allowance) {
        const catalogue = await ctx.loaders.tierCatalogue();
        const more = entitlementRequired(
          `More than ${allowance} tickets a month`,
          entitlements,
          catalogue,
          (e) => {
            const limit = e.limit('tickets.monthlyAllowance');
            return limit === null || limit > allowance;
          },
          'tickets.monthlyAllowance',
        );
        throw new AppError('TICKET_ALLOWANCE_EXHAUSTED', `This month's ${allowance} tickets are used. ${more.message}`, more.details);
      }
    }
    locked.ticketSequence += 1;

    const impact = input.impact ?? TicketImpact.MEDIUM;
    const routed = await decideRoute(em, {
      subject,
      description,
      priority: input.priority,
      impact,
      channel,
      organization: locked,
      tier: entitlements.tier,
      entitlements,
    });
    const priority = mode === 'live' ? routed.priority : input.priority;
    const ticket = new Ticket();
    Object.assign(ticket, {
      organization: locked,
      number: locked.ticketSequence,
      subject,
      description,
      priority,
      impact,
      channel,
      createdAt: ctx.clock.now(),
      updatedAt: ctx.clock.now(),
    });
    await assignRequester(ctx, em, ticket, input, requesterEmail);
    em.persist(ticket);
    const raised = priority !== input.priority ? { declaredPriority: input.priority } : {};
    record(em, ctx, ticket, 'CREATED', { priority: ticket.priority, ...raised, impact: ticket.impact, channel: ticket.channel });
    // Routing first: the queue the ticket lands in may set its own first-response target.
    await recordRoute(em, ticket, routed, input.priority, ctx.clock.now(), { page: mode === 'live' });
    await clocksFollow(em, ctx, ticket);
    if (mode === 'live') {
      await em.flush();
      await assignWaiting(em, ctx.clock.now(), { ticketIds: [ticket.id] });
    }
    return ticket;
  });
}

async function assignRequester(
  ctx: RequestContext,
  em: EntityManager,
  ticket: Ticket,
  input: OpenTicketInput,
  email: string | null,
): Promise<void> {
  const principal = ctx.principal;
  if (principal.kind === 'customer') {
    const user = await em.findOneOrFail(User, { id: principal.userId });
    Object.assign(ticket, { requester: user, requesterName: user.name, requesterEmail: user.email });
    return;
  }
  const known = email ? await em.findOne(User, { email, organization: ticket.organization.id }) : null;
  const fallbackName = principal.kind === 'partner' ? (await em.findOneOrFail(ApiKey, { id: principal.apiKeyId })).name : 'Support team';
  const name = input.requesterName?.trim() || known?.name || email || fallbackName;
  if (name.length > LIMITS.name) throw badInput('requesterName', `The requester name is too long (at most ${LIMITS.name} characters).`);
  Object.assign(ticket, { requester: known, requesterName: name, requesterEmail: email });
}

export async function getTicket(ctx: RequestContext, id: string): Promise<Ticket | null> {
  return ctx.em.findOne(Ticket, { id });
}

async function requireTicket(ctx: RequestContext, em: EntityManager, id: string, lock = false): Promise<Ticket> {
  const ticket = await em.findOne(Ticket, { id }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!ticket) throw notFound('Ticket');
  return ticket;
}

export interface TicketFilter {
  status?: TicketStatus[] | null;
  organizationId?: string | null;
}

export async function listTickets(ctx: RequestContext, filter: TicketFilter, request: PageRequest): Promise<Page<Ticket>> {
  const where: Record<string, unknown> = {};
  if (filter.status?.length) where.status = { $in: filter.status };
  if (filter.organizationId) where.organization = filter.organizationId;
  const rows = await ctx.em.find(
    Ticket,
    { ...where, ...afterCursorCondition(request.after) },
    { orderBy: keysetOrder(), limit: request.first + 1 },
  );
  return toPage(rows, request, () => ctx.em.count(Ticket, where));
}

async function authorOf(ctx: RequestContext, em: EntityManager): Promise<{ author: User | null; authorName: string; byStaff: boolean }> {
  const principal = ctx.principal;
  switch (principal.kind) {
    case 'customer': {
      const user = await em.findOneOrFail(User, { id: principal.userId });
      return { author: user, authorName: user.name, byStaff: false };
    }
    case 'partner':
      return { author: null, authorName: (await em.findOneOrFail(ApiKey, { id: principal.apiKeyId })).name, byStaff: false };
    case 'staff': {
      if (principal.userId) {
        const user = await em.findOneOrFail(User, { id: principal.userId });
        return { author: user, authorName: user.name, byStaff: true };
      }
      return { author: null, authorName: (await em.findOneOrFail(ApiKey, { id: principal.apiKeyId! })).name, byStaff: true };
    }
    case 'system':
      return { author: null, authorName: 'Tierdesk', byStaff: true };
    case 'anonymous':
      throw new AppError('UNAUTHENTICATED', 'Sign in to comment.');
  }
}

export async function addComment(
  ctx: RequestContext,
  input: { ticketId: string; body: string; visibility?: CommentVisibility | null },
): Promise<{ comment: Comment; ticket: Ticket }> {
  const body = requireText('body', input.body, LIMITS.comment, 'The comment');
  const visibility = input.visibility ?? CommentVisibility.PUBLIC;
  return ctx.em.transactional(async (em) => {
    const ticket = await requireTicket(ctx, em, input.ticketId, true);
    if (!acceptsReplies(ticket.status)) {
      throw new AppError('CONFLICT', `Ticket #${ticket.number} is closed; open a follow-up ticket instead.`, {
        field: ['input', 'ticketId'],
      });
    }
    const author = await authorOf(ctx, em);
    if (visibility === CommentVisibility.INTERNAL && !author.byStaff) {
      throw badInput('visibility', 'Only the support team can write internal notes.');
    }
    const comment = new Comment();
    Object.assign(comment, { organization: ticket.organization, ticket, body, visibility, ...author, createdAt: ctx.clock.now() });
    em.persist(comment);
    record(em, ctx, ticket, 'COMMENT_ADDED', { commentId: comment.id, visibility, byStaff: author.byStaff });
    const next = visibility === CommentVisibility.PUBLIC ? statusAfterPublicReply(ticket.status, author.byStaff) : null;
    if (next) moveTo(em, ctx, ticket, next);
    ticket.updatedAt = ctx.clock.now();
    await clocksFollow(em, ctx, ticket);
    if (next) await routingFollows(em, ctx, ticket, ticket.assignee?.id ?? null);
    return { comment, ticket };
  });
}

/**
 * Routing follows every change of status or assignee; when an agent's capacity frees up (the ticket left them) or
 * the ticket needs someone again, waiting tickets are offered at once, in this transaction.
 */
async function routingFollows(em: EntityManager, ctx: RequestContext, ticket: Ticket, previousAssigneeId: string | null): Promise<void> {
  const { actor } = actorOf(ctx);
  const { startedWaiting } = await routingFollowsTicket(em, ticket, ctx.clock.now(), actor);
  const stillWithPrevious = previousAssigneeId !== null && ticket.assignee?.id === previousAssigneeId && acceptsWork(ticket.status);
  if (previousAssigneeId !== null && !stillWithPrevious) {
    // Capacity freed: every waiting ticket may now fit.
    await em.flush();
    await assignWaiting(em, ctx.clock.now());
  } else if (startedWaiting) {
    // Only this ticket needs someone again (reopened or unassigned); nothing else changed for the others.
    await em.flush();
    await assignWaiting(em, ctx.clock.now(), { ticketIds: [ticket.id] });
  }
}

function acceptsWork(status: TicketStatus): boolean {
  return status !== TicketStatus.SOLVED && status !== TicketStatus.CLOSED;
}

function moveTo(em: EntityManager, ctx: RequestContext, ticket: Ticket, to: TicketStatus): void {
  const from = ticket.status;
  const now = ctx.clock.now();
  ticket.status = to;
  if (to === TicketStatus.SOLVED) ticket.solvedAt = now;
  if (to === TicketStatus.CLOSED) ticket.closedAt = now;
  if (from === TicketStatus.SOLVED && to === TicketStatus.OPEN) ticket.solvedAt = null;
  record(em, ctx, ticket, 'STATUS_CHANGED', { from, to });
}

export async function changeStatus(ctx: RequestContext, input: { ticketId: string; status: TicketStatus }): Promise<Ticket> {
  return ctx.em.transactional(async (em) => {
    const ticket = await requireTicket(ctx, em, input.ticketId, true);
    const allowed = allowedTransitions(ticket.status, ctx.principal);
    if (!allowed.includes(input.status)) {
      const options = allowed.length ? `it can move to ${allowed.join(', ')}` : 'it cannot change status';
      throw new AppError('ILLEGAL_STATUS_TRANSITION', `Ticket #${ticket.number} is ${ticket.status}; ${options}.`, {
        field: ['input', 'status'],
        from: ticket.status,
        allowed,
      });
    }
    moveTo(em, ctx, ticket, input.status);
    ticket.updatedAt = ctx.clock.now();
    await clocksFollow(em, ctx, ticket);
    await routingFollows(em, ctx, ticket, ticket.assignee?.id ?? null);
    return ticket;
  });
}

export async function changePriority(ctx: RequestContext, input: { ticketId: string; priority: TicketPriority }): Promise<Ticket> {
  return ctx.em.transactional(async (em) => {
    const ticket = await requireTicket(ctx, em, input.ticketId, true);
    if (ticket.priority === input.priority) return ticket;
    await requirePriority(ctx, await entitlementsOf(ctx, ticket.organization.id), input.priority);
    record(em, ctx, ticket, 'PRIORITY_CHANGED', { from: ticket.priority, to: input.priority });
    ticket.priority = input.priority;
    ticket.updatedAt = ctx.clock.now();
    await clocksFollow(em, ctx, ticket);
    return ticket;
  });
}

export async function assignTicket(ctx: RequestContext, input: { ticketId: string; assigneeId: string | null }): Promise<Ticket> {
  return ctx.em.transactional(async (em) => {
    const ticket = await requireTicket(ctx, em, input.ticketId, true);
    let assignee: User | null = null;
    if (input.assigneeId) {
      assignee = await em.findOne(User, { id: input.assigneeId, staffRole: { $ne: null }, active: true });
      if (!assignee) throw badInput('assigneeId', 'The assignee must be an active staff member.');
    }
    const previous = ticket.assignee?.id ?? null;
    record(em, ctx, ticket, 'ASSIGNED', { from: previous, to: assignee?.id ?? null });
    ticket.assignee = assignee;
    ticket.updatedAt = ctx.clock.now();
    await em.flush();
    await routingFollows(em, ctx, ticket, previous);
    return ticket;
  });
}

export async function ticketEvents(ctx: RequestContext, ticketId: string): Promise<TicketEvent[]> {
  return ctx.em.find(TicketEvent, { ticket: ticketId }, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 500 });
}

function commentScope(ticketId: string, includeInternal: boolean) {
  return { ticket: ticketId, ...(includeInternal ? {} : { visibility: CommentVisibility.PUBLIC }) };
}

export async function countComments(ctx: RequestContext, ticketId: string, includeInternal: boolean): Promise<number> {
  return ctx.em.count(Comment, commentScope(ticketId, includeInternal));
}

export async function commentsAfter(
  ctx: RequestContext,
  ticketId: string,
  request: PageRequest,
  includeInternal: boolean,
): Promise<Page<Comment>> {
  const rows = await ctx.em.find(
    Comment,
    { ...commentScope(ticketId, includeInternal), ...afterCursorCondition(request.after, 'oldest-first') },
    {
      orderBy: keysetOrder('oldest-first'),
      limit: request.first + 1,
    },
  );
  return toPage(rows, request, () => countComments(ctx, ticketId, includeInternal));
}

export interface ImportedEvent {
  at: Date;
  /** REPLY: a public reply (by staff or by the customer); NOTE: an internal staff note; STATUS: a status change. */
  type: 'REPLY' | 'NOTE' | 'STATUS';
  byStaff?: boolean | null;
  authorName?: string | null;
  body?: string | null;
  status?: TicketStatus | null;
}

export interface ImportTicketInput extends OpenTicketInput {
  createdAt: Date;
  events: ImportedEvent[];
}

export const MAX_IMPORTED_EVENTS = 500;

/**
 * Imports a ticket with its history (a partner moving from another helpdesk). Everything is written with its
 * original time, through the same rules as live changes (entitlements, legal status moves), so the SLA clocks
 * replay exactly as if it had happened here. All or nothing.
 */
export async function importTicket(ctx: RequestContext, input: ImportTicketInput): Promise<Ticket> {
  const now = ctx.clock.now();
  if (Number.isNaN(input.createdAt.getTime()) || input.createdAt > now) throw badInput('createdAt', 'createdAt must be a past instant.');
  if (now.getTime() - input.createdAt.getTime() > 10 * 366 * 86_400_000)
    throw badInput('createdAt', 'History older than ten years cannot be imported.');
  if (input.events.length > MAX_IMPORTED_EVENTS) throw badInput('events', `At most ${MAX_IMPORTED_EVENTS} events per ticket.`);
  const events = input.events
    .map((event, index) => ({ ...event, index }))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.index - b.index);
  for (const event of events) {
    const field = `events.${event.index}`;
    if (Number.isNaN(event.at.getTime()) || event.at < input.createdAt || event.at > now) {
      throw badInput(field, `Event ${event.index + 1} is not between the ticket's creation and now.`);
    }
    if (event.type === 'STATUS' && !event.status) throw badInput(field, `Event ${event.index + 1} changes the status but names none.`);
    if (event.type !== 'STATUS') requireText(field, event.body ?? '', LIMITS.comment, `The body of event ${event.index + 1}`);
  }
  return ctx.em.transactional(async (em) => {
    // One transaction: opening the ticket (nested, as a savepoint) and replaying its history commit together.
    const inTransaction: RequestContext = { ...ctx, em };
    const at = (instant: Date): RequestContext => ({ ...inTransaction, clock: { now: () => new Date(instant.getTime()) } });
    const ticket = await open(at(input.createdAt), input, 'import');
    for (const event of events) {
      const eventCtx = at(event.at);
      if (event.type === 'STATUS') {
        const target = event.status!;
        if (!allowedTransitions(ticket.status, { kind: 'system', reason: 'import' }).includes(target)) {
          throw new AppError(
            'ILLEGAL_STATUS_TRANSITION',
            `Event ${event.index + 1}: a ticket cannot go from ${ticket.status} to ${target}.`,
            { field: ['input', `events.${event.index}`] },
          );
        }
        moveTo(em, eventCtx, ticket, target);
      } else {
        const byStaff = event.type === 'NOTE' || event.byStaff === true;
        const visibility = event.type === 'NOTE' ? CommentVisibility.INTERNAL : CommentVisibility.PUBLIC;
        const authorName = (event.authorName?.trim() || (byStaff ? 'Support team (imported)' : ticket.requesterName)).slice(0, LIMITS.name);
        const comment = Object.assign(new Comment(), {
          organization: ticket.organization,
          ticket,
          body: event.body!.trim(),
          visibility,
          author: null,
          authorName,
          byStaff,
          createdAt: event.at,
          updatedAt: event.at,
        });
        em.persist(comment);
        record(em, eventCtx, ticket, 'COMMENT_ADDED', { commentId: comment.id, visibility, byStaff, imported: true });
        if (visibility === CommentVisibility.PUBLIC) {
          const next = statusAfterPublicReply(ticket.status, byStaff);
          if (next) moveTo(em, eventCtx, ticket, next);
        }
      }
      ticket.updatedAt = event.at;
    }
    record(em, ctx, ticket, 'IMPORTED', { events: events.length });
    await em.flush();
    await settleHistoricalCrossings(em, [ticket.id], ctx.clock);
    await routingFollows(em, ctx, ticket, null);
    return ticket;
  });
}
