import { ConsoleSetPresenceDocument, type Presence } from '@tierdesk/schema';
import { data, redirect } from 'react-router';
import { requireStaff } from '../lib/console.server';
import { safeRedirectPath } from '../lib/session.server';
import type { Route } from './+types/console.presence';

const PRESENCES: readonly string[] = ['ONLINE', 'AWAY', 'OFFLINE'];

export function loader() {
  return redirect('/console');
}

/** Sets the signed-in staff member's own presence (ONLINE takes waiting tickets at once) and goes back. */
export async function action(args: Route.ActionArgs) {
  const { api } = await requireStaff(args);
  const form = await args.request.formData();
  const presence = String(form.get('presence') ?? '');
  if (!PRESENCES.includes(presence)) throw data({ message: 'Choose online, away or offline.' }, { status: 400 });
  const { setPresence } = await api.run(ConsoleSetPresenceDocument, {
    input: { presence: presence as Presence },
  });
  if (setPresence.userErrors.length > 0) throw data({ message: setPresence.userErrors[0]!.message }, { status: 400 });
  throw redirect(safeRedirectPath(form.get('redirectTo'), '/console'));
}
