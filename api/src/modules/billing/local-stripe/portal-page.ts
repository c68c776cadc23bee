/**
 * The billing-portal stand-in (what a `billing_portal.session` url opens) and the hosted invoice page. The portal
 * lists the customer's subscriptions and invoices and offers what Stripe's portal does that matters to Tierdesk
 * (cancel at period end, undo it, pay an open invoice), plus two test switches Stripe's portal does not have:
 * make the card decline, and simulate a failed renewal now.
 */
import type Stripe from 'stripe';
import type { BillingEngine } from './engine.js';
import { StripeApiError } from './errors.js';
import { escapeHtml, formatDate, formatInterval, formatMoney, page } from './format.js';
import type { PageResult } from './checkout-page.js';
import type { LocalStripeStore } from './store.js';

export function portalPage(engine: BillingEngine, store: LocalStripeStore, method: string, path: string[]): PageResult {
  const [sessionId, kind, targetId, action] = path;
  const session = sessionId ? store.portalSessions.get(sessionId) : undefined;
  if (!session) return { status: 404, html: page('Billing', '<h1>This billing portal link does not exist.</h1>') };
  const home = `/billing_portal/${session.id}`;
  if (method !== 'POST') return { status: 200, html: render(engine, store, session, null) };

  const customer = engine.customer(session.customer);
  try {
    if (kind === 'card') {
      // The form posts the outcome as the last path segment: /billing_portal/:id/card/decline
      if (targetId === 'decline') store.decliningCustomers.add(customer.id);
      else store.decliningCustomers.delete(customer.id);
    } else if (kind === 'subscriptions' && targetId) {
      const subscription = engine.subscription(targetId);
      if (subscription.customer !== customer.id) throw StripeApiError.noSuch('subscription', targetId);
      if (action === 'cancel') engine.updateSubscription(subscription, { items: [], prorationBehavior: 'none', cancelAtPeriodEnd: true });
      else if (action === 'renew')
        engine.updateSubscription(subscription, { items: [], prorationBehavior: 'none', cancelAtPeriodEnd: false });
      else if (action === 'fail') engine.failRenewalNow(subscription);
      else return { status: 404, html: page('Billing', '<h1>Unknown action.</h1>') };
    } else if (kind === 'invoices' && targetId && action === 'pay') {
      const invoice = engine.invoice(targetId);
      if (invoice.customer !== customer.id) throw StripeApiError.noSuch('invoice', targetId);
      engine.attemptPayment(invoice, store.now());
      if (invoice.status !== 'paid') throw StripeApiError.cardDeclined();
    } else {
      return { status: 404, html: page('Billing', '<h1>Unknown action.</h1>') };
    }
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    return { status: error.statusCode, html: render(engine, store, session, error.message) };
  }
  return { status: 303, location: home };
}

function render(engine: BillingEngine, store: LocalStripeStore, session: Stripe.BillingPortal.Session, error: string | null): string {
  const customer = engine.customer(session.customer);
  const home = `/billing_portal/${session.id}`;
  const subscriptions = store.newestFirst([...store.subscriptions.values()].filter((s) => s.customer === customer.id));
  const invoices = store.newestFirst([...store.invoices.values()].filter((i) => i.customer === customer.id));
  const declining = store.decliningCustomers.has(customer.id);
  const button = (action: string, label: string, secondary = false) =>
    `<form class="inline" method="post" action="${escapeHtml(action)}"><button${secondary ? ' class="secondary"' : ''} type="submit">${escapeHtml(label)}</button></form>`;

  const subscriptionRows = subscriptions
    .map((subscription) => {
      const item = subscription.items.data[0];
      const price = item ? (store.prices.get(item.price.id) ?? item.price) : undefined;
      const quantity = item?.quantity ?? 1;
      const plan = price
        ? `${engine.productName(price)}${quantity === 1 ? '' : ` × ${quantity}`}, ${formatMoney((price.unit_amount ?? 0) * quantity, price.currency)} / ${formatInterval(price.recurring?.interval ?? 'month', price.recurring?.interval_count ?? 1)}`
        : subscription.id;
      const live = ['active', 'trialing', 'past_due'].includes(subscription.status);
      const end = item ? formatDate(item.current_period_end) : '';
      const note = !live
        ? ''
        : subscription.cancel_at_period_end
          ? `Cancels on ${end}`
          : subscription.status === 'trialing'
            ? `Trial ends on ${end}`
            : `Renews on ${end}`;
      const base = `${home}/subscriptions/${subscription.id}`;
      const actions = live
        ? [
            subscription.cancel_at_period_end ? button(`${base}/renew`, 'Renew plan') : button(`${base}/cancel`, 'Cancel plan'),
            button(`${base}/fail`, 'Simulate failed renewal payment', true),
          ].join(' ')
        : '';
      return `<tr><td>${escapeHtml(plan)}<br><span class="muted">${escapeHtml(subscription.status)}${note ? ` · ${escapeHtml(note)}` : ''}</span></td><td class="amount">${actions}</td></tr>`;
    })
    .join('\n');

  const invoiceRows = invoices
    .map((invoice) => {
      const pay = invoice.status === 'open' ? button(`${home}/invoices/${invoice.id}/pay`, 'Pay') : '';
      return `<tr><td><a href="/invoices/${escapeHtml(invoice.id)}">${escapeHtml(invoice.number ?? invoice.id)}</a><br><span class="muted">${escapeHtml(formatDate(invoice.created))}</span></td><td>${escapeHtml(invoice.status ?? '')}</td><td class="amount">${escapeHtml(formatMoney(invoice.amount_due, invoice.currency))} ${pay}</td></tr>`;
    })
    .join('\n');

  const back = session.return_url ? `<p><a href="${escapeHtml(session.return_url)}">← Return to Tierdesk</a></p>` : '';
  return page(
    'Billing',
    `${back}
<h1>Billing</h1>
<p class="muted">${escapeHtml(customer.email ?? customer.name ?? customer.id)}</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<h2>Subscriptions</h2>
<table>${subscriptionRows || '<tr><td>No subscriptions.</td></tr>'}</table>
<h2>Payment method</h2>
<p>Test card: ${declining ? '<strong>declines</strong> (charges fail)' : 'succeeds'}</p>
${declining ? button(`${home}/card/succeed`, 'Use a working card') : button(`${home}/card/decline`, 'Make charges decline', true)}
<h2>Invoices</h2>
<table>${invoiceRows || '<tr><td>No invoices yet.</td></tr>'}</table>`,
  );
}

export function invoicePage(store: LocalStripeStore, invoiceId: string): PageResult {
  const invoice = store.invoices.get(invoiceId);
  if (!invoice) return { status: 404, html: page('Invoice', '<h1>This invoice does not exist.</h1>') };
  const rows = invoice.lines.data
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.description ?? '')}</td><td class="amount">${escapeHtml(formatMoney(line.amount, invoice.currency))}</td></tr>`,
    )
    .join('\n');
  const balance =
    invoice.starting_balance !== 0
      ? `<tr><td>Applied balance</td><td class="amount">${escapeHtml(formatMoney(invoice.starting_balance, invoice.currency))}</td></tr>`
      : '';
  return {
    status: 200,
    html: page(
      `Invoice ${invoice.number ?? invoice.id}`,
      `<h1>Invoice ${escapeHtml(invoice.number ?? invoice.id)}</h1>
<p class="muted">${escapeHtml(formatDate(invoice.created))} · ${escapeHtml(invoice.status ?? '')}</p>
<table>${rows}${balance}
<tr><th>Amount due</th><th class="amount">${escapeHtml(formatMoney(invoice.amount_due, invoice.currency))}</th></tr></table>`,
    ),
  };
}
