import { PlanSuccessDocument } from '@tierdesk/schema';
import { useEffect, useState } from 'react';
import { data, Link, useLocation, useRevalidator } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { requireApi } from '../lib/api.server';
import { hasLiveSubscription } from '../lib/billing';
import plansStyles from '../plans.css?url';
import type { Route } from './+types/plans.success';

export const links: Route.LinksFunction = () => [{ rel: 'stylesheet', href: plansStyles }];

export function meta() {
  return [{ title: 'Payment received · Tierdesk support' }];
}

/** Stripe tells the API by webhook; the page asks again every second for about ten seconds. */
const POLL_MS = 1_000;
const POLL_ATTEMPTS = 10;

export async function loader(args: Route.LoaderArgs) {
  const api = await requireApi(args);
  const { viewer, billingStatus } = await api.run(PlanSuccessDocument, {});
  const organization = viewer.organization;
  if (!organization) throw data({ message: 'Your account does not belong to an organization.' }, { status: 403 });
  // Applied once the subscription is on record and the organization is on its (paid) tier.
  const applied =
    Boolean(billingStatus) &&
    hasLiveSubscription(billingStatus!.status) &&
    billingStatus!.tierKey === organization.tier.key &&
    organization.tier.key !== 'community';
  return { applied, tierName: organization.tier.name };
}

export default function PlanSuccess({ loaderData }: Route.ComponentProps) {
  const { applied, tierName } = loaderData;
  const revalidator = useRevalidator();
  const location = useLocation();
  const [attempts, setAttempts] = useState(0);
  const polling = !applied && attempts < POLL_ATTEMPTS;

  useEffect(() => {
    if (!polling || revalidator.state !== 'idle') return;
    const timer = setTimeout(() => {
      setAttempts((count) => count + 1);
      void revalidator.revalidate();
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [polling, revalidator, attempts]);

  return (
    <>
      <h1>Payment received — your new plan is being applied</h1>
      {applied ? (
        <section className="card plans-success" aria-labelledby="applied-title" role="status">
          <h2 id="applied-title">
            You're now on <span data-testid="new-plan-name">{tierName}</span>
          </h2>
          <p>Your open tickets already follow the new response targets.</p>
          <p>
            <Link to="/dashboard" className="button button--primary">
              Go to your dashboard
            </Link>{' '}
            <Link to="/plans">See your plan</Link>
          </p>
        </section>
      ) : (
        <section className="card plans-success" aria-busy={polling}>
          <p role="status">
            {polling
              ? 'We are waiting for the payment provider to confirm. This usually takes a few seconds…'
              : 'This is taking longer than usual. Your payment is safe; the plan will change as soon as the confirmation arrives.'}
          </p>
          <p>
            {/* Without JavaScript (or after the polling stops), reloading asks again. */}
            <a href={`${location.pathname}${location.search}`}>Check again</a> · <Link to="/dashboard">Go to your dashboard</Link>
          </p>
        </section>
      )}
    </>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} />;
}
