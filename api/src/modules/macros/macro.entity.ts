import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/entity.js';
import { User } from '../identity/index.js';
import { CommentVisibility, TicketStatus } from '../vocabulary/index.js';

/**
 * A saved reply (macro): Markdown with placeholders that the staff fill into a ticket's reply or note. Owned by the
 * support team, like queues, not by an organization: there is no tenant column and no tenant filter.
 */
@Entity({ tableName: 'macro' })
@Unique({ name: 'macro_title_key_unique', expression: 'create unique index "macro_title_key_unique" on "macro" (lower("title"))' })
@Index({ properties: ['active', 'title'] })
export class Macro extends BaseEntity {
  /** Trimmed; unique regardless of case. */
  @Property({ type: 'string', length: 120 })
  title: string;

  @Property({ type: 'text' })
  body: string;

  /** Whether inserting it starts a public reply or an internal note (the sender may still switch). */
  @Enum({ items: () => CommentVisibility })
  visibility: CommentVisibility;

  /** The ticket status to set once the reply is sent; null leaves the status alone. */
  @Enum({ items: () => TicketStatus, nullable: true })
  statusAfterSend: TicketStatus | null = null;

  /** Inactive macros stay listed for editors but are offered to nobody. */
  @Property({ type: 'boolean' })
  active: boolean = true;

  /** Null when written by the system (the demo seed) or a staff API key. */
  @ManyToOne({ entity: () => User, nullable: true, deleteRule: 'set null' })
  createdBy: User | null = null;

  @ManyToOne({ entity: () => User, nullable: true, deleteRule: 'set null' })
  updatedBy: User | null = null;
}
