import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_FILTER } from '../../shared/tenancy.js';
import { FixedClock } from '../../shared/clock.js';
import { toGlobalId } from '../../shared/ids.js';
import { OnCallSchedule } from '../escalations/index.js';
import { OutboundEvent } from '../outbox/index.js';
import { Ticket } from '../tickets/index.js';
import { RoutingDecision } from './routing.entity.js';
import { gql, organizationId, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';

/** A Monday, 15:00 UTC. */
const clock = new FixedClock(new Date('2026-11-23T15:00:00Z'));
let api: TestApi;
let nancy: string;
let ada: string;
let richard: string;
let admin: string;
let agent: string;
let specialist: string;
let oncall: string;
const userIds: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi({ clock });
  const emails = [
    'nancy@northwind.example',
    'ada@initech.example',
    'richard@piedpiper.example',
    'admin@tierdesk.example',
    'agent@tierdesk.example',
    'specialist@tierdesk.example',
    'oncall@tierdesk.example',
  ];
  [nancy, ada, richard, admin, agent, specialist, oncall] = (await Promise.all(emails.map((email) => signIn(api.url, email)))) as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  for (const [name, token] of Object.entries({ agent, specialist, oncall })) {
    userIds[name] = (await gql(api.url, '{ viewer { user { id } } }', {}, token)).data!.viewer.user.id;
  }
});
afterAll(async () => api?.stop());

function systemEm() {
  const em = api.orm.em.fork();
  em.setFilterParams(TENANT_FILTER, { allTenants: true });
  return em;
}

const ROUTED = `query($id: ID!) { ticket(id: $id) {
  priority assignee { name } events { type data }
  triage { domain domainSource urgencyLevel criticalOutage declaredPriority priority needsAttention reasons confidence outageSignals }
  routingDecision { ruleName status reasons pagedImmediately assignmentReason queue { key } escalationPolicy { name } assignedTo { name } evaluations { ruleName matched reasons } }
  escalations { trigger status steps { notifiedUserIds } }
} }`;

async function open(token: string, input: Record<string, unknown>): Promise<string> {
  const result = await gql(
    api.url,
    'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } userErrors { code message } } }',
    { input },
    token,
  );
  expect(result.data?.createTicket.userErrors, JSON.stringify(result)).toEqual([]);
  return result.data!.createTicket.ticket.id;
}

async function routed(id: string, token = admin) {
  const result = await gql(api.url, ROUTED, { id }, token);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.ticket;
}

const presence = (token: string, value: string, userId?: string) =>
  gql(
    api.url,
    'mutation($input: SetPresenceInput!) { setPresence(input: $input) { agent { presence } userErrors { code message } } }',
    { input: { presence: value, userId } },
    token,
  );

const CAPACITY = (normal: number) => [
  { priority: 'LOW', max: 5 },
  { priority: 'NORMAL', max: normal },
  { priority: 'HIGH', max: 2 },
  { priority: 'URGENT', max: 1 },
];

describe('triage and routing when a ticket arrives', () => {
  it('pages the on-call senior engineers at once for a critical outage of a business-critical enterprise customer', async () => {
    const id = await open(nancy, {
      subject: 'Production outage: checkout is down for all users',
      description: 'Every order fails with a 503 since 14:40 UTC. Our stores are dead in the water.',
      priority: 'URGENT',
      impact: 'CRITICAL',
    });
    const ticket = await routed(id);
    expect(ticket.triage).toMatchObject({ criticalOutage: true, urgencyLevel: 'CRITICAL', priority: 'URGENT' });
    expect(ticket.triage.outageSignals).toEqual(expect.arrayContaining(['outage', 'all users']));
    expect(ticket.routingDecision).toMatchObject({
      ruleName: 'Critical outage of a business-critical customer',
      queue: { key: 'critical-outages' },
      escalationPolicy: { name: 'Critical' },
      pagedImmediately: true,
    });
    expect(ticket.escalations).toMatchObject([{ trigger: 'ROUTING', status: 'TRIGGERED' }]);

    // Level 1 of the Critical policy is the on-call schedule: whoever is on call now was paged, before any SLA clock ran out.
    const schedule = await systemEm().findOneOrFail(OnCallSchedule, { name: 'Senior engineers' });
    const scheduleId = toGlobalId('OnCallSchedule', schedule.id);
    const onCall = (await gql(api.url, 'query($id: ID!) { onCallNow(scheduleId: $id) }', { id: scheduleId }, admin)).data!.onCallNow;
    expect(onCall.length).toBeGreaterThan(0);
    expect(ticket.escalations[0].steps[0].notifiedUserIds.sort()).toEqual([...onCall].sort());
    const pagedToken = onCall.includes(userIds.oncall) ? oncall : specialist;
    const inbox = await gql(api.url, '{ myNotifications(first: 20) { nodes { title } } }', {}, pagedToken);
    expect(inbox.data!.myNotifications.nodes.map((note: { title: string }) => note.title).join('\n')).toMatch(/checkout is down/);
  });

  it('sends a feature request to the product specialists, whose queue sets the longer first-response target', async () => {
    const id = await open(ada, {
      subject: 'Feature request: dark mode',
      description: 'It would be great if the dashboard had a dark theme.',
      priority: 'NORMAL',
      impact: 'LOW',
    });
    const ticket = await routed(id);
    expect(ticket.triage).toMatchObject({ domain: 'FEATURE_REQUEST', domainSource: 'RULE' });
    expect(ticket.routingDecision).toMatchObject({
      ruleName: 'Feature requests to product specialists',
      queue: { key: 'product-specialists' },
      pagedImmediately: false,
    });
    expect(ticket.priority).toBe('NORMAL');
    expect(ticket.escalations).toEqual([]);
    const clocks = (await gql(api.url, 'query($id: ID!) { ticket(id: $id) { slaClocks { kind targetMinutes reason } } }', { id }, ada))
      .data!.ticket.slaClocks;
    const firstResponse = clocks.find((clockState: { kind: string }) => clockState.kind === 'FIRST_RESPONSE');
    expect(firstResponse.targetMinutes).toBe(4320);
    expect(firstResponse.reason).toMatch(/Product specialists queue's target/);
    const queue = (await gql(api.url, '{ queues { key targetMinutes waitingCount } }', {}, admin)).data!.queues.find(
      (entry: { key: string }) => entry.key === 'product-specialists',
    );
    expect(queue).toMatchObject({ targetMinutes: 4320 });
    expect(queue.waitingCount).toBeGreaterThanOrEqual(1);
  });

  it("never raises a priority past the tier's entitlement, and flags the ticket for staff instead", async () => {
    const id = await open(ada, {
      subject: 'Production is down, we lost data',
      description: 'The whole production workspace is unavailable for everyone and some records show data loss.',
      priority: 'NORMAL',
      impact: 'CRITICAL',
    });
    const ticket = await routed(id);
    expect(ticket.triage).toMatchObject({ declaredPriority: 'NORMAL', priority: 'HIGH', needsAttention: true, criticalOutage: true });
    expect(ticket.triage.reasons.join(' ')).toMatch(/Growth tier allows up to High/);
    expect(ticket.priority).toBe('HIGH');
    // Initech is not business-critical: no page, but the evidence is on record.
    expect(ticket.routingDecision.pagedImmediately).toBe(false);
    expect(ticket.routingDecision.evaluations[0]).toMatchObject({
      ruleName: 'Critical outage of a business-critical customer',
      matched: false,
    });
    const attention = await gql(api.url, '{ ticketsNeedingAttention(first: 20) { nodes { id } } }', {}, agent);
    expect(attention.data!.ticketsNeedingAttention.nodes.map((node: { id: string }) => node.id)).toContain(id);
    expect(ticket.events[0].type).toBe('CREATED');
    expect(JSON.parse(ticket.events[0].data)).toMatchObject({ priority: 'HIGH', declaredPriority: 'NORMAL' });
  });

  it('triages and routes an imported ticket without paging anyone or raising its priority', async () => {
    const created = new Date(clock.now().getTime() - 3 * 86_400_000);
    const imported = await gql(
      api.url,
      'mutation($input: ImportTicketInput!) { importTicket(input: $input) { ticket { id } userErrors { code message } } }',
      {
        input: {
          organizationId: await organizationId(api.url, admin, 'northwind'),
          subject: 'Production outage: checkout down for all users',
          description: 'Imported from the old helpdesk: every order failed with a 503.',
          priority: 'HIGH',
          impact: 'CRITICAL',
          createdAt: created.toISOString(),
          events: [{ at: new Date(created.getTime() + 30 * 60_000).toISOString(), type: 'REPLY', byStaff: true, body: 'Rolled back.' }],
        },
      },
      admin,
    );
    expect(imported.data?.importTicket.userErrors).toEqual([]);
    const ticket = await routed(imported.data!.importTicket.ticket.id);
    expect(ticket.priority).toBe('HIGH');
    expect(ticket.triage).toMatchObject({ criticalOutage: true, declaredPriority: 'HIGH' });
    expect(ticket.routingDecision).toMatchObject({ queue: { key: 'critical-outages' }, pagedImmediately: false });
    expect(ticket.routingDecision.reasons.join(' ')).toMatch(/imported history: Critical not paged/);
    expect(ticket.escalations).toEqual([]);
  });

  it('keeps triage and the routing decision from customers, even on their own tickets', async () => {
    const id = await open(ada, { subject: 'Invoice address', description: 'Our invoices show the old address.', priority: 'LOW' });
    const own = await gql(api.url, 'query($id: ID!) { ticket(id: $id) { id triage { domain } routingDecision { reasons } } }', { id }, ada);
    expect(own.data!.ticket).toEqual({ id, triage: null, routingDecision: null });
    const staff = await routed(id);
    expect(staff.triage.domain).toBe('BILLING');
    expect(staff.routingDecision.queue.key).toBe('billing');
  });
});

describe('assignment', () => {
  it('assigns to an online agent with the skill, least loaded first, and records why', async () => {
    expect((await presence(agent, 'ONLINE')).data!.setPresence.agent.presence).toBe('ONLINE');
    const id = await open(richard, {
      subject: 'Refund for last month',
      description: 'We were charged twice for November; please refund one of the charges.',
      priority: 'NORMAL',
    });
    const ticket = await routed(id);
    expect(ticket.assignee).toEqual({ name: 'Alex Agent' });
    expect(ticket.routingDecision).toMatchObject({ status: 'ASSIGNED', queue: { key: 'billing' }, assignedTo: { name: 'Alex Agent' } });
    expect(ticket.routingDecision.assignmentReason).toMatch(/Alex Agent: BILLING level 3/);
    expect(ticket.events.map((event: { type: string }) => event.type)).toEqual(['CREATED', 'ROUTED', 'ASSIGNED']);
    expect(JSON.parse(ticket.events[1].data)).toEqual({ queue: 'billing', queueName: 'Billing', targetMinutes: null });
    expect(JSON.parse(ticket.events[2].data).reason).toBe(ticket.routingDecision.assignmentReason);
    const outbound = await systemEm().find(OutboundEvent, { type: 'ticket.assigned' });
    expect(outbound.map((event) => event.payload)).toContainEqual(
      expect.objectContaining({ ticketId: Buffer.from(id, 'base64url').toString().split(':')[1], assigneeName: 'Alex Agent' }),
    );
  });

  it('keeps a ticket waiting when nobody has room, and assigns it the moment capacity frees up', async () => {
    const profile = await gql(
      api.url,
      'mutation($input: AgentProfileInput!) { upsertAgentProfile(input: $input) { agent { capacity { priority count } } userErrors { code message } } }',
      {
        input: {
          userId: userIds.agent,
          skills: [
            { domain: 'BILLING', level: 3 },
            { domain: 'HOW_TO', level: 3 },
          ],
          region: 'us-east',
          capacity: CAPACITY(0),
        },
      },
      admin,
    );
    expect(profile.data!.upsertAgentProfile.userErrors).toEqual([]);
    const waiting = await open(richard, {
      subject: 'VAT number on invoices',
      description: 'Our invoices must show our VAT number.',
      priority: 'NORMAL',
    });
    let ticket = await routed(waiting);
    expect(ticket.assignee).toBeNull();
    expect(ticket.routingDecision.status).toBe('WAITING');
    expect(ticket.routingDecision.assignmentReason).toMatch(/nobody available/);
    expect(ticket.routingDecision.assignmentReason).toMatch(/at capacity/);

    const queue = await gql(
      api.url,
      '{ queues { key waiting(first: 10) { nodes { ticket { id slaClocks { kind status } } lastAttempt } } } }',
      {},
      admin,
    );
    const billing = queue.data!.queues.find((entry: { key: string }) => entry.key === 'billing');
    const entry = billing.waiting.nodes.find((node: { ticket: { id: string } }) => node.ticket.id === waiting);
    expect(entry.ticket.slaClocks.map((clockState: { kind: string }) => clockState.kind)).toContain('FIRST_RESPONSE');

    // One more normal ticket than Alex holds now (the refund above, and waiting tickets he took on coming online):
    // the change itself hands over the waiting ticket.
    const load = (await gql(api.url, 'query($id: ID) { agent(userId: $id) { load { priority count } } }', { id: userIds.agent }, admin))
      .data!.agent.load;
    const normalLoad = load.find((entry: { priority: string }) => entry.priority === 'NORMAL').count as number;
    await gql(
      api.url,
      'mutation($input: AgentProfileInput!) { upsertAgentProfile(input: $input) { userErrors { code } } }',
      {
        input: {
          userId: userIds.agent,
          skills: [
            { domain: 'BILLING', level: 3 },
            { domain: 'HOW_TO', level: 3 },
          ],
          region: 'us-east',
          capacity: CAPACITY(normalLoad + 1),
        },
      },
      admin,
    );
    ticket = await routed(waiting);
    expect(ticket.routingDecision.status).toBe('ASSIGNED');
    expect(ticket.assignee).toEqual({ name: 'Alex Agent' });

    // Now full again: the next one waits until Alex solves the first.
    const next = await open(richard, {
      subject: 'Second invoice question',
      description: 'Which invoice covers the seat top-up?',
      priority: 'NORMAL',
    });
    expect((await routed(next)).routingDecision.status).toBe('WAITING');
    const solved = await gql(
      api.url,
      'mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { status } userErrors { code } } }',
      { input: { ticketId: waiting, status: 'SOLVED' } },
      agent,
    );
    expect(solved.data!.changeTicketStatus.userErrors).toEqual([]);
    expect((await routed(next)).routingDecision).toMatchObject({ status: 'ASSIGNED', assignedTo: { name: 'Alex Agent' } });
    expect((await routed(waiting)).routingDecision.status).toBe('CLOSED');
  });

  it('never gives an agent more than their capacity, however many tickets arrive at once', async () => {
    await presence(agent, 'ONLINE');
    const normalLoad = async () =>
      (
        (await gql(api.url, 'query($id: ID) { agent(userId: $id) { load { priority count } } }', { id: userIds.agent }, admin)).data!.agent
          .load as { priority: string; count: number }[]
      ).find((entry) => entry.priority === 'NORMAL')!.count;
    const before = await normalLoad();
    await gql(
      api.url,
      'mutation($input: AgentProfileInput!) { upsertAgentProfile(input: $input) { userErrors { code } } }',
      {
        input: {
          userId: userIds.agent,
          skills: [
            { domain: 'BILLING', level: 3 },
            { domain: 'HOW_TO', level: 3 },
          ],
          region: 'us-east',
          capacity: CAPACITY(before + 2),
        },
      },
      admin,
    );
    const hank = await signIn(api.url, 'hank@globex.example');
    const ids = await Promise.all(
      [ada, hank, nancy, ada, hank, nancy, ada, hank, nancy].map((token, index) =>
        open(token, {
          subject: `Refund request ${index}`,
          description: 'We were charged twice this month; please refund one charge.',
          priority: 'NORMAL',
        }),
      ),
    );
    const statuses = await Promise.all(ids.map(async (id) => (await routed(id)).routingDecision.status));
    expect(statuses.filter((status) => status === 'ASSIGNED')).toHaveLength(2);
    expect(statuses.filter((status) => status === 'WAITING')).toHaveLength(7);
    expect(await normalLoad()).toBe(before + 2);
  });

  it("offers an enterprise ticket to the organization's technical account manager first", async () => {
    await presence(admin, 'ONLINE', userIds.oncall);
    await presence(specialist, 'ONLINE');
    const id = await open(nancy, {
      subject: 'Webhook retries',
      description: 'Our webhook endpoint receives each delivery three times.',
      priority: 'HIGH',
      impact: 'MEDIUM',
    });
    const ticket = await routed(id);
    expect(ticket.assignee).toEqual({ name: 'Sam Specialist' });
    expect(ticket.routingDecision.assignmentReason).toMatch(/technical account manager/);
  });

  it("the timer worker assigns a waiting ticket when the agent's shift starts", async () => {
    const monday15 = clock.now();
    await presence(admin, 'OFFLINE', userIds.specialist);
    const calendar = await gql(
      api.url,
      'mutation($input: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $input) { businessCalendar { id } userErrors { code message } } }',
      { input: { name: 'Late shift', timeZone: 'UTC', weeklyHours: [{ day: 'MONDAY', start: '16:00', end: '23:00' }], holidays: [] } },
      admin,
    );
    const calendarId = calendar.data!.createBusinessCalendar.businessCalendar.id;
    const profile = await gql(
      api.url,
      'mutation($input: AgentProfileInput!) { upsertAgentProfile(input: $input) { agent { id } userErrors { code message } } }',
      {
        input: {
          userId: userIds.oncall,
          skills: [
            { domain: 'PERFORMANCE', level: 3 },
            { domain: 'SECURITY', level: 2 },
            { domain: 'HOW_TO', level: 2 },
          ],
          region: 'eu-west',
          calendarId,
          capacity: CAPACITY(4),
        },
      },
      admin,
    );
    expect(profile.data!.upsertAgentProfile.userErrors).toEqual([]);
    await presence(admin, 'ONLINE', userIds.oncall);

    const id = await open(nancy, {
      subject: 'Slow dashboards',
      description: 'Reports take a minute to render since Friday; latency is terrible.',
      priority: 'HIGH',
      impact: 'MEDIUM',
    });
    const waiting = await routed(id);
    expect(waiting.routingDecision.status).toBe('WAITING');
    expect(waiting.routingDecision.assignmentReason).toMatch(/off shift/);

    const worker = { routeWaiting: () => api.api.jobs.run('routing.assign-waiting') };
    try {
      expect(await worker.routeWaiting()).toBe(0);
      clock.set(new Date(monday15.getTime() + 65 * 60_000));
      expect(await worker.routeWaiting()).toBeGreaterThanOrEqual(1);
      expect((await routed(id)).assignee).toEqual({ name: 'Olivia On-call' });
    } finally {
      clock.set(monday15);
    }
  });
});

describe('dry run, corrections and the admin API', () => {
  it('says which rule a described ticket would hit and why, writing nothing', async () => {
    const before = await systemEm().count(RoutingDecision, {});
    const northwind = await organizationId(api.url, admin, 'northwind');
    const run = await gql(
      api.url,
      `query($input: RoutingDryRunInput!) { routingDryRun(input: $input) {
        ruleName priority pageImmediately reasons queue { key } triage { domain }
        evaluations { ruleName matched reasons } assignment { reason eligible rejected { reason agents } agent { name } } } }`,
      {
        input: {
          organizationId: northwind,
          subject: 'SAML login loop',
          description: 'SSO with Okta sends users back to the login page.',
          priority: 'HIGH',
        },
      },
      agent,
    );
    expect(run.errors).toBeUndefined();
    const dry = run.data!.routingDryRun;
    expect(dry).toMatchObject({ ruleName: 'Security', queue: { key: 'security' }, triage: { domain: 'SECURITY' }, pageImmediately: false });
    expect(dry.evaluations.map((evaluation: { ruleName: string; matched: boolean }) => [evaluation.ruleName, evaluation.matched])).toEqual([
      ['Critical outage of a business-critical customer', false],
      ['Feature requests to product specialists', false],
      ['Security', true],
    ]);
    expect(dry.evaluations[1].reasons.join(' ')).toMatch(/SECURITY/);
    expect(dry.assignment.reason.length).toBeGreaterThan(0);
    expect(await systemEm().count(RoutingDecision, {})).toBe(before);

    const tooLong = await gql(
      api.url,
      'query($input: RoutingDryRunInput!) { routingDryRun(input: $input) { ruleName } }',
      { input: { organizationId: northwind, subject: 's', description: 'x'.repeat(20_001), priority: 'LOW' } },
      agent,
    );
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'description'] });
    const missing = await gql(
      api.url,
      'query($input: RoutingDryRunInput!) { routingDryRun(input: $input) { ruleName } }',
      { input: { subject: 'only a subject' } },
      agent,
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses rules and queues that name unknown things or close a fallback cycle, with typed errors', async () => {
    const queues = (await gql(api.url, '{ queues { id key } }', {}, admin)).data!.queues as { id: string; key: string }[];
    const id = (key: string) => queues.find((queue) => queue.key === key)!.id;
    const unknownQueue = Buffer.from('Queue:00000000-0000-4000-8000-000000000000').toString('base64url');
    const rule = await gql(
      api.url,
      'mutation($input: RoutingRuleInput!) { createRoutingRule(input: $input) { rule { id } userErrors { code field message } } }',
      { input: { name: 'Ghost', queueId: unknownQueue, conditions: { tierKeys: ['platinum'] } } },
      admin,
    );
    expect(rule.data!.createRoutingRule).toMatchObject({ rule: null, userErrors: [{ code: 'INVALID_ROUTING_CONFIG' }] });
    expect(rule.data!.createRoutingRule.userErrors[0].message).toMatch(/platinum/);

    const update = (queueKey: string, fallback: string) =>
      gql(
        api.url,
        'mutation($id: ID!, $input: QueueInput!) { updateQueue(id: $id, input: $input) { queue { key } userErrors { code message } } }',
        {
          id: id(queueKey),
          input: {
            key: queueKey,
            name: queueKey,
            domain: queueKey === 'billing' ? 'BILLING' : 'PERFORMANCE',
            fallbackQueueId: id(fallback),
            fallbackAfterMinutes: 60,
          },
        },
        admin,
      );
    expect((await update('billing', 'performance')).data!.updateQueue.userErrors).toEqual([]);
    const cycle = await update('performance', 'billing');
    expect(cycle.data!.updateQueue).toMatchObject({ queue: null, userErrors: [{ code: 'INVALID_ROUTING_CONFIG' }] });
    expect(cycle.data!.updateQueue.userErrors[0].message).toMatch(/cycle/i);

    const rules = (await gql(api.url, '{ routingRules { name position } }', {}, admin)).data!.routingRules;
    expect(rules.map((entry: { position: number }) => entry.position)).toEqual(rules.map((_: unknown, index: number) => index + 1));
    const forbidden = await gql(
      api.url,
      'mutation($input: RoutingRuleInput!) { createRoutingRule(input: $input) { rule { id } } }',
      { input: { name: 'x', queueId: id('billing') } },
      agent,
    );
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('keeps a staff correction, routes a waiting ticket again, and retrains on it', async () => {
    await presence(admin, 'OFFLINE', userIds.agent);
    await presence(admin, 'OFFLINE', userIds.oncall);
    const id = await open(richard, {
      subject: 'Question about our plan',
      description: 'Where do I find the usage numbers for our account?',
      priority: 'LOW',
    });
    const corrected = await gql(
      api.url,
      'mutation($input: CorrectTriageInput!) { correctTriage(input: $input) { triage { domain triagedDomain correctedBy } userErrors { code } } }',
      { input: { ticketId: id, domain: 'BILLING', note: 'usage = billing question' } },
      agent,
    );
    expect(corrected.data!.correctTriage).toMatchObject({ userErrors: [], triage: { domain: 'BILLING' } });
    const ticket = await routed(id);
    expect(ticket.routingDecision.queue.key).toBe('billing');
    expect(ticket.routingDecision.reasons.join(' ')).toMatch(/corrected to BILLING/);

    const before = (await gql(api.url, '{ domainClassifier { version corrections heldOutAccuracy } }', {}, admin)).data!.domainClassifier;
    const retrained = await gql(
      api.url,
      'mutation { retrainClassifier { classifier { version corrections heldOutAccuracy trainedAt } userErrors { code } } }',
      {},
      admin,
    );
    const model = retrained.data!.retrainClassifier.classifier;
    expect(model.corrections).toBeGreaterThanOrEqual(1);
    expect(model.version).not.toBe(before.version);
    expect(model.heldOutAccuracy).toBeGreaterThan(0.6);
    expect((await gql(api.url, '{ domainClassifier { version } }', {}, agent)).data!.domainClassifier.version).toBe(model.version);
    const again = await gql(api.url, 'mutation { retrainClassifier { classifier { version } userErrors { code } } }', {}, admin);
    expect(again.data!.retrainClassifier.userErrors).toEqual([{ code: 'CONFLICT' }]);
  });

  it("moves a ticket nobody took to its queue's fallback once the fallback time has passed", async () => {
    // Set up by the admin test above: billing falls back to performance after 60 minutes; nobody is online now.
    const start = clock.now();
    const id = await open(richard, { subject: 'Invoice copy', description: 'Please send a copy of invoice 2026-118.', priority: 'LOW' });
    expect((await routed(id)).routingDecision).toMatchObject({ status: 'WAITING', queue: { key: 'billing' } });
    const worker = { routeWaiting: () => api.api.jobs.run('routing.assign-waiting') };
    try {
      await worker.routeWaiting();
      expect((await routed(id)).routingDecision.queue.key).toBe('billing');
      clock.set(new Date(start.getTime() + 61 * 60_000));
      await worker.routeWaiting();
      const moved = (await routed(id)).routingDecision;
      expect(moved).toMatchObject({ status: 'WAITING', queue: { key: 'performance' } });
      expect(moved.reasons.join(' ')).toMatch(/waited 61 min in billing with nobody able to take it: moved to performance/i);
    } finally {
      clock.set(start);
    }
  });

  it('validates the competency matrix field by field', async () => {
    const bad = await gql(
      api.url,
      'mutation($input: AgentProfileInput!) { upsertAgentProfile(input: $input) { agent { id } userErrors { code field } } }',
      {
        input: { userId: userIds.agent, skills: [{ domain: 'BILLING', level: 4 }], region: 'us-east', capacity: CAPACITY(1) },
      },
      admin,
    );
    expect(bad.data!.upsertAgentProfile.userErrors).toEqual([{ code: 'INVALID_COMPETENCY', field: ['input', 'skills', '0', 'level'] }]);
    const matrix = await gql(
      api.url,
      '{ agents(first: 10, domain: SECURITY) { totalCount nodes { user { name } skills { domain level } certifications { name valid } load { priority count } utilisation onShift } } }',
      {},
      agent,
    );
    expect(matrix.errors).toBeUndefined();
    expect(matrix.data!.agents.nodes.map((node: { user: { name: string } }) => node.user.name).sort()).toEqual([
      'Olivia On-call',
      'Sam Specialist',
    ]);
    expect(matrix.data!.agents.nodes[0].certifications[0]).toMatchObject({ name: 'Security incident response', valid: true });
  });
});

describe('simulate', () => {
  const SIMULATE = `query($scenario: JSONObject!, $replay: SimulationReplayInput) { simulate(scenario: $scenario, replay: $replay) {
    scenarioVersion seed tickets { arrived assigned unserved } sla { tier priority tickets firstResponseAttainment }
    breaches { firstResponse resolution } queues { key maxLength lengthOverTime { at length } } agents { name utilisation }
    routing { rule tickets } pages warnings } }`;

  it('runs the documented example scenario deterministically through the live triage, routing and SLA code', async () => {
    const scenario = JSON.parse(await readFile(new URL('../../../../docs/scenarios/example.json', import.meta.url), 'utf8'));
    const first = await gql(api.url, SIMULATE, { scenario }, admin);
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    const result = first.data!.simulate;
    expect(result.scenarioVersion).toBe(1);
    expect(result.tickets.arrived).toBeGreaterThan(100);
    expect(result.sla.length).toBeGreaterThan(4);
    expect(result.queues[0].lengthOverTime.length).toBe(scenario.days * 24);
    expect(result.routing.reduce((sum: number, entry: { tickets: number }) => sum + entry.tickets, 0)).toBe(result.tickets.arrived);
    const second = await gql(api.url, SIMULATE, { scenario }, admin);
    expect(second.data!.simulate).toEqual(result);
  });

  it("runs off the API's event loop: other requests are answered while a year-long what-if runs", async () => {
    const scenario = JSON.parse(await readFile(new URL('../../../../docs/scenarios/mm1.json', import.meta.url), 'utf8'));
    const finished: string[] = [];
    const simulation = gql(api.url, SIMULATE, { scenario }, admin).then((result) => {
      finished.push('simulate');
      return result;
    });
    await new Promise((done) => setTimeout(done, 150));
    const viewer = await gql(api.url, '{ viewer { kind } }', {}, agent);
    finished.push('viewer');
    expect(viewer.data!.viewer.kind).toBe('STAFF');
    const result = await simulation;
    expect(result.errors).toBeUndefined();
    expect(result.data!.simulate.tickets.arrived).toBeGreaterThan(20_000);
    expect(finished).toEqual(['viewer', 'simulate']);
  });

  it('replays the real tickets of a past window as the arrivals', async () => {
    const scenario = JSON.parse(await readFile(new URL('../../../../docs/scenarios/example.json', import.meta.url), 'utf8'));
    const from = new Date(clock.now().getTime() - 86_400_000);
    const to = new Date(clock.now().getTime() + 1);
    const created = await systemEm().count(Ticket, { createdAt: { $gte: from, $lt: to } });
    const result = await gql(api.url, SIMULATE, { scenario, replay: { from: from.toISOString(), to: to.toISOString() } }, admin);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(result.data!.simulate.tickets.arrived).toBe(created);
    expect(created).toBeGreaterThan(5);
  });

  it('reports every problem of a bad scenario as a typed error, and warns when nobody can take a domain', async () => {
    const scenario = JSON.parse(await readFile(new URL('../../../../docs/scenarios/example.json', import.meta.url), 'utf8'));
    const problemPaths = async (bad: Record<string, unknown>) => {
      const refused = await gql(api.url, SIMULATE, { scenario: bad }, admin);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_SCENARIO' });
      return (refused.errors![0]!.extensions!.problems as { path: string }[]).map((problem) => problem.path);
    };
    const absurdRate = {
      ...scenario,
      arrivals: { kind: 'profile', ratesPerHour: [{ tier: 'growth', priority: 'NORMAL', domain: 'BILLING', perHour: -3 }] },
    };
    expect((await problemPaths(absurdRate)).some((path) => path.startsWith('arrivals.ratesPerHour.0'))).toBe(true);
    const unknownQueue = { ...scenario, rules: [{ name: 'Nowhere', conditions: {}, action: { queue: 'no-such-queue' } }] };
    expect((await problemPaths(unknownQueue)).some((path) => path.startsWith('rules.0'))).toBe(true);

    const noSecurity = {
      ...scenario,
      days: 2,
      roster: {
        agents: scenario.roster.agents.map((agentEntry: { skills: Record<string, number> }) => ({
          ...agentEntry,
          skills: Object.fromEntries(Object.entries(agentEntry.skills).filter(([domain]) => domain !== 'SECURITY')),
        })),
      },
    };
    const warned = await gql(api.url, SIMULATE, { scenario: noSecurity }, admin);
    expect(warned.errors).toBeUndefined();
    expect(warned.data!.simulate.warnings.join(' ')).toMatch(/SECURITY/);
    expect(warned.data!.simulate.tickets.unserved).toBeGreaterThan(0);

    const forbidden = await gql(api.url, SIMULATE, { scenario }, agent);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
