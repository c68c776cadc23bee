/**
 * Billing-period arithmetic and proration, the way Stripe does it for `billing_mode: classic`:
 *
 * - Periods are calendar intervals from the billing cycle anchor (UTC). A monthly subscription anchored on the 31st
 *   renews on the last day of shorter months and back on the 31st after; the anchor, not the previous period end,
 *   decides each boundary, so clamping never drifts.
 * - Proration is by the second: changing an item at time `t` inside the period [start, end) credits the old item
 *   `round(old amount × (end − t) / (end − start))` and charges the new item `round(new amount × (end − t) /
 *   (end − start))`, each rounded to the smallest currency unit on its own line, as Stripe's invoice lines are.
 */
export type Interval = 'day' | 'week' | 'month' | 'year';

const DAY = 86_400;

/** `anchor` plus `count` intervals, clamping the day of month for months and years (Jan 31 + 1 month = Feb 28/29). */
export function addIntervals(anchor: number, interval: Interval, count: number): number {
  if (interval === 'day') return anchor + count * DAY;
  if (interval === 'week') return anchor + count * 7 * DAY;
  const date = new Date(anchor * 1000);
  const months = interval === 'month' ? count : count * 12;
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(date.getUTCDate(), lastDay);
  return Date.UTC(year, month, day, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()) / 1000;
}

/** The first period boundary strictly after `after`, counting whole billing intervals from `anchor`. */
export function nextPeriodEnd(anchor: number, interval: Interval, intervalCount: number, after: number): number {
  for (let k = 1; k < 100_000; k += 1) {
    const end = addIntervals(anchor, interval, k * intervalCount);
    if (end > after) return end;
  }
  throw new Error('nextPeriodEnd: no boundary found');
}

export interface Period {
  start: number;
  end: number;
}

/** The share of `fullAmount` for the part of `period` left after `at`, rounded half away from zero. */
export function prorate(fullAmount: number, period: Period, at: number): number {
  const length = period.end - period.start;
  if (length <= 0) return 0;
  const remaining = Math.min(Math.max(period.end - at, 0), length);
  const exact = (Math.abs(fullAmount) * remaining) / length;
  return Math.sign(fullAmount) * Math.round(exact);
}
