'use client';
import { useActionState } from 'react';
import { ActionStatus } from '@/components/action-status';
import { restoreVersionAction, type DatasetActionState } from '@/components/datasets/actions';

export function RestoreButton({ layer, name, version }: { layer: string; name: string; version: number }) {
  const [state, action, pending] = useActionState<DatasetActionState, FormData>(restoreVersionAction, { ok: null });
  return (
    <form
      action={action}
      onSubmit={(e) => {
        if (!window.confirm(`Make version ${version} of ${layer}.${name} current again? This adds a new version; nothing is deleted.`)) e.preventDefault();
      }}
      className="inline-form"
    >
      <input type="hidden" name="layer" value={layer} />
      <input type="hidden" name="name" value={name} />
      <input type="hidden" name="version" value={version} />
      <button type="submit" disabled={pending} aria-label={`Restore version ${version}`}>
        {pending ? 'Restoring…' : 'Restore'}
      </button>
      <ActionStatus state={state} inline small runId={state.ok === true ? state.runId : undefined} />
    </form>
  );
}
