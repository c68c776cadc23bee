import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signIn } from '../../../../test/support/graphql.js';
import { startTestApi, type TestApi } from '../../../../test/support/api.js';

let api: TestApi;
let ada: string;

beforeAll(async () => {
  api = await startTestApi();
  ada = await signIn(api.url, 'ada@initech.example');
});
afterAll(async () => api?.stop());

const CREATE = `mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id number status priority channel requesterName } userErrors { field message code requiredTier } }
}`;

describe('tickets', () => {
  it('opens a ticket within the tier and refuses a priority the tier lacks, naming the tier that has it', async () => {
    const ok = await gql(api.url, CREATE, { input: { subject: 'Exports are slow', description: 'Since Monday.', priority: 'HIGH' } }, ada);
    expect(ok.data?.createTicket.userErrors).toEqual([]);
    expect(ok.data?.createTicket.ticket).toMatchObject({ status: 'NEW', priority: 'HIGH', channel: 'PORTAL', requesterName: 'Ada Lovelace' });

    const refused = await gql(api.url, CREATE, { input: { subject: 'Down', description: 'All down.', priority: 'URGENT' } }, ada);
    expect(refused.data?.createTicket.ticket).toBeNull();
    expect(refused.data?.createTicket.userErrors).toEqual([
      {
        field: null,
        code: 'ENTITLEMENT_REQUIRED',
        requiredTier: 'business',
        message: 'Urgent priority is not included in the Growth tier. It is available from the Business tier.',
      },
    ]);
  });
});
