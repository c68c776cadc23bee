import { index, layout, route, type RouteConfig } from '@react-router/dev/routes';

export default [
  index('routes/home.ts'),
  route('signin', 'routes/signin.tsx'),
  route('signout', 'routes/signout.ts'),
  // Signed-in pages share the header (organization, tier badge, sign-out) and its viewer lookup.
  layout('routes/portal-layout.tsx', [
    route('dashboard', 'routes/dashboard.tsx'),
    route('tickets/new', 'routes/tickets.new.tsx'),
    route('tickets/:id', 'routes/tickets.$id.tsx'),
  ]),
  route('*', 'routes/not-found.tsx'),
] satisfies RouteConfig;
