import { LockMode } from '@mikro-orm/core';
import { raw } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { startOfMonthUtc } from '../../shared/clock.js';
import { actorOf, defineLoaders, type RequestContext } from '../../shared/context.js';
import { AppError, badInput, notFound } from '../../shared/errors.js';
import { afterCursorCondition, keysetOrder, toPage, type Page, type PageRequest } from '../../shared/pagination.js';
import { tenantOf } from '../../shared/principal.js';
import {
  allowanceRefusal,
  channelRefusal,
  priorityRefusal,
  type EffectiveEntitlements,
  type TierCatalogueEntry,
} from '../entitlements/index.js';
import { ApiKey, User } from '../identity/index.js';
import { loadOrganization, Organization, organizationEntitlements } from '../organizations/index.js';
import { tierCatalogue, type Tier } from '../tiers/index.js';
import { CommentVisibility, TicketChannel, TicketImpact, TicketStatus, type TicketPriority } from '../vocabulary/index.js';
import { Comment, Ticket, TicketEvent, type TicketEventType } from './ticket.entity.js';
import { recordTicketEvent } from './ticket.events.js';
import { acceptsReplies, allowedTransitions, statusAfterPublicReply } from './ticket.policy.js';
import { BatchLoader, type MaybePromise } from '../../shared/loaders.js';
import { readRows, rowsOf, type Row } from '../../shared/reads.js';
import { sqlRows } from '../../shared/sql.js';

/**
 * The steps of a ticket's life that only touch tickets. Each runs in the caller's transaction (`tx`); the
 * workflows (api/src/workflows) compose them with routing and the SLA clocks, which follow every change.
 */

export const LIMITS = { subject: 200, description: 20_000, comment: 20_000, name: 200, email: 254 } as const;

function requireText(field: string, value: string, max: number, what: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw badInput(field, `${what} cannot be empty.`);
  if (trimmed.length > max) throw badInput(field, `${what} is too long (at most ${max} characters).`);
  return trimmed;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function record(ctx: RequestContext, ticket: Ticket, type: TicketEventType, data: Record<string, unknown>): void {
  recordTicketEvent(ctx.em, ticket, type, data, actorOf(ctx), ctx.clock.now());
}

/** The priority is one the organization's tier includes; else the refusal names the tier that does. */
export async function requirePriority(ctx: RequestContext, entitlements: EffectiveEntitlements, priority: TicketPriority): Promise<void> {
  const refusal = priorityRefusal(entitlements, await tierCatalogue(ctx), priority);
  if (refusal) throw refusal;
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

/** A new ticket that passed every check that needs no lock: its text, its organization's tier, its channel. */
export interface PreparedTicket {
  organization: Organization;
  entitlements: EffectiveEntitlements<Tier>;
  /** The tier catalogue read with the entitlements: what a refusal names as the tier that has more. */
  catalogue: TierCatalogueEntry<Tier>[];
  subject: string;
  description: string;
  /** As the requester declared it; triage may raise it within the tier. */
  priority: TicketPriority;
  impact: TicketImpact;
  channel: TicketChannel;
  requesterName: string | null;
  requesterEmail: string | null;
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

/** Validates a new ticket against its organization's tier (priority, channel) before anything is written. */
export async function prepareTicket(ctx: RequestContext, input: OpenTicketInput): Promise<PreparedTicket> {
  const organizationId = tenantOf(ctx.principal) ?? input.organizationId;
  if (!organizationId) throw badInput('organizationId', 'Staff must name the organization the ticket is for.');
  const subject = requireText('subject', input.subject, LIMITS.subject, 'The subject');
  const description = requireText('description', input.description, LIMITS.description, 'The description');
  const channel = input.channel ?? defaultChannel(ctx);
  const requesterEmail = input.requesterEmail?.trim().toLowerCase() || null;
  if (requesterEmail && (requesterEmail.length > LIMITS.email || !EMAIL.test(requesterEmail))) {
    throw badInput('requesterEmail', 'The requester email is not a valid address.');
  }
  const organization = await loadOrganization(ctx, organizationId);
  if (!organization) throw notFound('Organization');
  const entitlements = await organizationEntitlements(ctx, organization.id);
  await requirePriority(ctx, entitlements, input.priority);
  const catalogue = await tierCatalogue(ctx);
  const refusal = channelRefusal(entitlements, catalogue, channel);
  if (refusal) throw refusal;
  return {
    organization,
    entitlements,
    catalogue,
    subject,
    description,
    priority: input.priority,
    impact: input.impact ?? TicketImpact.MEDIUM,
    channel,
    requesterName: input.requesterName?.trim() || null,
    requesterEmail,
  };
}

/** The calendar month (UTC) of `at`, bounded on both sides: the one window the allowance and the usage count. */
function monthOf(at: Date): { $gte: Date; $lt: Date } {
  const start = startOfMonthUtc(at);
  return { $gte: start, $lt: new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)) };
}

/** Tickets an organization opened in the calendar month (UTC) of `at`: the month's allowance counts these. */
async function ticketsInMonth(ctx: RequestContext, organizationId: string, at: Date): Promise<number> {
  return ctx.em.count(Ticket, { organization: organizationId, createdAt: monthOf(at) });
}

/**
 * Takes the organization's next ticket number under a lock on its row, so two concurrent requests can neither
 * share a number nor both take the month's last allowed ticket. The lock is held until the transaction commits:
 * callers take it as late as they can (after the reads that decide the route).
 */
export async function reserveTicketNumber(
  tx: RequestContext,
  prepared: PreparedTicket,
): Promise<{ organization: Organization; number: number }> {
  const organization = await tx.em.findOneOrFail(Organization, { id: prepared.organization.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  // A tier without a monthly allowance has nothing to count (the count is the slowest read under the lock).
  if (prepared.entitlements.limit('tickets.monthlyAllowance') !== null) {
    const used = await ticketsInMonth(tx, organization.id, tx.clock.now());
    const refusal = allowanceRefusal(prepared.entitlements, prepared.catalogue, used);
    if (refusal) throw refusal;
  }
  organization.ticketSequence += 1;
  return { organization, number: organization.ticketSequence };
}

/** Writes the ticket with its number and (possibly raised) priority, and the first entry of its trail. */
export async function createTicketRecord(
  tx: RequestContext,
  prepared: PreparedTicket,
  reserved: { organization: Organization; number: number; priority: TicketPriority },
): Promise<Ticket> {
  const now = tx.clock.now();
  const ticket = Object.assign(new Ticket(), {
    organization: reserved.organization,
    number: reserved.number,
    subject: prepared.subject,
    description: prepared.description,
    priority: reserved.priority,
    impact: prepared.impact,
    channel: prepared.channel,
    createdAt: now,
    updatedAt: now,
  });
  await assignRequester(tx, ticket, prepared);
  tx.em.persist(ticket);
  const raised = reserved.priority !== prepared.priority ? { declaredPriority: prepared.priority } : {};
  record(tx, ticket, 'CREATED', { priority: ticket.priority, ...raised, impact: ticket.impact, channel: ticket.channel });
  return ticket;
}

async function assignRequester(tx: RequestContext, ticket: Ticket, prepared: PreparedTicket): Promise<void> {
  const principal = tx.principal;
  if (principal.kind === 'customer') {
    const user = await tx.em.findOneOrFail(User, { id: principal.userId });
    Object.assign(ticket, { requester: user, requesterName: user.name, requesterEmail: user.email });
    return;
  }
  const email = prepared.requesterEmail;
  const known = email ? await tx.em.findOne(User, { email, organization: ticket.organization.id }) : null;
  const fallbackName = principal.kind === 'partner' ? (await tx.em.findOneOrFail(ApiKey, { id: principal.apiKeyId })).name : 'Support team';
  const name = prepared.requesterName || known?.name || email || fallbackName;
  if (name.length > LIMITS.name) throw badInput('requesterName', `The requester name is too long (at most ${LIMITS.name} characters).`);
  Object.assign(ticket, { requester: known, requesterName: name, requesterEmail: email });
}

export async function getTicket(ctx: RequestContext, id: string): Promise<Ticket | null> {
  return ctx.em.findOne(Ticket, { id });
}

async function requireTicket(ctx: RequestContext, id: string, options: { lock?: boolean } = {}): Promise<Ticket> {
  const ticket = await ctx.em.findOne(Ticket, { id }, options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!ticket) throw notFound('Ticket');
  return ticket;
}

export interface TicketFilter {
  status?: TicketStatus[] | null;
  organizationId?: string | null;
}

export type TicketRow = Row<Ticket>;
export type CommentRow = Row<Comment>;

export async function listTickets(ctx: RequestContext, filter: TicketFilter, request: PageRequest): Promise<Page<TicketRow>> {
  const where: Record<string, unknown> = {};
  if (filter.status?.length) where.status = { $in: filter.status };
  if (filter.organizationId) where.organization = filter.organizationId;
  const rows = await readRows(
    ctx.em,
    Ticket,
    { ...where, ...afterCursorCondition(request.after) },
    { orderBy: keysetOrder(), limit: request.first + 1 },
  );
  return toPage(rows, request, () => ctx.em.count(Ticket, where));
}

async function authorOf(ctx: RequestContext): Promise<{ author: User | null; authorName: string; byStaff: boolean }> {
  const principal = ctx.principal;
  switch (principal.kind) {
    case 'customer': {
      const user = await ctx.em.findOneOrFail(User, { id: principal.userId });
      return { author: user, authorName: user.name, byStaff: false };
    }
    case 'partner':
      return { author: null, authorName: (await ctx.em.findOneOrFail(ApiKey, { id: principal.apiKeyId })).name, byStaff: false };
    case 'staff': {
      if (principal.userId) {
        const user = await ctx.em.findOneOrFail(User, { id: principal.userId });
        return { author: user, authorName: user.name, byStaff: true };
      }
      return { author: null, authorName: (await ctx.em.findOneOrFail(ApiKey, { id: principal.apiKeyId! })).name, byStaff: true };
    }
    case 'system':
      return { author: null, authorName: 'Tierdesk', byStaff: true };
    case 'anonymous':
      throw new AppError('UNAUTHENTICATED', 'Sign in to comment.');
  }
}

/** A status move with its trail entry and timestamps; the caller checked it is legal. */
function moveTo(ctx: RequestContext, ticket: Ticket, to: TicketStatus): void {
  const from = ticket.status;
  const now = ctx.clock.now();
  ticket.status = to;
  if (to === TicketStatus.SOLVED) ticket.solvedAt = now;
  if (to === TicketStatus.CLOSED) ticket.closedAt = now;
  if (from === TicketStatus.SOLVED && to === TicketStatus.OPEN) ticket.solvedAt = null;
  record(ctx, ticket, 'STATUS_CHANGED', { from, to });
}

/** A public reply or an internal note; a public reply may move the status (see `statusAfterPublicReply`). */
export async function writeComment(
  tx: RequestContext,
  input: { ticketId: string; body: string; visibility?: CommentVisibility | null },
): Promise<{ comment: Comment; ticket: Ticket; statusChanged: boolean }> {
  const body = requireText('body', input.body, LIMITS.comment, 'The comment');
  const visibility = input.visibility ?? CommentVisibility.PUBLIC;
  const ticket = await requireTicket(tx, input.ticketId, { lock: true });
  if (!acceptsReplies(ticket.status)) {
    throw new AppError('CONFLICT', `Ticket #${ticket.number} is closed; open a follow-up ticket instead.`, {
      field: ['input', 'ticketId'],
    });
  }
  const author = await authorOf(tx);
  if (visibility === CommentVisibility.INTERNAL && !author.byStaff) {
    throw badInput('visibility', 'Only the support team can write internal notes.');
  }
  const comment = Object.assign(new Comment(), {
    organization: ticket.organization,
    ticket,
    body,
    visibility,
    ...author,
    createdAt: tx.clock.now(),
  });
  tx.em.persist(comment);
  record(tx, ticket, 'COMMENT_ADDED', { commentId: comment.id, visibility, byStaff: author.byStaff });
  const next = visibility === CommentVisibility.PUBLIC ? statusAfterPublicReply(ticket.status, author.byStaff) : null;
  if (next) moveTo(tx, ticket, next);
  ticket.updatedAt = tx.clock.now();
  return { comment, ticket, statusChanged: next !== null };
}

/** Moves a ticket to a status the caller may choose (customers: solve or reopen; staff: any legal move). */
export async function writeStatus(tx: RequestContext, input: { ticketId: string; status: TicketStatus }): Promise<Ticket> {
  const ticket = await requireTicket(tx, input.ticketId, { lock: true });
  const allowed = allowedTransitions(ticket.status, tx.principal);
  if (!allowed.includes(input.status)) {
    const options = allowed.length ? `it can move to ${allowed.join(', ')}` : 'it cannot change status';
    throw new AppError('ILLEGAL_STATUS_TRANSITION', `Ticket #${ticket.number} is ${ticket.status}; ${options}.`, {
      field: ['input', 'status'],
      from: ticket.status,
      allowed,
    });
  }
  moveTo(tx, ticket, input.status);
  ticket.updatedAt = tx.clock.now();
  return ticket;
}

/** A new priority within the tier; `changed` is false when it already had it. */
export async function writePriority(
  tx: RequestContext,
  input: { ticketId: string; priority: TicketPriority },
): Promise<{ ticket: Ticket; changed: boolean }> {
  const ticket = await requireTicket(tx, input.ticketId, { lock: true });
  if (ticket.priority === input.priority) return { ticket, changed: false };
  await requirePriority(tx, await organizationEntitlements(tx, ticket.organization.id), input.priority);
  record(tx, ticket, 'PRIORITY_CHANGED', { from: ticket.priority, to: input.priority });
  ticket.priority = input.priority;
  ticket.updatedAt = tx.clock.now();
  return { ticket, changed: true };
}

/** Hands a ticket to an active staff member (or to nobody). */
export async function writeAssignee(
  tx: RequestContext,
  input: { ticketId: string; assigneeId: string | null },
): Promise<{ ticket: Ticket; previousAssigneeId: string | null }> {
  const ticket = await requireTicket(tx, input.ticketId, { lock: true });
  let assignee: User | null = null;
  if (input.assigneeId) {
    assignee = await tx.em.findOne(User, { id: input.assigneeId, staffRole: { $ne: null }, active: true });
    if (!assignee) throw badInput('assigneeId', 'The assignee must be an active staff member.');
  }
  const previousAssigneeId = ticket.assignee?.id ?? null;
  record(tx, ticket, 'ASSIGNED', { from: previousAssigneeId, to: assignee?.id ?? null });
  ticket.assignee = assignee;
  ticket.updatedAt = tx.clock.now();
  return { ticket, previousAssigneeId };
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
): Promise<Page<CommentRow>> {
  const rows = await readRows(
    ctx.em,
    Comment,
    { ...commentScope(ticketId, includeInternal), ...afterCursorCondition(request.after, 'oldest-first') },
    {
      orderBy: keysetOrder('oldest-first'),
      limit: request.first + 1,
    },
  );
  return toPage(rows, request, () => countComments(ctx, ticketId, includeInternal));
}

export async function getComment(ctx: RequestContext, id: string): Promise<Comment | null> {
  return ctx.em.findOne(Comment, { id });
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

const MAX_IMPORTED_EVENTS = 500;

/** Checks an imported history before anything is written; returns its events in time order. */
export function validateImport(ctx: RequestContext, input: ImportTicketInput): (ImportedEvent & { index: number })[] {
  const now = ctx.clock.now();
  if (Number.isNaN(input.createdAt.getTime()) || input.createdAt > now) throw badInput('createdAt', 'createdAt must be a past instant.');
  if (now.getTime() - input.createdAt.getTime() > 10 * 366 * 86_400_000) {
    throw badInput('createdAt', 'History older than ten years cannot be imported.');
  }
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
  return events;
}

/**
 * Writes an imported ticket's history with its original times, through the same status rules as live changes,
 * then the IMPORTED entry at `tx`'s time. `tx.at(instant)` gives each event its own time.
 */
export function writeImportedHistory(tx: RequestContext, ticket: Ticket, events: readonly (ImportedEvent & { index: number })[]): void {
  for (const event of events) {
    const eventCtx = tx.at(event.at);
    if (event.type === 'STATUS') {
      const target = event.status!;
      if (!allowedTransitions(ticket.status, { kind: 'system', reason: 'import' }).includes(target)) {
        throw new AppError(
          'ILLEGAL_STATUS_TRANSITION',
          `Event ${event.index + 1}: a ticket cannot go from ${ticket.status} to ${target}.`,
          {
            field: ['input', `events.${event.index}`],
          },
        );
      }
      moveTo(eventCtx, ticket, target);
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
      tx.em.persist(comment);
      record(eventCtx, ticket, 'COMMENT_ADDED', { commentId: comment.id, visibility, byStaff, imported: true });
      if (visibility === CommentVisibility.PUBLIC) {
        const next = statusAfterPublicReply(ticket.status, byStaff);
        if (next) moveTo(eventCtx, ticket, next);
      }
    }
    ticket.updatedAt = event.at;
  }
  record(tx, ticket, 'IMPORTED', { events: events.length });
}

export interface CommentPageKey {
  first: number;
  includeInternal: boolean;
}

const loaders = defineLoaders((ctx) => {
  const commentLoaders = new Map<string, BatchLoader<string, CommentRow[]>>();
  /** The first `first` comments of each ticket, oldest first, plus one to tell whether more exist. */
  const firstComments = ({ first, includeInternal }: CommentPageKey) => {
    const cacheKey = `${first}:${includeInternal}`;
    let loader = commentLoaders.get(cacheKey);
    if (!loader) {
      loader = new BatchLoader<string, CommentRow[]>(async (ticketIds) => {
        const tenant = tenantOf(ctx.principal);
        // A window function fetches the first N comments of every ticket in one statement. Raw SQL skips the
        // ORM's tenant filter, so the tenant condition is stated here as well.
        const rows = await sqlRows<Record<string, unknown>>(
          ctx.em,
          `select * from (
             select c.*, row_number() over (partition by c.ticket_id order by c.created_at, c.id) as position
             from ticket_comment c
             where c.ticket_id in (?)
               ${includeInternal ? '' : `and c.visibility = '${CommentVisibility.PUBLIC}'`}
               ${tenant ? 'and c.organization_id = ?' : ''}
           ) ranked
           where position <= ?
           order by created_at, id`,
          [ticketIds, ...(tenant ? [tenant] : []), first + 1],
        );
        const byTicket = new Map<string, CommentRow[]>(ticketIds.map((id) => [id, []]));
        for (const comment of rowsOf(ctx.em, Comment, rows)) byTicket.get(comment.ticket)?.push(comment);
        return ticketIds.map((id) => byTicket.get(id)!);
      });
      commentLoaders.set(cacheKey, loader);
    }
    return loader;
  };
  const ticketsThisMonth = new DataLoader<string, number>(async (organizationIds) => {
    const rows = await ctx.em
      .createQueryBuilder(Ticket, 't')
      .select([raw('t.organization_id as organization_id'), raw('count(*)::int as tickets')])
      .where({ organization: { $in: [...organizationIds] }, createdAt: monthOf(ctx.clock.now()) })
      .groupBy('t.organization')
      .execute<{ organization_id: string; tickets: number }[]>('all', false);
    const counts = new Map(rows.map((row) => [row.organization_id, row.tickets]));
    return organizationIds.map((id) => counts.get(id) ?? 0);
  });
  return { firstComments, ticketsThisMonth };
});

export function firstComments(ctx: RequestContext, key: CommentPageKey, ticketId: string): MaybePromise<CommentRow[]> {
  return ctx.loaders(loaders).firstComments(key).now(ticketId);
}

/** Loads the first comments of these tickets in one statement, so that `firstComments` then answers at once for each. */
export async function preloadFirstComments(ctx: RequestContext, key: CommentPageKey, ticketIds: string[]): Promise<void> {
  await ctx.loaders(loaders).firstComments(key).loadMany(ticketIds);
}

export function ticketsThisMonth(ctx: RequestContext, organizationId: string): Promise<number> {
  return ctx.loaders(loaders).ticketsThisMonth.load(organizationId);
}
