import { ConsoleViewerDocument, type ConsoleViewerQuery, type Presence, type StaffRole } from '@tierdesk/schema';
import { data } from 'react-router';
import type { ErrorBody } from '../components/error-message';
import { ApiError, execute, failureResponse, PortalApi, requireApi } from './api.server';
import type { HandlerArgs } from './session.server';

/** What a console page knows about who is signed in. */
export interface StaffMember {
  userId: string;
  name: string;
  email: string | null;
  role: StaffRole;
  /** Null when the staff member has no agent profile (no skills, never assigned tickets). */
  presence: Presence | null;
  onShift: boolean;
  unreadNotifications: number;
}

/** Which parts of the console a role may use. The API decides every operation; this only hides what would be refused. */
export function consoleAbilities(role: StaffRole) {
  return {
    /** Create, edit, archive and restore knowledge-base articles. */
    editArticles: role === 'SPECIALIST' || role === 'ADMIN',
  };
}

const refusal = (message: string): ErrorBody => ({ message, back: { to: '/dashboard', label: 'Go to your dashboard' } });

/**
 * The API for a signed-in staff member, and who they are. Without a session: sign-in. A customer (or anyone else
 * who is not staff) is refused with a way back to the customer portal; the API would refuse the data anyway.
 */
export async function requireStaff(args: HandlerArgs): Promise<{ api: PortalApi; staff: StaffMember }> {
  const api = await requireApi(args);
  let result: ConsoleViewerQuery;
  try {
    result = await execute(ConsoleViewerDocument, {}, api.token);
  } catch (error) {
    // `agent` and `myNotifications` are staff-only reads: a customer's session fails them with FORBIDDEN.
    if (error instanceof ApiError && error.code === 'FORBIDDEN') {
      throw data(refusal('The staff console is for support staff. Your account uses the customer portal.'), { status: 403 });
    }
    return failureResponse(args, error);
  }
  const { viewer, agent, myNotifications } = result;
  if (viewer.kind !== 'STAFF' || !viewer.staffRole || !viewer.user) {
    throw data(refusal('The staff console is for support staff. Your account uses the customer portal.'), { status: 403 });
  }
  return {
    api,
    staff: {
      userId: viewer.user.id,
      name: viewer.user.name,
      email: viewer.user.email ?? null,
      role: viewer.staffRole,
      presence: agent?.presence ?? null,
      onShift: agent?.onShift ?? false,
      unreadNotifications: myNotifications.totalCount,
    },
  };
}
