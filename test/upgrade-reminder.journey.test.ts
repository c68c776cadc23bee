import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Organization } from '../api/src/modules/organizations/index.js';
import { startTestApi } from './support/api.js';
import { browserAvailable, launchBrowser, type TestBrowser } from './support/browser.js';
import { startTestPortal, type TestPortal } from './support/portal.js';

/** Initech outgrows Growth: the dashboard explains why a higher tier fits, links to the plans, and can be dismissed. */
describe.skipIf(!browserAvailable())('upgrade reminder on the dashboard', () => {
  let api: Awaited<ReturnType<typeof startTestApi>> | undefined;
  let portal: TestPortal | undefined;
  let browser: TestBrowser | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    api = await startTestApi();
    const { em } = api.system();
    const initech = await em.findOneOrFail(Organization, { slug: 'initech' });
    initech.contractValue = 120_000;
    initech.monthlyUsage = 5_000;
    await em.flush();
    await api.api.jobs.run('billing.upgrade-check');
    [portal, browser] = await Promise.all([startTestPortal({ apiUrl: api.url }), launchBrowser()]);
  });

  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await portal?.stop();
    await api?.stop();
  });

  test('shows the reasons, links to the plans, and stays dismissed', async () => {
    page = await browser!.newPage();
    await page.goto(`${portal!.url}/signin`);
    await page.getByLabel('Email').fill('ada@initech.example');
    await page.getByLabel('Password').fill('tierdesk-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/dashboard$/);
    const banner = page.getByRole('status').filter({ hasText: 'Business' });
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/contract value/i);
    expect(await banner.getByRole('link').first().getAttribute('href')).toContain('/plans');
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    // The URL is /dashboard before and after the dismissal: wait for the banner to go, then prove it stays gone.
    await banner.waitFor({ state: 'detached' });
    await page.reload();
    // The dashboard has rendered (its plan line is there) before the banner's absence means anything.
    expect(await page.getByTestId('tier-name').textContent()).toBe('Growth');
    expect(await page.getByRole('status').filter({ hasText: 'Business' }).count()).toBe(0);
    expect(browser!.takeProblems()).toEqual([]);
  });
});
