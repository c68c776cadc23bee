import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ReadAccess, type AccessRule } from '../../shared/access.js';
import { Node, UserError, type WithUserErrors } from '../../shared/graphql.js';
import { toGlobalId } from '../../shared/ids.js';
import { ConnectionType } from '../../shared/pagination.js';
import { CommentVisibility, TicketStatus } from '../vocabulary/index.js';
import type { Macro } from './macro.entity.js';
import { MACRO_LIMITS } from './macro.policy.js';

/** Saved replies are the support team's: any staff role reads them, by every path (a payload, `node(id:)`). */
export const MACROS_READ: AccessRule = { staff: 'ANY' };

@ObjectType('Macro', { implements: Node, description: "A saved reply: Markdown with placeholders, the support team's own." })
@ReadAccess(MACROS_READ)
export class MacroType extends Node {
  @Field(() => String, { description: `Unique regardless of case; at most ${MACRO_LIMITS.title} characters.` })
  title: string;

  @Field(() => String, {
    description: `Markdown with placeholders such as {{requester.firstName}} (see renderMacro); at most ${MACRO_LIMITS.body} characters.`,
  })
  body: string;

  @Field(() => CommentVisibility, { description: 'Whether inserting it starts a public reply or an internal note.' })
  visibility: CommentVisibility;

  @Field(() => TicketStatus, { nullable: true, description: 'The status to set once the reply is sent; null leaves it alone.' })
  statusAfterSend: TicketStatus | null;

  @Field(() => Boolean, { description: 'Inactive macros are offered to nobody; editors still see them.' })
  active: boolean;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date)
  updatedAt: Date;

  macroId: string;
  createdById: string | null;
  updatedById: string | null;

  static from(macro: Macro): MacroType {
    return Object.assign(new MacroType(), {
      id: toGlobalId('Macro', macro.id),
      macroId: macro.id,
      title: macro.title,
      body: macro.body,
      visibility: macro.visibility,
      statusAfterSend: macro.statusAfterSend,
      active: macro.active,
      createdAt: macro.createdAt,
      updatedAt: macro.updatedAt,
      createdById: macro.createdBy?.id ?? null,
      updatedById: macro.updatedBy?.id ?? null,
    });
  }
}

export const MacroConnection = ConnectionType('Macro', MacroType);

@ObjectType({ description: 'A saved reply filled in for one ticket, ready to insert into the reply box.' })
export class RenderedMacro {
  @Field(() => MacroType)
  macro: MacroType;

  @Field(() => String, { description: 'The body with every placeholder filled for the ticket and the staff member asking.' })
  body: string;

  @Field(() => CommentVisibility)
  visibility: CommentVisibility;

  @Field(() => TicketStatus, { nullable: true, description: 'The status to set once the reply is sent (the macro’s statusAfterSend).' })
  status: TicketStatus | null;
}

@InputType()
export class CreateMacroInput {
  @Field(() => String, { description: `1 to ${MACRO_LIMITS.title} characters, unique regardless of case.` })
  title: string;

  @Field(() => String, { description: `Markdown with known placeholders only; at most ${MACRO_LIMITS.body} characters.` })
  body: string;

  @Field(() => CommentVisibility, { nullable: true, description: 'Default PUBLIC.' })
  visibility?: CommentVisibility | null;

  @Field(() => TicketStatus, { nullable: true })
  statusAfterSend?: TicketStatus | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  active?: boolean | null;
}

@InputType({ description: 'Changes the fields given; a field left out keeps its value.' })
export class UpdateMacroInput {
  @Field(() => ID)
  id: string;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  body?: string | null;

  @Field(() => CommentVisibility, { nullable: true })
  visibility?: CommentVisibility | null;

  @Field(() => TicketStatus, { nullable: true, description: 'null clears it (the status is left alone after sending).' })
  statusAfterSend?: TicketStatus | null;

  @Field(() => Boolean, { nullable: true, description: 'false deactivates, true reactivates.' })
  active?: boolean | null;
}

@InputType()
export class DeleteMacroInput {
  @Field(() => ID)
  id: string;
}

@ObjectType()
export class MacroPayload implements WithUserErrors {
  @Field(() => MacroType, { nullable: true })
  macro: MacroType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class DeleteMacroPayload implements WithUserErrors {
  @Field(() => ID, { nullable: true })
  deletedMacroId: string | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
