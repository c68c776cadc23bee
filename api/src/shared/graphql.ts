// Decorated classes need the metadata polyfill before they are defined; whoever imports them gets it first.
import 'reflect-metadata';
import { Field, ID, InterfaceType, ObjectType, registerEnumType } from 'type-graphql';
import { enumOf, type EnumObject } from './enums.js';
import { AppError, conflictFromUniqueViolation } from './errors.js';

@InterfaceType({ description: 'An object with a global id, fetchable with `node(id:)`.' })
export abstract class Node {
  @Field(() => ID)
  id: string;
}

@ObjectType({ description: 'An expected failure of a mutation: bad input, a missing entitlement, a conflict.' })
export class UserError {
  @Field(() => [String], { nullable: true, description: 'Path to the input field at fault.' })
  field: string[] | null;

  @Field(() => String)
  message: string;

  @Field(() => String, { description: 'A code from the documented list (BAD_USER_INPUT, ENTITLEMENT_REQUIRED, …).' })
  code: string;

  @Field(() => String, { nullable: true, description: 'For ENTITLEMENT_REQUIRED: the key of the lowest tier that includes it.' })
  requiredTier: string | null;
}

export interface WithUserErrors {
  userErrors: UserError[];
}

/**
 * Runs a mutation's use case. Expected failures become `userErrors` in the payload (its result fields left null);
 * authentication and permission failures, and anything unexpected, stay GraphQL errors.
 */
export async function mutationPayload<P extends WithUserErrors>(
  Payload: new () => P,
  run: () => Promise<Partial<Omit<P, 'userErrors'>>>,
): Promise<P> {
  const payload = new Payload();
  try {
    return Object.assign(payload, await run(), { userErrors: [] });
  } catch (thrown) {
    const error = conflictFromUniqueViolation(thrown) ?? thrown;
    if (!(error instanceof AppError) || !error.isUserError) throw error;
    const userError = Object.assign(new UserError(), {
      field: error.details.field ?? null,
      message: error.message,
      code: error.code,
      requiredTier: typeof error.details.requiredTier === 'string' ? error.details.requiredTier : null,
    });
    return Object.assign(payload, { userErrors: [userError] });
  }
}

/**
 * Declares a GraphQL enum from the one const list that defines its values, so the list, the TypeScript type and the
 * schema cannot drift apart. Returns the enum object (`TicketPriority.LOW`); the values keep the list's order.
 */
export function graphqlEnum<const V extends string>(
  name: string,
  values: readonly V[],
  options: { description?: string; valueDescriptions?: Partial<Record<V, string>> } = {},
): EnumObject<V> {
  const object = enumOf(values);
  const valuesConfig = Object.fromEntries(
    Object.entries(options.valueDescriptions ?? {}).map(([value, description]) => [value, { description: description as string }]),
  );
  registerEnumType(object, { name, description: options.description, valuesConfig: valuesConfig as never });
  return object;
}
