'use server';
/** Managing users (engineers only, checked on the server) and one's own password. Passwords are hashed; a generated one is shown once. */
import { revalidatePath } from 'next/cache';
import { requireUserForAction } from '@/components/auth/session';
import { appCatalog } from '@/components/server-context';
import { actionFailure, type ActionFailure } from '@/components/action-result';
import { cookies } from 'next/headers';
import { SESSION_COOKIE } from '@/components/auth/session';
import { hashToken } from '@/lib/auth/sessions';
import { changeOwnPassword, createUser, resetPassword, setUserDisabled, setUserRole } from '@/lib/auth/users';
import { KeystoneError } from '@/lib/errors';
import { parseRole } from '@/lib/console/users';

export type AddUserState = { ok: true; message: string } | ActionFailure | { ok: null };

export async function addUserAction(_prev: AddUserState, form: FormData): Promise<AddUserState> {
  try {
    await requireUserForAction('engineer');
    const username = String(form.get('username') ?? '').trim();
    const role = parseRole(form.get('role'));
    const displayName = String(form.get('displayName') ?? '').trim();
    const { db } = await appCatalog();
    await createUser(db, { username, password: String(form.get('password') ?? ''), role, ...(displayName ? { displayName } : {}) });
    revalidatePath('/users');
    return { ok: true, message: `Added ${username} (${role}).` };
  } catch (e) {
    return actionFailure(e, 'addUser');
  }
}

export type UserActionState = { ok: true; message: string; password?: string } | ActionFailure | { ok: null };

function userIdOf(form: FormData): string {
  const id = String(form.get('userId') ?? '');
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new KeystoneError('bad_request:user', 'Which user? The form names none.');
  return id;
}

/** Change a user's role, disable or enable them, or reset their password (engineers only). */
export async function manageUserAction(_prev: UserActionState, form: FormData): Promise<UserActionState> {
  try {
    const actor = await requireUserForAction('engineer');
    const userId = userIdOf(form);
    const { db } = await appCatalog();
    const op = String(form.get('op') ?? '');
    let state: UserActionState;
    if (op === 'role') {
      const role = parseRole(form.get('role'));
      await setUserRole(db, actor.id, userId, role);
      state = { ok: true, message: `Role set to ${role}.` };
    } else if (op === 'disable' || op === 'enable') {
      await setUserDisabled(db, actor.id, userId, op === 'disable');
      state = { ok: true, message: op === 'disable' ? 'Disabled and signed out everywhere.' : 'Enabled.' };
    } else if (op === 'reset') {
      const r = await resetPassword(db, userId);
      state = { ok: true, message: `New password for ${r.username} (shown once; their sessions ended):`, password: r.password };
    } else {
      throw new KeystoneError('bad_request:op', `Unknown user action ${JSON.stringify(op)}.`);
    }
    revalidatePath('/users');
    return state;
  } catch (e) {
    return actionFailure(e, 'manageUser');
  }
}

/** Anyone signed in changes their own password; their other sessions end. */
export async function changeOwnPasswordAction(_prev: UserActionState, form: FormData): Promise<UserActionState> {
  try {
    const me = await requireUserForAction('analyst');
    const next = String(form.get('next') ?? '');
    if (next !== String(form.get('confirm') ?? '')) throw new KeystoneError('bad_request:password', 'The new passwords do not match.');
    const { db } = await appCatalog();
    const token = (await cookies()).get(SESSION_COOKIE)?.value;
    await changeOwnPassword(db, me.id, String(form.get('current') ?? ''), next, token ? hashToken(token) : undefined);
    return { ok: true, message: 'Password changed; your other sessions were signed out.' };
  } catch (e) {
    return actionFailure(e, 'changeOwnPassword');
  }
}
