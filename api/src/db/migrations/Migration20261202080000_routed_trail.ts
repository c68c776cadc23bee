import { Migration } from '@mikro-orm/migrations';

/**
 * A queue's own first-response target now reaches the SLA clocks through the ticket's trail (a ROUTED entry when
 * routing puts the ticket in a queue), so the SLA module no longer reads routing's tables. Tickets routed before
 * this get that entry at the instant they were routed, with the target their queue has now.
 */
export class Migration20261202080000_routed_trail extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      insert into "ticket_event" ("id", "created_at", "updated_at", "organization_id", "ticket_id", "type", "actor", "actor_name", "data")
      select gen_random_uuid(), d."created_at", d."created_at", d."organization_id", d."ticket_id", 'ROUTED', 'system:routing', 'Tierdesk routing',
             jsonb_build_object('queue', q."key", 'queueName', q."name", 'targetMinutes', q."target_minutes")
        from "routing_decision" d join "queue" q on q."id" = d."queue_id"
       where not exists (select 1 from "ticket_event" e where e."ticket_id" = d."ticket_id" and e."type" = 'ROUTED');`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "ticket_event" where "type" = 'ROUTED';`);
  }
}
