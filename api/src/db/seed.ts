import type { Runtime } from '../app/runtime.js';
import {
  createEscalationPolicy,
  createOnCallSchedule,
  createTeam,
  EscalationPolicy,
  OnCallSchedule,
  Team,
} from '../modules/escalations/index.js';
import { createUser, User } from '../modules/identity/index.js';
import { createMacro, findMacroByTitle } from '../modules/macros/index.js';
import { createOrganization, Organization } from '../modules/organizations/index.js';
import {
  createQueue,
  createRoutingRule,
  Queue,
  setTechnicalAccountManager,
  upsertAgentProfile,
  type QueueInput,
  type RuleInput,
} from '../modules/routing/index.js';
import { SlaPolicy, upsertSlaPolicy } from '../modules/sla/index.js';
import { Ticket } from '../modules/tickets/index.js';
import { DEFAULT_TIERS, upsertTiers } from '../modules/tiers/index.js';
import { CommentVisibility, TicketImpact, TicketPriority, TicketStatus, type Domain } from '../modules/vocabulary/index.js';
import type { RequestContext } from '../shared/context.js';
import type { Principal } from '../shared/principal.js';
import { changeTicketStatus, openTicket, replyToTicket } from '../workflows/index.js';

export const DEMO_PASSWORD = 'tierdesk-demo';

const DEMO_ORGANIZATIONS = [
  {
    slug: 'piedpiper',
    name: 'Pied Piper',
    region: 'us-west',
    timeZone: 'America/Los_Angeles',
    tierKey: 'community',
    contractValue: 0,
    monthlyUsage: 120,
  },
  {
    slug: 'initech',
    name: 'Initech',
    region: 'us-central',
    timeZone: 'America/Chicago',
    tierKey: 'growth',
    contractValue: 12_000,
    monthlyUsage: 800,
  },
  {
    slug: 'globex',
    name: 'Globex',
    region: 'eu-central',
    timeZone: 'Europe/Berlin',
    tierKey: 'business',
    contractValue: 90_000,
    monthlyUsage: 4_000,
  },
  {
    slug: 'northwind',
    name: 'Northwind Traders',
    region: 'us-east',
    timeZone: 'America/New_York',
    tierKey: 'enterprise',
    contractValue: 400_000,
    monthlyUsage: 25_000,
    businessCritical: true,
    strategic: true,
  },
] as const;

/** Demo sign-ins; the README lists them. Every password is DEMO_PASSWORD. */
export const DEMO_USERS = [
  { email: 'richard@piedpiper.example', name: 'Richard Hendricks', organization: 'piedpiper', customerRole: 'ADMIN' },
  { email: 'ada@initech.example', name: 'Ada Lovelace', organization: 'initech', customerRole: 'ADMIN' },
  { email: 'peter@initech.example', name: 'Peter Gibbons', organization: 'initech', customerRole: 'MEMBER' },
  { email: 'hank@globex.example', name: 'Hank Scorpio', organization: 'globex', customerRole: 'ADMIN' },
  { email: 'nancy@northwind.example', name: 'Nancy Davolio', organization: 'northwind', customerRole: 'ADMIN' },
  { email: 'andrew@northwind.example', name: 'Andrew Fuller', organization: 'northwind', customerRole: 'MEMBER' },
  { email: 'agent@tierdesk.example', name: 'Alex Agent', staffRole: 'AGENT' },
  { email: 'specialist@tierdesk.example', name: 'Sam Specialist', staffRole: 'SPECIALIST' },
  { email: 'oncall@tierdesk.example', name: 'Olivia On-call', staffRole: 'ON_CALL_ENGINEER' },
  { email: 'admin@tierdesk.example', name: 'Ari Admin', staffRole: 'ADMIN' },
] as const;

const DEMO_TICKETS: Record<
  string,
  { subject: string; description: string; priority: TicketPriority; impact: TicketImpact; reply?: string; status?: TicketStatus }[]
> = {
  piedpiper: [
    {
      subject: 'How do I export my compression reports?',
      description: 'I cannot find the export button on the reports page.',
      priority: TicketPriority.NORMAL,
      impact: TicketImpact.LOW,
      reply: 'Reports → ⋯ → Export CSV. We will add a clearer button.',
    },
  ],
  initech: [
    {
      subject: 'TPS report webhook fails with 401',
      description: 'Since this morning our webhook receiver rejects every delivery.',
      priority: TicketPriority.HIGH,
      impact: TicketImpact.HIGH,
      reply: 'Your signing secret was rotated on Monday; please update the receiver.',
      status: TicketStatus.WAITING_ON_CUSTOMER,
    },
    {
      subject: 'Add a second admin',
      description: 'Please make Peter an admin of our organization.',
      priority: TicketPriority.LOW,
      impact: TicketImpact.LOW,
    },
  ],
  globex: [
    {
      subject: 'Latency spike on the EU cluster',
      description: 'p99 went from 80 ms to 900 ms at 09:12 CET.',
      priority: TicketPriority.URGENT,
      impact: TicketImpact.HIGH,
      reply: 'We see it too and are rolling back a config change.',
    },
  ],
  northwind: [
    {
      subject: 'Production outage: orders API down',
      description: 'All order submissions fail with 503 since 02:10 ET. Business-critical.',
      priority: TicketPriority.URGENT,
      impact: TicketImpact.CRITICAL,
      reply: 'On-call engineer engaged; incident bridge is open.',
    },
    {
      subject: 'Quarterly business review agenda',
      description: 'Our TAM asked for topics: SSO rollout and data residency.',
      priority: TicketPriority.LOW,
      impact: TicketImpact.LOW,
      status: TicketStatus.SOLVED,
    },
  ],
};

/**
 * Demo escalation set-up: agents as a team, a weekly on-call rotation of senior engineers, a standard and a
 * critical escalation policy, and an SLA policy on every tier that uses them.
 */
async function seedEscalations(ctx: RequestContext, users: User[]): Promise<void> {
  const em = ctx.em;
  const id = (email: string) => users.find((user) => user.email === email)!.id;
  const team =
    (await em.findOne(Team, { name: 'Support agents' })) ??
    (await createTeam(ctx, { name: 'Support agents', memberIds: [id('agent@tierdesk.example'), id('specialist@tierdesk.example')] }));
  const schedule =
    (await em.findOne(OnCallSchedule, { name: 'Senior engineers' })) ??
    (await createOnCallSchedule(ctx, {
      name: 'Senior engineers',
      timeZone: 'America/New_York',
      rotations: [
        {
          name: 'Primary',
          userIds: [id('oncall@tierdesk.example'), id('specialist@tierdesk.example')],
          startDate: '2026-01-05',
          handoffTime: '09:00',
          shiftDays: 7,
        },
      ],
    }));
  const standard =
    (await em.findOne(EscalationPolicy, { name: 'Standard' })) ??
    (await createEscalationPolicy(ctx, {
      name: 'Standard',
      repeatCount: 1,
      levels: [
        {
          delayMinutes: 30,
          targets: [
            { type: 'ASSIGNEE', id: '' },
            { type: 'TEAM', id: team.id },
          ],
        },
        { delayMinutes: 30, targets: [{ type: 'SCHEDULE', id: schedule.id }] },
      ],
    }));
  const critical =
    (await em.findOne(EscalationPolicy, { name: 'Critical' })) ??
    (await createEscalationPolicy(ctx, {
      name: 'Critical',
      repeatCount: 2,
      levels: [
        { delayMinutes: 5, targets: [{ type: 'SCHEDULE', id: schedule.id }] },
        { delayMinutes: 10, targets: [{ type: 'USER', id: id('admin@tierdesk.example') }] },
      ],
    }));
  for (const tier of DEFAULT_TIERS) {
    if (await em.count(SlaPolicy, { tier: { key: tier.key } })) continue;
    await upsertSlaPolicy(ctx, {
      tierKey: tier.key,
      pauseStatuses: [TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.ON_HOLD],
      warnPercent: 80,
      escalationPolicyId: tier.key === 'enterprise' ? critical.id : standard.id,
    });
  }
}

const ALWAYS_SOME_CAPACITY = [
  { priority: TicketPriority.URGENT, max: 2 },
  { priority: TicketPriority.HIGH, max: 4 },
  { priority: TicketPriority.NORMAL, max: 8 },
  { priority: TicketPriority.LOW, max: 10 },
];

/**
 * Demo routing: a queue per domain plus a general (default) queue, a critical-outage queue that pages the
 * on-call senior engineers at once, product specialists for feature requests (their queue's 3-day first-response
 * target), and the demo staff in the competency matrix. Agents start OFFLINE: they go on queue with `setPresence`.
 */
async function seedRouting(ctx: RequestContext, users: User[], organizations: Organization[]): Promise<void> {
  const em = ctx.em;
  if (await em.count(Queue, {})) return;
  const critical = await em.findOneOrFail(EscalationPolicy, { name: 'Critical' });
  const queue = (key: string, name: string, domain: Domain | null, extra: Partial<QueueInput> = {}) =>
    createQueue(ctx, {
      key,
      name,
      domain,
      levelByTier: [],
      requiredCertification: null,
      language: null,
      targetMinutes: null,
      fallbackQueueId: null,
      fallbackAfterMinutes: null,
      isDefault: false,
      ...extra,
    });
  await queue('general', 'General support', null, { isDefault: true, levelByTier: [{ tierKey: 'enterprise', level: 2 }] });
  const outages = await queue('critical-outages', 'Critical outages (on-call engineers)', null, {
    levelByTier: DEFAULT_TIERS.map((tier) => ({ tierKey: tier.key, level: 2 })),
  });
  const product = await queue('product-specialists', 'Product specialists', 'FEATURE_REQUEST', { targetMinutes: 3 * 24 * 60 });
  const security = await queue('security', 'Security', 'SECURITY', {
    requiredCertification: 'Security incident response',
    levelByTier: [
      { tierKey: 'business', level: 2 },
      { tierKey: 'enterprise', level: 3 },
    ],
  });
  const byDomain: [Domain, string, string][] = [
    ['PERFORMANCE', 'performance', 'Performance'],
    ['INTEGRATIONS', 'integrations', 'Integrations'],
    ['DATA_MODELS', 'data-models', 'Data models'],
    ['BILLING', 'billing', 'Billing'],
  ];
  const rule = (name: string, conditions: RuleInput['conditions'], queueId: string, extra: Partial<RuleInput> = {}) =>
    createRoutingRule(ctx, {
      name,
      enabled: true,
      conditions,
      queueId,
      priority: null,
      escalationPolicyId: null,
      pageImmediately: false,
      position: null,
      ...extra,
    });
  await rule('Critical outage of a business-critical customer', { criticalOutage: true, businessCritical: true }, outages.id, {
    priority: TicketPriority.URGENT,
    escalationPolicyId: critical.id,
    pageImmediately: true,
  });
  await rule('Feature requests to product specialists', { domains: ['FEATURE_REQUEST'] }, product.id);
  await rule('Security', { domains: ['SECURITY'] }, security.id);
  for (const [domain, key, name] of byDomain) {
    const created = await queue(key, name, domain, { levelByTier: [{ tierKey: 'enterprise', level: 2 }] });
    await rule(name, { domains: [domain] }, created.id);
  }

  const id = (email: string) => users.find((user) => user.email === email)!.id;
  const securityCertification = { name: 'Security incident response', expiresAt: new Date('2027-12-31T00:00:00Z') };
  await upsertAgentProfile(ctx, {
    userId: id('agent@tierdesk.example'),
    skills: [
      { domain: 'HOW_TO', level: 3 },
      { domain: 'BILLING', level: 3 },
      { domain: 'INTEGRATIONS', level: 2 },
      { domain: 'DATA_MODELS', level: 1 },
    ],
    certifications: [],
    languages: ['en', 'es'],
    region: 'us-east',
    calendarId: null,
    capacity: ALWAYS_SOME_CAPACITY,
  });
  await upsertAgentProfile(ctx, {
    userId: id('specialist@tierdesk.example'),
    skills: [
      { domain: 'SECURITY', level: 3 },
      { domain: 'PERFORMANCE', level: 3 },
      { domain: 'INTEGRATIONS', level: 3 },
      { domain: 'DATA_MODELS', level: 3 },
      { domain: 'FEATURE_REQUEST', level: 3 },
      { domain: 'HOW_TO', level: 2 },
    ],
    certifications: [securityCertification],
    languages: ['en', 'de'],
    region: 'eu-central',
    calendarId: null,
    capacity: ALWAYS_SOME_CAPACITY,
  });
  await upsertAgentProfile(ctx, {
    userId: id('oncall@tierdesk.example'),
    skills: [
      { domain: 'PERFORMANCE', level: 3 },
      { domain: 'SECURITY', level: 2 },
      { domain: 'DATA_MODELS', level: 2 },
      { domain: 'INTEGRATIONS', level: 2 },
      { domain: 'HOW_TO', level: 2 },
    ],
    certifications: [securityCertification],
    languages: ['en'],
    region: 'us-east',
    calendarId: null,
    capacity: ALWAYS_SOME_CAPACITY,
  });
  const northwind = organizations.find((organization) => organization.slug === 'northwind');
  if (northwind) await setTechnicalAccountManager(ctx, { organizationId: northwind.id, userId: id('specialist@tierdesk.example') });
  await em.flush();
}

/** Saved replies the demo team starts with, each created only when no macro has its title (an edit is kept). */
const DEMO_MACROS = [
  {
    title: 'Asking for logs',
    visibility: CommentVisibility.PUBLIC,
    statusAfterSend: TicketStatus.WAITING_ON_CUSTOMER,
    body: [
      'Hi {{requester.firstName}},',
      '',
      'Thanks for the details on #{{ticket.number}}. To find the cause we need the logs from the time it happened:',
      '',
      '1. The application log of the affected service, from 15 minutes before to 15 minutes after.',
      '2. The request id shown with the error, if there was one.',
      '',
      'Attach them to this ticket. Until then the ticket waits on you; our first-response target is {{sla.firstResponse.due}}.',
      '',
      'Best,',
      '{{agent.name}}',
    ].join('\n'),
  },
  {
    title: 'Solved — confirming',
    visibility: CommentVisibility.PUBLIC,
    statusAfterSend: TicketStatus.SOLVED,
    body: [
      'Hi {{requester.firstName}},',
      '',
      'We believe "{{ticket.subject}}" is solved, so we are marking #{{ticket.number}} as solved.',
      'If anything is still wrong, reply here and the ticket reopens with your {{tier.name}} targets.',
      '',
      'Best,',
      '{{agent.name}}',
    ].join('\n'),
  },
  {
    title: 'Escalating to engineering',
    visibility: CommentVisibility.INTERNAL,
    // The clocks keep running while engineering looks: putting the ticket on hold would pause them.
    statusAfterSend: null,
    body: [
      '**Escalating to engineering** — {{organization.name}} ({{tier.name}}), #{{ticket.number}} "{{ticket.subject}}".',
      '',
      '- Resolution due: {{sla.resolution.due}}',
      '- What we tried: ',
      '- Reproduction steps: ',
      '',
      'Raised by {{agent.name}}.',
    ].join('\n'),
  },
];

async function seedMacros(ctx: RequestContext): Promise<void> {
  for (const macro of DEMO_MACROS) {
    if (!(await findMacroByTitle(ctx, macro.title))) await createMacro(ctx, { ...macro, active: true });
  }
}

/**
 * Idempotent demo data: the tier catalogue is brought up to date on every run; organizations, users and
 * tickets are created only when missing. Everything goes through the same services as the API.
 */
export async function seed(runtime: Runtime, options: { demo: boolean }): Promise<void> {
  const system = runtime.system('seed');
  await upsertTiers(system, DEFAULT_TIERS);
  if (!options.demo) return;

  const em = system.em;
  for (const definition of DEMO_ORGANIZATIONS) {
    if (!(await em.count(Organization, { slug: definition.slug }))) await createOrganization(system, definition);
  }
  const organizations = await em.find(Organization, { slug: { $in: DEMO_ORGANIZATIONS.map((org) => org.slug) } });
  for (const definition of DEMO_USERS) {
    if (await em.count(User, { email: definition.email })) continue;
    const organization = 'organization' in definition ? (organizations.find((org) => org.slug === definition.organization) ?? null) : null;
    await createUser(system, {
      email: definition.email,
      name: definition.name,
      password: DEMO_PASSWORD,
      organization,
      customerRole: 'customerRole' in definition ? definition.customerRole : null,
      staffRole: 'staffRole' in definition ? definition.staffRole : null,
    });
  }
  await em.flush();

  const users = await em.find(User, { email: { $in: DEMO_USERS.map((user) => user.email) } });
  await seedEscalations(system, users);
  await seedRouting(system, users, organizations);
  await seedMacros(system);
  const agent = users.find((user) => user.email === 'agent@tierdesk.example')!;
  const staff: Principal = { kind: 'staff', role: 'AGENT', userId: agent.id, apiKeyId: null };
  for (const organization of organizations) {
    if (await em.count(Ticket, { organization: organization.id })) continue;
    const requester = users.find((user) => user.organization?.id === organization.id && user.customerRole === 'ADMIN')!;
    const asCustomer = runtime.context({
      kind: 'customer',
      userId: requester.id,
      organizationId: organization.id,
      role: 'ADMIN',
      sessionId: 'seed',
    });
    const asAgent = runtime.context(staff);
    for (const demo of DEMO_TICKETS[organization.slug] ?? []) {
      const ticket = await openTicket(asCustomer, demo);
      if (demo.reply) await replyToTicket(asAgent, { ticketId: ticket.id, body: demo.reply, visibility: CommentVisibility.PUBLIC });
      if (demo.status) await changeTicketStatus(asAgent, { ticketId: ticket.id, status: demo.status });
    }
  }
  runtime.log.info({ organizations: organizations.length, users: users.length }, 'seed complete');
}
