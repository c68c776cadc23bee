import { ChangePlanDocument, PlansPageDocument, PreviewPlanChangeDocument } from '@tierdesk/schema';
import { data, Form, Link, redirect, useNavigation } from 'react-router';
import { ErrorMessage } from '../components/error-message';
import { FormErrorSummary, toFormErrors } from '../components/form-errors';
import { requireApi } from '../lib/api.server';
import { formatDate, formatMoney, intervalFromParam, intervalParam, isInterval } from '../lib/billing';
import plansStyles from '../plans.css?url';
import type { Route } from './+types/plans.change';

export const links: Route.LinksFunction = () => [{ rel: 'stylesheet', href: plansStyles }];

export function meta() {
  return [{ title: 'Change plan · Tierdesk support' }];
}

export async function loader(args: Route.LoaderArgs) {
  const api = await requireApi(args);
  const tierKey = args.url.searchParams.get('tier') ?? '';
  const interval = intervalFromParam(args.url.searchParams.get('interval'));
  const { viewer, tiers, billingStatus } = await api.run(PlansPageDocument, {});
  const organization = viewer.organization;
  if (!organization) throw data({ message: 'Your account does not belong to an organization.' }, { status: 403 });
  const target = tiers.find((tier) => tier.key === tierKey);
  if (!target) throw data({ message: 'There is no such plan.' }, { status: 404 });
  const current = tiers.find((tier) => tier.key === (billingStatus?.tierKey ?? organization.tier.key)) ?? organization.tier;
  const base = {
    target: { key: target.key, name: target.name },
    currentName: current.name,
    interval,
    intervalLabel: interval === 'YEAR' ? 'annual' : 'monthly',
    direction:
      target.rank > current.rank ? ('Upgrade' as const) : target.rank < current.rank ? ('Downgrade' as const) : ('Change' as const),
    testMode: billingStatus?.testMode ?? false,
  };
  if (viewer.user?.role !== 'CUSTOMER_ADMIN') {
    return { ...base, isAdmin: false, summary: null, lines: [], errors: [] };
  }

  const { previewPlanChange } = await api.run(PreviewPlanChangeDocument, { tierKey: target.key, interval });
  const preview = previewPlanChange.preview;
  if (!preview || previewPlanChange.userErrors.length > 0) {
    return { ...base, isAdmin: true, summary: null, lines: [], errors: toFormErrors(previewPlanChange.userErrors) };
  }
  const amount = formatMoney(preview.amountDue, preview.currency);
  const timeZone = organization.timeZone;
  let summary: string;
  if (preview.effective === 'NOW') {
    summary =
      billingStatus?.status === 'trialing'
        ? `Takes effect now. You are on a free trial: you'll be charged ${amount} when it ends on ${formatDate(billingStatus.currentPeriodEnd, timeZone)}.`
        : `You'll be charged ${amount} now (prorated). ${target.name} applies at once.`;
  } else {
    summary =
      target.key === 'community'
        ? `Takes effect on ${formatDate(preview.effectiveAt, timeZone)}: your subscription ends then and your organization moves to ${target.name}. You keep ${current.name} until then.`
        : `Takes effect on ${formatDate(preview.effectiveAt, timeZone)}, at the end of the current period. You keep ${current.name} until then; from then you'll pay ${amount} per ${interval === 'YEAR' ? 'year' : 'month'}.`;
  }
  return {
    ...base,
    isAdmin: true,
    summary,
    lines: preview.lines.map((line, index) => ({
      key: index,
      description: line.description,
      amount: formatMoney(line.amount, preview.currency),
    })),
    errors: [],
  };
}

export async function action(args: Route.ActionArgs) {
  const api = await requireApi(args);
  const form = await args.request.formData();
  const tierKey = String(form.get('tierKey') ?? '');
  const interval = String(form.get('interval') ?? '');
  if (!tierKey || !isInterval(interval)) {
    return data({ errors: [{ field: null, message: 'Choose a plan.', code: 'BAD_USER_INPUT' }] }, { status: 400 });
  }
  const { changePlan } = await api.run(ChangePlanDocument, { input: { tierKey, interval } });
  if (changePlan.userErrors.length > 0 || !changePlan.billing) {
    const errors = toFormErrors(changePlan.userErrors);
    return data(
      { errors: errors.length > 0 ? errors : [{ field: null, message: 'The plan could not be changed.', code: 'UNKNOWN' }] },
      { status: 400 },
    );
  }
  const params = new URLSearchParams({ changed: changePlan.billing.pendingTierKey ?? changePlan.billing.tierKey });
  if (interval === 'YEAR') params.set('interval', intervalParam(interval));
  throw redirect(`/plans?${params}`);
}

export default function ChangePlan({ loaderData, actionData }: Route.ComponentProps) {
  const { target, currentName, interval, intervalLabel, direction, isAdmin, summary, lines, testMode } = loaderData;
  const busy = useNavigation().state !== 'idle';
  const errors = actionData?.errors ?? loaderData.errors;
  return (
    <>
      <h1>
        {direction} to {target.name}
      </h1>
      {testMode ? (
        <p className="plans-test-mode" data-testid="test-mode">
          Test mode — no real payment is taken
        </p>
      ) : null}
      <p className="muted">
        From {currentName} to {target.name} ({intervalLabel} billing).
      </p>
      <FormErrorSummary errors={errors} />
      {!isAdmin ? (
        <p className="plans-ask">Ask an admin of your organization to change the plan.</p>
      ) : summary ? (
        <section className="card plans-preview" aria-labelledby="preview-title">
          <h2 id="preview-title">What changes</h2>
          <p data-testid="plan-change-summary">{summary}</p>
          {lines.length > 0 ? (
            <table className="plans-lines" aria-label="Invoice lines">
              <tbody>
                {lines.map((line) => (
                  <tr key={line.key}>
                    <th scope="row">{line.description}</th>
                    <td>{line.amount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <Form method="post" className="actions">
            <input type="hidden" name="tierKey" value={target.key} />
            <input type="hidden" name="interval" value={interval} />
            <button type="submit" className="button button--primary" disabled={busy}>
              Confirm
            </button>
            <Link to={interval === 'YEAR' ? '/plans?interval=year' : '/plans'}>Cancel</Link>
          </Form>
        </section>
      ) : null}
      <p>
        <Link to="/plans">Back to plans</Link>
      </p>
    </>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  return <ErrorMessage error={error} />;
}
