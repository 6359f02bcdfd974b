/**
 * The quarantine: one dataset, `silver.quarantine`, holding every row held back from silver with the
 * table, the column, the raw value, the reason and its bronze lineage. Appended by each run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SchemaColumn } from '../../../db/schema';
import { quoteLiteral } from '../../catalog/identifiers';
import type { RunRecorder } from '../../catalog/runs';
import { abortVersion, beginVersion, commitVersion, ensureDataset } from '../../catalog/versions';
import type { LakeContext } from '../../lake/context';
import { stageParquetFiles } from '../../lake/write-files';

export const QUARANTINE_DATASET = 'quarantine';

export const QUARANTINE_SCHEMA: SchemaColumn[] = [
  { name: 'table_name', type: 'VARCHAR', nullable: false, description: 'the silver table the row was meant for' },
  { name: 'column_name', type: 'VARCHAR', nullable: true, description: 'the first required column that failed (NULL for a malformed record)' },
  { name: 'raw_value', type: 'VARCHAR', nullable: true, description: 'that column’s value as it came (the whole record when malformed)' },
  { name: 'reason', type: 'VARCHAR', nullable: false, description: 'malformed | missing_required | uncastable | out_of_domain' },
  { name: 'detail', type: 'VARCHAR', nullable: true, description: 'the parser’s message for a malformed record' },
  { name: '_ingest_id', type: 'VARCHAR', nullable: false, description: 'bronze ingest of the row' },
  { name: '_source_file', type: 'VARCHAR', nullable: false, description: 'source file of the row' },
  { name: '_source_row', type: 'BIGINT', nullable: false, description: 'record number in the source' },
  { name: 'run_id', type: 'VARCHAR', nullable: false, description: 'the run that quarantined it' },
  { name: 'quarantined_at', type: 'TIMESTAMP', nullable: false, description: 'when' },
];

/** Append the judged rows selected by `judgedSelect` (output of judgeRowsSql, reasons set) to the quarantine. */
/** The quarantine dataset (created on first use; the Athena run appends to the same one). */
export function ensureQuarantineDataset(ctx: Pick<LakeContext, 'catalog' | 'bucket'>) {
  return ensureDataset(ctx.catalog.db, {
    layer: 'silver',
    name: QUARANTINE_DATASET,
    kind: 'quarantine',
    bucket: ctx.bucket('silver'),
    prefix: `${QUARANTINE_DATASET}/`,
    schema: QUARANTINE_SCHEMA,
    description: 'Rows held back from silver, with the reason and their bronze lineage',
  });
}

export async function appendQuarantine(ctx: LakeContext, run: RunRecorder, table: string, judgedSelect: string): Promise<number> {
  const ds = await ensureQuarantineDataset(ctx);
  const work = ctx.scratch(`quarantine-${table}`);
  try {
    const file = path.join(work, `${table}.parquet`);
    await ctx.engine.execute(
      `COPY (SELECT ${quoteLiteral(table)} AS table_name, _reason_column AS column_name, _reason_raw AS raw_value, _reason AS reason,
                    _parse_error AS detail, _ingest_id, _source_file, CAST(_source_row AS BIGINT) AS _source_row,
                    ${quoteLiteral(run.id)} AS run_id, now()::TIMESTAMP AS quarantined_at
               FROM (${judgedSelect}) ORDER BY _ingest_id, _source_row)
       TO ${quoteLiteral(file)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    const staging = await beginVersion(ctx.catalog.db, { datasetId: ds.id, operation: 'append', runId: run.id });
    const staged = await ctx.storage.stageVersion(ds.bucket, ds.prefix, staging.versionKey);
    try {
      const newFiles = await stageParquetFiles(ctx.engine, staged, work);
      const committed = await commitVersion(ctx.catalog.db, { staging, newFiles, keep: { kind: 'all' } });
      const rows = newFiles.reduce((a, f) => a + f.rowCount, 0);
      await run.lineage([{ direction: 'output', namespace: `keystone://${ds.bucket}`, name: `silver.${QUARANTINE_DATASET}`, datasetId: ds.id, versionId: committed.id, rowCount: rows, facets: { table, step: `silver.${table}` } }]);
      return rows;
    } catch (e) {
      await staged.abort().catch(() => undefined);
      await abortVersion(ctx.catalog.db, staging).catch(() => undefined);
      throw e;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
