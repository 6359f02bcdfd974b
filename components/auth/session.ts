import 'server-only';
/**
 * Who is signed in, for pages, server actions and route handlers. Every server entry point calls
 * `requireUser()` (any signed-in user) or `requireUser('engineer')`: roles are enforced on the server,
 * never only by hiding buttons.
 */
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { canDo, userForSession, type SessionUser } from '@/lib/auth/sessions';
import type { Role } from '@/lib/auth/users';
import { KeystoneError } from '@/lib/errors';
import { appCatalog } from '@/components/server-context';

export const SESSION_COOKIE = 'ks_session';

export async function currentUser(): Promise<SessionUser | undefined> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const { db } = await appCatalog();
  return userForSession(db, token);
}

/**
 * For pages: redirects to the sign-in page when nobody is signed in (back to `from` afterwards).
 * A page that an analyst may open but not use should call `requireUser()` and check `canDo` itself,
 * to show a refusal instead of an error page.
 */
export async function requireUser(role: Role = 'analyst', from?: string): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(from && from.startsWith('/') && !from.startsWith('//') ? `/sign-in?next=${encodeURIComponent(from)}` : '/sign-in');
  if (!canDo(user, role)) {
    throw new KeystoneError('forbidden:role', `This needs the ${role} role; you are signed in as ${user.username} (${user.role}).`);
  }
  return user;
}

/** For server actions and route handlers: never redirects, throws `forbidden` / `unauthenticated`. */
export async function requireUserForAction(role: Role = 'analyst'): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw new KeystoneError('forbidden:signed_out', 'You are signed out; sign in again.');
  if (!canDo(user, role)) {
    throw new KeystoneError('forbidden:role', `This needs the ${role} role; you are signed in as ${user.username} (${user.role}).`);
  }
  return user;
}
