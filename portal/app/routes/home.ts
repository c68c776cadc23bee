import { redirect } from 'react-router';
import { sessionToken } from '../lib/session.server';
import type { Route } from './+types/home';

// A stale token is not checked here: the dashboard finds out, and sends the browser to sign in.
export async function loader({ request }: Route.LoaderArgs) {
  return redirect((await sessionToken(request)) ? '/dashboard' : '/signin');
}
