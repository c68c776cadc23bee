import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../shared/context.js';
import { AppError, badInput, notFound } from '../../shared/errors.js';
import { BusinessCalendar, CalendarError, type CalendarDefinition, type Holiday, type WeeklyInterval } from './calendar.js';
import { BusinessCalendarRecord, BusinessCalendarVersion } from './calendar.entity.js';
import { parseHolidayFeed } from './ical.js';

/** Business hours for organizations without a calendar of their own, read in the organization's time zone. */
export const DEFAULT_WEEKLY_HOURS: readonly WeeklyInterval[] = (['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'] as const).map(
  (day) => ({
    day,
    start: '09:00',
    end: '17:00',
  }),
);

const compiled = new Map<string, BusinessCalendar>();
const COMPILED_CACHE_LIMIT = 500;

/** Compiles (once per version, then cached with its week cache) a stored or default calendar definition. */
function compiledCalendar(key: string, definition: CalendarDefinition): BusinessCalendar {
  let calendar = compiled.get(key);
  if (!calendar) {
    calendar = BusinessCalendar.compile(definition);
    if (compiled.size >= COMPILED_CACHE_LIMIT) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, calendar);
  }
  return calendar;
}

export function defaultCalendarFor(timeZone: string): BusinessCalendar {
  return compiledCalendar(`default:${timeZone}`, { timeZone, weeklyHours: [...DEFAULT_WEEKLY_HOURS], holidays: [] });
}

export function compileVersion(version: BusinessCalendarVersion): BusinessCalendar {
  return compiledCalendar(version.id, { timeZone: version.timeZone, weeklyHours: version.weeklyHours, holidays: version.holidays });
}

/** Validates a definition, turning calendar errors into input errors that name the field. */
function validated(definition: CalendarDefinition): CalendarDefinition {
  try {
    BusinessCalendar.compile(definition);
    return definition;
  } catch (error) {
    if (error instanceof CalendarError) throw new AppError('BAD_USER_INPUT', error.message, { field: ['input', ...error.field] });
    throw error;
  }
}

export interface CalendarInput {
  name: string;
  timeZone: string;
  weeklyHours: WeeklyInterval[];
  holidays?: Holiday[] | null;
}

export async function createBusinessCalendar(ctx: RequestContext, input: CalendarInput): Promise<BusinessCalendarRecord> {
  const name = input.name.trim();
  if (!name || name.length > 120) throw badInput('name', 'Give the calendar a name of 1 to 120 characters.');
  const definition = validated({ timeZone: input.timeZone, weeklyHours: input.weeklyHours, holidays: input.holidays ?? [] });
  return ctx.transaction(async ({ em }) => {
    const calendar = Object.assign(new BusinessCalendarRecord(), { name });
    em.persist(calendar);
    em.persist(versionOf(calendar, definition, ctx.clock.now()));
    return calendar;
  });
}

function versionOf(calendar: BusinessCalendarRecord, definition: CalendarDefinition, effectiveFrom: Date): BusinessCalendarVersion {
  return Object.assign(new BusinessCalendarVersion(), {
    calendar,
    effectiveFrom,
    timeZone: definition.timeZone,
    weeklyHours: definition.weeklyHours,
    holidays: definition.holidays ?? [],
  });
}

/** An edit takes effect now; earlier stretches of SLA time keep the hours they were measured with. */
export async function updateBusinessCalendar(ctx: RequestContext, input: CalendarInput & { id: string }): Promise<BusinessCalendarRecord> {
  const definition = validated({ timeZone: input.timeZone, weeklyHours: input.weeklyHours, holidays: input.holidays ?? [] });
  return ctx.transaction(async ({ em }) => {
    const calendar = await em.findOne(BusinessCalendarRecord, { id: input.id });
    if (!calendar) throw notFound('Business calendar');
    if (input.name.trim()) calendar.name = input.name.trim();
    em.persist(versionOf(calendar, definition, ctx.clock.now()));
    return calendar;
  });
}

export async function importHolidays(
  ctx: RequestContext,
  input: { id: string; ics: string },
): Promise<{ calendar: BusinessCalendarRecord; added: number; warnings: string[] }> {
  if (input.ics.length > 2_000_000) throw badInput('ics', 'The feed is larger than 2 MB.');
  let parsed: ReturnType<typeof parseHolidayFeed>;
  try {
    parsed = parseHolidayFeed(input.ics);
  } catch (error) {
    if (error instanceof CalendarError) throw new AppError('BAD_USER_INPUT', error.message, { field: ['input', ...error.field] });
    throw error;
  }
  return ctx.transaction(async ({ em }) => {
    const calendar = await em.findOne(BusinessCalendarRecord, { id: input.id });
    if (!calendar) throw notFound('Business calendar');
    const current = await currentVersion(em, calendar.id, ctx.clock.now());
    const known = new Set(current.holidays.map((holiday) => holiday.date));
    const added = parsed.holidays.filter((holiday) => !known.has(holiday.date));
    const definition = validated({
      timeZone: current.timeZone,
      weeklyHours: current.weeklyHours,
      holidays: [...current.holidays, ...added],
    });
    em.persist(versionOf(calendar, definition, ctx.clock.now()));
    return { calendar, added: added.length, warnings: parsed.warnings };
  });
}

export async function currentVersion(em: EntityManager, calendarId: string, at: Date): Promise<BusinessCalendarVersion> {
  const version = await em.findOne(
    BusinessCalendarVersion,
    { calendar: calendarId, effectiveFrom: { $lte: at } },
    { orderBy: { effectiveFrom: 'desc', id: 'desc' } },
  );
  if (!version) throw notFound('Business calendar');
  return version;
}

export async function getBusinessCalendar(ctx: RequestContext, id: string): Promise<BusinessCalendarRecord | null> {
  return ctx.em.findOne(BusinessCalendarRecord, { id });
}

export async function listBusinessCalendars(ctx: RequestContext): Promise<BusinessCalendarRecord[]> {
  return ctx.em.find(BusinessCalendarRecord, {}, { orderBy: { name: 'asc' }, limit: 100 });
}

/** Minutes in a calendar preview are bounded so a typo cannot ask for centuries of arithmetic. */
export const MAX_PREVIEW_MINUTES = 10_000_000;

/** The working hours in force at `at` of each calendar (its latest version from before then), compiled. */
export async function calendarsInForce(
  em: EntityManager,
  calendarIds: readonly string[],
  at: Date,
): Promise<Map<string, BusinessCalendar>> {
  const ids = [...new Set(calendarIds)];
  if (!ids.length) return new Map();
  const versions = await em.find(
    BusinessCalendarVersion,
    { calendar: { $in: ids }, effectiveFrom: { $lte: at } },
    { orderBy: { effectiveFrom: 'asc', id: 'asc' } },
  );
  const latest = new Map<string, BusinessCalendarVersion>();
  for (const version of versions) latest.set(version.calendar.id, version);
  return new Map([...latest].map(([id, version]) => [id, compileVersion(version)]));
}
