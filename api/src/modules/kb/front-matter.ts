import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { validateArticle, type ArticleContent } from './article.fields.js';

const FRONT_MATTER_FIELDS = ['title', 'slug', 'summary', 'tags', 'productArea', 'visibility', 'updated'] as const;

/** One problem in one file, with the 1-based line it is on. Errors skip the file; warnings do not. */
export interface FileProblem {
  file: string;
  line: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface ParsedArticleFile {
  content: ArticleContent;
  /** The front matter's `updated` date (UTC midnight). */
  updated: Date;
  /** The line of each front-matter field, for problems found later (an unknown tier key). */
  lines: Partial<Record<(typeof FRONT_MATTER_FIELDS)[number], number>>;
  warnings: FileProblem[];
}

export type ParseResult = { ok: true; article: ParsedArticleFile } | { ok: false; problems: FileProblem[] };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(value: unknown): Date | null {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value !== 'string') return null;
  const match = DATE.exec(value.trim());
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.getUTCDate() === Number(match[3]) ? date : null;
}

/**
 * Reads one `kb/articles/<slug>.md`: a YAML front-matter block between `---` lines, then the Markdown body.
 * Never throws: every problem comes back with its file and line (YAML syntax errors with the line the YAML parser
 * points at, field problems with the line of the field, missing fields with the line of the opening `---`).
 */
export function parseArticleFile(file: string, source: string, expectedSlug?: string): ParseResult {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const problem = (line: number, message: string, severity: FileProblem['severity'] = 'error'): FileProblem => ({
    file,
    line,
    severity,
    message,
  });
  if (lines[0]?.trim() !== '---')
    return {
      ok: false,
      problems: [problem(1, 'The file must start with a front-matter block: a line "---", the YAML fields, and another "---".')],
    };
  const close = lines.findIndex((line, index) => index > 0 && line.trim() === '---');
  if (close < 0) return { ok: false, problems: [problem(1, 'The front matter opened on line 1 is never closed with a "---" line.')] };

  const yamlText = lines.slice(1, close).join('\n');
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: true, uniqueKeys: true });
  // Front-matter line n is file line n + 1 (the opening "---" is line 1).
  const fileLine = (offset: number) => lineCounter.linePos(offset).line + 1;
  if (document.errors.length) {
    return {
      ok: false,
      problems: document.errors.map((error) => {
        // The parser's own position is relative to the front matter; the file line replaces it.
        const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        const position = error.linePos?.[0];
        return problem((position?.line ?? 1) + 1, `YAML: ${message}${position ? ` (column ${position.col})` : ''}.`);
      }),
    };
  }
  if (!isMap(document.contents))
    return { ok: false, problems: [problem(2, 'The front matter must be YAML fields (key: value), one per line.')] };

  const fieldLines: ParsedArticleFile['lines'] = {};
  const warnings: FileProblem[] = [];
  for (const pair of document.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const line = isScalar(pair.key) && pair.key.range ? fileLine(pair.key.range[0]) : 2;
    if ((FRONT_MATTER_FIELDS as readonly string[]).includes(key)) fieldLines[key as (typeof FRONT_MATTER_FIELDS)[number]] = line;
    else
      warnings.push(problem(line, `Unknown front-matter field "${key}" is ignored (known: ${FRONT_MATTER_FIELDS.join(', ')}).`, 'warning'));
  }

  const data = document.toJS() as Record<string, unknown>;
  const body = lines.slice(close + 1).join('\n');
  const { content, problems } = validateArticle({ ...data, body });
  const found: FileProblem[] = problems.map((entry) =>
    problem(entry.field === 'body' ? close + 2 : (fieldLines[entry.field as keyof typeof fieldLines] ?? 1), entry.message),
  );
  const updated = parseDate(data.updated);
  if (!updated)
    found.push(problem(fieldLines.updated ?? 1, `updated must be a date YYYY-MM-DD${data.updated === undefined ? ' (missing)' : ''}.`));
  if (expectedSlug !== undefined && content.slug && content.slug !== expectedSlug) {
    found.push(problem(fieldLines.slug ?? 1, `slug "${content.slug}" does not match the file name "${expectedSlug}.md".`));
  }
  if (found.length) return { ok: false, problems: [...found.sort((a, b) => a.line - b.line), ...warnings] };
  return { ok: true, article: { content, updated: updated!, lines: fieldLines, warnings } };
}
