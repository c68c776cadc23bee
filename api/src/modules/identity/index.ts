import type { ModuleDefinition } from '../../shared/module.js';
import { ApiKey, Session, User } from './identity.entity.js';
import { apiKeyNode, IdentityResolver, userNode } from './identity.resolver.js';

/** Identity: users, sign-in sessions and API keys, and turning a request's credentials into a principal. */
export { ApiKey, User } from './identity.entity.js';
export { authenticate, createApiKey, createUser, IDENTITY_SETTINGS, loadUser, preloadUsers, SIGN_IN_THROTTLE } from './identity.service.js';
export type { SignInThrottle } from './identity.service.js';
export { API_KEYS_RULE, UserType } from './identity.types.js';

export const identityModule: ModuleDefinition = {
  name: 'identity',
  entities: [User, Session, ApiKey],
  resolvers: [IdentityResolver],
  nodes: { User: userNode, ApiKey: apiKeyNode },
};
