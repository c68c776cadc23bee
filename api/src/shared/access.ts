// Decorated classes need the metadata polyfill before they are defined; whoever imports them gets it first.
import 'reflect-metadata';
import { Extensions } from 'type-graphql';
import type { ApiScope, Principal, StaffRole } from './principal.js';

/**
 * Who may call an operation. Every Query and Mutation field declares one with `@Access`; the server refuses to
 * start when one does not (deny by default). Principal kinds not named in the rule are refused.
 */
export interface AccessRule {
  /** Anyone, signed in or not. */
  public?: true;
  /** Customer users of the organization: any member, or its admins only. */
  customer?: 'MEMBER' | 'ADMIN';
  /** An organization's API key holding this scope. */
  partner?: ApiScope;
  /** Staff with one of these roles ('ANY' = every staff role). */
  staff?: 'ANY' | readonly StaffRole[];
}

export const Access = (rule: AccessRule): MethodDecorator & PropertyDecorator => Extensions({ access: rule });

/**
 * Who may read objects of a type, however they are reached: the rule of the type's own query, applied by the
 * server to every field that returns the type (a mutation's payload, a nested field, `node(id:)`), so access is per
 * type and field, not per root.
 */
export const ReadAccess = (rule: AccessRule): ClassDecorator => Extensions({ readAccess: rule });

export function allows(rule: AccessRule, principal: Principal): boolean {
  if (rule.public) return true;
  switch (principal.kind) {
    case 'anonymous':
      return false;
    case 'system':
      return true;
    case 'customer':
      return rule.customer === 'MEMBER' || (rule.customer === 'ADMIN' && principal.role === 'ADMIN');
    case 'partner':
      return rule.partner !== undefined && principal.scopes.includes(rule.partner);
    case 'staff':
      return rule.staff === 'ANY' || (rule.staff?.includes(principal.role) ?? false);
  }
}

export function describeRule(rule: AccessRule): string {
  if (rule.public) return 'public';
  const parts: string[] = [];
  if (rule.customer) parts.push(`customer(${rule.customer === 'MEMBER' ? 'any member' : 'org admin'})`);
  if (rule.partner) parts.push(`apiKey[${rule.partner}]`);
  if (rule.staff) parts.push(`staff(${rule.staff === 'ANY' ? 'any role' : rule.staff.join('|')})`);
  return parts.join(' | ') || 'nobody';
}
