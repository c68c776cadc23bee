import { data } from 'react-router';

// Unknown addresses get the friendly 404 page from the root error boundary, without a router error in the log.
export function loader() {
  throw data({ message: 'There is no page at this address.' }, { status: 404 });
}

// A page, not a resource route: the loader always throws, so the error boundary renders instead of this.
export default function NotFound() {
  return null;
}
