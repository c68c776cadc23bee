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
 * My work in the staff console, in a real browser against the real API (seeded demo data, the real clock). An agent
 * escalates a Northwind (Enterprise) ticket; its policy pages the on-call schedule, and the on-call engineer, Olivia,
 * sees the page on /console/me and acknowledges it from the keyboard (the API then says ACKNOWLEDGED). While her
 * page stays open a second escalation pages her: its notification appears within seconds without a reload, and she
 * marks it read. Her presence, load against capacity and profile (skills, certifications with an expired and an
 * expiring one flagged) are shown, on a desktop and a phone screen, a 200-character subject without a space included.
 */
const SCREENSHOTS = resolve(import.meta.dirname, '../test-results/console');
const PASSWORD = 'tierdesk-demo';
const DAY = 86_400_000;

describe.skipIf(!browserAvailable())('console my-work journey', () => {
  let api: Awaited<ReturnType<typeof startTestApi>> | undefined;
  let portal: TestPortal | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  const token = { admin: '', agent: '', oncall: '', nancy: '' };
  let oncallId = '';

  const call = async (who: string, query: string, variables: Record<string, unknown> = {}) => {
    const result = await gql(api!.url, query, variables, who);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    return result.data!;
  };

  /**
   * The seeded Enterprise policy ("Critical") pages the "Senior engineers" rotation first, which alternates weekly
   * between the on-call engineer and the specialist. In the specialist's weeks, Enterprise escalations are pointed
   * at a policy that pages the on-call engineer directly, so the journey runs the same any week.
   */
  const makeEnterpriseEscalationsPageTheOnCallEngineer = async () => {
    const { escalationPolicies } = await call(token.admin, '{ escalationPolicies { id name levels { targets { type id } } } }');
    const critical = escalationPolicies.find((policy: { name: string }) => policy.name === 'Critical');
    const schedule = critical.levels[0].targets.find((target: { type: string }) => target.type === 'SCHEDULE').id;
    const { onCallNow } = await call(token.admin, 'query($id: ID!) { onCallNow(scheduleId: $id) }', { id: schedule });
    if (onCallNow.includes(oncallId)) return;
    const { createEscalationPolicy } = await call(
      token.admin,
      'mutation($input: CreateEscalationPolicyInput!) { createEscalationPolicy(input: $input) { escalationPolicy { id } userErrors { message } } }',
      { input: { name: 'Journey: the on-call engineer', levels: [{ delayMinutes: 30, targets: [{ type: 'USER', id: oncallId }] }] } },
    );
    expect(createEscalationPolicy.userErrors).toEqual([]);
    const { slaPolicies } = await call(token.admin, '{ slaPolicies { tierKey pauseStatuses warnPercent } }');
    const enterprise = slaPolicies.find((policy: { tierKey: string }) => policy.tierKey === 'enterprise');
    const { upsertSlaPolicy } = await call(
      token.admin,
      'mutation($input: UpsertSlaPolicyInput!) { upsertSlaPolicy(input: $input) { userErrors { message } } }',
      { input: { ...enterprise, escalationPolicyId: createEscalationPolicy.escalationPolicy.id } },
    );
    expect(upsertSlaPolicy.userErrors).toEqual([]);
  };

  /** An expired and an expiring certification beside the seeded one, set as an admin does (the only way). */
  const giveTheOnCallEngineerCertificationsToFlag = async () => {
    const { agent } = await call(
      token.admin,
      'query($id: ID) { agent(userId: $id) { skills { domain level } certifications { name expiresAt } languages region capacity { priority count } } }',
      { id: oncallId },
    );
    const { upsertAgentProfile } = await call(
      token.admin,
      'mutation($input: AgentProfileInput!) { upsertAgentProfile(input: $input) { userErrors { message } } }',
      {
        input: {
          userId: oncallId,
          skills: agent.skills,
          languages: agent.languages,
          region: agent.region,
          capacity: agent.capacity.map((entry: { priority: string; count: number }) => ({ priority: entry.priority, max: entry.count })),
          certifications: [
            ...agent.certifications,
            { name: 'Kubernetes administrator', expiresAt: new Date(Date.now() - 3 * DAY).toISOString() },
            { name: 'PostgreSQL tuning', expiresAt: new Date(Date.now() + 10 * DAY + 3_600_000).toISOString() },
          ],
        },
      },
    );
    expect(upsertAgentProfile.userErrors).toEqual([]);
  };

  beforeAll(async () => {
    api = await startTestApi();
    [portal, browser] = await Promise.all([startTestPortal({ apiUrl: api.url }), launchBrowser(), mkdir(SCREENSHOTS, { recursive: true })]);
    token.admin = await apiSignIn(api.url, 'admin@tierdesk.example');
    token.agent = await apiSignIn(api.url, 'agent@tierdesk.example');
    token.oncall = await apiSignIn(api.url, 'oncall@tierdesk.example');
    token.nancy = await apiSignIn(api.url, 'nancy@northwind.example');
    oncallId = (await call(token.oncall, '{ viewer { user { id } } }')).viewer.user.id;
    await makeEnterpriseEscalationsPageTheOnCallEngineer();
    await giveTheOnCallEngineerCertificationsToFlag();
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

  /** Nancy files a ticket and the agent escalates it; returns its number and the escalation's first page. */
  const escalateANorthwindTicket = async (subject: string) => {
    const { createTicket } = await call(
      token.nancy,
      'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id number } userErrors { message } } }',
      { input: { subject, description: `${subject}: seen by every user since this morning.`, priority: 'NORMAL' } },
    );
    expect(createTicket.userErrors).toEqual([]);
    const { escalateTicket } = await call(
      token.agent,
      'mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) { escalation { id steps { notifiedUserIds } } userErrors { message } } }',
      { input: { ticketId: createTicket.ticket.id, reason: 'Their finance team is blocked.' } },
    );
    expect(escalateTicket.userErrors).toEqual([]);
    return { ticketId: createTicket.ticket.id, number: createTicket.ticket.number, escalation: escalateTicket.escalation };
  };

  const unreadInTheApi = async () =>
    (await call(token.oncall, '{ myNotifications(unreadOnly: true, first: 0) { totalCount } }')).myNotifications.totalCount;

  /** Both screen sizes: a screenshot of each, no sideways scrolling, no serious or critical axe violation. */
  const checkPage = async (name: string) => {
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: `${SCREENSHOTS}/me-${name}-${viewport.width}.png`, fullPage: true });
      expect(await horizontalOverflow(page), `${name} at ${viewport.width}px scrolls sideways`).toBe(0);
      expect(await seriousAxeViolations(page), `${name} at ${viewport.width}px`).toEqual([]);
    }
    await page.setViewportSize(VIEWPORTS[0]);
  };

  test('see the page, acknowledge it, watch a new notification arrive without a reload, mark it read, read the profile', async () => {
    const stamp = Date.now();
    // A 200-character subject without a space, paged first (so listed second): it must not widen the page.
    const unbroken = await escalateANorthwindTicket(`Unbroken${stamp}`.padEnd(200, 'x'));
    const first = await escalateANorthwindTicket(`Month-end export stalls ${stamp}`);
    // The page went to the on-call engineer, as the escalation's own step records it.
    expect(first.escalation.steps[0].notifiedUserIds).toContain(oncallId);

    await browser!.context.clearCookies();
    page = await browser!.newPage();
    await page.goto(`${portal!.url}/signin`);
    await page.getByLabel('Email').fill('oncall@tierdesk.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console$/);
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: /My work/ })
      .click();
    await page.waitForURL(/\/console\/me$/);
    await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();

    // The page: ticket, organization, tier and level, newest first.
    const pages = page.getByTestId('pages');
    const firstRow = pages.getByTestId('page-row').filter({ hasText: `#${first.number} Month-end export stalls ${stamp}` });
    await firstRow.waitFor();
    expect(await pages.getByTestId('page-row').first().textContent()).toContain(`#${first.number} `);
    expect(await firstRow.getByRole('cell').nth(0).textContent()).toContain('Northwind');
    expect(await firstRow.getByRole('cell').nth(0).textContent()).toContain('Enterprise');
    expect((await firstRow.getByRole('cell').nth(1).textContent())?.trim()).toBe('1');
    await pages
      .getByTestId('page-row')
      .filter({ hasText: `#${unbroken.number} Unbroken${stamp}` })
      .waitFor();

    // The header's unread count and the page's agree with the API.
    const unread = await unreadInTheApi();
    expect(unread).toBeGreaterThan(0);
    expect(await page.getByTestId('unread-notifications').textContent()).toContain(String(unread));
    expect(await page.getByTestId('unread-count').textContent()).toBe(`${unread} unread`);

    // Presence, shift, load against capacity (numbers in a table) and the read-only profile.
    expect(await page.getByTestId('my-presence').textContent()).toMatch(/Offline|Online|Away/);
    const workload = page.getByRole('table', { name: 'Open tickets against capacity' });
    expect(await workload.locator('tbody th').allTextContents()).toEqual(['Urgent', 'High', 'Normal', 'Low']);
    expect(
      await workload
        .getByRole('row', { name: /^Urgent/ })
        .getByRole('cell')
        .nth(1)
        .textContent(),
    ).toBe('2');
    const skills = page.getByRole('table', { name: 'Skills' });
    expect(
      await skills
        .getByRole('row', { name: /^Performance/ })
        .getByRole('cell')
        .allTextContents(),
    ).toEqual(['3', 'Expert']);
    const certifications = page.getByRole('table', { name: 'Certifications' });
    expect(
      await certifications
        .getByRole('row', { name: /^Kubernetes administrator/ })
        .getByRole('cell')
        .nth(1)
        .textContent(),
    ).toBe('Expired');
    expect(
      await certifications
        .getByRole('row', { name: /^PostgreSQL tuning/ })
        .getByRole('cell')
        .nth(1)
        .textContent(),
    ).toBe('Expires in 11 days');
    expect(
      await certifications
        .getByRole('row', { name: /^Security incident response/ })
        .getByRole('cell')
        .nth(1)
        .textContent(),
    ).toBe('Valid');
    await page.getByText('Only an admin can change an agent profile').waitFor();
    await checkPage('paged');

    // Acknowledge from the keyboard: "a" goes to the newest page's button, Enter presses it.
    await page.keyboard.press('a');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(`Acknowledge #${first.number}`);
    await page.keyboard.press('Enter');
    const confirmation = page.getByTestId('acknowledged');
    await confirmation.waitFor();
    expect(await confirmation.textContent()).toContain(`You acknowledged #${first.number}`);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('acknowledged');
    await firstRow.waitFor({ state: 'detached' });
    const { ticket } = await call(token.agent, 'query($id: ID!) { ticket(id: $id) { escalations { status acknowledgedById } } }', {
      id: first.ticketId,
    });
    expect(ticket.escalations[0]).toEqual({ status: 'ACKNOWLEDGED', acknowledgedById: oncallId });

    // Acknowledged pages are one click away.
    await page.getByRole('link', { name: 'Include acknowledged' }).click();
    await page.waitForURL(/acknowledged=1$/);
    expect(await firstRow.getByRole('cell').nth(4).textContent()).toContain('Acknowledged');
    await page.getByRole('link', { name: 'Show open pages only' }).click();
    await page.waitForURL(/\/console\/me$/);
    await firstRow.waitFor({ state: 'detached' });

    // A second escalation while the page stays open: it arrives by itself, with no navigation in between.
    await page.evaluate(() => Object.assign(window, { stillTheSameDocument: true }));
    const second = await escalateANorthwindTicket(`Invoices show the wrong VAT ${stamp}`);
    expect(second.escalation.steps[0].notifiedUserIds).toContain(oncallId);
    const arrived = page
      .getByTestId('notification')
      .filter({ hasText: `Escalated: #${second.number} Invoices show the wrong VAT ${stamp}` });
    await arrived.waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { stillTheSameDocument?: boolean }).stillTheSameDocument)).toBe(true);
    await arrived.getByText('Unread').waitFor();
    expect(await page.getByTestId('notification').first().textContent()).toContain(`#${second.number} `);
    await pages
      .getByTestId('page-row')
      .filter({ hasText: `#${second.number} ` })
      .waitFor();
    const unreadNow = await unreadInTheApi();
    expect(unreadNow).toBe(unread + 1);
    await page
      .getByTestId('unread-notifications')
      .filter({ hasText: String(unreadNow) })
      .waitFor();
    await checkPage('notified');

    // Mark it read: the highlight goes, the API records it, both counts go down.
    await arrived.getByRole('button', { name: /^Mark read/ }).click();
    await arrived.getByText('Unread').waitFor({ state: 'detached' });
    await page
      .getByTestId('unread-count')
      .filter({ hasText: `${unread} unread` })
      .waitFor();
    await page
      .getByTestId('unread-notifications')
      .filter({ hasText: String(unread) })
      .waitFor();
    expect(await unreadInTheApi()).toBe(unread);
    const { myNotifications } = await call(token.oncall, '{ myNotifications(first: 1) { nodes { title readAt } } }');
    expect(myNotifications.nodes[0].title).toContain(`#${second.number} `);
    expect(myNotifications.nodes[0].readAt).not.toBeNull();
    await checkPage('read');
    // Axe runs six times and a notification may take up to a refresh interval to arrive.
  }, 120_000);
});
