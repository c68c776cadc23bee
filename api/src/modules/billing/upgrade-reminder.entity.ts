import { Entity, Filter, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/entity.js';
import { tenantFilter } from '../../shared/tenancy.js';
import { Organization } from '../organizations/index.js';

/** A suggestion to move to a higher tier, with the reasons in plain words; shown in the portal until dismissed. */
@Entity({ tableName: 'upgrade_reminder' })
@Filter(tenantFilter)
@Index({ properties: ['organization', 'suggestedTierKey'] })
export class UpgradeReminder extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @Property({ type: 'string', length: 40 })
  suggestedTierKey: string;

  @Property({ type: 'json' })
  reasons: string[];

  @Property({ type: 'datetime', nullable: true })
  dismissedAt: Date | null = null;
}
