/**
 * Restore: make an earlier version of a dataset current again, as a new version (history is never
 * rewritten). Recorded as a `restore` run holding the layer's job lock, so it cannot interleave with a
 * job writing the same layer, with lineage from the restored version to the new one.
 */
import { and, eq } from 'drizzle-orm';
import { datasetVersions } from '../../db/schema';
import { startRun } from '../catalog/runs';
import { restoreVersion, type Dataset } from '../catalog/versions';
import { KeystoneError, errorMessage } from '../errors';
import type { LakeContext } from '../lake/context';

export interface RestoreResult {
  runId: string;
  dataset: string;
  restoredFrom: number;
  newVersion: number;
  rows: number;
}

export async function restoreDatasetVersion(ctx: LakeContext, ds: Dataset, version: number, opts: { userId?: string | null } = {}): Promise<RestoreResult> {
  if (!Number.isInteger(version) || version < 1) throw new KeystoneError('bad_request:version', `${JSON.stringify(version)} is not a version number.`);
  const label = `${ds.layer}.${ds.name}`;
  if (ctx.engine.kind === 'athena' && ds.layer !== 'bronze') {
    // Athena reads silver and gold through Glue (a projection or a view onto one version's prefix):
    // switching the catalog alone would leave Athena reading the other version.
    throw new KeystoneError('bad_request:restore_athena', `${label}: restoring a version is not supported with the Athena engine yet (Glue would keep pointing at the current version).`);
  }
  // A version that cannot be restored is refused before a run is recorded for it.
  const [target] = await ctx.catalog.db
    .select({ status: datasetVersions.status })
    .from(datasetVersions)
    .where(and(eq(datasetVersions.datasetId, ds.id), eq(datasetVersions.version, version)));
  if (target?.status !== 'committed') throw new KeystoneError('not_found:version', `${label} has no committed version ${version} to restore.`);
  const run = await startRun(ctx.catalog, { job: 'restore', params: { dataset: label, version }, engine: ctx.engine.kind, userId: opts.userId ?? null, locks: [ds.layer] });
  try {
    run.info(`restoring ${label} to version ${version}`);
    const committed = await restoreVersion(ctx.catalog.db, ds.id, version, run.id);
    await run.lineage([
      { direction: 'input', namespace: `keystone://${ds.bucket}`, name: label, datasetId: ds.id, facets: { step: `restore ${label}`, version } },
      { direction: 'output', namespace: `keystone://${ds.bucket}`, name: label, datasetId: ds.id, versionId: committed.id, rowCount: committed.rowCount, facets: { step: `restore ${label}` } },
    ]);
    run.info(`${label}: version ${version} is current again as version ${committed.version} (${committed.rowCount} rows)`);
    await run.finish('succeeded', { rowsIn: committed.rowCount, rowsOut: committed.rowCount });
    return { runId: run.id, dataset: label, restoredFrom: version, newVersion: committed.version, rows: committed.rowCount };
  } catch (e) {
    run.log('error', `restore failed: ${errorMessage(e)}`);
    await run.finish('failed', { error: errorMessage(e) });
    throw e;
  }
}
