/**
 * Placeholders in saved replies: `{{requester.firstName}}` and friends, filled for one ticket when a staff member
 * inserts the reply. Pure: the service gathers a `MacroContext`, this turns a template into text.
 *
 * Syntax: `{{ name }}` (spaces inside the braces are allowed). A backslash before the braces, `\{{`, writes the braces
 * themselves, for replies that talk about templates. Anything else between double braces is an unknown placeholder:
 * refused when a macro is saved, so a typo never reaches a customer as `{{requster.name}}`.
 */

/** Where a clock stands when the reply is written: its deadline while it runs, else why there is none. */
export type ClockDue =
  | { state: 'due'; at: Date }
  /** The tier commits to no such target for this ticket. */
  | { state: 'none' }
  | { state: 'paused' }
  | { state: 'met' }
  | { state: 'breached' };

export interface MacroContext {
  requester: { name: string | null };
  ticket: { number: number; subject: string };
  organization: { name: string; timeZone: string };
  tier: { name: string };
  /** The staff member sending the reply; null for a staff API key, which has no name of its own. */
  agent: { name: string | null };
  sla: { firstResponse: ClockDue; resolution: ClockDue };
}

/** Said in place of a name nobody gave (a staff API key sending, a requester without a name). */
const AGENT_FALLBACK = 'The support team';
const REQUESTER_FALLBACK = 'there';

const CLOCK_WORDS: Record<Exclude<ClockDue['state'], 'due'>, string> = {
  none: 'no target',
  paused: 'paused',
  met: 'met',
  breached: 'overdue',
};

function formatDue(due: ClockDue, timeZone: string): string {
  if (due.state !== 'due') return CLOCK_WORDS[due.state];
  // The same shape as the portal's dates ("3 Dec 2026, 14:05 CET"): the customer reads it in their own zone.
  const options: Intl.DateTimeFormatOptions = {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone }).format(due.at);
  } catch {
    // A zone this Node does not know: UTC, named, rather than no date at all.
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(due.at);
  }
}

function firstName(name: string | null): string | null {
  const first = name?.trim().split(/\s+/)[0];
  return first || null;
}

/** Every placeholder, with what it becomes: the console's macro page lists these. */
export const PLACEHOLDERS = [
  {
    name: 'requester.name',
    description: `The requester's full name ("${REQUESTER_FALLBACK}" when the ticket has none).`,
    value: (context: MacroContext) => context.requester.name?.trim() || REQUESTER_FALLBACK,
  },
  {
    name: 'requester.firstName',
    description: `The first word of the requester's name ("${REQUESTER_FALLBACK}" when the ticket has none).`,
    value: (context: MacroContext) => firstName(context.requester.name) ?? REQUESTER_FALLBACK,
  },
  {
    name: 'ticket.number',
    description: 'The ticket number, without "#".',
    value: (context: MacroContext) => String(context.ticket.number),
  },
  { name: 'ticket.subject', description: "The ticket's subject.", value: (context: MacroContext) => context.ticket.subject },
  {
    name: 'organization.name',
    description: "The customer's organization.",
    value: (context: MacroContext) => context.organization.name,
  },
  {
    name: 'tier.name',
    description: "The organization's support tier (Growth, Enterprise, …).",
    value: (context: MacroContext) => context.tier.name,
  },
  {
    name: 'agent.name',
    description: `The staff member inserting the reply ("${AGENT_FALLBACK}" for an API key).`,
    value: (context: MacroContext) => context.agent.name?.trim() || AGENT_FALLBACK,
  },
  {
    name: 'sla.firstResponse.due',
    description: 'When the first response is due, in the organization\'s time zone; otherwise "no target", "paused", "met" or "overdue".',
    value: (context: MacroContext) => formatDue(context.sla.firstResponse, context.organization.timeZone),
  },
  {
    name: 'sla.resolution.due',
    description: 'When resolution is due, in the organization\'s time zone; otherwise "no target", "paused", "met" or "overdue".',
    value: (context: MacroContext) => formatDue(context.sla.resolution, context.organization.timeZone),
  },
] as const satisfies readonly { name: string; description: string; value: (context: MacroContext) => string }[];

const BY_NAME: ReadonlyMap<string, (typeof PLACEHOLDERS)[number]> = new Map(
  PLACEHOLDERS.map((placeholder) => [placeholder.name, placeholder]),
);

/** `\{{` (kept as braces), or `{{ … }}` with no braces inside (a placeholder, known or not). */
const TOKEN = /\\\{\{|\{\{([^{}]*)\}\}/g;

/** The placeholders a template uses, in order of first use, each once (as written, trimmed). */
export function placeholdersIn(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(TOKEN)) if (match[1] !== undefined) names.add(match[1].trim());
  return [...names];
}

/** The placeholders a template uses that do not exist, each once, in order of first use. */
export function unknownPlaceholders(template: string): string[] {
  return placeholdersIn(template).filter((name) => !BY_NAME.has(name));
}

/**
 * The first `{{` that opens no placeholder (`{{requester.name}` with a brace missing), as written up to the end of
 * its line (at most 40 characters), or null. It would reach the customer as typed, so it is refused like a typo.
 */
export function unclosedPlaceholder(template: string): string | null {
  const rest = template.replace(TOKEN, ' ');
  const at = rest.indexOf('{{');
  if (at < 0) return null;
  return rest.slice(at).split('\n')[0]!.slice(0, 40);
}

export type RenderResult = { ok: true; text: string } | { ok: false; unknown: string[]; unclosed: string | null };

/** The template with every placeholder filled from `context`; an unknown or unclosed placeholder fails the whole render. */
export function renderMacro(template: string, context: MacroContext): RenderResult {
  const unknown = unknownPlaceholders(template);
  const unclosed = unclosedPlaceholder(template);
  if (unknown.length || unclosed) return { ok: false, unknown, unclosed };
  const text = template.replace(TOKEN, (_token, name: string | undefined) =>
    name === undefined ? '{{' : BY_NAME.get(name.trim())!.value(context),
  );
  return { ok: true, text };
}
