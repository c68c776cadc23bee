import { ConsoleRenderMacroDocument } from '@tierdesk/schema';
import { ApiError, execute, failureResponse } from '../lib/api.server';
import { requireStaff } from '../lib/console.server';
import type { RenderedMacro } from '../lib/macros';
import type { Route } from './+types/console.macros.render';

/** The API's refusals a picker can explain in place, as HTTP statuses. */
const STATUS_BY_CODE: Record<string, number> = { NOT_FOUND: 404, BAD_USER_INPUT: 400, CONFLICT: 409 };

/**
 * A saved reply filled in for one ticket, for the workspace's macro picker: GET ?macro=<id>&ticket=<id> answers
 * JSON `{ body, visibility, status }` (renderMacro). Staff only: `requireStaff` refuses customers with a 403 and
 * sends the signed-out to sign-in. An unknown, deactivated or broken macro answers `{ error }` with 404, 409 or 400.
 */
export async function loader(args: Route.LoaderArgs) {
  const { api } = await requireStaff(args);
  const macroId = args.url.searchParams.get('macro') ?? '';
  const ticketId = args.url.searchParams.get('ticket') ?? '';
  if (!macroId || !ticketId) return Response.json({ error: 'Choose a saved reply and a ticket.' }, { status: 400 });
  try {
    const { renderMacro } = await execute(ConsoleRenderMacroDocument, { macroId, ticketId }, api.token);
    const rendered: RenderedMacro = { body: renderMacro.body, visibility: renderMacro.visibility, status: renderMacro.status ?? null };
    return Response.json(rendered, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    const status = error instanceof ApiError ? STATUS_BY_CODE[error.code ?? ''] : undefined;
    if (status && error instanceof ApiError) return Response.json({ error: error.userMessage }, { status });
    return failureResponse(args, error);
  }
}
