import { Migration } from '@mikro-orm/migrations';

export class Migration20261121061559_billing extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "stripe_event" ("id" varchar(255) not null, "type" varchar(80) not null, "organization_id" uuid null, "processed_at" timestamptz not null, constraint "stripe_event_pkey" primary key ("id"));`);

    this.addSql(`create table "billing_account" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "stripe_customer_id" varchar(255) not null, "stripe_subscription_id" varchar(255) null, "status" varchar(40) null, "price_lookup_key" varchar(120) null, "interval" varchar(10) null, "current_period_end" timestamptz null, "cancel_at_period_end" boolean not null default false, "pending_tier_key" varchar(40) null, "pending_interval" varchar(10) null, "trial_used" boolean not null default false, "dunning" varchar(12) not null default 'NONE', "grace_ends_at" timestamptz null, constraint "billing_account_pkey" primary key ("id"));`);
    this.addSql(`alter table "billing_account" add constraint "billing_account_organization_id_unique" unique ("organization_id");`);
    this.addSql(`alter table "billing_account" add constraint "billing_account_stripe_customer_id_unique" unique ("stripe_customer_id");`);
    this.addSql(`alter table "billing_account" add constraint "billing_account_stripe_subscription_id_unique" unique ("stripe_subscription_id");`);

    this.addSql(`alter table "billing_account" add constraint "billing_account_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "stripe_event" cascade;`);

    this.addSql(`drop table if exists "billing_account" cascade;`);
  }

}
