import { Marked, type Tokens } from 'marked';
import { SLUG_PATTERN } from './kb';

/**
 * Article bodies are Markdown (kb/README.md: headings, lists, tables, code blocks), and so are ticket descriptions
 * and comments in the staff console. They are rendered on the server with `marked`, and made safe to insert as HTML:
 *
 * - raw HTML in the source is never passed through: it is escaped and shows as the text it is (articles write
 *   things like `Bearer <token>`);
 * - links and images keep only http(s), mailto, same-site paths and #anchors; anything else (javascript:, data:,
 *   vbscript:, protocol-relative //host) loses its link and keeps its text;
 * - links between articles (`other-article.md`, as the files write them) point at `/help/other-article`, and are
 *   returned as the article's related links.
 *
 * Everything else (text, code, attributes) goes through marked's own escaping.
 */

interface RelatedLink {
  slug: string;
  text: string;
}

export interface RenderedArticle {
  html: string;
  related: RelatedLink[];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

const ARTICLE_FILE_LINK = /^(?:\.\/)?([^/?#]+)\.md(#[A-Za-z0-9_-]*)?$/;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);

/** Where a link in an article may go, or null when it may not go anywhere. */
function safeHref(href: string): { href: string; article: string | null } | null {
  // Browsers ignore whitespace and control characters inside a scheme ("java\tscript:"): judge it without them.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is stripped here
  const compact = href.replace(/[\u0000-\u0020\u007f]/g, '');
  if (!compact) return null;
  const file = ARTICLE_FILE_LINK.exec(compact);
  if (file && SLUG_PATTERN.test(file[1]!)) return { href: `/help/${file[1]}${file[2] ?? ''}`, article: file[1]! };
  const scheme = SCHEME.exec(compact);
  if (scheme) return SAFE_SCHEMES.has(scheme[1]!.toLowerCase()) ? { href: href.trim(), article: null } : null;
  if (compact.startsWith('//') || compact.startsWith('/\\') || compact.startsWith('\\')) return null;
  return { href: href.trim(), article: null };
}

/** As marked does: percent-encode what must be, without encoding existing escapes twice. */
function encodeHref(href: string): string | null {
  try {
    return encodeURI(href).replace(/%25/g, '%');
  } catch {
    return null; // a lone surrogate
  }
}

/**
 * A marked instance with the safe renderer above; `onArticleLink` hears of each link to another article.
 * `breaks` turns single newlines into line breaks (replies are written like e-mails, articles like documents).
 * Without `loadImages` an image is a link to it: a picture in a customer's comment must not call its host when
 * an agent opens the ticket.
 */
function safeMarked(options: { breaks: boolean; loadImages: boolean; onArticleLink?: (slug: string, text: string) => void }): Marked {
  return new Marked({
    gfm: true,
    breaks: options.breaks,
    renderer: {
      html({ text, block }: Tokens.HTML | Tokens.Tag) {
        const escaped = escapeHtml(text);
        return block ? `<p>${escaped.trimEnd()}</p>\n` : escaped;
      },
      link(token: Tokens.Link) {
        const text = token.autolink ? escapeHtml(token.text) : this.parser.parseInline(token.tokens);
        const target = safeHref(token.href);
        const encoded = target ? encodeHref(target.href) : null;
        if (!target || encoded === null) return text;
        if (target.article && options.onArticleLink) {
          options.onArticleLink(target.article, this.parser.parseInline(token.tokens, this.parser.textRenderer));
        }
        const external = /^https?:/i.test(target.href);
        const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
        return `<a href="${escapeHtml(encoded)}"${title}${external ? ' rel="noopener noreferrer"' : ''}>${text}</a>`;
      },
      image(token: Tokens.Image) {
        const alt = token.tokens ? this.parser.parseInline(token.tokens, this.parser.textRenderer) : token.text;
        const target = safeHref(token.href);
        const encoded = target && !/^mailto:/i.test(target.href) && !target.article ? encodeHref(target.href) : null;
        if (encoded === null) return escapeHtml(alt);
        const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
        if (!options.loadImages) {
          return `<a href="${escapeHtml(encoded)}"${title} rel="noopener noreferrer">${escapeHtml(alt || 'Image')}</a>`;
        }
        return `<img src="${escapeHtml(encoded)}" alt="${escapeHtml(alt)}"${title} loading="lazy">`;
      },
    },
  });
}

export function renderArticleMarkdown(markdown: string): RenderedArticle {
  const related = new Map<string, string>();
  const marked = safeMarked({
    breaks: false,
    loadImages: true,
    onArticleLink: (slug, text) => {
      if (!related.has(slug)) related.set(slug, text);
    },
  });
  const html = marked.parse(markdown, { async: false });
  return {
    html,
    related: [...related].map(([slug, text]) => ({ slug, text: unescapeText(text) || slug })),
  };
}

const commentMarked = safeMarked({ breaks: true, loadImages: false });

/**
 * A ticket's description or comment (Markdown written by customers and staff) as safe HTML, by the same rules as
 * articles: raw HTML shows as text, links keep only safe destinations; single newlines stay line breaks, and
 * images are links rather than loaded.
 */
export function renderCommentMarkdown(markdown: string): string {
  return commentMarked.parse(markdown, { async: false });
}

/** marked's text renderer escapes; related links are rendered by React, which escapes on its own. */
function unescapeText(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name] ?? '');
}
