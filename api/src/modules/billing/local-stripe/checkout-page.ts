/**
 * The hosted-checkout stand-in: what `session.url` opens. GET shows the line items, the trial and the amount due
 * today, and a card form prefilled with Stripe's 4242 test card; POST "pays": it completes the session exactly as
 * Stripe would (customer, subscription or trial, first invoice paid, webhooks) and redirects to `success_url` with
 * `{CHECKOUT_SESSION_ID}` filled in. Stripe's declining test cards (4000 0000 0000 0002, …9995) show the decline
 * on the page; 4000 0000 0000 0341 is accepted for a trial but declines every later charge.
 */
import type Stripe from 'stripe';
import type { BillingEngine } from './engine.js';
import { StripeApiError } from './errors.js';
import { escapeHtml, formatInterval, formatMoney, page } from './format.js';
import type { FormObject } from './form.js';
import { LOCAL_ACCOUNT_NAME } from './objects.js';
import type { LocalStripeStore } from './store.js';

export type PageResult = { status: number; html: string } | { status: 303; location: string };

const TEST_CARD = '4242 4242 4242 4242';

export function checkoutPage(
  engine: BillingEngine,
  store: LocalStripeStore,
  method: string,
  sessionId: string,
  form: FormObject,
): PageResult {
  const session = store.checkoutSessions.get(sessionId);
  if (!session) return { status: 404, html: page('Checkout', '<h1>Something went wrong</h1><p>This checkout page does not exist.</p>') };
  if (session.status === 'open' && session.expires_at <= store.now()) engine.expireSession(session, store.now());

  if (method === 'POST') {
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
    try {
      engine.completeCheckout(session, { card: field('card') || TEST_CARD, email: field('email') || null, name: field('name') || null });
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      return { status: error.statusCode, html: render(engine, store, session, error.message) };
    }
    return { status: 303, location: successUrl(session) };
  }
  return { status: 200, html: render(engine, store, session, null) };
}

function successUrl(session: Stripe.Checkout.Session): string {
  return (session.success_url ?? '/').replaceAll('{CHECKOUT_SESSION_ID}', session.id);
}

function render(engine: BillingEngine, store: LocalStripeStore, session: Stripe.Checkout.Session, error: string | null): string {
  if (session.status === 'complete') {
    return page(
      'Checkout',
      `<h1>Payment complete</h1><p>This checkout session is already paid.</p><p><a href="${escapeHtml(successUrl(session))}">Continue</a></p>`,
    );
  }
  if (session.status !== 'open') {
    const back = session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Go back</a></p>` : '';
    return page('Checkout', `<h1>This checkout session has expired</h1>${back}`);
  }
  const currency = session.currency ?? 'usd';
  const lines = store.checkoutLines.get(session.id) ?? [];
  const options = store.checkoutSubscriptionData.get(session.id);
  const rows = lines
    .map((line) => {
      const price = engine.price(line.price);
      const unit = price.unit_amount ?? 0;
      const every = formatInterval(price.recurring?.interval ?? 'month', price.recurring?.interval_count ?? 1);
      const quantity = line.quantity === 1 ? '' : ` × ${line.quantity}`;
      return `<tr><td>${escapeHtml(engine.productName(price))}${quantity}</td><td class="amount">${escapeHtml(formatMoney(unit * line.quantity, currency))} / ${escapeHtml(every)}</td></tr>`;
    })
    .join('\n');
  const trialDays = options?.trialPeriodDays ?? (options?.trialEnd ? Math.ceil((options.trialEnd - store.now()) / 86_400) : null);
  const trial = trialDays
    ? `<p class="muted">${trialDays}-day free trial, then ${escapeHtml(formatMoney(session.amount_subtotal ?? 0, currency))} per period.</p>`
    : '';
  const dueToday = formatMoney(session.amount_total ?? 0, currency);
  const customer = typeof session.customer === 'string' ? store.customers.get(session.customer) : undefined;
  const knownEmail = session.customer_email ?? customer?.email ?? null;
  const emailField = knownEmail
    ? `<p class="muted">Paying as ${escapeHtml(knownEmail)}</p>`
    : `<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required>`;
  const back = session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">← Back</a></p>` : '';
  const errorBanner = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
  return page(
    `Subscribe to ${LOCAL_ACCOUNT_NAME}`,
    `${back}
<h1>Subscribe</h1>
<table>
<thead><tr><th>Item</th><th class="amount">Price</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${trial}
<p><strong>Total due today: <span data-testid="due-today">${escapeHtml(dueToday)}</span></strong></p>
${errorBanner}
<form method="post" action="/checkout/${escapeHtml(session.id)}">
${emailField}
<label for="card">Card number</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" value="${TEST_CARD}" required>
<label for="name">Name on card</label>
<input id="name" name="name" autocomplete="cc-name" value="${escapeHtml(customer?.name ?? '')}">
<p class="muted">Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined; 4000 0000 0000 0341 is accepted but later charges fail.</p>
<button type="submit">Pay</button>
</form>`,
  );
}
