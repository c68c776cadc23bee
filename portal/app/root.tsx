import type { ReactNode } from 'react';
import { Links, Meta, Outlet, Scripts, ScrollRestoration } from 'react-router';
import stylesheet from './app.css?url';
import { ErrorMessage } from './components/error-message';
import type { Route } from './+types/root';

export const links: Route.LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  // No favicon yet: an empty one saves every page a 404 round trip.
  { rel: 'icon', href: 'data:,' },
];

export function Layout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function meta() {
  return [{ title: 'Tierdesk support' }];
}

/** The last line of defence: a friendly page, never a stack trace (details stay in the server log). */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return (
    <>
      <header className="site-header">
        <a className="brand" href="/">
          Tierdesk support
        </a>
      </header>
      <main className="page">
        <ErrorMessage error={error} />
      </main>
    </>
  );
}
