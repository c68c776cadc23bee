import { PortalViewerDocument } from '@tierdesk/schema';
import { data, Form, Link, NavLink, Outlet } from 'react-router';
import type { ErrorBody } from '../components/error-message';
import { requireApi } from '../lib/api.server';
import { CONSOLE_LANDING } from '../lib/session.server';
import type { Route } from './+types/portal-layout';

export async function loader(args: Route.LoaderArgs) {
  const api = await requireApi(args);
  const { viewer } = await api.run(PortalViewerDocument, {});
  if (viewer.kind === 'STAFF') {
    throw data(
      {
        message: 'The support portal is for customer accounts. Support staff work in the staff console.',
        back: { to: CONSOLE_LANDING, label: 'Go to the staff console' },
      } satisfies ErrorBody,
      { status: 403 },
    );
  }
  if (!viewer.organization) {
    // Partner accounts have no organization of their own to show; the portal is for customers.
    throw data(
      {
        message: 'The support portal is for customer accounts. Sign in with the account of your organization.',
        back: { to: '/signin', label: 'Sign in with another account' },
      } satisfies ErrorBody,
      { status: 403 },
    );
  }
  return {
    userName: viewer.user?.name ?? null,
    organizationName: viewer.organization.name,
    tier: { key: viewer.organization.tier.key, name: viewer.organization.tier.name },
  };
}

export default function PortalLayout({ loaderData }: Route.ComponentProps) {
  const { organizationName, tier, userName } = loaderData;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link className="brand" to="/dashboard">
          Tierdesk support
        </Link>
        <nav aria-label="Main" className="site-nav">
          <NavLink to="/dashboard" end>
            Dashboard
          </NavLink>
          <NavLink to="/tickets/new">New ticket</NavLink>
          <NavLink to="/plans">Plans</NavLink>
          <NavLink to="/help">Help center</NavLink>
        </nav>
        <div className="account">
          <span className="org-name">{organizationName}</span>
          <span className={`tier-badge tier-badge--${tier.key}`} title={`Support tier: ${tier.name}`}>
            <span className="visually-hidden">Support tier: </span>
            {tier.name}
          </span>
          {userName ? <span className="user-name">{userName}</span> : null}
          <Form method="post" action="/signout">
            <button type="submit" className="button button--link">
              Sign out
            </button>
          </Form>
        </div>
      </header>
      <main className="page" id="main">
        <Outlet />
      </main>
    </>
  );
}
