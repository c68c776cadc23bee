import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTestApi, type TestApi } from './support/api.js';
import { browserAvailable, launchBrowser, type TestBrowser } from './support/browser.js';
import { gql, signIn as apiSignIn } from './support/graphql.js';
import { startTestPortal, type TestPortal } from './support/portal.js';

/**
 * Self-serve plan upgrades in a real browser, against the real API and the bundled local Stripe-compatible server:
 * Richard (Pied Piper's admin, on Community) opens a ticket, upgrades to Growth through Stripe Checkout, waits on the
 * success page for the webhook to land, and finds his open ticket re-timed to Growth's targets; then he upgrades to
 * Business in place (a prorated preview, "Confirm") and the ticket follows. Peter, a member at Initech, sees the
 * plans but cannot change them.
 */
const ADMIN = { email: 'richard@piedpiper.example', password: 'tierdesk-demo' };
const MEMBER = { email: 'peter@initech.example', password: 'tierdesk-demo' };
const MONEY = /\$\d[\d,]*\.\d\d/;

describe.skipIf(!browserAvailable())('plan upgrade journey', () => {
  let api: TestApi | undefined;
  let portal: TestPortal | undefined;
  let browser: TestBrowser | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    api = await startTestApi({ billing: true });
    [portal, browser] = await Promise.all([startTestPortal({ apiUrl: api.url }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await api?.stop();
  });

  afterEach(async () => {
    await page?.close();
    expect(browser!.takeProblems(), 'errors in the browser, or requests leaving the machine').toEqual([]);
  });

  const signInAs = async (user: { email: string; password: string }) => {
    await browser!.context.clearCookies();
    page = await browser!.newPage();
    await page.goto(`${portal!.url}/signin`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/dashboard$/);
    return page;
  };

  const cell = async (testId: string) => (await page!.getByTestId(testId).textContent())?.trim();
  const firstResponseTarget = async () => {
    await page!.getByRole('table', { name: 'Response commitments' }).waitFor();
    return cell('sla-target-FIRST_RESPONSE');
  };

  test('an admin upgrades through checkout, then in place, and the open ticket follows each tier', async () => {
    await signInAs(ADMIN);

    // An open Normal ticket on Community.
    await page!.goto(`${portal!.url}/tickets/new`);
    const subject = `Compression ratio regressed after deploy (${Date.now()})`;
    await page!.getByLabel('Subject').fill(subject);
    await page!.getByLabel('Description').fill('Weissman score dropped from 5.2 to 2.9 on the nightly benchmark.');
    await page!.getByLabel('Priority').selectOption('NORMAL');
    await page!.getByRole('button', { name: 'Submit ticket' }).click();
    await page!.waitForURL((url) => /^\/tickets\/[^/]+$/.test(url.pathname) && url.pathname !== '/tickets/new');
    const ticketUrl = page!.url();
    const communityTarget = await firstResponseTarget();

    // The plans: test mode, Community marked current, what each tier commits to.
    await page!.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Plans' }).click();
    await page!.waitForURL(/\/plans$/);
    await page!.getByTestId('test-mode').waitFor();
    expect(await cell('test-mode')).toBe('Test mode — no real payment is taken');
    expect(await page!.getByTestId('plan-community').textContent()).toContain('Current plan');
    expect(await page!.getByTestId('plan-growth').textContent()).not.toContain('Current plan');
    expect(await cell('price-growth')).toContain('$49.00 / month');
    expect(await cell('first-NORMAL-community')).toBe(communityTarget);
    const growthTarget = await cell('first-NORMAL-growth');
    const businessTarget = await cell('first-NORMAL-business');
    expect(new Set([communityTarget, growthTarget, businessTarget]).size).toBe(3);
    // The annual toggle shows annual prices.
    await page!.getByRole('navigation', { name: 'Billing interval' }).getByRole('link', { name: 'Annual' }).click();
    await page!.waitForURL(/\/plans\?interval=year$/);
    // The URL changes before the client-side navigation renders the annual prices: wait for them.
    await page!.getByTestId('price-growth').filter({ hasText: '$490.00 / year' }).waitFor();
    await page!.getByRole('navigation', { name: 'Billing interval' }).getByRole('link', { name: 'Monthly' }).click();
    await page!.waitForURL(/\/plans$/);
    await page!.getByTestId('price-growth').filter({ hasText: '$49.00 / month' }).waitFor();

    // Upgrade to Growth: the local Stripe Checkout page, "Pay", back to the portal.
    await page!.getByRole('button', { name: 'Upgrade to Growth' }).click();
    await page!.waitForURL((url) => url.href.startsWith(api!.stripe!.url) && url.pathname.startsWith('/checkout/'));
    // Checkout prefills the 4242 test card; it asks for an email when it does not know one.
    const email = page!.getByLabel('Email');
    if ((await email.count()) > 0 && !(await email.inputValue())) await email.fill(ADMIN.email);
    await page!.getByRole('button', { name: 'Pay' }).click();
    await page!.waitForURL((url) => url.href.startsWith(portal!.url) && url.pathname === '/plans/success');
    await page!.getByRole('heading', { level: 1, name: 'Payment received — your new plan is being applied' }).waitFor();
    // The webhook lands asynchronously; the page polls until it has.
    await page!.getByTestId('new-plan-name').waitFor({ timeout: 15_000 });
    expect(await cell('new-plan-name')).toBe('Growth');
    expect(await page!.getByRole('heading', { name: "You're now on Growth" }).count()).toBe(1);

    // The open ticket now runs on Growth's targets.
    await page!.goto(ticketUrl);
    expect(await firstResponseTarget()).toBe(growthTarget);

    // Growth → Business in place: the preview the API computes, then "Confirm".
    await page!.goto(`${portal!.url}/plans`);
    expect(await page!.getByTestId('plan-growth').textContent()).toContain('Current plan');
    await page!.getByRole('link', { name: 'Upgrade to Business' }).click();
    await page!.waitForURL(/\/plans\/change\?tier=business&interval=month$/);
    const summary = (await cell('plan-change-summary')) ?? '';
    const token = await apiSignIn(api!.url, ADMIN.email, ADMIN.password);
    const preview = await gql(
      api!.url,
      'mutation($tier: String!, $interval: BillingInterval!) { previewPlanChange(tierKey: $tier, interval: $interval) { preview { amountDue effective } } }',
      { tier: 'business', interval: 'MONTH' },
      token,
    );
    const { amountDue, effective } = preview.data!.previewPlanChange.preview;
    expect(effective).toBe('NOW');
    expect(summary).toMatch(MONEY);
    expect(summary).toContain(`$${(amountDue / 100).toFixed(2)}`);
    await page!.getByRole('button', { name: 'Confirm' }).click();
    await page!.waitForURL(/\/plans\?changed=business$/);
    const changed = page!.getByRole('status').filter({ hasText: 'Your plan was changed to Business' });
    // The URL changes before the new page has rendered: wait for the notice, then count it.
    await changed.waitFor();
    expect(await changed.count()).toBe(1);
    expect(await page!.getByTestId('plan-business').textContent()).toContain('Current plan');
    // Downgrades wait for the period end; the page says so before anything changes.
    await page!.getByRole('link', { name: 'Downgrade to Growth' }).click();
    await page!.waitForURL(/\/plans\/change\?tier=growth&interval=month$/);
    expect(await cell('plan-change-summary')).toMatch(/^Takes effect on /);
    expect(await page!.getByRole('alert').count()).toBe(0);

    await page!.goto(ticketUrl);
    expect(await firstResponseTarget()).toBe(businessTarget);
  });

  test('a member sees the plans but is asked to get an admin to change them', async () => {
    await signInAs(MEMBER);
    await page!.goto(`${portal!.url}/plans`);
    expect(await page!.getByTestId('plan-growth').textContent()).toContain('Current plan');
    expect(await page!.getByRole('button', { name: /^Upgrade/ }).count()).toBe(0);
    expect(await page!.getByRole('link', { name: /^(Upgrade|Downgrade)/ }).count()).toBe(0);
    expect(await page!.getByRole('button', { name: 'Manage billing' }).count()).toBe(0);
    expect(await page!.getByText('Ask an admin of your organization to change the plan').count()).toBeGreaterThan(0);

    // Going to the change page directly changes nothing either.
    await page!.goto(`${portal!.url}/plans/change?tier=business&interval=month`);
    await page!.getByText('Ask an admin of your organization to change the plan.').waitFor();
    expect(await page!.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
  });
});
