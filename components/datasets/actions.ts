'use server';
/**
 * Dataset actions, engineers only (checked here, on the server: a forged call by an analyst is refused
 * like a click would be). Restore and compaction each run as a recorded run holding the layer's lock.
 */
import { revalidatePath } from 'next/cache';
import { requireUserForAction } from '@/components/auth/session';
import { appLake } from '@/components/server-context';
import { actionFailure, type ActionFailure } from '@/components/action-result';
import { compactPartition } from '@/lib/console/compact';
import { findDataset } from '@/lib/console/datasets';
import { parsePartitionId } from '@/lib/console/partitions';
import { restoreDatasetVersion } from '@/lib/console/restore';

export type DatasetActionState = { ok: true; message: string; runId: string } | ActionFailure | { ok: null };

export async function restoreVersionAction(_prev: DatasetActionState, form: FormData): Promise<DatasetActionState> {
  try {
    const user = await requireUserForAction('engineer');
    const ctx = await appLake();
    const ds = await findDataset(ctx.catalog.db, String(form.get('layer') ?? ''), String(form.get('name') ?? ''));
    const r = await restoreDatasetVersion(ctx, ds, Number(form.get('version')), { userId: user.id });
    revalidatePath(`/datasets/${ds.layer}/${ds.name}`);
    return { ok: true, runId: r.runId, message: `${r.dataset}: version ${r.restoredFrom} is current again, as version ${r.newVersion} (${r.rows.toLocaleString('en-US')} rows).` };
  } catch (e) {
    return actionFailure(e, 'restoreVersion');
  }
}

export async function compactPartitionAction(_prev: DatasetActionState, form: FormData): Promise<DatasetActionState> {
  try {
    const user = await requireUserForAction('engineer');
    const ctx = await appLake();
    const ds = await findDataset(ctx.catalog.db, String(form.get('layer') ?? ''), String(form.get('name') ?? ''));
    const partition = parsePartitionId(ds.partitionKeys, String(form.get('partition') ?? ''));
    const r = await compactPartition(ctx, ds, partition, { userId: user.id });
    revalidatePath(`/datasets/${ds.layer}/${ds.name}/partitions`);
    return {
      ok: true,
      runId: r.runId,
      message: `Compacted ${r.partition || 'the table'}: ${r.filesBefore} files → ${r.filesAfter}, ${r.rows.toLocaleString('en-US')} rows, as version ${r.version}.`,
    };
  } catch (e) {
    return actionFailure(e, 'compactPartition');
  }
}
