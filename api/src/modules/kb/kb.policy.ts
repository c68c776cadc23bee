/**
 * Who may read which article: pure rules, unit-tested (kb.policy.test.ts), applied inside every search query
 * (a filter in PostgreSQL, a filter or tenant token in Meilisearch), never by dropping results afterwards.
 *
 * An article's `visibility` is `public`, `customers` or `tier:<key>`.
 * - Anonymous visitors see `public` articles.
 * - Customers and their organization's API keys see `public`, `customers`, and `tier:<key>` up to their
 *   knowledge-base rank (below).
 * - Staff (and system work) see everything, archived articles included where a use case asks for them.
 *
 * The knowledge-base rank combines the tier and the `kb.premium` entitlement ("premium knowledge base"):
 * the premium floor is the lowest rank of a catalogue tier whose own values grant `kb.premium` (Business by default).
 * - Without `kb.premium` the rank is capped below the floor: premium articles stay hidden even on a Business tier
 *   whose contract override removed it.
 * - With `kb.premium` the rank is lifted to at least the floor: a Growth organization granted premium by a contract
 *   override reads `tier:business` articles, but not `tier:enterprise` ones, which still need an Enterprise rank.
 * A `tier:<key>` naming no tier of the catalogue is visible to staff only (fails closed).
 */

export const PRODUCT_AREAS = [
  'getting-started',
  'tiers-and-plans',
  'tickets',
  'sla',
  'escalations',
  'partner-api',
  'billing',
  'security',
  'troubleshooting',
] as const;
export type ProductArea = (typeof PRODUCT_AREAS)[number];

export const isProductArea = (value: string): value is ProductArea => (PRODUCT_AREAS as readonly string[]).includes(value);

/** Slugs and tags: lowercase letters, digits and single hyphens. */
export const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export const ARTICLE_LIMITS = { slug: 120, title: 200, summary: 500, body: 100_000, tags: 20, tag: 40 } as const;

export type Visibility = { kind: 'public' } | { kind: 'customers' } | { kind: 'tier'; tierKey: string };

export function parseVisibility(text: string): Visibility | null {
  if (text === 'public') return { kind: 'public' };
  if (text === 'customers') return { kind: 'customers' };
  const match = /^tier:([a-z0-9]+(?:-[a-z0-9]+)*)$/.exec(text);
  return match ? { kind: 'tier', tierKey: match[1]! } : null;
}

/** A tier of the catalogue as the knowledge base sees it. */
export interface KbTier {
  key: string;
  rank: number;
  /** The tier's own values grant `kb.premium`. */
  premium: boolean;
}

/** What a caller may read: everything (staff), or exactly these visibility values. */
export type Audience = { kind: 'everything' } | { kind: 'visibilities'; visibilities: readonly string[] };

export const EVERYTHING: Audience = { kind: 'everything' };
export const ANONYMOUS_AUDIENCE: Audience = { kind: 'visibilities', visibilities: ['public'] };

function premiumFloor(catalogue: readonly KbTier[]): number {
  const ranks = catalogue.filter((tier) => tier.premium).map((tier) => tier.rank);
  return ranks.length ? Math.min(...ranks) : Number.POSITIVE_INFINITY;
}

export function knowledgeBaseRank(tierRank: number, hasPremium: boolean, catalogue: readonly KbTier[]): number {
  const floor = premiumFloor(catalogue);
  if (!Number.isFinite(floor)) return tierRank;
  return hasPremium ? Math.max(tierRank, floor) : Math.min(tierRank, floor - 1);
}

/** The audience of a customer (or key) of an organization on `tierRank`, with or without `kb.premium`. */
export function customerAudience(tierRank: number, hasPremium: boolean, catalogue: readonly KbTier[]): Audience {
  const rank = knowledgeBaseRank(tierRank, hasPremium, catalogue);
  const tiers = [...catalogue].sort((a, b) => a.rank - b.rank).filter((tier) => tier.rank <= rank);
  return { kind: 'visibilities', visibilities: ['public', 'customers', ...tiers.map((tier) => `tier:${tier.key}`)] };
}

export function audienceAllows(audience: Audience, visibility: string): boolean {
  return audience.kind === 'everything' || audience.visibilities.includes(visibility);
}

/** Whether an article of this visibility belongs to the premium knowledge base. */
export function isPremium(visibility: string, catalogue: readonly KbTier[]): boolean {
  const parsed = parseVisibility(visibility);
  if (parsed?.kind !== 'tier') return false;
  const tier = catalogue.find((candidate) => candidate.key === parsed.tierKey);
  return tier ? tier.rank >= premiumFloor(catalogue) : true;
}
