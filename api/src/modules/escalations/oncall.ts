import type { Rotation } from './escalation.entity.js';

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(at: Date, timeZone: string): { dayNumber: number; minutes: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  const dayNumber = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)) / DAY_MS;
  return { dayNumber, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function rotationProblems(rotation: Rotation): string[] {
  const problems: string[] = [];
  if (!rotation.userIds.length) problems.push('has nobody in it');
  if (!HHMM.test(rotation.handoffTime)) problems.push(`handoffTime "${rotation.handoffTime}" is not HH:MM`);
  const date = DATE.exec(rotation.startDate);
  if (!date || Number.isNaN(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]))))
    problems.push(`startDate "${rotation.startDate}" is not YYYY-MM-DD`);
  if (!Number.isInteger(rotation.shiftDays) || rotation.shiftDays < 1 || rotation.shiftDays > 366)
    problems.push('shiftDays must be a whole number of days from 1 to 366');
  return problems;
}

/**
 * Who a rotation has on call at an instant. Shifts hand off at a local wall-clock time, so a weekly Monday 09:00
 * hand-off stays at 09:00 local across daylight-saving changes. Before the first shift nobody is on call.
 */
export function onCallIn(rotation: Rotation, timeZone: string, at: Date): string | null {
  const [year, month, day] = rotation.startDate.split('-').map(Number) as [number, number, number];
  const [hours, minutes] = rotation.handoffTime.split(':').map(Number) as [number, number];
  const local = localParts(at, timeZone);
  let days = local.dayNumber - Date.UTC(year, month - 1, day) / DAY_MS;
  if (local.minutes < hours * 60 + minutes) days -= 1;
  if (days < 0 || !rotation.userIds.length) return null;
  return rotation.userIds[Math.floor(days / rotation.shiftDays) % rotation.userIds.length] ?? null;
}

/** Everyone on call across the schedule's layers, without duplicates, in layer order. */
export function onCallNow(schedule: { timeZone: string; rotations: readonly Rotation[] }, at: Date): string[] {
  const users = schedule.rotations
    .map((rotation) => onCallIn(rotation, schedule.timeZone, at))
    .filter((user): user is string => user !== null);
  return [...new Set(users)];
}
