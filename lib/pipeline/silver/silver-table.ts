/**
 * One silver table, incrementally: read only the bronze ingests this table has not consumed, judge
 * every row (cleanse, cast, check: failures go to the quarantine), keep the latest row per natural key,
 * and rewrite only the partitions the new rows touch — as one atomic new version.
 *
 * Dedup is global: the partitions holding an older row of any incoming key are rewritten too, so a key
 * whose event date moved does not survive twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { and, eq, inArray, notExists, sql } from 'drizzle-orm';
import { ingestConsumption, ingests, type SchemaColumn } from '../../../db/schema';
import { quoteIdent, quoteLiteral } from '../../catalog/identifiers';
import type { RunRecorder } from '../../catalog/runs';
import { abortVersion, beginVersion, commitVersion, currentFileRefs, ensureDataset, type Dataset } from '../../catalog/versions';
import { KeystoneError } from '../../errors';
import type { LakeContext } from '../../lake/context';
import { tableScanSql } from '../../lake/views';
import { copyToVersion } from '../../lake/write-files';
import type { TableContract } from '../../olist/contract-types';
import { digestColumns, digestOf, digestSelect, dropDigest, hasDigest, keyColumns, olistDigestModel, updateDigest, writeDigest } from './key-digest';
import { judgeRowsSql, silverColumns } from './model-sql';
import { appendQuarantine } from './quarantine';

export const PARTITION_KEYS = ['year', 'month', 'day'] as const;

/** One day partition as a string, to match a file's partition against a set of days. */
export const dayId = (p: Record<string, unknown>): string => `${p.year}-${p.month}-${p.day}`;
const SILVER_LINEAGE: SchemaColumn[] = [
  { name: '_ingest_id', type: 'VARCHAR', nullable: false, description: 'bronze ingest the row came from' },
  { name: '_source_file', type: 'VARCHAR', nullable: false, description: 'source file or stream of that ingest' },
  { name: '_source_row', type: 'BIGINT', nullable: false, description: 'record number in the source' },
];

/** The columns of a silver table: the contract's typed columns, the bronze lineage, the partition keys. */
export function silverSchema(contract: Pick<TableContract, 'columns'>): SchemaColumn[] {
  return [...silverColumns(contract), ...SILVER_LINEAGE, ...PARTITION_KEYS.map((k) => ({ name: k, type: 'VARCHAR', nullable: false, description: 'partition' }))];
}

/** A contract plus what silver needs to know about where it lives (Olist tables and generic sources alike). */
export interface SilverModel {
  name: string;
  contract: Pick<TableContract, 'columns' | 'key' | 'partition'>;
  /** A generic source: its columns' types were inferred; a value that no longer casts quarantines its row. */
  generic: boolean;
}

export interface SilverTableResult {
  table: string;
  status: 'updated' | 'unchanged';
  ingests: string[];
  rowsIn: number;
  quarantined: number;
  duplicates: number;
  rowsOut: number;
  updated: number;
  nulledValues: number;
  partitionsRewritten: number;
  totalRows: number;
  versionId: number | null;
  quarantineByReason: Record<string, number>;
}

export async function pendingIngests(ctx: LakeContext, bronze: Dataset, silver: Dataset) {
  return ctx.catalog.db
    .select({ id: ingests.id, versionId: ingests.versionId, rows: ingests.rowCount })
    .from(ingests)
    .where(
      and(
        eq(ingests.datasetId, bronze.id),
        notExists(
          ctx.catalog.db
            .select({ one: sql`1` })
            .from(ingestConsumption)
            .where(and(eq(ingestConsumption.ingestId, ingests.id), eq(ingestConsumption.consumerDatasetId, silver.id))),
        ),
      ),
    )
    .orderBy(ingests.id);
}

/** Paths of the bronze files the given ingests wrote (each ingest's version added exactly its own files). */
export async function bronzePaths(ctx: LakeContext, bronze: Dataset, ingestIds: string[]): Promise<string[]> {
  if (ingestIds.length === 0) return [];
  const rows = await ctx.catalog.pool.query<{ key: string }>(
    `select f.key from files f join ingests i on i.version_id = f.created_in_version_id where i.id = any($1) and f.dataset_id = $2 order by f.key`,
    [ingestIds, bronze.id],
  );
  return ctx.readable(bronze.bucket, rows.rows.map((r) => r.key));
}

const partitionCols = (instant: string) => `strftime(${instant}, '%Y') AS year, strftime(${instant}, '%m') AS month, strftime(${instant}, '%d') AS day`;

/**
 * The partition (year/month/day) a judged row `j` is filed under, per the contract's partition rule:
 * its event instant, its ingest instant, or the date of the row it refers to in another table (`join`).
 */
async function partitionSql(ctx: LakeContext, model: SilverModel, judged: string): Promise<{ cols: string; join: string }> {
  const rule = model.contract.partition;
  if (rule.kind === 'event_column') return { cols: partitionCols(`CAST(j.${quoteIdent(rule.column)} AS TIMESTAMP)`), join: '' };
  if (rule.kind === 'ingest_date') return { cols: partitionCols('j._ingested_at'), join: '' };
  const lookup = await ctx.catalog.pool.query<{ id: string; bucket: string; partition_keys: string[]; schema: SchemaColumn[]; current_version_id: number | null }>(
    `select id, bucket, partition_keys, schema, current_version_id from datasets where layer = 'silver' and name = $1`,
    [rule.table],
  );
  const ds = lookup.rows[0];
  if (!ds?.current_version_id) return { cols: partitionCols('j._ingested_at'), join: '' };
  const on = rule.on.map((o) => `lk.${quoteIdent(o.remote)} = j.${quoteIdent(o.local)}`).join(' AND ');
  const distinctOn = rule.on.map((o) => quoteIdent(o.remote)).join(', ');
  // The referenced table is filed by the very column looked up: its digest already holds each key's partition.
  const remote = olistDigestModel(rule.table);
  if (remote && remote.contract.partition.kind === 'event_column' && remote.contract.partition.column === rule.column && rule.on.every((o) => digestColumns(remote).includes(o.remote))) {
    const digest = await digestOf(ctx, ds, remote, ds.current_version_id);
    if (digest) {
      const ingested = (part: string) => `strftime(j._ingested_at, '${part}')`;
      return {
        cols: `coalesce(lk.year, ${ingested('%Y')}) AS year, coalesce(lk.month, ${ingested('%m')}) AS month, coalesce(lk.day, ${ingested('%d')}) AS day`,
        // Only the keys the incoming rows name are looked at (an increment names a few of a large table).
        join: `LEFT JOIN (SELECT DISTINCT ON (${distinctOn}) ${rule.on.map((o) => `d.${quoteIdent(o.remote)}`).join(', ')}, d.year, d.month, d.day FROM ${digest} d
                 SEMI JOIN (SELECT DISTINCT ${rule.on.map((o) => quoteIdent(o.local)).join(', ')} FROM ${judged}) w ON ${rule.on.map((o) => `d.${quoteIdent(o.remote)} = w.${quoteIdent(o.local)}`).join(' AND ')}) lk ON ${on}`,
      };
    }
  }
  const files = await currentFileRefs(ctx.catalog.db, ds.id);
  const scan = tableScanSql({ paths: await ctx.readable(ds.bucket, files.map((f) => f.key)), partitionKeys: ds.partition_keys, schema: ds.schema });
  const cols = [...new Set([...rule.on.map((o) => o.remote), rule.column])].map(quoteIdent).join(', ');
  return {
    cols: partitionCols(`coalesce(CAST(lk.${quoteIdent(rule.column)} AS TIMESTAMP), j._ingested_at)`),
    join: `LEFT JOIN (SELECT DISTINCT ON (${distinctOn}) ${cols} FROM (${scan})) lk ON ${on}`,
  };
}

function count(rows: unknown[][], i = 0): number {
  return Number(rows[0]?.[i] ?? 0);
}

/**
 * `gate` sees the figures before anything is committed; throwing from it fails the table with nothing
 * written (the quarantine included).
 */
export async function runSilverTable(
  ctx: LakeContext,
  run: RunRecorder,
  model: SilverModel,
  bronze: Dataset,
  gate?: (figures: SilverTableResult, silver: Dataset) => Promise<void>,
): Promise<SilverTableResult> {
  const started = Date.now();
  const columns = silverColumns(model.contract);
  const silver = await ensureDataset(ctx.catalog.db, {
    layer: 'silver',
    name: model.name,
    sourceTable: bronze.sourceTable,
    bucket: ctx.bucket('silver'),
    prefix: `${model.name}/`,
    schema: silverSchema(model.contract),
    partitionKeys: [...PARTITION_KEYS],
    description: bronze.sourceTable ? `Olist ${bronze.sourceTable}: cleansed, typed, de-duplicated` : `${model.name}: typed, de-duplicated`,
  });
  const pending = await pendingIngests(ctx, bronze, silver);
  const base: SilverTableResult = {
    table: model.name,
    status: 'unchanged',
    ingests: pending.map((p) => p.id),
    rowsIn: 0,
    quarantined: 0,
    duplicates: 0,
    rowsOut: 0,
    updated: 0,
    nulledValues: 0,
    partitionsRewritten: 0,
    totalRows: 0,
    versionId: silver.currentVersionId,
    quarantineByReason: {},
  };
  if (pending.length === 0) {
    run.info(`silver.${model.name}: nothing new in bronze.${bronze.name}`);
    return base;
  }

  const work = ctx.scratch(`silver-${model.name}`);
  const q = (p: string) => quoteLiteral(path.join(work, p));
  let lap = Date.now();
  let cpu = process.cpuUsage();
  const phase = (name: string) => {
    const now = Date.now();
    const used = process.cpuUsage(cpu);
    run.log('debug', `silver.${model.name}: ${name} ${now - lap} ms (cpu ${Math.round((used.user + used.system) / 1000)} ms)`);
    lap = now;
    cpu = process.cpuUsage();
  };
  try {
    const sources = await bronzePaths(ctx, bronze, base.ingests);
    // Bronze of a generic source may gain columns over time: missing ones read as NULL.
    const srcRel = `read_parquet([${sources.map(quoteLiteral).join(', ')}], union_by_name = true)`;
    const judgeSql = judgeRowsSql(model.contract, `(SELECT * FROM ${srcRel})`, { strictOptional: model.generic });
    const { cols: partitionCols, join } = await partitionSql(ctx, model, `read_parquet(${q('judged.parquet')})`);
    const lookup = join !== '';
    // The partition date is computed with the judging, unless it must be looked up in another table.
    await ctx.engine.execute(
      `COPY (${lookup ? judgeSql : `SELECT j.*, ${partitionCols} FROM (${judgeSql}) j`}) TO ${q('judged.parquet')} (FORMAT parquet, COMPRESSION uncompressed)`,
      { timeoutMs: 60 * 60_000 },
    );
    phase('judge');
    const judged = `read_parquet(${q('judged.parquet')})`;
    const tallies = await ctx.engine.query(
      `SELECT count(*), count(*) FILTER (WHERE _reason IS NOT NULL), coalesce(sum(_nulled) FILTER (WHERE _reason IS NULL), 0) FROM ${judged}`,
    );
    base.rowsIn = count(tallies.rows, 0);
    base.quarantined = count(tallies.rows, 1);
    base.nulledValues = count(tallies.rows, 2);
    const byReason = await ctx.engine.query(`SELECT _reason, count(*) FROM ${judged} WHERE _reason IS NOT NULL GROUP BY 1 ORDER BY 1`);
    base.quarantineByReason = Object.fromEntries(byReason.rows.map((r) => [String(r[0]), Number(r[1])]));

    const names = model.contract.columns.map((c) => quoteIdent(c.name));
    const rowCols = `${names.join(', ')}, _ingest_id, _source_file, CAST(_source_row AS BIGINT) AS _source_row, year, month, day`;
    let incoming = `(SELECT ${rowCols} FROM ${judged} WHERE _reason IS NULL)`;
    if (lookup) {
      await ctx.engine.execute(
        `COPY (SELECT ${names.map((n) => `j.${n}`).join(', ')}, j._ingest_id, j._source_file, CAST(j._source_row AS BIGINT) AS _source_row, ${partitionCols}
               FROM ${judged} j ${join} WHERE j._reason IS NULL) TO ${q('incoming.parquet')} (FORMAT parquet, COMPRESSION uncompressed)`,
      );
      incoming = `read_parquet(${q('incoming.parquet')})`;
      phase('partition lookup');
    }

    const currentSilver = await currentFileRefs(ctx.catalog.db, silver.id);
    // Where older rows of the incoming keys live: from the key digest when the table has one, else a scan.
    const digest = hasDigest(model) && silver.currentVersionId && currentSilver.length > 0 ? await digestOf(ctx, silver, model, silver.currentVersionId) : undefined;
    const current = digest
      ? `SELECT * FROM ${digest}`
      : tableScanSql({ paths: await ctx.readable(silver.bucket, currentSilver.map((f) => f.key)), partitionKeys: [...PARTITION_KEYS], schema: silver.schema });
    const keys = keyColumns(model).map(quoteIdent);
    const keyMatch = keys.map((k) => `cur.${k} IS NOT DISTINCT FROM inc.${k}`).join(' AND ');
    const affected = await ctx.engine.query(
      currentSilver.length === 0
        ? `SELECT DISTINCT year, month, day FROM ${incoming} ORDER BY 1, 2, 3`
        : `SELECT DISTINCT year, month, day FROM ${incoming}
           UNION
           SELECT DISTINCT cur.year, cur.month, cur.day FROM (${current}) cur SEMI JOIN ${incoming} inc ON ${keyMatch}
           ORDER BY 1, 2, 3`,
      { timeoutMs: 60 * 60_000 },
    );
    const partitions = affected.rows.map((r) => ({ year: String(r[0]), month: String(r[1]), day: String(r[2]) }));
    base.partitionsRewritten = partitions.length;
    // Duplicates within the incoming rows: the rows beyond one per key.
    const distinct = await ctx.engine.query(`SELECT count(*) FROM (SELECT DISTINCT ${keys.join(', ')} FROM ${incoming})`);
    base.duplicates = base.rowsIn - base.quarantined - count(distinct.rows);
    base.rowsOut = count(distinct.rows);
    phase('affected partitions');
    if (partitions.length === 0) {
      run.info(`silver.${model.name}: ${base.rowsIn} rows read, all quarantined`);
    }
    await gate?.(base, silver);
    // Only the files of the affected partitions are read back (the catalog knows which those are).
    const affectedIds = new Set(partitions.map(dayId));
    const affectedFiles = currentSilver.filter((f) => affectedIds.has(dayId(f.partition)));
    const dedup = (rows: string) =>
      `SELECT * EXCLUDE (_rn) FROM (SELECT *, row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM ${rows}) WHERE _rn = 1`;
    let finalRows = dedup(incoming);
    if (affectedFiles.length > 0) {
      // Older rows share the partitions: merge, keep the latest per key, and count who won.
      const currentAffected = tableScanSql({ paths: await ctx.readable(silver.bucket, affectedFiles.map((f) => f.key)), partitionKeys: [...PARTITION_KEYS], schema: silver.schema });
      const merged = q('merged.parquet');
      await ctx.engine.execute(`COPY (${dedup(`(SELECT ${rowCols} FROM (${currentAffected}) UNION ALL SELECT * FROM ${incoming})`)}) TO ${merged} (FORMAT parquet, COMPRESSION uncompressed)`, {
        timeoutMs: 60 * 60_000,
      });
      const ingestList = base.ingests.map(quoteLiteral).join(', ');
      const outcome = await ctx.engine.query(
        `SELECT count(*) FILTER (WHERE _ingest_id IN (${ingestList})), count(*) FILTER (WHERE _ingest_id NOT IN (${ingestList})) FROM read_parquet(${merged})`,
      );
      base.rowsOut = count(outcome.rows, 0);
      base.updated = affectedFiles.reduce((a, f) => a + f.rowCount, 0) - count(outcome.rows, 1);
      finalRows = `(SELECT * FROM read_parquet(${merged}))`;
      phase('merge');
    }

    // Quarantine and the table commit separately; both are atomic, and a re-run after a crash between
    // them re-judges the same bronze ingests, so nothing is lost (the quarantine may then hold a row twice,
    // each tagged with its run).
    if (base.quarantined > 0) {
      await appendQuarantine(ctx, run, model.name, `SELECT * FROM ${judged} WHERE _reason IS NOT NULL`);
    }
    phase('quarantine');
    const staging = await beginVersion(ctx.catalog.db, { datasetId: silver.id, operation: 'overwrite_partitions', runId: run.id });
    const staged = await ctx.storage.stageVersion(silver.bucket, silver.prefix, staging.versionKey);
    try {
      const newFiles =
        partitions.length === 0
          ? []
          : await copyToVersion(ctx.engine, staged, finalRows, {
              partitionBy: PARTITION_KEYS,
              scratch: () => path.join(work, 'out'),
              ...(partitions.length === 1 ? { onlyPartition: partitions[0] } : {}),
            });
      if (affectedFiles.length === 0) base.rowsOut = newFiles.reduce((a, f) => a + f.rowCount, 0);
      // The figures must add up before anything is committed.
      assertReconciles(base);
      phase('stage files');
      if (hasDigest(model)) {
        // The new version's digest: the old one outside the rewritten partitions, plus the rewritten rows.
        const kept = currentSilver.filter((f) => !affectedIds.has(dayId(f.partition)));
        const expected = kept.reduce((a, f) => a + f.rowCount, 0) + newFiles.reduce((a, f) => a + f.rowCount, 0);
        try {
          if (digest && kept.length > 0) {
            await updateDigest(ctx, model, silver.id, silver.currentVersionId!, staging.id, partitions, finalRows, expected);
          } else if (kept.length === 0) {
            await writeDigest(ctx, silver.id, staging.id, `SELECT ${digestSelect(model)} FROM (${finalRows})`, expected);
          }
        } catch (e) {
          // A cache: without it the next run scans the table instead. The table itself is unaffected.
          dropDigest(ctx, silver.id, staging.id);
          run.log('warn', `silver.${model.name}: the key digest could not be written (${e instanceof Error ? e.message : String(e)}); the next run scans the table instead`);
        }
        phase('key digest');
      }
      const committed = await commitVersion(ctx.catalog.db, {
        staging,
        newFiles,
        keep: { kind: 'except_partitions', partitions },
        changedPartitions: partitions,
        facets: { silver: { ingests: base.ingests, rowsIn: base.rowsIn, quarantined: base.quarantined, duplicates: base.duplicates, rowsOut: base.rowsOut, updated: base.updated } },
        alsoInTransaction: async (tx) => {
          await tx.insert(ingestConsumption).values(base.ingests.map((ingestId) => ({ ingestId, consumerDatasetId: silver.id, runId: run.id })));
        },
      });
      phase('commit');
      base.versionId = committed.id;
      base.totalRows = committed.rowCount;
      base.status = 'updated';
      const bronzeVersions = await ctx.catalog.db.select({ id: ingests.id, versionId: ingests.versionId, rows: ingests.rowCount }).from(ingests).where(inArray(ingests.id, base.ingests));
      await run.lineage([
        ...bronzeVersions.map((b) => ({
          direction: 'input' as const,
          namespace: `keystone://${bronze.bucket}`,
          name: `bronze.${bronze.name}`,
          datasetId: bronze.id,
          versionId: b.versionId,
          ingestId: b.id,
          rowCount: b.rows,
          facets: { step: `silver.${silver.name}` },
        })),
        ...partitions.map((p) => ({
          direction: 'output' as const,
          namespace: `keystone://${silver.bucket}`,
          name: `silver.${silver.name}`,
          datasetId: silver.id,
          versionId: committed.id,
          partition: p,
          facets: { step: `silver.${silver.name}` },
        })),
      ]);
    } catch (e) {
      await staged.abort().catch(() => undefined);
      await abortVersion(ctx.catalog.db, staging).catch(() => undefined);
      dropDigest(ctx, silver.id, staging.id);
      throw e;
    }
    run.info(
      `silver.${model.name}: ${base.rowsIn} in → ${base.rowsOut} out, ${base.quarantined} quarantined, ${base.duplicates} duplicates removed, ${base.updated} updated; ${partitions.length} partitions rewritten in ${Date.now() - started} ms`,
    );
    return base;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export function assertReconciles(r: SilverTableResult): void {
  if (r.rowsIn !== r.rowsOut + r.quarantined + r.duplicates) {
    throw new KeystoneError('internal:reconcile', `silver.${r.table}: ${r.rowsIn} rows in ≠ ${r.rowsOut} out + ${r.quarantined} quarantined + ${r.duplicates} duplicates`);
  }
}
