import { DEMO_PASSWORD } from '../../api/src/db/seed.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

/** A small GraphQL-over-HTTP client: what a partner's integration would do. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, data: body.data ?? null, errors: body.errors };
}

export async function signIn(url: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const result = await gql<{ signIn: { token: string | null; userErrors: { message: string }[] } }>(
    url,
    'mutation($input: SignInInput!) { signIn(input: $input) { token userErrors { message } } }',
    { input: { email, password } },
  );
  const token = result.data?.signIn.token;
  if (!token) throw new Error(`sign-in of ${email} failed: ${JSON.stringify(result)}`);
  return token;
}

export async function createOrgApiKey(url: string, adminToken: string, organizationId: string, scopes: string[]): Promise<string> {
  const result = await gql<{ createApiKey: { secret: string | null; userErrors: unknown[] } }>(
    url,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret userErrors { code message } } }',
    { input: { name: `test key ${scopes.join(' ')}`, organizationId, scopes } },
    adminToken,
  );
  const secret = result.data?.createApiKey.secret;
  if (!secret) throw new Error(`createApiKey failed: ${JSON.stringify(result)}`);
  return secret;
}

/** Looks up an organization's global id as staff. */
export async function organizationId(url: string, staffToken: string, slug: string): Promise<string> {
  const result = await gql<{ organization: { id: string } | null }>(
    url,
    'query($slug: String) { organization(slug: $slug) { id } }',
    { slug },
    staffToken,
  );
  if (!result.data?.organization) throw new Error(`no organization ${slug}`);
  return result.data.organization.id;
}
