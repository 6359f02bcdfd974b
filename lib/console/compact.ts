/**
 * Compaction: rewrite the files of one partition as a single file, committed as a new version of the
 * dataset (operation `compact`); every other partition keeps its files. Readers see the old files or
 * the new one, never both. Recorded as a `compact` run that holds the layer's job lock, so it never
 * races the silver or gold job writing the same dataset, with lineage from the old files to the new.
 *
 * Bronze is not compacted: it is the immutable record of what arrived, one file per ingest, and the
 * silver job finds an ingest's rows by that file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { quoteLiteral } from '../catalog/identifiers';
import { startRun } from '../catalog/runs';
import { abortVersion, beginVersion, commitVersion, currentFiles, type Dataset } from '../catalog/versions';
import { KeystoneError, errorMessage } from '../errors';
import type { LakeContext } from '../lake/context';
import { stageParquetFiles } from '../lake/write-files';
import { partitionId } from './partitions';

export interface CompactResult {
  runId: string;
  dataset: string;
  partition: string;
  filesBefore: number;
  filesAfter: number;
  rows: number;
  bytesBefore: number;
  bytesAfter: number;
  version: number;
}

function samePartition(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

export async function compactPartition(
  ctx: LakeContext,
  ds: Dataset,
  partition: Record<string, string>,
  opts: { userId?: string | null } = {},
): Promise<CompactResult> {
  const label = `${ds.layer}.${ds.name}`;
  const pid = partitionId(ds.partitionKeys, partition);
  if (ds.layer === 'bronze') {
    throw new KeystoneError('bad_request:compact_bronze', `${label} is bronze: bronze keeps one immutable file per ingest (silver reads each ingest from its file), so it is never compacted.`);
  }
  if (ctx.engine.kind === 'athena') {
    // On Athena a silver or gold version is one complete prefix that Glue points at; a compacted
    // partition would land under a new prefix Glue does not read.
    throw new KeystoneError('bad_request:compact_athena', `${label}: compaction is not supported with the Athena engine yet (the merged file would land under a prefix Glue does not read).`);
  }
  const before = (await currentFiles(ctx.catalog.db, ds.id)).filter((f) => samePartition(f.partition, partition));
  if (before.length === 0) throw new KeystoneError('not_found:partition', `${label} has no partition ${pid || '(the whole table)'}.`);
  if (before.length < 2) throw new KeystoneError('bad_request:nothing_to_compact', `Partition ${pid || '(the whole table)'} of ${label} is already a single file; there is nothing to compact.`);

  const run = await startRun(ctx.catalog, {
    job: 'compact',
    params: { dataset: label, partition: pid },
    engine: 'duckdb',
    userId: opts.userId ?? null,
    // The job that writes this layer must not run meanwhile (and a compaction waits for no one).
    locks: [ds.layer],
  });
  const work = ctx.scratch(`compact-${ds.name}`);
  try {
    run.info(`compacting ${label} partition ${pid || '(whole table)'}: ${before.length} files, ${before.reduce((a, f) => a + f.rowCount, 0)} rows`);
    const rowsBefore = before.reduce((a, f) => a + f.rowCount, 0);
    const bytesBefore = before.reduce((a, f) => a + f.bytes, 0);
    const relative = ds.partitionKeys.map((k) => `${k}=${encodeURIComponent(partition[k] ?? '')}`).join('/');
    const outFile = path.join(work, relative, 'part-0.parquet');
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    const paths = await ctx.readable(ds.bucket, before.map((f) => f.key));
    // Hive-partitioned files do not hold their partition columns (the folder names do): read them plain.
    await ctx.localEngine().execute(
      `COPY (SELECT * FROM read_parquet([${paths.map(quoteLiteral).join(', ')}], union_by_name = true, hive_partitioning = false))
         TO ${quoteLiteral(outFile)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
      { timeoutMs: 60 * 60_000 },
    );
    const staging = await beginVersion(ctx.catalog.db, { datasetId: ds.id, operation: 'compact', runId: run.id });
    const staged = await ctx.storage.stageVersion(ds.bucket, ds.prefix, staging.versionKey);
    try {
      const newFiles = await stageParquetFiles(ctx.localEngine(), staged, work);
      const rowsAfter = newFiles.reduce((a, f) => a + f.rowCount, 0);
      const preserved = rowsAfter === rowsBefore;
      await run.checks([
        {
          datasetId: ds.id,
          name: 'compact(rows preserved)',
          action: 'fail',
          status: preserved ? 'passed' : 'failed',
          observed: rowsAfter,
          expected: rowsBefore,
          message: preserved ? undefined : `the compacted file holds ${rowsAfter} rows, the partition had ${rowsBefore}; nothing was committed`,
        },
      ]);
      if (!preserved) throw new KeystoneError('internal:compact_rows', `compaction of ${label} ${pid} would change the row count (${rowsBefore} → ${rowsAfter}); nothing was committed`);
      const committed = await commitVersion(ctx.catalog.db, {
        staging,
        newFiles,
        keep: { kind: 'except_partitions', partitions: [partition] },
        changedPartitions: [partition],
        facets: { compact: { partition: pid, filesBefore: before.length, filesAfter: newFiles.length, rows: rowsAfter } },
      });
      await run.lineage([
        ...before.map((f) => ({ direction: 'input' as const, namespace: `keystone://${ds.bucket}`, name: label, datasetId: ds.id, versionId: committed.parentVersionId, partition, fileId: f.id, rowCount: f.rowCount, facets: { step: `compact ${label}` } })),
        { direction: 'output' as const, namespace: `keystone://${ds.bucket}`, name: label, datasetId: ds.id, versionId: committed.id, partition, rowCount: rowsAfter, facets: { step: `compact ${label}` } },
      ]);
      const bytesAfter = newFiles.reduce((a, f) => a + f.bytes, 0);
      run.info(`${label} ${pid}: ${before.length} files (${bytesBefore} bytes) → ${newFiles.length} file (${bytesAfter} bytes), ${rowsAfter} rows; version ${committed.version}`);
      await run.step({ step: `compact ${label}`, partition: pid, rowsIn: rowsBefore, rowsOut: rowsAfter, filesBefore: before.length, filesAfter: newFiles.length });
      await run.finish('succeeded', { rowsIn: rowsBefore, rowsOut: rowsAfter });
      return { runId: run.id, dataset: label, partition: pid, filesBefore: before.length, filesAfter: newFiles.length, rows: rowsAfter, bytesBefore, bytesAfter, version: committed.version };
    } catch (e) {
      await staged.abort().catch(() => undefined);
      await abortVersion(ctx.catalog.db, staging).catch(() => undefined);
      throw e;
    }
  } catch (e) {
    run.log('error', `compaction failed: ${errorMessage(e)}`);
    await run.finish('failed', { error: errorMessage(e) });
    throw e;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
