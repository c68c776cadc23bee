import { SignOutDocument } from '@tierdesk/schema';
import { redirect } from 'react-router';
import { execute } from '../lib/api.server';
import { endSession, sessionToken } from '../lib/session.server';
import type { Route } from './+types/signout';

// Signing out changes state, so only POST does it; a GET (a typed URL, a prefetch) just goes home.
export function loader() {
  return redirect('/');
}

export async function action({ request }: Route.ActionArgs) {
  const token = await sessionToken(request);
  if (token) {
    try {
      await execute(SignOutDocument, {}, token);
    } catch (error) {
      // The cookie goes regardless: an expired or revoked session is signed out already.
      console.warn(`[portal] signOut failed; clearing the cookie anyway: ${error instanceof Error ? error.message : error}`);
    }
  }
  return redirect('/signin', { headers: { 'Set-Cookie': await endSession(request) } });
}
