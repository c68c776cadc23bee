import { AppError } from '../../shared/errors.js';
import { SYNONYM_GROUPS } from './synonyms.js';

const QUERY_LIMITS = {
  /** Characters of a search box query. */
  query: 200,
  /** Words of a query that are searched for; the rest are ignored. */
  terms: 10,
  /** Characters of a ticket's subject and description that suggestions read. */
  subject: 200,
  description: 20_000,
  descriptionRead: 1_000,
  suggestionTerms: 12,
} as const;

/** PostgreSQL's english stop words (its `english.stop`): they are not indexed, so they are not searched either. */
export const STOP_WORDS = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself ' +
    'they them their theirs themselves what which who whom this that these those am is are was were be been being have has had ' +
    'having do does did doing a an the and but if or because as until while of at by for with about against between into through ' +
    'during before after above below to from up down in out on off over under again further then once here there when where why how ' +
    'all any both each few more most other some such no nor not only own same so than too very s t can will just don should now'
  ).split(' '),
);

/** Lowercase, accents removed: "Fréquence" and "frequence" are the same word to search. */
function normalize(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

function tokenize(text: string): string[] {
  return normalize(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** One alternative of a group: a word or a phrase (words in sequence); `prefix` on the word being typed. */
export interface Alternative {
  words: string[];
  prefix?: boolean;
  /** A correction or completion rather than what was typed (ranked after exact matches by the engines). */
  derived?: boolean;
}

/** One thing the query asks for: a word as typed, or a synonym phrase, with its alternatives. */
export interface QueryGroup {
  /** What the user typed for it. */
  typed: string[];
  alternatives: Alternative[];
  /** The last word while still being typed: matched as a prefix too. */
  prefix: boolean;
  /**
   * The word being typed may still become a stop word ("ou" of "out"): it only ranks, it is not required, so
   * "sign ou" keeps finding "signing out" (stop words are not indexed).
   */
  optional?: boolean;
}

export interface QueryPlan {
  /** The normalized text (what Meilisearch receives and analytics store). */
  text: string;
  groups: QueryGroup[];
}

/** Every strict prefix of a stop word ("ou", "th", "wh"…). */
const STOP_WORD_PREFIXES = new Set(
  [...STOP_WORDS].flatMap((word) => Array.from({ length: word.length - 1 }, (_, end) => word.slice(0, end + 1))),
);

const PHRASES = SYNONYM_GROUPS.map((group) => group.map((phrase) => tokenize(phrase)));
const MAX_PHRASE = Math.max(...PHRASES.flat().map((words) => words.length));

function synonymsOf(words: string[]): string[][] | null {
  const key = words.join(' ');
  const group = PHRASES.find((phrases) => phrases.some((phrase) => phrase.join(' ') === key));
  return group ? group.map((phrase) => [...phrase]) : null;
}

/**
 * Validates a search box query and plans it: words (stop words dropped), synonym phrases recognised (longest
 * first), the last word marked as a prefix unless the query ends with a space or punctuation (search as you type).
 */
export function planQuery(raw: string, field = 'query', maxLength: number = QUERY_LIMITS.query): QueryPlan {
  if (typeof raw !== 'string' || !raw.trim()) throw new AppError('EMPTY_QUERY', 'Type something to search for.', { field: [field] });
  if (raw.length > maxLength) {
    throw new AppError('QUERY_TOO_LONG', `The query is too long (at most ${maxLength} characters).`, { field: [field], max: maxLength });
  }
  const tokens = tokenize(raw);
  if (!tokens.length) throw new AppError('EMPTY_QUERY', 'The query has no letters or digits to search for.', { field: [field] });
  const typing = /[\p{L}\p{N}]$/u.test(normalize(raw));
  return { text: tokens.join(' '), groups: groupsOf(tokens, typing, QUERY_LIMITS.terms) };
}

function groupsOf(tokens: string[], typing: boolean, maxGroups: number): QueryGroup[] {
  const groups: QueryGroup[] = [];
  let index = 0;
  while (index < tokens.length && groups.length < maxGroups) {
    let matched = 0;
    let phrases: string[][] | null = null;
    for (let length = Math.min(MAX_PHRASE, tokens.length - index); length >= 1 && !phrases; length -= 1) {
      phrases = synonymsOf(tokens.slice(index, index + length));
      if (phrases) matched = length;
    }
    const typed = tokens.slice(index, index + Math.max(matched, 1));
    index += typed.length;
    const isLast = index === tokens.length;
    const word = typed[0]!;
    // A stop word is dropped, also while typed last (unless it is all there is: "how" still completes to "hours").
    if (!phrases && STOP_WORDS.has(word) && !(isLast && typing && tokens.length === 1)) continue;
    const prefix = isLast && typing && typed.length === 1;
    const optional = prefix && !phrases && tokens.length > 1 && STOP_WORD_PREFIXES.has(word);
    const alternatives: Alternative[] = phrases
      ? phrases.map((words) => ({ words, derived: words.join(' ') !== typed.join(' ') }))
      : [{ words: typed }];
    if (prefix) alternatives[alternatives.findIndex((alternative) => alternative.words.join(' ') === typed[0])]!.prefix = true;
    groups.push({ typed, alternatives, prefix, ...(optional ? { optional } : {}) });
  }
  // Distinct groups only: "ticket tickets" asks for one thing.
  return groups.filter((group, position) => groups.findIndex((other) => other.typed.join(' ') === group.typed.join(' ')) === position);
}

/**
 * Plans a deflection query from a ticket being written: the subject's words, then the description's first words,
 * stop words and repeats dropped, at most `QUERY_LIMITS.suggestionTerms` groups. Returns null when there is
 * nothing to search for yet (an empty form asks for no suggestions; that is not an error).
 */
export function planSuggestion(
  subject: string,
  description: string | null | undefined,
): { subject: QueryPlan | null; full: QueryPlan | null } {
  if (subject.length > QUERY_LIMITS.subject) {
    throw new AppError('QUERY_TOO_LONG', `The subject is too long (at most ${QUERY_LIMITS.subject} characters).`, {
      field: ['subject'],
      max: QUERY_LIMITS.subject,
    });
  }
  if ((description?.length ?? 0) > QUERY_LIMITS.description) {
    throw new AppError('QUERY_TOO_LONG', `The description is too long (at most ${QUERY_LIMITS.description} characters).`, {
      field: ['description'],
      max: QUERY_LIMITS.description,
    });
  }
  const subjectTokens = tokenize(subject);
  const descriptionTokens = tokenize((description ?? '').slice(0, QUERY_LIMITS.descriptionRead));
  const plan = (tokens: string[]): QueryPlan | null => {
    const groups = groupsOf(tokens, false, QUERY_LIMITS.suggestionTerms);
    return groups.length ? { text: groups.map((group) => group.typed.join(' ')).join(' '), groups } : null;
  };
  return { subject: plan(subjectTokens), full: plan([...subjectTokens, ...descriptionTokens]) };
}

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions), capped at `max + 1`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    let best = Number.POSITIVE_INFINITY;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
  }
  return Math.min(rows[a.length]![b.length]!, max + 1);
}

/** Typos allowed in a word of this length (as Meilisearch's `minWordSizeForTypos` below). */
export const TYPO_RULES = { oneTypo: 4, twoTypos: 8 } as const;

export function typosAllowed(word: string): number {
  if (/^\d+$/.test(word)) return 0;
  return word.length >= TYPO_RULES.twoTypos ? 2 : word.length >= TYPO_RULES.oneTypo ? 1 : 0;
}
