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
    route('plans', 'routes/plans.tsx'),
    route('plans/change', 'routes/plans.change.tsx'),
    route('plans/success', 'routes/plans.success.tsx'),
  ]),
  // The help center is open to anyone (signed-in customers also see the articles of their tier).
  layout('routes/help-layout.tsx', [route('help', 'routes/help.tsx'), route('help/:slug', 'routes/help.$slug.tsx')]),
  // Suggested articles for the new-ticket form (a resource route its fetcher loads).
  route('tickets/new/suggestions', 'routes/tickets.new.suggestions.ts'),
  route('*', 'routes/not-found.tsx'),
] satisfies RouteConfig;
