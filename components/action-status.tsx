'use client';
/**
 * What a server action's result looks like under its form: its error as an alert, or its success as a
 * status line (`children` replaces the success message when a form wants links or extra text; `runId`
 * follows it with a link to the run the action started).
 */
import Link from 'next/link';
import type { ReactNode } from 'react';

type State = { ok: true; message?: string } | { ok: false; error: string } | { ok: null };

export function ActionStatus({
  state,
  inline = false,
  small = false,
  runId,
  children,
}: {
  state: State;
  inline?: boolean;
  small?: boolean;
  runId?: string | undefined;
  children?: ReactNode;
}) {
  const Tag = inline ? 'span' : 'p';
  const size = small ? ' small' : '';
  if (state.ok === false) {
    return (
      <Tag role="alert" className={`error${size}`}>
        {state.error}
      </Tag>
    );
  }
  if (state.ok === true) {
    return (
      <Tag role="status" className={`status-ok${size}`}>
        {children ?? (
          <>
            {state.message}
            {runId ? (
              <>
                {' '}
                <Link href={`/jobs/${runId}`}>Run</Link>
              </>
            ) : null}
          </>
        )}
      </Tag>
    );
  }
  return null;
}
