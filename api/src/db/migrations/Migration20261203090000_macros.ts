import { Migration } from '@mikro-orm/migrations';

/** Saved replies (macros): the support team's own, so no organization column and no tenant filter. */
export class Migration20261203090000_macros extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "macro" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "title" varchar(120) not null, "body" text not null, "visibility" text check ("visibility" in ('PUBLIC', 'INTERNAL')) not null, "status_after_send" text check ("status_after_send" in ('NEW', 'OPEN', 'WAITING_ON_CUSTOMER', 'ON_HOLD', 'SOLVED', 'CLOSED')) null, "active" boolean not null default true, "created_by_id" uuid null, "updated_by_id" uuid null, constraint "macro_pkey" primary key ("id"));`);
    // Titles are unique regardless of case: "Asking for logs" and "asking for logs" would be one reply to the picker.
    this.addSql(`create unique index "macro_title_key_unique" on "macro" (lower("title"));`);
    this.addSql(`create index "macro_active_title_index" on "macro" ("active", "title");`);
    this.addSql(`alter table "macro" add constraint "macro_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "macro" add constraint "macro_updated_by_id_foreign" foreign key ("updated_by_id") references "app_user" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "macro" cascade;`);
  }
}
