import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Organization } from '../modules/organizations/index.js';
import { TicketClock } from '../modules/sla/index.js';
import { Ticket } from '../modules/tickets/index.js';
import { FixedClock, startOfMonthUtc } from '../shared/clock.js';
import { fromGlobalId } from '../shared/ids.js';
import { TENANT_FILTER } from '../shared/tenancy.js';
import { createOrgApiKey, gql, organizationId, signIn } from '../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../test/support/api.js';

/**
 * Ticket creation under concurrency, over real HTTP against a real API and PostgreSQL: requests fired at once for
 * one organization must still get exact numbers, an exact monthly allowance, and their SLA clocks. What keeps them
 * exact is the lock on the organization row in `reserveTicketNumber`; these tests are what notices if it goes.
 */

/** Time stands still, so the month the allowance counts cannot roll over between reading it and spending it. */
const clock = new FixedClock(new Date());
const CONCURRENT_TICKETS = 40;
const OVER_ALLOWANCE = 10;

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await startTestApi({ clock });
  admin = await signIn(api.url, 'admin@tierdesk.example');
});
afterAll(async () => {
  await api?.stop();
});

const CREATE = `mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id number } userErrors { field message code requiredTier } }
}`;

interface CreateResult {
  status: number;
  ticket: { id: string; number: number } | null;
  userErrors: { field: string[] | null; message: string; code: string; requiredTier: string | null }[];
}

/** A partner integration with a key of its own (tickets:read to get the ticket back, organization:read for its usage). */
async function partnerKey(slug: string): Promise<string> {
  const scopes = ['tickets:read', 'tickets:write', 'organization:read'];
  return createOrgApiKey(api.url, admin, await organizationId(api.url, admin, slug), scopes);
}

/** `count` creations sent at once, each on its own request. */
async function createAtOnce(key: string, count: number, priority = 'NORMAL'): Promise<CreateResult[]> {
  const input = { subject: 'Orders stuck in pending', description: 'Since 09:00 no order leaves pending.', priority };
  const results = await Promise.all(Array.from({ length: count }, () => gql(api.url, CREATE, { input }, key)));
  return results.map((result) => {
    expect(result.errors).toBeUndefined();
    return { status: result.status, ...result.data!.createTicket };
  });
}

/** A database view across tenants, as staff and system work see it. */
function allTenants() {
  const em = api.orm.em.fork();
  em.setFilterParams(TENANT_FILTER, { allTenants: true });
  return em;
}

async function organizationBySlug(slug: string): Promise<Organization> {
  return allTenants().findOneOrFail(Organization, { slug });
}

async function ticketNumbers(organization: Organization): Promise<number[]> {
  const tickets = await allTenants().find(Ticket, { organization: organization.id }, { orderBy: { number: 'asc' }, fields: ['number'] });
  return tickets.map((ticket) => ticket.number);
}

describe('creating tickets concurrently', () => {
  it(`numbers ${CONCURRENT_TICKETS} tickets created at once for one organization exactly, and times every one`, async () => {
    const northwind = await organizationBySlug('northwind');
    const before = await ticketNumbers(northwind);
    const previousMax = Math.max(0, ...before);
    const key = await partnerKey('northwind');

    const results = await createAtOnce(key, CONCURRENT_TICKETS);

    expect(results.map((result) => result.status)).toEqual(results.map(() => 200));
    // A lost lock shows here first: requests that read the same sequence value collide on the (organization,
    // number) unique key and answer CONFLICT "Another record already has this number" (tried: 38 of 40 did).
    expect(results.flatMap((result) => result.userErrors)).toEqual([]);
    const numbers = results.map((result) => result.ticket!.number).sort((a, b) => a - b);
    const expected = Array.from({ length: CONCURRENT_TICKETS }, (_, i) => previousMax + 1 + i);
    expect(numbers).toEqual(expected);
    // The database agrees: the organization's numbers are still 1…N with nothing skipped or doubled.
    const after = await ticketNumbers(northwind);
    expect(after).toEqual([...before, ...expected]);
    expect(before).toEqual(before.map((_, i) => i + 1));

    // Every one of them was timed in its own transaction: first response and resolution, each with a due time.
    const ticketIds = results.map((result) => fromGlobalId('Ticket', result.ticket!.id));
    const clocks = await allTenants().find(TicketClock, { ticket: { $in: ticketIds } });
    const timed = (kind: string) =>
      new Set(clocks.filter((row) => row.kind === kind && row.dueAt instanceof Date).map((row) => row.ticket.id));
    for (const kind of ['FIRST_RESPONSE', 'RESOLUTION']) {
      expect(
        ticketIds.filter((id) => !timed(kind).has(id)),
        `tickets without a ${kind} clock with a due time`,
      ).toEqual([]);
    }
  });

  it('spends the monthly allowance exactly when more creations than remain arrive at once', async () => {
    const piedpiper = await organizationBySlug('piedpiper');
    const key = await partnerKey('piedpiper');
    const usage = await gql(api.url, '{ organization { ticketUsage { thisMonth allowance } } }', {}, key);
    const { thisMonth, allowance } = usage.data!.organization.ticketUsage as { thisMonth: number; allowance: number };
    expect(allowance).toBe(10); // community, per the tier catalogue
    const monthStart = startOfMonthUtc(clock.now());
    const countThisMonth = () => allTenants().count(Ticket, { organization: piedpiper.id, createdAt: { $gte: monthStart } });
    expect(await countThisMonth()).toBe(thisMonth);
    const remaining = allowance - thisMonth;
    expect(remaining).toBeGreaterThan(0);

    const results = await createAtOnce(key, remaining + OVER_ALLOWANCE, 'LOW');

    expect(results.map((result) => result.status)).toEqual(results.map(() => 200));
    const created = results.filter((result) => result.ticket);
    const refused = results.filter((result) => !result.ticket);
    // A lost lock shows here: creations collide on the number and fail, or two count the same last free place.
    expect(created).toHaveLength(remaining);
    expect(created.flatMap((result) => result.userErrors)).toEqual([]);
    expect(refused).toHaveLength(OVER_ALLOWANCE);
    for (const result of refused) {
      expect(result.userErrors).toEqual([expect.objectContaining({ code: 'TICKET_ALLOWANCE_EXHAUSTED', requiredTier: 'growth' })]);
    }
    expect(await countThisMonth()).toBe(allowance);
    // Refusals take no number: the organization's numbers stay 1…N.
    const numbers = await ticketNumbers(piedpiper);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });
});
