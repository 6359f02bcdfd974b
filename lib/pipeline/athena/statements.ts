/**
 * What a pipeline run sends to Athena, in order, as data: `planAthenaRun(job, state)` returns the
 * statements; nothing here talks to AWS, reads a clock or makes an id, so the plan is deterministic
 * and snapshot-tested (lib/pipeline/athena/__snapshots__/).
 *
 * Layout in the Glue database (ATHENA_DATABASE), one table per layer and dataset:
 *   bronze_<t>      external, Parquet, every source column string + lineage, LOCATION s3://<bronze>/<t>/,
 *                   PARTITIONED BY (_version) with one explicit partition per ingest version
 *                   (s3://<bronze>/<t>/_v/<version>/). Explicit, because Athena skips '_'-prefixed folders
 *                   when it lists a table location, and because "only the ingests silver has not read"
 *                   then prunes to those partitions instead of scanning the whole table.
 *   silver_<t>      external, partitioned year/month/day, PARTITION PROJECTION onto one version prefix
 *                   (storage.location.template = s3://<silver>/<t>/_v/<version>/year=${year}/…). Publishing
 *                   a new version is one ALTER TABLE … SET TBLPROPERTIES: the pointer switch.
 *   silver_quarantine  external, PARTITIONED BY (_version), appended by INSERT INTO.
 *   gold_<m>        a view over gold_<m>__v<version>, the CTAS output at s3://<gold>/<m>/_v/<version>/;
 *                   CREATE OR REPLACE VIEW after every model built is the pointer switch.
 *
 * Silver on Athena writes each new version complete (current rows ∪ incoming, latest per key), so one
 * version prefix holds every partition and projection fits. The DuckDB path rewrites only the touched
 * partitions and keeps the rest by reference; on Athena that would need every partition registered
 * explicitly against older prefixes. For Olist-sized tables the full rewrite costs a few MB of scan.
 */
import { quoteIdent, quoteLiteral } from '../../catalog/identifiers';
import type { Layer } from '../../config';
import { KeystoneError } from '../../errors';
import { CONTRACTS } from '../../olist/contracts';
import type { TableContract, TableName } from '../../olist/contract-types';
import { LINEAGE_COLUMNS } from '../bronze';
import { GOLD_MODELS, type GoldModel } from '../gold/models';
import { judgeRowsSql, silverColumns } from '../silver/model-sql';
import { QUARANTINE_SCHEMA } from '../silver/quarantine';
import { PARTITION_KEYS } from '../silver/silver-table';
import { ATHENA_DIALECT, athenaType } from './dialect';
import { applyOverride } from './overrides';

/** Athena refuses a CTAS / INSERT INTO that writes more partitions than this. */
export const MAX_PARTITIONS_PER_STATEMENT = 100;

export type AthenaJob = 'bronze' | 'silver' | 'gold' | 'all';

export interface Partition {
  year: string;
  month: string;
  day: string;
}

/** Everything the plan depends on, read from the catalog by the caller (versions are passed in, never made here). */
export interface AthenaPlanState {
  database: string;
  buckets: Record<Layer, string>;
  /** The run the statements belong to (recorded on quarantined rows). */
  runId: string;
  /** Bronze versions (ingests) per table; `pending`: those silver has not consumed yet. */
  bronze: Partial<Record<TableName, { versions: readonly string[]; pending: readonly string[] }>>;
  /**
   * Silver per table (listed when bronze has pending versions for it or it has a current version):
   * the version this run writes, the current one (null: none yet), the quarantine
   * version its rejects go to, and the partitions the new version holds. A real run learns the
   * partitions from the `SELECT DISTINCT year, month, day` statement before the split; a dry run shows
   * the split over the partitions the catalog knows.
   */
  silver: Partial<Record<TableName, { version: string; current: string | null; quarantineVersion: string; partitions: readonly Partition[] }>>;
  /** Gold: the version each model's CTAS writes. */
  gold: Readonly<Record<string, string>>;
}

export interface PlannedStatement {
  /** What the statement is for, e.g. `silver.orders: write partitions 101–200 of 250`. */
  step: string;
  sql: string;
}

const VERSION_RE = /^[0-9A-Za-z_-]{1,64}$/;
function version(v: string): string {
  if (!VERSION_RE.test(v)) throw new KeystoneError('bad_request:version', `${JSON.stringify(v)} is not a version key`);
  return v;
}

/** Qualified names: "db"."table" for queries (Trino), `db`.`table` for Hive DDL. */
export function athenaNames(database: string) {
  const q = (t: string) => `${quoteIdent(database)}.${quoteIdent(t)}`;
  const ddl = (t: string) => `\`${database}\`.\`${t}\``;
  return {
    q,
    ddl,
    bronze: (t: string) => `bronze_${t}`,
    silver: (t: string) => `silver_${t}`,
    gold: (m: string) => `gold_${m}`,
    goldVersion: (m: string, v: string) => `gold_${m}__v${version(v)}`,
    work: (t: string, what: string, v: string) => `silver_${t}__${what}_v${version(v)}`,
  };
}

const ddlIdent = (name: string) => `\`${name.replace(/`/g, '``')}\``;
const s3 = (bucket: string, key: string) => `s3://${bucket}/${key}`;

/** The projection's year range: the years the version holds (a partition outside it would be invisible). */
function yearRange(partitions: readonly Partition[]): string {
  const years = partitions.map((p) => Number(p.year)).filter(Number.isInteger);
  if (years.length === 0) return '2016,2016';
  return `${Math.min(...years)},${Math.max(...years)}`;
}

/** Contracts in run order: tables that look up their partition date in another silver table come last. */
function silverOrder(): TableContract[] {
  return [...CONTRACTS.filter((c) => c.partition.kind !== 'lookup'), ...CONTRACTS.filter((c) => c.partition.kind === 'lookup')];
}

// ---------------------------------------------------------------------------------------------- DDL

export function createDatabase(state: Pick<AthenaPlanState, 'database'>): PlannedStatement {
  return { step: 'database', sql: `CREATE DATABASE IF NOT EXISTS ${ddlIdent(state.database)}` };
}

export function bronzeTableDdl(contract: TableContract, state: Pick<AthenaPlanState, 'database' | 'buckets'>): PlannedStatement {
  const n = athenaNames(state.database);
  const cols = [
    ...contract.columns.map((c) => `${ddlIdent(c.name)} string`),
    ...LINEAGE_COLUMNS.map((c) => `${ddlIdent(c.name)} ${athenaType(c.type, 'ddl')}`),
  ];
  return {
    step: `bronze.${contract.table}: table`,
    sql: `CREATE EXTERNAL TABLE IF NOT EXISTS ${n.ddl(n.bronze(contract.table))} (
  ${cols.join(',\n  ')}
)
PARTITIONED BY (\`_version\` string)
STORED AS PARQUET
LOCATION ${quoteLiteral(s3(state.buckets.bronze, `${contract.table}/`))}`,
  };
}

export function bronzePartitions(table: string, versions: readonly string[], state: Pick<AthenaPlanState, 'database' | 'buckets'>): PlannedStatement | undefined {
  if (versions.length === 0) return undefined;
  const n = athenaNames(state.database);
  const parts = versions.map((v) => `PARTITION (\`_version\` = ${quoteLiteral(version(v))}) LOCATION ${quoteLiteral(s3(state.buckets.bronze, `${table}/_v/${v}/`))}`);
  return { step: `bronze.${table}: register ${versions.length} version${versions.length === 1 ? '' : 's'}`, sql: `ALTER TABLE ${n.ddl(n.bronze(table))} ADD IF NOT EXISTS\n  ${parts.join('\n  ')}` };
}

function silverTemplate(table: string, v: string, state: Pick<AthenaPlanState, 'buckets'>): string {
  return s3(state.buckets.silver, `${table}/_v/${version(v)}/year=\${year}/month=\${month}/day=\${day}/`);
}

function silverDdlColumns(contract: Pick<TableContract, 'columns'>): string[] {
  return [
    ...silverColumns(contract).map((c) => `${ddlIdent(c.name)} ${athenaType(c.type, 'ddl')}`),
    `\`_ingest_id\` string`,
    `\`_source_file\` string`,
    `\`_source_row\` bigint`,
  ];
}

/** The silver table with partition projection onto version `v` (created once; later versions re-point it). */
export function silverTableDdl(contract: TableContract, v: string, partitions: readonly Partition[], state: Pick<AthenaPlanState, 'database' | 'buckets'>): PlannedStatement {
  const n = athenaNames(state.database);
  return {
    step: `silver.${contract.table}: table`,
    sql: `CREATE EXTERNAL TABLE IF NOT EXISTS ${n.ddl(n.silver(contract.table))} (
  ${silverDdlColumns(contract).join(',\n  ')}
)
PARTITIONED BY (${PARTITION_KEYS.map((k) => `\`${k}\` string`).join(', ')})
STORED AS PARQUET
LOCATION ${quoteLiteral(s3(state.buckets.silver, `${contract.table}/`))}
TBLPROPERTIES (
  ${projectionProperties(contract.table, v, partitions, state).join(',\n  ')},
  'parquet.compression' = 'ZSTD'
)`,
  };
}

function projectionProperties(table: string, v: string, partitions: readonly Partition[], state: Pick<AthenaPlanState, 'buckets'>): string[] {
  return [
    `'projection.enabled' = 'true'`,
    `'projection.year.type' = 'integer'`,
    `'projection.year.range' = '${yearRange(partitions)}'`,
    `'projection.month.type' = 'integer'`,
    `'projection.month.range' = '1,12'`,
    `'projection.month.digits' = '2'`,
    `'projection.day.type' = 'integer'`,
    `'projection.day.range' = '1,31'`,
    `'projection.day.digits' = '2'`,
    `'storage.location.template' = ${quoteLiteral(silverTemplate(table, v, state))}`,
  ];
}

export function quarantineTableDdl(state: Pick<AthenaPlanState, 'database' | 'buckets'>): PlannedStatement {
  const n = athenaNames(state.database);
  return {
    step: 'silver.quarantine: table',
    sql: `CREATE EXTERNAL TABLE IF NOT EXISTS ${n.ddl(n.silver('quarantine'))} (
  ${QUARANTINE_SCHEMA.map((c) => `${ddlIdent(c.name)} ${athenaType(c.type, 'ddl')}`).join(',\n  ')}
)
PARTITIONED BY (\`_version\` string)
STORED AS PARQUET
LOCATION ${quoteLiteral(s3(state.buckets.silver, 'quarantine/'))}`,
  };
}

// ------------------------------------------------------------------------------------ partition split

export interface PartitionChunk {
  partitions: Partition[];
  /** Inclusive bounds on year || month || day ('20170101'). */
  from: string;
  to: string;
}

const partitionKey = (p: Partition) => `${p.year}${p.month}${p.day}`;

/**
 * Split partitions into runs of at most `max` (Athena's per-statement limit), in key order, each
 * partition in exactly one chunk (duplicates collapse). Chunks are contiguous key ranges, so a statement
 * can select its chunk with one BETWEEN.
 */
export function splitPartitions(partitions: readonly Partition[], max = MAX_PARTITIONS_PER_STATEMENT): PartitionChunk[] {
  if (!Number.isInteger(max) || max < 1) throw new KeystoneError('bad_request:partition_split', `max partitions per statement must be a positive integer, not ${max}`);
  const unique = [...new Map(partitions.map((p) => [partitionKey(p), p])).values()].sort((a, b) => partitionKey(a).localeCompare(partitionKey(b)));
  const chunks: PartitionChunk[] = [];
  for (let i = 0; i < unique.length; i += max) {
    const part = unique.slice(i, i + max);
    chunks.push({ partitions: part, from: partitionKey(part[0]!), to: partitionKey(part[part.length - 1]!) });
  }
  return chunks;
}

// -------------------------------------------------------------------------------------------- silver

/** Rewrite `silver.<t>` and `gold_next.<m>` references of model SQL to Glue tables. */
export function qualifyModelTables(sql: string, state: Pick<AthenaPlanState, 'database' | 'gold'>): string {
  const n = athenaNames(state.database);
  return sql
    .replace(/\bsilver\.([a-z_]+)/g, (_, t: string) => n.q(n.silver(t)))
    .replace(/\bgold_next\.([a-z_]+)/g, (_, m: string) => {
      const v = state.gold[m];
      if (v === undefined) throw new KeystoneError('bad_request:athena_plan', `gold model ${m} is read before it has a version in this run`);
      return n.q(n.goldVersion(m, v));
    });
}

function eventExpr(contract: TableContract, state: AthenaPlanState): { expr: string; join: string } {
  const rule = contract.partition;
  if (rule.kind === 'event_column') return { expr: `CAST(j.${quoteIdent(rule.column)} AS timestamp)`, join: '' };
  if (rule.kind === 'ingest_date') return { expr: 'j._ingested_at', join: '' };
  const n = athenaNames(state.database);
  // One row per remote key (silver is already one row per key; arbitrary() states it without DISTINCT ON).
  const keys = rule.on.map((o) => quoteIdent(o.remote));
  return {
    expr: `coalesce(CAST(lk.${quoteIdent(rule.column)} AS timestamp), j._ingested_at)`,
    join: `LEFT JOIN (SELECT ${keys.join(', ')}, arbitrary(${quoteIdent(rule.column)}) AS ${quoteIdent(rule.column)} FROM ${n.q(n.silver(rule.table))} GROUP BY ${keys.join(', ')}) lk ON ${rule.on
      .map((o) => `lk.${quoteIdent(o.remote)} = j.${quoteIdent(o.local)}`)
      .join(' AND ')}`,
  };
}

export function planSilverTable(contract: TableContract, state: AthenaPlanState): PlannedStatement[] {
  const t = contract.table;
  const s = state.silver[t];
  const pending = state.bronze[t]?.pending ?? [];
  if (!s || pending.length === 0) return [];
  const n = athenaNames(state.database);
  const d = ATHENA_DIALECT;
  const v = version(s.version);
  const judged = n.q(n.work(t, 'judged', v));
  const merged = n.q(n.work(t, 'merged', v));
  const target = n.q(`silver_${t}__v${v}`);
  const work = (what: string) => s3(state.buckets.silver, `_work/${t}/_v/${v}/${what}/`);
  const out: PlannedStatement[] = [];

  const source = `(SELECT * FROM ${n.q(n.bronze(t))} WHERE _version IN (${pending.map((p) => quoteLiteral(version(p))).join(', ')}))`;
  const { expr, join } = eventExpr(contract, state);
  const judge = d.translate(`SELECT j.*, ${d.partitionColumns(expr)} FROM (${judgeRowsSql(contract, source)}) j ${join}`.trimEnd());
  out.push({ step: `silver.${t}: judge ${pending.length} bronze version${pending.length === 1 ? '' : 's'}`, sql: d.createTableAs({ name: judged, location: work('judged') }, judge) });

  const q = athenaNames(state.database);
  out.push({
    step: `silver.${t}: quarantine`,
    sql: `ALTER TABLE ${q.ddl(q.silver('quarantine'))} ADD IF NOT EXISTS PARTITION (\`_version\` = ${quoteLiteral(version(s.quarantineVersion))}) LOCATION ${quoteLiteral(s3(state.buckets.silver, `quarantine/_v/${s.quarantineVersion}/`))}`,
  });
  out.push({
    step: `silver.${t}: quarantine`,
    sql: d.insertInto(
      { name: n.q(n.silver('quarantine')), location: '' },
      `SELECT ${quoteLiteral(t)} AS table_name, _reason_column AS column_name, _reason_raw AS raw_value, _reason AS reason,
       _parse_error AS detail, _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row,
       ${quoteLiteral(state.runId)} AS run_id, CAST(current_timestamp AS timestamp) AS quarantined_at, ${quoteLiteral(s.quarantineVersion)} AS _version
FROM ${judged} WHERE _reason IS NOT NULL`,
    ),
  });

  const names = contract.columns.map((c) => quoteIdent(c.name));
  const outCols = [...names, '_ingest_id', '_source_file', '_source_row', ...PARTITION_KEYS];
  const incoming = `SELECT ${names.join(', ')}, _ingest_id, _source_file, CAST(_source_row AS bigint) AS _source_row, ${PARTITION_KEYS.join(', ')} FROM ${judged} WHERE _reason IS NULL`;
  const rows = s.current === null ? `(${incoming})` : `(${incoming}\n  UNION ALL SELECT ${outCols.join(', ')} FROM ${n.q(n.silver(t))})`;
  const keys = (contract.key.kind === 'columns' ? contract.key.columns : contract.columns.map((c) => c.name)).map(quoteIdent);
  out.push({ step: `silver.${t}: latest row per key`, sql: d.createTableAs({ name: merged, location: work('merged') }, d.latestPerKey(rows, keys, outCols)) });
  out.push({ step: `silver.${t}: partitions to write`, sql: `SELECT DISTINCT ${PARTITION_KEYS.join(', ')} FROM ${merged} ORDER BY 1, 2, 3` });

  const chunks = splitPartitions(s.partitions);
  if (chunks.length === 0) {
    // The catalog knows no partition yet (a first load): the run splits what the query above returns.
    const spec = { name: target, location: s3(state.buckets.silver, `${t}/_v/${v}/`), partitionedBy: PARTITION_KEYS };
    out.push({
      step: `silver.${t}: write partitions (not known before the run: one CTAS for the first ${MAX_PARTITIONS_PER_STATEMENT}, then INSERT INTO per further ${MAX_PARTITIONS_PER_STATEMENT}; :from/:to are filled from the query above)`,
      sql: d.createTableAs(spec, `SELECT ${outCols.join(', ')} FROM ${merged}\nWHERE concat(year, month, day) BETWEEN :from AND :to`),
    });
  }
  const total = chunks.reduce((a, c) => a + c.partitions.length, 0);
  let done = 0;
  chunks.forEach((c, i) => {
    const select = `SELECT ${outCols.join(', ')} FROM ${merged}\nWHERE concat(year, month, day) BETWEEN ${quoteLiteral(c.from)} AND ${quoteLiteral(c.to)}`;
    const spec = { name: target, location: s3(state.buckets.silver, `${t}/_v/${v}/`), partitionedBy: PARTITION_KEYS };
    const step = `silver.${t}: write partitions ${done + 1}–${done + c.partitions.length} of ${total} (${c.from}..${c.to})`;
    out.push({ step, sql: i === 0 ? d.createTableAs(spec, select) : d.insertInto(spec, select) });
    done += c.partitions.length;
  });

  out.push(silverTableDdl(contract, v, s.partitions, state));
  out.push({
    step: `silver.${t}: publish version ${v}`,
    sql: `ALTER TABLE ${n.ddl(n.silver(t))} SET TBLPROPERTIES (\n  ${projectionProperties(t, v, s.partitions, state)
      .filter((p) => /year.range|storage.location/.test(p))
      .join(',\n  ')}\n)`,
  });
  // Glue entries of the work tables go; their S3 objects under _work/ are deleted by the storage backend.
  for (const w of [n.work(t, 'judged', v), n.work(t, 'merged', v), `silver_${t}__v${v}`]) {
    out.push({ step: `silver.${t}: drop work table`, sql: `DROP TABLE IF EXISTS ${n.ddl(w)}` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- gold

/** A gold model's Athena SQL: its override (if any), the mechanical rewrites, Glue table names. */
export function athenaGoldSql(model: GoldModel, state: Pick<AthenaPlanState, 'database' | 'gold'>): string {
  return qualifyModelTables(ATHENA_DIALECT.translate(applyOverride(model.name, model.sql.trim())), state);
}

/** Does this run write a new version of silver table `t`? */
function writesSilver(t: TableName, state: AthenaPlanState): boolean {
  return state.silver[t] !== undefined && (state.bronze[t]?.pending.length ?? 0) > 0;
}

export function planGold(state: AthenaPlanState, afterSilver: boolean): PlannedStatement[] {
  const n = athenaNames(state.database);
  const out: PlannedStatement[] = [];
  // Gold reads every silver table: one this run did not write is registered (if it is not yet) at its
  // current version; one never built at an empty prefix, so it reads as empty.
  for (const c of CONTRACTS) {
    if (afterSilver && writesSilver(c.table, state)) continue;
    const s = state.silver[c.table];
    out.push(silverTableDdl(c, s?.current ?? '000000', s?.partitions ?? [], state));
  }
  for (const m of GOLD_MODELS) {
    const v = state.gold[m.name];
    if (v === undefined) throw new KeystoneError('bad_request:athena_plan', `no version given for gold.${m.name}`);
    out.push({
      step: `gold.${m.name}: build version ${v}`,
      sql: ATHENA_DIALECT.createTableAs({ name: n.q(n.goldVersion(m.name, v)), location: s3(state.buckets.gold, `${m.name}/_v/${version(v)}/`) }, athenaGoldSql(m, state)),
    });
  }
  // Every model built: switch the names (a failure above leaves gold as it was).
  for (const m of GOLD_MODELS) {
    out.push({ step: `gold.${m.name}: publish`, sql: `CREATE OR REPLACE VIEW ${n.q(n.gold(m.name))} AS SELECT * FROM ${n.q(n.goldVersion(m.name, state.gold[m.name]!))}` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- plan

function bronzeRegistration(state: AthenaPlanState, which: 'versions' | 'pending'): PlannedStatement[] {
  const out: PlannedStatement[] = [];
  for (const c of CONTRACTS) {
    const b = state.bronze[c.table];
    if (!b) continue;
    out.push(bronzeTableDdl(c, state));
    const p = bronzePartitions(c.table, b[which], state);
    if (p) out.push(p);
  }
  return out;
}

/** The ordered statements a run of `job` sends to Athena. */
export function planAthenaRun(job: AthenaJob, state: AthenaPlanState): PlannedStatement[] {
  const out: PlannedStatement[] = [createDatabase(state)];
  if (job === 'bronze' || job === 'all') out.push(...bronzeRegistration(state, 'versions'));
  else if (job === 'silver') out.push(...bronzeRegistration(state, 'pending'));
  if (job === 'silver' || job === 'all') {
    out.push(quarantineTableDdl(state));
    for (const c of silverOrder()) out.push(...planSilverTable(c, state));
  }
  if (job === 'gold' || job === 'all') out.push(...planGold(state, job === 'all'));
  return out;
}

/** `keystone athena ddl`: every bronze, silver and gold table, from the contracts and models. */
export function athenaDdl(state: Pick<AthenaPlanState, 'database' | 'buckets' | 'gold'>, silverVersion = '000001'): PlannedStatement[] {
  const full: AthenaPlanState = { ...state, runId: '', bronze: {}, silver: {} };
  const n = athenaNames(state.database);
  return [
    createDatabase(state),
    ...CONTRACTS.map((c) => bronzeTableDdl(c, state)),
    ...CONTRACTS.map((c) => silverTableDdl(c, silverVersion, [], state)),
    quarantineTableDdl(state),
    ...GOLD_MODELS.flatMap((m) => {
      const v = state.gold[m.name] ?? '000001';
      return [
        { step: `gold.${m.name}: table`, sql: ATHENA_DIALECT.createTableAs({ name: n.q(n.goldVersion(m.name, v)), location: s3(state.buckets.gold, `${m.name}/_v/${v}/`) }, athenaGoldSql(m, { ...full, gold: goldVersions(state.gold) })) },
        { step: `gold.${m.name}: view`, sql: `CREATE OR REPLACE VIEW ${n.q(n.gold(m.name))} AS SELECT * FROM ${n.q(n.goldVersion(m.name, v))}` },
      ];
    }),
  ];
}

/** Every gold model's version, defaulting to 000001 (DDL shown before any build). */
export function goldVersions(given: Readonly<Record<string, string>> = {}): Record<string, string> {
  return Object.fromEntries(GOLD_MODELS.map((m) => [m.name, given[m.name] ?? '000001']));
}

/** Plain text for a terminal or a snapshot: each statement numbered, its step as a comment, `;` after it. */
export function formatStatements(statements: readonly PlannedStatement[]): string {
  return statements.map((s, i) => `-- [${i + 1}] ${s.step}\n${s.sql};\n`).join('\n');
}
