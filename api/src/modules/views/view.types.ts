import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { graphqlEnum } from '../../shared/graphql.js';
import { SupportDomain, TicketPriority, TicketStatus, type Domain } from '../vocabulary/index.js';
import { DEFAULT_SORT, TICKET_VIEWS, VIEW_DESCRIPTIONS, VIEW_SORTS, type TicketView, type ViewSort } from './views.js';

export const TicketViewEnum = graphqlEnum('TicketView', TICKET_VIEWS, {
  description: "A staff view of tickets (the console's queues).",
  valueDescriptions: VIEW_DESCRIPTIONS,
});

export const TicketViewSortEnum = graphqlEnum('TicketViewSort', VIEW_SORTS, {
  valueDescriptions: {
    NEAREST_DUE: 'The nearest deadline of a running response clock first; tickets without one last.',
    NEWEST: 'Newest first.',
    OLDEST: 'Oldest first.',
    PRIORITY: 'Urgent first, then oldest first.',
    RECENTLY_UPDATED: 'Most recently changed first.',
  },
});

@InputType('TicketViewFilter', { description: 'Narrows a view; every filter given must hold, a list matches any of its values.' })
export class TicketViewFilterInput {
  @Field(() => [String], { nullable: true, description: 'Tier keys, e.g. "enterprise".' })
  tierKeys?: string[] | null;

  @Field(() => [TicketPriority], { nullable: true })
  priorities?: TicketPriority[] | null;

  @Field(() => [TicketStatus], { nullable: true })
  statuses?: TicketStatus[] | null;

  @Field(() => [SupportDomain], { nullable: true, description: 'The triaged domain (a staff correction wins).' })
  domains?: Domain[] | null;

  @Field(() => [ID], { nullable: true, description: 'Queues the tickets were routed to.' })
  queueIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Assignees (user ids).' })
  assigneeIds?: string[] | null;

  @Field(() => [ID], { nullable: true })
  organizationIds?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Words in the subject or description, or a ticket number ("#42"); at most 200 characters.',
  })
  search?: string | null;
}

@ObjectType('TicketViewCount')
export class TicketViewCountType {
  @Field(() => TicketViewEnum)
  view: TicketView;

  @Field(() => String, { description: 'What the view holds, in a sentence.' })
  description: string;

  @Field(() => TicketViewSortEnum, { description: 'The order the view opens in.' })
  defaultSort: ViewSort;

  @Field(() => Int, { description: 'Tickets in the view now, under the filters given.' })
  count: number;

  static of(view: TicketView, count: number): TicketViewCountType {
    return Object.assign(new TicketViewCountType(), { view, description: VIEW_DESCRIPTIONS[view], defaultSort: DEFAULT_SORT[view], count });
  }
}
