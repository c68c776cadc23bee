import { Entity, Enum, Filter, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/entity.js';
import { tenantFilter, userTenantFilter } from '../../shared/tenancy.js';
import type { ApiScope, CustomerRole, StaffRole } from '../../shared/principal.js';
import { Organization } from '../organizations/index.js';

/** A person who signs in: a customer user (with an organization) or a staff member (without). */
@Entity({ tableName: 'app_user' })
@Filter(userTenantFilter)
export class User extends BaseEntity {
  @Property({ type: 'string', length: 254, unique: true })
  email: string;

  @Property({ type: 'string', length: 200 })
  name: string;

  @Property({ type: 'text', nullable: true, hidden: true })
  passwordHash: string | null = null;

  @ManyToOne({ entity: () => Organization, nullable: true, deleteRule: 'cascade' })
  organization: Organization | null = null;

  @Enum({ items: ['MEMBER', 'ADMIN'], nullable: true })
  customerRole: CustomerRole | null = null;

  @Enum({ items: ['AGENT', 'SPECIALIST', 'ON_CALL_ENGINEER', 'ADMIN'], nullable: true })
  staffRole: StaffRole | null = null;

  @Property({ type: 'boolean' })
  active: boolean = true;
}

/** A portal sign-in. Only the SHA-256 of the token is stored. */
@Entity({ tableName: 'session' })
export class Session extends BaseEntity {
  @ManyToOne({ entity: () => User, deleteRule: 'cascade' })
  user: User;

  @Property({ type: 'string', length: 64, unique: true })
  tokenHash: string;

  @Property({ type: 'datetime' })
  expiresAt: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}

/**
 * An API key: of an organization (a partner integration, with scopes) or of staff (with a staff role).
 * The secret is shown once; only its SHA-256 is stored, found through the public prefix.
 */
@Entity({ tableName: 'api_key' })
@Filter(tenantFilter)
export class ApiKey extends BaseEntity {
  @ManyToOne({ entity: () => Organization, nullable: true, deleteRule: 'cascade' })
  organization: Organization | null = null;

  @Property({ type: 'string', length: 120 })
  name: string;

  @Property({ type: 'string', length: 16, unique: true })
  prefix: string;

  @Property({ type: 'string', length: 64, hidden: true })
  secretHash: string;

  @Property({ type: 'array' })
  scopes: ApiScope[] = [];

  @Enum({ items: ['AGENT', 'SPECIALIST', 'ON_CALL_ENGINEER', 'ADMIN'], nullable: true })
  staffRole: StaffRole | null = null;

  @Property({ type: 'string', length: 200 })
  createdBy: string;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;
}
