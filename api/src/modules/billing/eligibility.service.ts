import { raw } from '@mikro-orm/postgresql';
import { startOfMonthUtc } from '../../shared/clock.js';
import type { RequestContext } from '../../shared/context.js';
import { notFound } from '../../shared/errors.js';
import { resolveEntitlements } from '../entitlements/index.js';
import { EntitlementOverride, loadOrganization, Organization } from '../organizations/index.js';
import { emitEvent } from '../outbox/index.js';
import { Ticket } from '../tickets/index.js';
import { loadTierCatalogue, tierCatalogue, TierEntitlement } from '../tiers/index.js';
import { upgradeEligibility } from './eligibility.js';
import { UpgradeReminder } from './upgrade-reminder.entity.js';

/** A dismissed reminder keeps the same suggestion quiet for this long. */
const DISMISSED_QUIET_DAYS = 30;

export interface EligibilityReport {
  checked: number;
  created: { organizationId: string; tierKey: string; reasons: string[] }[];
}

/**
 * The scheduled check: each organization's figures and this month's tickets against the tier catalogue. Creates an
 * upgrade reminder (and emits `organization.upgrade_suggested`) when a higher tier fits and there is neither an
 * undismissed reminder for that tier nor one dismissed in the last 30 days. A fixed number of statements whatever
 * the number of organizations; one run at a time (advisory lock), so two workers never double a reminder.
 * `ctx` is a system context (it reads every tenant).
 */
export async function evaluateUpgradeEligibility(ctx: RequestContext): Promise<EligibilityReport> {
  const report = await ctx.transaction(async (txCtx) => {
    const tx = txCtx.em;
    await tx
      .getConnection()
      .execute(`select pg_advisory_xact_lock(hashtext('tierdesk.upgrade_eligibility'))`, [], 'all', tx.getTransactionContext());
    const now = txCtx.clock.now();
    const quietSince = new Date(now.getTime() - DISMISSED_QUIET_DAYS * 86_400_000);
    // One after another: a transaction is one connection.
    const organizations = await tx.find(Organization, {}, { orderBy: { id: 'asc' } });
    const catalogue = await loadTierCatalogue(tx, now);
    const tierValues = await tx.find(TierEntitlement, {});
    const overrides = await tx.find(EntitlementOverride, {});
    const counts = await tx
      .createQueryBuilder(Ticket, 't')
      .select([
        raw('t.organization_id as organization_id'),
        raw('count(*)::int as tickets'),
        raw(`(count(*) filter (where t.impact = 'CRITICAL' or t.priority = 'URGENT'))::int as severe`),
      ])
      .where({ createdAt: { $gte: startOfMonthUtc(now) } })
      .groupBy('t.organization')
      .execute<{ organization_id: string; tickets: number; severe: number }[]>('all', false);
    const reminders = await tx.find(UpgradeReminder, { $or: [{ dismissedAt: null }, { dismissedAt: { $gte: quietSince } }] });
    const countsByOrganization = new Map(counts.map((row) => [row.organization_id, row]));
    const report: EligibilityReport = { checked: organizations.length, created: [] };
    for (const organization of organizations) {
      const entry = catalogue.find((candidate) => candidate.tier.id === organization.tier.id);
      if (!entry) continue;
      const effective = resolveEntitlements(
        entry.tier,
        tierValues.filter((value) => value.tier.id === entry.tier.id),
        overrides.filter((override) => override.organization.id === organization.id),
        now,
      );
      const figures = countsByOrganization.get(organization.id);
      const suggestion = upgradeEligibility({
        organization,
        currentTier: entry.tier,
        catalogue,
        ticketsThisMonth: figures?.tickets ?? 0,
        severeTicketsThisMonth: figures?.severe ?? 0,
        entitlements: effective,
      });
      if (!suggestion) continue;
      const known = reminders.some(
        (reminder) => reminder.organization.id === organization.id && reminder.suggestedTierKey === suggestion.tier.key,
      );
      if (known) continue;
      const reminder = Object.assign(new UpgradeReminder(), {
        organization,
        suggestedTierKey: suggestion.tier.key,
        reasons: suggestion.reasons,
        createdAt: now,
        updatedAt: now,
      });
      tx.persist(reminder);
      await emitEvent(txCtx, {
        organizationId: organization.id,
        type: 'organization.upgrade_suggested',
        data: { reminderId: reminder.id, fromTier: entry.tier.key, suggestedTier: suggestion.tier.key, reasons: suggestion.reasons },
      });
      report.created.push({ organizationId: organization.id, tierKey: suggestion.tier.key, reasons: suggestion.reasons });
    }
    await tx.flush();
    return report;
  });
  if (report.created.length) ctx.log.info({ reminders: report.created.length }, 'upgrade reminders created');
  return report;
}

/** The organization's current reminder: the newest undismissed one for a tier above its current tier. */
export async function currentUpgradeReminder(ctx: RequestContext, organizationId: string): Promise<UpgradeReminder | null> {
  const organization = await loadOrganization(ctx, organizationId);
  if (!organization) return null;
  const catalogue = await tierCatalogue(ctx);
  const rank = catalogue.find((entry) => entry.tier.id === organization.tier.id)?.tier.rank ?? Number.POSITIVE_INFINITY;
  const higher = catalogue.filter((entry) => entry.tier.rank > rank).map((entry) => entry.tier.key);
  if (!higher.length) return null;
  return ctx.em.findOne(
    UpgradeReminder,
    { organization: organizationId, dismissedAt: null, suggestedTierKey: { $in: higher } },
    { orderBy: { createdAt: 'desc', id: 'desc' } },
  );
}

/** Dismisses one of the organization's reminders; another organization's reads as not found. Idempotent. */
export async function dismissUpgradeReminder(ctx: RequestContext, organizationId: string, reminderId: string): Promise<UpgradeReminder> {
  const reminder = await ctx.em.findOne(UpgradeReminder, { id: reminderId, organization: organizationId });
  if (!reminder) throw notFound('Upgrade reminder');
  if (!reminder.dismissedAt) {
    reminder.dismissedAt = ctx.clock.now();
    await ctx.em.flush();
  }
  return reminder;
}
