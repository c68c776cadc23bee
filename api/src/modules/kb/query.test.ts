import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import { editDistance, planQuery, planSuggestion, typosAllowed } from './query.js';
import { renderHighlight } from './search.port.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
  return undefined;
}

describe('planning a query', () => {
  it('refuses empty, punctuation-only and too long queries with typed errors', () => {
    expect(codeOf(() => planQuery(''))).toBe('EMPTY_QUERY');
    expect(codeOf(() => planQuery('   \t'))).toBe('EMPTY_QUERY');
    expect(codeOf(() => planQuery('?!… --- ***'))).toBe('EMPTY_QUERY');
    expect(codeOf(() => planQuery('a'.repeat(201)))).toBe('QUERY_TOO_LONG');
    expect(codeOf(() => planQuery('a'.repeat(200)))).toBeUndefined();
  });

  it('drops stop words, lowercases, strips accents, and marks the word being typed as a prefix', () => {
    const plan = planQuery('How do I reset my Pässword');
    expect(plan.text).toBe('how do i reset my password');
    expect(plan.groups.map((group) => [group.typed.join(' '), group.prefix])).toEqual([
      ['reset', false],
      ['password', true],
    ]);
    expect(planQuery('reset password ').groups.at(-1)!.prefix).toBe(false);
    expect(planQuery('reset password?').groups.at(-1)!.prefix).toBe(false);
  });

  it('recognises synonym phrases, longest first, with the typed form not derived', () => {
    const plan = planQuery('cannot log in ');
    const group = plan.groups.find((candidate) => candidate.typed.join(' ') === 'log in')!;
    expect(group.alternatives.map((alternative) => [alternative.words.join(' '), alternative.derived === true])).toEqual(
      expect.arrayContaining([
        ['log in', false],
        ['sign in', true],
        ['login', true],
      ]),
    );
  });

  it('keeps at most ten words and one group per repeated word', () => {
    expect(planQuery(Array.from({ length: 30 }, (_, index) => `word${index}`).join(' ')).groups).toHaveLength(10);
    expect(planQuery('ticket ticket ticket').groups).toHaveLength(1);
  });

  it('plans suggestions from subject then description, and nothing from an empty form', () => {
    expect(planSuggestion('', '')).toEqual({ subject: null, full: null });
    const plans = planSuggestion('Cannot sign in', 'Since this morning the portal says my password is wrong.');
    expect(plans.subject!.text).toBe('cannot sign in');
    expect(plans.full!.groups.map((group) => group.typed.join(' '))).toEqual(expect.arrayContaining(['sign in', 'portal', 'password']));
    expect(codeOf(() => planSuggestion('x'.repeat(201), ''))).toBe('QUERY_TOO_LONG');
    expect(codeOf(() => planSuggestion('x', 'y'.repeat(20_001)))).toBe('QUERY_TOO_LONG');
  });
});

describe('typo arithmetic', () => {
  it('counts edits with adjacent transpositions as one', () => {
    expect(editDistance('password', 'pasword')).toBe(1);
    expect(editDistance('ticket', 'tikcet')).toBe(1);
    expect(editDistance('escalation', 'escalaton')).toBe(1);
    expect(editDistance('invoice', 'invoices')).toBe(1);
    expect(editDistance('chat', 'phone')).toBe(3);
  });

  it('allows one typo from 4 letters and two from 8, none in numbers', () => {
    expect(typosAllowed('sla')).toBe(0);
    expect(typosAllowed('chat')).toBe(1);
    expect(typosAllowed('password')).toBe(2);
    expect(typosAllowed('2026')).toBe(0);
  });
});

describe('highlights', () => {
  it('escapes article text and turns the engine markers into <mark>', () => {
    expect(renderHighlight('a \u0001<b>\u0002 & "c"')).toBe('a <mark>&lt;b&gt;</mark> &amp; &quot;c&quot;');
    expect(renderHighlight('\u0001open')).toBe('<mark>open</mark>');
    expect(renderHighlight('stray\u0002 end')).toBe('stray end');
  });
});
