import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTestApi } from './support/api.js';
import { browserAvailable, launchBrowser, type TestBrowser } from './support/browser.js';
import { horizontalOverflow, seriousAxeViolations, VIEWPORTS } from './support/page-checks.js';
import { startTestPortal, type TestPortal } from './support/portal.js';

/**
 * The customer portal in a real browser against the real API (seeded demo data): Ada from Initech, on the Growth
 * tier, signs in, sees what her tier includes, is told which tier unlocks Urgent, files a High ticket, sees its
 * response commitments and which tier would let her escalate it, replies to it, finds it on her dashboard and signs
 * out. Nancy from Northwind, on Enterprise, files an Urgent ticket, sees its 24×7 targets and escalates it: her own
 * reason is shown back and the form is gone, on a desktop and a phone screen alike.
 */
const CUSTOMER = { email: 'ada@initech.example', password: 'tierdesk-demo' };
const ENTERPRISE_CUSTOMER = { email: 'nancy@northwind.example', password: 'tierdesk-demo' };
const DURATION = /^(\d+ (min|h|days)|\d+ h \d+ min|No target)$/;

describe.skipIf(!browserAvailable())('customer portal journey', () => {
  let api: Awaited<ReturnType<typeof startTestApi>> | undefined;
  let portal: TestPortal | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;

  beforeAll(async () => {
    api = await startTestApi();
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

  const open = async (path: string) => {
    page = await browser!.newPage();
    await page.goto(`${portal!.url}${path}`);
    return page;
  };

  const signIn = async (password: string, email: string = CUSTOMER.email) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  test('signed out, the dashboard sends you to sign in', async () => {
    await browser!.context.clearCookies();
    await open('/dashboard');
    await page.waitForURL(/\/signin$/);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  test('a wrong password is refused with an alert', async () => {
    await browser!.context.clearCookies();
    await open('/signin');
    await signIn('not-the-password');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect((await alert.textContent())?.trim()).not.toBe('');
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect(await page.getByLabel('Email').inputValue()).toBe(CUSTOMER.email);
  });

  test('sign in, see the tier, file a ticket within it, reply, find it on the dashboard, sign out', async () => {
    await browser!.context.clearCookies();
    await open('/');
    await page.waitForURL(/\/signin$/);
    await signIn(CUSTOMER.password);

    // The dashboard: tier and what it includes.
    await page.waitForURL(/\/dashboard$/);
    expect(await page.getByTestId('tier-name').textContent()).toBe('Growth');
    const targets = page.getByRole('table', { name: 'Response targets' });
    const priorities = await targets.locator('tbody th').allTextContents();
    expect(priorities).toEqual(['Low', 'Normal', 'High']);
    for (const cell of await targets.locator('tbody td').allTextContents()) expect(cell).toMatch(DURATION);
    await page.getByRole('table', { name: 'What your tier includes' }).getByText('Monthly ticket allowance').waitFor();

    // Urgent is offered, labelled with the tier that includes it, and refused with the API's explanation.
    await page.getByRole('main').getByRole('link', { name: 'New ticket' }).click();
    await page.waitForURL(/\/tickets\/new$/);
    const subject = `Invoices export times out (${Date.now()})`;
    await page.getByLabel('Subject').fill(subject);
    await page.getByLabel('Description').fill('Exporting last month’s invoices spins for a minute, then fails.');
    const priority = page.getByLabel('Priority');
    expect(await priority.locator('option[value="URGENT"]').textContent()).toBe('Urgent — Business tier and above');
    await priority.selectOption('URGENT');
    await page.getByLabel('Impact').selectOption('HIGH');
    await page.getByRole('button', { name: 'Submit ticket' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Business');
    expect(new URL(page.url()).pathname).toBe('/tickets/new');

    // High is included: the ticket is created and shown.
    expect(await page.getByLabel('Subject').inputValue()).toBe(subject);
    await priority.selectOption('HIGH');
    await page.getByRole('button', { name: 'Submit ticket' }).click();
    await page.waitForURL((url) => /^\/tickets\/[^/]+$/.test(url.pathname) && url.pathname !== '/tickets/new');
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    expect(await page.getByTestId('ticket-priority').textContent()).toBe('High');

    // Its response commitments: Growth's High targets, running; the reason behind them is one click away.
    const commitments = page.getByRole('table', { name: 'Response commitments' });
    await commitments.waitFor();
    expect(await page.getByTestId('sla-status-FIRST_RESPONSE').textContent()).toBe('On track');
    expect(await page.getByTestId('sla-target-FIRST_RESPONSE').textContent()).toBe('4 h');
    await commitments.getByRole('rowheader', { name: /^Resolution/ }).waitFor();
    expect(await page.getByTestId('sla-status-RESOLUTION').textContent()).toBe('On track');
    expect(await page.getByTestId('sla-target-RESOLUTION').textContent()).toMatch(DURATION);
    const why = commitments.getByRole('rowheader', { name: /^First response/ }).getByText('Why this target');
    await why.click();
    expect((await commitments.locator('details[open] p').first().textContent())?.trim()).not.toBe('');

    // Growth does not include escalating yourself: no button, a line naming the tier that does.
    expect(await page.getByRole('button', { name: 'Escalate' }).count()).toBe(0);
    expect(await page.getByTestId('escalation-upsell').textContent()).toContain('Business');

    // A public reply appears in the thread, and the box empties.
    const reply = `Same with the CSV export, fwiw (${Date.now()}).`;
    await page.getByLabel('Reply').fill(reply);
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('list', { name: 'Replies' }).getByText(reply).waitFor();
    expect(await page.getByLabel('Reply').inputValue()).toBe('');

    // Back on the dashboard, the ticket is listed.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.getByRole('main').getByRole('link', { name: subject }).waitFor();
    // Its next deadline is the first response, still running.
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: subject }) })
      .first();
    expect(await row.getByTestId('next-deadline').textContent()).not.toBe('—');
    expect(await row.getByTestId('next-deadline').locator('time').count()).toBe(1);

    // Signing out ends the session: the dashboard is out of reach again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin$/);
    await page.goto(`${portal!.url}/dashboard`);
    await page.waitForURL(/\/signin$/);
  });

  test('on Enterprise: 24×7 targets on an urgent ticket, and escalating it yourself', async () => {
    await browser!.context.clearCookies();
    await open('/signin');
    await signIn(ENTERPRISE_CUSTOMER.password, ENTERPRISE_CUSTOMER.email);
    await page.waitForURL(/\/dashboard$/);
    expect(await page.getByTestId('tier-name').textContent()).toBe('Enterprise');

    await page.getByRole('main').getByRole('link', { name: 'New ticket' }).click();
    await page.waitForURL(/\/tickets\/new$/);
    const subject = `Checkout returns 500 for every order (${Date.now()})`;
    await page.getByLabel('Subject').fill(subject);
    await page.getByLabel('Description').fill('Since 03:00 ET every checkout fails with a 500; revenue is stopped.');
    await page.getByLabel('Priority').selectOption('URGENT');
    await page.getByLabel('Impact').selectOption('CRITICAL');
    await page.getByRole('button', { name: 'Submit ticket' }).click();
    await page.waitForURL((url) => /^\/tickets\/[^/]+$/.test(url.pathname) && url.pathname !== '/tickets/new');
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();

    // Enterprise's urgent targets, measured round the clock.
    const commitments = page.getByRole('table', { name: 'Response commitments' });
    await commitments.waitFor();
    expect(await page.getByTestId('sla-coverage').textContent()).toContain('24×7');
    expect(await page.getByTestId('sla-target-FIRST_RESPONSE').textContent()).toBe('15 min');
    expect(await page.getByTestId('sla-status-FIRST_RESPONSE').textContent()).toBe('On track');
    expect(await page.getByTestId('sla-target-RESOLUTION').textContent()).toBe('2 h');
    expect(await page.getByTestId('escalation-upsell').count()).toBe(0);

    // Escalating needs a reason; with one, the team is paged and the page says so, with her own words.
    const reason = 'Every checkout fails; we are losing orders by the minute.';
    await page.getByLabel('Reason').fill(reason);
    await page.getByRole('button', { name: 'Escalate' }).click();
    const escalations = page.getByRole('list', { name: 'Escalations' });
    await escalations.waitFor();
    expect(await escalations.getByTestId('escalation').first().textContent()).toContain('Escalated — the support team has been paged');
    expect(await escalations.textContent()).toContain('Escalated by your organization');
    expect(await escalations.getByTestId('escalation-reason').allTextContents()).toEqual([reason]);
    expect(await page.getByRole('alert').count()).toBe(0);

    // Escalated once is enough: no second escalation is offered, a line says how to add more.
    expect(await page.getByRole('button', { name: 'Escalate' }).count()).toBe(0);
    expect(await page.getByLabel('Reason').count()).toBe(0);
    expect(await page.getByTestId('escalation-followup').textContent()).toBe(
      'The support team has been alerted. To tell them more, reply below.',
    );

    // The escalated ticket fits a desktop and a phone screen, and axe finds nothing serious on it.
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      expect(await horizontalOverflow(page), `horizontal scroll at ${viewport.width}×${viewport.height}`).toBe(0);
      expect(await seriousAxeViolations(page), `axe at ${viewport.width}×${viewport.height}`).toEqual([]);
    }
    // Two axe passes over the whole page come on top of the journey's own steps.
  }, 60_000);
});
