import { Entity, Filter, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/entity.js';
import { tenantFilter } from '../../shared/tenancy.js';

/**
 * One event of an organization, written in the transaction of the change it reports: the webhook deliveries,
 * notifications and metrics read from here. The organization is linked by entity name (the outbox sits below the
 * organizations module and never loads one).
 */
@Entity({ tableName: 'outbound_event' })
@Filter(tenantFilter)
@Index({ properties: ['organization', 'createdAt'] })
export class OutboundEvent extends BaseEntity {
  @ManyToOne('Organization', { deleteRule: 'cascade' })
  organization: { id: string };

  @Property({ type: 'string', length: 80 })
  type: string;

  @Property({ type: 'json' })
  payload: Record<string, unknown>;

  @Property({ type: 'datetime', nullable: true })
  deliveredAt: Date | null = null;
}
