import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, Node, UserError, type WithUserErrors } from '../../shared/graphql.js';
import { toGlobalId } from '../../shared/ids.js';
import { WEEKDAYS, type Weekday } from './calendar.js';
import type { BusinessCalendarRecord, BusinessCalendarVersion } from './calendar.entity.js';

const WeekdayEnum = graphqlEnum('Weekday', WEEKDAYS);

@ObjectType('WeeklyInterval', { description: 'Opening hours on a weekday, local time. An end at or before the start runs past midnight.' })
export class WeeklyIntervalType {
  @Field(() => WeekdayEnum)
  day: Weekday;

  @Field(() => String, { description: '"HH:MM"' })
  start: string;

  @Field(() => String, { description: '"HH:MM" ("24:00" allowed)' })
  end: string;
}

@InputType()
export class WeeklyIntervalInput {
  @Field(() => WeekdayEnum)
  day: Weekday;

  @Field(() => String)
  start: string;

  @Field(() => String)
  end: string;
}

@ObjectType('Holiday', { description: 'A local date on which the calendar is closed all day.' })
export class HolidayType {
  @Field(() => String, { description: '"YYYY-MM-DD"' })
  date: string;

  @Field(() => String)
  name: string;

  @Field(() => Boolean, { description: 'Repeats every year on the same month and day.' })
  annual: boolean;
}

@InputType()
export class HolidayInput {
  @Field(() => String)
  date: string;

  @Field(() => String)
  name: string;

  @Field(() => Boolean, { nullable: true })
  annual?: boolean | null;
}

@ObjectType('BusinessCalendar', { implements: Node })
export class BusinessCalendarType extends Node {
  @Field(() => String)
  name: string;

  @Field(() => String, { description: 'IANA time zone of the current version.' })
  timeZone: string;

  @Field(() => [WeeklyIntervalType])
  weeklyHours: WeeklyIntervalType[];

  @Field(() => [HolidayType])
  holidays: HolidayType[];

  @Field(() => Date, { description: 'When the current version took effect.' })
  effectiveFrom: Date;

  versionId: string;

  static from(calendar: BusinessCalendarRecord, version: BusinessCalendarVersion): BusinessCalendarType {
    return Object.assign(new BusinessCalendarType(), {
      id: toGlobalId('BusinessCalendar', calendar.id),
      versionId: version.id,
      name: calendar.name,
      timeZone: version.timeZone,
      weeklyHours: version.weeklyHours.map((interval) => Object.assign(new WeeklyIntervalType(), interval)),
      holidays: version.holidays.map((holiday) => Object.assign(new HolidayType(), { annual: false, ...holiday })),
      effectiveFrom: version.effectiveFrom,
    });
  }
}

@InputType()
export class CreateBusinessCalendarInput {
  @Field(() => String)
  name: string;

  @Field(() => String)
  timeZone: string;

  @Field(() => [WeeklyIntervalInput])
  weeklyHours: WeeklyIntervalInput[];

  @Field(() => [HolidayInput], { nullable: true })
  holidays?: HolidayInput[] | null;
}

@InputType({ description: 'Replaces the hours and holidays from now on; time already measured keeps the old ones.' })
export class UpdateBusinessCalendarInput extends CreateBusinessCalendarInput {
  @Field(() => ID)
  id: string;
}

@InputType()
export class ImportCalendarHolidaysInput {
  @Field(() => ID)
  calendarId: string;

  @Field(() => String, { description: 'An iCalendar (.ics) holiday feed.' })
  ics: string;
}

@ObjectType()
export class BusinessCalendarPayload implements WithUserErrors {
  @Field(() => BusinessCalendarType, { nullable: true })
  businessCalendar: BusinessCalendarType | null;

  @Field(() => Int, { nullable: true, description: 'importCalendarHolidays: holidays added.' })
  added: number | null;

  @Field(() => [String], { description: 'importCalendarHolidays: lines of the feed that were skipped, and why.' })
  warnings: string[] = [];

  @Field(() => [UserError])
  userErrors: UserError[];
}
