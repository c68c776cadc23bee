import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Access } from '../../shared/access.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { mutationPayload } from '../../shared/graphql.js';
import { fromGlobalId } from '../../shared/ids.js';
import { andThen, type MaybePromise } from '../../shared/loaders.js';
import { PageArgs, pageRequest, type Connection } from '../../shared/pagination.js';
import { loadUser, UserType } from '../identity/index.js';
import { CommentVisibility } from '../vocabulary/index.js';
import { MACRO_EDITORS } from './macro.policy.js';
import { createMacro, deleteMacro, getMacro, listMacros, renderMacroForTicket, updateMacro, type MacroCursor } from './macro.service.js';
import {
  CreateMacroInput,
  DeleteMacroInput,
  DeleteMacroPayload,
  MacroConnection,
  MacroPayload,
  MacroType,
  MACROS_READ,
  RenderedMacro,
  UpdateMacroInput,
} from './macro.types.js';

/** Macros page by title: the cursor carries the title and id of the last one, opaque to clients. */
function encodeCursor(position: MacroCursor): string {
  return Buffer.from(JSON.stringify(['macro', position.title, position.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): MacroCursor {
  const invalid = new AppError('INVALID_CURSOR', '"after" is not a valid cursor.', { field: ['after'] });
  if (cursor.length > 400) throw invalid;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== 'macro') throw invalid;
    const [, title, id] = parsed as unknown[];
    if (typeof title !== 'string' || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw invalid;
    return { title, id };
  } catch {
    throw invalid;
  }
}

function user(ctx: RequestContext, id: string | null): MaybePromise<UserType | null> {
  if (!id) return null;
  return andThen(loadUser(ctx, id), (found) => (found ? UserType.from(found, true) : null));
}

@Resolver(() => MacroType)
export class MacroResolver {
  @Query(() => MacroConnection, {
    description: 'Saved replies by title. `search` matches title or body (at most 200 characters); inactive ones only when asked.',
  })
  @Access(MACROS_READ)
  async macros(
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
    @Arg('search', () => String, { nullable: true }) search?: string | null,
    @Arg('includeInactive', () => Boolean, { nullable: true, description: 'Default false.' }) includeInactive?: boolean | null,
  ): Promise<Connection<MacroType>> {
    const { first } = pageRequest({ first: page.first });
    const after = page.after ? decodeCursor(page.after) : null;
    const result = await listMacros(ctx, { first, after, search: search ?? null, includeInactive: includeInactive ?? false });
    const nodes = result.items.map(MacroType.from);
    const last = result.items.at(-1);
    return {
      nodes,
      edges: result.items.map((macro, index) => ({ node: nodes[index]!, cursor: encodeCursor(macro) })),
      pageInfo: { hasNextPage: result.hasNextPage, endCursor: last ? encodeCursor(last) : null },
      get totalCount() {
        return result.totalCount();
      },
    };
  }

  @Query(() => RenderedMacro, {
    description: 'A saved reply filled in for a ticket (placeholders from the ticket, its organization and tier, its SLA clocks, and you).',
  })
  @Access(MACROS_READ)
  async renderMacro(
    @Arg('macroId', () => ID) macroId: string,
    @Arg('ticketId', () => ID) ticketId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<RenderedMacro> {
    const rendered = await renderMacroForTicket(
      ctx,
      fromGlobalId('Macro', macroId, 'macroId'),
      fromGlobalId('Ticket', ticketId, 'ticketId'),
    );
    return Object.assign(new RenderedMacro(), { ...rendered, macro: MacroType.from(rendered.macro) });
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'Null when the system (the demo seed) or an API key wrote it.' })
  createdBy(@Root() macro: MacroType, @Ctx() ctx: RequestContext): MaybePromise<UserType | null> {
    return user(ctx, macro.createdById);
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'Who saved the current version; null for the system or an API key.' })
  updatedBy(@Root() macro: MacroType, @Ctx() ctx: RequestContext): MaybePromise<UserType | null> {
    return user(ctx, macro.updatedById);
  }

  @Mutation(() => MacroPayload, { description: 'A new saved reply. Unknown placeholders are refused at `body`, naming them.' })
  @Access({ staff: MACRO_EDITORS })
  async createMacro(@Arg('input', () => CreateMacroInput) input: CreateMacroInput, @Ctx() ctx: RequestContext): Promise<MacroPayload> {
    return mutationPayload(MacroPayload, async () => ({
      macro: MacroType.from(
        await createMacro(ctx, {
          title: input.title,
          body: input.body,
          visibility: input.visibility ?? CommentVisibility.PUBLIC,
          statusAfterSend: input.statusAfterSend ?? null,
          active: input.active ?? true,
        }),
      ),
    }));
  }

  @Mutation(() => MacroPayload, { description: 'Changes the fields given; `active: false` deactivates.' })
  @Access({ staff: MACRO_EDITORS })
  async updateMacro(@Arg('input', () => UpdateMacroInput) input: UpdateMacroInput, @Ctx() ctx: RequestContext): Promise<MacroPayload> {
    return mutationPayload(MacroPayload, async () => {
      const macro = await updateMacro(ctx, fromGlobalId('Macro', input.id), {
        title: input.title ?? undefined,
        body: input.body ?? undefined,
        visibility: input.visibility ?? undefined,
        // Only this field may be cleared: null here means "no status change after sending".
        statusAfterSend: input.statusAfterSend,
        active: input.active ?? undefined,
      });
      return { macro: MacroType.from(macro) };
    });
  }

  @Mutation(() => DeleteMacroPayload, { description: 'Removes a saved reply for good (deactivate it to keep it).' })
  @Access({ staff: MACRO_EDITORS })
  async deleteMacro(
    @Arg('input', () => DeleteMacroInput) input: DeleteMacroInput,
    @Ctx() ctx: RequestContext,
  ): Promise<DeleteMacroPayload> {
    return mutationPayload(DeleteMacroPayload, async () => {
      await deleteMacro(ctx, fromGlobalId('Macro', input.id));
      return { deletedMacroId: input.id };
    });
  }
}

/** `node(id:)` for macros: staff only, like `macros`. */
export async function macroNode(ctx: RequestContext, id: string): Promise<MacroType | null> {
  const macro = await getMacro(ctx, id);
  return macro && MacroType.from(macro);
}
