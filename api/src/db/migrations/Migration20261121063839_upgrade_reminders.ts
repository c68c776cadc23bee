import { Migration } from '@mikro-orm/migrations';

export class Migration20261121063839_upgrade_reminders extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "upgrade_reminder" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "organization_id" uuid not null, "suggested_tier_key" varchar(40) not null, "reasons" jsonb not null, "dismissed_at" timestamptz null, constraint "upgrade_reminder_pkey" primary key ("id"));`);
    this.addSql(`create index "upgrade_reminder_organization_id_suggested_tier_key_index" on "upgrade_reminder" ("organization_id", "suggested_tier_key");`);

    this.addSql(`alter table "upgrade_reminder" add constraint "upgrade_reminder_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "upgrade_reminder" cascade;`);
  }

}
