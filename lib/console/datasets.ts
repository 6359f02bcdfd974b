/**
 * One dataset as the console shows it: schema (types, nullability), size, versions, sample rows, the
 * quality checks runs recorded for it and — for a silver table — the rows held back in the quarantine,
 * with their reasons. Samples read the current version's files directly (no shared view needed).
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { datasets, datasetVersions, jobRuns, runChecks, type SchemaColumn } from '../../db/schema';
import type { CatalogDb } from '../catalog/database';
import { validateDatasetName, validateLayer } from '../catalog/identifiers';
import { currentFiles, getDataset, type Dataset } from '../catalog/versions';
import type { Layer } from '../config';
import { KeystoneError } from '../errors';
import type { LakeContext } from '../lake/context';
import { tableScanSql } from '../lake/views';
import { QUARANTINE_DATASET } from '../pipeline/silver/quarantine';

export interface VersionView {
  id: number;
  version: number;
  status: 'staging' | 'committed' | 'aborted';
  operation: string;
  rows: number;
  bytes: number;
  files: number;
  runId: string | null;
  runJob: string | null;
  committedAt: string | null;
  createdAt: string;
  current: boolean;
  restoredFrom: number | null;
}

export interface DatasetDetail {
  id: string;
  layer: Layer;
  name: string;
  kind: Dataset['kind'];
  sourceTable: string | null;
  description: string | null;
  schema: SchemaColumn[];
  partitionKeys: string[];
  rows: number;
  bytes: number;
  files: number;
  partitions: number;
  currentVersion: number | null;
  updatedAt: string | null;
  versions: VersionView[];
}

export interface TableSample {
  columns: { name: string; type: string }[];
  rows: (string | null)[][];
}

export interface QualityRun {
  runId: string;
  job: string;
  at: string;
  checks: { name: string; action: string; status: 'passed' | 'warned' | 'failed'; observed: unknown; expected: unknown; message: string | null }[];
}

export interface QuarantineView {
  total: number;
  byReason: { reason: string; rows: number }[];
  rows: { column: string | null; rawValue: string | null; reason: string; detail: string | null; sourceFile: string; sourceRow: number; runId: string; at: string }[];
}

/** `layer` and `name` straight from a URL: validated, or not found. */
export async function findDataset(db: CatalogDb, layer: string, name: string): Promise<Dataset> {
  let l: Layer;
  try {
    l = validateLayer(layer);
    validateDatasetName(name);
  } catch {
    throw new KeystoneError('not_found:dataset', `There is no dataset ${layer}.${name}.`);
  }
  const ds = await getDataset(db, l, name);
  if (!ds) throw new KeystoneError('not_found:dataset', `There is no dataset ${layer}.${name}.`);
  return ds;
}

export async function getDatasetDetail(db: CatalogDb, layer: string, name: string): Promise<DatasetDetail> {
  const ds = await findDataset(db, layer, name);
  const versions = await db
    .select({ v: datasetVersions, runJob: jobRuns.job })
    .from(datasetVersions)
    .leftJoin(jobRuns, eq(jobRuns.id, datasetVersions.runId))
    .where(eq(datasetVersions.datasetId, ds.id))
    .orderBy(desc(datasetVersions.version))
    .limit(200);
  const current = versions.find((x) => x.v.id === ds.currentVersionId)?.v;
  const [parts] = ds.currentVersionId
    ? await db.execute<{ n: number }>(sql`select count(distinct f.partition)::int as n from version_files vf join files f on f.id = vf.file_id where vf.version_id = ${ds.currentVersionId}`).then((r) => r.rows)
    : [{ n: 0 }];
  return {
    id: ds.id,
    layer: ds.layer,
    name: ds.name,
    kind: ds.kind,
    sourceTable: ds.sourceTable,
    description: ds.description,
    schema: ds.schema,
    partitionKeys: ds.partitionKeys,
    rows: current?.rowCount ?? 0,
    bytes: current?.bytes ?? 0,
    files: current?.fileCount ?? 0,
    partitions: ds.partitionKeys.length > 0 ? Number(parts?.n ?? 0) : 0,
    currentVersion: current?.version ?? null,
    updatedAt: current?.committedAt?.toISOString() ?? null,
    versions: versions.map(({ v, runJob }) => ({
      id: v.id,
      version: v.version,
      status: v.status,
      operation: v.operation,
      rows: v.rowCount,
      bytes: v.bytes,
      files: v.fileCount,
      runId: v.runId,
      runJob,
      committedAt: v.committedAt?.toISOString() ?? null,
      createdAt: v.createdAt.toISOString(),
      current: v.id === ds.currentVersionId,
      restoredFrom: typeof v.facets.restoredFrom === 'number' ? v.facets.restoredFrom : null,
    })),
  };
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

async function scanOf(ctx: LakeContext, ds: Dataset): Promise<string> {
  const files = await currentFiles(ctx.catalog.db, ds.id);
  const paths = await ctx.readable(ds.bucket, files.map((f) => f.key));
  return tableScanSql({ paths, partitionKeys: ds.partitionKeys, schema: ds.schema });
}

export async function sampleRows(ctx: LakeContext, ds: Dataset, limit = 20): Promise<TableSample> {
  const r = await ctx.localEngine().query(`SELECT * FROM (${await scanOf(ctx, ds)}) LIMIT ${Math.min(Math.max(limit, 1), 500)}`, { maxRows: 500, timeoutMs: 30_000 });
  return { columns: r.columns.map((c) => ({ name: c.name, type: c.engineType })), rows: r.rows.map((row) => row.map(text)) };
}

/** The checks of the last `runs` runs that checked this dataset, newest first. */
export async function qualityResults(db: CatalogDb, datasetId: string, runs = 3): Promise<QualityRun[]> {
  const recent = await db
    .select({ runId: runChecks.runId, job: jobRuns.job, at: sql<Date>`max(${runChecks.createdAt})` })
    .from(runChecks)
    .innerJoin(jobRuns, eq(jobRuns.id, runChecks.runId))
    .where(eq(runChecks.datasetId, datasetId))
    .groupBy(runChecks.runId, jobRuns.job)
    .orderBy(desc(sql`max(${runChecks.createdAt})`))
    .limit(runs);
  if (recent.length === 0) return [];
  const checks = await db
    .select()
    .from(runChecks)
    .where(and(eq(runChecks.datasetId, datasetId), inArray(runChecks.runId, recent.map((r) => r.runId))))
    .orderBy(sql`case ${runChecks.status} when 'failed' then 0 when 'warned' then 1 else 2 end`, runChecks.id);
  return recent.map((r) => ({
    runId: r.runId,
    job: r.job,
    at: new Date(r.at).toISOString(),
    checks: checks
      .filter((c) => c.runId === r.runId)
      .map((c) => ({ name: c.name, action: c.action, status: c.status, observed: c.observed, expected: c.expected, message: c.message })),
  }));
}

/** Rows of one silver table held back in `silver.quarantine`, newest first, with totals per reason. */
export async function quarantinedRows(ctx: LakeContext, table: string, limit = 200): Promise<QuarantineView> {
  const q = await getDataset(ctx.catalog.db, 'silver', QUARANTINE_DATASET);
  if (!q?.currentVersionId) return { total: 0, byReason: [], rows: [] };
  const scan = await scanOf(ctx, q);
  const byReason = await ctx.localEngine().query(`SELECT reason, count(*) FROM (${scan}) WHERE table_name = ? GROUP BY reason ORDER BY 2 DESC, 1`, { params: [table] });
  const rows = await ctx.localEngine().query(
    `SELECT column_name, raw_value, reason, detail, _source_file, _source_row, run_id, quarantined_at
       FROM (${scan}) WHERE table_name = ? ORDER BY quarantined_at DESC, _source_file, _source_row LIMIT ${Math.min(Math.max(limit, 1), 1000)}`,
    { params: [table] },
  );
  const reasons = byReason.rows.map((r) => ({ reason: String(r[0]), rows: Number(r[1]) }));
  return {
    total: reasons.reduce((a, r) => a + r.rows, 0),
    byReason: reasons,
    rows: rows.rows.map((r) => ({
      column: text(r[0]),
      rawValue: text(r[1]),
      reason: String(r[2]),
      detail: text(r[3]),
      sourceFile: String(r[4]),
      sourceRow: Number(r[5]),
      runId: String(r[6]),
      at: String(r[7]),
    })),
  };
}
