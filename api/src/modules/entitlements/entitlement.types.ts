import { Field, Int, ObjectType } from 'type-graphql';
import { graphqlEnum } from '../../shared/graphql.js';
import { Coverage, TicketChannel, TicketPriority } from '../vocabulary/index.js';
import type { EffectiveEntitlements, EntitlementSource } from './entitlements.js';
import { FEATURES, type FeatureKey, type FeatureKind } from './features.js';

const FEATURE_KINDS = ['BOOLEAN', 'LIMIT', 'DURATION', 'SET', 'ENUM'] as const satisfies readonly FeatureKind[];
const FeatureKindEnum = graphqlEnum('EntitlementKind', FEATURE_KINDS);

const ENTITLEMENT_SOURCES = ['TIER', 'OVERRIDE'] as const satisfies readonly EntitlementSource[];
const EntitlementSourceEnum = graphqlEnum('EntitlementSource', ENTITLEMENT_SOURCES, {
  description: 'OVERRIDE: a contract exception for this organization.',
});

@ObjectType()
export class ResponseTarget {
  @Field(() => TicketPriority)
  priority: TicketPriority;

  @Field(() => Int, { nullable: true, description: 'Minutes to the first public reply; null when the tier commits to none.' })
  firstResponseMinutes: number | null;

  @Field(() => Int, { nullable: true, description: 'Minutes to a solution; null when the tier commits to none.' })
  resolutionMinutes: number | null;
}

@ObjectType({ description: 'One typed entitlement value, with where it comes from.' })
export class EntitlementValue {
  @Field(() => String)
  feature: string;

  @Field(() => String)
  label: string;

  @Field(() => FeatureKindEnum)
  kind: FeatureKind;

  @Field(() => EntitlementSourceEnum)
  source: EntitlementSource;

  @Field(() => Boolean, { nullable: true, description: 'BOOLEAN features.' })
  enabled: boolean | null;

  @Field(() => Int, { nullable: true, description: 'LIMIT features (null with `unlimited`), DURATION features in minutes.' })
  amount: number | null;

  @Field(() => Boolean, { description: 'A LIMIT without a ceiling.' })
  unlimited: boolean;

  @Field(() => [String], { nullable: true, description: 'SET features: the members; ENUM features: the one choice.' })
  values: string[] | null;

  @Field(() => Date, { nullable: true, description: 'When an override stops applying.' })
  effectiveUntil: Date | null;
}

@ObjectType({ description: 'What an organization (or a tier) is entitled to. Anything not listed is not included.' })
export class Entitlements {
  @Field(() => [TicketPriority])
  allowedPriorities: TicketPriority[];

  @Field(() => [TicketChannel])
  allowedChannels: TicketChannel[];

  @Field(() => Coverage, { nullable: true })
  coverage: Coverage | null;

  @Field(() => [ResponseTarget], { description: 'For each allowed priority.' })
  responseTargets: ResponseTarget[];

  @Field(() => Boolean)
  technicalAccountManager: boolean;

  @Field(() => Boolean)
  premiumKnowledgeBase: boolean;

  @Field(() => Boolean, { description: 'Customers may escalate a ticket themselves.' })
  customerEscalation: boolean;

  @Field(() => Int, { nullable: true, description: 'Tickets per calendar month (UTC); null = unlimited.' })
  monthlyTicketAllowance: number | null;

  @Field(() => Int, { nullable: true, description: "API requests per minute for the organization's keys; null = unlimited." })
  apiRequestsPerMinute: number | null;

  @Field(() => [EntitlementValue], { description: 'Every feature with a value, typed, with its source.' })
  features: EntitlementValue[];

  /** What these fields were read from; field resolvers of other modules (the tier catalogue's) read it too. */
  effective: EffectiveEntitlements;

  static from(effective: EffectiveEntitlements): Entitlements {
    return Object.assign(new Entitlements(), {
      effective,
      allowedPriorities: effective.allowedPriorities,
      allowedChannels: effective.allowedChannels,
      coverage: effective.coverage,
      responseTargets: effective.responseTargets().map((target) => Object.assign(new ResponseTarget(), target)),
      technicalAccountManager: effective.enabled('support.technicalAccountManager'),
      premiumKnowledgeBase: effective.enabled('kb.premium'),
      customerEscalation: effective.enabled('support.customerEscalation'),
      monthlyTicketAllowance: effective.limit('tickets.monthlyAllowance'),
      apiRequestsPerMinute: effective.limit('api.requestsPerMinute'),
      features: effective
        .features()
        .map(([feature, resolved]) => toValue(feature, resolved.value, resolved.source, resolved.effectiveUntil)),
    });
  }
}

function toValue(feature: FeatureKey, value: unknown, source: 'TIER' | 'OVERRIDE', effectiveUntil: Date | null): EntitlementValue {
  const definition = FEATURES[feature];
  return Object.assign(new EntitlementValue(), {
    feature,
    label: definition.label,
    kind: definition.kind,
    source,
    enabled: typeof value === 'boolean' ? value : null,
    amount: typeof value === 'number' ? value : null,
    unlimited: definition.kind === 'LIMIT' && value === null,
    values: Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : null,
    effectiveUntil,
  });
}

@ObjectType({ description: 'A priority and whether the tier includes it, with the refusal the API would give when it does not.' })
export class PriorityOption {
  @Field(() => TicketPriority)
  priority: TicketPriority;

  @Field(() => Boolean)
  included: boolean;

  @Field(() => String, {
    nullable: true,
    description: '"Urgent priority is not included in the Growth tier. It is available from the Business tier."',
  })
  message: string | null;

  @Field(() => String, { nullable: true, description: 'The key of the lowest higher tier that includes it.' })
  requiredTier: string | null;
}
