'use server';
/** Add a user (engineers only, checked on the server). The password is hashed; it is never stored or shown. */
import { revalidatePath } from 'next/cache';
import { requireUserForAction } from '@/components/auth/session';
import { appCatalog } from '@/components/server-context';
import { actionFailure, type ActionFailure } from '@/components/action-result';
import { createUser } from '@/lib/auth/users';
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
