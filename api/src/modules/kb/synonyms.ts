/**
 * Words customers use for the same thing, one group per line. Both engines use this list: PostgreSQL expands a
 * query term into its group, Meilisearch receives it as its `synonyms` setting (every member of a group is a
 * synonym of every other). Phrases of several words are matched as phrases. Keep groups small and truly
 * interchangeable: a loose group ranks unrelated articles up.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['sign in', 'log in', 'login', 'signin', 'logon'],
  ['sign out', 'log out', 'logout', 'signout'],
  ['password', 'passphrase', 'passwd'],
  ['tier', 'plan', 'support plan', 'subscription', 'package'],
  ['upgrade', 'move up'],
  ['downgrade', 'move down'],
  ['ticket', 'case', 'support request'],
  ['sla', 'service level', 'service level agreement'],
  ['response time', 'response target', 'turnaround'],
  ['deadline', 'due date', 'target'],
  ['urgent', 'critical', 'p1', 'emergency'],
  ['outage', 'downtime', 'down'],
  ['escalate', 'escalation', 'bump'],
  ['allowance', 'quota', 'ticket limit'],
  ['invoice', 'bill', 'receipt'],
  ['billing', 'payment', 'payments'],
  ['price', 'pricing', 'cost'],
  ['api key', 'token', 'access key', 'access token'],
  ['api', 'graphql'],
  ['entitlement', 'entitlements', 'included features'],
  ['override', 'exception', 'contract exception'],
  ['tam', 'technical account manager', 'account manager'],
  ['24x7', '24 7', 'around the clock', 'round the clock', 'always on'],
  ['business hours', 'working hours', 'office hours'],
  ['internal note', 'private note', 'staff note'],
  ['reply', 'comment', 'answer', 'response'],
  ['reopen', 're open', 'open again'],
  ['solved', 'resolved', 'fixed'],
  ['audit trail', 'history', 'change log', 'changelog'],
  ['organization', 'organisation', 'company', 'account'],
  ['knowledge base', 'kb', 'help center', 'help centre', 'docs', 'documentation'],
  ['phone', 'call', 'telephone'],
  ['chat', 'live chat', 'messaging'],
  ['email', 'e mail', 'mail'],
  ['cancel', 'terminate'],
];
