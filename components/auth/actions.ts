'use server';
/** Sign-in and sign-out. The session token lives only in an HttpOnly cookie; the catalog keeps its hash. */
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { endSession, signIn } from '@/lib/auth/sessions';
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
  try {
    const { db } = await appCatalog();
    session = await signIn(db, username.slice(0, 64), password.slice(0, 1024));
  } catch (e) {
    return { error: actionFailure(e, 'signIn').error, username };
  }
  const secure = (await headers()).get('x-forwarded-proto') === 'https';
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
