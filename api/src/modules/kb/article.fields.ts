import { ARTICLE_LIMITS, isProductArea, KEBAB, parseVisibility, PRODUCT_AREAS } from './kb.policy.js';

/** An article's content, from a kb/ file or an admin edit, validated. `body` is Markdown. */
export interface ArticleContent {
  slug: string;
  title: string;
  summary: string;
  tags: string[];
  productArea: string;
  visibility: string;
  body: string;
}

export interface FieldProblem {
  field: keyof ArticleContent | 'updated';
  message: string;
}

function text(field: FieldProblem['field'], value: unknown, max: number, problems: FieldProblem[], what: string): string {
  if (typeof value !== 'string' || !value.trim()) {
    problems.push({ field, message: `${what} is required (a non-empty string).` });
    return '';
  }
  const trimmed = value.trim();
  if (trimmed.length > max) problems.push({ field, message: `${what} is too long (at most ${max} characters).` });
  return trimmed;
}

/**
 * Checks every field of an article and collects all problems (not just the first), so a writer fixes a file in one
 * pass. Tier keys in `visibility` are checked against the catalogue by the caller, which knows it.
 */
export function validateArticle(input: Record<string, unknown>): { content: ArticleContent; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const slug = text('slug', input.slug, ARTICLE_LIMITS.slug, problems, 'slug');
  if (slug && !KEBAB.test(slug))
    problems.push({ field: 'slug', message: `slug "${slug}" must be lowercase letters, digits and single hyphens.` });
  const title = text('title', input.title, ARTICLE_LIMITS.title, problems, 'title');
  const summary = text('summary', input.summary, ARTICLE_LIMITS.summary, problems, 'summary');
  const body = typeof input.body === 'string' ? input.body.trim() : '';
  if (!body) problems.push({ field: 'body', message: 'The article has no body.' });
  if (body.length > ARTICLE_LIMITS.body)
    problems.push({ field: 'body', message: `The body is too long (at most ${ARTICLE_LIMITS.body} characters).` });

  let tags: string[] = [];
  if (!Array.isArray(input.tags)) {
    problems.push({ field: 'tags', message: 'tags must be a list, e.g. [sla, pause].' });
  } else {
    tags = [
      ...new Set(input.tags.map((tag) => (typeof tag === 'string' || typeof tag === 'number' ? String(tag).trim().toLowerCase() : ''))),
    ];
    const bad = tags.filter((tag) => !KEBAB.test(tag) || tag.length > ARTICLE_LIMITS.tag);
    if (bad.length)
      problems.push({
        field: 'tags',
        message: `tags must be lowercase, hyphenated keywords: ${bad.map((tag) => JSON.stringify(tag)).join(', ')}.`,
      });
    if (tags.length > ARTICLE_LIMITS.tags) problems.push({ field: 'tags', message: `At most ${ARTICLE_LIMITS.tags} tags.` });
  }

  const productArea = typeof input.productArea === 'string' ? input.productArea.trim() : '';
  if (!isProductArea(productArea)) {
    problems.push({
      field: 'productArea',
      message: `productArea must be one of ${PRODUCT_AREAS.join(', ')}${productArea ? ` (not "${productArea}")` : ''}.`,
    });
  }
  const visibility = typeof input.visibility === 'string' ? input.visibility.trim() : '';
  if (!parseVisibility(visibility)) {
    problems.push({
      field: 'visibility',
      message: `visibility must be public, customers or tier:<tier key>${visibility ? ` (not "${visibility}")` : ''}.`,
    });
  }
  return { content: { slug, title, summary, tags, productArea, visibility, body }, problems };
}
