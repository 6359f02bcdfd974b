/**
 * The Overview: the lake at a glance — datasets per layer with rows, bytes and last update, the last
 * runs, and what needs attention (the latest run of a job that failed, with its failing check), first.
 */
import { asc, sql } from 'drizzle-orm';
import { datasets, datasetVersions } from '../../db/schema';
import type { CatalogDb } from '../catalog/database';
import { getLayerSummaries, type LayerSummary } from '../catalog/lake-summary';
import type { Layer } from '../config';
import { listRunHistory, type RunSummary } from './runs';

export interface DatasetRow {
  layer: Layer;
  name: string;
  kind: 'table' | 'quarantine' | 'dead_letter';
  sourceTable: string | null;
  partitionKeys: string[];
  rows: number | null;
  bytes: number | null;
  files: number | null;
  version: number | null;
  updatedAt: string | null;
}

export interface Overview {
  layers: LayerSummary[];
  datasets: DatasetRow[];
  recentRuns: RunSummary[];
  /** Jobs whose latest run failed, newest first: shown before anything else. */
  failing: RunSummary[];
  running: RunSummary[];
}

export async function listDatasetRows(db: CatalogDb, layer?: Layer): Promise<DatasetRow[]> {
  const q = db
    .select({
      layer: datasets.layer,
      name: datasets.name,
      kind: datasets.kind,
      sourceTable: datasets.sourceTable,
      partitionKeys: datasets.partitionKeys,
      rows: datasetVersions.rowCount,
      bytes: datasetVersions.bytes,
      files: datasetVersions.fileCount,
      version: datasetVersions.version,
      committedAt: datasetVersions.committedAt,
    })
    .from(datasets)
    .leftJoin(datasetVersions, sql`${datasetVersions.id} = ${datasets.currentVersionId}`);
  const rows = await (layer ? q.where(sql`${datasets.layer} = ${layer}`) : q).orderBy(
    sql`case ${datasets.layer} when 'bronze' then 0 when 'silver' then 1 else 2 end`,
    asc(datasets.name),
  );
  return rows.map((r) => ({ ...r, updatedAt: r.committedAt ? r.committedAt.toISOString() : null }));
}

export async function getOverview(db: CatalogDb): Promise<Overview> {
  const [layers, datasetRows, history] = await Promise.all([getLayerSummaries(db), listDatasetRows(db), listRunHistory(db, { limit: 200 })]);
  // The latest run per job decides whether the job is failing now (a later success clears it).
  const latest = new Map<string, RunSummary>();
  for (const r of history) if (!latest.has(r.job) && r.status !== 'running' && r.status !== 'queued') latest.set(r.job, r);
  const failing = [...latest.values()].filter((r) => r.status === 'failed');
  return {
    layers,
    datasets: datasetRows,
    recentRuns: history.slice(0, 10),
    failing,
    running: history.filter((r) => r.status === 'running'),
  };
}
