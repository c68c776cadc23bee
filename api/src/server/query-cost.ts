import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../shared/pagination.js';

/**
 * Root fields that cost far more than a row read: each one is a full-text search (or a classification and a search),
 * so it is priced like fifty ordinary fields before its `first` multiplies what it selects.
 */
const EXPENSIVE_QUERY_FIELDS: Readonly<Record<string, number>> = { searchKnowledgeBase: 50, suggestArticles: 50 };

/** The page size a `first` argument asks for, as the resolvers will apply it; anything they would refuse is priced at the maximum. */
function pageSize(field: FieldNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>): number {
  const argument = field.arguments?.find((candidate) => candidate.name.value === 'first');
  if (!argument) return DEFAULT_PAGE_SIZE;
  let value: unknown;
  if (argument.value.kind === Kind.INT) value = Number(argument.value.value);
  else if (argument.value.kind === Kind.VARIABLE) {
    const name = argument.value.name.value;
    const declared = operation.variableDefinitions?.find((definition) => definition.variable.name.value === name)?.defaultValue;
    value = name in variables ? variables[name] : declared?.kind === Kind.INT ? Number(declared.value) : null;
    if (value === null || value === undefined) return DEFAULT_PAGE_SIZE;
  } else if (argument.value.kind === Kind.NULL) return DEFAULT_PAGE_SIZE;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? Math.min(value, MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
}

/**
 * The static cost of one operation, before anything runs: every field costs 1 (an expensive root field its price), and
 * a field with a `first` argument (a connection) multiplies the cost of what it selects by that page size, so nested
 * pages multiply. Each fragment is priced once and its price reused at every spread, so the work is linear in the
 * document even when fragments fan out; a fragment met again while it is being priced (a cycle, which validation
 * refuses anyway) counts 0.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fragmentCosts = new Map<string, number>();
  const queryType = schema.getQueryType();

  const selectionCost = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const definition: GraphQLField<unknown, unknown> | undefined =
          parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
        const own = (parent === queryType ? EXPENSIVE_QUERY_FIELDS[name] : undefined) ?? 1;
        if (!selection.selectionSet) {
          total += own;
          continue;
        }
        const perItem = selectionCost(selection.selectionSet, definition ? getNamedType(definition.type) : undefined);
        const multiplier = definition?.args.some((argument) => argument.name === 'first') ? pageSize(selection, operation, variables) : 1;
        total += own + multiplier * perItem;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += selectionCost(selection.selectionSet, type ?? undefined);
      } else {
        const name = selection.name.value;
        let cost = fragmentCosts.get(name);
        if (cost === undefined) {
          const fragment = fragments.get(name);
          fragmentCosts.set(name, 0);
          cost = fragment ? selectionCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined) : 0;
          fragmentCosts.set(name, cost);
        }
        total += cost;
      }
    }
    return total;
  };

  const root =
    operation.operation === 'query'
      ? queryType
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  return selectionCost(operation.selectionSet, root ?? undefined);
}
