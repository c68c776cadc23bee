import { buildSchema as buildSdl, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { describe, expect, it } from 'vitest';
import { allows, describeRule } from '../shared/access.js';
import { enforceAccess, MissingAccessRuleError } from './access.js';

describe('access rules', () => {
  const customer = { kind: 'customer', userId: 'u', organizationId: 'o', role: 'MEMBER', sessionId: 's' } as const;
  const partner = { kind: 'partner', apiKeyId: 'k', organizationId: 'o', scopes: ['tickets:read'] } as const;
  const agent = { kind: 'staff', role: 'AGENT', userId: 'a', apiKeyId: null } as const;

  it('lets only the named principals through', () => {
    const rule = { customer: 'ADMIN', partner: 'tickets:write', staff: ['ADMIN'] } as const;
    expect(allows(rule, customer)).toBe(false);
    expect(allows(rule, { ...customer, role: 'ADMIN' })).toBe(true);
    expect(allows(rule, partner)).toBe(false);
    expect(allows(rule, { ...partner, scopes: ['tickets:write'] })).toBe(true);
    expect(allows(rule, agent)).toBe(false);
    expect(allows({ staff: 'ANY' }, agent)).toBe(true);
    expect(allows({ staff: 'ANY' }, { kind: 'anonymous' })).toBe(false);
    expect(allows({ public: true }, { kind: 'anonymous' })).toBe(true);
    expect(describeRule(rule)).toBe('customer(org admin) | apiKey[tickets:write] | staff(ADMIN)');
  });

  it('refuses a schema with an operation that declares no rule', () => {
    const schema = buildSdl('type Query { open: String, forgotten: String }');
    (schema.getQueryType()!.getFields().open!.extensions as Record<string, unknown>) = { access: { public: true } };
    expect(() => enforceAccess(schema)).toThrow(MissingAccessRuleError);
    expect(() => enforceAccess(schema)).toThrow(/Query\.forgotten/);
  });

  it('wraps root fields so callers without the rule never reach the resolver', async () => {
    let reached = 0;
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: { secret: { type: GraphQLString, extensions: { access: { staff: 'ANY' } }, resolve: () => ((reached += 1), 'x') } },
      }),
    });
    const field = enforceAccess(schema).getQueryType()!.getFields().secret!;
    const call = (principal: unknown) => field.resolve!({}, {}, { principal }, { fieldName: 'secret' } as never);
    expect(() => call({ kind: 'anonymous' })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    );
    expect(() => call(customer)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }));
    expect(reached).toBe(0);
    expect(call(agent)).toBe('x');
  });
});
