/**
 * The catalog's view of what an Athena run would do next: which bronze versions exist and which silver
 * has not consumed, which version numbers the run's writes would get (max + 1, as beginVersion assigns
 * them when nothing else runs first) and which partitions the catalog knows for each silver table.
 * Reads Postgres only: no AWS call, no query engine.
 */
import type { Catalog } from '../../catalog/database';
import { versionKey } from '../../catalog/versions';
import type { KeystoneConfig } from '../../config';
import { CONTRACTS } from '../../olist/contracts';
import { GOLD_MODELS } from '../gold/models';
import { QUARANTINE_DATASET } from '../silver/quarantine';
import type { AthenaPlanState, Partition } from './statements';

interface DatasetRow {
  id: string;
  layer: string;
  name: string;
  current: number | null;
  max: number | null;
}

export async function readAthenaPlanState(catalog: Catalog, config: KeystoneConfig, runId = '(dry-run)'): Promise<AthenaPlanState> {
  const database = config.engine.kind === 'athena' ? config.engine.database : 'keystone';
  const ds = await catalog.pool.query<DatasetRow>(
    `select d.id, d.layer, d.name,
            (select v.version from dataset_versions v where v.id = d.current_version_id) as current,
            (select max(v.version) from dataset_versions v where v.dataset_id = d.id) as max
       from datasets d`,
  );
  const find = (layer: string, name: string) => ds.rows.find((r) => r.layer === layer && r.name === name);
  const next = (row: DatasetRow | undefined, plus = 1) => versionKey((row?.max ?? 0) + plus);

  const state: AthenaPlanState = { database, buckets: config.buckets, runId, bronze: {}, silver: {}, gold: {} };
  const quarantine = find('silver', QUARANTINE_DATASET);
  let quarantineWrites = 0;
  for (const c of CONTRACTS) {
    const bronze = find('bronze', c.table);
    if (!bronze) continue;
    const silver = find('silver', c.table);
    const versions = await catalog.pool.query<{ version: number; pending: boolean }>(
      `select v.version,
              exists (select 1 from ingests i where i.version_id = v.id
                      and not exists (select 1 from ingest_consumption ic where ic.ingest_id = i.id and ic.consumer_dataset_id is not distinct from $2)) as pending
         from dataset_versions v where v.dataset_id = $1 and v.status = 'committed' order by v.version`,
      [bronze.id, silver?.id ?? null],
    );
    const all = versions.rows.map((r) => versionKey(r.version));
    const pending = versions.rows.filter((r) => r.pending).map((r) => versionKey(r.version));
    state.bronze[c.table] = { versions: all, pending };
    // A silver table with nothing pending is still listed: gold reads its current version.
    if (pending.length === 0 && !silver?.current) continue;
    const parts = silver
      ? await catalog.pool.query<{ partition: Partition }>(
          `select distinct f.partition from files f join version_files vf on vf.file_id = f.id
             join datasets d on d.current_version_id = vf.version_id where d.id = $1`,
          [silver.id],
        )
      : { rows: [] };
    state.silver[c.table] = {
      version: next(silver),
      current: silver?.current != null ? versionKey(silver.current) : null,
      quarantineVersion: next(quarantine, pending.length > 0 ? ++quarantineWrites : 1),
      partitions: parts.rows.map((r) => r.partition).filter((p) => p.year && p.month && p.day),
    };
  }
  state.gold = Object.fromEntries(GOLD_MODELS.map((m) => [m.name, next(find('gold', m.name))]));
  return state;
}
