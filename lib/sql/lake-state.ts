/**
 * The lake as the SQL console sees it, cheaply. `syncLakeViews` lists every file of every current
 * version (thousands of rows once silver is partitioned by day: ~0.3 s measured at scale 0.05), which
 * is too slow to pay before every query and every dashboard render. The current version of each
 * dataset is one small query; only when those versions changed since this engine's last sync do we
 * call `syncLakeViews`. Concurrent callers share one sync.
 */
import { isNotNull } from 'drizzle-orm';
import { datasets, type SchemaColumn } from '../../db/schema';
import type { Catalog } from '../catalog/database';
import type { QueryEngine } from '../engine/engine';
import { syncLakeViews } from '../lake/views';
import type { StorageBackend } from '../storage/backend';
import { catalogVersion } from './completion';

export interface LakeHead {
  layer: string;
  name: string;
  versionId: number;
  schema: SchemaColumn[];
  partitionKeys: string[];
  paths: string[];
}

/** Every dataset with a committed version: name, version, schema (no file listing). */
export async function lakeHeads(catalog: Catalog): Promise<LakeHead[]> {
  const rows = await catalog.db
    .select({ layer: datasets.layer, name: datasets.name, versionId: datasets.currentVersionId, schema: datasets.schema, partitionKeys: datasets.partitionKeys })
    .from(datasets)
    .where(isNotNull(datasets.currentVersionId));
  return rows.map((r) => ({ layer: r.layer, name: r.name, versionId: r.versionId!, schema: r.schema, partitionKeys: r.partitionKeys, paths: [] }));
}

interface SyncState {
  version?: string;
  inFlight?: Promise<void>;
}
const KEY = Symbol.for('keystone.sql.lakeSync');

function states(): WeakMap<QueryEngine, SyncState> {
  const g = globalThis as { [KEY]?: WeakMap<QueryEngine, SyncState> };
  return (g[KEY] ??= new WeakMap());
}

/** Brings the engine's `layer.name` views to the current versions when they changed; returns the heads. */
export async function ensureLakeViews(services: { catalog: Catalog; storage: StorageBackend; engine: QueryEngine }): Promise<{ heads: LakeHead[]; version: string }> {
  const heads = await lakeHeads(services.catalog);
  const version = catalogVersion(heads);
  if (services.engine.kind !== 'duckdb') return { heads, version };
  const all = states();
  let state = all.get(services.engine);
  if (!state) all.set(services.engine, (state = {}));
  while (state.version !== version) {
    if (state.inFlight) {
      await state.inFlight.catch(() => undefined);
      continue;
    }
    const s = state;
    s.inFlight = syncLakeViews(services.catalog, services.storage, services.engine)
      .then((tables) => {
        // What was synced may be newer than `version` (a run committed meanwhile): record what we saw.
        s.version = catalogVersion(tables);
      })
      .finally(() => {
        s.inFlight = undefined;
      });
    await s.inFlight;
    if (s.version !== version) break; // synced a newer lake than the heads we read: good enough
  }
  return { heads, version };
}
