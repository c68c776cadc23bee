import { Migration } from '@mikro-orm/migrations';

export class Migration20261121070100_routing extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "classifier_model" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" varchar(80) not null, "model" text not null, "shipped_examples" int not null, "corrections" int not null, "held_out_accuracy" double precision not null, "trained_by" varchar(200) not null, constraint "classifier_model_pkey" primary key ("id"));`);
    this.addSql(`alter table "classifier_model" add constraint "classifier_model_version_unique" unique ("version");`);

    this.addSql(`create table "queue" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "key" varchar(40) not null, "name" varchar(120) not null, "domain" varchar(20) null, "level_by_tier" jsonb not null, "required_certification" varchar(120) null, "language" varchar(8) null, "target_minutes" int null, "fallback_queue_id" uuid null, "fallback_after_minutes" int null, "is_default" boolean not null default false, constraint "queue_pkey" primary key ("id"));`);
    this.addSql(`alter table "queue" add constraint "queue_key_unique" unique ("key");`);
    // At most one default queue, enforced by the database rather than by care.
    this.addSql(`create unique index "queue_single_default" on "queue" ((true)) where "is_default";`);

    this.addSql(`create table "routing_rule" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "name" varchar(120) not null, "position" int not null, "enabled" boolean not null default true, "conditions" jsonb not null, "queue_id" uuid not null, "priority" text check ("priority" in ('LOW', 'NORMAL', 'HIGH', 'URGENT')) null, "escalation_policy_id" uuid null, "page_immediately" boolean not null default false, "updated_by" varchar(200) not null, constraint "routing_rule_pkey" primary key ("id"));`);
    this.addSql(`create index "routing_rule_position_index" on "routing_rule" ("position");`);

    this.addSql(`create table "triage_decision" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "ticket_id" uuid not null, "domain" varchar(20) not null, "domain_confidence" double precision not null, "domain_source" varchar(12) not null, "urgency" int not null, "urgency_level" varchar(10) not null, "outage_signals" jsonb not null, "critical_outage" boolean not null, "declared_priority" text check ("declared_priority" in ('LOW', 'NORMAL', 'HIGH', 'URGENT')) not null, "priority" text check ("priority" in ('LOW', 'NORMAL', 'HIGH', 'URGENT')) not null, "needs_attention" boolean not null, "reasons" jsonb not null, "confidence" double precision not null, "classifier_version" varchar(80) null, "corrected_domain" varchar(20) null, "corrected_by" varchar(200) null, "corrected_at" timestamptz null, "correction_note" text null, constraint "triage_decision_pkey" primary key ("id"));`);
    this.addSql(`alter table "triage_decision" add constraint "triage_decision_ticket_id_unique" unique ("ticket_id");`);
    this.addSql(`create index "triage_decision_corrected_at_index" on "triage_decision" ("corrected_at");`);

    this.addSql(`create table "technical_account_manager" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "user_id" uuid not null, constraint "technical_account_manager_pkey" primary key ("id"));`);
    this.addSql(`alter table "technical_account_manager" add constraint "technical_account_manager_organization_id_unique" unique ("organization_id");`);

    this.addSql(`create table "routing_decision" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "ticket_id" uuid not null, "rule_id" uuid null, "rule_name" varchar(120) null, "queue_id" uuid not null, "escalation_policy_id" uuid null, "paged_immediately" boolean not null default false, "evaluations" jsonb not null, "reasons" jsonb not null, "status" text check ("status" in ('WAITING', 'ASSIGNED', 'CLOSED')) not null default 'WAITING', "waiting_since" timestamptz not null, "assigned_to_id" uuid null, "assigned_at" timestamptz null, "assignment_reason" text null, constraint "routing_decision_pkey" primary key ("id"));`);
    this.addSql(`alter table "routing_decision" add constraint "routing_decision_ticket_id_unique" unique ("ticket_id");`);
    this.addSql(`create index "routing_decision_status_queue_id_waiting_since_index" on "routing_decision" ("status", "queue_id", "waiting_since");`);

    this.addSql(`create table "agent_profile" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "user_id" uuid not null, "skills" jsonb not null, "certifications" jsonb not null, "languages" jsonb not null, "region" varchar(40) not null, "presence" text check ("presence" in ('ONLINE', 'AWAY', 'OFFLINE')) not null default 'OFFLINE', "calendar_id" uuid null, "capacity" jsonb not null, "last_assigned_at" timestamptz null, constraint "agent_profile_pkey" primary key ("id"));`);
    this.addSql(`alter table "agent_profile" add constraint "agent_profile_user_id_unique" unique ("user_id");`);

    this.addSql(`alter table "queue" add constraint "queue_fallback_queue_id_foreign" foreign key ("fallback_queue_id") references "queue" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "routing_rule" add constraint "routing_rule_queue_id_foreign" foreign key ("queue_id") references "queue" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "routing_rule" add constraint "routing_rule_escalation_policy_id_foreign" foreign key ("escalation_policy_id") references "escalation_policy" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "triage_decision" add constraint "triage_decision_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "triage_decision" add constraint "triage_decision_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "technical_account_manager" add constraint "technical_account_manager_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "technical_account_manager" add constraint "technical_account_manager_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "routing_decision" add constraint "routing_decision_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "routing_decision" add constraint "routing_decision_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "routing_decision" add constraint "routing_decision_rule_id_foreign" foreign key ("rule_id") references "routing_rule" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "routing_decision" add constraint "routing_decision_queue_id_foreign" foreign key ("queue_id") references "queue" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "routing_decision" add constraint "routing_decision_escalation_policy_id_foreign" foreign key ("escalation_policy_id") references "escalation_policy" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "routing_decision" add constraint "routing_decision_assigned_to_id_foreign" foreign key ("assigned_to_id") references "app_user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "agent_profile" add constraint "agent_profile_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "agent_profile" add constraint "agent_profile_calendar_id_foreign" foreign key ("calendar_id") references "business_calendar" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "escalation" drop constraint if exists "escalation_trigger_check";`);

    this.addSql(`create index "ticket_assignee_id_status_index" on "ticket" ("assignee_id", "status");`);

    this.addSql(`alter table "escalation" add constraint "escalation_trigger_check" check("trigger" in ('SLA_WARNING', 'SLA_BREACH', 'CUSTOMER', 'STAFF', 'ROUTING'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "queue" drop constraint "queue_fallback_queue_id_foreign";`);

    this.addSql(`alter table "routing_rule" drop constraint "routing_rule_queue_id_foreign";`);

    this.addSql(`alter table "routing_decision" drop constraint "routing_decision_queue_id_foreign";`);

    this.addSql(`alter table "routing_decision" drop constraint "routing_decision_rule_id_foreign";`);

    this.addSql(`drop table if exists "classifier_model" cascade;`);

    this.addSql(`drop table if exists "queue" cascade;`);

    this.addSql(`drop table if exists "routing_rule" cascade;`);

    this.addSql(`drop table if exists "triage_decision" cascade;`);

    this.addSql(`drop table if exists "technical_account_manager" cascade;`);

    this.addSql(`drop table if exists "routing_decision" cascade;`);

    this.addSql(`drop table if exists "agent_profile" cascade;`);

    this.addSql(`alter table "escalation" drop constraint if exists "escalation_trigger_check";`);

    this.addSql(`alter table "escalation" add constraint "escalation_trigger_check" check("trigger" in ('SLA_WARNING', 'SLA_BREACH', 'CUSTOMER', 'STAFF'));`);

    this.addSql(`drop index "ticket_assignee_id_status_index";`);
  }

}
