import { ConsoleViewCountsDocument } from '@tierdesk/schema';
import { requireStaff } from '../lib/console.server';
import type { Route } from './+types/console.views.counts';

/** The counts of every view (one statement): an open view polls this and re-reads its page only when they move. */
export async function loader(args: Route.LoaderArgs) {
  const { api } = await requireStaff(args);
  const { ticketViewCounts } = await api.run(ConsoleViewCountsDocument, {});
  return { counts: ticketViewCounts };
}
