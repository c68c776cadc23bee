import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_FILTER } from '../shared/tenancy.js';
import { ApiKey } from '../modules/identity/index.js';
import { UpgradeReminder } from '../modules/billing/index.js';
import { Organization } from '../modules/organizations/index.js';
import { parseGlobalId, toGlobalId, type NodeType } from '../shared/ids.js';
import { API_SCOPES } from '../shared/principal.js';
import { Kind, parse } from 'graphql';
import { createOrgApiKey, gql as send, organizationId, signIn, type GraphQLResponse } from '../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../test/support/api.js';
import { tierdeskSchema } from './schema.js';

/**
 * Tenancy is sacred. Organization A (initech) tries, as a customer session and as a partner API key holding every
 * scope, to read, list and change organization B's (globex) data, by global id and by slug. ATTACKS below holds, for every
 * Query and Mutation of the schema, the attack on it or the reason it holds no tenant's data: a new resolver needs
 * an entry before it ships, and the walk at the end fails until it has one.
 */

const ROOT = resolve(import.meta.dirname, '../../..');
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
  /** Ada's user, the requester of what her session opens. */
  adaUser: string;
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
let globexReminder: string; // globex's upgrade reminder
const articles: Record<string, string> = {}; // slug -> id of the knowledge-base probes
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
  myPages: () => ({ query: '{ myPages { nodes { id ticket { id } } } }' }),
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
  articles: () => ({ query: '{ articles(first: 100) { totalCount nodes { id slug } } }' }),
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
  ticketView: () => ({
    query: 'query($org: ID!) { ticketView(view: ALL_OPEN, filter: { organizationIds: [$org] }) { totalCount nodes { id subject } } }',
    variables: { org: globex.org },
  }),
  ticketViewCounts: () => ({
    query: 'query($org: ID!) { ticketViewCounts(filter: { organizationIds: [$org] }) { view count } }',
    variables: { org: globex.org },
  }),
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
  macros: () => ({ query: '{ macros(first: 100, includeInactive: true) { totalCount nodes { id title body } } }' }),
  renderMacro: () => ({
    query: 'query($macroId: ID!, $ticketId: ID!) { renderMacro(macroId: $macroId, ticketId: $ticketId) { body } }',
    variables: { macroId: unknownId('Macro'), ticketId: globex.ticket },
  }),
  createMacro: () => ({
    query: 'mutation($input: CreateMacroInput!) { createMacro(input: $input) { macro { id } userErrors { code } } }',
    variables: { input: { title: 'planted by initech', body: 'Hello {{requester.name}}' } },
  }),
  updateMacro: () => ({
    query: 'mutation($input: UpdateMacroInput!) { updateMacro(input: $input) { macro { id } userErrors { code } } }',
    variables: { input: { id: unknownId('Macro'), body: 'changed by initech' } },
  }),
  deleteMacro: () => ({
    query: 'mutation($input: DeleteMacroInput!) { deleteMacro(input: $input) { deletedMacroId userErrors { code } } }',
    variables: { input: { id: unknownId('Macro') } },
  }),
  dismissUpgradeReminder: () => ({
    query: 'mutation($id: ID!) { dismissUpgradeReminder(id: $id) { reminder { id dismissedAt } userErrors { code } } }',
    variables: { id: globexReminder },
  }),
};

/** How initech calls: `kind` decides what createTicket records as the requester. */
interface Caller {
  kind: 'session' | 'key';
  token: string;
}

const CALLERS: [string, Caller['kind'], () => string][] = [
  ['a customer session of initech', 'session', () => ada],
  ['a partner API key of initech (every scope)', 'key', () => initechKey],
];

/** Every document this file sends, with its token: the walk checks that each attack sends its own operation. */
const sent: { query: string; token: string | undefined }[] = [];

function gql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse> {
  sent.push({ query, token });
  return send(url, query, variables, token);
}

/** The root fields a document selects (aliases resolved to the field). */
function rootFields(query: string): string[] {
  return parse(query).definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION
      ? definition.selectionSet.selections.flatMap((selection) => (selection.kind === Kind.FIELD ? [selection.name.value] : []))
      : [],
  );
}

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
  // Every payload selects at least one object besides userErrors; a payload of userErrors alone would prove nothing.
  expect(Object.keys(rest), 'the payload selects an object').not.toHaveLength(0);
  expect(rest).toEqual(Object.fromEntries(Object.keys(rest).map((field) => [field, null])));
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

/** The rows of `table` that each organization owns, counted in SQL, beneath the API and every ORM filter. */
async function rowsByOrganization(table: 'ticket' | 'api_key'): Promise<{ initech: number; globex: number }> {
  const [counts] = await api.orm.em
    .getConnection()
    .execute<{ initech: number; globex: number }[]>(
      `select count(*) filter (where organization_id = ?)::int as initech, count(*) filter (where organization_id = ?)::int as globex from "${table}"`,
      [rawId(initech.org), rawId(globex.org)],
    );
  return { initech: counts!.initech, globex: counts!.globex };
}

const COMMENT =
  'mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id visibility } ticket { id } userErrors { code field message } } }';
const ARTICLE = 'mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } userErrors { code message } } }';
const RATE = 'mutation($input: RateArticleInput!) { rateArticle(input: $input) { helpful userErrors { code } } }';
const RATINGS = '{ knowledgeBaseAnalytics { ratings { helpful notHelpful } articleRatings { slug helpful notHelpful } } }';

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

  // B: its seeded ticket with a public reply, an internal note on it, its admin, its own key, a staff key and an
  // upgrade reminder.
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
  const em = api.orm.em.fork();
  em.setFilterParams(TENANT_FILTER, { allTenants: true });
  const reminder = Object.assign(new UpgradeReminder(), {
    organization: em.getReference(Organization, rawId(globex.org)),
    suggestedTierKey: 'enterprise',
    reasons: ['Globex grew'],
  });
  await em.persistAndFlush(reminder);
  globexReminder = toGlobalId('UpgradeReminder', reminder.id);

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
  const adaUser = ok(await gql(api.url, '{ viewer { user { id } } }', {}, ada)).data!.viewer.user.id as string;
  initech = { org: initechOrg, ticket: initechTicket, internalComment, publicComments: [first, last], keyId: full.id, adaUser };

  // The knowledge base: one article for every tier and one for Business (globex's tier, above initech's Growth).
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
    // Globex sees its own reminder.
    expect(ok(await gql(api.url, '{ upgradeReminder { id } }', {}, hank)).data!.upgradeReminder).toEqual({ id: globexReminder });
  });
});

/**
 * One attack per operation: `asEachCaller` runs once as initech's session and once as its every-scope key, `once`
 * runs a single time with the callers it names. Either way it asserts the one outcome the product gives.
 */
type Attack =
  { title: string; asEachCaller: (caller: Caller) => Promise<void> } | { title: string; once: (operation: string) => Promise<void> };

/** For an operation that holds no tenant's data, the reason in place of an attack. */
interface NotTenantScoped {
  notTenantScoped: string;
}

/** Staff-only operations: with globex's ids where they take one, initech is refused before anything is read. */
const STAFF_ONLY_ATTACK: Attack = {
  title: "is FORBIDDEN for initech's admin, member and key, UNAUTHENTICATED anonymously, and globex is unchanged",
  once: async (operation) => {
    const before = await globexState();
    for (const token of [ada, peter, initechKey]) expectRefused(await run(operation, token), 'FORBIDDEN');
    expectRefused(await run(operation, undefined), 'UNAUTHENTICATED');
    expect(await globexState()).toEqual(before);
  },
};

const SHARED_CATALOGUE = 'reads the tier catalogue that every organization shares; no argument names an organization';

const ATTACKS: Record<string, Attack | NotTenantScoped> = {
  ticket: {
    title: "gets null with globex's ticket id, and its own ticket otherwise",
    asEachCaller: async ({ token }) => {
      const query = 'query($id: ID!) { ticket(id: $id) { id subject } }';
      expect(ok(await gql(api.url, query, { id: globex.ticket }, token)).data).toEqual({ ticket: null });
      expect(ok(await gql(api.url, query, { id: initech.ticket }, token)).data?.ticket?.id).toBe(initech.ticket);
    },
  },

  node: {
    title: "gets null for globex's Ticket, Comments, Organization, User and ApiKey, and for a staff key",
    asEachCaller: async ({ token }) => {
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
      const result = ok(await gql(api.url, query, {}, token));
      expect(result.data).toEqual(Object.fromEntries(Object.keys(targets).map((alias) => [alias, null])));

      const own = ok(
        await gql(
          api.url,
          'query($t: ID!, $o: ID!) { t: node(id: $t) { id } o: node(id: $o) { id } }',
          { t: initech.ticket, o: initech.org },
          token,
        ),
      );
      expect(own.data).toEqual({ t: { id: initech.ticket }, o: { id: initech.org } });
    },
  },

  tickets: {
    title: "never shows globex's tickets: not listed, not counted, not by filter.organizationId, not past a globex cursor",
    asEachCaller: async ({ token }) => {
      const initechCount = await staffTicketCount(initech.org);
      const list = ok(await gql(api.url, '{ tickets(first: 100) { totalCount nodes { id organization { slug } } } }', {}, token));
      const { totalCount, nodes } = list.data!.tickets;
      expect(totalCount).toBe(initechCount);
      expect(nodes).toHaveLength(initechCount);
      expect(new Set(nodes.map((node: { organization: { slug: string } }) => node.organization.slug))).toEqual(new Set(['initech']));
      expect(nodes.map((node: { id: string }) => node.id)).not.toContain(globex.ticket);

      const filtered =
        'query($org: ID, $status: [TicketStatus!]) { tickets(first: 100, filter: { organizationId: $org, status: $status }) { totalCount nodes { id } pageInfo { hasNextPage } } }';
      const empty = { tickets: { totalCount: 0, nodes: [], pageInfo: { hasNextPage: false } } };
      expect(ok(await gql(api.url, filtered, { org: globex.org }, token)).data).toEqual(empty);
      expect(
        ok(
          await gql(
            api.url,
            filtered,
            { org: globex.org, status: ['NEW', 'OPEN', 'WAITING_ON_CUSTOMER', 'ON_HOLD', 'SOLVED', 'CLOSED'] },
            token,
          ),
        ).data,
      ).toEqual(empty);
      expect(ok(await gql(api.url, filtered, { org: initech.org }, token)).data?.tickets.totalCount).toBe(initechCount);

      // A cursor cut from globex's newest ticket pages on through initech's own tickets only: exactly those that
      // staff, who see both organizations in one order, list after that ticket.
      const everyone = ok(await gql(api.url, '{ tickets(first: 100) { nodes { id organization { slug } } } }', {}, admin)).data!.tickets
        .nodes as { id: string; organization: { slug: string } }[];
      const globexPage = ok(
        await gql(
          api.url,
          'query($org: ID) { tickets(first: 1, filter: { organizationId: $org }) { nodes { id } pageInfo { endCursor } } }',
          { org: globex.org },
          admin,
        ),
      );
      const cut = everyone.findIndex((node) => node.id === globexPage.data!.tickets.nodes[0].id);
      const expected = everyone.slice(cut + 1).filter((node) => node.organization.slug === 'initech');
      expect(cut, "globex's newest ticket in staff's list").toBeGreaterThanOrEqual(0);
      expect(expected.length, 'initech tickets older than the cursor').toBeGreaterThan(0);
      const afterGlobex = ok(
        await gql(
          api.url,
          'query($after: String) { tickets(first: 100, after: $after) { nodes { id organization { slug } } } }',
          { after: globexPage.data!.tickets.pageInfo.endCursor },
          token,
        ),
      );
      expect(afterGlobex.data!.tickets.nodes).toEqual(expected);
    },
  },

  organization: {
    title: 'gets null for slug "globex" and its own organization without a slug',
    asEachCaller: async ({ token }) => {
      const bySlug = 'query($slug: String) { organization(slug: $slug) { id slug name tier { key } } }';
      expect(ok(await gql(api.url, bySlug, { slug: 'globex' }, token)).data).toEqual({ organization: null });
      expect(ok(await gql(api.url, bySlug, { slug: 'GLOBEX' }, token)).data).toEqual({ organization: null });
      expect(ok(await gql(api.url, bySlug, { slug: 'initech' }, token)).data?.organization).toMatchObject({
        id: initech.org,
        slug: 'initech',
      });
      expect(ok(await gql(api.url, bySlug, {}, token)).data?.organization).toMatchObject({ id: initech.org, slug: 'initech' });
    },
  },

  createTicket: {
    title: "opens the ticket in initech when it names globex's organizationId and requester; globex gets no row",
    asEachCaller: async ({ kind, token }) => {
      const before = await globexState();
      const rows = await rowsByOrganization('ticket');
      const result = ok(
        await gql(
          api.url,
          'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { organization { slug } requester { id } requesterName } userErrors { code field } } }',
          {
            input: {
              organizationId: globex.org,
              subject: 'Planted in globex?',
              description: 'It must not be',
              priority: 'LOW',
              requesterEmail: 'hank@globex.example',
            },
          },
          token,
        ),
      );
      // organizationId is for staff: a customer or a key always opens in its own organization. A session is the
      // requester itself; a key's ticket keeps the address it was given, linked to no user, since that address
      // belongs to nobody in initech (globex's admin is neither linked nor named).
      const requester =
        kind === 'session'
          ? { requester: { id: initech.adaUser }, requesterName: 'Ada Lovelace' }
          : { requester: null, requesterName: 'hank@globex.example' };
      expect(result.data!.createTicket).toEqual({ ticket: { organization: { slug: 'initech' }, ...requester }, userErrors: [] });
      expect(await rowsByOrganization('ticket')).toEqual({ initech: rows.initech + 1, globex: rows.globex });
      expect(await globexState()).toEqual(before);
    },
  },

  addComment: {
    title: "gets NOT_FOUND on globex's ticket, public or internal, and the ticket is unchanged",
    asEachCaller: async ({ token }) => {
      const before = await globexState();
      for (const visibility of ['PUBLIC', 'INTERNAL']) {
        const result = ok(await gql(api.url, COMMENT, { input: { ticketId: globex.ticket, body: 'Initech was here', visibility } }, token));
        const unknown = ok(
          await gql(api.url, COMMENT, { input: { ticketId: unknownId('Ticket'), body: 'Initech was here', visibility } }, token),
        );
        expectNotFound(result.data?.addComment, unknown.data?.addComment);
      }
      expect(await globexState()).toEqual(before);
    },
  },

  changeTicketStatus: {
    title: "gets NOT_FOUND on globex's ticket, and the ticket is unchanged",
    asEachCaller: async ({ token }) => {
      const before = await globexState();
      const status =
        'mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { id status } userErrors { code field } } }';
      for (const target of ['SOLVED', 'OPEN', 'CLOSED']) {
        const result = ok(await gql(api.url, status, { input: { ticketId: globex.ticket, status: target } }, token));
        const unknown = ok(await gql(api.url, status, { input: { ticketId: unknownId('Ticket'), status: target } }, token));
        expectNotFound(result.data?.changeTicketStatus, unknown.data?.changeTicketStatus);
      }
      expect(await globexState()).toEqual(before);
    },
  },

  changeTicketPriority: {
    title: "gets NOT_FOUND on globex's ticket, and the ticket is unchanged",
    asEachCaller: async ({ token }) => {
      const before = await globexState();
      const priority =
        'mutation($input: ChangeTicketPriorityInput!) { changeTicketPriority(input: $input) { ticket { id priority } userErrors { code requiredTier } } }';
      // LOW is within initech's tier, so no entitlement check can answer before the ticket lookup does.
      const result = ok(await gql(api.url, priority, { input: { ticketId: globex.ticket, priority: 'LOW' } }, token));
      const unknown = ok(await gql(api.url, priority, { input: { ticketId: unknownId('Ticket'), priority: 'LOW' } }, token));
      expectNotFound(result.data?.changeTicketPriority, unknown.data?.changeTicketPriority);
      expect(await globexState()).toEqual(before);
    },
  },

  escalateTicket: {
    title: "gets NOT_FOUND on globex's ticket, and nothing is escalated there",
    asEachCaller: async ({ token }) => {
      const before = await globexState();
      const escalate =
        'mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) { escalation { id } userErrors { code message } } }';
      const result = ok(await gql(api.url, escalate, { input: { ticketId: globex.ticket, reason: 'please hurry' } }, token));
      const unknown = ok(await gql(api.url, escalate, { input: { ticketId: unknownId('Ticket'), reason: 'please hurry' } }, token));
      expectNotFound(result.data?.escalateTicket, unknown.data?.escalateTicket);
      const escalations = ok(
        await gql(api.url, 'query($id: ID!) { ticket(id: $id) { escalations { id } } }', { id: globex.ticket }, admin),
      );
      expect(escalations.data?.ticket.escalations).toEqual([]);
      expect(await globexState()).toEqual(before);
    },
  },

  apiKeys: {
    title: "lists only initech's keys",
    asEachCaller: async ({ token }) => {
      const result = ok(await gql(api.url, '{ apiKeys(first: 100) { totalCount nodes { id name } } }', {}, token));
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
    },
  },

  revokeApiKey: {
    title: "gets NOT_FOUND with globex's key (or a staff key), and that key still works",
    asEachCaller: async ({ token }) => {
      const before = await globexState();
      const revoke = 'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id revokedAt } userErrors { code } } }';
      const unknown = ok(await gql(api.url, revoke, { input: { id: unknownId('ApiKey') } }, token)).data?.revokeApiKey;
      for (const id of [globex.key, globex.staffKey]) {
        expectNotFound(ok(await gql(api.url, revoke, { input: { id } }, token)).data?.revokeApiKey, unknown);
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
    },
  },

  createApiKey: {
    title: "makes the key for initech when it names globex's organizationId, never for globex; a staff key is FORBIDDEN",
    asEachCaller: async ({ token }) => {
      const before = await globexState();
      const rows = await rowsByOrganization('api_key');
      const scopes = ['tickets:read', 'tickets:write', 'organization:read'];
      const result = ok(
        await gql(
          api.url,
          'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id scopes } userErrors { code field } } }',
          { input: { name: 'Backdoor into globex', organizationId: globex.org, scopes } },
          token,
        ),
      );
      // organizationId is for staff: an admin or a key-managing key always issues keys of its own organization.
      const payload = result.data!.createApiKey;
      expect(payload).toEqual({ secret: expect.any(String), apiKey: { id: expect.any(String), scopes }, userErrors: [] });
      expect(await rowsByOrganization('api_key')).toEqual({ initech: rows.initech + 1, globex: rows.globex });
      const [stored] = await api.orm.em
        .getConnection()
        .execute<{ organization_id: string }[]>('select organization_id from api_key where id = ?', [rawId(payload.apiKey.id)]);
      expect(stored).toEqual({ organization_id: rawId(initech.org) });
      const viewer = ok(
        await gql(api.url, '{ viewer { organization { slug } } tickets(first: 100) { nodes { id } } }', {}, payload.secret),
      );
      expect(viewer.data!.viewer.organization.slug).toBe('initech');
      expect(viewer.data!.tickets.nodes.map((node: { id: string }) => node.id)).not.toContain(globex.ticket);
      expect(await globexState()).toEqual(before);

      const em = api.orm.em.fork();
      em.setFilterParams(TENANT_FILTER, { allTenants: true });
      const staffKeys = await em.count(ApiKey, { staffRole: { $ne: null } });
      const promoted = await gql(
        api.url,
        'mutation { createApiKey(input: { name: "Promote me", staffRole: ADMIN }) { secret userErrors { code } } }',
        {},
        token,
      );
      expectRefused(promoted, 'FORBIDDEN');
      expect(await em.count(ApiKey, { staffRole: { $ne: null } })).toBe(staffKeys);
    },
  },

  viewer: {
    title: 'shows initech and nothing of globex',
    asEachCaller: async ({ token }) => {
      const result = ok(await gql(api.url, '{ viewer { kind organization { id slug } user { email } } }', {}, token));
      expect(result.data!.viewer.organization).toEqual({ id: initech.org, slug: 'initech' });
      expect(JSON.stringify(result.data)).not.toMatch(/globex|hank/i);
    },
  },

  tier: { notTenantScoped: SHARED_CATALOGUE },
  tiers: { notTenantScoped: SHARED_CATALOGUE },
  plans: { notTenantScoped: 'the public price list of the paid tiers, the same for every caller; no argument names an organization' },

  searchKnowledgeBase: {
    title: 'gives initech (Growth) no Business article, while globex (Business) finds it',
    asEachCaller: async ({ token }) => {
      const before = await globexState();
      const text = JSON.stringify(ok(await run('searchKnowledgeBase', token)).data);
      expect(text).toContain(articles['tenancyprobe-public']);
      expect(text).not.toContain(articles['tenancyprobe-business']);
      expect(ok(await run('searchKnowledgeBase', token)).data!.searchKnowledgeBase.totalCount).toBe(1);
      expect(JSON.stringify(ok(await run('searchKnowledgeBase', hank)).data)).toContain(articles['tenancyprobe-business']);
      expect(await globexState()).toEqual(before);
    },
  },

  suggestArticles: {
    title: 'suggests no Business article to initech (Growth), while globex (Business) gets it',
    asEachCaller: async ({ token }) => {
      const text = JSON.stringify(ok(await run('suggestArticles', token)).data);
      expect(text).toContain(articles['tenancyprobe-public']);
      expect(text).not.toContain(articles['tenancyprobe-business']);
      expect(JSON.stringify(ok(await run('suggestArticles', hank)).data)).toContain(articles['tenancyprobe-business']);
    },
  },

  article: {
    title: 'gives initech (Growth) null for the Business article that globex (Business) reads',
    asEachCaller: async ({ token }) => {
      expect(ok(await run('article', token)).data).toEqual({ article: null });
      expect(ok(await run('article', hank)).data!.article).toEqual({
        id: articles['tenancyprobe-business'],
        slug: 'tenancyprobe-business',
      });
    },
  },

  rateArticle: {
    title: "records the caller's own answer only: globex's answer stays, and globex's search cannot be cited",
    once: async () => {
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
    },
  },

  billingStatus: {
    title: "gives null for globex's organizationId and initech's own status otherwise; staff see globex's",
    once: async () => {
      const before = await globexState();
      for (const token of [ada, peter, initechKey]) {
        expect(ok(await run('billingStatus', token)).data!.billingStatus, 'globex by id').toBeNull();
        const own = ok(await gql(api.url, '{ billingStatus { tierKey } }', {}, token)).data!.billingStatus;
        expect(own.tierKey).toBe('growth');
      }
      const unknown = ok(
        await gql(api.url, 'query($org: ID) { billingStatus(organizationId: $org) { tierKey } }', { org: unknownId('Organization') }, ada),
      ).data!.billingStatus;
      expect(unknown).toBeNull();
      // Globex has no billing account, and its admin still sees none.
      expect(ok(await gql(api.url, '{ billingStatus { tierKey status } }', {}, hank)).data!.billingStatus).toEqual({
        tierKey: 'business',
        status: null,
      });
      const asStaff = ok(
        await gql(api.url, 'query($org: ID) { billingStatus(organizationId: $org) { tierKey status } }', { org: globex.org }, admin),
      ).data!.billingStatus;
      expect(asStaff).toEqual({ tierKey: 'business', status: null });
      expect(await globexState()).toEqual(before);
    },
  },

  startCheckout: {
    title: "opens a checkout for initech's own organization, and globex is unchanged",
    once: async () => {
      const before = await globexState();
      const checkout = ok(await run('startCheckout', ada)).data!.startCheckout;
      expect(checkout.userErrors).toEqual([]);
      expect(checkout.url).toMatch(/\/checkout\//);
      expect(await globexState()).toEqual(before);
    },
  },

  previewPlanChange: {
    title: "previews initech's own (absent) subscription: NO_SUBSCRIPTION",
    once: async () => {
      const before = await globexState();
      expect(ok(await run('previewPlanChange', ada)).data!.previewPlanChange.userErrors).toEqual([{ code: 'NO_SUBSCRIPTION' }]);
      expect(await globexState()).toEqual(before);
    },
  },

  changePlan: {
    title: "changes initech's own (absent) subscription only: NO_SUBSCRIPTION, and globex is unchanged",
    once: async () => {
      const before = await globexState();
      expect(ok(await run('changePlan', ada)).data!.changePlan.userErrors).toEqual([{ code: 'NO_SUBSCRIPTION' }]);
      expect(await globexState()).toEqual(before);
    },
  },

  openBillingPortal: {
    title: "opens initech's own billing portal; globex, with no billing account, gets none",
    once: async () => {
      const before = await globexState();
      expect(ok(await run('openBillingPortal', ada)).data!.openBillingPortal.url).toMatch(/\/billing_portal\//);
      expect(
        ok(await gql(api.url, 'mutation { openBillingPortal(returnUrl: "https://globex.example") { url } }', {}, hank)).data!
          .openBillingPortal.url,
      ).toBeNull();
      expect(await globexState()).toEqual(before);
    },
  },

  upgradeReminder: {
    title: "never shows globex's reminder, by its organizationId or as initech's own; staff see it",
    once: async () => {
      for (const token of [ada, peter, initechKey]) {
        expect(ok(await run('upgradeReminder', token)).data!.upgradeReminder, 'globex by id').toBeNull();
        expect(ok(await gql(api.url, '{ upgradeReminder { id } }', {}, token)).data!.upgradeReminder, 'own').toBeNull();
      }
      const asStaff = ok(await gql(api.url, 'query($org: ID) { upgradeReminder(organizationId: $org) { id } }', { org: globex.org }, admin))
        .data!.upgradeReminder;
      expect(asStaff).toEqual({ id: globexReminder });
    },
  },

  dismissUpgradeReminder: {
    title: "gets NOT_FOUND with globex's reminder id and leaves it undismissed",
    once: async () => {
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
      const em = api.orm.em.fork();
      em.setFilterParams(TENANT_FILTER, { allTenants: true });
      expect((await em.findOneOrFail(UpgradeReminder, { id: rawId(globexReminder) })).dismissedAt).toBeNull();
    },
  },

  importTicket: {
    title: "imports into initech when an initech key names globex's organizationId, never into globex; customers cannot import",
    once: async () => {
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
    },
  },

  signIn: {
    title: "gives a session of the user's own organization",
    once: async () => {
      const signInResult = ok(
        await gql(api.url, 'mutation($input: SignInInput!) { signIn(input: $input) { token viewer { organization { slug } } } }', {
          input: { email: 'ada@initech.example', password: 'tierdesk-demo' },
        }),
      );
      expect(signInResult.data!.signIn.viewer.organization.slug).toBe('initech');
      expect(ok(await gql(api.url, '{ viewer { organization { slug } } }', {}, signInResult.data!.signIn.token)).data!.viewer).toEqual({
        organization: { slug: 'initech' },
      });
    },
  },

  signOut: {
    title: "ends the caller's one session while globex's and initech's other sessions keep working",
    once: async () => {
      const session = await signIn(api.url, 'ada@initech.example');
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
    },
  },

  agent: STAFF_ONLY_ATTACK,
  agents: STAFF_ONLY_ATTACK,
  businessCalendar: STAFF_ONLY_ATTACK,
  businessCalendars: STAFF_ONLY_ATTACK,
  domainClassifier: STAFF_ONLY_ATTACK,
  escalationPolicies: STAFF_ONLY_ATTACK,
  knowledgeBaseAnalytics: STAFF_ONLY_ATTACK,
  articles: STAFF_ONLY_ATTACK,
  myNotifications: STAFF_ONLY_ATTACK,
  myPages: STAFF_ONLY_ATTACK,
  onCallNow: STAFF_ONLY_ATTACK,
  organizations: STAFF_ONLY_ATTACK,
  queue: STAFF_ONLY_ATTACK,
  queues: STAFF_ONLY_ATTACK,
  routingDryRun: STAFF_ONLY_ATTACK,
  routingRules: STAFF_ONLY_ATTACK,
  routingWarnings: STAFF_ONLY_ATTACK,
  simulate: STAFF_ONLY_ATTACK,
  slaPolicies: STAFF_ONLY_ATTACK,
  ticketsNeedingAttention: STAFF_ONLY_ATTACK,
  ticketView: STAFF_ONLY_ATTACK,
  ticketViewCounts: STAFF_ONLY_ATTACK,
  acknowledgeEscalation: STAFF_ONLY_ATTACK,
  archiveArticle: STAFF_ONLY_ATTACK,
  assignTicket: STAFF_ONLY_ATTACK,
  changeOrganizationTier: STAFF_ONLY_ATTACK,
  correctTriage: STAFF_ONLY_ATTACK,
  createArticle: STAFF_ONLY_ATTACK,
  createBusinessCalendar: STAFF_ONLY_ATTACK,
  createEscalationPolicy: STAFF_ONLY_ATTACK,
  createOnCallSchedule: STAFF_ONLY_ATTACK,
  createOrganization: STAFF_ONLY_ATTACK,
  createQueue: STAFF_ONLY_ATTACK,
  createRoutingRule: STAFF_ONLY_ATTACK,
  createTeam: STAFF_ONLY_ATTACK,
  deleteRoutingRule: STAFF_ONLY_ATTACK,
  importCalendarHolidays: STAFF_ONLY_ATTACK,
  markNotificationRead: STAFF_ONLY_ATTACK,
  retrainClassifier: STAFF_ONLY_ATTACK,
  setEntitlementOverride: STAFF_ONLY_ATTACK,
  setOrganizationCalendar: STAFF_ONLY_ATTACK,
  setPresence: STAFF_ONLY_ATTACK,
  setTechnicalAccountManager: STAFF_ONLY_ATTACK,
  updateArticle: STAFF_ONLY_ATTACK,
  updateBusinessCalendar: STAFF_ONLY_ATTACK,
  updateQueue: STAFF_ONLY_ATTACK,
  updateRoutingRule: STAFF_ONLY_ATTACK,
  upsertAgentProfile: STAFF_ONLY_ATTACK,
  upsertSlaPolicy: STAFF_ONLY_ATTACK,
  // Saved replies are the support team's, not any organization's: refused to every customer caller.
  macros: STAFF_ONLY_ATTACK,
  renderMacro: STAFF_ONLY_ATTACK,
  createMacro: STAFF_ONLY_ATTACK,
  updateMacro: STAFF_ONLY_ATTACK,
  deleteMacro: STAFF_ONLY_ATTACK,
};

const ENTRIES = Object.entries(ATTACKS);
const PER_CALLER = ENTRIES.flatMap(([operation, entry]) => ('asEachCaller' in entry ? [{ operation, attack: entry }] : []));
const ONCE = ENTRIES.flatMap(([operation, entry]) => ('once' in entry ? [{ operation, attack: entry }] : []));

/**
 * Runs an attack and checks that initech (or an anonymous caller) really sent the operation it is keyed to: what
 * staff and globex send along the way, to set up or to compare, does not count.
 */
async function launch(operation: string, attack: () => Promise<void>): Promise<void> {
  sent.length = 0;
  await attack();
  const bystanders = new Set<string | undefined>([admin, agent, hank, globex.keySecret]);
  const attackers = sent.filter((call) => !bystanders.has(call.token)).flatMap((call) => rootFields(call.query));
  expect(attackers, `the attack keyed to ${operation} sends ${operation}`).toContain(operation);
}

describe.each(CALLERS)('initech reaching for globex as %s', (_label, kind, token) => {
  it.each(PER_CALLER)('$operation $attack.title', ({ operation, attack }) =>
    launch(operation, () => attack.asEachCaller({ kind, token: token() })),
  );
});

describe('initech reaching for globex', () => {
  it.each(ONCE)('$operation $attack.title', ({ operation, attack }) => launch(operation, () => attack.once(operation)));
});
describe.each(CALLERS)('internal notes stay with staff, even within initech, as %s', (_label, _kind, token) => {
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

    // Pages of twenty keep the nested list under the query-cost limit; the counts show they hold every ticket and comment.
    const listed = ok(
      await gql(
        api.url,
        '{ tickets(first: 20) { totalCount nodes { comments(first: 20) { totalCount nodes { id visibility } } } } }',
        {},
        token(),
      ),
    );
    type Listed = { comments: { totalCount: number; nodes: { id: string; visibility: string }[] } };
    const tickets: Listed[] = listed.data!.tickets.nodes;
    expect(tickets).toHaveLength(listed.data!.tickets.totalCount);
    expect(tickets.filter((ticket) => ticket.comments.nodes.length !== ticket.comments.totalCount)).toEqual([]);
    const all = tickets.flatMap((ticket) => ticket.comments.nodes);
    expect(all.map((node) => node.id)).toEqual(expect.arrayContaining(initech.publicComments));
    expect(all.map((node) => node.id)).not.toContain(initech.internalComment);
    expect(all.every((node) => node.visibility === 'PUBLIC')).toBe(true);
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

describe('the attack registry', () => {
  it('has an attack or a notTenantScoped reason for every Query and Mutation of the schema, and names no other operation', async () => {
    const schema = await tierdeskSchema();
    const operations = [schema.getQueryType()!, schema.getMutationType()!].flatMap((type) => Object.keys(type.getFields()));
    // Keyed by bare name: a query and a mutation of one name would share an entry.
    expect(new Set(operations).size).toBe(operations.length);
    const keyed = Object.keys(ATTACKS);
    // One assertion, so that a failure lists every gap at once.
    const gaps = {
      'operations with no entry in ATTACKS: write an attack, or mark it notTenantScoped with the reason': operations.filter(
        (name) => !keyed.includes(name),
      ),
      'entries in ATTACKS for operations that do not exist': keyed.filter((name) => !operations.includes(name)),
      'operations with no document in OPERATIONS, which the role tests send': operations.filter((name) => !OPERATIONS[name]),
      'documents in OPERATIONS for operations that do not exist': Object.keys(OPERATIONS).filter((name) => !operations.includes(name)),
    };
    expect(gaps).toEqual(Object.fromEntries(Object.keys(gaps).map((gap) => [gap, []])));
    // The snapshot is checked against the schema in schema.int.test.ts; here it shows the walk went over every operation.
    expect(operations).toHaveLength(SNAPSHOT.length);

    const markers = ENTRIES.flatMap(([name, entry]) => ('notTenantScoped' in entry ? [[name, entry.notTenantScoped.trim()] as const] : []));
    expect(
      markers.filter(([, reason]) => reason.length < 20),
      'a notTenantScoped marker says why',
    ).toEqual([]);
    // The staff-only attack proves only refusal: it may stand only where the access rule is staff-only.
    expect(
      ENTRIES.filter(([, entry]) => entry === STAFF_ONLY_ATTACK)
        .map(([name]) => name)
        .sort(),
      'STAFF_ONLY_ATTACK is keyed to exactly the staff-only operations',
    ).toEqual(STAFF_ONLY.map((line) => line.name).sort());
  });

  it('feeds the generic role tests above a non-empty list each, as schema/access.snapshot.txt counts them', () => {
    // it.each over an empty list runs nothing; these counts change only with a reviewed permission change.
    expect({
      operations: SNAPSHOT.length,
      staffOnly: STAFF_ONLY.length,
      scoped: SCOPED.length,
      orgAdminOnly: ORG_ADMIN_ONLY.length,
      notForKeys: NOT_FOR_KEYS.length,
      notPublic: NOT_PUBLIC.length,
    }).toEqual({ operations: 84, staffOnly: 54, scoped: 15, orgAdminOnly: 7, notForKeys: 7, notPublic: 76 });
  });
});
