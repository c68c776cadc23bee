import { useRouteLoaderData } from 'react-router';
import type { loader } from '../routes/help-layout';

/** The help center's reader (from its layout), for its pages: null when signed out. */
export function useHelpViewer() {
  return useRouteLoaderData<typeof loader>('routes/help-layout')?.viewer ?? null;
}

/** The sign-in page, coming back to `back` afterwards. */
export function signInHref(back: string): string {
  return `/signin?${new URLSearchParams({ redirectTo: back })}`;
}
