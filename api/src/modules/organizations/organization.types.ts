import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Node, UserError, type WithUserErrors } from '../../shared/graphql.js';
import { toGlobalId } from '../../shared/ids.js';
import { ConnectionType } from '../../shared/pagination.js';
import { EntitlementValue } from '../entitlements/index.js';
import { TierType } from '../tiers/index.js';
import type { Organization } from './organization.entity.js';

@ObjectType('Organization', { implements: Node })
export class OrganizationType extends Node {
  @Field(() => String)
  slug: string;

  @Field(() => String)
  name: string;

  @Field(() => String)
  region: string;

  @Field(() => String, { description: 'IANA time zone.' })
  timeZone: string;

  @Field(() => Boolean, { description: 'Support is business-critical for this customer.' })
  businessCritical: boolean;

  @Field(() => Int, { description: 'Annual contract value, whole currency units.' })
  contractValue: number;

  @Field(() => Int)
  monthlyUsage: number;

  @Field(() => Boolean)
  strategic: boolean;

  organizationId: string;
  tierId: string;

  static from(organization: Organization): OrganizationType {
    return Object.assign(new OrganizationType(), {
      id: toGlobalId('Organization', organization.id),
      organizationId: organization.id,
      tierId: organization.tier.id,
      slug: organization.slug,
      name: organization.name,
      region: organization.region,
      timeZone: organization.timeZone,
      businessCritical: organization.businessCritical,
      contractValue: organization.contractValue,
      monthlyUsage: organization.monthlyUsage,
      strategic: organization.strategic,
    });
  }
}

export const OrganizationConnection = ConnectionType('Organization', OrganizationType);

@ObjectType()
export class TierChangeType {
  @Field(() => TierType, { nullable: true })
  fromTier: TierType | null;

  @Field(() => TierType)
  toTier: TierType;

  @Field(() => String)
  reason: string;

  @Field(() => String)
  changedBy: string;

  @Field(() => Date)
  changedAt: Date;
}

@ObjectType()
export class CriterionCheck {
  @Field(() => String)
  criterion: string;

  @Field(() => String)
  required: string;

  @Field(() => String)
  actual: string;

  @Field(() => Boolean)
  met: boolean;
}

@ObjectType({ description: "The tier the organization's figures qualify it for, with each criterion checked." })
export class TierSuggestionType {
  @Field(() => TierType)
  tier: TierType;

  @Field(() => Boolean, { description: 'The suggestion differs from the current tier.' })
  differsFromCurrent: boolean;

  @Field(() => [CriterionCheck])
  checks: CriterionCheck[];
}

@InputType()
export class CreateOrganizationInput {
  @Field(() => String)
  slug: string;

  @Field(() => String)
  name: string;

  @Field(() => String)
  region: string;

  @Field(() => String)
  timeZone: string;

  @Field(() => String)
  tierKey: string;

  @Field(() => Boolean, { nullable: true })
  businessCritical?: boolean | null;

  @Field(() => Int, { nullable: true })
  contractValue?: number | null;

  @Field(() => Int, { nullable: true })
  monthlyUsage?: number | null;

  @Field(() => Boolean, { nullable: true })
  strategic?: boolean | null;
}

@ObjectType()
export class OrganizationPayload implements WithUserErrors {
  @Field(() => OrganizationType, { nullable: true })
  organization: OrganizationType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType()
export class ChangeOrganizationTierInput {
  @Field(() => ID, { description: 'Global id of the organization.' })
  organizationId: string;

  @Field(() => String)
  tierKey: string;

  @Field(() => String)
  reason: string;
}

@InputType({ description: "Give exactly the field that fits the feature's kind." })
export class SetEntitlementOverrideInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => String, { description: 'A feature key, e.g. `tickets.priorities` or `sla.firstResponse.URGENT`.' })
  feature: string;

  @Field(() => Boolean, { nullable: true, description: 'BOOLEAN features.' })
  enabled?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'LIMIT features, or DURATION features in minutes.' })
  amount?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'LIMIT features: no ceiling.' })
  unlimited?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'SET features (members) or ENUM features (one value).' })
  values?: string[] | null;

  @Field(() => Date, { nullable: true, description: 'Defaults to now.' })
  effectiveFrom?: Date | null;

  @Field(() => Date, { nullable: true })
  effectiveUntil?: Date | null;

  @Field(() => String)
  reason: string;
}

@ObjectType()
export class SetEntitlementOverridePayload implements WithUserErrors {
  @Field(() => EntitlementValue, { nullable: true })
  entitlement: EntitlementValue | null;

  @Field(() => OrganizationType, { nullable: true })
  organization: OrganizationType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType()
export class SetOrganizationCalendarInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, { nullable: true, description: "null: standard business hours (Mon–Fri 09:00–17:00) in the organization's time zone." })
  calendarId?: string | null;
}
