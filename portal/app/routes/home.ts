import { PortalViewerDocument } from '@tierdesk/schema';
import { redirect } from 'react-router';
import { requireApi } from '../lib/api.server';
import { landingFor, sessionToken } from '../lib/session.server';
import type { Route } from './+types/home';

/** The site's root sends each visitor where they belong: sign-in, the staff console, or the customer dashboard. */
export async function loader(args: Route.LoaderArgs) {
  if (!(await sessionToken(args.request))) return redirect('/signin');
  const api = await requireApi(args);
  const { viewer } = await api.run(PortalViewerDocument, {});
  return redirect(landingFor(viewer.kind));
}
