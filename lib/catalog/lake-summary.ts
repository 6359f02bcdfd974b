/** What the Overview page and `keystone doctor` show of the lake: datasets per layer and recent runs. */
import { desc, sql } from 'drizzle-orm';
import { datasets, datasetVersions, jobRuns } from '../../db/schema';
import { LAYERS, type Layer } from '../config';
import type { CatalogDb } from './database';

export interface LayerSummary {
  layer: Layer;
  datasets: number;
  rows: number;
  bytes: number;
  lastUpdate: Date | null;
}

export async function getLayerSummaries(db: CatalogDb): Promise<LayerSummary[]> {
  const rows = await db
    .select({
      layer: datasets.layer,
      datasets: sql<number>`count(*)::int`,
      rows: sql<number>`coalesce(sum(${datasetVersions.rowCount}), 0)::float8`,
      bytes: sql<number>`coalesce(sum(${datasetVersions.bytes}), 0)::float8`,
      lastUpdate: sql<Date | null>`max(${datasetVersions.committedAt})`,
    })
    .from(datasets)
    .leftJoin(datasetVersions, sql`${datasetVersions.id} = ${datasets.currentVersionId}`)
    .where(sql`${datasets.kind} = 'table'`)
    .groupBy(datasets.layer);
  const byLayer = new Map(rows.map((r) => [r.layer, r]));
  return LAYERS.map((layer) => {
    const r = byLayer.get(layer);
    return {
      layer,
      datasets: r?.datasets ?? 0,
      rows: Number(r?.rows ?? 0),
      bytes: Number(r?.bytes ?? 0),
      lastUpdate: r?.lastUpdate ? new Date(r.lastUpdate) : null,
    };
  });
}

export async function getRecentRuns(db: CatalogDb, limit = 10) {
  return db
    .select({
      id: jobRuns.id,
      job: jobRuns.job,
      status: jobRuns.status,
      createdAt: jobRuns.createdAt,
      startedAt: jobRuns.startedAt,
      finishedAt: jobRuns.finishedAt,
      rowsOut: jobRuns.rowsOut,
      error: jobRuns.error,
    })
    .from(jobRuns)
    .orderBy(sql`case when ${jobRuns.status} = 'failed' then 0 else 1 end`, desc(jobRuns.createdAt))
    .limit(limit);
}
