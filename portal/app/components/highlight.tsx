import { Fragment } from 'react';

/**
 * Search highlights from the API are HTML-escaped text (`&amp; &lt; &gt; &quot; &#39;`) with the matching words in
 * `<mark>…</mark>`. Rather than trusting that string as HTML, it is split on exactly those two tags and the five
 * escapes are undone; React then renders plain text (escaping it again) inside real <mark> elements. Anything
 * else that looks like markup stays visible text.
 */
export interface HighlightPart {
  text: string;
  marked: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
const ENTITY = /&(amp|lt|gt|quot|#39);/g;
const MARK = /<mark>|<\/mark>/g;

function unescape(text: string): string {
  return text.replace(ENTITY, (_, name: string) => ENTITIES[name] ?? '');
}

function parseHighlight(escaped: string): HighlightPart[] {
  const parts: HighlightPart[] = [];
  let open = false;
  let from = 0;
  const push = (raw: string) => {
    if (!raw) return;
    const text = unescape(raw);
    const last = parts.at(-1);
    if (last && last.marked === open) last.text += text;
    else parts.push({ text, marked: open });
  };
  for (const match of escaped.matchAll(MARK)) {
    push(escaped.slice(from, match.index));
    open = match[0] === '<mark>';
    from = match.index + match[0].length;
  }
  push(escaped.slice(from));
  return parts;
}

/** Highlighted text: only the API's <mark> tags become elements. */
export function Highlight({ html }: { html: string }) {
  return (
    <>
      {parseHighlight(html).map((part, index) =>
        part.marked ? <mark key={index}>{part.text}</mark> : <Fragment key={index}>{part.text}</Fragment>,
      )}
    </>
  );
}
