import type { Presence } from '@tierdesk/schema';
import { Form, Link, NavLink, Outlet, useLocation, useSubmit } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { consoleAbilities, requireStaff } from '../lib/console.server';
import stylesheet from '../console.css?url';
import type { Route } from './+types/console-layout';

export const links: Route.LinksFunction = () => [{ rel: 'stylesheet', href: stylesheet }];

const PRESENCE_LABELS: Record<Presence, string> = { ONLINE: 'Online', AWAY: 'Away', OFFLINE: 'Offline' };
const PRESENCES: readonly Presence[] = ['ONLINE', 'AWAY', 'OFFLINE'];

const ROLE_LABELS = { AGENT: 'Agent', SPECIALIST: 'Specialist', ON_CALL_ENGINEER: 'On-call engineer', ADMIN: 'Admin' } as const;

export async function loader(args: Route.LoaderArgs) {
  const { staff } = await requireStaff(args);
  return { staff, roleLabel: ROLE_LABELS[staff.role], abilities: consoleAbilities(staff.role) };
}

/** The console's shell: dense, full width, with presence and unread notifications always in view. */
export default function ConsoleLayout({ loaderData }: Route.ComponentProps) {
  const { staff, roleLabel, abilities } = loaderData;
  const location = useLocation();
  const submit = useSubmit();
  const back = `${location.pathname}${location.search}`;
  return (
    <div className="console">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="console-header">
        <Link className="brand" to="/console">
          Tierdesk console
        </Link>
        <nav aria-label="Console" className="console-nav">
          <NavLink to="/console" end>
            Views
          </NavLink>
          <NavLink to="/console/me">
            My work
            {staff.unreadNotifications > 0 ? (
              <span className="count-badge" data-testid="unread-notifications">
                <span className="visually-hidden">, unread notifications: </span>
                {staff.unreadNotifications}
              </span>
            ) : null}
          </NavLink>
          <NavLink to="/console/macros">Saved replies</NavLink>
          {abilities.editArticles ? <NavLink to="/console/kb">Knowledge base</NavLink> : null}
        </nav>
        <div className="console-account">
          {staff.presence ? (
            <Form method="post" action="/console/presence" className="presence-form">
              <input type="hidden" name="redirectTo" value={back} />
              <label htmlFor="presence" className="visually-hidden">
                Your presence
              </label>
              <span className={`presence-dot presence-dot--${staff.presence.toLowerCase()}`} aria-hidden="true" />
              <select
                id="presence"
                name="presence"
                defaultValue={staff.presence}
                key={staff.presence}
                data-testid="presence"
                onChange={(event) => submit(event.currentTarget.form)}
              >
                {PRESENCES.map((presence) => (
                  <option key={presence} value={presence}>
                    {PRESENCE_LABELS[presence]}
                  </option>
                ))}
              </select>
              <noscript>
                <button type="submit" className="button button--small">
                  Set
                </button>
              </noscript>
            </Form>
          ) : null}
          <span className="user-name">
            {staff.name} <span className="role-badge">{roleLabel}</span>
          </span>
          <Form method="post" action="/signout">
            <button type="submit" className="button button--link">
              Sign out
            </button>
          </Form>
        </div>
      </header>
      <main className="console-main" id="main">
        <Outlet />
      </main>
    </div>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return (
    <main className="page">
      <ErrorMessage error={error} back={{ to: '/console', label: 'Back to your views' }} />
    </main>
  );
}
