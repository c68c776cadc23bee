/** Amounts and dates written the way Stripe writes them in invoice line descriptions and hosted pages. */

// Currencies whose amounts Stripe counts in whole units (https://docs.stripe.com/currencies#zero-decimal).
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

export function formatMoney(amount: number, currency: string): string {
  const major = ZERO_DECIMAL.has(currency.toLowerCase()) ? amount : amount / 100;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(major);
  } catch {
    return `${major.toFixed(2)} ${currency.toUpperCase()}`;
  }
}

/** `15 Jan 2026`, Stripe's proration-line date. */
export function formatDate(seconds: number): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(seconds * 1000),
  );
}

export function formatInterval(interval: string, count: number): string {
  return count === 1 ? interval : `${count} ${interval}s`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The shared frame of the hosted stand-in pages. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f6f9fc; color: #1a1f36; margin: 0; }
  main { max-width: 34rem; margin: 3rem auto; background: #fff; border-radius: 8px; padding: 2rem;
         box-shadow: 0 2px 8px rgba(0,0,0,.08); }
  .banner { background: #fff4d6; color: #704d00; padding: .5rem 1rem; border-radius: 4px; font-size: .85rem; }
  .error { background: #fde8e8; color: #9b1c1c; padding: .5rem 1rem; border-radius: 4px; }
  table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
  td, th { text-align: left; padding: .4rem 0; border-bottom: 1px solid #e3e8ee; }
  td.amount, th.amount { text-align: right; }
  label { display: block; margin: 1rem 0 .3rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; border: 1px solid #c1c9d2; border-radius: 4px; }
  button { margin-top: 1rem; padding: .7rem 1.2rem; font-size: 1rem; border: 0; border-radius: 4px; background: #635bff;
           color: #fff; cursor: pointer; }
  button.secondary { background: #e3e8ee; color: #1a1f36; }
  form.inline { display: inline; }
  .muted { color: #697386; font-size: .9rem; }
</style>
</head>
<body><main>
<p class="banner">Local Stripe test mode: no real payment is made.</p>
${body}
</main></body>
</html>`;
}
