'use client';
import { useActionState } from 'react';
import { ActionStatus } from '@/components/action-status';
import { compactPartitionAction, type DatasetActionState } from '@/components/datasets/actions';

export function CompactButton({ layer, name, partition, files }: { layer: string; name: string; partition: string; files: number }) {
  const [state, action, pending] = useActionState<DatasetActionState, FormData>(compactPartitionAction, { ok: null });
  return (
    <form action={action} className="inline-form">
      <input type="hidden" name="layer" value={layer} />
      <input type="hidden" name="name" value={name} />
      <input type="hidden" name="partition" value={partition} />
      <button type="submit" disabled={pending || files < 2} title={files < 2 ? 'This partition is a single file' : undefined}>
        {pending ? 'Compacting…' : files < 2 ? 'Compact (already one file)' : `Compact ${files} files into one`}
      </button>
      <ActionStatus state={state} inline small runId={state.ok === true ? state.runId : undefined} />
    </form>
  );
}
