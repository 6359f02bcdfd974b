'use client';
/** Per-user actions on the Users page: role, disable / enable, reset password (the new one shown once). */
import { useActionState } from 'react';
import { ActionStatus } from '@/components/action-status';
import { manageUserAction, type UserActionState } from '@/components/users/actions';

export function UserActions({ userId, username, role, disabled, isSelf }: { userId: string; username: string; role: 'engineer' | 'analyst'; disabled: boolean; isSelf: boolean }) {
  const [state, action, pending] = useActionState<UserActionState, FormData>(manageUserAction, { ok: null });
  return (
    <form action={action} className="inline-form" aria-label={`Manage ${username}`}>
      <input type="hidden" name="userId" value={userId} />
      <select name="role" defaultValue={role} aria-label={`Role of ${username}`} disabled={pending}>
        <option value="analyst">analyst</option>
        <option value="engineer">engineer</option>
      </select>
      <button type="submit" name="op" value="role" disabled={pending}>
        Set role
      </button>
      {disabled ? (
        <button type="submit" name="op" value="enable" disabled={pending}>
          Enable
        </button>
      ) : (
        <button type="submit" name="op" value="disable" disabled={pending || isSelf} title={isSelf ? 'You cannot disable your own account' : undefined}>
          Disable
        </button>
      )}
      <button type="submit" name="op" value="reset" disabled={pending}>
        Reset password
      </button>
      <ActionStatus state={state} inline>
        {state.ok === true ? (
          <>
            {state.message} {state.password ? <code data-testid="new-password">{state.password}</code> : null}
          </>
        ) : null}
      </ActionStatus>
    </form>
  );
}
