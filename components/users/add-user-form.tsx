'use client';
import { useActionState } from 'react';
import { ActionStatus } from '@/components/action-status';
import { addUserAction, type AddUserState } from '@/components/users/actions';

export function AddUserForm() {
  const [state, action, pending] = useActionState<AddUserState, FormData>(addUserAction, { ok: null });
  return (
    <form action={action} className="form card" aria-label="Add a user">
      <h2>Add a user</h2>
      <label>
        User name
        <input name="username" required autoComplete="off" />
      </label>
      <label>
        Display name (optional)
        <input name="displayName" autoComplete="off" />
      </label>
      <label>
        Role
        <select name="role" defaultValue="analyst">
          <option value="analyst">analyst — browses, runs queries</option>
          <option value="engineer">engineer — also uploads, runs jobs, restores, compacts</option>
        </select>
      </label>
      <label>
        Password
        <input name="password" type="password" required minLength={8} autoComplete="new-password" />
      </label>
      <ActionStatus state={state} />
      <button type="submit" className="primary" disabled={pending}>
        Add user
      </button>
    </form>
  );
}
