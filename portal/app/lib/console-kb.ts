import type { ArticleStatus, ConsoleKbVersionFieldsFragment } from '@tierdesk/schema';
import { formatDateTime } from './format';
import { productAreaLabel } from './kb';

/** Knowledge-base editing in the console: labels and form values shared by the server and the browser. */

/** The API's product areas (createArticle refuses any other), in the order the form offers them. */
const PRODUCT_AREAS = [
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

export const ARTICLE_STATUS_LABELS: Record<ArticleStatus, string> = { PUBLISHED: 'Published', ARCHIVED: 'Archived' };

export interface TierOption {
  key: string;
  name: string;
}

/** `public`, `customers` or `tier:<key>`, as an editor reads it. */
export function visibilityLabel(visibility: string, tiers: readonly TierOption[]): string {
  if (visibility === 'public') return 'Everyone';
  if (visibility === 'customers') return 'Signed-in customers';
  const key = visibility.startsWith('tier:') ? visibility.slice(5) : null;
  if (key) return `${tiers.find((tier) => tier.key === key)?.name ?? key} tier and above`;
  return visibility;
}

export function visibilityOptions(tiers: readonly TierOption[]): { value: string; label: string }[] {
  return ['public', 'customers', ...tiers.map((tier) => `tier:${tier.key}`)].map((value) => ({
    value,
    label: visibilityLabel(value, tiers),
  }));
}

export function productAreaOptions(): { value: string; label: string }[] {
  return PRODUCT_AREAS.map((value) => ({ value, label: productAreaLabel(value) }));
}

/** An article's editable content, as the form holds it (tags as the text typed, comma-separated). */
export interface ArticleDraft {
  title: string;
  summary: string;
  body: string;
  productArea: string;
  visibility: string;
  tags: string;
}

export const DRAFT_FIELDS: readonly { key: keyof ArticleDraft; label: string }[] = [
  { key: 'title', label: 'Title' },
  { key: 'summary', label: 'Summary' },
  { key: 'productArea', label: 'Product area' },
  { key: 'visibility', label: 'Visibility' },
  { key: 'tags', label: 'Tags' },
  { key: 'body', label: 'Body' },
];

/** Tags as the API takes them: the words between commas, without blanks. */
export function parseTags(text: string): string[] {
  return text
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
}

export function formatTags(tags: readonly string[]): string {
  return tags.join(', ');
}

/** A slug from a title, as kb/README.md writes them: lowercase words joined by single hyphens. */
export function slugFromTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120)
    .replace(/-+$/, '');
}

/** Who saved a version: the staff member's name, else what the API records (the indexer, an API key). */
function actorLabel(version: { actor: string; author?: { name: string } | null }): string {
  if (version.author) return version.author.name;
  if (version.actor === 'system:kb-index') return 'The kb/articles indexer';
  if (version.actor.startsWith('apikey:')) return 'An API key';
  return version.actor;
}

/** A save, as the page tells it: who, which version, when. */
export function saveView(version: ConsoleKbVersionFieldsFragment) {
  return {
    version: version.version,
    by: actorLabel(version),
    at: formatDateTime(version.createdAt, 'UTC'),
    createdAt: version.createdAt,
    status: ARTICLE_STATUS_LABELS[version.status],
    title: version.title,
  };
}

export type SaveView = ReturnType<typeof saveView> & { change?: string };

interface VersionContent {
  version: number;
  status: ArticleStatus;
  title: string;
  summary: string;
  body: string;
  tags: readonly string[];
  productArea: string;
  visibility: string;
}

/** What a version changed against the one before it, in words ("Created", "Archived", "Title, Body"). */
export function describeChange(version: VersionContent, previous: VersionContent | null): string {
  if (!previous) return version.version === 1 ? 'Created' : '—';
  const changes: string[] = [];
  if (version.status !== previous.status) changes.push(version.status === 'ARCHIVED' ? 'Archived' : 'Restored');
  const fields: [keyof VersionContent, string][] = [
    ['title', 'Title'],
    ['summary', 'Summary'],
    ['productArea', 'Product area'],
    ['visibility', 'Visibility'],
    ['tags', 'Tags'],
    ['body', 'Body'],
  ];
  for (const [key, label] of fields) if (String(version[key]) !== String(previous[key])) changes.push(label);
  return changes.length ? changes.join(', ') : 'No change';
}
