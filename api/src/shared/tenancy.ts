/**
 * Tenancy in the data layer: every tenant-owned entity declares the `tenant` filter, on by default.
 * A request must bind its parameters before any query runs; a query without them throws
 * ("No arguments provided for filter 'tenant'"), so a forgotten binding fails closed.
 * Staff and system work state `{ allTenants: true }` explicitly rather than switching the filter off.
 */
export const TENANT_FILTER = 'tenant';

export type TenantFilterParams = { organizationId: string; allTenants?: never } | { allTenants: true; organizationId?: never };

function assertParams(params: TenantFilterParams | undefined): asserts params is TenantFilterParams {
  if (!params || (!params.allTenants && !params.organizationId)) {
    throw new Error('tenant filter used without an organization or an explicit allTenants');
  }
}

export const tenantFilter = {
  name: TENANT_FILTER,
  default: true,
  cond: (params: TenantFilterParams) => {
    assertParams(params);
    return params.allTenants ? {} : { organization: params.organizationId };
  },
};

/** Users of an organization plus staff (who have no organization) are visible to that organization. */
export const userTenantFilter = {
  name: TENANT_FILTER,
  default: true,
  cond: (params: TenantFilterParams) => {
    assertParams(params);
    return params.allTenants ? {} : { $or: [{ organization: params.organizationId }, { organization: null }] };
  },
};

export const organizationTenantFilter = {
  name: TENANT_FILTER,
  default: true,
  cond: (params: TenantFilterParams) => {
    assertParams(params);
    return params.allTenants ? {} : { id: params.organizationId };
  },
};
