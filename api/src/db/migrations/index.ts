import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121044725_initial } from './Migration20261121044725_initial.js';
import { Migration20261121050916_sla_and_escalations } from './Migration20261121050916_sla_and_escalations.js';
import { Migration20261121055251_knowledge_base } from './Migration20261121055251_knowledge_base.js';
import { Migration20261121061559_billing } from './Migration20261121061559_billing.js';
import { Migration20261121063839_upgrade_reminders } from './Migration20261121063839_upgrade_reminders.js';
import { Migration20261121070100_routing } from './Migration20261121070100_routing.js';
import { Migration20261202080000_routed_trail } from './Migration20261202080000_routed_trail.js';
import { Migration20261202120000_rate_limits } from './Migration20261202120000_rate_limits.js';
import { Migration20261202130000_escalation_reasons } from './Migration20261202130000_escalation_reasons.js';
import { Migration20261203090000_macros } from './Migration20261203090000_macros.js';

/** Every migration, in order. Listed explicitly so the compiled build needs no file globbing. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261121044725_initial', class: Migration20261121044725_initial },
  { name: 'Migration20261121050916_sla_and_escalations', class: Migration20261121050916_sla_and_escalations },
  { name: 'Migration20261121055251_knowledge_base', class: Migration20261121055251_knowledge_base },
  { name: 'Migration20261121061559_billing', class: Migration20261121061559_billing },
  { name: 'Migration20261121063839_upgrade_reminders', class: Migration20261121063839_upgrade_reminders },
  { name: 'Migration20261121070100_routing', class: Migration20261121070100_routing },
  { name: 'Migration20261202080000_routed_trail', class: Migration20261202080000_routed_trail },
  { name: 'Migration20261202120000_rate_limits', class: Migration20261202120000_rate_limits },
  { name: 'Migration20261202130000_escalation_reasons', class: Migration20261202130000_escalation_reasons },
  { name: 'Migration20261203090000_macros', class: Migration20261203090000_macros },
];
