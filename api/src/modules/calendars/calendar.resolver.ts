import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Access } from '../../shared/access.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { mutationPayload } from '../../shared/graphql.js';
import { fromGlobalId, parseGlobalId } from '../../shared/ids.js';
import { isStaffLike } from '../../shared/principal.js';
import { BusinessCalendarVersion } from './calendar.entity.js';
import {
  compileVersion,
  createBusinessCalendar,
  currentVersion,
  getBusinessCalendar,
  importHolidays,
  listBusinessCalendars,
  MAX_PREVIEW_MINUTES,
  updateBusinessCalendar,
} from './calendar.service.js';
import {
  BusinessCalendarPayload,
  BusinessCalendarType,
  CreateBusinessCalendarInput,
  ImportCalendarHolidaysInput,
  UpdateBusinessCalendarInput,
} from './calendar.types.js';

async function present(ctx: RequestContext, calendarId: string): Promise<BusinessCalendarType> {
  const calendar = await getBusinessCalendar(ctx, calendarId);
  if (!calendar) throw new AppError('NOT_FOUND', 'Business calendar not found.');
  return BusinessCalendarType.from(calendar, await currentVersion(ctx.em, calendar.id, ctx.clock.now()));
}

async function compiledOf(ctx: RequestContext, calendar: BusinessCalendarType) {
  const version = await ctx.em.findOneOrFail(BusinessCalendarVersion, { id: calendar.versionId });
  return compileVersion(version);
}

/** `node(id:)` for calendars: staff only, like `businessCalendar`. */
export async function businessCalendarNode(ctx: RequestContext, id: string): Promise<BusinessCalendarType | null> {
  if (!isStaffLike(ctx.principal)) return null;
  return (await getBusinessCalendar(ctx, id)) ? present(ctx, id) : null;
}

@Resolver(() => BusinessCalendarType)
export class CalendarResolver {
  @Query(() => BusinessCalendarType, { nullable: true, description: 'A calendar, with preview arithmetic to check it before use.' })
  @Access({ staff: 'ANY' })
  async businessCalendar(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<BusinessCalendarType | null> {
    const parsed = parseGlobalId(id);
    if (parsed?.type !== 'BusinessCalendar') return null;
    return (await getBusinessCalendar(ctx, parsed.id)) ? present(ctx, parsed.id) : null;
  }

  @Query(() => [BusinessCalendarType], { description: 'All calendars by name (at most 100).' })
  @Access({ staff: 'ANY' })
  async businessCalendars(@Ctx() ctx: RequestContext): Promise<BusinessCalendarType[]> {
    return Promise.all((await listBusinessCalendars(ctx)).map((calendar) => present(ctx, calendar.id)));
  }

  @FieldResolver(() => Date, { description: 'The instant `minutes` of open time after `from`.' })
  async addBusinessTime(
    @Root() calendar: BusinessCalendarType,
    @Arg('from', () => Date) from: Date,
    @Arg('minutes', () => Int) minutes: number,
    @Ctx() ctx: RequestContext,
  ): Promise<Date> {
    if (minutes < 0 || minutes > MAX_PREVIEW_MINUTES) {
      throw new AppError('BAD_USER_INPUT', `minutes must be between 0 and ${MAX_PREVIEW_MINUTES}.`, { field: ['minutes'] });
    }
    const compiled = await compiledOf(ctx, calendar);
    if (minutes > 0 && compiled.nextOpening(from) === null) {
      throw new AppError('BAD_USER_INPUT', 'The calendar is never open.', { field: ['minutes'] });
    }
    return compiled.addBusinessMinutes(from, minutes);
  }

  @FieldResolver(() => Int, { description: 'Whole minutes of open time between two instants (0 when `to` is not after `from`).' })
  async businessMinutesBetween(
    @Root() calendar: BusinessCalendarType,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Ctx() ctx: RequestContext,
  ): Promise<number> {
    if (Math.abs(to.getTime() - from.getTime()) > MAX_PREVIEW_MINUTES * 60_000) {
      throw new AppError('BAD_USER_INPUT', 'The span is too long to preview (about 19 years at most).', { field: ['to'] });
    }
    return (await compiledOf(ctx, calendar)).businessMinutesBetween(from, to);
  }

  @FieldResolver(() => Boolean)
  async isOpenAt(@Root() calendar: BusinessCalendarType, @Arg('at', () => Date) at: Date, @Ctx() ctx: RequestContext): Promise<boolean> {
    return (await compiledOf(ctx, calendar)).isOpenAt(at);
  }

  @FieldResolver(() => Date, { nullable: true, description: '`from` itself when open, else the next opening.' })
  async nextOpening(
    @Root() calendar: BusinessCalendarType,
    @Arg('from', () => Date) from: Date,
    @Ctx() ctx: RequestContext,
  ): Promise<Date | null> {
    return (await compiledOf(ctx, calendar)).nextOpening(from);
  }

  @Mutation(() => BusinessCalendarPayload)
  @Access({ staff: ['ADMIN'] })
  async createBusinessCalendar(
    @Arg('input', () => CreateBusinessCalendarInput) input: CreateBusinessCalendarInput,
    @Ctx() ctx: RequestContext,
  ): Promise<BusinessCalendarPayload> {
    return mutationPayload(BusinessCalendarPayload, async () => {
      const calendar = await createBusinessCalendar(ctx, input);
      return { businessCalendar: await present(ctx, calendar.id), warnings: [] };
    });
  }

  @Mutation(() => BusinessCalendarPayload)
  @Access({ staff: ['ADMIN'] })
  async updateBusinessCalendar(
    @Arg('input', () => UpdateBusinessCalendarInput) input: UpdateBusinessCalendarInput,
    @Ctx() ctx: RequestContext,
  ): Promise<BusinessCalendarPayload> {
    return mutationPayload(BusinessCalendarPayload, async () => {
      const calendar = await updateBusinessCalendar(ctx, { ...input, id: fromGlobalId('BusinessCalendar', input.id) });
      return { businessCalendar: await present(ctx, calendar.id), warnings: [] };
    });
  }

  @Mutation(() => BusinessCalendarPayload, { description: 'Adds the holidays of an iCalendar feed (dates already present are kept).' })
  @Access({ staff: ['ADMIN'] })
  async importCalendarHolidays(
    @Arg('input', () => ImportCalendarHolidaysInput) input: ImportCalendarHolidaysInput,
    @Ctx() ctx: RequestContext,
  ): Promise<BusinessCalendarPayload> {
    return mutationPayload(BusinessCalendarPayload, async () => {
      const { calendar, added, warnings } = await importHolidays(ctx, {
        id: fromGlobalId('BusinessCalendar', input.calendarId, 'calendarId'),
        ics: input.ics,
      });
      return { businessCalendar: await present(ctx, calendar.id), added, warnings };
    });
  }
}
