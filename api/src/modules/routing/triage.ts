import { PRIORITY_ORDER, TicketImpact, TicketPriority } from '../vocabulary/index.js';
import type { DomainClassifier, TriageInput, TriageResult, UrgencyLevel } from './model.js';
import { type Domain } from '../vocabulary/index.js';

/**
 * Triage: which domain a new ticket belongs to, how urgent it is, whether it is a critical outage, and which
 * priority to apply. Pure and deterministic, so the live system, a replay and the what-if simulator agree, and
 * every factor leaves one sentence in `reasons`.
 *
 * Urgency (0..100) is a weighted sum; the weights add up to 100:
 *
 *   factor                   points                               why
 *   declared priority        LOW 0 · NORMAL 10 · HIGH 20 · URGENT 30  the customer knows their situation best
 *   impact                   LOW 0 · MEDIUM 8 · HIGH 16 · CRITICAL 25 how much of their business stops
 *   business-critical org    10                                   an outage there stops a whole business
 *   tier rank                3 per rank above the first, up to 10 contracts buy attention, but only a nudge
 *   outage signals in text   15 for the first, 5 per extra, up to 25 words are cheap, several corroborate
 *
 * Bands: below 30 LOW, below 55 MEDIUM, below 80 HIGH, otherwise CRITICAL. Declared priority and impact carry
 * most of the weight because the customer states them; tier and text can lift a ticket a band, not decide it.
 */

const PRIORITY_POINTS: Record<TicketPriority, number> = { LOW: 0, NORMAL: 10, HIGH: 20, URGENT: 30 };
const IMPACT_POINTS: Record<TicketImpact, number> = { LOW: 0, MEDIUM: 8, HIGH: 16, CRITICAL: 25 };
const BUSINESS_CRITICAL_POINTS = 10;
const POINTS_PER_TIER_RANK = 3;
const MAX_TIER_POINTS = 10;
const FIRST_SIGNAL_POINTS = 15;
const EXTRA_SIGNAL_POINTS = 5;
const MAX_SIGNAL_POINTS = 25;

const URGENCY_BANDS: ReadonlyArray<readonly [below: number, level: UrgencyLevel]> = [
  [30, 'LOW'],
  [55, 'MEDIUM'],
  [80, 'HIGH'],
];

/** Below this the domain is a guess: staff should confirm it before the ticket waits in the wrong queue. */
const MIN_DOMAIN_CONFIDENCE = 0.5;
const RULE_CONFIDENCE = 0.95;

/**
 * Keyword rules decide the domain before the classifier when a phrase is unambiguous. Kept short on purpose:
 * each phrase must almost never appear in another domain's tickets. When rules of two domains match, neither
 * decides and the classifier weighs the whole text.
 */
const DOMAIN_RULES: ReadonlyArray<{ domain: Domain; pattern: RegExp }> = [
  { domain: 'BILLING', pattern: /\b(invoices?|refunds?|charged twice|double charge|vat)\b/i },
  { domain: 'FEATURE_REQUEST', pattern: /\b(feature request|would be great if|it would be great|please add|on the roadmap)\b/i },
  { domain: 'SECURITY', pattern: /\b(sso|saml|2fa|mfa|breach|vulnerability|leaked|phishing)\b/i },
  { domain: 'INTEGRATIONS', pattern: /\b(webhooks?|zapier|sdk)\b/i },
];

/**
 * Words customers use when something is broken for many people or for good. Matched whole (a hyphen counts as
 * part of a word, so "drop-down" is not "down"), longest first, and a phrase already matched is not counted
 * again through its shorter parts ("is down" is one signal, not also "down").
 */
const OUTAGE_SIGNALS: readonly string[] = [
  'outage',
  'down',
  'is down',
  'went down',
  'not loading',
  'unavailable',
  'data loss',
  'lost data',
  'breach',
  'all users',
  'every user',
  'everyone',
  'production',
  'cannot log in',
  "can't log in",
  'unable to log in',
  '500 error',
  '502',
  '503',
  'dead in the water',
];

const SIGNAL_PATTERNS = [...OUTAGE_SIGNALS]
  .sort((a, b) => b.length - a.length || a.localeCompare(b))
  .map((signal) => ({ signal, pattern: new RegExp(`(?<![\\w-])${escapeRegExp(signal)}(?![\\w-])`, 'gi') }));

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function findOutageSignals(text: string): string[] {
  let remaining = text;
  const found: string[] = [];
  for (const { signal, pattern } of SIGNAL_PATTERNS) {
    if (remaining.search(pattern) === -1) continue;
    found.push(signal);
    remaining = remaining.replace(pattern, ' ');
  }
  return OUTAGE_SIGNALS.filter((signal) => found.includes(signal));
}

function priorityRank(priority: TicketPriority): number {
  return PRIORITY_ORDER.indexOf(priority);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

interface DomainDecision {
  domain: Domain;
  confidence: number;
  source: TriageResult['domainSource'];
  classifierVersion: string | null;
  reason: string;
}

function decideDomain(input: TriageInput, text: string, classifier: DomainClassifier | null): DomainDecision {
  if (input.knownDomain) {
    return {
      domain: input.knownDomain,
      confidence: 1,
      source: 'KNOWN',
      classifierVersion: null,
      reason: `Domain ${input.knownDomain} was given (a staff correction or a simulated arrival).`,
    };
  }

  const matches = DOMAIN_RULES.flatMap(({ domain, pattern }) => {
    const match = pattern.exec(text);
    return match ? [{ domain, phrase: match[0].toLowerCase() }] : [];
  });
  const ruleDomains = [...new Set(matches.map(({ domain }) => domain))];
  const prediction = classifier?.predict(text) ?? null;
  const classifierVersion = classifier?.version ?? null;

  const [ruleDomain] = ruleDomains;
  if (ruleDomains.length === 1 && ruleDomain !== undefined) {
    const phrases = matches.map(({ phrase }) => `"${phrase}"`).join(', ');
    const agrees = prediction?.domain === ruleDomain;
    const confidence = agrees ? Math.max(RULE_CONFIDENCE, prediction.confidence) : RULE_CONFIDENCE;
    const opinion = prediction === null ? '' : agrees ? '; the classifier agrees' : `; the classifier leaned to ${prediction.domain}`;
    return {
      domain: ruleDomain,
      confidence,
      source: 'RULE',
      classifierVersion,
      reason: `Domain ${ruleDomain} by keyword rule: the text mentions ${phrases}${opinion} (confidence ${percent(confidence)}).`,
    };
  }

  const conflict = ruleDomains.length > 1 ? ` Keyword rules disagreed (${ruleDomains.join(', ')}), so the classifier decided.` : '';
  if (prediction === null) {
    return {
      domain: 'HOW_TO',
      confidence: 0,
      source: 'CLASSIFIER',
      classifierVersion: null,
      reason: `Domain HOW_TO by default: no keyword rule decided and no classifier was available.${conflict}`,
    };
  }
  return {
    domain: prediction.domain,
    confidence: prediction.confidence,
    source: 'CLASSIFIER',
    classifierVersion,
    reason: `Domain ${prediction.domain} by the text classifier ${classifierVersion} (confidence ${percent(prediction.confidence)}).${conflict}`,
  };
}

/**
 * A critical outage pages at once. The exact rule: at least one outage signal in the text AND (impact is CRITICAL,
 * OR the organization is business-critical AND (impact is HIGH or above OR the declared priority is URGENT)).
 * Signals alone never page: "down" in a low-impact ticket is usually one user's problem.
 */
function isCriticalOutage(input: TriageInput, outageSignals: readonly string[]): boolean {
  if (outageSignals.length === 0) return false;
  if (input.impact === TicketImpact.CRITICAL) return true;
  const highImpact = input.impact === TicketImpact.HIGH;
  return input.businessCritical && (highImpact || input.declaredPriority === TicketPriority.URGENT);
}

export function triage(input: TriageInput, classifier: DomainClassifier | null): TriageResult {
  const text = `${input.subject}\n${input.description}`;
  const decision = decideDomain(input, text, classifier);
  const reasons = [decision.reason];
  const attention: string[] = [];

  const priorityPoints = PRIORITY_POINTS[input.declaredPriority];
  reasons.push(`Declared priority ${capitalise(input.declaredPriority)} adds ${priorityPoints} urgency points.`);
  const impactPoints = IMPACT_POINTS[input.impact];
  reasons.push(`Impact ${capitalise(input.impact)} adds ${impactPoints}.`);
  const criticalityPoints = input.businessCritical ? BUSINESS_CRITICAL_POINTS : 0;
  reasons.push(
    input.businessCritical
      ? `The organization is business-critical: adds ${criticalityPoints}.`
      : 'The organization is not business-critical: adds 0.',
  );
  const tierName = capitalise(input.tierKey);
  const tierPoints = Math.min(MAX_TIER_POINTS, Math.max(0, input.tierRank - 1) * POINTS_PER_TIER_RANK);
  reasons.push(`The ${tierName} tier (rank ${input.tierRank}) adds ${tierPoints}.`);
  const outageSignals = findOutageSignals(text);
  const signalPoints =
    outageSignals.length === 0 ? 0 : Math.min(MAX_SIGNAL_POINTS, FIRST_SIGNAL_POINTS + (outageSignals.length - 1) * EXTRA_SIGNAL_POINTS);
  reasons.push(
    outageSignals.length === 0
      ? 'No outage words in the text: adds 0.'
      : `Outage words in the text (${outageSignals.map((signal) => `"${signal}"`).join(', ')}) add ${signalPoints}.`,
  );

  const urgency = priorityPoints + impactPoints + criticalityPoints + tierPoints + signalPoints;
  const urgencyLevel = URGENCY_BANDS.find(([below]) => urgency < below)?.[1] ?? 'CRITICAL';
  reasons.push(`Urgency ${urgency}/100: ${urgencyLevel}.`);

  const criticalOutage = isCriticalOutage(input, outageSignals);
  if (criticalOutage) {
    reasons.push(
      input.impact === TicketImpact.CRITICAL
        ? 'Critical outage: outage words at critical impact.'
        : 'Critical outage: outage words from a business-critical organization at high impact or urgent priority.',
    );
  }

  // A critical outage asks for Urgent even when the band is lower: it pages at once, so its priority must match.
  const suggested =
    criticalOutage || urgencyLevel === 'CRITICAL' ? TicketPriority.URGENT : urgencyLevel === 'HIGH' ? TicketPriority.HIGH : null;
  const allowedRanks = input.allowedPriorities.map(priorityRank);
  // A tier that lists no priorities entitles to nothing above what was declared: a missing entitlement is denied.
  const entitledRank = allowedRanks.length === 0 ? priorityRank(input.declaredPriority) : Math.max(...allowedRanks);
  const entitled = PRIORITY_ORDER[entitledRank] ?? input.declaredPriority;
  const declaredRank = priorityRank(input.declaredPriority);

  let priority = input.declaredPriority;
  if (suggested !== null && priorityRank(suggested) > declaredRank) {
    const granted = priorityRank(suggested) <= entitledRank ? suggested : entitled;
    if (priorityRank(granted) > declaredRank) priority = granted;
    if (granted !== suggested) {
      attention.push(
        `${capitalise(suggested)} priority suggested by the evidence, but the ${tierName} tier allows up to ${capitalise(entitled)}: needs attention.`,
      );
    }
  }
  reasons.push(
    priority === input.declaredPriority
      ? `Declared priority ${capitalise(input.declaredPriority)} kept: triage never lowers a priority.`
      : `Priority raised from ${capitalise(input.declaredPriority)} to ${capitalise(priority)} by the evidence.`,
  );
  if (declaredRank > entitledRank) {
    attention.push(
      `Declared priority ${capitalise(input.declaredPriority)} is above what the ${tierName} tier allows (${capitalise(entitled)}); kept, since triage never lowers a priority: needs attention.`,
    );
  }

  if (decision.confidence < MIN_DOMAIN_CONFIDENCE) {
    attention.push(
      `Domain confidence ${percent(decision.confidence)} is below ${percent(MIN_DOMAIN_CONFIDENCE)}: needs attention to confirm the domain.`,
    );
  }
  reasons.push(...attention);

  return {
    domain: decision.domain,
    domainConfidence: decision.confidence,
    domainSource: decision.source,
    urgency,
    urgencyLevel,
    outageSignals,
    criticalOutage,
    priority,
    needsAttention: attention.length > 0,
    reasons,
    confidence: decision.confidence,
    classifierVersion: decision.classifierVersion,
  };
}
