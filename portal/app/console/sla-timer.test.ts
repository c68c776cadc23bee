import { describe, expect, it } from 'vitest';
import { formatSpan, nearestTimer, readTimer, type SlaTimerData } from './sla-timer';

const at = Date.parse('2026-12-02T12:00:00Z');
const running = (dueIn: number, warnIn: number | null, status: SlaTimerData['status'] = 'ACTIVE'): SlaTimerData => ({
  kind: 'FIRST_RESPONSE',
  status,
  dueAt: new Date(at + dueIn).toISOString(),
  warningAt: warnIn === null ? null : new Date(at + warnIn).toISOString(),
});

describe('readTimer: a countdown that changes colour on its own', () => {
  it('is ok before the warning instant, warning from it, overdue from the deadline', () => {
    const timer = running(15 * 60_000, 3 * 60_000);
    expect(readTimer(timer, at)).toEqual({ tone: 'ok', text: '15 min left' });
    expect(readTimer(timer, at + 3 * 60_000 - 1)).toMatchObject({ tone: 'ok' });
    expect(readTimer(timer, at + 3 * 60_000)).toEqual({ tone: 'warning', text: '12 min left' });
    expect(readTimer(timer, at + 15 * 60_000)).toEqual({ tone: 'breached', text: 'Overdue 0 s' });
    expect(readTimer(timer, at + 75 * 60_000)).toEqual({ tone: 'breached', text: 'Overdue 1 h' });
  });

  it('believes the worker’s WARNING without a warning instant, and reads paused, met and breached clocks', () => {
    expect(readTimer(running(60_000, null, 'WARNING'), at).tone).toBe('warning');
    expect(readTimer({ kind: 'RESOLUTION', status: 'PAUSED', dueAt: null, warningAt: null }, at)).toEqual({
      tone: 'paused',
      text: 'Paused',
    });
    expect(readTimer({ kind: 'RESOLUTION', status: 'MET', dueAt: null, warningAt: null }, at)).toEqual({ tone: 'none', text: 'Met' });
    const breached = {
      kind: 'RESOLUTION',
      status: 'BREACHED',
      dueAt: null,
      warningAt: null,
      breachedAt: new Date(at - 2 * 3_600_000).toISOString(),
    } as const;
    expect(readTimer(breached, at)).toEqual({ tone: 'breached', text: 'Overdue 2 h' });
  });
});

describe('formatSpan and nearestTimer', () => {
  it('shows the two largest units', () => {
    expect(formatSpan(45_000)).toBe('45 s');
    expect(formatSpan(72 * 60_000)).toBe('1 h 12 min');
    expect(formatSpan((2 * 24 + 3) * 3_600_000 + 5 * 60_000)).toBe('2 d 3 h');
    expect(formatSpan(40 * 86_400_000)).toBe('40 d');
  });

  it('picks the running clock due first, else a breach, else a pause', () => {
    const later = running(60 * 60_000, null);
    const sooner = { ...running(5 * 60_000, null), kind: 'RESOLUTION' as const };
    expect(nearestTimer([later, sooner])).toBe(sooner);
    const breached = { kind: 'FIRST_RESPONSE', status: 'BREACHED', dueAt: null, warningAt: null } as const;
    expect(nearestTimer([{ kind: 'RESOLUTION', status: 'PAUSED', dueAt: null, warningAt: null }, breached])).toBe(breached);
    expect(nearestTimer([])).toBeNull();
  });
});
