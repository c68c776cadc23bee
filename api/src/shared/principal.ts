export const STAFF_ROLES = ['AGENT', 'SPECIALIST', 'ON_CALL_ENGINEER', 'ADMIN'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export type CustomerRole = 'MEMBER' | 'ADMIN';

/** What an organization's API key may be granted. Staff keys carry a staff role instead. */
export const API_SCOPES = ['tickets:read', 'tickets:write', 'organization:read', 'apikeys:manage'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'customer'; userId: string; organizationId: string; role: CustomerRole; sessionId: string }
  | { kind: 'partner'; apiKeyId: string; organizationId: string; scopes: readonly ApiScope[] }
  | { kind: 'staff'; role: StaffRole; userId: string | null; apiKeyId: string | null; sessionId?: string | null }
  | { kind: 'system'; reason: string };

export const anonymous: Principal = { kind: 'anonymous' };
export const systemPrincipal = (reason: string): Principal => ({ kind: 'system', reason });

/** The organization whose data the principal is confined to, or null for staff and system work. */
export function tenantOf(principal: Principal): string | null {
  return principal.kind === 'customer' || principal.kind === 'partner' ? principal.organizationId : null;
}

export function isStaffLike(principal: Principal): principal is Extract<Principal, { kind: 'staff' | 'system' }> {
  return principal.kind === 'staff' || principal.kind === 'system';
}
