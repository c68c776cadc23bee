import { defaultFieldResolver, type GraphQLField, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { allows, describeRule, type AccessRule } from '../shared/access.js';

function ruleOf(field: GraphQLField<unknown, unknown>): AccessRule | undefined {
  return (field.extensions as { access?: AccessRule } | undefined)?.access;
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
 * Wraps every root field with its access check and refuses a schema in which any root field has no rule.
 * Checking only at the root keeps nested fields free of per-field overhead; nested data is reached only
 * through a root field the caller passed.
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
        if (!allows(rule, context.principal)) {
          const error =
            context.principal.kind === 'anonymous'
              ? new AppError('UNAUTHENTICATED', `Sign in or present an API key to use ${info.fieldName}.`)
              : new AppError('FORBIDDEN', `Your role or key scopes do not allow ${info.fieldName}.`, { requires: describeRule(rule) });
          throw error.toGraphQLError();
        }
        return resolve(source, args, context, info);
      };
    }
  }
  if (missing.length) {
    throw new MissingAccessRuleError(`These operations declare no access rule (deny by default): ${missing.join(', ')}`);
  }
  return schema;
}
