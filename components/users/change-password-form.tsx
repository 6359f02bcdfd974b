'use client';
import { useActionState } from 'react';
import { ActionStatus } from '@/components/action-status';
import { changeOwnPasswordAction, type UserActionState } from '@/components/users/actions';

export function ChangePasswordForm() {
  const [state, action, pending] = useActionState<UserActionState, FormData>(changeOwnPasswordAction, { ok: null });
  return (
    <form action={action} className="form card" aria-label="Change your password">
      <h2>Change your password</h2>
      <label>
        Current password
        <input name="current" type="password" required autoComplete="current-password" />
      </label>
      <label>
        New password
        <input name="next" type="password" required minLength={8} autoComplete="new-password" />
      </label>
      <label>
        New password again
        <input name="confirm" type="password" required minLength={8} autoComplete="new-password" />
      </label>
      <ActionStatus state={state} />
      <button type="submit" className="primary" disabled={pending}>
        Change password
      </button>
    </form>
  );
}
