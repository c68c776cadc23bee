import { readFileSync } from 'node:fs';
import { buildSchema, getOperationAST, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { documentLimitError, mayIntrospect, type QueryLimits } from './limits.js';
import { operationCost } from './query-cost.js';

const schema = buildSchema(readFileSync(new URL('../../../schema/schema.graphql', import.meta.url), 'utf8'));
const limits: QueryLimits = { maxDepth: 12, maxAliases: 30, maxDirectives: 50, maxTokens: 5_000, maxCost: 10_000 };

/** Median CPU time of this process over several runs: unlike wall time, other processes on the machine do not inflate it. */
function medianCpuMs(runs: number, work: (run: number) => void): number {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const before = process.cpuUsage();
    work(run);
    const spent = process.cpuUsage(before);
    times.push((spent.user + spent.system) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/** Each fragment spreads the next one twice: 2^levels paths through about 50 bytes per level. */
function fanOut(levels: number, run: number): string {
  const fragments = Array.from({ length: levels }, (_, level) => `fragment F${level} on Query { ...F${level + 1} ...F${level + 1} }`);
  return `query FanOut${run} { ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { viewer { kind } }`;
}

const aliases = (count: number) =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: searchKnowledgeBase(query: "refund") { totalCount }`).join(' ')} }`;

describe('the limits are linear in the document', () => {
  it('judges a 22-level fragment fan-out (edge limits, every standard rule, cost) in well under 50 ms of CPU', () => {
    let cost = 0;
    const ms = medianCpuMs(7, (run) => {
      const query = fanOut(22, run);
      expect(documentLimitError(schema, query, limits, 'r')).toBeNull();
      const document = parse(query);
      expect(validate(schema, document, specifiedRules)).toEqual([]);
      cost = operationCost(schema, document, getOperationAST(document)!, {});
    });
    expect(cost).toBe(2 ** 23);
    expect(ms).toBeLessThan(50);
  });

  it('refuses 1,000 aliases (over the token limit) and 400 aliases (over the alias limit) in well under 50 ms of CPU', () => {
    const thousand = aliases(1_000);
    const fourHundred = aliases(400);
    const codes: unknown[] = [];
    const ms = medianCpuMs(7, () => {
      codes.splice(
        0,
        codes.length,
        ...[thousand, fourHundred].map((query) => documentLimitError(schema, query, limits, 'r')?.extensions.code),
      );
    });
    expect(codes).toEqual(['TOO_MANY_TOKENS', 'TOO_MANY_ALIASES']);
    expect(ms).toBeLessThan(50);
  });
});

describe('documentLimitError', () => {
  it('counts depth below the first field, through fragments, as MAX_QUERY_DEPTH always has', () => {
    const nested = (levels: number) => `{ __type(name: "Ticket") { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} } }`;
    expect(documentLimitError(schema, nested(limits.maxDepth - 1), limits, 'r')).toBeNull();
    const tooDeep = documentLimitError(schema, nested(limits.maxDepth), limits, 'r');
    expect([tooDeep?.message, tooDeep?.extensions]).toEqual([
      'The query is 13 levels deep; the maximum is 12.',
      { code: 'QUERY_TOO_DEEP', limit: 12, found: 13, requestId: 'r' },
    ]);
  });

  it('leaves a document that does not parse to Apollo', () => {
    expect(documentLimitError(schema, '{ viewer { kind }', limits, 'r')).toBeNull();
    expect(documentLimitError(schema, '{ "unterminated }', limits, 'r')).toBeNull();
  });
});

describe('operationCost', () => {
  const cost = (query: string, variables: Record<string, unknown> = {}) => {
    const document = parse(query);
    return operationCost(schema, document, getOperationAST(document)!, variables);
  };

  it('takes first from a literal, a variable or its default, else the default page; anything out of range counts as the maximum page', () => {
    const tickets = 'tickets(first: $n) { nodes { id } }';
    expect(cost(`query($n: Int) { ${tickets} }`, { n: 7 })).toBe(1 + 7 * 2);
    expect(cost(`query($n: Int = 3) { ${tickets} }`)).toBe(1 + 3 * 2);
    expect(cost('{ tickets { nodes { id } } }')).toBe(1 + 20 * 2);
    expect(cost(`query($n: Int) { ${tickets} }`, { n: 2 ** 40 })).toBe(1 + 100 * 2);
    expect(cost(`query($n: Int) { ${tickets} }`, { n: 'ten' })).toBe(1 + 100 * 2);
  });

  it('prices the knowledge-base searches at 50 before their page', () => {
    expect(cost('{ suggestArticles(subject: "x", first: 5) { __typename } }')).toBe(50 + 5 * 1);
    expect(cost('{ searchKnowledgeBase(query: "x", first: 10) { totalCount } }')).toBe(50 + 10 * 1);
  });
});

describe('mayIntrospect', () => {
  it('lets everyone, nobody, or staff and system work introspect', () => {
    const staff = { kind: 'staff', role: 'AGENT', userId: null, apiKeyId: null } as const;
    expect(mayIntrospect('on', { kind: 'anonymous' })).toBe(true);
    expect(mayIntrospect('off', staff)).toBe(false);
    expect([mayIntrospect('staff', staff), mayIntrospect('staff', { kind: 'anonymous' })]).toEqual([true, false]);
  });
});
