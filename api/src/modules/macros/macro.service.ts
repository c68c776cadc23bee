import { raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../shared/context.js';
import { AppError, notFound } from '../../shared/errors.js';
import { isStaffLike } from '../../shared/principal.js';
import { loadUser, User } from '../identity/index.js';
import { loadOrganization } from '../organizations/index.js';
import { ticketClocks, type ClockState } from '../sla/index.js';
import { getTicket } from '../tickets/index.js';
import { loadTier } from '../tiers/index.js';
import type { CommentVisibility, TicketStatus } from '../vocabulary/index.js';
import { Macro } from './macro.entity.js';
import { MACRO_LIMITS, macroProblems, titleKey, type MacroProblem } from './macro.policy.js';
import { renderMacro as fill, type ClockDue, type MacroContext } from './placeholders.js';

export interface MacroFields {
  title: string;
  body: string;
  visibility: CommentVisibility;
  statusAfterSend: TicketStatus | null;
  active: boolean;
}

/** The first problem as the error a mutation reports (its `userErrors`), naming the field. */
function refuse(problems: readonly MacroProblem[]): never {
  const [first] = problems;
  throw new AppError('BAD_USER_INPUT', first!.message, {
    field: ['input', first!.field],
    ...(first!.unknownPlaceholders ? { unknownPlaceholders: first!.unknownPlaceholders } : {}),
  });
}

const duplicateTitle = (title: string) =>
  new AppError('CONFLICT', `A saved reply titled "${title}" already exists.`, { field: ['input', 'title'] });

async function ensureTitleFree(em: EntityManager, title: string, except: string | null): Promise<void> {
  const query = em
    .createQueryBuilder(Macro, 'macro')
    .select('id')
    .where('lower(macro.title) = ?', [titleKey(title)]);
  if (except) query.andWhere({ id: { $ne: except } });
  if (await query.getSingleResult()) throw duplicateTitle(title);
}

/** Two saves of one title at once: the unique index decides, and the loser gets the CONFLICT the check would have given. */
async function flushOrConflict(em: EntityManager, title: string): Promise<void> {
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw duplicateTitle(title);
    throw error;
  }
}

function author(ctx: RequestContext, em: EntityManager): User | null {
  const principal = ctx.principal;
  return principal.kind === 'staff' && principal.userId ? em.getReference(User, principal.userId) : null;
}

export async function createMacro(ctx: RequestContext, input: MacroFields): Promise<Macro> {
  const problems = macroProblems(input);
  if (problems.length) refuse(problems);
  return ctx.transaction(async ({ em }) => {
    const title = input.title.trim();
    await ensureTitleFree(em, title, null);
    const by = author(ctx, em);
    const macro = Object.assign(new Macro(), {
      title,
      body: input.body,
      visibility: input.visibility,
      statusAfterSend: input.statusAfterSend,
      active: input.active,
      createdBy: by,
      updatedBy: by,
    });
    em.persist(macro);
    await flushOrConflict(em, title);
    return macro;
  });
}

/** Changes the fields given (`undefined`: unchanged; `statusAfterSend: null` clears it). */
export async function updateMacro(ctx: RequestContext, id: string, input: Partial<MacroFields>): Promise<Macro> {
  const problems = macroProblems({ title: input.title, body: input.body });
  if (problems.length) refuse(problems);
  return ctx.transaction(async ({ em }) => {
    const macro = await em.findOne(Macro, { id });
    if (!macro) throw notFound('Saved reply');
    const title = input.title?.trim() ?? macro.title;
    if (titleKey(title) !== titleKey(macro.title)) await ensureTitleFree(em, title, macro.id);
    Object.assign(macro, {
      title,
      body: input.body ?? macro.body,
      visibility: input.visibility ?? macro.visibility,
      statusAfterSend: input.statusAfterSend === undefined ? macro.statusAfterSend : input.statusAfterSend,
      active: input.active ?? macro.active,
      updatedBy: author(ctx, em),
    });
    await flushOrConflict(em, title);
    return macro;
  });
}

export async function deleteMacro(ctx: RequestContext, id: string): Promise<void> {
  await ctx.transaction(async ({ em }) => {
    const macro = await em.findOne(Macro, { id });
    if (!macro) throw notFound('Saved reply');
    em.remove(macro);
  });
}

export async function getMacro(ctx: RequestContext, id: string): Promise<Macro | null> {
  if (!isStaffLike(ctx.principal)) return null;
  return ctx.em.findOne(Macro, { id });
}

export interface MacroCursor {
  title: string;
  id: string;
}

/** `%` and `_` are literal in a search, as people type them. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/**
 * Macros by title (case-insensitive, then id), the order the picker and the list show. `search` matches the title
 * or the body, case-insensitively; inactive macros only when asked.
 */
export async function listMacros(
  ctx: RequestContext,
  options: { first: number; after: MacroCursor | null; search: string | null; includeInactive: boolean },
): Promise<{ items: Macro[]; hasNextPage: boolean; totalCount: () => Promise<number> }> {
  const search = options.search?.trim() ?? '';
  if (search.length > MACRO_LIMITS.search)
    throw new AppError('QUERY_TOO_LONG', `A search is at most ${MACRO_LIMITS.search} characters.`, {
      field: ['search'],
      max: MACRO_LIMITS.search,
    });
  const filtered = () => {
    const query = ctx.em.createQueryBuilder(Macro, 'macro');
    if (!options.includeInactive) query.andWhere({ active: true });
    if (search) query.andWhere('(macro.title ilike ? or macro.body ilike ?)', [likePattern(search), likePattern(search)]);
    return query;
  };
  const page = filtered();
  if (options.after) {
    const key = titleKey(options.after.title);
    page.andWhere('(lower(macro.title) > ? or (lower(macro.title) = ? and macro.id > ?))', [key, key, options.after.id]);
  }
  const rows = await page
    .orderBy({ [raw('lower(macro.title)')]: 'asc', id: 'asc' })
    .limit(options.first + 1)
    .getResultList();
  return { items: rows.slice(0, options.first), hasNextPage: rows.length > options.first, totalCount: () => filtered().getCount() };
}

function dueOf(clocks: readonly ClockState[], kind: ClockState['kind']): ClockDue {
  // The latest cycle is the one that matters (a reopened ticket's clock runs again).
  const clock = clocks.filter((candidate) => candidate.kind === kind).sort((a, b) => b.cycle - a.cycle)[0];
  if (!clock) return { state: 'none' };
  if (clock.dueAt) return { state: 'due', at: clock.dueAt };
  switch (clock.status) {
    case 'PAUSED':
      return { state: 'paused' };
    case 'BREACHED':
      return { state: 'breached' };
    default:
      return { state: 'met' };
  }
}

export interface RenderedMacroResult {
  macro: Macro;
  body: string;
  visibility: CommentVisibility;
  status: TicketStatus | null;
}

/**
 * A macro filled in for one ticket, for the staff member asking. The ticket is read as the caller reads it (the
 * tenant filter applies), so a ticket the caller may not see is as unknown as a missing one.
 */
export async function renderMacroForTicket(ctx: RequestContext, macroId: string, ticketId: string): Promise<RenderedMacroResult> {
  const macro = await getMacro(ctx, macroId);
  if (!macro) throw notFound('Saved reply');
  if (!macro.active) throw new AppError('CONFLICT', `The saved reply "${macro.title}" is deactivated; reactivate it to use it.`);
  const ticket = await getTicket(ctx, ticketId);
  if (!ticket) throw notFound('Ticket');
  const organization = await loadOrganization(ctx, ticket.organization.id);
  if (!organization) throw notFound('Organization');
  const principal = ctx.principal;
  const [tier, agent, clocks] = await Promise.all([
    loadTier(ctx, organization.tier.id),
    principal.kind === 'staff' && principal.userId ? loadUser(ctx, principal.userId) : null,
    ticketClocks(ctx, ticket.id),
  ]);
  const context: MacroContext = {
    requester: { name: ticket.requesterName },
    ticket: { number: ticket.number, subject: ticket.subject },
    organization: { name: organization.name, timeZone: organization.timeZone },
    tier: { name: tier?.name ?? '' },
    agent: { name: agent?.name ?? null },
    sla: { firstResponse: dueOf(clocks, 'FIRST_RESPONSE'), resolution: dueOf(clocks, 'RESOLUTION') },
  };
  const result = fill(macro.body, context);
  if (!result.ok) {
    // Saving refuses these, so only a placeholder retired since the macro was saved gets here.
    const what = result.unknown.length ? result.unknown.map((name) => `{{${name}}}`).join(', ') : result.unclosed;
    throw new AppError('BAD_USER_INPUT', `The saved reply "${macro.title}" uses ${what}, which no longer fills in; edit it.`, {
      field: ['macroId'],
    });
  }
  return { macro, body: result.text, visibility: macro.visibility, status: macro.statusAfterSend };
}

/** For the demo seed: a macro by title, if one exists (any case). */
export async function findMacroByTitle(ctx: RequestContext, title: string): Promise<Macro | null> {
  return ctx.em
    .createQueryBuilder(Macro, 'macro')
    .where('lower(macro.title) = ?', [titleKey(title)])
    .getSingleResult();
}
