import { describe, expect, it } from 'vitest';
import { TicketStatus } from '../vocabulary/index.js';
import { computeClocks, type ClockCalendar, type ClockKind, type ClockRules, type TimelineEvent } from './clocks.js';

const MINUTE = 60_000;
const t0 = new Date('2026-03-02T09:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);

const always: ClockCalendar = {
  businessMillisBetween: (from, to) => Math.max(0, to.getTime() - from.getTime()),
  addBusinessMillis: (from, ms) => new Date(from.getTime() + ms),
};

/** Open only in the first 60 minutes of every 120: enough to show that closed time does not count. */
const halfOpen: ClockCalendar = {
  businessMillisBetween(from, to) {
    let total = 0;
    for (let m = from.getTime(); m < to.getTime(); m += MINUTE) if (((m - t0.getTime()) / MINUTE) % 120 < 60) total += MINUTE;
    return total;
  },
  addBusinessMillis(from, ms) {
    let left = ms;
    let m = from.getTime();
    while (left > 0) {
      if (((m - t0.getTime()) / MINUTE) % 120 < 60) left -= MINUTE;
      m += MINUTE;
    }
    return new Date(m);
  },
};

function rules(targets: Partial<Record<ClockKind, number | null>>, overrides: Partial<ClockRules> = {}): ClockRules {
  return {
    calendar: always,
    targets: { FIRST_RESPONSE: 60, NEXT_RESPONSE: 120, RESOLUTION: 480, ...targets },
    pauseStatuses: new Set([TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.ON_HOLD]),
    warnFraction: 0.75,
    reason: 'test rules',
    ...overrides,
  };
}

const clock = (states: ReturnType<typeof computeClocks>, kind: ClockKind) => states.find((state) => state.kind === kind);
const status = (minutes: number, to: TicketStatus): TimelineEvent => ({ at: at(minutes), type: 'STATUS', to });
const reply = (minutes: number, byStaff: boolean): TimelineEvent => ({ at: at(minutes), type: 'REPLY', byStaff });

describe('SLA clocks', () => {
  it('runs first response and resolution from creation, with due and warning instants', () => {
    const states = computeClocks(t0, [], () => rules({}), at(10));
    expect(clock(states, 'FIRST_RESPONSE')).toMatchObject({
      status: 'ACTIVE',
      dueAt: at(60),
      warningAt: at(45),
      usedMillis: 10 * MINUTE,
      remainingMillis: 50 * MINUTE,
    });
    expect(clock(states, 'RESOLUTION')).toMatchObject({ status: 'ACTIVE', dueAt: at(480) });
    expect(clock(states, 'NEXT_RESPONSE')).toBeUndefined();
  });

  it('warns, then breaches at the exact instant the target is used up, and stays breached', () => {
    expect(
      clock(
        computeClocks(t0, [], () => rules({}), at(50)),
        'FIRST_RESPONSE',
      ),
    ).toMatchObject({ status: 'WARNING', warnedAt: at(45), breachedAt: null });
    const late = computeClocks(t0, [reply(90, true)], () => rules({}), at(100));
    expect(clock(late, 'FIRST_RESPONSE')).toMatchObject({ status: 'BREACHED', breachedAt: at(60), stoppedAt: at(90), dueAt: null });
  });

  it('meets the first response on the first public staff reply, and ignores customer replies for it', () => {
    const states = computeClocks(t0, [reply(5, false), reply(30, true)], () => rules({}), at(200));
    expect(clock(states, 'FIRST_RESPONSE')).toMatchObject({ status: 'MET', stoppedAt: at(30), usedMillis: 30 * MINUTE });
  });

  it('starts a next-response cycle on each customer reply after the team has answered', () => {
    const events = [reply(10, true), reply(20, false), reply(50, true), reply(60, false), reply(61, false)];
    const states = computeClocks(t0, events, () => rules({}), at(100));
    expect(clock(states, 'NEXT_RESPONSE')).toMatchObject({ cycle: 2, status: 'ACTIVE', startedAt: at(60), dueAt: at(180) });
  });

  it('pauses while waiting on the customer and records the paused time', () => {
    const events = [status(10, TicketStatus.WAITING_ON_CUSTOMER), status(40, TicketStatus.OPEN)];
    const paused = computeClocks(t0, events.slice(0, 1), () => rules({}), at(30));
    expect(clock(paused, 'FIRST_RESPONSE')).toMatchObject({
      status: 'PAUSED',
      dueAt: null,
      usedMillis: 10 * MINUTE,
      pausedMillis: 20 * MINUTE,
    });
    const resumed = computeClocks(t0, events, () => rules({}), at(50));
    expect(clock(resumed, 'FIRST_RESPONSE')).toMatchObject({
      status: 'ACTIVE',
      usedMillis: 20 * MINUTE,
      pausedMillis: 30 * MINUTE,
      dueAt: at(90),
    });
  });

  it('stops on solve and resumes resolution on reopen with the time already used', () => {
    const events = [reply(10, true), status(100, TicketStatus.SOLVED), status(300, TicketStatus.OPEN)];
    const solved = computeClocks(t0, events.slice(0, 2), () => rules({}), at(200));
    expect(clock(solved, 'RESOLUTION')).toMatchObject({ status: 'MET', stoppedAt: at(100), usedMillis: 100 * MINUTE });
    const reopened = computeClocks(t0, events, () => rules({}), at(310));
    expect(clock(reopened, 'RESOLUTION')).toMatchObject({
      status: 'ACTIVE',
      usedMillis: 110 * MINUTE,
      dueAt: at(300 + 380),
      stoppedAt: null,
    });
    expect(clock(reopened, 'FIRST_RESPONSE')?.status).toBe('MET');
  });

  it('ends every clock on close, even with later replies', () => {
    const events = [status(10, TicketStatus.SOLVED), status(20, TicketStatus.CLOSED), reply(30, false)];
    const states = computeClocks(t0, events, () => rules({}), at(1000));
    expect(states.map((state) => state.status)).toEqual(['MET', 'MET']);
  });

  it('keeps the time used when the tier changes mid-ticket and measures the rest with the new target', () => {
    const upgradeAt = at(30);
    const rulesAt = (instant: Date) =>
      instant < upgradeAt ? rules({ FIRST_RESPONSE: 240 }, { reason: 'growth' }) : rules({ FIRST_RESPONSE: 60 }, { reason: 'business' });
    const states = computeClocks(t0, [{ at: upgradeAt, type: 'RULES' }], rulesAt, at(40));
    expect(clock(states, 'FIRST_RESPONSE')).toMatchObject({
      targetMinutes: 60,
      usedMillis: 40 * MINUTE,
      dueAt: at(60),
      reason: 'business',
      status: 'ACTIVE',
    });
    const pastNewTarget = computeClocks(t0, [{ at: upgradeAt, type: 'RULES' }], rulesAt, at(70));
    expect(clock(pastNewTarget, 'FIRST_RESPONSE')).toMatchObject({ status: 'BREACHED', breachedAt: at(60) });
  });

  it('breaches at the change when a new, shorter target is already used up', () => {
    const change = at(50);
    const rulesAt = (instant: Date) => rules({ FIRST_RESPONSE: instant < change ? 240 : 30 });
    const states = computeClocks(t0, [{ at: change, type: 'RULES' }], rulesAt, at(55));
    expect(clock(states, 'FIRST_RESPONSE')).toMatchObject({ status: 'BREACHED', breachedAt: at(50), remainingMillis: 0, dueAt: null });
  });

  it('counts only open calendar time and measures due instants in it', () => {
    const states = computeClocks(t0, [], () => rules({}, { calendar: halfOpen }), at(90));
    expect(clock(states, 'FIRST_RESPONSE')).toMatchObject({ usedMillis: 60 * MINUTE, status: 'BREACHED', breachedAt: at(60) });
    expect(clock(states, 'RESOLUTION')).toMatchObject({ usedMillis: 60 * MINUTE, dueAt: at(120 + 60 + 120 * 6 + 60 - 60) });
  });

  it('omits clocks the tier has no target for, and replays events in time order whatever order they come in', () => {
    const states = computeClocks(t0, [reply(30, true), reply(10, false)], () => rules({ NEXT_RESPONSE: null }), at(40));
    expect(states.map((state) => state.kind)).toEqual(['FIRST_RESPONSE', 'RESOLUTION']);
    expect(clock(states, 'FIRST_RESPONSE')?.stoppedAt).toEqual(at(30));
  });
});
