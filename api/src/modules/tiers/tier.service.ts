import type { EntityManager } from '@mikro-orm/postgresql';
import { defineLoaders, type RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { BatchLoader, type MaybePromise } from '../../shared/loaders.js';
import { readAll, readRows } from '../../shared/reads.js';
import { isFeatureKey, resolveEntitlements, valueSchema, type TierCatalogueEntry } from '../entitlements/index.js';
import type { TierDefinition } from './tier.catalogue.js';
import { Tier, TierEntitlement } from './tier.entity.js';

/**
 * Creates or updates tiers and their entitlement values from definitions, in one transaction. Values the
 * definition no longer lists are removed, so the stored catalogue always equals the definitions.
 */
export async function upsertTiers(ctx: RequestContext, definitions: readonly TierDefinition[]): Promise<Tier[]> {
  for (const definition of definitions) {
    for (const [feature, value] of Object.entries(definition.entitlements)) {
      if (!isFeatureKey(feature)) throw new AppError('BAD_USER_INPUT', `Tier ${definition.key}: unknown entitlement "${feature}".`);
      const parsed = valueSchema(feature).safeParse(value);
      if (!parsed.success) throw new AppError('BAD_USER_INPUT', `Tier ${definition.key}: invalid value for ${feature}.`);
    }
  }
  return ctx.transaction(async ({ em }) => {
    const existing = await em.find(Tier, { key: { $in: definitions.map((definition) => definition.key) } });
    const values = await em.find(TierEntitlement, { tier: { $in: existing.map((tier) => tier.id) } });
    // Ranks are unique: park the existing ones out of the way before reassigning.
    for (const tier of existing) tier.rank = -tier.rank - 1000;
    await em.flush();
    const tiers: Tier[] = [];
    for (const definition of definitions) {
      const { entitlements, ...fields } = definition;
      const tier = existing.find((candidate) => candidate.key === definition.key) ?? new Tier();
      Object.assign(tier, fields);
      em.persist(tier);
      const current = values.filter((value) => value.tier.id === tier.id);
      for (const [feature, value] of Object.entries(entitlements)) {
        const row = current.find((candidate) => candidate.feature === feature) ?? Object.assign(new TierEntitlement(), { tier, feature });
        row.value = value;
        em.persist(row);
      }
      for (const stale of current.filter((row) => !(row.feature in entitlements))) em.remove(stale);
      tiers.push(tier);
    }
    return tiers;
  });
}

/** All tiers with their own values (no overrides), lowest rank first. */
export async function loadTierCatalogue(em: EntityManager, at: Date): Promise<TierCatalogueEntry<Tier>[]> {
  const [tiers, values] = await readAll(em, [
    () => em.find(Tier, {}, { orderBy: { rank: 'asc' } }),
    () => readRows(em, TierEntitlement, {}),
  ] as const);
  return tiers.map((tier) => ({
    tier,
    entitlements: resolveEntitlements(
      tier,
      values.filter((value) => value.tier === tier.id),
      [],
      at,
    ),
  }));
}

const loaders = defineLoaders((ctx) => {
  let catalogue: Promise<TierCatalogueEntry<Tier>[]> | undefined;
  return {
    tier: new BatchLoader<string, Tier | null>(async (ids) => {
      const found = new Map((await ctx.em.find(Tier, { id: { $in: [...ids] } })).map((tier) => [tier.id, tier]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    catalogue: () => (catalogue ??= loadTierCatalogue(ctx.em, ctx.clock.now())),
  };
});

/** The tier catalogue with each tier's own values, read once per request. */
export function tierCatalogue(ctx: RequestContext): Promise<TierCatalogueEntry<Tier>[]> {
  return ctx.loaders(loaders).catalogue();
}

/** A tier by id, batched per request (at once when this request has it already). */
export function loadTier(ctx: RequestContext, id: string): MaybePromise<Tier | null> {
  return ctx.loaders(loaders).tier.now(id);
}

/** Tiers read with something else (an organization's, joined), so that `loadTier` answers at once for each. */
export function primeTiers(ctx: RequestContext, tiers: Iterable<Tier>): void {
  const loader = ctx.loaders(loaders).tier;
  for (const tier of tiers) loader.prime(tier.id, tier);
}
