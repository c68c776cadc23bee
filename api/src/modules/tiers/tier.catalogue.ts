import type { FeatureKey, FeatureValue } from '../entitlements/index.js';

export interface TierDefinition {
  key: string;
  name: string;
  rank: number;
  description: string;
  minContractValue: number;
  minMonthlyUsage: number;
  requiresBusinessCritical: boolean;
  requiresStrategic: boolean;
  entitlements: Partial<Record<FeatureKey, FeatureValue>>;
}

const HOUR = 60;
const DAY = 24 * HOUR;

/** The default tier catalogue, seeded by `tierdesk seed` and editable afterwards by admins. */
export const DEFAULT_TIERS: readonly TierDefinition[] = [
  {
    key: 'community',
    name: 'Community',
    rank: 1,
    description: 'Self-service first: the knowledge base, and email or portal tickets answered in business hours.',
    minContractValue: 0,
    minMonthlyUsage: 0,
    requiresBusinessCritical: false,
    requiresStrategic: false,
    entitlements: {
      'tickets.priorities': ['LOW', 'NORMAL'],
      'tickets.channels': ['PORTAL', 'EMAIL', 'API'],
      'tickets.monthlyAllowance': 10,
      'sla.coverage': 'BUSINESS_HOURS',
      'sla.firstResponse.LOW': 2 * DAY,
      'sla.firstResponse.NORMAL': DAY,
      'sla.nextResponse.LOW': 2 * DAY,
      'sla.nextResponse.NORMAL': DAY,
      'sla.resolution.LOW': 10 * DAY,
      'sla.resolution.NORMAL': 5 * DAY,
      'support.technicalAccountManager': false,
      'support.customerEscalation': false,
      'kb.premium': false,
      'api.requestsPerMinute': 60,
    },
  },
  {
    key: 'growth',
    name: 'Growth',
    rank: 2,
    description: 'For teams that depend on the product daily: high priority, faster targets, a larger allowance.',
    minContractValue: 5_000,
    minMonthlyUsage: 0,
    requiresBusinessCritical: false,
    requiresStrategic: false,
    entitlements: {
      'tickets.priorities': ['LOW', 'NORMAL', 'HIGH'],
      'tickets.channels': ['PORTAL', 'EMAIL', 'API'],
      'tickets.monthlyAllowance': 50,
      'sla.coverage': 'BUSINESS_HOURS',
      'sla.firstResponse.LOW': DAY,
      'sla.firstResponse.NORMAL': 8 * HOUR,
      'sla.firstResponse.HIGH': 4 * HOUR,
      'sla.nextResponse.LOW': DAY,
      'sla.nextResponse.NORMAL': 8 * HOUR,
      'sla.nextResponse.HIGH': 4 * HOUR,
      'sla.resolution.LOW': 5 * DAY,
      'sla.resolution.NORMAL': 2 * DAY,
      'sla.resolution.HIGH': DAY,
      'support.technicalAccountManager': false,
      'support.customerEscalation': false,
      'kb.premium': false,
      'api.requestsPerMinute': 300,
    },
  },
  {
    key: 'business',
    name: 'Business',
    rank: 3,
    description: 'Urgent priority, chat, premium articles and self-escalation for businesses that cannot wait.',
    minContractValue: 50_000,
    minMonthlyUsage: 1_000,
    requiresBusinessCritical: false,
    requiresStrategic: false,
    entitlements: {
      'tickets.priorities': ['LOW', 'NORMAL', 'HIGH', 'URGENT'],
      'tickets.channels': ['PORTAL', 'EMAIL', 'API', 'CHAT'],
      'tickets.monthlyAllowance': 250,
      'sla.coverage': 'BUSINESS_HOURS',
      'sla.firstResponse.LOW': 8 * HOUR,
      'sla.firstResponse.NORMAL': 4 * HOUR,
      'sla.firstResponse.HIGH': 2 * HOUR,
      'sla.firstResponse.URGENT': HOUR,
      'sla.nextResponse.LOW': 8 * HOUR,
      'sla.nextResponse.NORMAL': 4 * HOUR,
      'sla.nextResponse.HIGH': 2 * HOUR,
      'sla.nextResponse.URGENT': HOUR,
      'sla.resolution.LOW': 2 * DAY,
      'sla.resolution.NORMAL': DAY,
      'sla.resolution.HIGH': 8 * HOUR,
      'sla.resolution.URGENT': 4 * HOUR,
      'support.technicalAccountManager': false,
      'support.customerEscalation': true,
      'kb.premium': true,
      'api.requestsPerMinute': 1_200,
    },
  },
  {
    key: 'enterprise',
    name: 'Enterprise',
    rank: 4,
    description: '24×7 coverage, 15-minute urgent response, a technical account manager, and every channel.',
    minContractValue: 250_000,
    minMonthlyUsage: 10_000,
    requiresBusinessCritical: true,
    requiresStrategic: false,
    entitlements: {
      'tickets.priorities': ['LOW', 'NORMAL', 'HIGH', 'URGENT'],
      'tickets.channels': ['PORTAL', 'EMAIL', 'API', 'CHAT', 'PHONE'],
      'tickets.monthlyAllowance': null,
      'sla.coverage': 'ALWAYS',
      'sla.firstResponse.LOW': 4 * HOUR,
      'sla.firstResponse.NORMAL': 2 * HOUR,
      'sla.firstResponse.HIGH': HOUR,
      'sla.firstResponse.URGENT': 15,
      'sla.nextResponse.LOW': 4 * HOUR,
      'sla.nextResponse.NORMAL': 2 * HOUR,
      'sla.nextResponse.HIGH': HOUR,
      'sla.nextResponse.URGENT': 30,
      'sla.resolution.LOW': DAY,
      'sla.resolution.NORMAL': 8 * HOUR,
      'sla.resolution.HIGH': 4 * HOUR,
      'sla.resolution.URGENT': 2 * HOUR,
      'support.technicalAccountManager': true,
      'support.customerEscalation': true,
      'kb.premium': true,
      'api.requestsPerMinute': 6_000,
    },
  },
];
