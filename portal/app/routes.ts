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
  // The staff console: its own layout (presence, notifications, role), for staff only; customers are refused.
  route('console', 'routes/console-layout.tsx', [
    index('routes/console._index.tsx'),
    route('kb', 'routes/console.kb.tsx'),
    route('kb/new', 'routes/console.kb.new.tsx'),
    route('kb/:slug', 'routes/console.kb.$slug.tsx'),
    route('kb/:slug/versions', 'routes/console.kb.$slug.versions.tsx'),
    route('tickets/:id', 'routes/console.tickets.$id.tsx'),
    route('me', 'routes/console.me.tsx'),
    route('macros', 'routes/console.macros.tsx'),
  ]),
  route('console/presence', 'routes/console.presence.ts'),
  // Saved replies filled in for a ticket, as JSON for the workspace's macro picker.
  route('console/macros/render', 'routes/console.macros.render.ts'),
  route('console/views/counts', 'routes/console.views.counts.ts'),
  // The help center is open to anyone (signed-in customers also see the articles of their tier).
  layout('routes/help-layout.tsx', [route('help', 'routes/help.tsx'), route('help/:slug', 'routes/help.$slug.tsx')]),
  // Suggested articles for the new-ticket form (a resource route its fetcher loads).
  route('tickets/new/suggestions', 'routes/tickets.new.suggestions.ts'),
  route('*', 'routes/not-found.tsx'),
] satisfies RouteConfig;
