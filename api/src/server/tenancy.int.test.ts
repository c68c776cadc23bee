import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_FILTER } from '../shared/tenancy.js';
import { ApiKey } from '../modules/identity/index.js';
import { UpgradeReminder } from '../modules/billing/index.js';
import { Organization } from '../modules/organizations/index.js';
import { parseGlobalId, toGlobalId, type NodeType } from '../shared/ids.js';
import { API_SCOPES } from '../shared/principal.js';
import { createOrgApiKey, gql, organizationId, signIn, type GraphQLResponse } from '../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../test/support/api.js';

/**
 * Tenancy is sacred. Organization A (initech) tries, as a customer session and as a partner API key holding every
 * scope, to read, list and change organization B's (globex) data, by global id and by slug. Every root operation
 * of schema/access.snapshot.txt must be named here: a new resolver needs a tenancy test before it ships.
 */

const ROOT = resolve(import.meta.dirname, '../../..');
/** The titles of this file's hand-written tests (`it('…')`), read from its source. */
const TEST_TITLES = [...readFileSync(import.meta.filename, 'utf8').matchAll(/\bit\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g)].map(
  (match) => match[1] ?? match[2]!,
);

interface AccessLine {
  operation: string;
  kind: 'Query' | 'Mutation';
  name: string;
  public: boolean;
  customer: 'any member' | 'org admin' | null;
  apiKeyScope: string | null;
  staff: string | null;
}

function parseSnapshot(text: string): AccessLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const match = /^(Query|Mutation)\.(\w+): (.+)$/.exec(line);
      if (!match) throw new Error(`unreadable access snapshot line: ${line}`);
      const [, kind, name, rule] = match as unknown as [string, 'Query' | 'Mutation', string, string];
      return {
        operation: `${kind}.${name}`,
        kind,
        name,
        public: rule === 'public',
        customer: (/customer\((any member|org admin)\)/.exec(rule)?.[1] as AccessLine['customer']) ?? null,
        apiKeyScope: /apiKey\[([^\]]+)\]/.exec(rule)?.[1] ?? null,
        staff: /staff\(([^)]+)\)/.exec(rule)?.[1] ?? null,
      };
    });
}

const SNAPSHOT = parseSnapshot(readFileSync(resolve(ROOT, 'schema/access.snapshot.txt'), 'utf8'));
const STAFF_ONLY = SNAPSHOT.filter((line) => !line.public && !line.customer && !line.apiKeyScope);
const SCOPED = SNAPSHOT.filter((line) => line.apiKeyScope);
const ORG_ADMIN_ONLY = SNAPSHOT.filter((line) => line.customer === 'org admin');
const NOT_FOR_KEYS = SNAPSHOT.filter((line) => line.customer && !line.apiKeyScope);
const NOT_PUBLIC = SNAPSHOT.filter((line) => !line.public);

/** Organization B's objects, as global ids (and B's own key). */
interface Globex {
  org: string;
  ticket: string;
  publicComment: string;
  internalComment: string;
  user: string;
  key: string;
  keySecret: string;
  staffKey: string;
}

/** Organization A's objects the tests compare against. */
interface Initech {
  org: string;
  ticket: string;
  internalComment: string;
  publicComments: string[];
  keyId: string;
}

let api: TestApi;
let ada: string; // initech admin
let peter: string; // initech member
let hank: string; // globex admin
let admin: string; // staff ADMIN
let agent: string; // staff AGENT
let initechKey: string; // every scope
const keyLacking = new Map<string, string>(); // scope -> a key with every other scope
let readOnlyKey: string;
let globex: Globex;
let globexReminder: string | undefined; // set by the upgrade-reminder test
let initech: Initech;

/**
 * One root document per operation of the snapshot, aimed at B where it takes an id: the generic tests below
 * send these as every kind of caller. An operation missing here fails the snapshot walk.
 */
const OPERATIONS: Record<string, () => { query: string; variables?: Record<string, unknown> }> = {
  apiKeys: () => ({ query: '{ apiKeys(first: 100) { totalCount nodes { id } } }' }),
  node: () => ({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: globex.ticket } }),
  organization: () => ({ query: '{ organization(slug: "globex") { id slug } }' }),
  organizations: () => ({ query: '{ organizations(first: 100) { totalCount nodes { id slug } } }' }),
  ticket: () => ({ query: 'query($id: ID!) { ticket(id: $id) { id subject } }', variables: { id: globex.ticket } }),
  tickets: () => ({
    query: 'query($org: ID) { tickets(first: 100, filter: { organizationId: $org }) { totalCount nodes { id } } }',
    variables: { org: globex.org },
  }),
  tier: () => ({ query: '{ tier(key: "enterprise") { key } }' }),
  tiers: () => ({ query: '{ tiers { key } }' }),
  viewer: () => ({ query: '{ viewer { kind } }' }),
  addComment: () => ({
    query: 'mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } userErrors { code } } }',
    variables: { input: { ticketId: globex.ticket, body: 'from initech' } },
  }),
  assignTicket: () => ({
    query: 'mutation($input: AssignTicketInput!) { assignTicket(input: $input) { ticket { id } userErrors { code } } }',
    variables: { input: { ticketId: globex.ticket, assigneeId: null } },
  }),
  changeOrganizationTier: () => ({
    query:
      'mutation($input: ChangeOrganizationTierInput!) { changeOrganizationTier(input: $input) { organization { id } userErrors { code } } }',
    variables: { input: { organizationId: globex.org, tierKey: 'community', reason: 'a competitor asked' } },
  }),
  changeTicketPriority: () => ({
    query: 'mutation($input: ChangeTicketPriorityInput!) { changeTicketPriority(input: $input) { ticket { id } userErrors { code } } }',
    variables: { input: { ticketId: globex.ticket, priority: 'LOW' } },
  }),
  changeTicketStatus: () => ({
    query: 'mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { id } userErrors { code } } }',
    variables: { input: { ticketId: globex.ticket, status: 'SOLVED' } },
  }),
  createApiKey: () => ({
    query: 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret userErrors { code } } }',
    variables: { input: { name: 'generic', organizationId: globex.org, scopes: ['tickets:read'] } },
  }),
  createOrganization: () => ({
    query: 'mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } userErrors { code } } }',
    variables: {
      input: { name: 'Globex Two', slug: 'globex-two', region: 'eu-central', timeZone: 'Europe/Berlin', tierKey: 'enterprise' },
    },
  }),
  createTicket: () => ({
    query: 'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } userErrors { code } } }',
    variables: { input: { organizationId: globex.org, subject: 'generic', description: 'generic', priority: 'LOW' } },
  }),
  revokeApiKey: () => ({
    query: 'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id } userErrors { code } } }',
    variables: { input: { id: globex.key } },
  }),
  setEntitlementOverride: () => ({
    query:
      'mutation($input: SetEntitlementOverrideInput!) { setEntitlementOverride(input: $input) { organization { id } userErrors { code } } }',
    variables: { input: { organizationId: globex.org, feature: 'tickets.monthlyAllowance', amount: 1, reason: 'a competitor asked' } },
  }),
  signIn: () => ({
    query: 'mutation($input: SignInInput!) { signIn(input: $input) { token userErrors { code } } }',
    variables: { input: { email: 'hank@globex.example', password: 'not the password' } },
  }),
  signOut: () => ({ query: 'mutation { signOut { signedOut } }' }),
  businessCalendar: () => ({
    query: 'query($id: ID!) { businessCalendar(id: $id) { id } }',
    variables: { id: unknownId('BusinessCalendar') },
  }),
  businessCalendars: () => ({ query: '{ businessCalendars { id } }' }),
  escalationPolicies: () => ({ query: '{ escalationPolicies { id } }' }),
  myNotifications: () => ({ query: '{ myNotifications { nodes { id } } }' }),
  onCallNow: () => ({ query: 'query($id: ID!) { onCallNow(scheduleId: $id) }', variables: { id: unknownId('OnCallSchedule') } }),
  slaPolicies: () => ({ query: '{ slaPolicies { tierKey } }' }),
  acknowledgeEscalation: () => ({
    query: 'mutation($id: ID!) { acknowledgeEscalation(id: $id) { escalation { id } userErrors { code } } }',
    variables: { id: unknownId('Escalation') },
  }),
  createBusinessCalendar: () => ({
    query:
      'mutation($input: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $input) { businessCalendar { id } userErrors { code } } }',
    variables: { input: { name: 'initech hours', timeZone: 'UTC', weeklyHours: [{ day: 'MONDAY', start: '09:00', end: '17:00' }] } },
  }),
  createEscalationPolicy: () => ({
    query:
      'mutation($input: CreateEscalationPolicyInput!) { createEscalationPolicy(input: $input) { escalationPolicy { id } userErrors { code } } }',
    variables: { input: { name: 'initech policy', levels: [{ delayMinutes: 5, targets: [{ type: 'ASSIGNEE' }] }] } },
  }),
  createOnCallSchedule: () => ({
    query: 'mutation($input: CreateOnCallScheduleInput!) { createOnCallSchedule(input: $input) { schedule { id } userErrors { code } } }',
    variables: {
      input: {
        name: 'initech rota',
        timeZone: 'UTC',
        rotations: [{ name: 'r', userIds: [globex.user], startDate: '2026-01-01', handoffTime: '09:00', shiftDays: 7 }],
      },
    },
  }),
  createTeam: () => ({
    query: 'mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { id } userErrors { code } } }',
    variables: { input: { name: 'initech team', memberIds: [globex.user] } },
  }),
  importTicket: () => ({
    query: 'mutation($input: ImportTicketInput!) { importTicket(input: $input) { ticket { id } userErrors { code } } }',
    variables: {
      input: {
        organizationId: globex.org,
        subject: 'generic',
        description: 'generic',
        priority: 'LOW',
        createdAt: '2026-01-01T00:00:00Z',
        events: [],
      },
    },
  }),
  escalateTicket: () => ({
    query: 'mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) { escalation { id } userErrors { code } } }',
    variables: { input: { ticketId: globex.ticket, reason: 'from initech' } },
  }),
  importCalendarHolidays: () => ({
    query: 'mutation($input: ImportCalendarHolidaysInput!) { importCalendarHolidays(input: $input) { added userErrors { code } } }',
    variables: { input: { calendarId: unknownId('BusinessCalendar'), ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR' } },
  }),
  markNotificationRead: () => ({
    query: 'mutation($id: ID!) { markNotificationRead(id: $id) { notification { id } userErrors { code } } }',
    variables: { id: unknownId('Notification') },
  }),
  setOrganizationCalendar: () => ({
    query:
      'mutation($input: SetOrganizationCalendarInput!) { setOrganizationCalendar(input: $input) { organization { id } userErrors { code } } }',
    variables: { input: { organizationId: globex.org, calendarId: null } },
  }),
  updateBusinessCalendar: () => ({
    query:
      'mutation($input: UpdateBusinessCalendarInput!) { updateBusinessCalendar(input: $input) { businessCalendar { id } userErrors { code } } }',
    variables: {
      input: {
        id: unknownId('BusinessCalendar'),
        name: 'x',
        timeZone: 'UTC',
        weeklyHours: [{ day: 'MONDAY', start: '09:00', end: '17:00' }],
      },
    },
  }),
  upsertSlaPolicy: () => ({
    query: 'mutation($input: UpsertSlaPolicyInput!) { upsertSlaPolicy(input: $input) { slaPolicy { tierKey } userErrors { code } } }',
    variables: { input: { tierKey: 'business', pauseStatuses: [], warnPercent: 99 } },
  }),
  searchKnowledgeBase: () => ({
    query: '{ searchKnowledgeBase(query: "tenancyprobe", first: 100) { totalCount nodes { article { id slug } } } }',
  }),
  article: () => ({ query: '{ article(slug: "tenancyprobe-business") { id slug } }' }),
  suggestArticles: () => ({ query: '{ suggestArticles(subject: "tenancyprobe question") { hits { article { id slug } } } }' }),
  knowledgeBaseAnalytics: () => ({ query: '{ knowledgeBaseAnalytics { searches ratings { helpful notHelpful } } }' }),
  rateArticle: () => ({
    query: 'mutation($input: RateArticleInput!) { rateArticle(input: $input) { article { id } userErrors { code } } }',
    variables: { input: { articleId: unknownId('Article'), helpful: false } },
  }),
  createArticle: () => ({
    query: 'mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } userErrors { code } } }',
    variables: {
      input: { slug: 'planted-by-initech', title: 't', summary: 's', body: 'b', tags: [], productArea: 'tickets', visibility: 'public' },
    },
  }),
  updateArticle: () => ({
    query: 'mutation($input: UpdateArticleInput!) { updateArticle(input: $input) { article { id } userErrors { code } } }',
    variables: { input: { id: unknownId('Article'), title: 'defaced' } },
  }),
  archiveArticle: () => ({
    query: 'mutation($input: ArchiveArticleInput!) { archiveArticle(input: $input) { article { id } userErrors { code } } }',
    variables: { input: { id: unknownId('Article') } },
  }),
  plans: () => ({ query: '{ plans { tier { key } monthlyPrice } }' }),
  billingStatus: () => ({
    query: 'query($org: ID) { billingStatus(organizationId: $org) { tierKey status } }',
    variables: { org: globex.org },
  }),
  startCheckout: () => ({
    query: 'mutation($input: StartCheckoutInput!) { startCheckout(input: $input) { url userErrors { code } } }',
    variables: {
      input: {
        tierKey: 'enterprise',
        interval: 'MONTH',
        successUrl: 'https://initech.example/ok',
        cancelUrl: 'https://initech.example/no',
      },
    },
  }),
  previewPlanChange: () => ({
    query: 'mutation { previewPlanChange(tierKey: "enterprise", interval: MONTH) { preview { amountDue } userErrors { code } } }',
  }),
  changePlan: () => ({
    query: 'mutation($input: ChangePlanInput!) { changePlan(input: $input) { billing { tierKey } userErrors { code } } }',
    variables: { input: { tierKey: 'enterprise', interval: 'MONTH' } },
  }),
  openBillingPortal: () => ({
    query: 'mutation { openBillingPortal(returnUrl: "https://initech.example/back") { url userErrors { code } } }',
  }),
  upgradeReminder: () => ({
    query: 'query($org: ID) { upgradeReminder(organizationId: $org) { id reasons } }',
    variables: { org: globex.org },
  }),
  queues: () => ({ query: '{ queues { id key waitingCount waiting(first: 100) { nodes { ticket { id } } } } }' }),
  queue: () => ({ query: 'query($id: ID!) { queue(id: $id) { id } }', variables: { id: unknownId('Queue') } }),
  routingRules: () => ({ query: '{ routingRules { id name } }' }),
  routingWarnings: () => ({ query: '{ routingWarnings { code } }' }),
  routingDryRun: () => ({
    query: 'query($id: ID!) { routingDryRun(input: { ticketId: $id }) { ruleName triage { domain } } }',
    variables: { id: globex.ticket },
  }),
  agents: () => ({ query: '{ agents(first: 100) { nodes { id user { email } load { count } } } }' }),
  agent: () => ({ query: '{ agent { id } }' }),
  ticketsNeedingAttention: () => ({ query: '{ ticketsNeedingAttention(first: 100) { totalCount nodes { id } } }' }),
  domainClassifier: () => ({ query: '{ domainClassifier { version heldOutAccuracy } }' }),
  createQueue: () => ({
    query: 'mutation($input: QueueInput!) { createQueue(input: $input) { queue { id } userErrors { code } } }',
    variables: { input: { key: 'planted-by-initech', name: 'x' } },
  }),
  updateQueue: () => ({
    query: 'mutation($id: ID!, $input: QueueInput!) { updateQueue(id: $id, input: $input) { queue { id } userErrors { code } } }',
    variables: { id: unknownId('Queue'), input: { key: 'planted', name: 'x' } },
  }),
  createRoutingRule: () => ({
    query: 'mutation($input: RoutingRuleInput!) { createRoutingRule(input: $input) { rule { id } userErrors { code } } }',
    variables: { input: { name: 'all to me', queueId: unknownId('Queue') } },
  }),
  updateRoutingRule: () => ({
    query:
      'mutation($id: ID!, $input: RoutingRuleInput!) { updateRoutingRule(id: $id, input: $input) { rule { id } userErrors { code } } }',
    variables: { id: unknownId('RoutingRule'), input: { name: 'x', queueId: unknownId('Queue') } },
  }),
  deleteRoutingRule: () => ({
    query: 'mutation($id: ID!) { deleteRoutingRule(id: $id) { deletedRuleId userErrors { code } } }',
    variables: { id: unknownId('RoutingRule') },
  }),
  upsertAgentProfile: () => ({
    query: 'mutation($input: AgentProfileInput!) { upsertAgentProfile(input: $input) { agent { id } userErrors { code } } }',
    variables: { input: { userId: globex.user, skills: [], region: 'x', capacity: [] } },
  }),
  setPresence: () => ({ query: 'mutation { setPresence(input: { presence: ONLINE }) { agent { id } userErrors { code } } }' }),
  setTechnicalAccountManager: () => ({
    query:
      'mutation($input: SetTechnicalAccountManagerInput!) { setTechnicalAccountManager(input: $input) { organization { id } userErrors { code } } }',
    variables: { input: { organizationId: globex.org, userId: null } },
  }),
  correctTriage: () => ({
    query: 'mutation($input: CorrectTriageInput!) { correctTriage(input: $input) { triage { domain } userErrors { code } } }',
    variables: { input: { ticketId: globex.ticket, domain: 'BILLING' } },
  }),
  simulate: () => ({
    query: 'query($scenario: JSONObject!) { simulate(scenario: $scenario) { tickets { arrived } } }',
    variables: { scenario: { version: 1 } },
  }),
  retrainClassifier: () => ({ query: 'mutation { retrainClassifier { classifier { version } userErrors { code } } }' }),
  dismissUpgradeReminder: () => ({
    query: 'mutation($id: ID!) { dismissUpgradeReminder(id: $id) { reminder { id dismissedAt } userErrors { code } } }',
    variables: { id: globexReminder ?? unknownId('UpgradeReminder') },
  }),
};

const CALLERS: [string, () => string][] = [
  ['a customer session of initech', () => ada],
  ['a partner API key of initech (every scope)', () => initechKey],
];

function run(operation: string, token: string | undefined): Promise<GraphQLResponse> {
  const document = OPERATIONS[operation];
  if (!document) throw new Error(`no document for ${operation}`);
  const { query, variables } = document();
  return gql(api.url, query, variables ?? {}, token);
}

function ok<T extends GraphQLResponse>(result: T): T {
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  expect(result.status).toBe(200);
  return result;
}

/** A GraphQL error with this code and nothing of the operation's data. */
function expectRefused(result: GraphQLResponse, code: string): void {
  expect(
    result.errors?.map((error) => error.extensions?.code),
    JSON.stringify(result),
  ).toEqual([code]);
  expect(result.data === null || Object.values(result.data).every((value) => value === null), JSON.stringify(result.data)).toBe(true);
}

/** A well-formed global id that names nothing. */
const unknownId = (type: NodeType) => toGlobalId(type, '00000000-0000-4000-8000-000000000000');

/**
 * A mutation payload refused with NOT_FOUND, changing nothing, and reading exactly like the answer for an id that
 * names nothing (`unknown`): another organization's object must not be told apart from a missing one.
 */
function expectNotFound(payload: Record<string, unknown> | undefined, unknown: Record<string, unknown> | undefined): void {
  expect(payload, 'payload').toBeDefined();
  const { userErrors, ...rest } = payload as { userErrors: { code: string }[] };
  expect(userErrors.map((error) => error.code)).toEqual(['NOT_FOUND']);
  for (const [field, value] of Object.entries(rest)) expect(value, field).toBeNull();
  expect(payload, 'the same answer as for an unknown id').toEqual(unknown);
}

function rawId(globalId: string): string {
  const parsed = parseGlobalId(globalId);
  if (!parsed) throw new Error(`not a global id: ${globalId}`);
  return parsed.id;
}

const TICKET_STATE = `status priority updatedAt assignee { id }
  comments(first: 100) { totalCount nodes { id body visibility } }
  events { type data }`;

/** Everything of B an attack could touch, re-read as staff (and B's keys as B's admin). */
async function globexState() {
  const asStaff = ok(
    await gql(
      api.url,
      `query($org: ID!, $ticket: ID!, $key: ID!) {
        organizations(first: 100) { totalCount nodes { slug } }
        organization(slug: "globex") {
          name tier { key } tierHistory { reason }
          entitlements { monthlyTicketAllowance allowedPriorities features { feature source amount unlimited enabled values } }
        }
        tickets(first: 100, filter: { organizationId: $org }) { totalCount nodes { id } }
        ticket(id: $ticket) { ${TICKET_STATE} }
        key: node(id: $key) { ... on ApiKey { revokedAt scopes name } }
      }`,
      { org: globex.org, ticket: globex.ticket, key: globex.key },
      admin,
    ),
  );
  const asGlobex = ok(await gql(api.url, '{ apiKeys(first: 100) { totalCount nodes { id name scopes revokedAt } } }', {}, hank));
  return { staff: asStaff.data, keys: asGlobex.data };
}

async function staffTicketCount(org: string): Promise<number> {
  const result = ok(
    await gql(api.url, 'query($org: ID) { tickets(first: 1, filter: { organizationId: $org }) { totalCount } }', { org }, admin),
  );
  return result.data!.tickets.totalCount;
}

const COMMENT =
  'mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id visibility } ticket { id } userErrors { code field message } } }';

async function createKey(token: string, input: Record<string, unknown>) {
  const result = ok(
    await gql(
      api.url,
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } userErrors { code message } } }',
      { input },
      token,
    ),
  );
  const payload = result.data!.createApiKey;
  if (!payload.secret) throw new Error(`createApiKey failed: ${JSON.stringify(payload)}`);
  return { id: payload.apiKey.id as string, secret: payload.secret as string };
}

async function addComment(token: string, ticketId: string, body: string, visibility: 'PUBLIC' | 'INTERNAL') {
  const result = ok(await gql(api.url, COMMENT, { input: { ticketId, body, visibility } }, token));
  const payload = result.data!.addComment;
  if (!payload.comment) throw new Error(`addComment failed: ${JSON.stringify(payload)}`);
  return payload.comment.id as string;
}

beforeAll(async () => {
  api = await startTestApi({ billing: true });
  [ada, peter, hank, admin, agent] = await Promise.all([
    signIn(api.url, 'ada@initech.example'),
    signIn(api.url, 'peter@initech.example'),
    signIn(api.url, 'hank@globex.example'),
    signIn(api.url, 'admin@tierdesk.example'),
    signIn(api.url, 'agent@tierdesk.example'),
  ]);
  const [initechOrg, globexOrg] = await Promise.all([organizationId(api.url, admin, 'initech'), organizationId(api.url, admin, 'globex')]);

  // B: its seeded ticket with a public reply, an internal note on it, its admin, its own key and a staff key.
  const globexTicket = ok(await gql(api.url, '{ tickets(first: 1) { nodes { id comments { nodes { id } } } } }', {}, hank)).data!.tickets
    .nodes[0];
  const globexKey = await createKey(hank, { name: 'Globex ERP', scopes: ['tickets:read', 'organization:read'] });
  const staffKey = await createKey(admin, { name: 'Staff tooling', staffRole: 'AGENT' });
  globex = {
    org: globexOrg,
    ticket: globexTicket.id,
    publicComment: globexTicket.comments.nodes[0].id,
    internalComment: await addComment(agent, globexTicket.id, 'Globex is negotiating a discount', 'INTERNAL'),
    user: ok(await gql(api.url, '{ viewer { user { id } } }', {}, hank)).data!.viewer.user.id,
    key: globexKey.id,
    keySecret: globexKey.secret,
    staffKey: staffKey.id,
  };

  // A: a key with every scope, keys each lacking one scope, a read-only key; a ticket with an internal note
  // between two public replies, so that paging over the comments passes over the note.
  const full = await createKey(ada, { name: 'Initech CRM', scopes: [...API_SCOPES] });
  initechKey = full.secret;
  for (const scope of API_SCOPES) {
    keyLacking.set(
      scope,
      (await createKey(ada, { name: `Initech without ${scope}`, scopes: API_SCOPES.filter((other) => other !== scope) })).secret,
    );
  }
  readOnlyKey = await createOrgApiKey(api.url, ada, initechOrg, ['tickets:read']);
  const initechTicket = ok(await gql(api.url, '{ tickets(first: 1) { nodes { id } } }', {}, ada)).data!.tickets.nodes[0].id as string;
  const first = await addComment(agent, initechTicket, 'Which version do you run?', 'PUBLIC');
  const internalComment = await addComment(
    agent,
    initechTicket,
    'INTERNAL: customer is on a deprecated SDK, do not tell them yet',
    'INTERNAL',
  );
  const last = await addComment(agent, initechTicket, 'We have found the cause.', 'PUBLIC');
  initech = { org: initechOrg, ticket: initechTicket, internalComment, publicComments: [first, last], keyId: full.id };
});
afterAll(async () => api?.stop());

describe('the fixtures are real', () => {
  it('lets globex (and staff) read every object that initech is refused below', async () => {
    const ids = [globex.ticket, globex.publicComment, globex.org, globex.user, globex.key];
    const query = `{ ${ids.map((id, index) => `n${index}: node(id: "${id}") { id }`).join(' ')} }`;
    const asHank = ok(await gql(api.url, query, {}, hank));
    expect(Object.values(asHank.data!).map((node) => node?.id)).toEqual(ids);
    const asStaff = ok(
      await gql(
        api.url,
        'query($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } }',
        { a: globex.internalComment, b: globex.staffKey },
        admin,
      ),
    );
    expect(asStaff.data).toEqual({ a: { id: globex.internalComment }, b: { id: globex.staffKey } });
    expect(ok(await gql(api.url, '{ organization(slug: "globex") { slug } }', {}, hank)).data?.organization).toEqual({ slug: 'globex' });
    expect(ok(await gql(api.url, '{ viewer { kind scopes organization { slug } } }', {}, initechKey)).data?.viewer).toEqual({
      kind: 'PARTNER',
      scopes: [...API_SCOPES],
      organization: { slug: 'initech' },
    });
  });
});

describe.each(CALLERS)('initech reaching for globex as %s', (_label, token) => {
  it("gets null from ticket(id) with globex's ticket id, and its own ticket otherwise", async () => {
    const query = 'query($id: ID!) { ticket(id: $id) { id subject } }';
    expect(ok(await gql(api.url, query, { id: globex.ticket }, token())).data).toEqual({ ticket: null });
    expect(ok(await gql(api.url, query, { id: initech.ticket }, token())).data?.ticket?.id).toBe(initech.ticket);
  });

  it("gets null from node(id) for globex's Ticket, Comments, Organization, User and ApiKey, and for a staff key", async () => {
    const targets = {
      ticket: globex.ticket,
      publicComment: globex.publicComment,
      internalComment: globex.internalComment,
      organization: globex.org,
      user: globex.user,
      apiKey: globex.key,
      staffKey: globex.staffKey,
    };
    const query = `{ ${Object.entries(targets)
      .map(
        ([alias, id]) =>
          `${alias}: node(id: "${id}") { __typename id ... on Ticket { subject } ... on Comment { body } ... on Organization { slug } ... on User { name email } ... on ApiKey { name } }`,
      )
      .join('\n')} }`;
    const result = ok(await gql(api.url, query, {}, token()));
    expect(result.data).toEqual(Object.fromEntries(Object.keys(targets).map((alias) => [alias, null])));

    const own = ok(
      await gql(
        api.url,
        'query($t: ID!, $o: ID!) { t: node(id: $t) { id } o: node(id: $o) { id } }',
        { t: initech.ticket, o: initech.org },
        token(),
      ),
    );
    expect(own.data).toEqual({ t: { id: initech.ticket }, o: { id: initech.org } });
  });

  it("never sees globex's tickets in tickets: not listed, not counted, not by filter.organizationId, not past a globex cursor", async () => {
    const initechCount = await staffTicketCount(initech.org);
    const list = ok(await gql(api.url, '{ tickets(first: 100) { totalCount nodes { id organization { slug } } } }', {}, token()));
    const { totalCount, nodes } = list.data!.tickets;
    expect(totalCount).toBe(initechCount);
    expect(nodes).toHaveLength(initechCount);
    expect(new Set(nodes.map((node: { organization: { slug: string } }) => node.organization.slug))).toEqual(new Set(['initech']));
    expect(nodes.map((node: { id: string }) => node.id)).not.toContain(globex.ticket);

    const filtered =
      'query($org: ID, $status: [TicketStatus!]) { tickets(first: 100, filter: { organizationId: $org, status: $status }) { totalCount nodes { id } pageInfo { hasNextPage } } }';
    const empty = { tickets: { totalCount: 0, nodes: [], pageInfo: { hasNextPage: false } } };
    expect(ok(await gql(api.url, filtered, { org: globex.org }, token())).data).toEqual(empty);
    expect(
      ok(
        await gql(
          api.url,
          filtered,
          { org: globex.org, status: ['NEW', 'OPEN', 'WAITING_ON_CUSTOMER', 'ON_HOLD', 'SOLVED', 'CLOSED'] },
          token(),
        ),
      ).data,
    ).toEqual(empty);
    expect(ok(await gql(api.url, filtered, { org: initech.org }, token())).data?.tickets.totalCount).toBe(initechCount);

    const globexPage = ok(
      await gql(
        api.url,
        'query($org: ID) { tickets(first: 1, filter: { organizationId: $org }) { pageInfo { endCursor } } }',
        { org: globex.org },
        admin,
      ),
    );
    const afterGlobex = ok(
      await gql(
        api.url,
        'query($after: String) { tickets(first: 100, after: $after) { nodes { organization { slug } } } }',
        { after: globexPage.data!.tickets.pageInfo.endCursor },
        token(),
      ),
    );
    for (const node of afterGlobex.data!.tickets.nodes) expect(node.organization.slug).toBe('initech');
  });

  it('gets null from organization(slug: "globex") and its own organization without a slug', async () => {
    const bySlug = 'query($slug: String) { organization(slug: $slug) { id slug name tier { key } } }';
    expect(ok(await gql(api.url, bySlug, { slug: 'globex' }, token())).data).toEqual({ organization: null });
    expect(ok(await gql(api.url, bySlug, { slug: 'GLOBEX' }, token())).data).toEqual({ organization: null });
    expect(ok(await gql(api.url, bySlug, { slug: 'initech' }, token())).data?.organization).toMatchObject({
      id: initech.org,
      slug: 'initech',
    });
    expect(ok(await gql(api.url, bySlug, {}, token())).data?.organization).toMatchObject({ id: initech.org, slug: 'initech' });
  });

  it("opens the ticket in initech (or is refused) when createTicket names globex's organizationId and requester", async () => {
    const before = await globexState();
    const initechBefore = await staffTicketCount(initech.org);
    const result = ok(
      await gql(
        api.url,
        'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id organization { slug } requester { id } requesterName } userErrors { code field } } }',
        {
          input: {
            organizationId: globex.org,
            subject: 'Planted in globex?',
            description: 'It must not be',
            priority: 'LOW',
            requesterEmail: 'hank@globex.example',
          },
        },
        token(),
      ),
    );
    const payload = result.data!.createTicket;
    if (payload.ticket) {
      expect(payload.ticket.organization.slug).toBe('initech');
      // Naming globex's admin as the requester neither links nor reveals that user.
      expect(payload.ticket.requester?.id).not.toBe(globex.user);
      expect(payload.ticket.requesterName).not.toBe('Hank Scorpio');
      expect(await staffTicketCount(initech.org)).toBe(initechBefore + 1);
    } else {
      expect(payload.userErrors.length).toBeGreaterThan(0);
      expect(await staffTicketCount(initech.org)).toBe(initechBefore);
    }
    expect(await globexState()).toEqual(before);
  });

  it("gets NOT_FOUND from addComment on globex's ticket, public or internal, and the ticket is unchanged", async () => {
    const before = await globexState();
    for (const visibility of ['PUBLIC', 'INTERNAL']) {
      const result = ok(await gql(api.url, COMMENT, { input: { ticketId: globex.ticket, body: 'Initech was here', visibility } }, token()));
      const unknown = ok(
        await gql(api.url, COMMENT, { input: { ticketId: unknownId('Ticket'), body: 'Initech was here', visibility } }, token()),
      );
      expectNotFound(result.data?.addComment, unknown.data?.addComment);
    }
    expect(await globexState()).toEqual(before);
  });

  it("gets NOT_FOUND from changeTicketStatus on globex's ticket, and the ticket is unchanged", async () => {
    const before = await globexState();
    const status =
      'mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { id status } userErrors { code field } } }';
    for (const target of ['SOLVED', 'OPEN', 'CLOSED']) {
      const result = ok(await gql(api.url, status, { input: { ticketId: globex.ticket, status: target } }, token()));
      const unknown = ok(await gql(api.url, status, { input: { ticketId: unknownId('Ticket'), status: target } }, token()));
      expectNotFound(result.data?.changeTicketStatus, unknown.data?.changeTicketStatus);
    }
    expect(await globexState()).toEqual(before);
  });

  it("gets NOT_FOUND from changeTicketPriority on globex's ticket, and the ticket is unchanged", async () => {
    const before = await globexState();
    const priority =
      'mutation($input: ChangeTicketPriorityInput!) { changeTicketPriority(input: $input) { ticket { id priority } userErrors { code requiredTier } } }';
    // LOW is within initech's tier, so no entitlement check can answer before the ticket lookup does.
    const result = ok(await gql(api.url, priority, { input: { ticketId: globex.ticket, priority: 'LOW' } }, token()));
    const unknown = ok(await gql(api.url, priority, { input: { ticketId: unknownId('Ticket'), priority: 'LOW' } }, token()));
    expectNotFound(result.data?.changeTicketPriority, unknown.data?.changeTicketPriority);
    expect(await globexState()).toEqual(before);
  });

  it("gets NOT_FOUND from escalateTicket on globex's ticket, and nothing is escalated there", async () => {
    const before = await globexState();
    const escalate =
      'mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) { escalation { id } userErrors { code message } } }';
    const result = ok(await gql(api.url, escalate, { input: { ticketId: globex.ticket, reason: 'please hurry' } }, token()));
    const unknown = ok(await gql(api.url, escalate, { input: { ticketId: unknownId('Ticket'), reason: 'please hurry' } }, token()));
    expectNotFound(result.data?.escalateTicket, unknown.data?.escalateTicket);
    const escalations = ok(await gql(api.url, 'query($id: ID!) { ticket(id: $id) { escalations { id } } }', { id: globex.ticket }, admin));
    expect(escalations.data?.ticket.escalations).toEqual([]);
    expect(await globexState()).toEqual(before);
  });

  it("lists only initech's keys in apiKeys", async () => {
    const result = ok(await gql(api.url, '{ apiKeys(first: 100) { totalCount nodes { id name } } }', {}, token()));
    const ids: string[] = result.data!.apiKeys.nodes.map((node: { id: string }) => node.id);
    expect(ids).toContain(initech.keyId);
    expect(ids).not.toContain(globex.key);
    expect(ids).not.toContain(globex.staffKey);
    expect(result.data!.apiKeys.totalCount).toBe(ids.length);

    const em = api.orm.em.fork();
    em.setFilterParams(TENANT_FILTER, { allTenants: true });
    const stored = await em.find(ApiKey, { id: { $in: ids.map(rawId) } });
    expect(stored).toHaveLength(ids.length);
    expect(new Set(stored.map((key) => key.organization?.id ?? 'no organization (staff key)'))).toEqual(new Set([rawId(initech.org)]));
    expect(await em.count(ApiKey, { organization: rawId(initech.org) })).toBe(ids.length);
  });

  it("gets NOT_FOUND from revokeApiKey with globex's key (or a staff key), and that key still works", async () => {
    const before = await globexState();
    const revoke = 'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id revokedAt } userErrors { code } } }';
    const unknown = ok(await gql(api.url, revoke, { input: { id: unknownId('ApiKey') } }, token())).data?.revokeApiKey;
    for (const id of [globex.key, globex.staffKey]) {
      expectNotFound(ok(await gql(api.url, revoke, { input: { id } }, token())).data?.revokeApiKey, unknown);
    }
    const stillWorks = ok(
      await gql(api.url, '{ viewer { kind organization { slug } } tickets(first: 1) { totalCount } }', {}, globex.keySecret),
    );
    expect(stillWorks.data).toMatchObject({
      viewer: { kind: 'PARTNER', organization: { slug: 'globex' } },
      tickets: { totalCount: expect.any(Number) },
    });
    const after = await globexState();
    expect(after).toEqual(before);
    expect(after.staff!.key).toMatchObject({ revokedAt: null });
  });

  it("makes a key for initech (or is refused) when createApiKey names globex's organizationId, never for globex", async () => {
    const before = await globexState();
    const result = ok(
      await gql(
        api.url,
        'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } userErrors { code field } } }',
        {
          input: {
            name: 'Backdoor into globex',
            organizationId: globex.org,
            scopes: ['tickets:read', 'tickets:write', 'organization:read'],
          },
        },
        token(),
      ),
    );
    const payload = result.data!.createApiKey;
    if (payload.secret) {
      const viewer = ok(
        await gql(api.url, '{ viewer { organization { slug } } tickets(first: 100) { nodes { id } } }', {}, payload.secret),
      );
      expect(viewer.data!.viewer.organization.slug).toBe('initech');
      expect(viewer.data!.tickets.nodes.map((node: { id: string }) => node.id)).not.toContain(globex.ticket);
      const em = api.orm.em.fork();
      em.setFilterParams(TENANT_FILTER, { allTenants: true });
      const stored = await em.findOneOrFail(ApiKey, { id: rawId(payload.apiKey.id) });
      expect(stored.organization?.id).toBe(rawId(initech.org));
    } else {
      expect(payload.userErrors.length).toBeGreaterThan(0);
    }
    expect(await globexState()).toEqual(before);
  });

  it('gets FORBIDDEN from createApiKey when it asks for a staff key', async () => {
    const em = api.orm.em.fork();
    em.setFilterParams(TENANT_FILTER, { allTenants: true });
    const staffKeys = await em.count(ApiKey, { staffRole: { $ne: null } });
    const result = await gql(
      api.url,
      'mutation { createApiKey(input: { name: "Promote me", staffRole: ADMIN }) { secret userErrors { code } } }',
      {},
      token(),
    );
    expectRefused(result, 'FORBIDDEN');
    expect(await em.count(ApiKey, { staffRole: { $ne: null } })).toBe(staffKeys);
  });

  it('sees initech and the shared tier catalogue in viewer, tier and tiers (public), nothing of globex', async () => {
    const result = ok(
      await gql(
        api.url,
        '{ viewer { kind organization { id slug } user { email } } tier(key: "business") { key name } tiers { key } }',
        {},
        token(),
      ),
    );
    expect(result.data!.viewer.organization).toEqual({ id: initech.org, slug: 'initech' });
    expect(result.data!.tier).toEqual({ key: 'business', name: expect.any(String) });
    expect(result.data!.tiers.map((tier: { key: string }) => tier.key)).toEqual(['community', 'growth', 'business', 'enterprise']);
    expect(JSON.stringify(result.data)).not.toMatch(/globex|hank/i);
  });
});

describe.each(CALLERS)('internal notes stay with staff, even within initech, as %s', (_label, token) => {
  const internalRaw = () => rawId(initech.internalComment);

  it('leaves them out of comments, counts and pages', async () => {
    const query = 'query($id: ID!) { ticket(id: $id) { comments(first: 100) { totalCount nodes { id body visibility } } } }';
    const { comments } = ok(await gql(api.url, query, { id: initech.ticket }, token())).data!.ticket;
    expect(comments.nodes.map((node: { id: string }) => node.id)).toEqual(expect.arrayContaining(initech.publicComments));
    expect(comments.nodes.map((node: { id: string }) => node.id)).not.toContain(initech.internalComment);
    expect(comments.nodes.every((node: { visibility: string }) => node.visibility === 'PUBLIC')).toBe(true);
    expect(comments.totalCount).toBe(comments.nodes.length);

    const staffView = ok(await gql(api.url, query, { id: initech.ticket }, agent)).data!.ticket.comments;
    expect(staffView.totalCount).toBe(comments.totalCount + 1);

    const paged: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const result: GraphQLResponse = ok(
        await gql(
          api.url,
          'query($id: ID!, $after: String) { ticket(id: $id) { comments(first: 1, after: $after) { totalCount nodes { id visibility } pageInfo { hasNextPage endCursor } } } }',
          { id: initech.ticket, after },
          token(),
        ),
      );
      const connection = result.data!.ticket.comments;
      expect(connection.totalCount).toBe(comments.totalCount);
      paged.push(...connection.nodes.map((node: { id: string }) => node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(paged).toEqual(comments.nodes.map((node: { id: string }) => node.id));

    const listed = ok(
      await gql(api.url, '{ tickets(first: 100) { nodes { comments(first: 100) { totalCount nodes { id visibility } } } } }', {}, token()),
    );
    const all = listed.data!.tickets.nodes.flatMap(
      (ticket: { comments: { nodes: { id: string; visibility: string }[] } }) => ticket.comments.nodes,
    );
    expect(all.map((node: { id: string }) => node.id)).not.toContain(initech.internalComment);
    expect(all.every((node: { visibility: string }) => node.visibility === 'PUBLIC')).toBe(true);
  });

  it('gives null from node(id) for an internal note and the comment for a public reply', async () => {
    const query = 'query($id: ID!) { node(id: $id) { id ... on Comment { body visibility } } }';
    expect(ok(await gql(api.url, query, { id: initech.internalComment }, token())).data).toEqual({ node: null });
    expect(ok(await gql(api.url, query, { id: initech.publicComments[0] }, token())).data?.node).toMatchObject({
      id: initech.publicComments[0],
      visibility: 'PUBLIC',
    });
    expect(ok(await gql(api.url, query, { id: initech.internalComment }, agent)).data?.node).toMatchObject({ visibility: 'INTERNAL' });
  });

  it("leaves internal-note and routing entries out of the ticket's events", async () => {
    const query = 'query($id: ID!) { ticket(id: $id) { events { type data } } }';
    const events: { type: string; data: string }[] = ok(await gql(api.url, query, { id: initech.ticket }, token())).data!.ticket.events;
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((event) => event.data.includes('INTERNAL') || event.data.includes(internalRaw()))).toEqual([]);
    const staffEvents: { type: string; data: string }[] = ok(await gql(api.url, query, { id: initech.ticket }, agent)).data!.ticket.events;
    expect(staffEvents.filter((event) => event.data.includes(internalRaw()))).toHaveLength(1);
    // Routing's entries name internal queues and lead times: staff only.
    expect(events.filter((event) => event.type === 'ROUTED')).toEqual([]);
    expect(staffEvents.filter((event) => event.type === 'ROUTED')).toHaveLength(1);
    expect(staffEvents).toHaveLength(events.length + 2);
  });
});

describe('importTicket', () => {
  it("importTicket imports into initech when an initech key names globex's organizationId, never into globex; customers cannot import", async () => {
    const before = await globexState();
    const initechBefore = await staffTicketCount(initech.org);
    const importing =
      'mutation($input: ImportTicketInput!) { importTicket(input: $input) { ticket { id organization { slug } } userErrors { code field } } }';
    const input = {
      organizationId: globex.org,
      subject: 'Imported into globex?',
      description: 'It must not be',
      priority: 'LOW',
      createdAt: '2026-01-02T00:00:00Z',
      events: [{ at: '2026-01-02T00:10:00Z', type: 'REPLY', byStaff: true, body: 'hello' }],
    };
    const result = ok(await gql(api.url, importing, { input }, initechKey));
    expect(result.data!.importTicket.ticket.organization.slug).toBe('initech');
    expect(await staffTicketCount(initech.org)).toBe(initechBefore + 1);
    const asCustomer = await gql(api.url, importing, { input }, ada);
    expect(asCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await globexState()).toEqual(before);
  });
});

describe('the knowledge base answers by tier, never across organizations', () => {
  const ARTICLE = 'mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } userErrors { code message } } }';
  const RATE = 'mutation($input: RateArticleInput!) { rateArticle(input: $input) { helpful userErrors { code } } }';
  const RATINGS = '{ knowledgeBaseAnalytics { ratings { helpful notHelpful } articleRatings { slug helpful notHelpful } } }';
  const articles: Record<string, string> = {};

  beforeAll(async () => {
    for (const [slug, visibility] of [
      ['tenancyprobe-public', 'public'],
      ['tenancyprobe-business', 'tier:business'],
    ] as const) {
      const input = {
        slug,
        title: `Tenancyprobe ${visibility}`,
        summary: 'A probe.',
        body: 'Tenancyprobe body.',
        tags: ['probe'],
        productArea: 'tickets',
        visibility,
      };
      const created = ok(await gql(api.url, ARTICLE, { input }, admin)).data!.createArticle;
      if (!created.article) throw new Error(`createArticle failed: ${JSON.stringify(created)}`);
      articles[slug] = created.article.id;
    }
  });

  it('searchKnowledgeBase, article and suggestArticles give initech (Growth; session and key) no Business article, while globex (Business) sees it', async () => {
    const before = await globexState();
    for (const [label, token] of CALLERS) {
      for (const operation of ['searchKnowledgeBase', 'suggestArticles']) {
        const text = JSON.stringify(ok(await run(operation, token())).data);
        expect(text, `${operation} as ${label}`).toContain(articles['tenancyprobe-public']);
        expect(text, `${operation} as ${label}`).not.toContain(articles['tenancyprobe-business']);
      }
      expect(ok(await run('searchKnowledgeBase', token())).data!.searchKnowledgeBase.totalCount).toBe(1);
      expect(ok(await run('article', token())).data).toEqual({ article: null });
    }
    for (const operation of ['searchKnowledgeBase', 'suggestArticles']) {
      expect(JSON.stringify(ok(await run(operation, hank)).data)).toContain(articles['tenancyprobe-business']);
    }
    expect(ok(await run('article', hank)).data!.article).toEqual({ id: articles['tenancyprobe-business'], slug: 'tenancyprobe-business' });
    expect(await globexState()).toEqual(before);
  });

  it("rateArticle records the caller's own answer only: globex's answer stays, and globex's search cannot be cited", async () => {
    const articleId = articles['tenancyprobe-public'];
    expect(ok(await gql(api.url, RATE, { input: { articleId, helpful: false } }, hank)).data!.rateArticle).toEqual({
      helpful: false,
      userErrors: [],
    });
    expect(ok(await gql(api.url, RATE, { input: { articleId, helpful: true } }, ada)).data!.rateArticle).toEqual({
      helpful: true,
      userErrors: [],
    });
    expect(ok(await gql(api.url, RATE, { input: { articleId, helpful: true } }, peter)).data!.rateArticle.helpful).toBe(true);
    const globexSearch = ok(await gql(api.url, '{ searchKnowledgeBase(query: "tenancyprobe") { searchId } }', {}, hank)).data!
      .searchKnowledgeBase.searchId;
    expect(globexSearch).toEqual(expect.any(String));
    const cited = ok(await gql(api.url, RATE, { input: { articleId, helpful: true, searchId: globexSearch } }, ada)).data!.rateArticle;
    const unknown = ok(
      await gql(
        api.url,
        RATE,
        { input: { articleId, helpful: true, searchId: toGlobalId('KnowledgeBaseSearch', '00000000-0000-4000-8000-000000000000') } },
        ada,
      ),
    ).data!.rateArticle;
    expect(cited).toEqual({ helpful: null, userErrors: [{ code: 'NOT_FOUND' }] });
    expect(cited).toEqual(unknown);
    const hidden = ok(await gql(api.url, RATE, { input: { articleId: articles['tenancyprobe-business'], helpful: true } }, ada)).data!
      .rateArticle;
    expect(hidden).toEqual({ helpful: null, userErrors: [{ code: 'NOT_FOUND' }] });
    const ratings = ok(await gql(api.url, RATINGS, {}, admin)).data!.knowledgeBaseAnalytics;
    expect(ratings.ratings).toEqual({ helpful: 2, notHelpful: 1 });
    expect(ratings.articleRatings).toEqual([{ slug: 'tenancyprobe-public', helpful: 2, notHelpful: 1 }]);
  });
});

describe("billing acts on the caller's own organization only", () => {
  it('plans is public; billingStatus, startCheckout, previewPlanChange, changePlan and openBillingPortal never reach globex', async () => {
    const before = await globexState();
    expect(ok(await run('plans', undefined)).data!.plans.length).toBeGreaterThan(0);
    for (const token of [ada, peter, initechKey]) {
      expect(ok(await run('billingStatus', token)).data!.billingStatus, 'globex by id').toBeNull();
      const own = ok(await gql(api.url, '{ billingStatus { tierKey } }', {}, token)).data!.billingStatus;
      expect(own.tierKey).toBe('growth');
    }
    const unknown = ok(
      await gql(api.url, 'query($org: ID) { billingStatus(organizationId: $org) { tierKey } }', { org: unknownId('Organization') }, ada),
    ).data!.billingStatus;
    expect(unknown).toBeNull();
    const checkout = ok(await run('startCheckout', ada)).data!.startCheckout;
    expect(checkout.userErrors).toEqual([]);
    expect(checkout.url).toMatch(/\/checkout\//);
    expect(ok(await run('previewPlanChange', ada)).data!.previewPlanChange.userErrors).toEqual([{ code: 'NO_SUBSCRIPTION' }]);
    expect(ok(await run('changePlan', ada)).data!.changePlan.userErrors).toEqual([{ code: 'NO_SUBSCRIPTION' }]);
    expect(ok(await run('openBillingPortal', ada)).data!.openBillingPortal.url).toMatch(/\/billing_portal\//);
    // Globex has no billing account, and its admin still sees none.
    expect(ok(await gql(api.url, '{ billingStatus { tierKey status } }', {}, hank)).data!.billingStatus).toEqual({
      tierKey: 'business',
      status: null,
    });
    expect(
      ok(
        await gql(
          api.url,
          '{ openBillingPortal(returnUrl: "https://globex.example") { url } }'.replace(
            '{ openBillingPortal',
            'mutation { openBillingPortal',
          ),
          {},
          hank,
        ),
      ).data!.openBillingPortal.url,
    ).toBeNull();
    const asStaff = ok(
      await gql(api.url, 'query($org: ID) { billingStatus(organizationId: $org) { tierKey status } }', { org: globex.org }, admin),
    ).data!.billingStatus;
    expect(asStaff).toEqual({ tierKey: 'business', status: null });
    expect(await globexState()).toEqual(before);
  });
});

describe('upgrade reminders belong to their organization', () => {
  it("upgradeReminder never shows globex's reminder; dismissUpgradeReminder gets NOT_FOUND with its id and leaves it undismissed", async () => {
    const em = api.orm.em.fork();
    em.setFilterParams(TENANT_FILTER, { allTenants: true });
    const reminder = Object.assign(new UpgradeReminder(), {
      organization: em.getReference(Organization, rawId(globex.org)),
      suggestedTierKey: 'enterprise',
      reasons: ['Globex grew'],
    });
    await em.persistAndFlush(reminder);
    globexReminder = toGlobalId('UpgradeReminder', reminder.id);
    // Globex sees its own reminder.
    expect(ok(await gql(api.url, '{ upgradeReminder { id } }', {}, hank)).data!.upgradeReminder).toEqual({ id: globexReminder });
    for (const token of [ada, peter, initechKey]) {
      expect(ok(await run('upgradeReminder', token)).data!.upgradeReminder, 'globex by id').toBeNull();
      expect(ok(await gql(api.url, '{ upgradeReminder { id } }', {}, token)).data!.upgradeReminder, 'own').toBeNull();
    }
    for (const token of [ada, peter]) {
      const result = ok(await run('dismissUpgradeReminder', token)).data!.dismissUpgradeReminder;
      const unknown = ok(
        await gql(
          api.url,
          'mutation($id: ID!) { dismissUpgradeReminder(id: $id) { reminder { id dismissedAt } userErrors { code } } }',
          { id: unknownId('UpgradeReminder') },
          token,
        ),
      ).data!.dismissUpgradeReminder;
      expectNotFound(result, unknown);
    }
    em.clear();
    expect((await em.findOneOrFail(UpgradeReminder, { id: reminder.id })).dismissedAt).toBeNull();
    const asStaff = ok(await gql(api.url, 'query($org: ID) { upgradeReminder(organizationId: $org) { id } }', { org: globex.org }, admin))
      .data!.upgradeReminder;
    expect(asStaff).toEqual({ id: globexReminder });
  });
});

describe("signIn and signOut act on the caller's own session only", () => {
  it("signIn gives initech's session, signOut ends that one session while globex's and initech's other sessions keep working", async () => {
    const signInResult = ok(
      await gql(api.url, 'mutation($input: SignInInput!) { signIn(input: $input) { token viewer { organization { slug } } } }', {
        input: { email: 'ada@initech.example', password: 'tierdesk-demo' },
      }),
    );
    expect(signInResult.data!.signIn.viewer.organization.slug).toBe('initech');
    const session = signInResult.data!.signIn.token as string;
    expect(ok(await gql(api.url, 'mutation { signOut { signedOut } }', {}, session)).data?.signOut.signedOut).toBe(true);
    const ended = await gql(api.url, '{ viewer { kind } }', {}, session);
    expect(ended.status).toBe(401);
    expect(ended.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    for (const [token, slug] of [
      [hank, 'globex'],
      [ada, 'initech'],
    ] as const) {
      expect(ok(await gql(api.url, '{ viewer { kind organization { slug } } }', {}, token)).data?.viewer).toEqual({
        kind: 'CUSTOMER',
        organization: { slug },
      });
    }
  });
});

describe('staff-only operations', () => {
  it.each(STAFF_ONLY.map((line) => [line.operation, line.name]))(
    "%s is FORBIDDEN for initech's admin, member and key, UNAUTHENTICATED anonymously",
    async (_operation, name) => {
      const before = await globexState();
      for (const token of [ada, peter, initechKey]) expectRefused(await run(name, token), 'FORBIDDEN');
      const anonymous = await run(name, undefined);
      expectRefused(anonymous, 'UNAUTHENTICATED');
      expect(await globexState()).toEqual(before);
    },
  );
});

describe('roles and scopes', () => {
  it.each(SCOPED.map((line) => [line.operation, line.apiKeyScope!, line.name]))(
    '%s needs %s: a key with every other scope is FORBIDDEN',
    async (_operation, scope, name) => {
      const key = keyLacking.get(scope);
      expect(key, `a key lacking ${scope}`).toBeDefined();
      const before = await globexState();
      const result = await run(name, key);
      expectRefused(result, 'FORBIDDEN');
      expect(result.errors?.[0]?.extensions?.requires).toContain(`apiKey[${scope}]`);
      expect(await globexState()).toEqual(before);
    },
  );

  it('refuses createTicket to a key with only tickets:read, opening nothing', async () => {
    const before = await staffTicketCount(initech.org);
    const result = await gql(
      api.url,
      'mutation { createTicket(input: { subject: "s", description: "d", priority: LOW }) { ticket { id } userErrors { code } } }',
      {},
      readOnlyKey,
    );
    expectRefused(result, 'FORBIDDEN');
    expect(await staffTicketCount(initech.org)).toBe(before);
  });

  it.each(ORG_ADMIN_ONLY.map((line) => [line.operation, line.name]))(
    '%s is FORBIDDEN for a member who is not an organization admin',
    async (_operation, name) => {
      expectRefused(await run(name, peter), 'FORBIDDEN');
    },
  );

  it.each(NOT_FOR_KEYS.map((line) => [line.operation, line.name]))('%s is FORBIDDEN for API keys', async (_operation, name) => {
    expectRefused(await run(name, initechKey), 'FORBIDDEN');
  });

  it.each(NOT_PUBLIC.map((line) => [line.operation, line.name]))('%s is UNAUTHENTICATED anonymously', async (_operation, name) => {
    expectRefused(await run(name, undefined), 'UNAUTHENTICATED');
  });
});

describe('schema/access.snapshot.txt', () => {
  it('lists no operation that this file does not test by name', () => {
    const untested: string[] = [];
    for (const line of SNAPSHOT) {
      if (!OPERATIONS[line.name]) untested.push(`${line.operation} (no document in OPERATIONS)`);
      const staffOnly = STAFF_ONLY.includes(line);
      // Operations customers or keys may call (or anyone may) need a test of their own, named in its title.
      const titled = TEST_TITLES.some((title) => new RegExp(`\\b${line.name}\\b`).test(title));
      if (!staffOnly && !titled) untested.push(`${line.operation} (no test title names it)`);
    }
    expect(untested, 'write a tenancy test for each of these in api/src/server/tenancy.int.test.ts').toEqual([]);
    expect(SNAPSHOT.length).toBeGreaterThan(0);
    expect(
      Object.keys(OPERATIONS).filter((name) => !SNAPSHOT.some((line) => line.name === name)),
      'documents for operations that no longer exist',
    ).toEqual([]);
  });
});
