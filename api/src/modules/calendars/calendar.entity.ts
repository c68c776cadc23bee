import { Entity, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/entity.js';
import type { Holiday, WeeklyInterval } from './calendar.js';

/**
 * A business calendar defined by admins. Its rules live in versions: an edit adds a version that applies from
 * then on, so SLA time already used under the old hours is never recomputed with the new ones.
 */
@Entity({ tableName: 'business_calendar' })
export class BusinessCalendarRecord extends BaseEntity {
  @Property({ type: 'string', length: 120 })
  name: string;
}

@Entity({ tableName: 'business_calendar_version' })
@Index({ properties: ['calendar', 'effectiveFrom'] })
export class BusinessCalendarVersion extends BaseEntity {
  @ManyToOne({ entity: () => BusinessCalendarRecord, deleteRule: 'cascade' })
  calendar: BusinessCalendarRecord;

  @Property({ type: 'datetime' })
  effectiveFrom: Date;

  @Property({ type: 'string', length: 64 })
  timeZone: string;

  @Property({ type: 'json' })
  weeklyHours: WeeklyInterval[];

  @Property({ type: 'json' })
  holidays: Holiday[];
}
