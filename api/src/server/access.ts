import { defaultFieldResolver, getNamedType, isObjectType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { allows, describeRule, type AccessRule } from '../shared/access.js';

function ruleOf(field: GraphQLField<unknown, unknown>): AccessRule | undefined {
  return (field.extensions as { access?: AccessRule } | undefined)?.access;
}

/** The rule for reading objects of a type (`@ReadAccess`), if it has one. */
function readRuleOf(type: GraphQLObjectType): AccessRule | undefined {
  return (type.extensions as { readAccess?: AccessRule } | undefined)?.readAccess;
}

function refusal(rule: AccessRule, principal: RequestContext['principal'], what: string) {
  const error =
    principal.kind === 'anonymous'
      ? new AppError('UNAUTHENTICATED', `Sign in or present an API key to use ${what}.`)
      : new AppError('FORBIDDEN', `Your role or key scopes do not allow ${what}.`, { requires: describeRule(rule) });
  return error.toGraphQLError();
}

/**
 * Every field, at any depth, that returns a type with a read rule, as `Type.field`: the access walk checks that
 * each of them is guarded, and with which rule.
 */
export function readGuardedFields(schema: GraphQLSchema): { field: string; type: string; rule: string; guarded: boolean }[] {
  return [...fieldsReturningReadRuledTypes(schema)]
    .map(({ parent, field, returned, rule }) => ({
      field: `${parent.name}.${field.name}`,
      type: returned.name,
      rule: describeRule(rule),
      guarded: (field.extensions as { readGuarded?: true } | undefined)?.readGuarded === true,
    }))
    .sort((a, b) => a.field.localeCompare(b.field));
}

function* fieldsReturningReadRuledTypes(schema: GraphQLSchema) {
  for (const parent of Object.values(schema.getTypeMap())) {
    if (!isObjectType(parent) || parent.name.startsWith('__')) continue;
    for (const field of Object.values(parent.getFields())) {
      const returned = getNamedType(field.type);
      const rule = isObjectType(returned) ? readRuleOf(returned) : undefined;
      if (rule && isObjectType(returned)) yield { parent, field, returned, rule };
    }
  }
}

/** Wraps every field that returns a type with a read rule: the caller the rule refuses gets the same refusal as its query. */
function guardReads(schema: GraphQLSchema): void {
  for (const { parent, field, returned, rule } of fieldsReturningReadRuledTypes(schema)) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: RequestContext, info) => {
      if (!allows(rule, context.principal))
        throw refusal(rule, context.principal, `reading ${returned.name} (${parent.name}.${info.fieldName})`);
      return resolve(source, args, context, info);
    };
    field.extensions = { ...field.extensions, readGuarded: true };
  }
  // `node(id:)` returns an interface: the concrete type's rule applies to what it found.
  const node = schema.getQueryType()?.getFields().node;
  const nodeInterface = schema.getType('Node');
  if (!node || !nodeInterface || !('resolveType' in nodeInterface) || !nodeInterface.resolveType) return;
  const resolveNode = node.resolve ?? defaultFieldResolver;
  const resolveType = nodeInterface.resolveType;
  node.resolve = async (source, args, context: RequestContext, info) => {
    const found = await resolveNode(source, args, context, info);
    if (!found) return found;
    const typeName = await resolveType(found, context, info, nodeInterface);
    const concrete = typeName ? schema.getType(typeName) : undefined;
    const rule = concrete && isObjectType(concrete) ? readRuleOf(concrete) : undefined;
    // Reads like an id the caller may not see: null, as for another organization's objects.
    return rule && !allows(rule, context.principal) ? null : found;
  };
  node.extensions = { ...node.extensions, readGuarded: true };
}

export class MissingAccessRuleError extends Error {}

/** Every root operation and its rule, sorted: the committed snapshot diffs this. */
export function accessSnapshot(schema: GraphQLSchema): string {
  const lines: string[] = [];
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    if (!type) continue;
    for (const field of Object.values(type.getFields()).sort((a, b) => a.name.localeCompare(b.name))) {
      const rule = ruleOf(field);
      lines.push(`${type.name}.${field.name}: ${rule ? describeRule(rule) : 'MISSING'}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Wraps every root field with its access check and refuses a schema in which any root field has no rule; then
 * every field that returns a type with a read rule (`@ReadAccess`), at any depth, so a payload or a nested field
 * never shows what the type's own query would refuse.
 */
export function enforceAccess(schema: GraphQLSchema): GraphQLSchema {
  const missing: string[] = [];
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const rule = ruleOf(field);
      if (!rule) {
        missing.push(`${type.name}.${field.name}`);
        continue;
      }
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: RequestContext, info) => {
        if (!allows(rule, context.principal)) throw refusal(rule, context.principal, info.fieldName);
        return resolve(source, args, context, info);
      };
    }
  }
  guardReads(schema);
  if (missing.length) {
    throw new MissingAccessRuleError(`These operations declare no access rule (deny by default): ${missing.join(', ')}`);
  }
  return schema;
}
