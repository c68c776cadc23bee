// The benchmarks' one GraphQL call (setup, checks, sign-in); the load itself goes through lib/load.mjs.
import { DEMO_PASSWORD } from '@tierdesk/api/db/seed';

/** POSTs one operation; fails loudly on a non-2xx answer or any GraphQL error. The request id counts its statements. */
export async function graphql(url, query, variables, token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const result = await response.json();
  if (!response.ok || result.errors) throw new Error(`GraphQL ${response.status}: ${JSON.stringify(result.errors ?? result)}`);
  return { data: result.data, requestId: response.headers.get('x-request-id') };
}

/** A session token of a demo user (every demo user has DEMO_PASSWORD). */
export async function signIn(url, email) {
  const { data } = await graphql(url, 'mutation($input: SignInInput!) { signIn(input: $input) { token userErrors { message } } }', {
    input: { email, password: DEMO_PASSWORD },
  });
  if (!data.signIn.token) throw new Error(`sign-in of ${email} failed: ${JSON.stringify(data.signIn.userErrors)}`);
  return data.signIn.token;
}
