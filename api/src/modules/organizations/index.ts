import type { ModuleDefinition } from '../../shared/module.js';
import { EntitlementOverride, Organization, OrganizationCalendarChange, TierChange } from './organization.entity.js';
import { OrganizationResolver, organizationNode } from './organization.resolver.js';

/** Organizations: customer accounts, their tier and its history, their calendar, their contract overrides. */
export { EntitlementOverride, Organization, OrganizationCalendarChange, TierChange } from './organization.entity.js';
export { checkCriteria, isValidTimeZone, suggestTier } from './organization.policy.js';
export {
  changeTier,
  createOrganization,
  entitlementsAcrossTenants,
  loadOrganization,
  ORGANIZATION_EVENTS,
  organizationEntitlements,
  preloadOrganizations,
} from './organization.service.js';
export { OrganizationPayload, OrganizationType } from './organization.types.js';

export const organizationsModule: ModuleDefinition = {
  name: 'organizations',
  entities: [Organization, TierChange, OrganizationCalendarChange, EntitlementOverride],
  resolvers: [OrganizationResolver],
  nodes: { Organization: organizationNode },
};
