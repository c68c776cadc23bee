import { PortalViewerDocument, SignInDocument } from '@tierdesk/schema';
import { data, Form, redirect, useNavigation } from 'react-router';
import { ApiError, execute, failureResponse } from '../lib/api.server';
import { landingFor, safeRedirectPath, sessionToken, startSession } from '../lib/session.server';
import type { Route } from './+types/signin';

export function meta() {
  return [{ title: 'Sign in · Tierdesk support' }];
}

// An empty `redirectTo` means "where you belong": the console for staff, the dashboard for customers.
export async function loader({ request, url }: Route.LoaderArgs) {
  const redirectTo = safeRedirectPath(url.searchParams.get('redirectTo'), '');
  if (await sessionToken(request)) throw redirect(redirectTo || '/');
  return { redirectTo };
}

export async function action(args: Route.ActionArgs) {
  const { request } = args;
  const form = await request.formData();
  const email = String(form.get('email') ?? '').trim();
  const password = String(form.get('password') ?? '');
  const redirectTo = safeRedirectPath(form.get('redirectTo'), '');
  const failed = (message: string) => data({ error: message, email }, { status: 400 });

  if (!email || !password) return failed('Enter your email and password.');

  let result;
  try {
    result = await execute(SignInDocument, { input: { email, password } }, null);
  } catch (error) {
    // Wrong credentials may come back as an UNAUTHENTICATED error rather than a userError: same message either way.
    if (error instanceof ApiError && (error.code === 'UNAUTHENTICATED' || error.code === 'BAD_USER_INPUT')) {
      return failed(error.userMessage);
    }
    if (error instanceof ApiError && error.code === 'RATE_LIMITED') return failed(error.userMessage);
    return failureResponse(args, error);
  }

  const { token, userErrors } = result.signIn;
  if (userErrors.length > 0 || !token) return failed(userErrors[0]?.message ?? 'Sign-in failed. Please try again.');
  let landing = redirectTo;
  if (!landing) {
    try {
      landing = landingFor((await execute(PortalViewerDocument, {}, token)).viewer.kind);
    } catch (error) {
      return failureResponse(args, error);
    }
  }
  throw redirect(landing, { headers: { 'Set-Cookie': await startSession(request, token) } });
}

export default function SignIn({ loaderData, actionData }: Route.ComponentProps) {
  const submitting = useNavigation().state === 'submitting';
  return (
    <main className="page page--narrow">
      <h1>Sign in to Tierdesk support</h1>
      <Form method="post" className="form">
        {actionData?.error ? (
          <div role="alert" className="alert alert--error">
            {actionData.error}
          </div>
        ) : null}
        <input type="hidden" name="redirectTo" value={loaderData.redirectTo} />
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="username" required defaultValue={actionData?.email ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        <button type="submit" className="button button--primary" disabled={submitting}>
          Sign in
        </button>
      </Form>
    </main>
  );
}
