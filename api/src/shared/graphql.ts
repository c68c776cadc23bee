// Decorated classes need the metadata polyfill before they are defined; whoever imports them gets it first.
import 'reflect-metadata';
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
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

/** What a query selects below one field: its field nodes (for their arguments) and, by field name, what it selects below each. */
export interface Selection {
  nodes: readonly FieldNode[];
  fields: ReadonlyMap<string, Selection>;
}

function collect(
  selections: readonly SelectionNode[],
  fragments: GraphQLResolveInfo['fragments'],
  into: Map<string, { nodes: FieldNode[]; children: SelectionNode[] }>,
) {
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const entry = into.get(selection.name.value) ?? { nodes: [], children: [] };
      entry.nodes.push(selection);
      if (selection.selectionSet) entry.children.push(...selection.selectionSet.selections);
      into.set(selection.name.value, entry);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet.selections, fragments, into);
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment) collect(fragment.selectionSet.selections, fragments, into);
    }
  }
}

function selectionFrom(
  nodes: readonly FieldNode[],
  children: readonly SelectionNode[],
  fragments: GraphQLResolveInfo['fragments'],
): Selection {
  const byName = new Map<string, { nodes: FieldNode[]; children: SelectionNode[] }>();
  collect(children, fragments, byName);
  const fields = new Map<string, Selection>();
  for (const [name, entry] of byName) fields.set(name, selectionFrom(entry.nodes, entry.children, fragments));
  return { nodes, fields };
}

/**
 * The fields a resolver's result is asked for, through fragments, aliases merged by field name. `@skip`/`@include`
 * are not evaluated: what this feeds (preloading a page's relations) may load a relation that is then not read, but
 * never leaves out one that is.
 */
export function selectionOf(info: GraphQLResolveInfo): Selection {
  return selectionFrom(
    info.fieldNodes,
    info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []),
    info.fragments,
  );
}

/** What a connection's nodes are asked for, through `nodes` and `edges { node }` alike. */
export function nodeSelection(connection: Selection): Selection {
  const parts = [connection.fields.get('nodes'), connection.fields.get('edges')?.fields.get('node')].filter(
    (part): part is Selection => !!part,
  );
  const fields = new Map<string, Selection>();
  for (const part of parts) {
    for (const [name, selection] of part.fields) {
      const known = fields.get(name);
      fields.set(name, known ? mergeSelections(known, selection) : selection);
    }
  }
  return { nodes: parts.flatMap((part) => part.nodes), fields };
}

function mergeSelections(a: Selection, b: Selection): Selection {
  const fields = new Map(a.fields);
  for (const [name, selection] of b.fields) {
    const known = fields.get(name);
    fields.set(name, known ? mergeSelections(known, selection) : selection);
  }
  return { nodes: [...a.nodes, ...b.nodes], fields };
}
