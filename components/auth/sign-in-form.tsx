'use client';
import { useActionState } from 'react';
import { signInAction, type SignInState } from '@/components/auth/actions';

export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, {});
  return (
    <form action={action} className="form">
      <input type="hidden" name="next" value={next} />
      <label>
        User name
        <input name="username" autoComplete="username" required defaultValue={state.username ?? ''} autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {state.error ? (
        <p role="alert" className="error">
          {state.error}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
