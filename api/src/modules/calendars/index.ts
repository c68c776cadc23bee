import type { ModuleDefinition } from '../../shared/module.js';
import { BusinessCalendarRecord, BusinessCalendarVersion } from './calendar.entity.js';
import { businessCalendarNode, CalendarResolver } from './calendar.resolver.js';

/** Business calendars: the pure arithmetic, the versioned stored calendars and their holiday imports. */
export { BusinessCalendar, CalendarError, type CalendarDefinition, type Weekday } from './calendar.js';
export { BusinessCalendarRecord, BusinessCalendarVersion } from './calendar.entity.js';
export { calendarsInForce, compileVersion, defaultCalendarFor, DEFAULT_WEEKLY_HOURS } from './calendar.service.js';

export const calendarsModule: ModuleDefinition = {
  name: 'calendars',
  entities: [BusinessCalendarRecord, BusinessCalendarVersion],
  resolvers: [CalendarResolver],
  nodes: { BusinessCalendar: businessCalendarNode },
};
