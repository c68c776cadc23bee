import type { BillingInterval, Coverage, TicketChannel, TicketPriority } from '@tierdesk/schema';
import { CHANNEL_LABELS, COVERAGE_LABELS, formatDuration, PRIORITIES, PRIORITY_LABELS } from './format';

/** `?interval=year` shows (and buys) annual prices; anything else is monthly. */
export function intervalFromParam(value: string | null): BillingInterval {
  return value === 'year' || value === 'YEAR' ? 'YEAR' : 'MONTH';
}

export function intervalParam(interval: BillingInterval): 'month' | 'year' {
  return interval === 'YEAR' ? 'year' : 'month';
}

export function isInterval(value: unknown): value is BillingInterval {
  return value === 'MONTH' || value === 'YEAR';
}

/** Minor units as money: 4900 usd → "$49.00". */
export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

/** A day in the organization's time zone: "21 Dec 2026". */
export function formatDate(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return 'the end of the current period';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', timeZone };
  try {
    return new Intl.DateTimeFormat('en-GB', options).format(date);
  } catch {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(date);
  }
}

/** Stripe statuses under which the organization has a subscription to change (checkout would be refused). */
export function hasLiveSubscription(status: string | null | undefined): boolean {
  return Boolean(status) && status !== 'canceled' && status !== 'incomplete_expired';
}

export interface TierEntitlementsShape {
  allowedChannels: readonly TicketChannel[];
  coverage: Coverage | null;
  responseTargets: readonly { priority: TicketPriority; firstResponseMinutes: number | null; resolutionMinutes: number | null }[];
  technicalAccountManager: boolean;
  premiumKnowledgeBase: boolean;
  monthlyTicketAllowance: number | null;
  apiRequestsPerMinute: number | null;
}

/** The comparison table's rows for one tier, as display text keyed by row id. */
export function entitlementCells(entitlements: TierEntitlementsShape): Record<string, string> {
  const cells: Record<string, string> = {};
  for (const priority of PRIORITIES) {
    const target = entitlements.responseTargets.find((candidate) => candidate.priority === priority);
    cells[`first-${priority}`] = target ? formatDuration(target.firstResponseMinutes, entitlements.coverage) : 'Not included';
    cells[`resolution-${priority}`] = target ? formatDuration(target.resolutionMinutes, entitlements.coverage) : 'Not included';
  }
  cells.coverage = entitlements.coverage ? COVERAGE_LABELS[entitlements.coverage] : 'None';
  cells.channels = entitlements.allowedChannels.map((channel) => CHANNEL_LABELS[channel]).join(', ') || 'None';
  cells.tam = entitlements.technicalAccountManager ? 'Included' : 'Not included';
  cells.premiumKb = entitlements.premiumKnowledgeBase ? 'Included' : 'Not included';
  cells.allowance = entitlements.monthlyTicketAllowance === null ? 'Unlimited' : `${entitlements.monthlyTicketAllowance} tickets`;
  cells.api = entitlements.apiRequestsPerMinute === null ? 'Unlimited' : `${entitlements.apiRequestsPerMinute} requests / min`;
  return cells;
}

export const ENTITLEMENT_ROWS: readonly { id: string; label: string; group?: string }[] = [
  ...PRIORITIES.flatMap((priority) => [
    { id: `first-${priority}`, label: `${PRIORITY_LABELS[priority]} — first response`, group: 'targets' },
    { id: `resolution-${priority}`, label: `${PRIORITY_LABELS[priority]} — resolution`, group: 'targets' },
  ]),
  { id: 'coverage', label: 'Coverage' },
  { id: 'channels', label: 'Channels' },
  { id: 'tam', label: 'Technical account manager' },
  { id: 'premiumKb', label: 'Premium knowledge base' },
  { id: 'allowance', label: 'Monthly ticket allowance' },
  { id: 'api', label: 'API budget' },
];

/** The portal's own origin as the browser reached it (for Stripe's return addresses). */
export function portalOrigin(request: Request): string {
  const url = new URL(request.url);
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  if (forwarded === 'https' || forwarded === 'http') url.protocol = `${forwarded}:`;
  return url.origin;
}
