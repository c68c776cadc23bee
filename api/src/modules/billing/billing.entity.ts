import { Entity, Filter, OneToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/entity.js';
import { tenantFilter } from '../../shared/tenancy.js';
import { Organization } from '../organizations/index.js';
import type { DunningState } from './billing.policy.js';

/**
 * An organization's Stripe customer and subscription, as last read from Stripe. Stripe is the source of truth;
 * this row is the copy every decision (and the UI) reads, refreshed from a re-read of the subscription on each
 * webhook event.
 */
@Entity({ tableName: 'billing_account' })
@Filter(tenantFilter)
export class BillingAccount extends BaseEntity {
  @OneToOne({ entity: () => Organization, owner: true, unique: true, deleteRule: 'cascade' })
  organization: Organization;

  @Property({ type: 'string', length: 255, unique: true })
  stripeCustomerId: string;

  @Property({ type: 'string', length: 255, nullable: true, unique: true })
  stripeSubscriptionId: string | null = null;

  /** Stripe's subscription status (`active`, `trialing`, `past_due`, `canceled`, …); null before the first one. */
  @Property({ type: 'string', length: 40, nullable: true })
  status: string | null = null;

  @Property({ type: 'string', length: 120, nullable: true })
  priceLookupKey: string | null = null;

  /** `month` or `year`. */
  @Property({ type: 'string', length: 10, nullable: true })
  interval: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  currentPeriodEnd: Date | null = null;

  @Property({ type: 'boolean' })
  cancelAtPeriodEnd: boolean = false;

  /** A downgrade the organization asked for, applied when the current period ends. */
  @Property({ type: 'string', length: 40, nullable: true })
  pendingTierKey: string | null = null;

  @Property({ type: 'string', length: 10, nullable: true })
  pendingInterval: string | null = null;

  /** One trial per organization, ever. */
  @Property({ type: 'boolean' })
  trialUsed: boolean = false;

  @Property({ type: 'string', length: 12 })
  dunning: DunningState = 'NONE';

  @Property({ type: 'datetime', nullable: true })
  graceEndsAt: Date | null = null;
}

/**
 * A Stripe event applied. Its id is inserted in the same transaction as the event's effect, so a redelivered
 * event is recognised and applied once; the primary key makes two concurrent deliveries conflict.
 */
@Entity({ tableName: 'stripe_event' })
export class StripeEvent {
  @Property({ type: 'string', length: 255, primary: true })
  id: string;

  @Property({ type: 'string', length: 80 })
  type: string;

  @Property({ type: 'uuid', nullable: true })
  organizationId: string | null = null;

  @Property({ type: 'datetime' })
  processedAt: Date;
}
