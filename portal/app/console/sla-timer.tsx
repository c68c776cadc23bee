import { intervalToDuration } from 'date-fns';
import { useEffect, useState } from 'react';

/** A clock's stored schedule as the API's `Ticket.slaTimers` gives it. */
export interface SlaTimerData {
  kind: 'FIRST_RESPONSE' | 'NEXT_RESPONSE' | 'RESOLUTION';
  status: 'ACTIVE' | 'PAUSED' | 'WARNING' | 'MET' | 'BREACHED';
  dueAt: string | null;
  warningAt: string | null;
  breachedAt?: string | null;
}

type TimerTone = 'ok' | 'warning' | 'breached' | 'paused' | 'none';

export interface TimerReading {
  tone: TimerTone;
  /** What the timer says: "1 h 12 min left", "Overdue 3 min", "Paused", "Met". */
  text: string;
}

/** "2 d 3 h", "1 h 12 min", "12 min", "45 s": the two largest units, as agents read a queue at a glance. */
export function formatSpan(milliseconds: number): string {
  const duration = intervalToDuration({ start: 0, end: Math.max(0, milliseconds) });
  const parts: string[] = [];
  if (duration.years || duration.months) {
    const days = Math.floor(milliseconds / 86_400_000);
    return `${days} d`;
  }
  if (duration.days) parts.push(`${duration.days} d`);
  if (duration.hours) parts.push(`${duration.hours} h`);
  if (duration.minutes && parts.length < 2) parts.push(`${duration.minutes} min`);
  if (parts.length === 0) parts.push(`${duration.seconds ?? 0} s`);
  return parts.slice(0, 2).join(' ');
}

/**
 * What a running clock shows at `nowMs`: computed from its deadline and warning instant, so it changes colour at
 * the warning threshold and turns to "overdue" at the deadline on its own, before the timer worker's record of the
 * crossing reaches the page. The tier's warning percentage is in `warningAt` (the API's one home for it).
 */
export function readTimer(timer: SlaTimerData, nowMs: number): TimerReading {
  if (timer.status === 'MET') return { tone: 'none', text: 'Met' };
  if (timer.status === 'PAUSED') return { tone: 'paused', text: 'Paused' };
  if (timer.status === 'BREACHED' && !timer.dueAt) {
    const since = timer.breachedAt ? nowMs - Date.parse(timer.breachedAt) : null;
    return { tone: 'breached', text: since !== null && since > 0 ? `Overdue ${formatSpan(since)}` : 'Breached' };
  }
  if (!timer.dueAt) return { tone: 'none', text: '—' };
  const left = Date.parse(timer.dueAt) - nowMs;
  if (left <= 0) return { tone: 'breached', text: `Overdue ${formatSpan(-left)}` };
  const warned = timer.status === 'WARNING' || (timer.warningAt !== null && Date.parse(timer.warningAt) <= nowMs);
  return { tone: warned ? 'warning' : 'ok', text: `${formatSpan(left)} left` };
}

/** The clock that matters most in a list: the running one due first, else the most recent breach. */
export function nearestTimer(timers: readonly SlaTimerData[]): SlaTimerData | null {
  let nearest: SlaTimerData | null = null;
  for (const timer of timers) {
    if (!timer.dueAt || (timer.status !== 'ACTIVE' && timer.status !== 'WARNING')) continue;
    if (!nearest || Date.parse(timer.dueAt) < Date.parse(nearest.dueAt!)) nearest = timer;
  }
  return nearest ?? timers.find((timer) => timer.status === 'BREACHED') ?? timers.find((timer) => timer.status === 'PAUSED') ?? null;
}

const listeners = new Set<(now: number) => void>();
let ticking: ReturnType<typeof setInterval> | null = null;

/**
 * The current time, re-read every second by one shared interval for the whole page: 500 timers in a view tick
 * together without 500 intervals. On the server (and the first client render) it is the render's instant, so the
 * hydrated text matches; the first tick corrects it.
 */
function useNow(initial: number): number {
  const [now, setNow] = useState(initial);
  useEffect(() => {
    listeners.add(setNow);
    setNow(Date.now());
    if (!ticking) ticking = setInterval(() => listeners.forEach((listener) => listener(Date.now())), 1000);
    return () => {
      listeners.delete(setNow);
      if (listeners.size === 0 && ticking) {
        clearInterval(ticking);
        ticking = null;
      }
    };
  }, []);
  return now;
}

/** A live countdown of one clock. `renderedAt` is the loader's instant (server and client agree on the first render). */
export function SlaTimer({ timer, renderedAt, label }: { timer: SlaTimerData | null; renderedAt: number; label?: string }) {
  const now = useNow(renderedAt);
  if (!timer) return <span className="sla-timer sla-timer--none">No target</span>;
  const reading = readTimer(timer, now);
  return (
    <span className={`sla-timer sla-timer--${reading.tone}`} data-tone={reading.tone} data-testid="sla-timer">
      {label ? <span className="visually-hidden">{label}: </span> : null}
      {reading.text}
    </span>
  );
}
