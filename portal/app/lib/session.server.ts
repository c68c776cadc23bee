import { createCookieSessionStorage, redirect } from 'react-router';

/** What the portal keeps in its cookie: only the API session token. Everything else is asked of the API. */
interface SessionData {
  token: string;
}

const SESSION_COOKIE = 'td_session';
const SESSION_MAX_AGE_SECONDS = 60 * 60 * 24 * 7; // the API's default session lifetime; it may end sooner
const DEV_SECRET = 'tierdesk-portal-development-secret';
/** Where a signed-in customer lands. */
const DEFAULT_LANDING = '/dashboard';
/** Where a signed-in staff member lands. */
export const CONSOLE_LANDING = '/console';

/** Where a signed-in user belongs: staff in the console, everyone else in the customer portal. */
export function landingFor(kind: string): string {
  return kind === 'STAFF' ? CONSOLE_LANDING : DEFAULT_LANDING;
}

/**
 * `PORTAL_SESSION_SECRET` signs the cookie. A comma-separated list rotates secrets: the first signs, all verify.
 * The development default is fine locally; a production deployment must set its own.
 */
function sessionSecrets(): string[] {
  const configured = (process.env.PORTAL_SESSION_SECRET ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
  if (configured.length > 0) return configured;
  if (process.env.NODE_ENV === 'production') {
    console.warn('[portal] PORTAL_SESSION_SECRET is not set: session cookies are signed with the public development secret.');
  }
  return [DEV_SECRET];
}

const storage = createCookieSessionStorage<SessionData>({
  cookie: {
    name: SESSION_COOKIE,
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: SESSION_MAX_AGE_SECONDS,
    secrets: sessionSecrets(),
  },
});

/**
 * `Secure` follows the request: set behind TLS (directly or via a proxy that says so), left off for plain-HTTP
 * development, where a Secure cookie would not be sent back.
 */
function cookieOptions(request: Request) {
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  const secure = (forwarded ?? new URL(request.url).protocol.replace(':', '')) === 'https';
  return { secure };
}

export async function sessionToken(request: Request): Promise<string | null> {
  const session = await storage.getSession(request.headers.get('Cookie'));
  return session.get('token') ?? null;
}

/** The Set-Cookie value that starts a session holding `token`. */
export async function startSession(request: Request, token: string): Promise<string> {
  const session = await storage.getSession(request.headers.get('Cookie'));
  session.set('token', token);
  return storage.commitSession(session, cookieOptions(request));
}

/** The Set-Cookie value that removes the session cookie. */
export async function endSession(request: Request): Promise<string> {
  const session = await storage.getSession(request.headers.get('Cookie'));
  return storage.destroySession(session, cookieOptions(request));
}

/**
 * A path on this site to come back to after signing in; anything else (other hosts, `//evil`, `/\evil`, control
 * characters that browsers strip) falls back. The value is resolved the way a browser would, then must stay home.
 */
export function safeRedirectPath(value: FormDataEntryValue | string | null | undefined, fallback = DEFAULT_LANDING): string {
  // eslint-disable-next-line no-control-regex -- a path with control characters is refused
  if (typeof value !== 'string' || !value.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(value)) return fallback;
  const home = 'http://portal.invalid';
  const resolved = new URL(value, home);
  if (resolved.origin !== home) return fallback;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}

/** What loaders and actions receive that the portal's helpers need: the raw request and the page's URL. */
export interface HandlerArgs {
  request: Request;
  url: URL;
}

/** Sends the browser to the sign-in page, dropping the (missing or no longer valid) session cookie. */
export async function redirectToSignIn({ request, url }: HandlerArgs): Promise<never> {
  const back = `${url.pathname}${url.search}`;
  const returns = back !== '/' && back !== DEFAULT_LANDING && back !== CONSOLE_LANDING && !back.startsWith('/signin');
  const location = returns ? `/signin?${new URLSearchParams({ redirectTo: back })}` : '/signin';
  const hadSession = (await sessionToken(request)) !== null;
  throw redirect(location, hadSession ? { headers: { 'Set-Cookie': await endSession(request) } } : undefined);
}
