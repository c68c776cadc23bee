import type { StaffRole } from '../../shared/principal.js';
import { PLACEHOLDERS, unclosedPlaceholder, unknownPlaceholders } from './placeholders.js';

export const MACRO_LIMITS = { title: 120, body: 20_000, search: 200 } as const;

/** Who writes the team's saved replies; every staff role reads and uses them. */
export const MACRO_EDITORS: readonly StaffRole[] = ['SPECIALIST', 'ADMIN'];

export interface MacroProblem {
  field: 'title' | 'body';
  message: string;
  /** For `body`: the unknown placeholders, each once. */
  unknownPlaceholders?: string[];
}

const braces = (name: string) => `{{${name}}}`;

/** What is wrong with a macro's title and body, in field order (empty: nothing). Titles are compared trimmed. */
export function macroProblems(fields: { title?: string; body?: string }): MacroProblem[] {
  const problems: MacroProblem[] = [];
  if (fields.title !== undefined) {
    const title = fields.title.trim();
    if (!title) problems.push({ field: 'title', message: 'Give the saved reply a title.' });
    else if (title.length > MACRO_LIMITS.title)
      problems.push({ field: 'title', message: `A title is at most ${MACRO_LIMITS.title} characters (this one has ${title.length}).` });
  }
  if (fields.body !== undefined) {
    const body = fields.body;
    const unknown = unknownPlaceholders(body);
    const unclosed = unclosedPlaceholder(body);
    if (!body.trim()) problems.push({ field: 'body', message: 'Write the reply.' });
    else if (body.length > MACRO_LIMITS.body)
      problems.push({
        field: 'body',
        message: `A reply is at most ${MACRO_LIMITS.body.toLocaleString('en-US')} characters (this one has ${body.length.toLocaleString('en-US')}).`,
      });
    else if (unknown.length)
      problems.push({
        field: 'body',
        message: `Unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map(braces).join(', ')}. Known: ${PLACEHOLDERS.map((placeholder) => braces(placeholder.name)).join(', ')}.`,
        unknownPlaceholders: unknown,
      });
    else if (unclosed)
      problems.push({ field: 'body', message: `A placeholder is not closed with "}}": ${unclosed}. Write \\{{ for literal braces.` });
  }
  return problems;
}

/** Titles are unique regardless of case and surrounding spaces: "Asking for logs" and "asking for logs " clash. */
export function titleKey(title: string): string {
  return title.trim().toLowerCase();
}
