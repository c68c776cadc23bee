import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTestApi } from './support/api.js';
import { browserAvailable, launchBrowser, type TestBrowser } from './support/browser.js';
import { gql, signIn as apiSignIn } from './support/graphql.js';
import { horizontalOverflow, seriousAxeViolations, VIEWPORTS } from './support/page-checks.js';
import { startTestPortal, type TestPortal } from './support/portal.js';

/**
 * Saved replies in the staff console, in a real browser against the real API (seeded demo staff and macros): the
 * specialist saves a reply with an unknown placeholder and is told, beside the body, which one; fixes it and finds it
 * listed. The agent reads the same list with no way to change it, and the render route fills the new reply in for a
 * seeded ticket with the agent's own session; a customer's session is refused it.
 */
const SCREENSHOTS = resolve(import.meta.dirname, '../test-results/console');
const PASSWORD = 'tierdesk-demo';
const SEEDED = ['Asking for logs', 'Escalating to engineering', 'Solved — confirming'];

describe.skipIf(!browserAvailable())('console saved replies journey', () => {
  let api: Awaited<ReturnType<typeof startTestApi>> | undefined;
  let portal: TestPortal | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  const title = `Checking in (${Date.now()})`;

  beforeAll(async () => {
    api = await startTestApi();
    [portal, browser] = await Promise.all([startTestPortal({ apiUrl: api.url }), launchBrowser(), mkdir(SCREENSHOTS, { recursive: true })]);
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

  const signInAs = async (email: string, landing = /\/console$/) => {
    await browser!.context.clearCookies();
    page = await browser!.newPage();
    await page.goto(`${portal!.url}/signin`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(landing);
  };

  /** Both screen sizes: a screenshot of each, no sideways scrolling, no serious or critical axe violation. */
  const checkPage = async (name: string) => {
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: `${SCREENSHOTS}/macros-${name}-${viewport.width}.png`, fullPage: true });
      expect(await horizontalOverflow(page), `${name} at ${viewport.width}px scrolls sideways`).toBe(0);
      expect(await seriousAxeViolations(page), `${name} at ${viewport.width}px`).toEqual([]);
    }
    await page.setViewportSize(VIEWPORTS[0]);
  };

  const rowTitles = async () => page.getByTestId('macro-row').locator('.macro-title').allTextContents();

  test('the specialist is told the unknown placeholder beside the body, fixes it and finds the reply listed', async () => {
    await signInAs('specialist@tierdesk.example');
    await page.goto(`${portal!.url}/console/macros`);
    await page.getByRole('heading', { level: 1, name: 'Saved replies' }).waitFor();
    expect(await rowTitles()).toEqual(SEEDED);
    // The placeholders are documented on the page.
    const placeholders = page.getByRole('region', { name: 'Placeholders' });
    for (const name of ['requester.firstName', 'ticket.number', 'sla.resolution.due', 'agent.name']) {
      await placeholders.getByText(`{{${name}}}`, { exact: true }).waitFor();
    }

    await page.getByLabel('Title', { exact: true }).fill(title);
    const body = page.getByLabel('Reply (Markdown)');
    await body.fill('Hi {{customer.name}}, checking in on #{{ticket.number}}.');
    await page.getByLabel('Internal note').check();
    await page.getByLabel('Status after sending').selectOption('WAITING_ON_CUSTOMER');
    await page.getByRole('button', { name: 'Create saved reply' }).click();

    const error = page.getByTestId('error-body');
    await error.waitFor();
    expect(await error.textContent()).toContain('{{customer.name}}');
    expect(await body.getAttribute('aria-invalid')).toBe('true');
    expect((await body.getAttribute('aria-describedby'))?.split(' ')).toContain(await error.getAttribute('id'));
    // Nothing was saved, and what was typed is still there to fix.
    expect(await rowTitles()).toEqual(SEEDED);
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(title);
    expect(await page.getByLabel('Internal note').isChecked()).toBe(true);
    await checkPage('error');

    await body.fill('Hi {{requester.firstName}}, checking in on #{{ticket.number}} ({{tier.name}}).');
    await page.getByRole('button', { name: 'Create saved reply' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await rowTitles()).toEqual([...SEEDED.slice(0, 1), title, ...SEEDED.slice(1)]);
    const row = page.getByTestId('macro-row').filter({ hasText: title });
    expect(await row.locator('td').allTextContents()).toEqual(expect.arrayContaining(['Internal note', 'Waiting on customer', 'Active']));
    expect(await page.getByTestId('error-body').count()).toBe(0);

    // A 120-character title and a 20,000-character body, neither with a space, do not widen the page.
    const specialist = await apiSignIn(api!.url, 'specialist@tierdesk.example');
    const long = await gql(
      api!.url,
      'mutation($input: CreateMacroInput!) { createMacro(input: $input) { macro { id } userErrors { message } } }',
      { input: { title: `Z${'x'.repeat(119)}`, body: 'y'.repeat(20_000) } },
      specialist,
    );
    expect(long.data?.createMacro.userErrors).toEqual([]);
    await page.goto(`${portal!.url}/console/macros?edit=${encodeURIComponent(long.data!.createMacro.macro.id)}`);
    await page.getByRole('heading', { level: 2, name: /^Edit “Zx+”$/ }).waitFor();
    await checkPage('list');
  }, 90_000);

  test('the agent reads the list without a way to change it, and the render route fills the reply in for a ticket', async () => {
    await signInAs('agent@tierdesk.example');
    await page.goto(`${portal!.url}/console/macros`);
    await page.getByRole('heading', { level: 1, name: 'Saved replies' }).waitFor();
    expect(await rowTitles()).toEqual(expect.arrayContaining([...SEEDED, title]));
    await page.getByText('Only specialists and admins change them.').waitFor();
    expect(await page.getByRole('button', { name: 'Create saved reply' }).count()).toBe(0);
    expect(await page.getByLabel('Reply (Markdown)').count()).toBe(0);
    expect(await page.getByRole('link', { name: /^Edit / }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Deactivate / }).count()).toBe(0);
    await page.getByRole('region', { name: 'Placeholders' }).waitFor();
    // Even with the address of the edit form, there is no form.
    await page.goto(`${portal!.url}/console/macros?edit=anything`);
    expect(await page.getByLabel('Reply (Markdown)').count()).toBe(0);
    await checkPage('read-only');

    const agent = await apiSignIn(api!.url, 'agent@tierdesk.example');
    const macro = (await gql(api!.url, 'query($q: String) { macros(search: $q) { nodes { id } } }', { q: title }, agent)).data!.macros
      .nodes[0];
    const tickets = (await gql(api!.url, '{ tickets(first: 100) { nodes { id number subject organization { slug } } } }', {}, agent)).data!
      .tickets.nodes;
    const ticket = tickets.find((candidate: { subject: string; organization: { slug: string } }) => {
      return candidate.subject === 'Add a second admin' && candidate.organization.slug === 'initech';
    });
    const renderPath = `/console/macros/render?${new URLSearchParams({ macro: macro.id, ticket: ticket.id })}`;
    const fetchInPage = (path: string) =>
      page.evaluate(async (url) => {
        const response = await fetch(url, { headers: { accept: 'application/json' } });
        return { status: response.status, body: await response.json().catch(() => null) };
      }, path);

    // The agent's own session cookie goes along: the staff member asking is the one the reply is filled in for.
    expect(await fetchInPage(renderPath)).toEqual({
      status: 200,
      body: { body: `Hi Ada, checking in on #${ticket.number} (Growth).`, visibility: 'INTERNAL', status: 'WAITING_ON_CUSTOMER' },
    });
    const unknownTicket = Buffer.from('Ticket:01900000-0000-7000-8000-000000000000', 'utf8').toString('base64url');
    const missing = await fetchInPage(`/console/macros/render?${new URLSearchParams({ macro: macro.id, ticket: unknownTicket })}`);
    expect(missing.status).toBe(404);
    expect(typeof missing.body.error).toBe('string');
  }, 90_000);

  test('a customer is refused the page and the render route', async () => {
    await signInAs('ada@initech.example', /\/dashboard$/);
    const response = await page.goto(`${portal!.url}/console/macros`);
    expect(response?.status()).toBe(403);
    await page.getByRole('link', { name: 'Go to your dashboard' }).waitFor();
    const refused = await page.evaluate(async () => (await fetch('/console/macros/render?macro=x&ticket=y')).status);
    expect(refused).toBe(403);
  });
});
