import { getArgumentValues, isObjectType, type GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from '../../shared/context.js';
import { nodeSelection, selectionOf } from '../../shared/graphql.js';
import { pageRequest } from '../../shared/pagination.js';
import { isStaffLike } from '../../shared/principal.js';
import { preloadUsers } from '../identity/index.js';
import { preloadOrganizations } from '../organizations/index.js';
import { preloadFirstComments } from './ticket.service.js';
import type { TicketType } from './ticket.types.js';

/**
 * Before a page of tickets is returned, loads the relations its query selects (organizations and their tiers,
 * requesters and assignees, the first comments) with the statements the field resolvers would batch anyway, in
 * parallel. The resolvers then find each value loaded and answer without a promise: on a page of 100 tickets that
 * is 500 asynchronous resolutions fewer. A relation the query does not select is not loaded.
 */
export async function preloadTicketFields(ctx: RequestContext, tickets: TicketType[], info: GraphQLResolveInfo): Promise<void> {
  if (tickets.length === 0) return;
  const selection = nodeSelection(selectionOf(info));
  const loads: Promise<void>[] = [];
  const organization = selection.fields.get('organization');
  if (organization)
    loads.push(
      preloadOrganizations(
        ctx,
        tickets.map((ticket) => ticket.organizationId),
        organization,
      ),
    );
  const userIds = [
    ...(selection.fields.has('requester') ? tickets.map((ticket) => ticket.requesterId) : []),
    ...(selection.fields.has('assignee') ? tickets.map((ticket) => ticket.assigneeId) : []),
  ].filter((id): id is string => id !== null);
  if (userIds.length) loads.push(preloadUsers(ctx, userIds));
  const ticketType = info.schema.getType('Ticket');
  const definition = isObjectType(ticketType) ? ticketType.getFields().comments : undefined;
  const pageSizes = new Set<number>();
  for (const node of (definition && selection.fields.get('comments')?.nodes) || []) {
    const args = getArgumentValues(definition!, node, info.variableValues);
    // A later page of comments is read per ticket; a bad argument is refused by the field itself.
    if (args.after) continue;
    try {
      pageSizes.add(pageRequest(args).first);
    } catch {
      continue;
    }
  }
  const ticketIds = tickets.map((ticket) => ticket.ticketId);
  for (const first of pageSizes) {
    loads.push(preloadFirstComments(ctx, { first, includeInternal: isStaffLike(ctx.principal) }, ticketIds));
  }
  await Promise.all(loads);
}
