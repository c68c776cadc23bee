import { ConsoleMacroChoicesDocument } from '@tierdesk/schema';
import type { PortalApi } from './api.server';
import type { MacroChoice } from './macros';

/** The picker lists at most this many (by title); a team with more searches on the macros page. */
const PICKER_LIMIT = 100;

/**
 * The active saved replies for `<MacroPicker macros={…}>`, by title. For a console loader: pass the `api` that
 * `requireStaff(args)` returned, e.g. `macros: await activeMacroChoices(api)`.
 */
export async function activeMacroChoices(api: PortalApi): Promise<MacroChoice[]> {
  const { macros } = await api.run(ConsoleMacroChoicesDocument, { first: PICKER_LIMIT });
  return macros.nodes.map((macro) => ({ id: macro.id, title: macro.title }));
}
