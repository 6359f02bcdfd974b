'use server';
/** Sign-in and sign-out. The session token lives only in an HttpOnly cookie; the catalog keeps its hash. */
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { endSession, signIn } from '@/lib/auth/sessions';
import { signInThrottle } from '@/lib/auth/throttle';
import { isKeystoneError } from '@/lib/errors';
import { appCatalog } from '@/components/server-context';
import { SESSION_COOKIE } from '@/components/auth/session';
import { actionFailure } from '@/components/action-result';

export interface SignInState {
  error?: string;
  username?: string;
}

/** Only a path on this site: never `//host` or an absolute URL (no open redirect). */
function safeNext(value: FormDataEntryValue | null): string {
  const s = typeof value === 'string' ? value : '';
  return s.startsWith('/') && !s.startsWith('//') && !s.includes('\\') && !s.startsWith('/sign-in') ? s : '/';
}

export async function signInAction(_prev: SignInState, form: FormData): Promise<SignInState> {
  const username = String(form.get('username') ?? '').trim();
  const password = String(form.get('password') ?? '');
  if (!username || !password) return { error: 'Type your user name and password.', username };
  let session;
  const h = await headers();
  // The per-address count is a brake on one machine trying many names; the header can be forged, the
  // per-name lock cannot be dodged that way.
  const address = h.get('x-forwarded-for')?.split(',')[0]?.trim() || undefined;
  const throttle = signInThrottle();
  const name = username.slice(0, 64);
  try {
    throttle.check(name, address);
    const { db } = await appCatalog();
    try {
      session = await signIn(db, name, password.slice(0, 1024));
    } catch (e) {
      if (isKeystoneError(e) && e.code === 'bad_request:credentials') throttle.failed(name, address);
      throw e;
    }
    throttle.succeeded(name);
  } catch (e) {
    return { error: actionFailure(e, 'signIn').error, username };
  }
  const secure = h.get('x-forwarded-proto') === 'https';
  (await cookies()).set(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: session.expiresAt });
  redirect(safeNext(form.get('next')));
}

export async function signOutAction(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  try {
    const { db } = await appCatalog();
    await endSession(db, token);
  } finally {
    jar.delete(SESSION_COOKIE);
  }
  redirect('/sign-in');
}
