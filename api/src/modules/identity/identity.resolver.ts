import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { Access, allows } from '../../shared/access.js';
import type { RequestContext } from '../../shared/context.js';
import { mutationPayload } from '../../shared/graphql.js';
import { fromGlobalId } from '../../shared/ids.js';
import { connectionFrom, ConnectionType, PageArgs, pageRequest, type Connection } from '../../shared/pagination.js';
import { isStaffLike, type Principal } from '../../shared/principal.js';
import { loadOrganization, OrganizationType } from '../organizations/index.js';
import { ApiKey } from './identity.entity.js';
import { createApiKey, listApiKeys, loadUser, revokeApiKey, signIn, signOut } from './identity.service.js';
import {
  API_KEYS_RULE,
  ApiKeyType,
  CreateApiKeyInput,
  CreateApiKeyPayload,
  PrincipalKind,
  RevokeApiKeyInput,
  RevokeApiKeyPayload,
  SignInInput,
  SignInPayload,
  SignOutPayload,
  UserType,
  Viewer,
} from './identity.types.js';

const ApiKeyConnection = ConnectionType('ApiKey', ApiKeyType);

/** Who may read keys, whichever way they ask. */

async function viewerOf(ctx: RequestContext, principal: Principal): Promise<Viewer> {
  const viewer = Object.assign(new Viewer(), { user: null, organization: null, scopes: [], staffRole: null });
  switch (principal.kind) {
    case 'anonymous':
    case 'system':
      return Object.assign(viewer, { kind: PrincipalKind.ANONYMOUS });
    case 'staff': {
      const user = principal.userId ? await loadUser(ctx, principal.userId) : null;
      return Object.assign(viewer, {
        kind: PrincipalKind.STAFF,
        user: user ? UserType.from(user, true) : null,
        staffRole: principal.role,
      });
    }
    case 'customer':
    case 'partner': {
      const organization = await loadOrganization(ctx, principal.organizationId);
      const user = principal.kind === 'customer' ? await loadUser(ctx, principal.userId) : null;
      return Object.assign(viewer, {
        kind: principal.kind === 'customer' ? PrincipalKind.CUSTOMER : PrincipalKind.PARTNER,
        user: user ? UserType.from(user, true) : null,
        organization: organization ? OrganizationType.from(organization) : null,
        scopes: principal.kind === 'partner' ? [...principal.scopes] : [],
      });
    }
  }
}

@Resolver()
export class IdentityResolver {
  @Query(() => Viewer, { description: 'Who the request is made as. Works signed out (kind ANONYMOUS).' })
  @Access({ public: true })
  async viewer(@Ctx() ctx: RequestContext): Promise<Viewer> {
    return viewerOf(ctx, ctx.principal);
  }

  @Mutation(() => SignInPayload, { description: 'Exchanges an email and password for a session token.' })
  @Access({ public: true })
  async signIn(@Arg('input', () => SignInInput) input: SignInInput, @Ctx() ctx: RequestContext): Promise<SignInPayload> {
    return mutationPayload(SignInPayload, async () => {
      const { token, principal } = await signIn(ctx, input);
      return { token, viewer: await viewerOf(ctx.as(principal), principal) };
    });
  }

  @Mutation(() => SignOutPayload, { description: 'Ends the session the request was made with.' })
  @Access({ customer: 'MEMBER', staff: 'ANY' })
  async signOut(@Ctx() ctx: RequestContext): Promise<SignOutPayload> {
    return Object.assign(new SignOutPayload(), { signedOut: await signOut(ctx) });
  }

  @Query(() => ApiKeyConnection, { description: "Organization admins see their organization's keys; staff admins all keys." })
  @Access(API_KEYS_RULE)
  async apiKeys(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: RequestContext): Promise<Connection<ApiKeyType>> {
    return connectionFrom(await listApiKeys(ctx, pageRequest(page)), ApiKeyType.from);
  }

  @Mutation(() => CreateApiKeyPayload, { description: 'Issues a key. The secret is in the payload once and never again.' })
  @Access({ customer: 'ADMIN', partner: 'apikeys:manage', staff: ['ADMIN'] })
  async createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CreateApiKeyPayload> {
    return mutationPayload(CreateApiKeyPayload, async () => {
      const organizationId = input.organizationId ? fromGlobalId('Organization', input.organizationId, 'organizationId') : null;
      const { apiKey, secret } = await createApiKey(ctx, { ...input, organizationId, scopes: input.scopes ?? [] });
      return { apiKey: ApiKeyType.from(apiKey), secret };
    });
  }

  @Mutation(() => RevokeApiKeyPayload)
  @Access({ customer: 'ADMIN', partner: 'apikeys:manage', staff: ['ADMIN'] })
  async revokeApiKey(
    @Arg('input', () => RevokeApiKeyInput) input: RevokeApiKeyInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RevokeApiKeyPayload> {
    return mutationPayload(RevokeApiKeyPayload, async () => ({
      apiKey: ApiKeyType.from(await revokeApiKey(ctx, fromGlobalId('ApiKey', input.id))),
    }));
  }
}

/** `node(id:)` for users: staff see every user with e-mail; customers see their organization's users and staff. */
export async function userNode(ctx: RequestContext, id: string): Promise<UserType | null> {
  const user = await loadUser(ctx, id);
  return user && UserType.from(user, isStaffLike(ctx.principal) || user.organization !== null);
}

/**
 * `node(id:)` for keys: whoever may list keys (`apiKeys`: organization admins, keys with `apikeys:manage`, staff
 * admins), confined to their organization by the tenant filter; staff keys only for staff admins.
 */
export async function apiKeyNode(ctx: RequestContext, id: string): Promise<ApiKeyType | null> {
  if (!allows(API_KEYS_RULE, ctx.principal)) return null;
  const key = await ctx.em.findOne(ApiKey, { id });
  if (!key || (key.staffRole && !(ctx.principal.kind === 'staff' && ctx.principal.role === 'ADMIN'))) return null;
  return ApiKeyType.from(key);
}
