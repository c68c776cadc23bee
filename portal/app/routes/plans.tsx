import { OpenBillingPortalDocument, PlansPageDocument, StartCheckoutDocument } from '@tierdesk/schema';
import { data, Form, Link, redirect, useNavigation } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { FormErrorSummary, toFormErrors, type FormError } from '../components/form-errors';
import { requireApi } from '../lib/api.server';
import {
  ENTITLEMENT_ROWS,
  entitlementCells,
  formatDate,
  formatMoney,
  hasLiveSubscription,
  intervalFromParam,
  intervalParam,
  isInterval,
  portalOrigin,
} from '../lib/billing';
import plansStyles from '../plans.css?url';
import type { Route } from './+types/plans';

export const links: Route.LinksFunction = () => [{ rel: 'stylesheet', href: plansStyles }];

export function meta() {
  return [{ title: 'Plans · Tierdesk support' }];
}

const ASK_ADMIN = 'Ask an admin of your organization to change the plan';

export async function loader(args: Route.LoaderArgs) {
  const api = await requireApi(args);
  const interval = intervalFromParam(args.url.searchParams.get('interval'));
  const { viewer, tiers, plans, billingStatus } = await api.run(PlansPageDocument, {});
  const organization = viewer.organization;
  if (!organization) throw data({ message: 'Your account does not belong to an organization.' }, { status: 403 });

  const timeZone = organization.timeZone;
  const currentKey = billingStatus?.tierKey ?? organization.tier.key;
  const currentTier = tiers.find((tier) => tier.key === currentKey) ?? organization.tier;
  const subscribed = hasLiveSubscription(billingStatus?.status);
  const isAdmin = viewer.user?.role === 'CUSTOMER_ADMIN';
  const nameOf = (key: string | null | undefined) => tiers.find((tier) => tier.key === key)?.name ?? key ?? '';

  const columns = [...tiers]
    .sort((a, b) => a.rank - b.rank)
    .map((tier) => {
      const plan = plans.find((candidate) => candidate.tier.key === tier.key);
      const price = plan
        ? `${formatMoney(interval === 'YEAR' ? plan.annualPrice : plan.monthlyPrice, plan.currency)} / ${interval === 'YEAR' ? 'year' : 'month'}`
        : 'Free';
      const current = tier.key === currentTier.key;
      // What the admin can do from here: buy (first subscription), change in place, or nothing.
      let action: 'current' | 'checkout' | 'upgrade' | 'downgrade' | 'none' = 'none';
      if (current) action = 'current';
      else if (tier.rank > currentTier.rank && plan) action = subscribed ? 'upgrade' : 'checkout';
      else if (tier.rank < currentTier.rank && subscribed && tier.key !== billingStatus?.pendingTierKey) action = 'downgrade';
      return {
        key: tier.key,
        name: tier.name,
        description: tier.description,
        price,
        trialDays: plan && !billingStatus?.trialUsed ? plan.trialDays : 0,
        cells: entitlementCells(tier.entitlements),
        action,
      };
    });

  const notices: { kind: 'warning' | 'info'; text: string }[] = [];
  if (billingStatus?.dunning === 'GRACE') {
    notices.push({
      kind: 'warning',
      text: `A payment failed. Your organization keeps ${currentTier.name} until ${formatDate(billingStatus.graceEndsAt, timeZone)}; update the payment method under "Manage billing" to keep it.`,
    });
  } else if (billingStatus?.dunning === 'DOWNGRADED') {
    notices.push({
      kind: 'warning',
      text: `A payment did not go through, so your organization moved to ${currentTier.name}. Choose a plan below to upgrade again.`,
    });
  }
  if (billingStatus?.pendingTierKey) {
    notices.push({
      kind: 'info',
      text: `Your plan changes to ${nameOf(billingStatus.pendingTierKey)} on ${formatDate(billingStatus.currentPeriodEnd, timeZone)}. Until then you keep ${currentTier.name}.`,
    });
  } else if (billingStatus?.cancelAtPeriodEnd) {
    notices.push({
      kind: 'info',
      text: `Your subscription ends on ${formatDate(billingStatus.currentPeriodEnd, timeZone)}; your organization then moves to Community.`,
    });
  }
  if (billingStatus?.status === 'trialing') {
    notices.push({
      kind: 'info',
      text: `You are on a free trial of ${currentTier.name} until ${formatDate(billingStatus.currentPeriodEnd, timeZone)}.`,
    });
  }

  const changed = args.url.searchParams.get('changed');
  return {
    interval,
    columns,
    currentTierName: currentTier.name,
    isAdmin,
    subscribed,
    testMode: billingStatus?.testMode ?? false,
    notices,
    changedTo: changed ? nameOf(changed) : null,
  };
}

export async function action(args: Route.ActionArgs) {
  const api = await requireApi(args);
  const form = await args.request.formData();
  const intent = String(form.get('intent') ?? '');
  const origin = portalOrigin(args.request);
  const failed = (errors: FormError[], status = 400) =>
    data(
      { errors: errors.length > 0 ? errors : [{ field: null, message: 'That did not work. Please try again.', code: 'UNKNOWN' }] },
      { status },
    );

  if (intent === 'manage') {
    const { openBillingPortal } = await api.run(OpenBillingPortalDocument, { returnUrl: `${origin}/plans` });
    if (openBillingPortal.userErrors.length > 0 || !openBillingPortal.url) return failed(toFormErrors(openBillingPortal.userErrors));
    throw redirect(openBillingPortal.url);
  }

  const tierKey = String(form.get('tierKey') ?? '');
  const interval = String(form.get('interval') ?? '');
  if (!tierKey || !isInterval(interval)) return failed([{ field: null, message: 'Choose a plan.', code: 'BAD_USER_INPUT' }]);

  if (intent === 'checkout') {
    const { startCheckout } = await api.run(StartCheckoutDocument, {
      input: {
        tierKey,
        interval,
        // Stripe fills in {CHECKOUT_SESSION_ID} itself: the braces must reach it as they are.
        successUrl: `${origin}/plans/success?session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${origin}/plans`,
      },
    });
    if (startCheckout.userErrors.length > 0 || !startCheckout.url) return failed(toFormErrors(startCheckout.userErrors));
    throw redirect(startCheckout.url);
  }
  return failed([{ field: null, message: 'Choose a plan.', code: 'BAD_USER_INPUT' }]);
}

export default function Plans({ loaderData, actionData }: Route.ComponentProps) {
  const { interval, columns, isAdmin, subscribed, testMode, notices, changedTo } = loaderData;
  const busy = useNavigation().state !== 'idle';
  const other = interval === 'YEAR' ? 'MONTH' : 'YEAR';
  return (
    <>
      <h1>Plans</h1>
      {testMode ? (
        <p className="plans-test-mode" data-testid="test-mode">
          Test mode — no real payment is taken
        </p>
      ) : null}
      {changedTo ? (
        <p role="status" className="alert alert--success">
          Your plan was changed to {changedTo}.
        </p>
      ) : null}
      <FormErrorSummary errors={actionData?.errors} />
      {notices.map((notice) => (
        <p key={notice.text} className={`plans-notice plans-notice--${notice.kind}`} data-testid="billing-notice">
          {notice.text}
        </p>
      ))}
      <p className="muted">
        Your organization is on the <strong data-testid="current-plan-name">{loaderData.currentTierName}</strong> plan. Prices are{' '}
        {interval === 'YEAR' ? 'per year, billed annually' : 'per month, billed monthly'}.
      </p>
      <nav aria-label="Billing interval" className="plans-interval">
        <Link
          to="/plans"
          aria-current={interval === 'MONTH' ? 'page' : undefined}
          className={interval === 'MONTH' ? 'is-active' : undefined}
        >
          Monthly
        </Link>
        <Link
          to="/plans?interval=year"
          aria-current={interval === 'YEAR' ? 'page' : undefined}
          className={interval === 'YEAR' ? 'is-active' : undefined}
        >
          Annual
        </Link>
      </nav>
      <div className="plans-table-wrap">
        <table className="plans-table" aria-label="Compare plans">
          <thead>
            <tr>
              <td />
              {columns.map((column) => (
                <th
                  key={column.key}
                  scope="col"
                  className={column.action === 'current' ? 'is-current' : undefined}
                  data-testid={`plan-${column.key}`}
                >
                  <span className="plans-table__name">{column.name}</span>
                  {column.action === 'current' ? <span className="plans-current">Current plan</span> : null}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Price</th>
              {columns.map((column) => (
                <td key={column.key} data-testid={`price-${column.key}`} className={column.action === 'current' ? 'is-current' : undefined}>
                  {column.price}
                  {column.trialDays > 0 && column.action === 'checkout' ? (
                    <span className="plans-trial">{column.trialDays}-day free trial</span>
                  ) : null}
                </td>
              ))}
            </tr>
            {ENTITLEMENT_ROWS.map((row) => (
              <tr key={row.id}>
                <th scope="row">{row.label}</th>
                {columns.map((column) => (
                  <td
                    key={column.key}
                    data-testid={`${row.id}-${column.key}`}
                    className={column.action === 'current' ? 'is-current' : undefined}
                  >
                    {column.cells[row.id]}
                  </td>
                ))}
              </tr>
            ))}
            <tr className="plans-actions">
              <th scope="row">
                <span className="visually-hidden">Change plan</span>
              </th>
              {columns.map((column) => (
                <td key={column.key} className={column.action === 'current' ? 'is-current' : undefined}>
                  <PlanAction column={column} interval={interval} isAdmin={isAdmin} busy={busy} />
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
      <p>
        <Link to={other === 'YEAR' ? '/plans?interval=year' : '/plans'}>Show {other === 'YEAR' ? 'annual' : 'monthly'} prices</Link>
      </p>
      {isAdmin && subscribed ? (
        <Form method="post" className="plans-manage">
          <button type="submit" name="intent" value="manage" className="button" disabled={busy}>
            Manage billing
          </button>
          <span className="muted"> Payment method, invoices and cancellation, at Stripe.</span>
        </Form>
      ) : null}
    </>
  );
}

function PlanAction({
  column,
  interval,
  isAdmin,
  busy,
}: {
  column: { key: string; name: string; action: 'current' | 'checkout' | 'upgrade' | 'downgrade' | 'none' };
  interval: 'MONTH' | 'YEAR';
  isAdmin: boolean;
  busy: boolean;
}) {
  if (column.action === 'current' || column.action === 'none') return null;
  if (!isAdmin) return <p className="muted plans-ask">{ASK_ADMIN}</p>;
  const label = column.action === 'downgrade' ? 'Downgrade' : 'Upgrade';
  const accessibleName = `${label} to ${column.name}`;
  if (column.action === 'checkout') {
    return (
      <Form method="post">
        <input type="hidden" name="tierKey" value={column.key} />
        <input type="hidden" name="interval" value={interval} />
        <button type="submit" name="intent" value="checkout" className="button button--primary" aria-label={accessibleName} disabled={busy}>
          {label}
        </button>
      </Form>
    );
  }
  return (
    <Link
      className={`button${column.action === 'upgrade' ? ' button--primary' : ''}`}
      aria-label={accessibleName}
      to={`/plans/change?${new URLSearchParams({ tier: column.key, interval: intervalParam(interval) })}`}
    >
      {label}
    </Link>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} />;
}
