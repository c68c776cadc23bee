import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../shared/clock.js';
import { actorOf, defineLoaders, ServiceKey, type RequestContext } from '../../shared/context.js';
import { BatchLoader, type MaybePromise } from '../../shared/loaders.js';
import { sqlRows } from '../../shared/sql.js';
import { TENANT_FILTER } from '../../shared/tenancy.js';
import { AppError, badInput, notFound } from '../../shared/errors.js';
import { afterCursorCondition, keysetOrder, toPage, type Page, type PageRequest } from '../../shared/pagination.js';
import { anonymous, API_SCOPES, type ApiScope, type CustomerRole, type Principal, type StaffRole } from '../../shared/principal.js';
import { Organization } from '../organizations/index.js';
import { hashPassword, newApiKeySecret, newSessionToken, parseBearer, passwordMatches, secretMatches, sha256 } from './credentials.js';
import { ApiKey, Session, User } from './identity.entity.js';

export interface IdentitySettings {
  /** How long a sign-in lasts. */
  sessionTtlHours: number;
}

export const IDENTITY_SETTINGS = new ServiceKey<IdentitySettings>('identity.settings');

/** Failed sign-ins, counted where every API process sees them (the composition root provides the store). */
export interface SignInThrottle {
  /** Why this account or address may not try now (a wait after repeated failures, or a lock), or null. */
  refusal(account: string, address: string | null): Promise<{ locked: boolean; retryAfterSeconds: number } | null>;
  failed(account: string, address: string | null): Promise<void>;
  succeeded(account: string): Promise<void>;
}

export const SIGN_IN_THROTTLE = new ServiceKey<SignInThrottle>('identity.sign-in-throttle');

function throttled({ locked, retryAfterSeconds }: { locked: boolean; retryAfterSeconds: number }): AppError {
  const wait = retryAfterSeconds >= 120 ? `${Math.ceil(retryAfterSeconds / 60)} min` : `${retryAfterSeconds} s`;
  return locked
    ? new AppError(
        'SIGN_IN_LOCKED',
        `Too many failed sign-ins: signing in is locked for ${wait}. Reset your password or try again later.`,
        {
          retryAfterSeconds,
        },
      )
    : new AppError('SIGN_IN_THROTTLED', `Too many failed sign-ins: wait ${wait} before trying again.`, { retryAfterSeconds });
}

const loaders = defineLoaders((ctx) => ({
  user: new BatchLoader<string, User | null>(async (ids) => {
    const found = new Map((await ctx.em.find(User, { id: { $in: [...ids] } })).map((user) => [user.id, user]));
    return ids.map((id) => found.get(id) ?? null);
  }),
}));

/**
 * A user by id, batched per request (at once when this request has it already); a customer of another organization
 * reads as null (the tenant filter).
 */
export function loadUser(ctx: RequestContext, id: string): MaybePromise<User | null> {
  return ctx.loaders(loaders).user.now(id);
}

/** Loads these users in one statement, so that `loadUser` then answers at once for each. */
export async function preloadUsers(ctx: RequestContext, ids: Iterable<string>): Promise<void> {
  await ctx.loaders(loaders).user.loadMany([...new Set(ids)]);
}

interface SessionLookup {
  id: string;
  /** Timestamps come as PostgreSQL's text through the ORM's driver (it parses them itself for entities). */
  revoked_at: string | null;
  expires_at: string;
  user_id: string;
  active: boolean;
  staff_role: StaffRole | null;
  organization_id: string | null;
  customer_role: CustomerRole | null;
}

/** Don't write `last_used_at` on every request of a busy integration; minute precision is what people read. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Turns an `Authorization` header into a principal. No header is anonymous; a header that is present but wrong
 * is an error, never a silent downgrade to anonymous.
 */
/**
 * The principal of an Authorization header. `base` is the EntityManager to read through (forked here, across
 * tenants): the HTTP server passes one carrying the request's logger context, so the lookup counts as the request's.
 */
export async function authenticate(base: EntityManager, authorization: string | undefined, clock: Clock): Promise<Principal> {
  if (!authorization) return anonymous;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw new AppError('MALFORMED_API_KEY', 'The Authorization header must be "Bearer <key or session token>".');
  const credential = parseBearer(match[1]!);
  const em = base.fork();
  em.setFilterParams(TENANT_FILTER, { allTenants: true });
  const now = clock.now();

  if (credential.kind === 'malformed') {
    throw new AppError('MALFORMED_API_KEY', 'The bearer token is not a Tierdesk API key or session token.');
  }
  if (credential.kind === 'session') {
    // Every signed-in request runs this lookup, and it reads only: one statement, no entities (which cost several
    // times the query; see readRows). It is a lookup across tenants by design, like the fork above.
    const [session] = await sqlRows<SessionLookup>(
      em,
      `select s.id, s.revoked_at, s.expires_at, u.id as user_id, u.active, u.staff_role, u.organization_id, u.customer_role
       from session s join app_user u on u.id = s.user_id
       where s.token_hash = ?`,
      [sha256(credential.token)],
    );
    if (!session || session.revoked_at || new Date(session.expires_at) <= now || !session.active) {
      throw new AppError('UNAUTHENTICATED', 'The session has expired or was signed out; sign in again.');
    }
    if (session.staff_role)
      return { kind: 'staff', role: session.staff_role, userId: session.user_id, apiKeyId: null, sessionId: session.id };
    if (!session.organization_id || !session.customer_role) throw new AppError('UNAUTHENTICATED', 'This user cannot sign in.');
    return {
      kind: 'customer',
      userId: session.user_id,
      organizationId: session.organization_id,
      role: session.customer_role,
      sessionId: session.id,
    };
  }

  const key = await em.findOne(ApiKey, { prefix: credential.prefix });
  if (!key || !secretMatches(credential.secret, key.secretHash)) {
    throw new AppError('UNAUTHENTICATED', 'The API key is not valid.');
  }
  if (key.revokedAt) throw new AppError('API_KEY_REVOKED', 'The API key was revoked.');
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: now });
  }
  if (key.staffRole) return { kind: 'staff', role: key.staffRole, userId: null, apiKeyId: key.id };
  if (!key.organization) throw new AppError('UNAUTHENTICATED', 'The API key belongs to nobody.');
  return { kind: 'partner', apiKeyId: key.id, organizationId: key.organization.id, scopes: key.scopes };
}

const GENERIC_SIGN_IN_FAILURE = 'The email or password is not correct.';

export async function signIn(
  ctx: RequestContext,
  input: { email: string; password: string },
): Promise<{ token: string; principal: Principal }> {
  const { sessionTtlHours } = ctx.services.get(IDENTITY_SETTINGS);
  const email = input.email.trim().toLowerCase();
  if (!email || email.length > 254) throw badInput('email', 'Enter the email address you were invited with.');
  if (!input.password || input.password.length > 1024) throw badInput('password', 'Enter your password.');
  // Known and unknown emails are throttled alike, so the refusals do not reveal which accounts exist.
  const throttle = ctx.services.get(SIGN_IN_THROTTLE);
  const refusal = await throttle.refusal(email, ctx.clientAddress);
  if (refusal) throw throttled(refusal);
  const em = ctx.em.fork();
  em.setFilterParams(TENANT_FILTER, { allTenants: true });
  const user = await em.findOne(User, { email });
  // Verify even for unknown emails so response time does not reveal which emails exist.
  const matches = await passwordMatches(input.password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !user.active || !matches) {
    await throttle.failed(email, ctx.clientAddress);
    throw new AppError('INVALID_CREDENTIALS', GENERIC_SIGN_IN_FAILURE, { field: ['input', 'password'] });
  }
  await throttle.succeeded(email);

  const token = newSessionToken();
  const session = new Session();
  session.user = user;
  session.tokenHash = sha256(token);
  session.expiresAt = new Date(ctx.clock.now().getTime() + sessionTtlHours * 3_600_000);
  await em.persistAndFlush(session);
  const principal: Principal = user.staffRole
    ? { kind: 'staff', role: user.staffRole, userId: user.id, apiKeyId: null, sessionId: session.id }
    : { kind: 'customer', userId: user.id, organizationId: user.organization!.id, role: user.customerRole!, sessionId: session.id };
  return { token, principal };
}

let dummy: Promise<string> | undefined;
const dummyHash = (): Promise<string> => (dummy ??= hashPassword('no user has this password'));

/** Ends the session the request was made with (customers and staff alike); keys have no session to end. */
export async function signOut(ctx: RequestContext): Promise<boolean> {
  const principal = ctx.principal;
  const sessionId = principal.kind === 'customer' ? principal.sessionId : principal.kind === 'staff' ? (principal.sessionId ?? null) : null;
  if (!sessionId) return false;
  await ctx.em.nativeUpdate(Session, { id: sessionId }, { revokedAt: ctx.clock.now() });
  return true;
}

export async function createUser(
  ctx: RequestContext,
  input: {
    email: string;
    name: string;
    password: string | null;
    organization: Organization | null;
    customerRole?: User['customerRole'];
    staffRole?: StaffRole | null;
  },
): Promise<User> {
  const user = new User();
  user.email = input.email.trim().toLowerCase();
  user.name = input.name;
  user.passwordHash = input.password ? await hashPassword(input.password) : null;
  user.organization = input.organization;
  user.customerRole = input.organization ? (input.customerRole ?? 'MEMBER') : null;
  user.staffRole = input.organization ? null : (input.staffRole ?? 'AGENT');
  ctx.em.persist(user);
  return user;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  secret: string;
}

/**
 * Issues an API key. Organization keys get scopes; staff keys get a staff role. Customers may issue keys only
 * for their own organization (admins), and never staff keys.
 */
export async function createApiKey(
  ctx: RequestContext,
  input: { name: string; organizationId?: string | null; scopes?: readonly string[]; staffRole?: StaffRole | null },
): Promise<CreatedApiKey> {
  const name = input.name.trim();
  if (!name || name.length > 120) throw badInput('name', 'Give the key a name of 1 to 120 characters.');
  const principal = ctx.principal;
  const key = new ApiKey();
  key.name = name;
  key.createdBy = actorOf(ctx).actor;

  if (input.staffRole) {
    if (!(principal.kind === 'system' || (principal.kind === 'staff' && principal.role === 'ADMIN'))) {
      throw new AppError('FORBIDDEN', 'Only staff admins can issue staff keys.');
    }
    if (input.organizationId || input.scopes?.length) throw badInput('staffRole', 'A staff key has a role, not an organization or scopes.');
    key.staffRole = input.staffRole;
  } else {
    const organizationId = principal.kind === 'customer' || principal.kind === 'partner' ? principal.organizationId : input.organizationId;
    if (!organizationId) throw badInput('organizationId', 'Name the organization the key belongs to.');
    const organization = await ctx.em.findOne(Organization, { id: organizationId });
    if (!organization) throw notFound('Organization');
    const scopes = [...new Set(input.scopes ?? [])];
    const unknown = scopes.filter((scope) => !API_SCOPES.includes(scope as ApiScope));
    if (unknown.length) throw badInput('scopes', `Unknown scopes: ${unknown.join(', ')}. Known: ${API_SCOPES.join(', ')}.`);
    if (!scopes.length) throw badInput('scopes', 'Grant at least one scope.');
    // A key that manages keys may hand out only what it holds: otherwise `apikeys:manage` alone is every scope.
    if (principal.kind === 'partner') {
      const beyond = scopes.filter((scope) => !principal.scopes.includes(scope as ApiScope));
      if (beyond.length) {
        throw new AppError('FORBIDDEN', `This key cannot grant scopes it does not hold: ${beyond.join(', ')}.`, {
          field: ['input', 'scopes'],
        });
      }
    }
    key.organization = organization;
    key.scopes = scopes as ApiScope[];
  }
  const { prefix, secret, key: fullKey } = newApiKeySecret();
  key.prefix = prefix;
  key.secretHash = sha256(secret);
  await ctx.em.persistAndFlush(key);
  return { apiKey: key, secret: fullKey };
}

export async function revokeApiKey(ctx: RequestContext, id: string): Promise<ApiKey> {
  const key = await ctx.em.findOne(ApiKey, { id });
  if (!key) throw notFound('API key');
  if (key.staffRole && !(ctx.principal.kind === 'staff' && ctx.principal.role === 'ADMIN') && ctx.principal.kind !== 'system') {
    throw notFound('API key');
  }
  if (key.revokedAt) throw new AppError('CONFLICT', 'The API key is already revoked.');
  key.revokedAt = ctx.clock.now();
  await ctx.em.flush();
  return key;
}

export async function listApiKeys(ctx: RequestContext, request: PageRequest): Promise<Page<ApiKey>> {
  const rows = await ctx.em.find(ApiKey, afterCursorCondition(request.after), { orderBy: keysetOrder(), limit: request.first + 1 });
  return toPage(rows, request, () => ctx.em.count(ApiKey, {}));
}
