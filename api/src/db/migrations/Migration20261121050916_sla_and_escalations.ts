import { Migration } from '@mikro-orm/migrations';

export class Migration20261121050916_sla_and_escalations extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "business_calendar" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "name" varchar(120) not null, constraint "business_calendar_pkey" primary key ("id"));`);

    this.addSql(`create table "business_calendar_version" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "calendar_id" uuid not null, "effective_from" timestamptz not null, "time_zone" varchar(64) not null, "weekly_hours" jsonb not null, "holidays" jsonb not null, constraint "business_calendar_version_pkey" primary key ("id"));`);
    this.addSql(`create index "business_calendar_version_calendar_id_effective_from_index" on "business_calendar_version" ("calendar_id", "effective_from");`);

    this.addSql(`create table "escalation_policy" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "name" varchar(120) not null, "levels" jsonb not null, "repeat_count" int not null default 0, constraint "escalation_policy_pkey" primary key ("id"));`);
    this.addSql(`alter table "escalation_policy" add constraint "escalation_policy_name_unique" unique ("name");`);

    this.addSql(`create table "on_call_schedule" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "name" varchar(120) not null, "time_zone" varchar(64) not null, "rotations" jsonb not null, constraint "on_call_schedule_pkey" primary key ("id"));`);
    this.addSql(`alter table "on_call_schedule" add constraint "on_call_schedule_name_unique" unique ("name");`);

    this.addSql(`create table "team" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "name" varchar(120) not null, "member_ids" jsonb not null, constraint "team_pkey" primary key ("id"));`);
    this.addSql(`alter table "team" add constraint "team_name_unique" unique ("name");`);

    this.addSql(`create table "sla_policy" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "tier_id" uuid not null, "pause_statuses" text[] not null, "warn_percent" int not null default 80, "escalation_policy_id" uuid null, "updated_by" varchar(200) not null, constraint "sla_policy_pkey" primary key ("id"));`);
    this.addSql(`alter table "sla_policy" add constraint "sla_policy_tier_id_unique" unique ("tier_id");`);

    this.addSql(`create table "outbound_event" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "type" varchar(80) not null, "payload" jsonb not null, "delivered_at" timestamptz null, constraint "outbound_event_pkey" primary key ("id"));`);
    this.addSql(`create index "outbound_event_organization_id_created_at_index" on "outbound_event" ("organization_id", "created_at");`);

    this.addSql(`create table "organization_calendar_change" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "calendar_id" uuid null, "changed_by" varchar(200) not null, constraint "organization_calendar_change_pkey" primary key ("id"));`);

    this.addSql(`create table "ticket_clock" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "ticket_id" uuid not null, "kind" text check ("kind" in ('FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION')) not null, "cycle" int not null, "status" text check ("status" in ('ACTIVE', 'PAUSED', 'WARNING', 'MET', 'BREACHED')) not null, "target_minutes" int not null, "started_at" timestamptz not null, "stopped_at" timestamptz null, "due_at" timestamptz null, "warning_at" timestamptz null, "breached_at" timestamptz null, "used_millis" double precision not null default 0, "paused_millis" double precision not null default 0, "reason" text not null, "next_fire_at" timestamptz null, constraint "ticket_clock_pkey" primary key ("id"));`);
    this.addSql(`create index "ticket_clock_next_fire_at_index" on "ticket_clock" ("next_fire_at");`);
    this.addSql(`alter table "ticket_clock" add constraint "ticket_clock_ticket_id_kind_unique" unique ("ticket_id", "kind");`);

    this.addSql(`create table "sla_alert" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "ticket_id" uuid not null, "kind" text check ("kind" in ('FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION')) not null, "cycle" int not null, "threshold" text check ("threshold" in ('WARNING', 'BREACH')) not null, "crossed_at" timestamptz not null, "latency_millis" int not null, constraint "sla_alert_pkey" primary key ("id"));`);
    this.addSql(`alter table "sla_alert" add constraint "sla_alert_ticket_id_kind_cycle_threshold_unique" unique ("ticket_id", "kind", "cycle", "threshold");`);

    this.addSql(`create table "escalation" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "ticket_id" uuid not null, "policy_id" uuid null, "trigger" text check ("trigger" in ('SLA_WARNING', 'SLA_BREACH', 'CUSTOMER', 'STAFF')) not null, "reason" text not null, "status" text check ("status" in ('TRIGGERED', 'ACKNOWLEDGED', 'EXHAUSTED')) not null default 'TRIGGERED', "level" int not null default 0, "pass" int not null default 0, "next_step_at" timestamptz null, "acknowledged_by_id" uuid null, "acknowledged_at" timestamptz null, constraint "escalation_pkey" primary key ("id"));`);
    this.addSql(`create index "escalation_next_step_at_index" on "escalation" ("next_step_at");`);

    this.addSql(`create table "inbox_notification" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "user_id" uuid not null, "ticket_id" uuid null, "escalation_id" uuid null, "title" varchar(200) not null, "body" text not null, "read_at" timestamptz null, constraint "inbox_notification_pkey" primary key ("id"));`);
    this.addSql(`create index "inbox_notification_user_id_created_at_index" on "inbox_notification" ("user_id", "created_at");`);

    this.addSql(`create table "escalation_step" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "escalation_id" uuid not null, "level" int not null, "pass" int not null, "notified_user_ids" jsonb not null, constraint "escalation_step_pkey" primary key ("id"));`);

    this.addSql(`alter table "business_calendar_version" add constraint "business_calendar_version_calendar_id_foreign" foreign key ("calendar_id") references "business_calendar" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "sla_policy" add constraint "sla_policy_tier_id_foreign" foreign key ("tier_id") references "tier" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "sla_policy" add constraint "sla_policy_escalation_policy_id_foreign" foreign key ("escalation_policy_id") references "escalation_policy" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "outbound_event" add constraint "outbound_event_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "organization_calendar_change" add constraint "organization_calendar_change_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "organization_calendar_change" add constraint "organization_calendar_change_calendar_id_foreign" foreign key ("calendar_id") references "business_calendar" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "ticket_clock" add constraint "ticket_clock_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ticket_clock" add constraint "ticket_clock_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "sla_alert" add constraint "sla_alert_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "sla_alert" add constraint "sla_alert_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "escalation" add constraint "escalation_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "escalation" add constraint "escalation_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "escalation" add constraint "escalation_policy_id_foreign" foreign key ("policy_id") references "escalation_policy" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "escalation" add constraint "escalation_acknowledged_by_id_foreign" foreign key ("acknowledged_by_id") references "app_user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "inbox_notification" add constraint "inbox_notification_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "inbox_notification" add constraint "inbox_notification_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "inbox_notification" add constraint "inbox_notification_escalation_id_foreign" foreign key ("escalation_id") references "escalation" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "escalation_step" add constraint "escalation_step_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "escalation_step" add constraint "escalation_step_escalation_id_foreign" foreign key ("escalation_id") references "escalation" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "organization" add column "calendar_id" uuid null;`);
    this.addSql(`alter table "organization" add constraint "organization_calendar_id_foreign" foreign key ("calendar_id") references "business_calendar" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "business_calendar_version" drop constraint "business_calendar_version_calendar_id_foreign";`);

    this.addSql(`alter table "organization" drop constraint "organization_calendar_id_foreign";`);

    this.addSql(`alter table "organization_calendar_change" drop constraint "organization_calendar_change_calendar_id_foreign";`);

    this.addSql(`alter table "sla_policy" drop constraint "sla_policy_escalation_policy_id_foreign";`);

    this.addSql(`alter table "escalation" drop constraint "escalation_policy_id_foreign";`);

    this.addSql(`alter table "inbox_notification" drop constraint "inbox_notification_escalation_id_foreign";`);

    this.addSql(`alter table "escalation_step" drop constraint "escalation_step_escalation_id_foreign";`);

    this.addSql(`drop table if exists "business_calendar" cascade;`);

    this.addSql(`drop table if exists "business_calendar_version" cascade;`);

    this.addSql(`drop table if exists "escalation_policy" cascade;`);

    this.addSql(`drop table if exists "on_call_schedule" cascade;`);

    this.addSql(`drop table if exists "team" cascade;`);

    this.addSql(`drop table if exists "sla_policy" cascade;`);

    this.addSql(`drop table if exists "outbound_event" cascade;`);

    this.addSql(`drop table if exists "organization_calendar_change" cascade;`);

    this.addSql(`drop table if exists "ticket_clock" cascade;`);

    this.addSql(`drop table if exists "sla_alert" cascade;`);

    this.addSql(`drop table if exists "escalation" cascade;`);

    this.addSql(`drop table if exists "inbox_notification" cascade;`);

    this.addSql(`drop table if exists "escalation_step" cascade;`);

    this.addSql(`alter table "organization" drop column "calendar_id";`);
  }

}
