import { z } from 'zod';
import { COVERAGES, PRIORITY_ORDER, TICKET_CHANNELS, type TicketPriority } from '../vocabulary/index.js';

/**
 * The typed catalogue of entitlements. A tier (or a contract override) gives a value to a feature; a feature
 * with no value is denied: false, an empty set, a zero limit, no target.
 */
type FeatureDefinition =
  | { kind: 'BOOLEAN'; label: string }
  | { kind: 'LIMIT'; label: string; unit: string }
  | { kind: 'DURATION'; label: string }
  | { kind: 'SET'; label: string; values: readonly string[] }
  | { kind: 'ENUM'; label: string; values: readonly string[] };

const priorityTargets = (prefix: 'sla.firstResponse' | 'sla.nextResponse' | 'sla.resolution', label: string) =>
  Object.fromEntries(
    PRIORITY_ORDER.map((priority) => [`${prefix}.${priority}`, { kind: 'DURATION', label: `${label} (${priority.toLowerCase()})` }]),
  ) as Record<`${typeof prefix}.${TicketPriority}`, FeatureDefinition>;

export const FEATURES = {
  'tickets.priorities': { kind: 'SET', label: 'Ticket priorities', values: PRIORITY_ORDER },
  'tickets.channels': { kind: 'SET', label: 'Support channels', values: TICKET_CHANNELS },
  'tickets.monthlyAllowance': { kind: 'LIMIT', label: 'Tickets per month', unit: 'tickets' },
  'sla.coverage': { kind: 'ENUM', label: 'Coverage', values: COVERAGES },
  ...priorityTargets('sla.firstResponse', 'First response target'),
  ...priorityTargets('sla.nextResponse', 'Next response target'),
  ...priorityTargets('sla.resolution', 'Resolution target'),
  'support.technicalAccountManager': { kind: 'BOOLEAN', label: 'Technical account manager' },
  'support.customerEscalation': { kind: 'BOOLEAN', label: 'Escalate a ticket yourself' },
  'kb.premium': { kind: 'BOOLEAN', label: 'Premium knowledge base' },
  'api.requestsPerMinute': { kind: 'LIMIT', label: 'API budget', unit: 'requests per minute' },
} as const satisfies Record<string, FeatureDefinition>;

export type FeatureKey = keyof typeof FEATURES;
export type FeatureKind = FeatureDefinition['kind'];
export const FEATURE_KEYS = Object.keys(FEATURES) as FeatureKey[];

/**
 * Stored values: BOOLEAN true/false; LIMIT a non-negative integer or null for unlimited; DURATION whole minutes;
 * SET an array of the feature's values; ENUM one of them.
 */
export type FeatureValue = boolean | number | null | string | string[];

const MAX_DURATION_MINUTES = 60 * 24 * 366;

export function valueSchema(feature: FeatureKey): z.ZodType<FeatureValue> {
  const definition: FeatureDefinition = FEATURES[feature];
  switch (definition.kind) {
    case 'BOOLEAN':
      return z.boolean();
    case 'LIMIT':
      return z.number().int().min(0).max(1_000_000_000).nullable();
    case 'DURATION':
      return z.number().int().min(1).max(MAX_DURATION_MINUTES);
    case 'SET':
      return z.array(z.enum(definition.values as [string, ...string[]])).transform((items) => [...new Set(items)]);
    case 'ENUM':
      return z.enum(definition.values as [string, ...string[]]);
  }
}

export function isFeatureKey(key: string): key is FeatureKey {
  return Object.prototype.hasOwnProperty.call(FEATURES, key);
}

export function firstResponseFeature(priority: TicketPriority): FeatureKey {
  return `sla.firstResponse.${priority}`;
}

export function nextResponseFeature(priority: TicketPriority): FeatureKey {
  return `sla.nextResponse.${priority}`;
}

export function resolutionFeature(priority: TicketPriority): FeatureKey {
  return `sla.resolution.${priority}`;
}
