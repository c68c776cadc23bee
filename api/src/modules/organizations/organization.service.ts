import { LockMode } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import { actorOf, defineLoaders, type RequestContext } from '../../shared/context.js';
import { AppError, badInput, notFound } from '../../shared/errors.js';
import { afterCursorCondition, keysetOrder, toPage, type Page, type PageRequest } from '../../shared/pagination.js';
import type { Selection } from '../../shared/graphql.js';
import { BatchLoader, type MaybePromise } from '../../shared/loaders.js';
import { readAll, readRows } from '../../shared/reads.js';
import { BusinessCalendarRecord } from '../calendars/index.js';
import { isFeatureKey, resolveEntitlements, valueSchema, type EffectiveEntitlements, type FeatureValue } from '../entitlements/index.js';
import { emitEvent } from '../outbox/index.js';
import { loadTier, primeTiers, Tier, TierEntitlement } from '../tiers/index.js';
import { EntitlementOverride, Organization, OrganizationCalendarChange, TierChange } from './organization.entity.js';
import { isValidTimeZone } from './organization.policy.js';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Events this module emits when what an organization's tickets are timed by changes. The SLA module re-times the
 * organization's open tickets in the same transaction (its hooks); webhooks and metrics read them later.
 */
export const ORGANIZATION_EVENTS = {
  tierChanged: 'organization.tier_changed',
  calendarChanged: 'organization.calendar_changed',
  entitlementsChanged: 'organization.entitlements_changed',
} as const;

const loaders = defineLoaders((ctx) => {
  const organization = new BatchLoader<string, Organization | null>(async (ids) => {
    const found = new Map((await ctx.em.find(Organization, { id: { $in: [...ids] } })).map((org) => [org.id, org]));
    return ids.map((id) => found.get(id) ?? null);
  });
  const entitlements = new DataLoader<string, EffectiveEntitlements<Tier>>(async (organizationIds) => {
    const organizations = (await organization.loadMany(organizationIds)).filter((org): org is Organization => org instanceof Organization);
    const tierIds = [...new Set(organizations.map((org) => org.tier.id))];
    const [tiers, values, overrides] = await readAll(ctx.em, [
      () => Promise.all(tierIds.map((id) => loadTier(ctx, id))),
      // Values are only read: rows, not entities a later flush of this context would compare.
      () => readRows(ctx.em, TierEntitlement, { tier: { $in: tierIds } }),
      () => readRows(ctx.em, EntitlementOverride, { organization: { $in: organizations.map((org) => org.id) } }),
    ] as const);
    const tiersById = new Map(tiers.filter((tier): tier is Tier => tier !== null).map((tier) => [tier.id, tier]));
    const at = ctx.clock.now();
    return organizationIds.map((id) => {
      const org = organizations.find((candidate) => candidate.id === id);
      const tier = org && tiersById.get(org.tier.id);
      if (!org || !tier) return new Error(`organization ${id} not found`);
      return resolveEntitlements(
        tier,
        values.filter((value) => value.tier === tier.id),
        overrides.filter((override) => override.organization === org.id),
        at,
      );
    });
  });
  return { organization, entitlements };
});

/** One organization by id, batched per request (at once when this request has it already); another tenant's id reads as null. */
export function loadOrganization(ctx: RequestContext, id: string): MaybePromise<Organization | null> {
  return ctx.loaders(loaders).organization.now(id);
}

/**
 * Loads these organizations in one statement, and what `selection` asks of them that has a batched read (their
 * tier), so that their field resolvers then answer at once: a page of tickets preloads its organizations this way.
 */
export async function preloadOrganizations(ctx: RequestContext, ids: Iterable<string>, selection: Selection): Promise<void> {
  const { organization } = ctx.loaders(loaders);
  if (!selection.fields.has('tier')) {
    await organization.loadMany([...new Set(ids)]);
    return;
  }
  // With their tiers joined: one statement, not two in a row.
  const wanted = [...new Set(ids)];
  const found = await ctx.em.find(Organization, { id: { $in: wanted } }, { populate: ['tier'] });
  const byId = new Map(found.map((org) => [org.id, org]));
  for (const id of wanted) organization.prime(id, byId.get(id) ?? null);
  primeTiers(
    ctx,
    found.map((org) => org.tier),
  );
}

/** The entitlements in force now for an organization: its tier's values with its contract overrides applied. */
export function organizationEntitlements(ctx: RequestContext, organizationId: string): Promise<EffectiveEntitlements<Tier>> {
  return ctx.loaders(loaders).entitlements.load(organizationId);
}

/**
 * Tier and entitlements of many organizations at `at`, read across tenants in four statements whatever their
 * number: assignment and the timer passes span organizations (a freed agent takes the next ticket whoever owns it).
 */
export async function entitlementsAcrossTenants(
  ctx: RequestContext,
  organizationIds: readonly string[],
  at: Date,
): Promise<Map<string, EffectiveEntitlements<Tier>>> {
  const ids = [...new Set(organizationIds)];
  const everyTenant = { filters: { tenant: { allTenants: true } } } as const;
  const organizations = await ctx.em.find(Organization, { id: { $in: ids } }, everyTenant);
  const tiers = new Map(
    (await ctx.em.find(Tier, { id: { $in: [...new Set(organizations.map((org) => org.tier.id))] } })).map((tier) => [tier.id, tier]),
  );
  const values = await readRows(ctx.em, TierEntitlement, { tier: { $in: [...tiers.keys()] } });
  const overrides = await readRows(ctx.em, EntitlementOverride, { organization: { $in: ids } }, everyTenant);
  return new Map(
    organizations.map((organization) => {
      const tier = tiers.get(organization.tier.id)!;
      const own = overrides.filter((override) => override.organization === organization.id);
      const valuesOfTier = values.filter((value) => value.tier === tier.id);
      return [organization.id, resolveEntitlements(tier, valuesOfTier, own, at)] as const;
    }),
  );
}

/** The caller's own organization (customers and partner keys), or null for staff. */
export async function ownOrganization(ctx: RequestContext): Promise<Organization | null> {
  const principal = ctx.principal;
  if (principal.kind !== 'customer' && principal.kind !== 'partner') return null;
  return loadOrganization(ctx, principal.organizationId);
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
  return ctx.transaction(async (tx) => {
    const em = tx.em;
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
 * Moves an organization to another tier and records it, whatever asks (an admin, a Stripe event, the grace-period
 * job): the entitlements follow at once because they are always computed from the current tier, and the
 * `organization.tier_changed` event re-times the open tickets in this transaction. `details` join the event.
 */
export async function changeTier(
  ctx: RequestContext,
  input: { organizationId: string; tierKey: string; reason: string; details?: Record<string, unknown> },
): Promise<Organization> {
  const reason = input.reason.trim();
  if (!reason || reason.length > 500) throw badInput('reason', 'Say why the tier changes (1 to 500 characters).');
  return ctx.transaction(async (tx) => {
    const em = tx.em;
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
    const from = organization.tier;
    organization.tier = tier;
    em.persist(change);
    await em.flush();
    await emitEvent(tx, {
      organizationId: organization.id,
      type: ORGANIZATION_EVENTS.tierChanged,
      data: {
        fromTier: (await loadTier(tx, from.id))?.key ?? null,
        toTier: tier.key,
        reason,
        changedBy: change.changedBy,
        ...input.details,
      },
    });
    return organization;
  });
}

/** Assigns (or clears) an organization's own calendar, recording when, so SLA replays use the right one. */
export async function setOrganizationCalendar(
  ctx: RequestContext,
  input: { organizationId: string; calendarId: string | null },
): Promise<Organization> {
  return ctx.transaction(async (tx) => {
    const em = tx.em;
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
    await emitEvent(tx, {
      organizationId: organization.id,
      type: ORGANIZATION_EVENTS.calendarChanged,
      data: { calendarId: calendar?.id ?? null },
    });
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
  return ctx.transaction(async (tx) => {
    const em = tx.em;
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
    // Targets may have changed: open tickets are re-timed (by the SLA module's hook) with the override in force from its start.
    await emitEvent(tx, {
      organizationId: organization.id,
      type: ORGANIZATION_EVENTS.entitlementsChanged,
      data: {
        feature: input.feature,
        effectiveFrom: effectiveFrom.toISOString(),
        effectiveUntil: input.effectiveUntil?.toISOString() ?? null,
        reason,
      },
    });
    return override;
  });
}
