import { Migration } from '@mikro-orm/migrations';

/**
 * The figures of every rate limiter (sign-in failures, request budgets), in the shape rate-limiter-flexible's
 * PostgreSQL store reads: `key` is the limiter's prefix and the caller, `expire` epoch milliseconds.
 */
export class Migration20261202120000_rate_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "rate_limit" ("key" varchar(255) primary key, "points" integer not null default 0, "expire" bigint);`);
    this.addSql(`create index "rate_limit_expire_index" on "rate_limit" ("expire");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table "rate_limit";`);
  }
}
