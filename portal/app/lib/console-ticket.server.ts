import type {
  CommentVisibility,
  ConsoleCommentFragment,
  ConsoleTicketContextQuery,
  ConsoleTicketQuery,
  DomainSource,
  EntitlementKind,
  EscalationStatus,
  EscalationTargetType,
  EscalationTrigger,
  SlaClockStatus,
  TicketPriority,
  TicketStatus,
} from '@tierdesk/schema';
import {
  CHANNEL_LABELS,
  COVERAGE_LABELS,
  formatDateTime,
  formatDuration,
  IMPACT_LABELS,
  PRIORITY_LABELS,
  slaClockLabel,
  SLA_CLOCK_KINDS,
} from './format';
import { DOMAIN_LABELS, DOMAINS, STAFF_STATUS_LABELS } from '../console/labels';
import { renderCommentMarkdown } from './markdown.server';

/**
 * The ticket workspace's view model: what the API says about a ticket, in the words and shapes the page shows.
 * Dates are formatted here, in the customer organization's time zone (named), like the portal does.
 */

type ConsoleTicket = NonNullable<ConsoleTicketQuery['ticket']>;

const DOMAIN_SOURCE_LABELS: Record<DomainSource, string> = {
  CLASSIFIER: 'the text classifier',
  KNOWN: 'a known pattern',
  RULE: 'a rule',
};

const ESCALATION_STATUS_LABELS: Record<EscalationStatus, string> = {
  TRIGGERED: 'Paging — not acknowledged yet',
  EXHAUSTED: 'Chain exhausted — nobody acknowledged',
  ACKNOWLEDGED: 'Acknowledged',
};

const ESCALATION_TRIGGER_LABELS: Record<EscalationTrigger, string> = {
  CUSTOMER: 'Escalated by the customer',
  STAFF: 'Escalated by staff',
  SLA_WARNING: 'A response target was nearly due',
  SLA_BREACH: 'A response target was missed',
  ROUTING: 'Paged on arrival by a routing rule',
};

const TARGET_TYPE_LABELS: Record<EscalationTargetType, string> = {
  ASSIGNEE: 'the assignee',
  SCHEDULE: 'whoever is on call',
  TEAM: 'a team',
  USER: 'a staff member',
};

const CLOCK_STATUS_LABELS: Record<SlaClockStatus, string> = {
  ACTIVE: 'On track',
  WARNING: 'Due soon',
  PAUSED: 'Paused',
  MET: 'Met',
  BREACHED: 'Breached',
};

/**
 * When a tier has no SLA policy the API warns at its default percentage, which it does not publish; the console
 * then warns when less than a quarter of the target is left.
 */
const FALLBACK_WARN_PERCENT = 75;

/** Comments shown on one page; a longer thread says so. */
export const COMMENTS_PAGE = 100;

/**
 * The trail names people by their user id (`user:<uuid>`), while every other field uses global ids
 * (base64url of `User:<uuid>`); this decodes a global id to match the two.
 */
function rawUserId(globalId: string): string | null {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  return decoded.startsWith('User:') ? decoded.slice('User:'.length) : null;
}

/** Everyone the page can name, by global id and by raw id (for the trail). */
function peopleOf(ticket: ConsoleTicket, agents: ConsoleTicketQuery['agents']['nodes'], me: { userId: string; name: string }) {
  const byId = new Map<string, string>();
  const add = (user: { id: string; name: string } | null | undefined) => {
    if (!user) return;
    byId.set(user.id, user.name);
    const raw = rawUserId(user.id);
    if (raw) byId.set(raw, user.name);
  };
  for (const agent of agents) add(agent.user);
  add(ticket.requester);
  add(ticket.assignee);
  add(ticket.organization.technicalAccountManager);
  add({ id: me.userId, name: me.name });
  return (id: string | null | undefined): string | null => (id ? (byId.get(id) ?? null) : null);
}

/** The API's reason names statuses by their codes ("paused while WAITING_ON_CUSTOMER or ON_HOLD"). */
function plainReason(reason: string): string {
  return reason.replace(/\b(NEW|OPEN|WAITING_ON_CUSTOMER|ON_HOLD|SOLVED|CLOSED)\b/g, (status) =>
    STAFF_STATUS_LABELS[status as TicketStatus].toLowerCase(),
  );
}

function comment(node: ConsoleCommentFragment, timeZone: string) {
  return {
    id: node.id,
    html: renderCommentMarkdown(node.body),
    visibility: node.visibility as CommentVisibility,
    authorName: node.authorName,
    byStaff: node.byStaff,
    createdAt: node.createdAt,
    created: formatDateTime(node.createdAt, timeZone),
  };
}
export type WorkspaceComment = ReturnType<typeof comment>;

export function commentsView(nodes: readonly ConsoleCommentFragment[], timeZone: string): WorkspaceComment[] {
  return nodes.map((node) => comment(node, timeZone));
}

function featureValue(feature: {
  kind: EntitlementKind;
  amount: number | null;
  enabled: boolean | null;
  unlimited: boolean;
  values: string[] | null;
}): string {
  switch (feature.kind) {
    case 'BOOLEAN':
      return feature.enabled ? 'Included' : 'Not included';
    case 'LIMIT':
      return feature.unlimited ? 'Unlimited' : (feature.amount ?? 0).toLocaleString('en-GB');
    case 'DURATION':
      return formatDuration(feature.amount);
    case 'ENUM':
    case 'SET':
      return (feature.values ?? []).map((value) => value.replace(/_/g, ' ').toLowerCase()).join(', ') || '—';
  }
}

/** One line per trail entry: what changed, from the event's JSON. */
function eventSummary(type: string, json: string, nameOf: (id: string | null | undefined) => string | null): string {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const status = (value: unknown) => STAFF_STATUS_LABELS[text(value) as TicketStatus] ?? text(value);
  const priority = (value: unknown) => PRIORITY_LABELS[text(value) as TicketPriority] ?? text(value);
  switch (type) {
    case 'CREATED':
      return `Opened at ${priority(data.priority)} priority`;
    case 'STATUS_CHANGED':
      return `Status ${status(data.from)} → ${status(data.to)}`;
    case 'PRIORITY_CHANGED':
      return `Priority ${priority(data.from)} → ${priority(data.to)}`;
    case 'ASSIGNED': {
      const to = data.to ? (nameOf(text(data.to)) ?? 'a staff member') : 'nobody';
      return data.reason ? `Assigned to ${to}: ${text(data.reason)}` : `Assigned to ${to}`;
    }
    case 'COMMENT_ADDED':
      return data.visibility === 'INTERNAL' ? 'Internal note' : 'Public reply';
    case 'ROUTED':
      return `Routed to ${text(data.queueName) || text(data.queue)}`;
    case 'IMPORTED':
      return 'Imported with its history';
    default:
      return type;
  }
}

const EVENT_LABELS: Record<string, string> = {
  CREATED: 'Created',
  STATUS_CHANGED: 'Status',
  PRIORITY_CHANGED: 'Priority',
  ASSIGNED: 'Assignment',
  COMMENT_ADDED: 'Comment',
  ROUTED: 'Routing',
  IMPORTED: 'Import',
};

function actorName(actor: string, nameOf: (id: string | null | undefined) => string | null): string {
  const [kind, ...rest] = actor.split(':');
  const id = rest.join(':');
  if (kind === 'user') return nameOf(id) ?? 'A user';
  if (kind === 'apikey') return 'An API key';
  if (kind === 'system') return `Tierdesk (${id.replace(/[-_]/g, ' ')})`;
  return actor;
}

export function workspaceView(input: {
  ticket: ConsoleTicket;
  agents: ConsoleTicketQuery['agents']['nodes'];
  slaPolicies: ConsoleTicketQuery['slaPolicies'];
  context: ConsoleTicketContextQuery;
  me: { userId: string; name: string };
  now: Date;
}) {
  const { ticket, agents, slaPolicies, context, me, now } = input;
  const organization = ticket.organization;
  const timeZone = organization.timeZone;
  const when = (iso: string | null | undefined) => (iso ? formatDateTime(iso, timeZone) : null);
  const nameOf = peopleOf(ticket, agents, me);
  const coverage = organization.entitlements.coverage;
  const tierName = (key: string) => context.tiers.find((tier) => tier.key === key)?.name ?? key;

  const policy = slaPolicies.find((candidate) => candidate.tierKey === organization.tier.key) ?? null;
  const warnPercent = policy?.warnPercent ?? FALLBACK_WARN_PERCENT;

  const edges = ticket.comments.edges;
  const clocks = [...ticket.slaClocks]
    .sort((a, b) => SLA_CLOCK_KINDS.indexOf(a.kind) - SLA_CLOCK_KINDS.indexOf(b.kind))
    .map((clock) => {
      // The page keeps counting after the request: it turns to "due soon" at the clock's stored warning instant
      // (business hours taken into account). Without one, the due instant less the part of the target after
      // the threshold stands in: exact for 24×7 coverage, an estimate in business hours.
      const stored = ticket.slaTimers.find((timer) => timer.kind === clock.kind && timer.cycle === clock.cycle);
      const leadMs = ((100 - warnPercent) / 100) * clock.targetMinutes * 60_000;
      const warningAt =
        clock.status === 'WARNING'
          ? now.toISOString()
          : (stored?.warningAt ?? (clock.dueAt ? new Date(Date.parse(clock.dueAt) - leadMs).toISOString() : null));
      let state: string;
      switch (clock.status) {
        case 'ACTIVE':
        case 'WARNING':
          state = clock.dueAt ? `Due ${when(clock.dueAt)}.` : 'Running.';
          break;
        case 'PAUSED':
          state = `Paused while the ticket is ${STAFF_STATUS_LABELS[ticket.status].toLowerCase()}; ${formatDuration(Math.ceil(clock.remainingMinutes), coverage)} left when it resumes.`;
          break;
        case 'MET':
          state = clock.stoppedAt ? `Met ${when(clock.stoppedAt)}.` : 'Met.';
          break;
        case 'BREACHED':
          state = clock.breachedAt ? `Missed ${when(clock.breachedAt)}.` : 'Missed.';
          break;
      }
      return {
        key: `${clock.kind}-${clock.cycle}`,
        kind: clock.kind,
        label: slaClockLabel(clock),
        target: formatDuration(clock.targetMinutes, coverage),
        status: clock.status,
        statusLabel: CLOCK_STATUS_LABELS[clock.status],
        dueAt: clock.dueAt,
        warningAt,
        state,
        reason: plainReason(clock.reason),
      };
    });

  const triage = ticket.triage
    ? {
        domain: ticket.triage.domain,
        domainLabel: DOMAIN_LABELS[ticket.triage.domain],
        triagedLabel: DOMAIN_LABELS[ticket.triage.triagedDomain],
        confidence: `${Math.round(ticket.triage.domainConfidence * 100)}%`,
        source: DOMAIN_SOURCE_LABELS[ticket.triage.domainSource],
        urgency: ticket.triage.urgency,
        urgencyLevel: ticket.triage.urgencyLevel.toLowerCase(),
        suggestedPriority: PRIORITY_LABELS[ticket.triage.priority],
        declaredPriority: PRIORITY_LABELS[ticket.triage.declaredPriority],
        needsAttention: ticket.triage.needsAttention,
        criticalOutage: ticket.triage.criticalOutage,
        reasons: ticket.triage.reasons,
        corrected: ticket.triage.correctedAt ? { at: when(ticket.triage.correctedAt)!, by: ticket.triage.correctedBy ?? 'staff' } : null,
      }
    : null;

  const routing = ticket.routingDecision;
  const routingView = routing
    ? {
        status: routing.status.toLowerCase(),
        queueName: routing.queue.name,
        ruleName: routing.ruleName,
        reasons: routing.reasons,
        assignmentReason: routing.assignmentReason,
        waitingSince: when(routing.waitingSince),
        pagedImmediately: routing.pagedImmediately,
        policy: routing.escalationPolicy
          ? {
              name: routing.escalationPolicy.name,
              repeatCount: routing.escalationPolicy.repeatCount,
              levels: routing.escalationPolicy.levels.map((level, index) => ({
                level: index + 1,
                after: formatDuration(level.delayMinutes),
                targets: level.targets
                  .map((target) =>
                    target.type === 'USER' ? (nameOf(target.id) ?? TARGET_TYPE_LABELS.USER) : TARGET_TYPE_LABELS[target.type],
                  )
                  .join(', '),
              })),
            }
          : null,
      }
    : null;

  const escalations = ticket.escalations.map((escalation) => ({
    id: escalation.id,
    status: escalation.status,
    statusLabel: ESCALATION_STATUS_LABELS[escalation.status],
    triggerLabel: ESCALATION_TRIGGER_LABELS[escalation.trigger],
    reason: escalation.reason,
    internalReason: escalation.internalReason,
    level: escalation.level,
    createdAt: escalation.createdAt,
    created: when(escalation.createdAt)!,
    nextStep: escalation.status === 'TRIGGERED' ? when(escalation.nextStepAt) : null,
    acknowledged: escalation.acknowledgedAt
      ? { at: when(escalation.acknowledgedAt)!, by: nameOf(escalation.acknowledgedById) ?? 'a staff member' }
      : null,
    steps: escalation.steps.map((step) => ({
      key: `${step.pass}-${step.level}-${step.at}`,
      level: step.level,
      pass: step.pass,
      at: when(step.at)!,
      notified: step.notifiedUserIds.map((id) => nameOf(id) ?? 'a staff member').join(', ') || 'nobody',
    })),
  }));

  const openEscalations = context.openTickets.nodes.flatMap((openTicket) =>
    openTicket.escalations
      .filter((escalation) => escalation.status !== 'ACKNOWLEDGED')
      .map((escalation) => ({
        id: escalation.id,
        ticketId: openTicket.id,
        number: openTicket.number,
        subject: openTicket.subject,
        level: escalation.level,
        statusLabel: ESCALATION_STATUS_LABELS[escalation.status],
        created: when(escalation.createdAt)!,
      })),
  );

  const assignable = agents
    .map((agent) => ({
      id: agent.user.id,
      name: agent.user.name,
      presence: agent.presence.toLowerCase(),
      onShift: agent.onShift,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));

  return {
    ticket: {
      id: ticket.id,
      number: ticket.number,
      subject: ticket.subject,
      descriptionHtml: renderCommentMarkdown(ticket.description),
      status: ticket.status,
      statusLabel: STAFF_STATUS_LABELS[ticket.status],
      priority: ticket.priority,
      priorityLabel: PRIORITY_LABELS[ticket.priority],
      impact: IMPACT_LABELS[ticket.impact].split(' — ')[0]!,
      channel: CHANNEL_LABELS[ticket.channel],
      requesterName: ticket.requesterName,
      requesterEmail: ticket.requester?.email ?? null,
      createdAt: ticket.createdAt,
      created: when(ticket.createdAt)!,
      updatedAt: ticket.updatedAt,
      updated: when(ticket.updatedAt)!,
      acceptsReplies: ticket.status !== 'CLOSED',
    },
    comments: commentsView(
      edges.map((edge) => edge.node),
      timeZone,
    ),
    commentCount: ticket.comments.totalCount,
    seenCursor: edges.at(-1)?.cursor ?? '',
    statusOptions: ticket.allowedTransitions.map((status) => ({ status, label: STAFF_STATUS_LABELS[status] })),
    priorityOptions: organization.entitlements.priorityOptions.map((option) => ({
      priority: option.priority,
      label: option.included
        ? PRIORITY_LABELS[option.priority]
        : `${PRIORITY_LABELS[option.priority]} — not in ${organization.tier.name}${option.requiredTier ? `, from ${tierName(option.requiredTier)}` : ''}`,
    })),
    assignee: ticket.assignee,
    assignable,
    queue: routing?.queue.name ?? null,
    renderedAt: now.toISOString(),
    warnPercent,
    warnSource: policy ? `the ${organization.tier.name} tier’s SLA policy` : 'no SLA policy for this tier; the console’s own default',
    clocks,
    triage,
    domainOptions: DOMAINS.map((domain) => ({ domain, label: DOMAIN_LABELS[domain] })),
    routing: routingView,
    escalations,
    events: ticket.events.map((event, index) => ({
      key: `${index}-${event.at}`,
      at: event.at,
      when: when(event.at)!,
      type: EVENT_LABELS[event.type] ?? event.type,
      actor: actorName(event.actor, nameOf),
      summary: eventSummary(event.type, event.data, nameOf),
    })),
    suggestions: context.suggestArticles.hits.map((hit) => ({
      slug: hit.article.slug,
      title: hit.article.title,
      summary: hit.article.summary,
    })),
    customer: {
      id: organization.id,
      name: organization.name,
      slug: organization.slug,
      tierKey: organization.tier.key,
      tierName: organization.tier.name,
      businessCritical: organization.businessCritical,
      strategic: organization.strategic,
      region: organization.region,
      timeZone,
      coverage: coverage ? COVERAGE_LABELS[coverage] : null,
      technicalAccountManager: organization.technicalAccountManager,
      usage: {
        thisMonth: organization.ticketUsage.thisMonth,
        allowance: organization.ticketUsage.allowance,
      },
      entitlements: organization.entitlements.features.map((feature) => ({
        feature: feature.feature,
        label: feature.label,
        value: featureValue(feature),
        override:
          feature.source === 'OVERRIDE'
            ? { until: feature.effectiveUntil ? when(feature.effectiveUntil) : null, untilIso: feature.effectiveUntil }
            : null,
      })),
      recentTickets: context.recentTickets.nodes.map((recent) => ({
        id: recent.id,
        number: recent.number,
        subject: recent.subject,
        statusLabel: STAFF_STATUS_LABELS[recent.status],
        priorityLabel: PRIORITY_LABELS[recent.priority],
        current: recent.id === ticket.id,
      })),
      ticketCount: context.recentTickets.totalCount,
      openEscalations,
      upgradeReminder: context.upgradeReminder
        ? {
            tierName: tierName(context.upgradeReminder.suggestedTierKey),
            reasons: context.upgradeReminder.reasons,
            created: when(context.upgradeReminder.createdAt)!,
          }
        : null,
    },
  };
}
