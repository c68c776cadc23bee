import { Migration } from '@mikro-orm/migrations';

/**
 * An escalation's reason was shown to customers as written for staff: routing pages quoted rule names and classifier
 * confidences, customer escalations a "Customer escalation:" prefix. The old text is kept whole as the internal reason
 * (staff only); the public one is derived: the customer's own words, an SLA sentence as it stands (it only names the
 * missed target), else the plain sentence the code now writes for that trigger. The sentences are copied here, not
 * imported: a migration describes the data as it was when it ran.
 */
export class Migration20261202130000_escalation_reasons extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "escalation" rename column "reason" to "internal_reason";`);
    this.addSql(`alter table "escalation" add column "public_reason" text null;`);
    this.addSql(`
      update "escalation" set "public_reason" = case
        when "trigger" = 'CUSTOMER' and "internal_reason" like 'Customer escalation: %'
          then substr("internal_reason", length('Customer escalation: ') + 1)
        when "trigger" in ('SLA_WARNING', 'SLA_BREACH') and "internal_reason" ~ '^The [a-z ]+ target of [0-9]+ min (was missed|is about to be missed)$'
          then "internal_reason"
        when "trigger" = 'SLA_WARNING' then 'A response target is about to be missed.'
        when "trigger" = 'SLA_BREACH' then 'A response target was missed.'
        when "trigger" = 'CUSTOMER' then 'Your organization escalated this ticket.'
        when "trigger" = 'STAFF' then 'The support team escalated this ticket.'
        else 'The ticket was urgent enough for the on-call engineers to be alerted as soon as it arrived.'
      end;`);
    this.addSql(`alter table "escalation" alter column "public_reason" set not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "escalation" drop column "public_reason";`);
    this.addSql(`alter table "escalation" rename column "internal_reason" to "reason";`);
  }
}
