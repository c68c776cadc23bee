import { isRouteErrorResponse, Link } from 'react-router';

const TITLES: Record<number, string> = {
  400: 'That request was not valid',
  403: 'Not allowed',
  404: 'Not found',
  429: 'Please slow down',
  503: 'Support is temporarily unavailable',
};

/** Where an error page sends the reader back to: a page the thrower knows works for them. */
export interface BackLink {
  to: string;
  label: string;
}

const DEFAULT_BACK: BackLink = { to: '/dashboard', label: 'Back to your dashboard' };

/** The body of an error the portal or the console throws on purpose: `throw data(refusal(…), { status })`. */
export interface ErrorBody {
  message: string;
  back?: BackLink;
}

function isBackLink(value: unknown): value is BackLink {
  const candidate = value as Partial<BackLink> | null;
  return typeof candidate?.to === 'string' && candidate.to.startsWith('/') && typeof candidate.label === 'string';
}

/**
 * What an error boundary shows. Only messages the portal itself wrote (thrown as `data({ message })`) reach the
 * page; anything else reads as a generic apology. Stack traces never do. The way back is the thrower's (a staff
 * member refused by the customer portal is sent to the console, not to the page that refused them), else `back`.
 */
export function ErrorMessage({ error, back = DEFAULT_BACK }: { error: unknown; back?: BackLink }) {
  let title = 'Something went wrong';
  let message = 'We could not load this page. Please try again in a moment.';
  let way = back;
  if (isRouteErrorResponse(error)) {
    title = TITLES[error.status] ?? title;
    const body = error.data as Partial<ErrorBody> | null;
    if (typeof body?.message === 'string') message = body.message;
    else if (error.status === 404) message = 'There is no page at this address.';
    if (isBackLink(body?.back)) way = body.back;
  }
  return (
    <section className="error-panel" aria-labelledby="error-title">
      <h1 id="error-title">{title}</h1>
      <p>{message}</p>
      <p>
        <Link to={way.to}>{way.label}</Link>
      </p>
    </section>
  );
}
