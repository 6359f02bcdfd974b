/**
 * Every dataset is addressable in SQL as `<layer>.<name>` at its current version: before a query we
 * (re)create a DuckDB view per dataset over exactly the files of its current version. A run that
 * commits later is picked up by the next query; a query already running keeps the files it started with.
 */
import { eq, inArray, isNotNull } from 'drizzle-orm';
import { datasets, files, versionFiles, type SchemaColumn } from '../../db/schema';
import type { Catalog } from '../catalog/database';
import { quoteIdent, quoteLiteral } from '../catalog/identifiers';
import type { QueryEngine } from '../engine/engine';
import type { StorageBackend } from '../storage/backend';

/** What each registered view was built from, per engine instance. */
const registered = new WeakMap<QueryEngine, Map<string, number>>();

export interface LakeTable {
  layer: string;
  name: string;
  versionId: number;
  partitionKeys: string[];
  schema: SchemaColumn[];
  paths: string[];
}

/** Current versions of all datasets with the engine-readable paths of their files. */
export async function currentLakeTables(catalog: Catalog, storage: StorageBackend, readable?: (bucket: string, keys: readonly string[]) => Promise<string[]>): Promise<LakeTable[]> {
  const ds = await catalog.db
    .select({ id: datasets.id, layer: datasets.layer, name: datasets.name, bucket: datasets.bucket, v: datasets.currentVersionId, partitionKeys: datasets.partitionKeys, schema: datasets.schema })
    .from(datasets)
    .where(isNotNull(datasets.currentVersionId));
  if (ds.length === 0) return [];
  const fileRows = await catalog.db
    .select({ versionId: versionFiles.versionId, key: files.key })
    .from(versionFiles)
    .innerJoin(files, eq(files.id, versionFiles.fileId))
    .where(inArray(versionFiles.versionId, ds.map((d) => d.v!)))
    .orderBy(files.key);
  const keysByVersion = new Map<number, string[]>();
  const bucketOf = new Map(ds.map((d) => [d.v!, d.bucket]));
  for (const f of fileRows) {
    const list = keysByVersion.get(f.versionId) ?? [];
    list.push(f.key);
    keysByVersion.set(f.versionId, list);
  }
  const byVersion = new Map<number, string[]>();
  for (const [v, keys] of keysByVersion) {
    const bucket = bucketOf.get(v)!;
    byVersion.set(v, readable ? await readable(bucket, keys) : keys.map((k) => storage.locate(bucket, k)));
  }
  return ds.map((d) => ({ layer: d.layer, name: d.name, versionId: d.v!, partitionKeys: d.partitionKeys, schema: d.schema, paths: byVersion.get(d.v!) ?? [] }));
}

/** A SELECT over one table's files (or an empty relation of the right shape when it has none). */
export function tableScanSql(t: Pick<LakeTable, 'paths' | 'partitionKeys' | 'schema'>): string {
  if (t.paths.length === 0) {
    const cols = t.schema.length > 0 ? t.schema.map((c) => `CAST(NULL AS ${duckType(c.type)}) AS ${quoteIdent(c.name)}`).join(', ') : 'NULL AS empty';
    return `SELECT ${cols} WHERE false`;
  }
  const list = `[${t.paths.map(quoteLiteral).join(', ')}]`;
  if (t.partitionKeys.length === 0) return `SELECT * FROM read_parquet(${list})`;
  const hiveTypes = `{${t.partitionKeys.map((k) => `${quoteLiteral(k)}: 'VARCHAR'`).join(', ')}}`;
  return `SELECT * FROM read_parquet(${list}, hive_partitioning = true, hive_types = ${hiveTypes})`;
}

function duckType(t: string): string {
  return /^[a-zA-Z][a-zA-Z0-9_(), ]*$/.test(t) ? t : 'VARCHAR';
}

/** Make `bronze.x`, `silver.x`, `gold.x` point at the current versions. Cheap when nothing changed. */
export async function syncLakeViews(
  catalog: Catalog,
  storage: StorageBackend,
  engine: QueryEngine,
  readable?: (bucket: string, keys: readonly string[]) => Promise<string[]>,
): Promise<LakeTable[]> {
  const tables = await currentLakeTables(catalog, storage, readable);
  let seen = registered.get(engine);
  if (!seen) {
    seen = new Map();
    registered.set(engine, seen);
    await engine.execute('CREATE SCHEMA IF NOT EXISTS bronze; CREATE SCHEMA IF NOT EXISTS silver; CREATE SCHEMA IF NOT EXISTS gold;');
  }
  const statements: string[] = [];
  for (const t of tables) {
    const id = `${t.layer}.${t.name}`;
    if (seen.get(id) === t.versionId) continue;
    statements.push(`CREATE OR REPLACE VIEW ${quoteIdent(t.layer)}.${quoteIdent(t.name)} AS ${tableScanSql(t)};`);
    seen.set(id, t.versionId);
  }
  if (statements.length > 0) await engine.execute(statements.join('\n'));
  return tables;
}
