import { describe, expect, it } from 'vitest';
import { macroProblems, titleKey } from './macro.policy.js';
import { PLACEHOLDERS, placeholdersIn, renderMacro, unclosedPlaceholder, unknownPlaceholders, type MacroContext } from './placeholders.js';

const CONTEXT: MacroContext = {
  requester: { name: 'Ada  Lovelace' },
  ticket: { number: 42, subject: 'Exports time out' },
  organization: { name: 'Initech', timeZone: 'Europe/Berlin' },
  tier: { name: 'Growth' },
  agent: { name: 'Sam Specialist' },
  sla: {
    firstResponse: { state: 'due', at: new Date('2026-12-03T13:05:00Z') },
    resolution: { state: 'none' },
  },
};

const rendered = (template: string, context: MacroContext = CONTEXT) => {
  const result = renderMacro(template, context);
  if (!result.ok) throw new Error(`render failed: ${JSON.stringify(result)}`);
  return result.text;
};

describe('renderMacro', () => {
  it('fills every placeholder from the context', () => {
    const template = PLACEHOLDERS.map((placeholder) => `${placeholder.name}=[{{${placeholder.name}}}]`).join('\n');
    expect(rendered(template).split('\n')).toEqual([
      'requester.name=[Ada  Lovelace]',
      'requester.firstName=[Ada]',
      'ticket.number=[42]',
      'ticket.subject=[Exports time out]',
      'organization.name=[Initech]',
      'tier.name=[Growth]',
      'agent.name=[Sam Specialist]',
      // 13:05 UTC is 14:05 in Berlin in December; the zone is named.
      'sla.firstResponse.due=[3 Dec 2026, 14:05 CET]',
      'sla.resolution.due=[no target]',
    ]);
  });

  it('formats deadlines in the organization’s time zone', () => {
    const tokyo = { ...CONTEXT, organization: { name: 'Initech', timeZone: 'Asia/Tokyo' } };
    expect(rendered('{{sla.firstResponse.due}}', tokyo)).toBe('3 Dec 2026, 22:05 GMT+9');
    // A zone this runtime does not know falls back to UTC rather than failing the reply.
    const unknownZone = { ...CONTEXT, organization: { name: 'Initech', timeZone: 'Mars/Olympus' } };
    expect(rendered('{{sla.firstResponse.due}}', unknownZone)).toBe('3 Dec 2026, 13:05 UTC');
  });

  it('says why there is no deadline when a clock does not run', () => {
    const states = ['none', 'paused', 'met', 'breached'] as const;
    expect(
      states.map((state) => rendered('{{sla.resolution.due}}', { ...CONTEXT, sla: { ...CONTEXT.sla, resolution: { state } } })),
    ).toEqual(['no target', 'paused', 'met', 'overdue']);
  });

  it('uses the documented fallbacks for missing names', () => {
    const nameless = { ...CONTEXT, requester: { name: '  ' }, agent: { name: null } };
    expect(rendered('Hi {{requester.firstName}} / {{requester.name}}, {{agent.name}}', nameless)).toBe(
      'Hi there / there, The support team',
    );
    expect(rendered('Hi {{requester.firstName}}', { ...CONTEXT, requester: { name: null } })).toBe('Hi there');
  });

  it('allows spaces inside the braces, repeats, and \\{{ for literal braces', () => {
    expect(rendered('{{ ticket.number }} and {{ticket.number}}; \\{{ticket.number}} stays')).toBe('42 and 42; {{ticket.number}} stays');
  });

  it('inserts values as written, never as further placeholders', () => {
    const sly = { ...CONTEXT, ticket: { number: 1, subject: '{{agent.name}} $& $1' } };
    expect(rendered('Re: {{ticket.subject}}', sly)).toBe('Re: {{agent.name}} $& $1');
  });

  it('refuses a template with an unknown or unclosed placeholder, naming each unknown once', () => {
    expect(renderMacro('Hi {{customer.name}}, {{ticket.number}} {{customer.name}} {{}}', CONTEXT)).toEqual({
      ok: false,
      unknown: ['customer.name', ''],
      unclosed: null,
    });
    expect(renderMacro('Hi {{requester.name}', CONTEXT)).toEqual({ ok: false, unknown: [], unclosed: '{{requester.name}' });
  });
});

describe('placeholder scanning', () => {
  it('lists the placeholders used, once each, escaped ones left out', () => {
    expect(placeholdersIn('{{b}} {{ a }} {{b}} \\{{c}}')).toEqual(['b', 'a']);
    expect(unknownPlaceholders('{{ticket.subject}} {{Ticket.Subject}}')).toEqual(['Ticket.Subject']);
  });

  it('finds an opening that closes nothing, up to the end of its line', () => {
    expect(unclosedPlaceholder('fine {{ticket.number}} \\{{ also fine')).toBeNull();
    expect(unclosedPlaceholder('Due {{sla.resolution.due\nnext line')).toBe('{{sla.resolution.due');
    expect(unclosedPlaceholder(`{{${'x'.repeat(100)}`)).toHaveLength(40);
  });
});

describe('macroProblems', () => {
  it('accepts a good title and body', () => {
    expect(macroProblems({ title: 'Asking for logs', body: 'Hi {{requester.firstName}}' })).toEqual([]);
    expect(macroProblems({})).toEqual([]);
  });

  it('refuses blank and long titles and bodies, at their field', () => {
    expect(macroProblems({ title: '   ', body: ' \n ' }).map((problem) => problem.field)).toEqual(['title', 'body']);
    expect(macroProblems({ title: 'x'.repeat(120) })).toEqual([]);
    expect(macroProblems({ title: ` ${'x'.repeat(121)} ` })[0]?.message).toContain('at most 120');
    expect(macroProblems({ body: 'x'.repeat(20_000) })).toEqual([]);
    expect(macroProblems({ body: 'x'.repeat(20_001) })[0]?.message).toContain('at most 20,000');
  });

  it('names the unknown placeholders in the message', () => {
    const [problem] = macroProblems({ body: 'Dear {{customer.name}} and {{requester.nmae}}' });
    expect(problem).toMatchObject({ field: 'body', unknownPlaceholders: ['customer.name', 'requester.nmae'] });
    expect(problem!.message).toMatch(
      /^Unknown placeholders \{\{customer\.name\}\}, \{\{requester\.nmae\}\}\. Known: \{\{requester\.name\}\}/,
    );
    expect(macroProblems({ body: 'Dear {{requester.name' })[0]?.message).toContain('not closed');
  });

  it('compares titles without case or surrounding spaces', () => {
    expect(titleKey(' Asking for Logs ')).toBe(titleKey('asking for logs'));
  });
});
