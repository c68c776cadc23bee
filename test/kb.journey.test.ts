/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { indexKnowledgeBase } from '../api/src/modules/kb/index.js';
import { startTestApi } from './support/api.js';
import { browserAvailable, launchBrowser, type TestBrowser } from './support/browser.js';
import { gql, signIn as apiSignIn } from './support/graphql.js';
import { startTestPortal, type TestPortal } from './support/portal.js';

/**
 * The help center in a real browser against the real API, on the real kb/articles (indexed here: the seeded
 * template database has no articles). An anonymous visitor searches with a typo, shares and reloads the page,
 * narrows it with a facet, reads an article, is told why a search is refused, and follows "Still need help?" to a
 * prefilled new-ticket form with suggested articles (signing in on the way). Ada (Growth) rates an article and does
 * not find the premium (tier:business) one; Nancy (Enterprise) does.
 */
const GROWTH_CUSTOMER = { email: 'ada@initech.example', password: 'tierdesk-demo' };
const ENTERPRISE_CUSTOMER = { email: 'nancy@northwind.example', password: 'tierdesk-demo' };
/** kb/articles/advanced-api-tuning.md: `visibility: tier:business`. */
const PREMIUM = { slug: 'advanced-api-tuning', title: 'Advanced API tuning: getting the most from your API budget' };

describe.skipIf(!browserAvailable())('help center journey', () => {
  let api: Awaited<ReturnType<typeof startTestApi>> | undefined;
  let portal: TestPortal | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;

  beforeAll(async () => {
    api = await startTestApi();
    const [report] = await Promise.all([
      indexKnowledgeBase(api.system('kb-index'), { dir: resolve(import.meta.dirname, '../kb/articles') }),
      startTestPortal({ apiUrl: api.url }).then((started) => (portal = started)),
      launchBrowser().then((launched) => (browser = launched)),
    ]);
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(report.added.length).toBeGreaterThan(50);
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

  const signIn = async ({ email, password }: { email: string; password: string }) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  /** React has hydrated the element: its event handlers are attached. */
  const hydrated = (selector: string) =>
    page.waitForFunction((css) => {
      const element = document.querySelector(css);
      return Boolean(element && Object.keys(element).some((key) => key.startsWith('__reactProps')));
    }, selector);

  const results = () => page.getByRole('list', { name: 'Search results' });
  const resultTitles = () => results().locator('h3').allTextContents();
  const total = async () =>
    Number((await page.getByTestId('kb-total').textContent())!.match(/^([\d,]+) articles? found/)![1]!.replace(/,/g, ''));

  test('signed out: search as you type with a typo, share and reload, narrow by a facet, read an article', async () => {
    await browser!.context.clearCookies();
    await open('/help');
    await page.getByRole('heading', { level: 1, name: 'Help center' }).waitFor();
    // Once hydrated, typing alone (no Enter) searches, after a short pause.
    await hydrated('#kb-q');
    await page.getByLabel('Search the help center').pressSequentially('escalatoin', { delay: 20 });
    await page.waitForURL((url) => url.pathname === '/help' && url.searchParams.get('q') === 'escalatoin');
    await results().waitFor();

    // The typo is forgiven; the match is highlighted (a real <mark>, nothing else of the markup), the score is not shown.
    const marks = results().locator('mark');
    expect(await marks.count()).toBeGreaterThan(0);
    expect((await marks.first().textContent())!.toLowerCase()).toMatch(/^escalat/);
    expect(await results().innerText()).not.toMatch(/&lt;|<mark>|score/i);
    const titles = await resultTitles();
    expect(titles.some((title) => /escalat/i.test(title))).toBe(true);
    const count = await total();
    expect(count).toBeGreaterThan(1);

    // The page is its URL: reloading shows the same results.
    await page.reload();
    await results().waitFor();
    expect(await resultTitles()).toEqual(titles);
    expect(await page.getByLabel('Search the help center').inputValue()).toBe('escalatoin');

    // "Next page" follows the cursor, in the URL too; back returns to the first page.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === 'escalatoin' && url.searchParams.has('after'));
    await page.getByRole('link', { name: 'First page' }).waitFor();
    const second = await resultTitles();
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((title) => titles.includes(title))).toEqual([]);
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get('q') === 'escalatoin' && !url.searchParams.has('after'));
    await page.waitForFunction((first) => document.querySelector('ol[aria-label="Search results"] h3')?.textContent === first, titles[0]);

    // A product-area facet narrows the results and keeps the query.
    const facets = page.getByRole('navigation', { name: 'Filters' });
    const areaLinks = facets.getByRole('region', { name: 'Product area' }).getByRole('link');
    const areas = await areaLinks.evaluateAll((links) =>
      links.map((link) => ({ href: link.getAttribute('href')!, count: Number(link.textContent!.match(/\((\d+)\)/)?.[1] ?? 0) })),
    );
    const narrower = areas.find((area) => area.count > 0 && area.count < count)!;
    expect(narrower, JSON.stringify(areas)).toBeDefined();
    await facets.locator(`a[href="${narrower.href}"]`).click();
    await page.waitForURL((url) => url.searchParams.get('q') === 'escalatoin' && url.searchParams.has('area'));
    await page.getByRole('list', { name: 'Active filters' }).waitFor();
    expect(await total()).toBe(narrower.count);
    expect((await resultTitles()).length).toBe(narrower.count);
    const area = new URL(page.url()).searchParams.get('area')!;

    // A tag facet narrows further, keeping both.
    const tagLink = facets.getByRole('region', { name: 'Tag' }).getByRole('link').first();
    await tagLink.click();
    await page.waitForURL(
      (url) => url.searchParams.get('area') === area && url.searchParams.has('tag') && url.searchParams.get('q') === 'escalatoin',
    );
    expect(await total()).toBeLessThanOrEqual(narrower.count);

    // Opening a result shows its Markdown body, rendered.
    const first = results().getByRole('link').first();
    const firstTitle = (await first.textContent())!;
    await first.click();
    await page.waitForURL((url) => url.pathname.startsWith('/help/'));
    await page.getByRole('heading', { level: 1, name: firstTitle }).waitFor();
    const body = page.getByTestId('kb-article-body');
    expect((await body.innerText()).length).toBeGreaterThan(200);
    expect(await body.locator('p').count()).toBeGreaterThan(1);
    expect(await page.getByText(/^Updated /).textContent()).toMatch(/\d{4}$/);
    expect(await page.getByRole('list', { name: 'Tags' }).getByRole('link').count()).toBeGreaterThan(0);

    // Rating needs an account: signed out, the page asks to sign in (and comes back).
    const feedback = page.getByRole('region', { name: 'Was this helpful?' });
    expect(await feedback.getByRole('button', { name: 'Yes' }).count()).toBe(0);
    expect(
      new URL((await feedback.getByRole('link', { name: 'Sign in' }).getAttribute('href'))!, portal!.url).searchParams.get('redirectTo'),
    ).toMatch(/^\/help\//);
  });

  test('signed out: refused searches are explained, unknown and premium articles are a friendly 404', async () => {
    await browser!.context.clearCookies();
    await open(`/help?q=${'a'.repeat(201)}`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/too long/i);

    await page.goto(`${portal!.url}/help?q=`);
    await page.getByRole('status').filter({ hasText: 'Type a word or two' }).waitFor();

    await page.goto(`${portal!.url}/help?q=${encodeURIComponent('?!')}`);
    expect(await page.getByRole('alert').textContent()).toMatch(/letters or digits/i);

    for (const slug of ['no-such-article', PREMIUM.slug]) {
      const response = await page.goto(`${portal!.url}/help/${slug}`);
      expect(response!.status()).toBe(404);
      await page.getByRole('heading', { level: 1, name: 'Article not found' }).waitFor();
      await page.getByRole('link', { name: 'Back to the help center' }).waitFor();
    }
  });

  test('signed out, "Still need help?" leads through sign-in to a prefilled ticket form with suggested articles', async () => {
    await browser!.context.clearCookies();
    await open('/help?q=escalate%20a%20ticket');
    await results().waitFor();
    await page.getByRole('link', { name: 'Open a ticket' }).click();
    await page.waitForURL(/\/signin\?/);
    await signIn(GROWTH_CUSTOMER);
    await page.waitForURL((url) => url.pathname === '/tickets/new' && url.searchParams.get('subject') === 'escalate a ticket');
    expect(await page.getByLabel('Subject').inputValue()).toBe('escalate a ticket');

    const suggested = page.getByRole('complementary', { name: 'Suggested articles' });
    const links = suggested.getByRole('link');
    await links.first().waitFor();
    expect(await links.first().getAttribute('target')).toBe('_blank');
    expect(await links.first().getAttribute('href')).toMatch(/^\/help\/[a-z0-9-]+/);
    const before = await links.allTextContents();
    expect(before.some((title) => /escalat/i.test(title))).toBe(true);

    // As the customer writes, the suggestions follow the text.
    await hydrated('#subject');
    await page.getByLabel('Subject').fill('');
    await page.getByLabel('Subject').pressSequentially('sla clock paused waiting on customer', { delay: 10 });
    await page.waitForFunction((previous) => {
      const list = [...document.querySelectorAll('.kb-suggestions a')].map((link) => link.textContent);
      return list.length > 0 && JSON.stringify(list) !== previous;
    }, JSON.stringify(before));
    expect((await links.allTextContents()).some((title) => /pause|clock|SLA/i.test(title))).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/tickets/new');
  });

  test('on Growth: rating an article is recorded; a tier:business article is not found', async () => {
    await browser!.context.clearCookies();
    await open('/help/escalating-a-ticket-yourself');
    await page.getByRole('region', { name: 'Was this helpful?' }).getByRole('link', { name: 'Sign in' }).click();
    await signIn(GROWTH_CUSTOMER);
    await page.waitForURL((url) => url.pathname === '/help/escalating-a-ticket-yourself');
    const feedback = page.getByRole('region', { name: 'Was this helpful?' });
    await feedback.getByRole('button', { name: 'No' }).click();
    await feedback.getByTestId('kb-feedback-recorded').waitFor();
    // Answering again replaces the answer.
    await feedback.getByRole('button', { name: 'Yes' }).click();
    await feedback.getByText('Glad it helped').waitFor();

    const admin = await apiSignIn(api!.url, 'admin@tierdesk.example');
    const analytics = await gql<{ knowledgeBaseAnalytics: { articleRatings: { slug: string; helpful: number; notHelpful: number }[] } }>(
      api!.url,
      'query { knowledgeBaseAnalytics { articleRatings { slug helpful notHelpful } } }',
      {},
      admin,
    );
    expect(analytics.errors).toBeUndefined();
    expect(analytics.data!.knowledgeBaseAnalytics.articleRatings).toContainEqual({
      slug: 'escalating-a-ticket-yourself',
      helpful: 1,
      notHelpful: 0,
    });

    // The premium article: not in search, not by address. The header shows the customer's tier.
    expect(await page.getByRole('banner').textContent()).toContain('Growth');
    await page.goto(`${portal!.url}/help?q=${encodeURIComponent('advanced api tuning')}`);
    await page.getByTestId('kb-total').waitFor();
    expect(await resultTitles()).not.toContain(PREMIUM.title);
    const response = await page.goto(`${portal!.url}/help/${PREMIUM.slug}`);
    expect(response!.status()).toBe(404);
    await page.getByRole('heading', { level: 1, name: 'Article not found' }).waitFor();
  });

  test('on Enterprise: the tier:business article is found and readable', async () => {
    await browser!.context.clearCookies();
    await open(`/signin?redirectTo=${encodeURIComponent('/help?q=advanced api tuning')}`);
    await signIn(ENTERPRISE_CUSTOMER);
    await page.waitForURL((url) => url.pathname === '/help');
    await results().waitFor();
    const link = results().getByRole('link', { name: PREMIUM.title });
    await link.click();
    await page.waitForURL((url) => url.pathname === `/help/${PREMIUM.slug}`);
    await page.getByRole('heading', { level: 1, name: PREMIUM.title }).waitFor();
    expect(await page.getByTestId('kb-article-body').innerText()).toContain('One request, many objects');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Help center' }).waitFor();
  });
});
