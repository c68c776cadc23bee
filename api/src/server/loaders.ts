import { raw, type EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { EntitlementOverride, TierEntitlement } from '../modules/entitlements/entitlement.entity.js';
import {
  loadTierCatalogue,
  resolveEntitlements,
  type EffectiveEntitlements,
  type TierCatalogueEntry,
} from '../modules/entitlements/entitlement.service.js';
import { User } from '../modules/identity/identity.entity.js';
import { Organization } from '../modules/organizations/organization.entity.js';
import { Comment, Ticket } from '../modules/tickets/ticket.entity.js';
import { CommentVisibility } from '../modules/tickets/ticket.enums.js';
import { Tier } from '../modules/tiers/tier.entity.js';
import type { ClockState } from '../modules/sla/clocks.js';
import { computeTicketClocks } from '../modules/sla/sla.service.js';
import { startOfMonthUtc, type Clock } from '../shared/clock.js';
import { tenantOf, type Principal } from '../shared/principal.js';

export interface CommentPageKey {
  first: number;
  includeInternal: boolean;
}

/**
 * One set per request, so a page of tickets costs a fixed number of statements whatever its size:
 * each relation below is fetched once per batch, never once per row.
 */
export interface Loaders {
  organization: DataLoader<string, Organization | null>;
  tier: DataLoader<string, Tier | null>;
  user: DataLoader<string, User | null>;
  entitlements: DataLoader<string, EffectiveEntitlements>;
  /** The first `first` comments of each ticket, oldest first, plus one to tell whether more exist. */
  firstComments(key: CommentPageKey): DataLoader<string, Comment[]>;
  tierCatalogue(): Promise<TierCatalogueEntry[]>;
  ticketsThisMonth: DataLoader<string, number>;
  /** Each ticket's SLA clocks replayed up to now: always current, one batch per page. */
  slaClocks: DataLoader<string, ClockState[]>;
}

function byId<T extends { id: string }>(ids: readonly string[], rows: T[]): (T | null)[] {
  const found = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => found.get(id) ?? null);
}

export function createLoaders(em: EntityManager, principal: Principal, clock: Clock): Loaders {
  const organization = new DataLoader<string, Organization | null>(async (ids) =>
    byId(ids, await em.find(Organization, { id: { $in: [...ids] } })),
  );
  const tier = new DataLoader<string, Tier | null>(async (ids) => byId(ids, await em.find(Tier, { id: { $in: [...ids] } })));
  const user = new DataLoader<string, User | null>(async (ids) => byId(ids, await em.find(User, { id: { $in: [...ids] } })));

  const entitlements = new DataLoader<string, EffectiveEntitlements>(async (organizationIds) => {
    const organizations = await organization.loadMany(organizationIds);
    const found = organizations.filter((org): org is Organization => org instanceof Organization);
    const tierIds = [...new Set(found.map((org) => org.tier.id))];
    const [tiers, values, overrides] = await Promise.all([
      tier.loadMany(tierIds),
      em.find(TierEntitlement, { tier: { $in: tierIds } }),
      em.find(EntitlementOverride, { organization: { $in: found.map((org) => org.id) } }),
    ]);
    const tiersById = new Map(tiers.filter((t): t is Tier => t instanceof Tier).map((t) => [t.id, t]));
    const at = clock.now();
    return organizationIds.map((id) => {
      const org = found.find((candidate) => candidate.id === id);
      const orgTier = org && tiersById.get(org.tier.id);
      if (!org || !orgTier) return new Error(`organization ${id} not found`);
      return resolveEntitlements(
        orgTier,
        values.filter((value) => value.tier.id === orgTier.id),
        overrides.filter((override) => override.organization.id === org.id),
        at,
      );
    });
  });

  const commentLoaders = new Map<string, DataLoader<string, Comment[]>>();
  const firstComments = ({ first, includeInternal }: CommentPageKey) => {
    const cacheKey = `${first}:${includeInternal}`;
    let loader = commentLoaders.get(cacheKey);
    if (!loader) {
      loader = new DataLoader<string, Comment[]>(async (ticketIds) => {
        const tenant = tenantOf(principal);
        // A window function fetches the first N comments of every ticket in one statement. Raw SQL skips the
        // ORM's tenant filter, so the tenant condition is stated here as well.
        const rows = await em.getConnection().execute<Record<string, unknown>[]>(
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
        const comments = rows.map((row) => em.map(Comment, row));
        return ticketIds.map((id) => comments.filter((comment) => comment.ticket.id === id));
      });
      commentLoaders.set(cacheKey, loader);
    }
    return loader;
  };

  let catalogue: Promise<TierCatalogueEntry[]> | undefined;
  const tierCatalogue = () => (catalogue ??= loadTierCatalogue(em, clock.now()));

  const ticketsThisMonth = new DataLoader<string, number>(async (organizationIds) => {
    const rows = await em
      .createQueryBuilder(Ticket, 't')
      .select([raw('t.organization_id as organization_id'), raw('count(*)::int as tickets')])
      .where({ organization: { $in: [...organizationIds] }, createdAt: { $gte: startOfMonthUtc(clock.now()) } })
      .groupBy('t.organization')
      .execute<{ organization_id: string; tickets: number }[]>('all', false);
    const counts = new Map(rows.map((row) => [row.organization_id, row.tickets]));
    return organizationIds.map((id) => counts.get(id) ?? 0);
  });

  const slaClocks = new DataLoader<string, ClockState[]>(async (ticketIds) => {
    const tickets = await em.find(Ticket, { id: { $in: [...ticketIds] } });
    const clocks = await computeTicketClocks(em, tickets, clock.now());
    return ticketIds.map((id) => clocks.get(id) ?? []);
  });

  return { organization, tier, user, entitlements, firstComments, tierCatalogue, ticketsThisMonth, slaClocks };
}
