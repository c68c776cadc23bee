import { TicketStatus } from '../vocabulary/index.js';

/**
 * The SLA clock engine: a pure replay of a ticket's history. Live tickets, imported tickets and
 * recalculations all go through `computeClocks`, so a clock is always what its history says it is.
 *
 * Rules (documented for customers in the README's SLA section):
 * - FIRST_RESPONSE starts when the ticket is created and stops at the first public reply by staff.
 * - NEXT_RESPONSE starts at a customer's public reply once the team has answered at least once, and stops at
 *   the next public staff reply; each round is a new cycle (the ticket shows the latest).
 * - RESOLUTION starts when the ticket is created and stops when it is solved. Reopening (SOLVED -> OPEN)
 *   resumes it with the time already used: the time spent solved does not count.
 * - Solving stops every running clock; closing ends them for good. A stopped clock that never passed its
 *   target is MET, otherwise BREACHED (it stays BREACHED).
 * - While the ticket's status is one the policy pauses on (by default WAITING_ON_CUSTOMER and ON_HOLD), running
 *   clocks do not use time; the paused wall-clock time is recorded.
 * - Time is measured with the rules in force during each stretch (tier, priority, calendar). When they change,
 *   the time already used is kept and only the remainder is measured with the new target and calendar.
 */
export const CLOCK_KINDS = ['FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION'] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];
export const CLOCK_STATUSES = ['ACTIVE', 'PAUSED', 'WARNING', 'MET', 'BREACHED'] as const;
export type ClockStatus = (typeof CLOCK_STATUSES)[number];

/** The part of a calendar the engine needs (implemented by calendars/calendar.ts). */
export interface ClockCalendar {
  businessMillisBetween(from: Date, to: Date): number;
  addBusinessMillis(from: Date, ms: number): Date;
}

export interface ClockRules {
  calendar: ClockCalendar;
  /** Target in minutes per clock; null: the tier commits to none, so no clock runs. */
  targets: Record<ClockKind, number | null>;
  pauseStatuses: ReadonlySet<TicketStatus>;
  /** Fraction of the target after which a running clock is WARNING (0 < f < 1). */
  warnFraction: number;
  /** Why these rules apply, in words (tier, priority, calendar). */
  reason: string;
}

export type TimelineEvent =
  | { at: Date; type: 'STATUS'; to: TicketStatus }
  | { at: Date; type: 'REPLY'; byStaff: boolean }
  /** A change of tier, priority or calendar: the rules are read again from here on. */
  | { at: Date; type: 'RULES' };

export interface ClockState {
  kind: ClockKind;
  cycle: number;
  targetMinutes: number;
  status: ClockStatus;
  startedAt: Date;
  stoppedAt: Date | null;
  dueAt: Date | null;
  warningAt: Date | null;
  /** When the clock crossed its warning threshold (null: not yet). */
  warnedAt: Date | null;
  breachedAt: Date | null;
  usedMillis: number;
  pausedMillis: number;
  remainingMillis: number;
  reason: string;
}

interface Running {
  kind: ClockKind;
  cycle: number;
  startedAt: Date;
  stoppedAt: Date | null;
  used: number;
  paused: number;
  warnedAt: Date | null;
  breachedAt: Date | null;
  running: boolean;
}

const MINUTE = 60_000;

/**
 * Replays `events` (any order; sorted here, stable for equal instants) from `createdAt` up to `now` and returns
 * the latest cycle of every clock that has a target. `rulesAt(t)` gives the rules in force at instant t.
 */
export function computeClocks(
  createdAt: Date,
  events: readonly TimelineEvent[],
  rulesAt: (at: Date) => ClockRules,
  now: Date,
): ClockState[] {
  const timeline = events
    .map((event, index) => ({ event, index }))
    .filter(({ event }) => event.at >= createdAt && event.at <= now)
    .sort((a, b) => a.event.at.getTime() - b.event.at.getTime() || a.index - b.index)
    .map(({ event }) => event);

  const clocks = new Map<ClockKind, Running>();
  const start = (kind: ClockKind, at: Date) => {
    const previous = clocks.get(kind);
    clocks.set(kind, {
      kind,
      cycle: (previous?.cycle ?? 0) + 1,
      startedAt: at,
      stoppedAt: null,
      used: 0,
      paused: 0,
      warnedAt: null,
      breachedAt: null,
      running: true,
    });
  };
  const stop = (kind: ClockKind, at: Date) => {
    const clock = clocks.get(kind);
    if (clock?.running) {
      clock.running = false;
      clock.stoppedAt = at;
    }
  };

  let status: TicketStatus = TicketStatus.NEW;
  let staffHasReplied = false;
  let rules = rulesAt(createdAt);
  let cursor = createdAt;
  start('FIRST_RESPONSE', createdAt);
  start('RESOLUTION', createdAt);

  const advance = (to: Date) => {
    if (to <= cursor) return;
    const paused = rules.pauseStatuses.has(status);
    for (const clock of clocks.values()) {
      if (!clock.running) continue;
      if (paused) {
        clock.paused += to.getTime() - cursor.getTime();
        continue;
      }
      const delta = rules.calendar.businessMillisBetween(cursor, to);
      const target = rules.targets[clock.kind];
      if (target !== null) {
        const warnAt = target * MINUTE * rules.warnFraction;
        if (clock.warnedAt === null && clock.used + delta >= warnAt) {
          clock.warnedAt = rules.calendar.addBusinessMillis(cursor, Math.max(0, warnAt - clock.used));
        }
        if (clock.breachedAt === null && clock.used + delta >= target * MINUTE) {
          // A shorter target than the time already used (an upgrade mid-ticket) is breached where it took effect.
          clock.breachedAt = rules.calendar.addBusinessMillis(cursor, Math.max(0, target * MINUTE - clock.used));
        }
      }
      clock.used += delta;
    }
    cursor = to;
  };

  for (const event of timeline) {
    advance(event.at);
    switch (event.type) {
      case 'RULES':
        break;
      case 'REPLY':
        if (status === TicketStatus.CLOSED) break;
        if (event.byStaff) {
          stop('FIRST_RESPONSE', event.at);
          stop('NEXT_RESPONSE', event.at);
          staffHasReplied = true;
        } else if (staffHasReplied && !clocks.get('NEXT_RESPONSE')?.running) {
          start('NEXT_RESPONSE', event.at);
        }
        break;
      case 'STATUS': {
        const from = status;
        status = event.to;
        if (event.to === TicketStatus.SOLVED || event.to === TicketStatus.CLOSED) {
          for (const kind of CLOCK_KINDS) stop(kind, event.at);
        } else if (from === TicketStatus.SOLVED) {
          const resolution = clocks.get('RESOLUTION');
          if (resolution) {
            resolution.running = true;
            resolution.stoppedAt = null;
          }
        }
        break;
      }
    }
    rules = rulesAt(event.at);
  }
  advance(now);

  const states: ClockState[] = [];
  for (const kind of CLOCK_KINDS) {
    const clock = clocks.get(kind);
    const target = rules.targets[kind];
    if (!clock || target === null) continue;
    states.push(describe(clock, target, rules, cursor, status));
  }
  return states;
}

function describe(clock: Running, target: number, rules: ClockRules, at: Date, status: TicketStatus): ClockState {
  const targetMs = target * MINUTE;
  const remaining = Math.max(0, targetMs - clock.used);
  const paused = clock.running && rules.pauseStatuses.has(status);
  // Due instants are measured from the last replayed instant with the rules now in force, so they do not move
  // while nothing happens, and a timer scheduled for them stays valid.
  const dueAt = clock.running && !paused && clock.breachedAt === null ? rules.calendar.addBusinessMillis(at, remaining) : null;
  const warnUsed = targetMs * rules.warnFraction;
  const warningAt = clock.running && !paused && clock.used < warnUsed ? rules.calendar.addBusinessMillis(at, warnUsed - clock.used) : null;
  let state: ClockStatus;
  if (clock.breachedAt) state = 'BREACHED';
  else if (!clock.running) state = 'MET';
  else if (paused) state = 'PAUSED';
  else if (clock.used >= warnUsed) state = 'WARNING';
  else state = 'ACTIVE';
  return {
    kind: clock.kind,
    cycle: clock.cycle,
    targetMinutes: target,
    status: state,
    startedAt: clock.startedAt,
    stoppedAt: clock.stoppedAt,
    dueAt,
    warningAt,
    warnedAt: clock.warnedAt,
    breachedAt: clock.breachedAt,
    usedMillis: clock.used,
    pausedMillis: clock.paused,
    remainingMillis: remaining,
    reason: rules.reason,
  };
}
