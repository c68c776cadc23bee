import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ApiKey, Session, User } from '../modules/identity/identity.entity.js';
import { EntitlementOverride, TierEntitlement } from '../modules/entitlements/entitlement.entity.js';
import { Organization, OrganizationCalendarChange, TierChange } from '../modules/organizations/organization.entity.js';
import { Comment, Ticket, TicketEvent } from '../modules/tickets/ticket.entity.js';
import { Tier } from '../modules/tiers/tier.entity.js';
import { BusinessCalendarRecord, BusinessCalendarVersion } from '../modules/calendars/calendar.entity.js';
import {
  Escalation,
  EscalationPolicy,
  EscalationStep,
  InboxNotification,
  OnCallSchedule,
  OutboundEvent,
  Team,
} from '../modules/escalations/escalation.entity.js';
import { SlaAlert, SlaPolicy, TicketClock } from '../modules/sla/sla.entity.js';
import { Article, ArticleFeedback, ArticleVersion, SearchDocumentRow, SearchEvent, SearchTerm } from '../modules/kb/kb.entity.js';
import { BillingAccount, StripeEvent } from '../modules/billing/billing.entity.js';
import { migrationsList } from './migrations/index.js';
import { queryCounter } from './query-counter.js';
import { UpgradeReminder } from '../modules/billing/upgrade-reminder.entity.js';
import {
  AgentProfile,
  ClassifierModel,
  Queue,
  RoutingDecision,
  RoutingRule,
  TechnicalAccountManager,
  TriageDecision,
} from '../modules/routing/routing.entity.js';

export const ENTITIES = [
  Tier,
  TierEntitlement,
  Organization,
  TierChange,
  EntitlementOverride,
  User,
  Session,
  ApiKey,
  Ticket,
  Comment,
  TicketEvent,
  BusinessCalendarRecord,
  BusinessCalendarVersion,
  OrganizationCalendarChange,
  SlaPolicy,
  TicketClock,
  SlaAlert,
  Team,
  OnCallSchedule,
  EscalationPolicy,
  Escalation,
  EscalationStep,
  InboxNotification,
  OutboundEvent,
  Article,
  ArticleVersion,
  SearchDocumentRow,
  SearchTerm,
  SearchEvent,
  ArticleFeedback,
  BillingAccount,
  StripeEvent,
  UpgradeReminder,
  Queue,
  RoutingRule,
  AgentProfile,
  TriageDecision,
  RoutingDecision,
  ClassifierModel,
  TechnicalAccountManager,
];

export function ormOptions(clientUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl,
    entities: ENTITIES,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: {
      migrationsList,
      path: new URL('./migrations', import.meta.url).pathname.replace('/dist/', '/src/'),
      emit: 'ts',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    loggerFactory: queryCounter.loggerFactory,
    ...overrides,
  });
}

export async function initOrm(clientUrl: string, overrides: Partial<Options> = {}): Promise<MikroORM> {
  return MikroORM.init(ormOptions(clientUrl, overrides));
}

export type { MikroORM };
