import { describe, expect, it } from 'vitest';
import { TicketChannel, TicketPriority } from '../vocabulary/index.js';
import type { QueueDefinition, RoutingRuleDefinition, RoutingTicket, RuleConditions } from './model.js';
import { evaluateRules, fallbackChain, rulesWarnings, validateQueues, validateRule, type KnownReferences } from './rules.js';

const { LOW, NORMAL, HIGH, URGENT } = TicketPriority;

function ticket(overrides: Partial<RoutingTicket> = {}): RoutingTicket {
  return {
    domain: 'SECURITY',
    tierKey: 'growth',
    priority: NORMAL,
    allowedPriorities: [LOW, NORMAL, HIGH],
    urgencyLevel: 'MEDIUM',
    criticalOutage: false,
    businessCritical: false,
    channel: TicketChannel.PORTAL,
    text: 'Login page rejects our SSO tokens',
    ...overrides,
  };
}

let nextId = 0;
function rule(conditions: RuleConditions, overrides: Partial<RoutingRuleDefinition> = {}): RoutingRuleDefinition {
  nextId++;
  return {
    id: `r${nextId}`,
    name: `rule ${nextId}`,
    position: nextId,
    enabled: true,
    conditions,
    action: { queueId: 'q-general' },
    ...overrides,
  };
}

function queue(id: string, overrides: Partial<QueueDefinition> = {}): QueueDefinition {
  return {
    id,
    key: id,
    name: id,
    domain: null,
    levelByTier: {},
    requiredCertification: null,
    language: null,
    targetMinutes: null,
    fallbackQueueId: null,
    fallbackAfterMinutes: null,
    ...overrides,
  };
}

describe('evaluateRules: order and matching', () => {
  it('evaluates by position, ties by id, and stops at the first match', () => {
    const rules = [
      rule({ domains: ['SECURITY'] }, { id: 'b', name: 'second', position: 2, action: { queueId: 'q-b' } }),
      rule({ domains: ['BILLING'] }, { id: 'z', name: 'first', position: 1, action: { queueId: 'q-z' } }),
      rule({ domains: ['SECURITY'] }, { id: 'a', name: 'also second, earlier id', position: 2, action: { queueId: 'q-a' } }),
    ];
    const outcome = evaluateRules(rules, ticket(), 'q-default');
    expect(outcome.ruleId).toBe('a');
    expect(outcome.queueId).toBe('q-a');
    expect(outcome.evaluations.map((e) => [e.ruleId, e.matched])).toEqual([
      ['z', false],
      ['a', true],
    ]);
  });

  it('does not reorder or mutate the caller’s array', () => {
    const rules = [rule({}, { position: 5, id: 'x' }), rule({}, { position: 1, id: 'y' })];
    const before = rules.map((r) => r.id);
    expect(evaluateRules(rules, ticket(), 'q-default').ruleId).toBe('y');
    expect(rules.map((r) => r.id)).toEqual(before);
  });

  it('skips disabled rules and leaves them out of the evaluations', () => {
    const rules = [
      rule({}, { id: 'off', enabled: false, action: { queueId: 'q-off' } }),
      rule({ domains: ['SECURITY'] }, { id: 'on', action: { queueId: 'q-on' } }),
    ];
    const outcome = evaluateRules(rules, ticket(), 'q-default');
    expect(outcome.queueId).toBe('q-on');
    expect(outcome.evaluations.map((e) => e.ruleId)).toEqual(['on']);
  });

  it('falls back to the default queue when nothing matches, keeping the ticket’s priority', () => {
    const outcome = evaluateRules([rule({ domains: ['BILLING'] })], ticket({ priority: HIGH }), 'q-default');
    expect(outcome).toMatchObject({
      ruleId: null,
      ruleName: null,
      queueId: 'q-default',
      priority: HIGH,
      escalationPolicyId: null,
      pageImmediately: false,
    });
    expect(outcome.reasons).toEqual(['no rule matched; default queue']);
    expect(outcome.evaluations).toHaveLength(1);
  });

  it('an empty conditions object matches every ticket and says so', () => {
    const outcome = evaluateRules([rule({}, { action: { queueId: 'q-all' } })], ticket(), 'q-default');
    expect(outcome.queueId).toBe('q-all');
    expect(outcome.evaluations[0]!.reasons).toEqual(['no conditions: matches every ticket']);
  });

  it('explains every condition of a rule, even after one fails', () => {
    const conditions: RuleConditions = { domains: ['SECURITY', 'PERFORMANCE'], tierKeys: ['enterprise'], minUrgency: 'HIGH' };
    const outcome = evaluateRules([rule(conditions)], ticket({ urgencyLevel: 'HIGH' }), 'q-default');
    expect(outcome.evaluations[0]).toMatchObject({
      matched: false,
      reasons: ['domain SECURITY is one of SECURITY, PERFORMANCE', 'tier growth is not one of enterprise', 'urgency HIGH is at least HIGH'],
    });
  });
});

describe('evaluateRules: each condition, held and not held', () => {
  const cases: Array<[string, RuleConditions, Partial<RoutingTicket>, Partial<RoutingTicket>, string, string]> = [
    [
      'domains',
      { domains: ['SECURITY'] },
      { domain: 'SECURITY' },
      { domain: 'BILLING' },
      'domain SECURITY is one of SECURITY',
      'domain BILLING is not one of SECURITY',
    ],
    [
      'tierKeys',
      { tierKeys: ['enterprise'] },
      { tierKey: 'enterprise' },
      { tierKey: 'growth' },
      'tier enterprise is one of enterprise',
      'tier growth is not one of enterprise',
    ],
    [
      'priorities',
      { priorities: [HIGH, URGENT] },
      { priority: URGENT },
      { priority: LOW },
      'priority URGENT is one of HIGH, URGENT',
      'priority LOW is not one of HIGH, URGENT',
    ],
    [
      'minUrgency',
      { minUrgency: 'HIGH' },
      { urgencyLevel: 'CRITICAL' },
      { urgencyLevel: 'MEDIUM' },
      'urgency CRITICAL is at least HIGH',
      'urgency MEDIUM is below HIGH',
    ],
    [
      'criticalOutage',
      { criticalOutage: true },
      { criticalOutage: true },
      { criticalOutage: false },
      'critical outage: yes (rule wants yes)',
      'critical outage: no (rule wants yes)',
    ],
    [
      'businessCritical',
      { businessCritical: false },
      { businessCritical: false },
      { businessCritical: true },
      'business-critical organization: no (rule wants no)',
      'business-critical organization: yes (rule wants no)',
    ],
    [
      'channels',
      { channels: [TicketChannel.EMAIL, TicketChannel.PHONE] },
      { channel: TicketChannel.PHONE },
      { channel: TicketChannel.CHAT },
      'channel PHONE is one of EMAIL, PHONE',
      'channel CHAT is not one of EMAIL, PHONE',
    ],
    [
      'keywords',
      { keywords: ['feature request', 'SSO'] },
      { text: 'A FEATURE\n  Request: dark mode' },
      { text: 'Login is slow' },
      'text contains "feature request"',
      'text contains none of "feature request", "SSO"',
    ],
  ];

  for (const [name, conditions, holds, fails, holdsReason, failsReason] of cases) {
    it(`${name}: matches with "${holdsReason}", misses with "${failsReason}"`, () => {
      const rules = [rule(conditions)];
      const hit = evaluateRules(rules, ticket(holds), 'q-default');
      expect(hit.evaluations[0]).toMatchObject({ matched: true, reasons: [holdsReason] });
      const miss = evaluateRules(rules, ticket(fails), 'q-default');
      expect(miss.evaluations[0]).toMatchObject({ matched: false, reasons: [failsReason] });
      expect(miss.queueId).toBe('q-default');
    });
  }

  it('keywords match whole words and phrases only, case-insensitively', () => {
    const rules = [rule({ keywords: ['api', 'c++', 'data loss'] })];
    const matches = (text: string) => evaluateRules(rules, ticket({ text }), 'q-default').ruleId !== null;
    expect(matches('The API returns 500')).toBe(true);
    expect(matches('rapid growth, no issue')).toBe(false);
    expect(matches('api_key rotated')).toBe(false);
    expect(matches('our C++ client crashes')).toBe(true);
    expect(matches('risk of Data Loss!')).toBe(true);
    expect(matches('metadata lossless')).toBe(false);
  });

  it('a list condition that is empty never matches', () => {
    expect(evaluateRules([rule({ domains: [] })], ticket(), 'q-default').evaluations[0]).toMatchObject({
      matched: false,
      reasons: ['domain SECURITY is not one of (nothing)'],
    });
  });
});

describe('evaluateRules: priority', () => {
  it('raises within the tier’s entitlement', () => {
    const outcome = evaluateRules([rule({}, { action: { queueId: 'q', priority: HIGH } })], ticket({ priority: NORMAL }), 'q-default');
    expect(outcome.priority).toBe(HIGH);
    expect(outcome.reasons).toContain('priority raised from NORMAL to HIGH');
  });

  it('clamps a raise to the highest allowed priority and says so', () => {
    const outcome = evaluateRules(
      [rule({}, { action: { queueId: 'q', priority: URGENT } })],
      ticket({ priority: NORMAL, allowedPriorities: [LOW, NORMAL, HIGH] }),
      'q-default',
    );
    expect(outcome.priority).toBe(HIGH);
    expect(outcome.reasons).toContain(
      'rule asks for priority URGENT but the tier allows at most HIGH: priority raised from NORMAL to HIGH only',
    );
  });

  it('never lowers while clamping a raise', () => {
    const outcome = evaluateRules(
      [rule({}, { action: { queueId: 'q', priority: URGENT } })],
      ticket({ priority: HIGH, allowedPriorities: [LOW, NORMAL] }),
      'q-default',
    );
    expect(outcome.priority).toBe(HIGH);
    expect(outcome.reasons).toContain('rule asks for priority URGENT but the tier allows at most NORMAL: priority stays HIGH');
  });

  it('lowers even outside the entitlement', () => {
    const outcome = evaluateRules(
      [rule({}, { action: { queueId: 'q', priority: LOW } })],
      ticket({ priority: HIGH, allowedPriorities: [HIGH] }),
      'q-default',
    );
    expect(outcome.priority).toBe(LOW);
    expect(outcome.reasons).toContain('priority lowered from HIGH to LOW');
  });

  it('keeps the ticket’s priority when the action sets none', () => {
    for (const priority of [undefined, null]) {
      expect(evaluateRules([rule({}, { action: { queueId: 'q', priority } })], ticket({ priority: URGENT }), 'q-default').priority).toBe(
        URGENT,
      );
    }
  });
});

describe('evaluateRules: the catalogue’s rules', () => {
  const rules: RoutingRuleDefinition[] = [
    rule(
      { criticalOutage: true, businessCritical: true },
      {
        id: 'outage',
        name: 'Critical outage, business-critical org',
        position: 10,
        action: { queueId: 'q-senior', priority: URGENT, escalationPolicyId: 'ep-oncall-seniors', pageImmediately: true },
      },
    ),
    rule(
      { domains: ['FEATURE_REQUEST'] },
      { id: 'features', name: 'Feature requests', position: 20, action: { queueId: 'q-product', priority: LOW } },
    ),
    rule({ domains: ['SECURITY'] }, { id: 'security', name: 'Security', position: 30, action: { queueId: 'q-security' } }),
  ];

  it('sends a critical outage of a business-critical organization to the on-call seniors and pages at once', () => {
    const outcome = evaluateRules(
      rules,
      ticket({ criticalOutage: true, businessCritical: true, priority: HIGH, allowedPriorities: [LOW, NORMAL, HIGH, URGENT] }),
      'q-default',
    );
    expect(outcome).toMatchObject({
      ruleId: 'outage',
      queueId: 'q-senior',
      priority: URGENT,
      escalationPolicyId: 'ep-oncall-seniors',
      pageImmediately: true,
    });
    expect(outcome.reasons[0]).toBe(
      'rule "Critical outage, business-critical org" matched: critical outage: yes (rule wants yes); business-critical organization: yes (rule wants yes)',
    );
    expect(outcome.reasons).toContain('escalation policy ep-oncall-seniors, paged immediately');
  });

  it('does not page for an outage of an organization that is not business-critical', () => {
    const outcome = evaluateRules(rules, ticket({ criticalOutage: true, businessCritical: false }), 'q-default');
    expect(outcome).toMatchObject({ ruleId: 'security', pageImmediately: false, escalationPolicyId: null });
    expect(outcome.evaluations[0]!.reasons).toEqual([
      'critical outage: yes (rule wants yes)',
      'business-critical organization: no (rule wants yes)',
    ]);
  });

  it('sends feature requests to the product specialists', () => {
    const outcome = evaluateRules(rules, ticket({ domain: 'FEATURE_REQUEST', text: 'Please add dark mode' }), 'q-default');
    expect(outcome).toMatchObject({ ruleId: 'features', queueId: 'q-product', priority: LOW, pageImmediately: false });
    expect(outcome.evaluations.map((e) => e.ruleId)).toEqual(['outage', 'features']);
  });

  it('does not promise a page when the rule names no escalation policy', () => {
    const outcome = evaluateRules([rule({}, { action: { queueId: 'q', pageImmediately: true } })], ticket(), 'q-default');
    expect(outcome.pageImmediately).toBe(false);
    expect(outcome.reasons).toContain('page requested but the rule names no escalation policy: nobody is paged');
  });

  it('is deterministic: the same input gives the same outcome', () => {
    const input = ticket({ domain: 'FEATURE_REQUEST' });
    expect(evaluateRules(rules, input, 'q-default')).toEqual(evaluateRules([...rules].reverse(), input, 'q-default'));
  });
});

describe('validateRule', () => {
  const known: KnownReferences = {
    queueIds: new Set(['q-general', 'q-senior']),
    escalationPolicyIds: new Set(['ep-1']),
    tierKeys: new Set(['community', 'growth', 'enterprise']),
  };
  const draft = (conditions: RuleConditions, action: RoutingRuleDefinition['action'] = { queueId: 'q-general' }) => ({
    name: 'draft',
    enabled: true,
    conditions,
    action,
  });

  it('accepts a rule whose references all exist', () => {
    expect(
      validateRule(
        draft({ domains: ['SECURITY'], tierKeys: ['enterprise'], keywords: ['sso'] }, { queueId: 'q-senior', escalationPolicyId: 'ep-1' }),
        known,
      ),
    ).toEqual([]);
  });

  it('reports an unknown queue and an unknown escalation policy', () => {
    expect(validateRule(draft({}, { queueId: 'q-nope', escalationPolicyId: 'ep-nope' }), known).map((p) => [p.code, p.path])).toEqual([
      ['UNKNOWN_QUEUE', 'action.queueId'],
      ['UNKNOWN_ESCALATION_POLICY', 'action.escalationPolicyId'],
    ]);
  });

  it('reports unknown domains and tiers by position', () => {
    const problems = validateRule(draft({ domains: ['SECURITY', 'GARDENING' as never], tierKeys: ['platinum'] }), known);
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['UNKNOWN_DOMAIN', 'conditions.domains.1'],
      ['UNKNOWN_TIER', 'conditions.tierKeys.0'],
    ]);
    expect(problems[1]!.message).toBe('Tier platinum does not exist.');
  });

  it('reports empty lists and blank keywords, which can never match', () => {
    const problems = validateRule(draft({ domains: [], tierKeys: [], priorities: [], channels: [], keywords: ['ok', '  '] }), known);
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['EMPTY_CONDITION_LIST', 'conditions.domains'],
      ['EMPTY_CONDITION_LIST', 'conditions.tierKeys'],
      ['EMPTY_CONDITION_LIST', 'conditions.priorities'],
      ['EMPTY_CONDITION_LIST', 'conditions.channels'],
      ['EMPTY_CONDITION_LIST', 'conditions.keywords.1'],
    ]);
  });
});

describe('validateQueues and fallbackChain', () => {
  it('accepts a sound chain', () => {
    const queues = [queue('a', { fallbackQueueId: 'b', fallbackAfterMinutes: 30 }), queue('b', { levelByTier: { enterprise: 3 } })];
    expect(validateQueues(queues)).toEqual([]);
    expect(fallbackChain(queues, 'a').map((q) => q.id)).toEqual(['a', 'b']);
  });

  it('reports a cycle A → B → A once, listing it by queue keys', () => {
    const queues = [
      queue('id-b', { key: 'B', fallbackQueueId: 'id-a', fallbackAfterMinutes: 10 }),
      queue('id-a', { key: 'A', fallbackQueueId: 'id-b', fallbackAfterMinutes: 10 }),
      queue('id-c', { key: 'C', fallbackQueueId: 'id-a', fallbackAfterMinutes: 10 }),
    ];
    expect(validateQueues(queues)).toEqual([
      { path: 'queues.0.fallbackQueueId', code: 'CYCLIC_FALLBACK', message: 'Fallback cycle: B → A → B.' },
    ]);
    expect(fallbackChain(queues, 'id-c').map((q) => q.key)).toEqual(['C', 'A', 'B']);
  });

  it('reports a self-loop', () => {
    const queues = [queue('x', { fallbackQueueId: 'x', fallbackAfterMinutes: 5 })];
    expect(validateQueues(queues)).toEqual([
      { path: 'queues.0.fallbackQueueId', code: 'CYCLIC_FALLBACK', message: 'Queue x falls back to itself (x → x).' },
    ]);
    expect(fallbackChain(queues, 'x').map((q) => q.id)).toEqual(['x']);
  });

  it('reports a fallback to an unknown queue', () => {
    const queues = [queue('a', { fallbackQueueId: 'ghost', fallbackAfterMinutes: 5 })];
    expect(validateQueues(queues)).toEqual([
      { path: 'queues.0.fallbackQueueId', code: 'UNKNOWN_FALLBACK_QUEUE', message: 'Queue a falls back to ghost, which does not exist.' },
    ]);
    expect(fallbackChain(queues, 'a').map((q) => q.id)).toEqual(['a']);
    expect(fallbackChain(queues, 'ghost')).toEqual([]);
  });

  it('reports a fallback without a positive delay', () => {
    const queues = [queue('a', { fallbackQueueId: 'b' }), queue('b', { fallbackQueueId: 'c', fallbackAfterMinutes: 0 }), queue('c')];
    expect(validateQueues(queues).map((p) => [p.code, p.path])).toEqual([
      ['INVALID_FALLBACK', 'queues.0.fallbackAfterMinutes'],
      ['INVALID_FALLBACK', 'queues.1.fallbackAfterMinutes'],
    ]);
  });

  it('reports skill levels outside 1..3 and unknown queue domains', () => {
    const queues = [queue('a', { levelByTier: { enterprise: 4 as never, growth: 2 }, domain: 'ASTROLOGY' as never })];
    expect(validateQueues(queues).map((p) => [p.code, p.path])).toEqual([
      ['UNKNOWN_DOMAIN', 'queues.0.domain'],
      ['UNKNOWN_SKILL_LEVEL', 'queues.0.levelByTier.enterprise'],
    ]);
  });
});

describe('rulesWarnings', () => {
  it('warns that rules after an enabled catch-all are unreachable', () => {
    const rules = [
      rule({ domains: ['SECURITY'] }, { id: 'sec', position: 1 }),
      rule({}, { id: 'all', name: 'Everything', position: 2 }),
      rule({ domains: ['BILLING'] }, { id: 'billing', name: 'Billing', position: 3 }),
      rule({}, { id: 'off', position: 4, enabled: false }),
    ];
    expect(rulesWarnings(rules)).toEqual([
      {
        path: 'rules.2',
        code: 'UNREACHABLE_RULE',
        message: 'Rule "Billing" can never match: rule "Everything" before it has no conditions and takes every ticket.',
      },
    ]);
  });

  it('is quiet when the catch-all is last or disabled', () => {
    expect(rulesWarnings([rule({ domains: ['SECURITY'] }), rule({})])).toEqual([]);
    expect(rulesWarnings([rule({}, { enabled: false }), rule({ domains: ['SECURITY'] })])).toEqual([]);
  });
});
