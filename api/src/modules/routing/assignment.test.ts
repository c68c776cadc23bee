import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../calendars/index.js';
import { TicketPriority } from '../vocabulary/index.js';
import { chooseAgent, emptyLoad, requirementFor, servesQueue } from './assignment.js';
import type { AgentSnapshot, QueueDefinition, Requirement } from './model.js';

const { LOW, NORMAL, HIGH, URGENT } = TicketPriority;

/** Monday 2 March 2026, 10:00 in Lisbon (UTC+0 until the end of March). */
const mondayMorning = new Date('2026-03-02T10:00:00Z');

const lisbonOffice = BusinessCalendar.compile({
  timeZone: 'Europe/Lisbon',
  weeklyHours: (['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'] as const).map((day) => ({ day, start: '09:00', end: '17:00' })),
  holidays: [],
});

const load = (values: Partial<Record<TicketPriority, number>> = {}): Record<TicketPriority, number> => ({ ...emptyLoad(), ...values });

function agent(id: string, overrides: Partial<AgentSnapshot> = {}): AgentSnapshot {
  return {
    id,
    name: id,
    skills: { SECURITY: 2 },
    certifications: [],
    languages: ['en'],
    region: 'EU',
    presence: 'ONLINE',
    hours: null,
    capacity: load({ LOW: 4, NORMAL: 4, HIGH: 4, URGENT: 2 }),
    load: load(),
    lastAssignedAt: 0,
    ...overrides,
  };
}

function requirement(overrides: Partial<Requirement> = {}): Requirement {
  return { domain: 'SECURITY', minLevel: 1, certification: null, language: null, priority: NORMAL, tamAgentId: null, ...overrides };
}

function queue(overrides: Partial<QueueDefinition> = {}): QueueDefinition {
  return {
    id: 'q',
    key: 'security',
    name: 'Security',
    domain: 'SECURITY',
    levelByTier: { enterprise: 3, growth: 2 },
    requiredCertification: null,
    language: null,
    targetMinutes: null,
    fallbackQueueId: null,
    fallbackAfterMinutes: null,
    ...overrides,
  };
}

describe('requirementFor', () => {
  it('takes the queue’s domain, the tier’s level, certification and language', () => {
    const q = queue({ requiredCertification: 'ISO27001', language: 'pt' });
    expect(requirementFor(q, { domain: 'BILLING', tierKey: 'enterprise', priority: HIGH }, 'tam-1')).toEqual({
      domain: 'SECURITY',
      minLevel: 3,
      certification: 'ISO27001',
      language: 'pt',
      priority: HIGH,
      tamAgentId: 'tam-1',
    });
  });

  it('uses the ticket’s domain for a queue without one, and level 1 for unlisted tiers', () => {
    expect(requirementFor(queue({ domain: null }), { domain: 'BILLING', tierKey: 'community', priority: LOW }, null)).toMatchObject({
      domain: 'BILLING',
      minLevel: 1,
      tamAgentId: null,
    });
  });

  it('emptyLoad is zero for every priority', () => {
    expect(emptyLoad()).toEqual({ LOW: 0, NORMAL: 0, HIGH: 0, URGENT: 0 });
  });
});

describe('chooseAgent: eligibility', () => {
  it('rejects an agent without the skill', () => {
    const decision = chooseAgent(requirement({ domain: 'BILLING' }), [agent('a')], mondayMorning);
    expect(decision).toMatchObject({ agentId: null, eligible: 0, considered: 1, rejected: { NO_SKILL: 1 } });
    expect(decision.reason).toBe('nobody available: 1 without BILLING skill; the ticket waits in the queue');
  });

  it('requires the level of an enterprise tier but not of community', () => {
    const agents = [agent('level-2', { skills: { SECURITY: 2 } })];
    const q = queue({ levelByTier: { enterprise: 3 } });
    const enterprise = chooseAgent(
      requirementFor(q, { domain: 'SECURITY', tierKey: 'enterprise', priority: NORMAL }, null),
      agents,
      mondayMorning,
    );
    expect(enterprise).toMatchObject({ agentId: null, rejected: { LEVEL_TOO_LOW: 1 } });
    expect(enterprise.reason).toBe('nobody available: 1 below SECURITY level 3; the ticket waits in the queue');
    const community = chooseAgent(
      requirementFor(q, { domain: 'SECURITY', tierKey: 'community', priority: NORMAL }, null),
      agents,
      mondayMorning,
    );
    expect(community.agentId).toBe('level-2');
  });

  it('rejects an expired certification and accepts a valid one (expiry is exclusive)', () => {
    const need = requirement({ certification: 'ISO27001' });
    const expired = agent('expired', { certifications: [{ name: 'ISO27001', expiresAt: mondayMorning }] });
    const valid = agent('valid', { certifications: [{ name: 'ISO27001', expiresAt: new Date('2027-01-01T00:00:00Z') }] });
    const forever = agent('forever', { certifications: [{ name: 'ISO27001', expiresAt: null }] });
    const other = agent('other', { certifications: [{ name: 'CISSP', expiresAt: null }] });
    expect(chooseAgent(need, [expired, other], mondayMorning)).toMatchObject({ agentId: null, rejected: { CERTIFICATION: 2 } });
    expect(chooseAgent(need, [expired, valid], mondayMorning).agentId).toBe('valid');
    expect(chooseAgent(need, [expired, forever], mondayMorning).agentId).toBe('forever');
  });

  it('requires the language', () => {
    const need = requirement({ language: 'pt' });
    expect(chooseAgent(need, [agent('en')], mondayMorning)).toMatchObject({ agentId: null, rejected: { LANGUAGE: 1 } });
    expect(chooseAgent(need, [agent('en'), agent('pt', { languages: ['en', 'pt'] })], mondayMorning).agentId).toBe('pt');
  });

  it('rejects away and offline agents', () => {
    const decision = chooseAgent(
      requirement(),
      [agent('away', { presence: 'AWAY' }), agent('off', { presence: 'OFFLINE' })],
      mondayMorning,
    );
    expect(decision).toMatchObject({ agentId: null, rejected: { NOT_ONLINE: 2 } });
    expect(decision.reason).toBe('nobody available: 2 not online; the ticket waits in the queue');
  });

  it('honours working hours from a business calendar (Mon–Fri 09:00–17:00 Europe/Lisbon)', () => {
    const agents = [agent('lisbon', { hours: lisbonOffice })];
    expect(chooseAgent(requirement(), agents, mondayMorning).agentId).toBe('lisbon');
    expect(chooseAgent(requirement(), agents, new Date('2026-03-02T17:00:00Z'))).toMatchObject({
      agentId: null,
      rejected: { OFF_SHIFT: 1 },
    });
    expect(chooseAgent(requirement(), agents, new Date('2026-03-07T10:00:00Z'))).toMatchObject({
      agentId: null,
      rejected: { OFF_SHIFT: 1 },
    });
    // Summer time: 08:30 UTC is 09:30 in Lisbon.
    expect(chooseAgent(requirement(), agents, new Date('2026-06-01T08:30:00Z')).agentId).toBe('lisbon');
    expect(chooseAgent(requirement(), agents, new Date('2026-06-01T16:30:00Z')).agentId).toBeNull();
  });

  it('checks capacity per priority: full for URGENT, free for LOW', () => {
    const busy = agent('busy', { capacity: load({ LOW: 3, URGENT: 2 }), load: load({ LOW: 1, URGENT: 2 }) });
    const urgent = chooseAgent(requirement({ priority: URGENT }), [busy], mondayMorning);
    expect(urgent).toMatchObject({ agentId: null, rejected: { AT_CAPACITY: 1 } });
    expect(urgent.reason).toBe('nobody available: 1 at capacity for urgent tickets; the ticket waits in the queue');
    const low = chooseAgent(requirement({ priority: LOW }), [busy], mondayMorning);
    expect(low.agentId).toBe('busy');
    expect(low.reason).toBe(
      'busy: SECURITY level 2 (needs 1), online (no set working hours), 1 of 3 low-priority tickets — the only eligible agent',
    );
  });

  it('counts only the first failing check per agent', () => {
    const decision = chooseAgent(
      requirement({ minLevel: 3 }),
      [agent('both', { skills: { SECURITY: 1 }, presence: 'OFFLINE' })],
      mondayMorning,
    );
    expect(decision.rejected).toEqual({ LEVEL_TOO_LOW: 1 });
  });

  it('summarises who is unavailable, largest groups first', () => {
    const agents = [
      ...Array.from({ length: 5 }, (_, i) => agent(`shift-${i}`, { hours: lisbonOffice })),
      ...Array.from({ length: 2 }, (_, i) => agent(`full-${i}`, { load: load({ HIGH: 4 }) })),
      ...Array.from({ length: 12 }, (_, i) => agent(`nope-${i}`, { skills: { BILLING: 3 } })),
    ];
    const decision = chooseAgent(requirement({ priority: HIGH }), agents, new Date('2026-03-02T20:00:00Z'));
    expect(decision).toMatchObject({
      agentId: null,
      considered: 19,
      eligible: 0,
      rejected: { OFF_SHIFT: 5, AT_CAPACITY: 2, NO_SKILL: 12 },
    });
    expect(decision.reason).toBe(
      'nobody available: 12 without SECURITY skill, 5 off shift, 2 at capacity for high-priority tickets; the ticket waits in the queue',
    );
  });

  it('says so when there are no agents at all', () => {
    expect(chooseAgent(requirement(), [], mondayMorning)).toEqual({
      agentId: null,
      viaTam: false,
      reason: 'nobody available: no agents; the ticket waits in the queue',
      considered: 0,
      eligible: 0,
      rejected: {},
    });
  });
});

describe('chooseAgent: choosing among the eligible', () => {
  it('takes the least loaded by utilisation, then by open tickets', () => {
    const agents = [
      agent('half', { capacity: load({ NORMAL: 4 }), load: load({ NORMAL: 2 }) }),
      agent('third', { capacity: load({ NORMAL: 6, HIGH: 3 }), load: load({ NORMAL: 2, HIGH: 1 }) }),
      agent('third-small', { capacity: load({ NORMAL: 3 }), load: load({ NORMAL: 1 }) }),
    ];
    const decision = chooseAgent(requirement({ priority: NORMAL }), agents, mondayMorning);
    expect(decision.agentId).toBe('third-small');
    expect(decision.reason).toBe(
      'third-small: SECURITY level 2 (needs 1), online (no set working hours), 1 of 3 normal-priority tickets — least loaded of 3 eligible agents',
    );
  });

  it('describes the chosen agent in words', () => {
    const agents = [
      agent('ana', {
        name: 'Ana Silva',
        skills: { SECURITY: 3 },
        hours: lisbonOffice,
        capacity: load({ HIGH: 4, NORMAL: 4 }),
        load: load({ HIGH: 1 }),
      }),
      agent('bo', { load: load({ HIGH: 2, NORMAL: 2 }) }),
    ];
    const decision = chooseAgent(requirement({ minLevel: 2, priority: HIGH }), agents, mondayMorning);
    expect(decision.reason).toBe(
      'Ana Silva: SECURITY level 3 (needs 2), online and on shift, 1 of 4 high-priority tickets — least loaded of 2 eligible agents',
    );
  });

  it('rotates round-robin among equally loaded agents', () => {
    let agents = [agent('c', { lastAssignedAt: 0 }), agent('a', { lastAssignedAt: 0 }), agent('b', { lastAssignedAt: 0 })];
    const picked: string[] = [];
    for (let turn = 1; turn <= 4; turn++) {
      // The ticket is resolved at once, so loads stay equal and only the last-assigned time moves.
      const decision = chooseAgent(requirement(), agents, mondayMorning);
      picked.push(decision.agentId!);
      if (turn === 1) expect(decision.reason).toMatch(/longest since last assignment among 3 equally loaded$/);
      agents = agents.map((a) => (a.id === decision.agentId ? { ...a, lastAssignedAt: turn * 1000 } : a));
    }
    expect(picked).toEqual(['a', 'b', 'c', 'a']);
  });

  it('gives a ticket to the TAM when eligible, even if busier', () => {
    const agents = [agent('idle'), agent('tam', { name: 'Tess', load: load({ NORMAL: 3 }) })];
    const decision = chooseAgent(requirement({ tamAgentId: 'tam' }), agents, mondayMorning);
    expect(decision).toMatchObject({ agentId: 'tam', viaTam: true, eligible: 2 });
    expect(decision.reason).toBe(
      'Tess: technical account manager of the organization — SECURITY level 2 (needs 1), online (no set working hours), 3 of 4 normal-priority tickets',
    );
  });

  it('skips an away TAM, saying why, and picks another agent', () => {
    const agents = [agent('idle', { name: 'Ian' }), agent('tam', { name: 'Tess', presence: 'AWAY' })];
    const decision = chooseAgent(requirement({ tamAgentId: 'tam' }), agents, mondayMorning);
    expect(decision).toMatchObject({ agentId: 'idle', viaTam: false, rejected: { NOT_ONLINE: 1 } });
    expect(decision.reason).toBe(
      'technical account manager Tess is away; Ian: SECURITY level 2 (needs 1), online (no set working hours), 0 of 4 normal-priority tickets — the only eligible agent',
    );
  });

  it('says when the TAM is not among the agents, or blocks and nobody else can take it', () => {
    expect(chooseAgent(requirement({ tamAgentId: 'ghost' }), [agent('a')], mondayMorning).reason).toMatch(
      /^technical account manager ghost is not among the agents; a: /,
    );
    const full = chooseAgent(
      requirement({ tamAgentId: 'tam', priority: URGENT }),
      [agent('tam', { name: 'Tess', load: load({ URGENT: 2 }) })],
      mondayMorning,
    );
    expect(full.reason).toBe(
      'technical account manager Tess is at capacity (2 of 2 urgent tickets); nobody available: 1 at capacity for urgent tickets; the ticket waits in the queue',
    );
  });

  it('is deterministic whatever the order of the agents', () => {
    const agents = Array.from({ length: 30 }, (_, i) =>
      agent(`agent-${String(i).padStart(2, '0')}`, {
        skills: { SECURITY: ((i % 3) + 1) as 1 | 2 | 3 },
        load: load({ NORMAL: i % 4 }),
        lastAssignedAt: (i * 7919) % 13,
        presence: i % 5 === 0 ? 'AWAY' : 'ONLINE',
      }),
    );
    const need = requirement({ minLevel: 2 });
    const forward = chooseAgent(need, agents, mondayMorning);
    expect(chooseAgent(need, [...agents].reverse(), mondayMorning)).toEqual(forward);
    expect(chooseAgent(need, agents, mondayMorning)).toEqual(forward);
  });
});

describe('servesQueue: whose queue it is, whatever the moment', () => {
  const at = new Date('2026-06-01T12:00:00Z');
  const queue = (overrides: Partial<QueueDefinition> = {}): QueueDefinition => ({
    id: 'q',
    key: 'q',
    name: 'Q',
    domain: 'SECURITY',
    levelByTier: { enterprise: 3 },
    requiredCertification: null,
    language: null,
    targetMinutes: null,
    fallbackQueueId: null,
    fallbackAfterMinutes: null,
    ...overrides,
  });
  const tiers = ['community', 'enterprise'];

  it('asks the easiest tier’s level, not the hardest', () => {
    expect(servesQueue(agent('a', { skills: { SECURITY: 1 } }), queue(), tiers, at)).toBe(true);
    expect(servesQueue(agent('a', { skills: { SECURITY: 2 } }), queue(), ['enterprise'], at)).toBe(false);
    expect(servesQueue(agent('a', { skills: { SECURITY: 3 } }), queue(), ['enterprise'], at)).toBe(true);
  });

  it('needs the skill of the queue, or any skill for a queue that takes the ticket’s domain', () => {
    expect(servesQueue(agent('a', { skills: { BILLING: 3 } }), queue(), tiers, at)).toBe(false);
    expect(servesQueue(agent('a', { skills: { BILLING: 1 } }), queue({ domain: null }), tiers, at)).toBe(true);
    expect(servesQueue(agent('a', { skills: {} }), queue({ domain: null }), tiers, at)).toBe(false);
  });

  it('needs an unexpired certification and the language, but not presence, hours or capacity', () => {
    const certified = queue({ requiredCertification: 'SOC2', language: 'de' });
    const base = { skills: { SECURITY: 3 as const }, presence: 'OFFLINE' as const, languages: ['de'] };
    expect(servesQueue(agent('a', { ...base, certifications: [{ name: 'SOC2', expiresAt: null }] }), certified, tiers, at)).toBe(true);
    expect(
      servesQueue(
        agent('a', { ...base, certifications: [{ name: 'SOC2', expiresAt: new Date('2026-05-31T00:00:00Z') }] }),
        certified,
        tiers,
        at,
      ),
    ).toBe(false);
    expect(
      servesQueue(agent('a', { ...base, languages: ['en'], certifications: [{ name: 'SOC2', expiresAt: null }] }), certified, tiers, at),
    ).toBe(false);
  });
});
