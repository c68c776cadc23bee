import type { RequestContext } from '../../shared/context.js';
import { AppError, notFound } from '../../shared/errors.js';
import { afterCursorCondition, keysetOrder, toPage, type Page, type PageRequest } from '../../shared/pagination.js';
import { BusinessCalendarRecord } from '../calendars/index.js';
import { entitlementRequired } from '../entitlements/index.js';
import { User } from '../identity/index.js';
import { Organization, organizationEntitlements } from '../organizations/index.js';
import { tierCatalogue } from '../tiers/index.js';
import { DOMAINS, PRIORITY_ORDER, TicketStatus, type Domain, type TicketPriority } from '../vocabulary/index.js';
import { emptyLoad } from './assignment.js';
import { type Presence, type SkillLevel } from './model.js';
import { AgentProfile, TechnicalAccountManager } from './routing.entity.js';
import { assignWaiting, lockRouting } from './routing.service.js';

const LANGUAGE = /^[a-z]{2,3}$/;
const MAX_CAPACITY = 100;

function invalid(field: string, message: string): AppError {
  return new AppError('INVALID_COMPETENCY', message, { field: ['input', ...field.split('.')] });
}

export interface AgentProfileInput {
  userId: string;
  skills: { domain: Domain; level: number }[];
  certifications: { name: string; expiresAt: Date | null }[];
  languages: string[];
  region: string;
  calendarId: string | null;
  capacity: { priority: TicketPriority; max: number }[];
}

/** Creates or replaces a staff member's line of the competency matrix; an agent with new room takes waiting work. */
export async function upsertAgentProfile(ctx: RequestContext, input: AgentProfileInput): Promise<AgentProfile> {
  const skills: Partial<Record<Domain, SkillLevel>> = {};
  input.skills.forEach((skill, index) => {
    if (!DOMAINS.includes(skill.domain)) throw invalid(`skills.${index}.domain`, `Unknown domain ${skill.domain}.`);
    if (skills[skill.domain]) throw invalid(`skills.${index}.domain`, `${skill.domain} is listed twice.`);
    if (![1, 2, 3].includes(skill.level))
      throw invalid(`skills.${index}.level`, 'Skill levels are 1 (can handle), 2 (experienced) or 3 (expert).');
    skills[skill.domain] = skill.level as SkillLevel;
  });
  if (input.certifications.length > 50) throw invalid('certifications', 'At most 50 certifications.');
  const certifications = input.certifications.map((certification, index) => {
    const name = certification.name.trim();
    if (!name || name.length > 120) throw invalid(`certifications.${index}.name`, 'A certification name is 1 to 120 characters.');
    if (certification.expiresAt && Number.isNaN(certification.expiresAt.getTime()))
      throw invalid(`certifications.${index}.expiresAt`, 'Not a valid instant.');
    return { name, expiresAt: certification.expiresAt?.toISOString() ?? null };
  });
  const languages = [...new Set(input.languages.map((language) => language.trim().toLowerCase()))];
  if (!languages.length || languages.length > 20) throw invalid('languages', 'List 1 to 20 languages.');
  languages.forEach((language, index) => {
    if (!LANGUAGE.test(language)) throw invalid(`languages.${index}`, `"${language}" is not an ISO 639 code such as "en".`);
  });
  const region = input.region.trim();
  if (!region || region.length > 40) throw invalid('region', 'A region is 1 to 40 characters.');
  const capacity = emptyLoad();
  input.capacity.forEach((entry, index) => {
    if (!Number.isInteger(entry.max) || entry.max < 0 || entry.max > MAX_CAPACITY)
      throw invalid(`capacity.${index}.max`, `Capacity is 0 to ${MAX_CAPACITY} open tickets.`);
    capacity[entry.priority] = entry.max;
  });
  return ctx.transaction(async (tx) => {
    const { em } = tx;
    await lockRouting(em);
    const user = await em.findOne(User, { id: input.userId, staffRole: { $ne: null }, active: true });
    if (!user) throw invalid('userId', 'Agent profiles are for active staff members.');
    const calendar = input.calendarId ? await em.findOne(BusinessCalendarRecord, { id: input.calendarId }) : null;
    if (input.calendarId && !calendar) throw invalid('calendarId', 'The business calendar does not exist.');
    const profile =
      (await em.findOne(AgentProfile, { user: user.id })) ?? Object.assign(new AgentProfile(), { user, presence: 'OFFLINE' as Presence });
    Object.assign(profile, { skills, certifications, languages, region, calendar, capacity });
    em.persist(profile);
    await em.flush();
    await assignWaiting(tx);
    return profile;
  });
}

/** Staff set their own presence; admins anyone's. Coming online takes waiting work at once. */
export async function setPresence(ctx: RequestContext, input: { userId: string | null; presence: Presence }): Promise<AgentProfile> {
  const principal = ctx.principal;
  if (principal.kind !== 'staff' && principal.kind !== 'system') throw new AppError('FORBIDDEN', 'Only staff have a presence.');
  const self = principal.kind === 'staff' ? principal.userId : null;
  const userId = input.userId ?? self;
  if (!userId) throw new AppError('BAD_USER_INPUT', 'Name the agent (a key has no presence of its own).', { field: ['input', 'agentId'] });
  if (principal.kind === 'staff' && userId !== self && principal.role !== 'ADMIN')
    throw new AppError('FORBIDDEN', "Only admins set another agent's presence.");
  return ctx.transaction(async (tx) => {
    const { em } = tx;
    await lockRouting(em);
    const profile = await em.findOne(AgentProfile, { user: userId }, { populate: ['user'] });
    if (!profile) throw notFound('Agent profile');
    profile.presence = input.presence;
    await em.flush();
    if (input.presence === 'ONLINE') await assignWaiting(tx);
    return profile;
  });
}

export async function listAgents(
  ctx: RequestContext,
  filter: { presence?: Presence | null; domain?: Domain | null },
  request: PageRequest,
): Promise<Page<AgentProfile>> {
  const where: Record<string, unknown> = {};
  if (filter.presence) where.presence = filter.presence;
  // A JSON property query: agents whose skills name the domain (at any level).
  if (filter.domain) where.skills = { [filter.domain]: { $ne: null } };
  const rows = await ctx.em.find(
    AgentProfile,
    { ...where, ...afterCursorCondition(request.after, 'oldest-first') },
    { populate: ['user'], orderBy: keysetOrder('oldest-first'), limit: request.first + 1 },
  );
  return toPage(rows, request, () => ctx.em.count(AgentProfile, where));
}

export async function getAgent(ctx: RequestContext, userId: string): Promise<AgentProfile | null> {
  return ctx.em.findOne(AgentProfile, { user: userId }, { populate: ['user'] });
}

/** Open tickets per priority assigned to each agent (every organization: it is the agent's workload). */
export async function agentLoads(ctx: RequestContext, userIds: readonly string[]): Promise<Map<string, Record<TicketPriority, number>>> {
  const rows: { assignee_id: string; priority: TicketPriority; open: string }[] = await ctx.em
    .getConnection()
    .execute(
      `select assignee_id, priority, count(*) as open from ticket where assignee_id in (?) and status not in (?, ?) group by assignee_id, priority`,
      [[...userIds], TicketStatus.SOLVED, TicketStatus.CLOSED],
    );
  const loads = new Map(userIds.map((id) => [id, emptyLoad()]));
  for (const row of rows) loads.get(row.assignee_id)![row.priority] = Number(row.open);
  return loads;
}

export function totalOf(values: Readonly<Record<TicketPriority, number>>): number {
  return PRIORITY_ORDER.reduce((sum, priority) => sum + values[priority], 0);
}

/** Names (or clears) an organization's technical account manager; only tiers that include one may have one. */
export async function setTechnicalAccountManager(
  ctx: RequestContext,
  input: { organizationId: string; userId: string | null },
): Promise<Organization> {
  return ctx.transaction(async (tx) => {
    const { em } = tx;
    const organization = await em.findOne(Organization, { id: input.organizationId });
    if (!organization) throw notFound('Organization');
    const existing = await em.findOne(TechnicalAccountManager, { organization: organization.id });
    if (!input.userId) {
      if (existing) em.remove(existing);
      return organization;
    }
    const entitlements = await organizationEntitlements(tx, organization.id);
    if (!entitlements.enabled('support.technicalAccountManager')) {
      throw entitlementRequired(
        'A technical account manager',
        entitlements,
        await tierCatalogue(tx),
        (e) => e.enabled('support.technicalAccountManager'),
        'support.technicalAccountManager',
      );
    }
    const profile = await em.findOne(AgentProfile, { user: input.userId }, { populate: ['user'] });
    if (!profile)
      throw new AppError('BAD_USER_INPUT', 'A technical account manager must be an agent with a profile.', { field: ['input', 'agentId'] });
    if (existing) existing.user = profile.user;
    else em.persist(Object.assign(new TechnicalAccountManager(), { organization, user: profile.user }));
    return organization;
  });
}

export async function technicalAccountManagers(ctx: RequestContext, organizationIds: readonly string[]): Promise<Map<string, User>> {
  const rows = await ctx.em.find(TechnicalAccountManager, { organization: { $in: [...organizationIds] } }, { populate: ['user'] });
  return new Map(rows.map((row) => [row.organization.id, row.user]));
}
