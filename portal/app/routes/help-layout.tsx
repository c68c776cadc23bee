import { PortalViewerDocument } from '@tierdesk/schema';
import { Form, Link, NavLink, Outlet, useLocation } from 'react-router';
import kbStyles from '../kb.css?url';
import { signInHref } from '../lib/help-viewer';
import { PublicApi } from '../lib/kb.server';
import type { Route } from './+types/help-layout';

/**
 * The help center's frame. Unlike the rest of the portal it is open to anyone: signed out, the header offers
 * "Sign in" (and back); signed in, it is the portal's header, and searches include what the tier entitles to.
 */
export const links: Route.LinksFunction = () => [{ rel: 'stylesheet', href: kbStyles }];

export async function loader(args: Route.LoaderArgs) {
  const api = await PublicApi.open(args);
  if (!api.signedIn) return { viewer: null };
  const { viewer } = await api.run(PortalViewerDocument, {});
  return {
    viewer: {
      kind: viewer.kind,
      userName: viewer.user?.name ?? null,
      organizationName: viewer.organization?.name ?? null,
      tier: viewer.organization ? { key: viewer.organization.tier.key, name: viewer.organization.tier.name } : null,
    },
  };
}

export default function HelpLayout({ loaderData }: Route.ComponentProps) {
  const { viewer } = loaderData;
  const location = useLocation();
  const customer = viewer?.organizationName ? viewer : null;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link className="brand" to={customer ? '/dashboard' : '/help'}>
          Tierdesk support
        </Link>
        <nav aria-label="Main" className="site-nav">
          {customer ? (
            <>
              <NavLink to="/dashboard" end>
                Dashboard
              </NavLink>
              <NavLink to="/tickets/new">New ticket</NavLink>
            </>
          ) : null}
          <NavLink to="/help">Help center</NavLink>
        </nav>
        <div className="account">
          {viewer ? (
            <>
              {customer?.organizationName ? <span className="org-name">{customer.organizationName}</span> : null}
              {customer?.tier ? (
                <span className={`tier-badge tier-badge--${customer.tier.key}`} title={`Support tier: ${customer.tier.name}`}>
                  <span className="visually-hidden">Support tier: </span>
                  {customer.tier.name}
                </span>
              ) : null}
              {viewer.userName ? <span className="user-name">{viewer.userName}</span> : null}
              <Form method="post" action="/signout">
                <button type="submit" className="button button--link">
                  Sign out
                </button>
              </Form>
            </>
          ) : (
            <Link to={signInHref(`${location.pathname}${location.search}`)}>Sign in</Link>
          )}
        </div>
      </header>
      <main className="page" id="main">
        <Outlet />
      </main>
    </>
  );
}
