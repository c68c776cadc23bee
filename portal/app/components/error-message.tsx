import { isRouteErrorResponse, Link } from 'react-router';

const TITLES: Record<number, string> = {
  400: 'That request was not valid',
  403: 'Not allowed',
  404: 'Not found',
  429: 'Please slow down',
  503: 'Support is temporarily unavailable',
};

/**
 * What an error boundary shows. Only messages the portal itself wrote (thrown as `data({ message })`) reach the
 * page; anything else reads as a generic apology. Stack traces never do.
 */
export function ErrorMessage({ error }: { error: unknown }) {
  let title = 'Something went wrong';
  let message = 'We could not load this page. Please try again in a moment.';
  if (isRouteErrorResponse(error)) {
    title = TITLES[error.status] ?? title;
    const portalMessage = (error.data as { message?: unknown } | null)?.message;
    if (typeof portalMessage === 'string') message = portalMessage;
    else if (error.status === 404) message = 'There is no page at this address.';
  }
  return (
    <section className="error-panel" aria-labelledby="error-title">
      <h1 id="error-title">{title}</h1>
      <p>{message}</p>
      <p>
        <Link to="/dashboard">Back to your dashboard</Link>
      </p>
    </section>
  );
}
