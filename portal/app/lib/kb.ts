/** Help-center helpers shared by the server and the browser: labels, addresses, dates. */

/** The API's product areas (kb/README.md), as people read them. Unknown ones fall back to a tidied key. */
const PRODUCT_AREA_LABELS: Record<string, string> = {
  'getting-started': 'Getting started',
  'tiers-and-plans': 'Tiers and plans',
  tickets: 'Tickets',
  sla: 'SLA',
  escalations: 'Escalations',
  'partner-api': 'Partner API',
  billing: 'Billing',
  security: 'Security',
  troubleshooting: 'Troubleshooting',
};

export function productAreaLabel(area: string): string {
  const known = PRODUCT_AREA_LABELS[area];
  if (known) return known;
  const words = area.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The API refuses longer queries (QUERY_TOO_LONG) and subjects; the portal says so rather than cutting silently. */
export const QUERY_MAX = 200;

/** Suggestions read the subject and the description's first 1,000 characters: no need to send more. */
export const SUGGEST_DESCRIPTION_MAX = 1_000;

/** An article slug as kb/README.md defines it; anything else is not an article address. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface HelpSearchParams {
  q: string;
  area?: string | null;
  tag?: string | null;
  after?: string | null;
}

/** The search page is driven entirely by its query string, so every state of it is a link. */
export function helpSearchHref({ q, area, tag, after }: HelpSearchParams): string {
  const params = new URLSearchParams({ q });
  if (area) params.set('area', area);
  if (tag) params.set('tag', tag);
  if (after) params.set('after', after);
  return `/help?${params}`;
}

/** An article, remembering the search that led to it (for "Was this helpful?"). */
export function articleHref(slug: string, searchId?: string | null): string {
  return searchId ? `/help/${slug}?${new URLSearchParams({ from: searchId })}` : `/help/${slug}`;
}

/** Where "Still need help?" goes: the new-ticket form with the question as its subject. */
export function newTicketHref(subject: string): string {
  const trimmed = subject.trim().slice(0, QUERY_MAX);
  return trimmed ? `/tickets/new?${new URLSearchParams({ subject: trimmed })}` : '/tickets/new';
}

/**
 * An article's `updatedAt` is the front matter's calendar date (midnight UTC) or an admin edit: shown as the UTC
 * date, formatted on the server so the browser shows exactly what was rendered.
 */
export function formatArticleDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
}

export function pluralize(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
}
