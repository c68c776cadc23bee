/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { indexKnowledgeBase } from '../api/src/modules/kb/index.js';
import { startTestApi } from './support/api.js';
import { browserAvailable, launchBrowser, type TestBrowser } from './support/browser.js';
import { gql, signIn as apiSignIn } from './support/graphql.js';
import { horizontalOverflow, seriousAxeViolations, VIEWPORTS } from './support/page-checks.js';
import { startTestPortal, type TestPortal } from './support/portal.js';
import { openUrgentNorthwindTickets } from './support/tickets.js';

/**
 * The staff console's ticket workspace in a real browser against the real API (seeded demo data, the real
 * kb/articles indexed for suggestions). Alex Agent opens Initech's "Add a second admin" ticket, replies publicly
 * (`r`) and writes an internal note (`n`); Ada, the customer, sees the reply and not the note. Alex changes the
 * status and priority, is refused Urgent (Initech is on Growth) with the API's words, assigns the ticket to himself
 * (`a`), acknowledges an escalation, and is stopped from sending a reply written before a colleague answered, until
 * he sends it anyway. A ticket with a 200-character unbroken subject and a 20,000-character body fits a desktop and a
 * phone, and axe finds nothing serious; an SLA timer turns to "due soon" without a reload.
 */
const AGENT = { email: 'agent@tierdesk.example', password: 'tierdesk-demo', name: 'Alex Agent' };
const SPECIALIST = 'specialist@tierdesk.example';
const CUSTOMER = { email: 'ada@initech.example', password: 'tierdesk-demo' };
const SCREENSHOTS = resolve(import.meta.dirname, '../test-results/console');

const COMMENTS = `query($id: ID!) { ticket(id: $id) { comments(first: 100) { totalCount nodes { body visibility } } } }`;

describe.skipIf(!browserAvailable())('console ticket workspace journey', () => {
  let api: Awaited<ReturnType<typeof startTestApi>> | undefined;
  let portal: TestPortal | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let agentToken: string;
  let specialistToken: string;
  let ticketId: string;

  beforeAll(async () => {
    api = await startTestApi();
    const [report] = await Promise.all([
      indexKnowledgeBase(api.system('kb-index'), { dir: resolve(import.meta.dirname, '../kb/articles') }),
      startTestPortal({ apiUrl: api.url }).then((started) => (portal = started)),
      launchBrowser().then((launched) => (browser = launched)),
      mkdir(SCREENSHOTS, { recursive: true }),
    ]);
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    [agentToken, specialistToken] = await Promise.all([apiSignIn(api.url, AGENT.email), apiSignIn(api.url, SPECIALIST)]);
    const tickets = await gql<{ tickets: { nodes: { id: string; subject: string }[] } }>(
      api.url,
      '{ tickets(first: 50) { nodes { id subject } } }',
      {},
      agentToken,
    );
    ticketId = tickets.data!.tickets.nodes.find((ticket) => ticket.subject === 'Add a second admin')!.id;
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

  const signInAs = async ({ email, password }: { email: string; password: string }, landing: RegExp) => {
    await browser!.context.clearCookies();
    page = await browser!.newPage();
    await page.goto(`${portal!.url}/signin`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(landing);
  };

  const openWorkspace = async (id: string, query = '') => {
    await page.goto(`${portal!.url}/console/tickets/${id}${query}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    // Shortcuts need the page live: their list appears once it is.
    await page.getByRole('list', { name: 'Keyboard shortcuts' }).waitFor();
  };

  const comments = async (id: string) => {
    const result = await gql<{ ticket: { comments: { totalCount: number; nodes: { body: string; visibility: string }[] } } }>(
      api!.url,
      COMMENTS,
      { id },
      agentToken,
    );
    return result.data!.ticket.comments;
  };

  /** Shortcuts are ignored while a field has focus (as they should be): leave it first. */
  const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

  const conversation = () => page.getByRole('list', { name: 'Conversation' });

  test('reply publicly (r) and add an internal note (n); the customer sees the reply and not the note', async () => {
    await signInAs(AGENT, /\/console$/);
    await openWorkspace(ticketId);
    await page.getByRole('heading', { level: 1, name: 'Add a second admin' }).waitFor();
    await page.getByTestId('customer-panel').getByText('Initech').first().waitFor();
    expect(await conversation().getByTestId('description').textContent()).toContain('Please make Peter an admin');

    // `r`: the public reply box, focused. Markdown is rendered; raw HTML shows as text.
    await blur();
    await page.keyboard.press('r');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reply-body');
    expect(await page.locator('#visibility-public').isChecked()).toBe(true);
    const reply = `Done: **Peter** is an admin now <img src=x onerror=alert(1)> (${Date.now()})`;
    await page.keyboard.type(reply);
    await page.getByRole('button', { name: 'Send public reply' }).click();
    const publicReply = conversation().getByTestId('comment').filter({ hasText: 'is an admin now' });
    await publicReply.waitFor();
    expect(await publicReply.textContent()).toContain('Public reply');
    expect(await publicReply.locator('strong', { hasText: 'Peter' }).count()).toBe(1);
    expect(await publicReply.locator('img').count()).toBe(0);
    expect(await publicReply.textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await page.locator('#reply-body').inputValue()).toBe('');

    // `n`: the same box, as an internal note; labelled as one, and shown differently.
    await blur();
    await page.keyboard.press('n');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reply-body');
    expect(await page.locator('#visibility-internal').isChecked()).toBe(true);
    const note = `Internal: checked with their admin contract (${Date.now()})`;
    await page.keyboard.type(note);
    await page.getByRole('button', { name: 'Add internal note' }).click();
    const internalNote = conversation().getByTestId('comment').filter({ hasText: note });
    await internalNote.waitFor();
    expect(await internalNote.textContent()).toContain('Internal note');
    expect(await internalNote.getAttribute('class')).toContain('ws-comment--internal');
    expect(await publicReply.getAttribute('class')).toContain('ws-comment--public');
    const stored = await comments(ticketId);
    expect(stored.nodes.filter((comment) => comment.body === note).map((comment) => comment.visibility)).toEqual(['INTERNAL']);

    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: `${SCREENSHOTS}/ticket-workspace-${viewport.width}.png`, fullPage: true });
    }

    // Ada, in the portal: the public reply is there, the note is not.
    await page.close();
    await signInAs(CUSTOMER, /\/dashboard$/);
    await page.goto(`${portal!.url}/tickets/${ticketId}`);
    const replies = page.getByRole('list', { name: 'Replies' });
    await replies.getByText('is an admin now').waitFor();
    expect(await page.locator('body').textContent()).not.toContain('checked with their admin contract');
  }, 60_000);

  test('status, priority within the tier (Urgent refused with the API’s words), assign to me (a), j', async () => {
    await signInAs(AGENT, /\/console$/);
    await openWorkspace(ticketId, '?view=UNASSIGNED');

    await page.getByLabel('Status', { exact: true }).selectOption('ON_HOLD');
    await page.getByRole('button', { name: 'Change status' }).click();
    await page.getByTestId('ticket-status').getByText('On hold').waitFor();

    await page.getByLabel('Priority', { exact: true }).selectOption('HIGH');
    await page.getByRole('button', { name: 'Change priority' }).click();
    await page.getByTestId('ticket-priority').getByText('High').waitFor();

    // Growth does not include Urgent: the option says so, and the API's refusal is shown beside the field.
    expect(await page.getByLabel('Priority', { exact: true }).locator('option[value="URGENT"]').textContent()).toBe(
      'Urgent — not in Growth, from Business',
    );
    await page.getByLabel('Priority', { exact: true }).selectOption('URGENT');
    await page.getByRole('button', { name: 'Change priority' }).click();
    const refusal = page.locator('#priority-errors');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe('Urgent priority is not included in the Growth tier. It is available from the Business tier.');
    expect(await page.getByLabel('Priority', { exact: true }).getAttribute('aria-describedby')).toBe('priority-errors');
    await page.getByTestId('priority-reason').waitFor();
    expect(await page.getByTestId('ticket-priority').textContent()).toBe('High');

    // `a`: assigned to me, and the button is gone.
    await blur();
    await page.keyboard.press('a');
    await page.getByTestId('ticket-assignee').getByText(AGENT.name).waitFor();
    await page.getByRole('button', { name: /Assign to me/ }).waitFor({ state: 'detached' });

    // `j`: back to the view the agent came from, for the next ticket.
    await page.keyboard.press('j');
    await page.waitForURL((url) => url.pathname === '/console' && url.searchParams.get('view') === 'UNASSIGNED');
  });

  test('acknowledge an escalation', async () => {
    const escalated = await gql<{ escalateTicket: { escalation: { id: string } | null; userErrors: unknown[] } }>(
      api!.url,
      'mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) { escalation { id } userErrors { message } } }',
      { input: { ticketId, reason: 'The customer’s launch depends on it.' } },
      specialistToken,
    );
    expect(escalated.data?.escalateTicket.userErrors).toEqual([]);
    await signInAs(AGENT, /\/console$/);
    await openWorkspace(ticketId);
    const escalation = page.getByRole('list', { name: 'Escalations' }).getByTestId('escalation').first();
    expect(await escalation.getByTestId('escalation-status').textContent()).toBe('Paging — not acknowledged yet');
    expect(await escalation.textContent()).toContain('The customer’s launch depends on it.');
    await escalation.getByRole('button', { name: 'Acknowledge' }).click();
    await escalation.getByText(`Acknowledged by ${AGENT.name}`).waitFor();
    expect(await escalation.getByTestId('escalation-status').textContent()).toBe('Acknowledged');
    const status = await gql<{ node: { status: string } }>(
      api!.url,
      'query($id: ID!) { node(id: $id) { ... on Escalation { status } } }',
      { id: escalated.data!.escalateTicket.escalation!.id },
      agentToken,
    );
    expect(status.data!.node.status).toBe('ACKNOWLEDGED');
  });

  test('a reply written before a colleague answered is held back until sent anyway', async () => {
    await signInAs(AGENT, /\/console$/);
    await openWorkspace(ticketId);
    const draft = `I will call Peter this afternoon (${Date.now()}).`;
    await page.getByLabel('Your reply').fill(draft);

    // Meanwhile the specialist answers through the API.
    const colleague = `Specialist here: Peter is already sorted (${Date.now()}).`;
    const added = await gql<{ addComment: { userErrors: unknown[] } }>(
      api!.url,
      'mutation($input: AddCommentInput!) { addComment(input: $input) { userErrors { message } } }',
      { input: { ticketId, body: colleague, visibility: 'PUBLIC' } },
      specialistToken,
    );
    expect(added.data?.addComment.userErrors).toEqual([]);
    const before = (await comments(ticketId)).totalCount;

    await page.getByRole('button', { name: 'Send public reply' }).click();
    const warning = page.getByTestId('collision');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('1 new reply since you opened this ticket');
    expect(await warning.getByRole('list', { name: 'New since you opened this ticket' }).textContent()).toContain(colleague);
    expect(await page.getByLabel('Your reply').inputValue()).toBe(draft);
    expect((await comments(ticketId)).totalCount, 'nothing is sent before "send anyway"').toBe(before);
    await page.screenshot({ path: `${SCREENSHOTS}/ticket-collision-1280.png`, fullPage: true });

    await warning.getByRole('button', { name: 'Send anyway' }).click();
    await conversation().getByTestId('comment').filter({ hasText: draft }).waitFor();
    await warning.waitFor({ state: 'detached' });
    const after = await comments(ticketId);
    expect(after.totalCount).toBe(before + 1);
    expect(after.nodes.at(-1)!.body).toBe(draft);
  });

  test('a saved reply fills the reply for this ticket, and sending it moves the status it names', async () => {
    const created = await gql<{ createTicket: { ticket: { id: string; number: number } } }>(
      api!.url,
      'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id number } } }',
      {
        input: {
          subject: 'Exports time out after ten minutes',
          description: 'Every nightly export stops at 10 minutes.',
          priority: 'NORMAL',
        },
      },
      await apiSignIn(api!.url, CUSTOMER.email),
    );
    const { id, number } = created.data!.createTicket.ticket;
    await signInAs(AGENT, /\/console$/);
    await openWorkspace(id);
    await page.getByTestId('macro-picker-select').selectOption({ label: 'Asking for logs' });
    await page.getByRole('button', { name: 'Insert', exact: true }).click();
    const reply = page.locator('#reply-body');
    await expect.poll(() => reply.inputValue()).toContain(`Hi Ada,`);
    expect(await reply.inputValue()).toContain(`#${number}`);
    expect(await reply.inputValue()).not.toContain('{{');
    expect(await page.locator('#status-after').inputValue()).toBe('WAITING_ON_CUSTOMER');
    expect(await page.locator('#visibility-public').isChecked()).toBe(true);
    expect((await comments(id)).totalCount).toBe(0);
    await page.getByRole('button', { name: 'Send public reply' }).click();
    await page.getByTestId('ticket-status').getByText('Waiting on customer').waitFor();
    const thread = await comments(id);
    expect(thread.nodes.map((comment) => comment.visibility)).toEqual(['PUBLIC']);
    expect(thread.nodes[0]!.body).toMatch(/^Hi Ada,/);
  });

  test('a suggested article can be linked into the reply', async () => {
    await signInAs(AGENT, /\/console$/);
    const created = await gql<{ createTicket: { ticket: { id: string } | null; userErrors: unknown[] } }>(
      api!.url,
      'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } userErrors { message } } }',
      { input: { subject: 'How do I rotate an API key?', description: 'Our API key leaked; how do we rotate it?', priority: 'NORMAL' } },
      await apiSignIn(api!.url, CUSTOMER.email),
    );
    const id = created.data!.createTicket.ticket!.id;
    await openWorkspace(id);
    const suggestion = page.getByRole('list', { name: 'Suggested articles' }).getByTestId('suggestion').first();
    const link = suggestion.getByRole('link');
    const [title, href] = [await link.textContent(), await link.getAttribute('href')];
    await suggestion.getByRole('button', { name: /Insert link in reply/ }).click();
    expect(await page.getByLabel('Your reply').inputValue()).toBe(`[${title}](${href})`);
  });

  test('a 200-character subject and a 20,000-character body fit both screens; axe finds nothing serious', async () => {
    const subject = 'S'.repeat(200);
    const description = `${'x'.repeat(19_000)}\n\n\`${'y'.repeat(990)}\``;
    const created = await gql<{ createTicket: { ticket: { id: string } | null; userErrors: unknown[] } }>(
      api!.url,
      'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } userErrors { message } } }',
      { input: { subject, description, priority: 'HIGH' } },
      await apiSignIn(api!.url, CUSTOMER.email),
    );
    expect(created.data?.createTicket.userErrors).toEqual([]);
    const id = created.data!.createTicket.ticket!.id;
    const longComment = `${'z'.repeat(20_000)}`;
    await gql(
      api!.url,
      'mutation($input: AddCommentInput!) { addComment(input: $input) { userErrors { message } } }',
      { input: { ticketId: id, body: longComment, visibility: 'INTERNAL' } },
      specialistToken,
    );

    await signInAs(AGENT, /\/console$/);
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await openWorkspace(id);
      expect(await horizontalOverflow(page), `horizontal scroll at ${viewport.width}×${viewport.height}`).toBe(0);
      expect(await seriousAxeViolations(page), `axe at ${viewport.width}×${viewport.height}`).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOTS}/ticket-long-${viewport.width}.png` });
    }
    // The two columns at 1280: the aside beside the conversation; on a phone, below it.
    await page.setViewportSize(VIEWPORTS[0]);
    const [main, side] = await Promise.all([page.locator('.ws-main').boundingBox(), page.locator('.ws-side').boundingBox()]);
    expect(side!.x).toBeGreaterThan(main!.x + main!.width - 1);
  }, 60_000);

  test('an SLA timer turns to "due soon" at the warning threshold without a reload', async () => {
    // Enterprise, urgent: first response in 15 min, due soon from 80% (12 min). Opened 11 min 50 s ago, the timer
    // crosses its threshold about ten seconds after the page is shown.
    const opened = new Date(Date.now() - (11 * 60 + 50) * 1000);
    const database = { url: api!.orm.config.getClientUrl(), orm: api!.orm, drop: async () => undefined };
    const [id] = await openUrgentNorthwindTickets(database, 1, opened, 'Checkout is down');
    const globalId = Buffer.from(`Ticket:${id}`).toString('base64url');
    await signInAs(AGENT, /\/console$/);
    await openWorkspace(globalId);
    const timer = page.getByTestId('sla-timer-FIRST_RESPONSE');
    expect(await timer.getAttribute('data-state')).toBe('ok');
    expect(await timer.getAttribute('class')).toContain('sla-timer--ok');
    const first = await timer.textContent();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="sla-timer-FIRST_RESPONSE"]')?.getAttribute('data-state') === 'warning',
      undefined,
      { timeout: 20_000 },
    );
    expect(await timer.getAttribute('class')).toContain('sla-timer--warning');
    expect(await timer.textContent()).toMatch(/^Due soon · \d+ min \d\d s left$/);
    expect(await timer.textContent()).not.toBe(first);
    await page.screenshot({ path: `${SCREENSHOTS}/ticket-sla-warning-1280.png` });
  }, 40_000);
});
