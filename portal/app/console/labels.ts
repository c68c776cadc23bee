import type { SupportDomain, TicketStatus, TicketView, TicketViewSort } from '@tierdesk/schema';

/** Statuses as staff say them (the portal's labels speak to the customer: "Waiting on you"). */
export const STAFF_STATUS_LABELS: Record<TicketStatus, string> = {
  NEW: 'New',
  OPEN: 'Open',
  WAITING_ON_CUSTOMER: 'Waiting on customer',
  ON_HOLD: 'On hold',
  SOLVED: 'Solved',
  CLOSED: 'Closed',
};

export const TICKET_STATUSES = Object.keys(STAFF_STATUS_LABELS) as TicketStatus[];

export const DOMAIN_LABELS: Record<SupportDomain, string> = {
  BILLING: 'Billing',
  DATA_MODELS: 'Data models',
  FEATURE_REQUEST: 'Feature request',
  HOW_TO: 'How-to',
  INTEGRATIONS: 'Integrations',
  PERFORMANCE: 'Performance',
  SECURITY: 'Security',
};

export const DOMAINS = Object.keys(DOMAIN_LABELS) as SupportDomain[];

/** The views in the order the console lists them. */
export const VIEW_LABELS: Record<TicketView, string> = {
  MINE: 'My tickets',
  MY_QUEUES: 'My queues',
  UNASSIGNED: 'Unassigned',
  BREACHING_SOON: 'Breaching soon',
  ESCALATED: 'Escalated',
  NEEDS_ATTENTION: 'Needs attention',
  RECENTLY_SOLVED: 'Recently solved',
  ALL_OPEN: 'All open',
};

export const VIEWS = Object.keys(VIEW_LABELS) as TicketView[];

export const SORT_LABELS: Record<TicketViewSort, string> = {
  NEAREST_DUE: 'Nearest deadline',
  NEWEST: 'Newest',
  OLDEST: 'Oldest',
  PRIORITY: 'Priority',
  RECENTLY_UPDATED: 'Recently updated',
};

export const SORTS = Object.keys(SORT_LABELS) as TicketViewSort[];
