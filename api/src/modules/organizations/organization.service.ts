import { LockMode } from '@mikro-orm/core';
import type { RequestContext } from '../../shared/context.js';
import { actorOf } from '../../shared/context.js';
import { AppError, badInput, notFound } from '../../shared/errors.js';
import { afterCursorCondition, keysetOrder, toPage, type Page, type PageRequest } from '../../shared/pagination.js';
import { EntitlementOverride } from '../entitlements/entitlement.entity.js';
import { isFeatureKey, valueSchema, type FeatureValue } from '../entitlements/features.js';
import { organizationRulesChanged } from '../sla/sla.service.js';
import { Tier } from '../tiers/tier.entity.js';
import { BusinessCalendarRecord } from '../calendars/calendar.entity.js';
import { Organization, OrganizationCalendarChange, TierChange } from './organization.entity.js';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The caller's own organization (customers and partner keys), or null for staff. */
export async function ownOrganization(ctx: RequestContext): Promise<Organization | null> {
  const principal = ctx.principal;
  if (principal.kind !== 'customer' && principal.kind !== 'partner') return null;
  return ctx.loaders.organization.load(principal.organizationId);
}

/** By slug; the tenant filter makes another organization's slug read as not found. */
export async function organizationBySlug(ctx: RequestContext, slug: string): Promise<Organization | null> {
  if (slug.length > 63) return null;
  return ctx.em.findOne(Organization, { slug });
}

export async function listOrganizations(ctx: RequestContext, request: PageRequest): Promise<Page<Organization>> {
  const rows = await ctx.em.find(Organization, afterCursorCondition(request.after), {
    orderBy: keysetOrder(),
    limit: request.first + 1,
  });
  return toPage(rows, request, () => ctx.em.count(Organization, {}));
}

export interface OrganizationInput {
  slug: string;
  name: string;
  region: string;
  timeZone: string;
  tierKey: string;
  businessCritical?: boolean | null;
  contractValue?: number | null;
  monthlyUsage?: number | null;
  strategic?: boolean | null;
}

export async function createOrganization(ctx: RequestContext, input: OrganizationInput): Promise<Organization> {
  const slug = input.slug.trim().toLowerCase();
  if (!SLUG.test(slug)) throw badInput('slug', 'A slug is 1 to 63 lowercase letters, digits and inner hyphens.');
  const name = input.name.trim();
  if (!name || name.length > 200) throw badInput('name', 'Give the organization a name of 1 to 200 characters.');
  if (!input.region.trim() || input.region.length > 40) throw badInput('region', 'Give a region of 1 to 40 characters.');
  if (!isValidTimeZone(input.timeZone)) throw badInput('timeZone', `"${input.timeZone}" is not an IANA time zone.`);
  for (const field of ['contractValue', 'monthlyUsage'] as const) {
    const value = input[field];
    if (value != null && (!Number.isInteger(value) || value < 0)) throw badInput(field, `${field} must be a whole number, zero or more.`);
  }
  return ctx.em.transactional(async (em) => {
    const tier = await em.findOne(Tier, { key: input.tierKey });
    if (!tier) throw badInput('tierKey', `There is no tier "${input.tierKey}".`);
    if (await em.count(Organization, { slug }))
      throw new AppError('CONFLICT', `The slug "${slug}" is taken.`, { field: ['input', 'slug'] });
    const organization = new Organization();
    Object.assign(organization, {
      slug,
      name,
      region: input.region.trim(),
      timeZone: input.timeZone,
      tier,
      businessCritical: input.businessCritical ?? false,
      contractValue: input.contractValue ?? 0,
      monthlyUsage: input.monthlyUsage ?? 0,
      strategic: input.strategic ?? false,
    });
    const change = new TierChange();
    Object.assign(change, {
      organization,
      fromTier: null,
      toTier: tier,
      reason: 'Organization created',
      changedBy: actorOf(ctx).actor,
      createdAt: ctx.clock.now(),
    });
    em.persist([organization, change]);
    return organization;
  });
}

/**
 * Moves an organization to another tier and records it. The entitlements follow at once because they are
 * always computed from the current tier. (Re-timing open tickets joins this transaction with the SLA engine.)
 */
export async function changeTier(
  ctx: RequestContext,
  input: { organizationId: string; tierKey: string; reason: string },
): Promise<Organization> {
  const reason = input.reason.trim();
  if (!reason || reason.length > 500) throw badInput('reason', 'Say why the tier changes (1 to 500 characters).');
  return ctx.em.transactional(async (em) => {
    const organization = await em.findOne(Organization, { id: input.organizationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!organization) throw notFound('Organization');
    const tier = await em.findOne(Tier, { key: input.tierKey });
    if (!tier) throw badInput('tierKey', `There is no tier "${input.tierKey}".`);
    if (organization.tier.id === tier.id) throw new AppError('CONFLICT', `${organization.name} is already on the ${tier.name} tier.`);
    const change = new TierChange();
    Object.assign(change, {
      organization,
      fromTier: organization.tier,
      toTier: tier,
      reason,
      changedBy: actorOf(ctx).actor,
      createdAt: ctx.clock.now(),
    });
    organization.tier = tier;
    em.persist(change);
    await em.flush();
    await organizationRulesChanged(em, ctx, organization.id);
    return organization;
  });
}

/** Assigns (or clears) an organization's own calendar, recording when, so SLA replays use the right one. */
export async function setOrganizationCalendar(
  ctx: RequestContext,
  input: { organizationId: string; calendarId: string | null },
): Promise<Organization> {
  return ctx.em.transactional(async (em) => {
    const organization = await em.findOne(Organization, { id: input.organizationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!organization) throw notFound('Organization');
    const calendar = input.calendarId ? await em.findOne(BusinessCalendarRecord, { id: input.calendarId }) : null;
    if (input.calendarId && !calendar) throw badInput('calendarId', 'There is no such business calendar.');
    organization.calendar = calendar;
    em.persist(
      Object.assign(new OrganizationCalendarChange(), {
        organization,
        calendar,
        changedBy: actorOf(ctx).actor,
        createdAt: ctx.clock.now(),
      }),
    );
    await em.flush();
    await organizationRulesChanged(em, ctx, organization.id);
    return organization;
  });
}

export async function tierHistory(ctx: RequestContext, organizationId: string): Promise<TierChange[]> {
  return ctx.em.find(TierChange, { organization: organizationId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 100 });
}

export interface OverrideInput {
  organizationId: string;
  feature: string;
  value: unknown;
  effectiveFrom?: Date | null;
  effectiveUntil?: Date | null;
  reason: string;
}

/** A contract exception: one feature, one organization, a period. Validated against the feature's type. */
export async function setEntitlementOverride(ctx: RequestContext, input: OverrideInput): Promise<EntitlementOverride> {
  if (!isFeatureKey(input.feature)) throw badInput('feature', `Unknown entitlement "${input.feature}".`);
  const parsed = valueSchema(input.feature).safeParse(input.value);
  if (!parsed.success) {
    throw badInput('value', `Not a valid value for ${input.feature}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  const effectiveFrom = input.effectiveFrom ?? ctx.clock.now();
  if (input.effectiveUntil && input.effectiveUntil <= effectiveFrom) {
    throw badInput('effectiveUntil', 'The override must end after it starts.');
  }
  const reason = input.reason.trim();
  if (!reason || reason.length > 500) throw badInput('reason', 'Say why (the contract clause), 1 to 500 characters.');
  return ctx.em.transactional(async (em) => {
    const organization = await em.findOne(Organization, { id: input.organizationId });
    if (!organization) throw notFound('Organization');
    const override = new EntitlementOverride();
    Object.assign(override, {
      organization,
      feature: input.feature,
      value: parsed.data as FeatureValue,
      effectiveFrom,
      effectiveUntil: input.effectiveUntil ?? null,
      reason,
      createdBy: actorOf(ctx).actor,
    });
    em.persist(override);
    await em.flush();
    // Targets may have changed: open tickets are re-timed with the override in force from its start.
    await organizationRulesChanged(em, ctx, organization.id);
    return override;
  });
}

export interface CriterionCheck {
  criterion: string;
  required: string;
  actual: string;
  met: boolean;
}

export interface TierSuggestion {
  tier: Tier;
  checks: CriterionCheck[];
}

/** Checks an organization's figures against one tier's criteria. Pure: unit-tested. */
export function checkCriteria(
  organization: Pick<Organization, 'contractValue' | 'monthlyUsage' | 'businessCritical' | 'strategic'>,
  tier: Tier,
): CriterionCheck[] {
  const checks: CriterionCheck[] = [
    {
      criterion: 'contractValue',
      required: `at least ${tier.minContractValue}`,
      actual: String(organization.contractValue),
      met: organization.contractValue >= tier.minContractValue,
    },
    {
      criterion: 'monthlyUsage',
      required: `at least ${tier.minMonthlyUsage}`,
      actual: String(organization.monthlyUsage),
      met: organization.monthlyUsage >= tier.minMonthlyUsage,
    },
  ];
  if (tier.requiresBusinessCritical) {
    checks.push({
      criterion: 'businessCritical',
      required: 'yes',
      actual: organization.businessCritical ? 'yes' : 'no',
      met: organization.businessCritical,
    });
  }
  if (tier.requiresStrategic) {
    checks.push({ criterion: 'strategic', required: 'yes', actual: organization.strategic ? 'yes' : 'no', met: organization.strategic });
  }
  return checks;
}

/** The highest-ranked tier whose every criterion the organization meets (the lowest tier if none). */
export function suggestTier(organization: Parameters<typeof checkCriteria>[0], tiers: readonly Tier[]): TierSuggestion {
  const ranked = [...tiers].sort((a, b) => b.rank - a.rank);
  for (const tier of ranked) {
    const checks = checkCriteria(organization, tier);
    if (checks.every((check) => check.met)) return { tier, checks };
  }
  const lowest = ranked[ranked.length - 1];
  if (!lowest) throw new AppError('NOT_FOUND', 'No tiers are defined.');
  return { tier: lowest, checks: checkCriteria(organization, lowest) };
}
