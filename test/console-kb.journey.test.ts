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
 * Knowledge-base editing in the staff console, in a real browser against the real API (seeded demo staff): the
 * specialist is refused an empty title beside the field, previews and publishes an article that the help center
 * then shows to anyone; edits it while the admin saves through the API, is told plainly who saved which version,
 * sees both side by side, and overwrites; archives it (gone from the help center and its search) and restores it;
 * the versions name who saved each. The agent is refused the knowledge-base pages with a way back.
 */
const SCREENSHOTS = resolve(import.meta.dirname, '../test-results/console');
const PASSWORD = 'tierdesk-demo';
const UPDATE = `mutation($input: UpdateArticleInput!) {
  updateArticle(input: $input) { article { version } userErrors { code message } }
}`;

describe.skipIf(!browserAvailable())('console knowledge-base editing journey', () => {
  let api: Awaited<ReturnType<typeof startTestApi>> | undefined;
  let portal: TestPortal | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;

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

  const signInAs = async (email: string) => {
    await browser!.context.clearCookies();
    page = await browser!.newPage();
    await page.goto(`${portal!.url}/signin`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console$/);
  };

  /** Both screen sizes: a screenshot of each, no sideways scrolling, no serious or critical axe violation. */
  const checkPage = async (name: string) => {
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: `${SCREENSHOTS}/kb-${name}-${viewport.width}.png`, fullPage: true });
      expect(await horizontalOverflow(page), `${name} at ${viewport.width}px scrolls sideways`).toBe(0);
      expect(await seriousAxeViolations(page), `${name} at ${viewport.width}px`).toEqual([]);
    }
    await page.setViewportSize(VIEWPORTS[0]);
  };

  /** Waits until an element shows this text (the address changes a moment before the page renders). */
  const shows = (testId: string, text: string | RegExp) =>
    page
      .getByTestId(testId)
      .filter({ hasText: typeof text === 'string' ? new RegExp(`^${text}$`) : text })
      .waitFor();

  /** The help center as someone signed out sees it (no cookie). */
  const anonymously = async (path: string) => {
    const response = await fetch(`${portal!.url}${path}`);
    return { status: response.status, html: await response.text() };
  };

  test('create with a field error and a preview, publish, edit through a conflict, archive and restore, read the versions', async () => {
    const stamp = Date.now();
    const word = `quokka${stamp}`;
    const title = `Rotating the ${word} signing key`;
    const longWord = 'x'.repeat(220);

    await signInAs('specialist@tierdesk.example');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Knowledge base' }).click();
    await page.waitForURL(/\/console\/kb$/);
    await page.getByRole('heading', { level: 1, name: 'Knowledge base' }).waitFor();
    await page.getByTestId('kb-total').waitFor();
    await page.getByLabel('Status').selectOption('ARCHIVED');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=ARCHIVED/);
    await page
      .getByTestId('kb-total')
      .getByText(/^0 articles match$/)
      .waitFor();
    await checkPage('list');

    // A new article: the empty title is refused beside the field, and nothing is created.
    await page.getByRole('link', { name: 'New article' }).click();
    await page.waitForURL(/\/console\/kb\/new$/);
    await checkPage('new');
    await page.getByLabel('Summary').fill('How to rotate the key that signs webhooks, without downtime.');
    await page.getByLabel('Product area').selectOption('security');
    await page.getByLabel('Tags').fill('webhooks, signing-keys');
    await page
      .getByLabel('Body (Markdown)')
      .fill(
        `## Before you start\n\nYou need the **admin** role. Raw <script>alert(1)</script> stays text.\n\n${longWord}\n\n- Create the new key\n- Retire the old one`,
      );
    await page.getByRole('button', { name: 'Publish article' }).click();
    await page.getByTestId('error-title').waitFor();
    expect(await page.getByTestId('error-title').textContent()).toMatch(/title is required/i);
    expect(await page.getByLabel('Title').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Title').getAttribute('aria-describedby')).toContain('title-error');
    expect(await page.getByLabel('Summary').inputValue()).toContain('rotate the key');
    expect(new URL(page.url()).pathname).toBe('/console/kb/new');
    await checkPage('new-error');

    // Preview: the body rendered as the help center will, the edits kept.
    await page.getByLabel('Title').fill(title);
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByTestId('kb-preview');
    await preview.getByRole('heading', { name: 'Before you start' }).waitFor();
    expect(await preview.locator('strong').textContent()).toBe('admin');
    expect(await preview.locator('script').count()).toBe(0);
    expect(await preview.textContent()).toContain('<script>alert(1)</script>');
    expect(await page.getByLabel('Title').inputValue()).toBe(title);
    await checkPage('new-preview');

    await page.getByRole('button', { name: 'Publish article' }).click();
    const slug = `rotating-the-${word}-signing-key`;
    await page.waitForURL(new RegExp(`/console/kb/${slug}\\?done=created$`));
    await shows('kb-flash', /published/);
    await shows('kb-status', 'Published');
    await checkPage('edit');

    // Anyone reads it in the help center, and finds it by search.
    const published = await anonymously(`/help/${slug}`);
    expect(published.status).toBe(200);
    expect(published.html).toContain(title);
    expect((await anonymously(`/help?q=${word}`)).html).toContain(`/help/${slug}`);

    // An edit while the admin saves through the API: the conflict names who saved which version, shows both.
    await page.getByLabel('Summary').fill('Rotate the webhook signing key in three steps, with no downtime.');
    const admin = await apiSignIn(api!.url, 'admin@tierdesk.example');
    const id = (await gql(api!.url, `{ article(slug: "${slug}") { id } }`, {}, admin)).data!.article.id;
    const theirs = await gql(api!.url, UPDATE, { input: { id, expectedVersion: 1, title: `${title} (admin)` } }, admin);
    expect(theirs.data!.updateArticle).toEqual({ article: { version: 2 }, userErrors: [] });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const conflict = page.getByTestId('kb-conflict');
    await conflict.waitFor();
    expect(await page.getByTestId('kb-conflict-message').textContent()).toMatch(
      /^Ari Admin saved version 2 at \d+ \w+ \d{4}, \d\d:\d\d UTC, after you opened version 1\. Your changes are not saved yet\.$/,
    );
    await page.getByText('Version 2, saved by Ari Admin').waitFor();
    expect(await page.getByTestId('kb-flash').count()).toBe(0);
    const diff = page.getByTestId('kb-conflict-diff');
    expect(await diff.locator('tbody th').allTextContents()).toEqual(['Title', 'Summary']);
    expect(await diff.locator('tbody tr').first().locator('td').allTextContents()).toEqual([`${title} (admin)`, title]);
    expect(await page.getByLabel('Summary').inputValue()).toBe('Rotate the webhook signing key in three steps, with no downtime.');
    await checkPage('edit-conflict');

    // Overwrite: saved over version 2 as version 3, with the specialist's title and summary.
    await conflict.getByRole('button', { name: 'Overwrite with my edit' }).click();
    await page.waitForURL(/done=saved&v=3$/);
    await shows('kb-edit-title', title);
    await expect
      .poll(() => page.getByLabel('Summary').inputValue())
      .toBe('Rotate the webhook signing key in three steps, with no downtime.');

    // Another conflict, resolved the other way: their version is loaded and the edit discarded.
    await page.getByLabel('Title').fill(`${title}, mine`);
    expect(
      (await gql(api!.url, UPDATE, { input: { id, expectedVersion: 3, summary: 'Admin summary.' } }, admin)).data!.updateArticle.article,
    ).toEqual({
      version: 4,
    });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await conflict.waitFor();
    await conflict.getByRole('link', { name: 'Discard my edit and load version 4' }).click();
    await page.waitForURL(/done=reloaded$/);
    await expect.poll(() => page.getByLabel('Title').inputValue()).toBe(title);
    await expect.poll(() => page.getByLabel('Summary').inputValue()).toBe('Admin summary.');

    // Archive: gone from the help center and its search; restore: back.
    await page.getByRole('button', { name: 'Archive article' }).click();
    await page.waitForURL(/done=archived$/);
    await shows('kb-status', 'Archived');
    expect((await anonymously(`/help/${slug}`)).status).toBe(404);
    expect((await anonymously(`/help?q=${word}`)).html).not.toContain(`/help/${slug}`);
    await checkPage('edit-archived');
    await page.getByRole('button', { name: 'Restore article' }).click();
    await page.waitForURL(/done=restored$/);
    await shows('kb-status', 'Published');
    expect((await anonymously(`/help/${slug}`)).status).toBe(200);

    // The versions: who saved which, and the content of a past one.
    await page.getByRole('link', { name: 'See every version and its content' }).click();
    await page.waitForURL(new RegExp(`/console/kb/${slug}/versions$`));
    const rows = page.getByRole('table').locator('tbody tr');
    const table = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent?.trim())));
    expect(table.map(([version, , by, status, , changed]) => [version, by, status, changed])).toEqual([
      ['6', 'Sam Specialist', 'Published', 'Restored'],
      ['5', 'Sam Specialist', 'Archived', 'Archived'],
      ['4', 'Ari Admin', 'Published', 'Summary'],
      ['3', 'Sam Specialist', 'Published', 'Title, Summary'],
      ['2', 'Ari Admin', 'Published', 'Title'],
      ['1', 'Sam Specialist', 'Published', 'Created'],
    ]);
    expect(table[1]![4]).toBe(title);
    expect(table[4]![4]).toBe(`${title} (admin)`);
    await checkPage('versions');
    await page.getByRole('link', { name: 'Version 2', exact: true }).click();
    await page.waitForURL(/versions\?version=2$/);
    const version = page.getByTestId('kb-version');
    await version.getByRole('heading', { name: 'Version 2' }).waitFor();
    expect(await version.textContent()).toContain(`${title} (admin)`);
    await version.getByRole('heading', { name: 'Before you start' }).waitFor();
    await checkPage('version');

    // The list finds it by a word of its title.
    await page.goto(`${portal!.url}/console/kb?q=${word}`);
    expect(await page.getByTestId('kb-articles').locator('tbody th a').allTextContents()).toEqual([title]);
  }, 180_000);

  test('the agent is refused the knowledge-base pages, with a way back, and has no link to them', async () => {
    await signInAs('agent@tierdesk.example');
    expect(await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Knowledge base' }).count()).toBe(0);
    for (const path of ['/console/kb', '/console/kb/new']) {
      const response = await page.goto(`${portal!.url}${path}`);
      expect(response?.status(), path).toBe(403);
      await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
      expect(await page.getByRole('main').textContent()).toContain('specialists and admins');
      // Refused inside the console: its header and navigation stay.
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Views' }).waitFor();
    }
    await checkPage('refused');
    await page.getByRole('link', { name: 'Back to your views' }).click();
    await page.waitForURL(/\/console$/);
  }, 60_000);
});
