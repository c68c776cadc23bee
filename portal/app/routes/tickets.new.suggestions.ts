import { SUGGEST_DESCRIPTION_MAX } from '../lib/kb';
import { suggestArticles } from '../lib/kb.server';
import { sessionToken } from '../lib/session.server';
import type { Route } from './+types/tickets.new.suggestions';

/**
 * Suggested articles for the ticket being written (`suggestArticles`), fetched by the new-ticket form as the
 * customer types. A resource route (no page): GET ?subject=…&description=… answers { suggestions }. Suggestions
 * follow the reader's visibility, so the session token goes along when there is one.
 */
export async function loader({ request, url }: Route.LoaderArgs) {
  const subject = url.searchParams.get('subject') ?? '';
  const description = (url.searchParams.get('description') ?? '').slice(0, SUGGEST_DESCRIPTION_MAX);
  return { suggestions: await suggestArticles(await sessionToken(request), subject, description) };
}
