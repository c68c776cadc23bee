import { AppError } from './errors.js';

/** The typenames that have global ids; `node(id:)` dispatches on these. */
export type NodeType =
  | 'Ticket'
  | 'Comment'
  | 'Organization'
  | 'User'
  | 'Tier'
  | 'ApiKey'
  | 'BusinessCalendar'
  | 'EscalationPolicy'
  | 'Escalation'
  | 'Team'
  | 'OnCallSchedule'
  | 'Notification'
  | 'Article'
  | 'KnowledgeBaseSearch'
  | 'UpgradeReminder'
  | 'Queue'
  | 'RoutingRule'
  | 'Agent'
  | 'Macro';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toGlobalId(type: NodeType, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

export function parseGlobalId(globalId: string): { type: NodeType; id: string } | null {
  if (typeof globalId !== 'string' || globalId.length > 200) return null;
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 1) return null;
  const type = decoded.slice(0, separator) as NodeType;
  const id = decoded.slice(separator + 1);
  if (!UUID.test(id)) return null;
  return { type, id };
}

/** Decodes a global id that must be of `type`; anything else is a typed input error naming the field. */
export function fromGlobalId(type: NodeType, globalId: string, field = 'id'): string {
  const parsed = parseGlobalId(globalId);
  if (!parsed || parsed.type !== type) {
    throw new AppError('INVALID_ID', `"${field}" is not a valid ${type} id.`, { field: [field] });
  }
  return parsed.id;
}
