import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ReadAccess, type AccessRule } from '../../shared/access.js';
import { graphqlEnum, Node, UserError, type WithUserErrors } from '../../shared/graphql.js';
import { toGlobalId } from '../../shared/ids.js';
import { STAFF_ROLES, type StaffRole } from '../../shared/principal.js';
import { OrganizationType } from '../organizations/index.js';
import type { ApiKey, User } from './identity.entity.js';

const USER_ROLES = ['CUSTOMER_MEMBER', 'CUSTOMER_ADMIN', ...STAFF_ROLES] as const;
type UserRole = (typeof USER_ROLES)[number];
const UserRole = graphqlEnum('UserRole', USER_ROLES, { description: 'CUSTOMER_* roles belong to an organization; the rest are staff.' });

const PRINCIPAL_KINDS = ['ANONYMOUS', 'CUSTOMER', 'PARTNER', 'STAFF'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];
export const PrincipalKind = graphqlEnum('PrincipalKind', PRINCIPAL_KINDS);

const StaffRoleEnum = graphqlEnum('StaffRole', STAFF_ROLES);

@ObjectType('User', { implements: Node })
export class UserType extends Node {
  @Field(() => String)
  name: string;

  @Field(() => String, { nullable: true, description: "Visible to staff and to the user's own organization." })
  email: string | null;

  @Field(() => UserRole)
  role: UserRole;

  static from(user: User, showEmail: boolean): UserType {
    const role = user.staffRole ? user.staffRole : user.customerRole === 'ADMIN' ? UserRole.CUSTOMER_ADMIN : UserRole.CUSTOMER_MEMBER;
    return Object.assign(new UserType(), { id: toGlobalId('User', user.id), name: user.name, email: showEmail ? user.email : null, role });
  }
}

@ObjectType()
export class Viewer {
  @Field(() => PrincipalKind)
  kind: PrincipalKind;

  @Field(() => UserType, { nullable: true })
  user: UserType | null;

  @Field(() => OrganizationType, { nullable: true })
  organization: OrganizationType | null;

  @Field(() => [String], { description: 'API key scopes (partner keys only).' })
  scopes: string[];

  @Field(() => StaffRoleEnum, { nullable: true })
  staffRole: StaffRole | null;
}

/** Who reads API keys: organization admins, keys with `apikeys:manage`, staff admins; by every path. */
export const API_KEYS_RULE: AccessRule = { customer: 'ADMIN', partner: 'apikeys:manage', staff: ['ADMIN'] };

@ObjectType('ApiKey', { implements: Node })
@ReadAccess(API_KEYS_RULE)
export class ApiKeyType extends Node {
  @Field(() => String)
  name: string;

  @Field(() => String, { description: 'The public part of the key (`td_<prefix>_…`), to recognise it.' })
  prefix: string;

  @Field(() => [String])
  scopes: string[];

  @Field(() => StaffRoleEnum, { nullable: true })
  staffRole: StaffRole | null;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;

  static from(key: ApiKey): ApiKeyType {
    return Object.assign(new ApiKeyType(), {
      id: toGlobalId('ApiKey', key.id),
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes,
      staffRole: key.staffRole,
      createdAt: key.createdAt,
      lastUsedAt: key.lastUsedAt,
      revokedAt: key.revokedAt,
    });
  }
}

@InputType()
export class SignInInput {
  @Field(() => String)
  email: string;

  @Field(() => String)
  password: string;
}

@ObjectType()
export class SignInPayload implements WithUserErrors {
  @Field(() => String, { nullable: true, description: 'The session token: send it as `Authorization: Bearer <token>`.' })
  token: string | null;

  @Field(() => Viewer, { nullable: true })
  viewer: Viewer | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class SignOutPayload {
  @Field(() => Boolean)
  signedOut: boolean;
}

@InputType()
export class CreateApiKeyInput {
  @Field(() => String)
  name: string;

  @Field(() => [String], {
    nullable: true,
    description: 'For organization keys: tickets:read, tickets:write, organization:read, apikeys:manage.',
  })
  scopes?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'Staff only: the organization (global id) the key is for.' })
  organizationId?: string | null;

  @Field(() => StaffRoleEnum, { nullable: true, description: 'Staff admins only: issue a staff key with this role instead.' })
  staffRole?: StaffRole | null;
}

@ObjectType()
export class CreateApiKeyPayload implements WithUserErrors {
  @Field(() => ApiKeyType, { nullable: true })
  apiKey: ApiKeyType | null;

  @Field(() => String, { nullable: true, description: 'The full key. Shown once: store it now.' })
  secret: string | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType()
export class RevokeApiKeyInput {
  @Field(() => ID)
  id: string;
}

@ObjectType()
export class RevokeApiKeyPayload implements WithUserErrors {
  @Field(() => ApiKeyType, { nullable: true })
  apiKey: ApiKeyType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
