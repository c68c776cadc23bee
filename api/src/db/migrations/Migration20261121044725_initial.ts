import { Migration } from '@mikro-orm/migrations';

export class Migration20261121044725_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "tier" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "key" varchar(40) not null, "name" varchar(80) not null, "rank" int not null, "description" text not null, "min_contract_value" int not null default 0, "min_monthly_usage" int not null default 0, "requires_business_critical" boolean not null default false, "requires_strategic" boolean not null default false, constraint "tier_pkey" primary key ("id"));`);
    this.addSql(`alter table "tier" add constraint "tier_key_unique" unique ("key");`);
    this.addSql(`alter table "tier" add constraint "tier_rank_unique" unique ("rank");`);

    this.addSql(`create table "organization" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "slug" varchar(63) not null, "name" varchar(200) not null, "region" varchar(40) not null, "time_zone" varchar(64) not null, "business_critical" boolean not null default false, "contract_value" int not null default 0, "monthly_usage" int not null default 0, "strategic" boolean not null default false, "tier_id" uuid not null, "ticket_sequence" int not null default 0, constraint "organization_pkey" primary key ("id"));`);
    this.addSql(`alter table "organization" add constraint "organization_slug_unique" unique ("slug");`);

    this.addSql(`create table "entitlement_override" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "feature" varchar(80) not null, "value" jsonb null, "effective_from" timestamptz not null, "effective_until" timestamptz null, "reason" text not null, "created_by" varchar(200) not null, constraint "entitlement_override_pkey" primary key ("id"));`);
    this.addSql(`create index "entitlement_override_organization_id_feature_index" on "entitlement_override" ("organization_id", "feature");`);

    this.addSql(`create table "api_key" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid null, "name" varchar(120) not null, "prefix" varchar(16) not null, "secret_hash" varchar(64) not null, "scopes" text[] not null, "staff_role" text check ("staff_role" in ('AGENT', 'SPECIALIST', 'ON_CALL_ENGINEER', 'ADMIN')) null, "created_by" varchar(200) not null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, constraint "api_key_pkey" primary key ("id"));`);
    this.addSql(`alter table "api_key" add constraint "api_key_prefix_unique" unique ("prefix");`);

    this.addSql(`create table "tier_change" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "from_tier_id" uuid null, "to_tier_id" uuid not null, "reason" text not null, "changed_by" varchar(200) not null, constraint "tier_change_pkey" primary key ("id"));`);

    this.addSql(`create table "tier_entitlement" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "tier_id" uuid not null, "feature" varchar(80) not null, "value" jsonb null, constraint "tier_entitlement_pkey" primary key ("id"));`);
    this.addSql(`alter table "tier_entitlement" add constraint "tier_entitlement_tier_id_feature_unique" unique ("tier_id", "feature");`);

    this.addSql(`create table "app_user" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "email" varchar(254) not null, "name" varchar(200) not null, "password_hash" text null, "organization_id" uuid null, "customer_role" text check ("customer_role" in ('MEMBER', 'ADMIN')) null, "staff_role" text check ("staff_role" in ('AGENT', 'SPECIALIST', 'ON_CALL_ENGINEER', 'ADMIN')) null, "active" boolean not null default true, constraint "app_user_pkey" primary key ("id"));`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);

    this.addSql(`create table "ticket" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "number" int not null, "requester_id" uuid null, "requester_name" varchar(200) not null, "requester_email" varchar(254) null, "subject" varchar(200) not null, "description" text not null, "priority" text check ("priority" in ('LOW', 'NORMAL', 'HIGH', 'URGENT')) not null, "impact" text check ("impact" in ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')) not null, "channel" text check ("channel" in ('PORTAL', 'EMAIL', 'API', 'CHAT', 'PHONE')) not null, "status" text check ("status" in ('NEW', 'OPEN', 'WAITING_ON_CUSTOMER', 'ON_HOLD', 'SOLVED', 'CLOSED')) not null default 'NEW', "assignee_id" uuid null, "solved_at" timestamptz null, "closed_at" timestamptz null, constraint "ticket_pkey" primary key ("id"));`);
    this.addSql(`create index "ticket_organization_id_created_at_id_index" on "ticket" ("organization_id", "created_at", "id");`);
    this.addSql(`alter table "ticket" add constraint "ticket_organization_id_number_unique" unique ("organization_id", "number");`);

    this.addSql(`create table "ticket_event" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "ticket_id" uuid not null, "type" varchar(40) not null, "actor" varchar(200) not null, "actor_name" varchar(200) not null, "data" jsonb not null, constraint "ticket_event_pkey" primary key ("id"));`);
    this.addSql(`create index "ticket_event_ticket_id_created_at_index" on "ticket_event" ("ticket_id", "created_at");`);

    this.addSql(`create table "session" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "user_id" uuid not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, constraint "session_pkey" primary key ("id"));`);
    this.addSql(`alter table "session" add constraint "session_token_hash_unique" unique ("token_hash");`);

    this.addSql(`create table "ticket_comment" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "ticket_id" uuid not null, "author_id" uuid null, "author_name" varchar(200) not null, "by_staff" boolean not null, "body" text not null, "visibility" text check ("visibility" in ('PUBLIC', 'INTERNAL')) not null, constraint "ticket_comment_pkey" primary key ("id"));`);
    this.addSql(`create index "ticket_comment_ticket_id_created_at_index" on "ticket_comment" ("ticket_id", "created_at");`);

    this.addSql(`alter table "organization" add constraint "organization_tier_id_foreign" foreign key ("tier_id") references "tier" ("id") on update cascade;`);

    this.addSql(`alter table "entitlement_override" add constraint "entitlement_override_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "api_key" add constraint "api_key_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "tier_change" add constraint "tier_change_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "tier_change" add constraint "tier_change_from_tier_id_foreign" foreign key ("from_tier_id") references "tier" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "tier_change" add constraint "tier_change_to_tier_id_foreign" foreign key ("to_tier_id") references "tier" ("id") on update cascade;`);

    this.addSql(`alter table "tier_entitlement" add constraint "tier_entitlement_tier_id_foreign" foreign key ("tier_id") references "tier" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "app_user" add constraint "app_user_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "ticket" add constraint "ticket_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ticket" add constraint "ticket_requester_id_foreign" foreign key ("requester_id") references "app_user" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "ticket" add constraint "ticket_assignee_id_foreign" foreign key ("assignee_id") references "app_user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "ticket_event" add constraint "ticket_event_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ticket_event" add constraint "ticket_event_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "session" add constraint "session_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "ticket_comment" add constraint "ticket_comment_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ticket_comment" add constraint "ticket_comment_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ticket_comment" add constraint "ticket_comment_author_id_foreign" foreign key ("author_id") references "app_user" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "organization" drop constraint "organization_tier_id_foreign";`);

    this.addSql(`alter table "tier_change" drop constraint "tier_change_from_tier_id_foreign";`);

    this.addSql(`alter table "tier_change" drop constraint "tier_change_to_tier_id_foreign";`);

    this.addSql(`alter table "tier_entitlement" drop constraint "tier_entitlement_tier_id_foreign";`);

    this.addSql(`alter table "entitlement_override" drop constraint "entitlement_override_organization_id_foreign";`);

    this.addSql(`alter table "api_key" drop constraint "api_key_organization_id_foreign";`);

    this.addSql(`alter table "tier_change" drop constraint "tier_change_organization_id_foreign";`);

    this.addSql(`alter table "app_user" drop constraint "app_user_organization_id_foreign";`);

    this.addSql(`alter table "ticket" drop constraint "ticket_organization_id_foreign";`);

    this.addSql(`alter table "ticket_event" drop constraint "ticket_event_organization_id_foreign";`);

    this.addSql(`alter table "ticket_comment" drop constraint "ticket_comment_organization_id_foreign";`);

    this.addSql(`alter table "ticket" drop constraint "ticket_requester_id_foreign";`);

    this.addSql(`alter table "ticket" drop constraint "ticket_assignee_id_foreign";`);

    this.addSql(`alter table "session" drop constraint "session_user_id_foreign";`);

    this.addSql(`alter table "ticket_comment" drop constraint "ticket_comment_author_id_foreign";`);

    this.addSql(`alter table "ticket_event" drop constraint "ticket_event_ticket_id_foreign";`);

    this.addSql(`alter table "ticket_comment" drop constraint "ticket_comment_ticket_id_foreign";`);

    this.addSql(`drop table if exists "tier" cascade;`);

    this.addSql(`drop table if exists "organization" cascade;`);

    this.addSql(`drop table if exists "entitlement_override" cascade;`);

    this.addSql(`drop table if exists "api_key" cascade;`);

    this.addSql(`drop table if exists "tier_change" cascade;`);

    this.addSql(`drop table if exists "tier_entitlement" cascade;`);

    this.addSql(`drop table if exists "app_user" cascade;`);

    this.addSql(`drop table if exists "ticket" cascade;`);

    this.addSql(`drop table if exists "ticket_event" cascade;`);

    this.addSql(`drop table if exists "session" cascade;`);

    this.addSql(`drop table if exists "ticket_comment" cascade;`);
  }

}
