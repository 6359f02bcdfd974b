/**
 * The catalog: what is in the lake, how it got there, and who may see it.
 * Drizzle tables; the SQL migrations in db/migrations/ are generated from this file by
 * `npm run db:generate` and committed. Never edit a committed migration: add a new one.
 *
 * Shapes follow OpenLineage where it matters, so a run exports as events without translation:
 * a run has a job (namespace + name), inputs and outputs are datasets (namespace + name),
 * and facets are JSONB keyed by facet name.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const count = (name: string) => bigint(name, { mode: 'number' });

/** A column of a dataset's schema, as the catalog records it. */
export interface SchemaColumn {
  name: string;
  type: string;
  nullable: boolean;
  description?: string;
}

/** Per-column statistics of a Parquet file, read from its footer. */
export interface ColumnStats {
  min?: string | number | null;
  max?: string | number | null;
  nulls?: number;
  distinct?: number;
  /** Compressed bytes of the column in the file (for scan-cost estimates with column projection). */
  bytes?: number;
}

// ───────────────────────────── people ─────────────────────────────

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    displayName: text('display_name'),
    /** scrypt: `scrypt$N$r$p$salt$hash`, never the password. */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['engineer', 'analyst'] }).notNull(),
    disabled: boolean('disabled').notNull().default(false),
    createdAt: createdAt(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('users_username_key').on(sql`lower(${t.username})`), check('users_role_check', sql`${t.role} in ('engineer','analyst')`)],
);

export const sessions = pgTable(
  'sessions',
  {
    /** sha256 of the session token; the token itself only ever lives in the browser's cookie. */
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

// ───────────────────────────── the lake ─────────────────────────────

export const datasets = pgTable(
  'datasets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    layer: text('layer', { enum: ['bronze', 'silver', 'gold'] }).notNull(),
    /** Validated identifier (`[a-z][a-z0-9_]*`), addressable in SQL as `<layer>.<name>`. */
    name: text('name').notNull(),
    /** table: a normal dataset; quarantine: rejected rows; dead_letter: rejected stream events. */
    kind: text('kind', { enum: ['table', 'quarantine', 'dead_letter'] })
      .notNull()
      .default('table'),
    /** Olist table this dataset holds (e.g. `orders`), or null for a generic source. */
    sourceTable: text('source_table'),
    description: text('description'),
    format: text('format').notNull().default('parquet'),
    bucket: text('bucket').notNull(),
    /** Key prefix of the dataset inside its bucket, ending with `/`. */
    prefix: text('prefix').notNull(),
    schema: jsonb('schema').$type<SchemaColumn[]>().notNull().default([]),
    partitionKeys: text('partition_keys').array().notNull().default(sql`'{}'::text[]`),
    /** The version readers see. Null until the first commit. Switched in the same transaction as the commit. */
    currentVersionId: bigint('current_version_id', { mode: 'number' }),
    facets: jsonb('facets').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('datasets_layer_name_key').on(t.layer, t.name),
    check('datasets_name_check', sql`${t.name} ~ '^[a-z][a-z0-9_]{0,62}$'`),
    check('datasets_prefix_check', sql`${t.prefix} ~ '/$' and position('..' in ${t.prefix}) = 0`),
  ],
);

export const datasetVersions = pgTable(
  'dataset_versions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    /** 1, 2, 3… per dataset. */
    version: integer('version').notNull(),
    /** staging: being written, invisible; committed: complete; aborted: abandoned, files deleted. */
    status: text('status', { enum: ['staging', 'committed', 'aborted'] }).notNull(),
    /** append | overwrite | overwrite_partitions | merge | restore | compact */
    operation: text('operation').notNull(),
    parentVersionId: bigint('parent_version_id', { mode: 'number' }),
    /** Storage prefix this version's new files were written under. */
    prefix: text('prefix').notNull(),
    schema: jsonb('schema').$type<SchemaColumn[]>().notNull().default([]),
    rowCount: count('row_count').notNull().default(0),
    bytes: count('bytes').notNull().default(0),
    fileCount: integer('file_count').notNull().default(0),
    runId: uuid('run_id'),
    /** Partitions this version rewrote (for overwrite_partitions): [{year:'2017',month:'11',day:'24'}…]. */
    changedPartitions: jsonb('changed_partitions').$type<Record<string, string>[]>(),
    facets: jsonb('facets').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    committedAt: timestamp('committed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('dataset_versions_dataset_version_key').on(t.datasetId, t.version),
    index('dataset_versions_run_idx').on(t.runId),
    check('dataset_versions_committed_check', sql`(${t.status} = 'committed') = (${t.committedAt} is not null)`),
  ],
);

export const files = pgTable(
  'files',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    /** Object key inside the dataset's bucket. */
    key: text('key').notNull(),
    bytes: count('bytes').notNull(),
    rowCount: count('row_count').notNull(),
    rowGroups: integer('row_groups'),
    compression: text('compression'),
    /** e.g. {year:'2017', month:'11', day:'24'}; {} when unpartitioned. */
    partition: jsonb('partition').$type<Record<string, string>>().notNull().default({}),
    columnStats: jsonb('column_stats').$type<Record<string, ColumnStats>>().notNull().default({}),
    sha256: text('sha256'),
    /** The version that first wrote this file, and the run that did it. */
    createdInVersionId: bigint('created_in_version_id', { mode: 'number' }),
    runId: uuid('run_id'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('files_dataset_key_key').on(t.datasetId, t.key), index('files_partition_idx').using('gin', t.partition)],
);

/** Which files make up which version (a version reuses unchanged files of its parent). */
export const versionFiles = pgTable(
  'version_files',
  {
    versionId: bigint('version_id', { mode: 'number' })
      .notNull()
      .references(() => datasetVersions.id, { onDelete: 'cascade' }),
    fileId: bigint('file_id', { mode: 'number' })
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.fileId] }), index('version_files_file_idx').on(t.fileId)],
);

/** One arrival of data into bronze: an uploaded or named file, or a flushed stream micro-batch. */
export const ingests = pgTable(
  'ingests',
  {
    /** Sortable id (time-ordered), also the `_ingest_id` lineage column of every bronze row. */
    id: text('id').primaryKey(),
    sourceKind: text('source_kind', { enum: ['upload', 'file', 'stream'] }).notNull(),
    /** Original file name (display only, never used as a path) or stream producer/table. */
    sourceName: text('source_name').notNull(),
    /** sha256 of the source bytes: the same bytes are recognised and not ingested twice. */
    contentSha256: text('content_sha256').notNull(),
    datasetId: uuid('dataset_id').references(() => datasets.id, { onDelete: 'set null' }),
    versionId: bigint('version_id', { mode: 'number' }),
    format: text('format'),
    rowCount: count('row_count'),
    bytes: count('bytes'),
    runId: uuid('run_id'),
    uploadId: uuid('upload_id'),
    facets: jsonb('facets').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('ingests_dataset_content_key').on(t.datasetId, t.contentSha256),
    index('ingests_created_idx').on(t.createdAt),
  ],
);

/** Which bronze ingests a downstream dataset has consumed: the incremental watermark. */
export const ingestConsumption = pgTable(
  'ingest_consumption',
  {
    ingestId: text('ingest_id')
      .notNull()
      .references(() => ingests.id, { onDelete: 'cascade' }),
    consumerDatasetId: uuid('consumer_dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    runId: uuid('run_id').notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ingestId, t.consumerDatasetId] })],
);

export const uploads = pgTable(
  'uploads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The name the browser sent, sanitised for display; storage keys never use it. */
    fileName: text('file_name').notNull(),
    /** Where the bytes were staged (inside the bronze bucket's `_uploads/` area). */
    stagingKey: text('staging_key').notNull(),
    bytes: count('bytes').notNull().default(0),
    sha256: text('sha256'),
    status: text('status', { enum: ['receiving', 'received', 'committed', 'duplicate', 'failed', 'discarded'] }).notNull(),
    detectedTable: text('detected_table'),
    detectedFormat: text('detected_format'),
    preview: jsonb('preview').$type<Record<string, unknown>>(),
    error: text('error'),
    ingestId: text('ingest_id'),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('uploads_created_idx').on(t.createdAt)],
);

// ───────────────────────────── runs and lineage ─────────────────────────────

export const jobRuns = pgTable(
  'job_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** OpenLineage job identity: namespace `keystone`, name e.g. `silver`, `gold`, `ingest`, `compact`. */
    jobNamespace: text('job_namespace').notNull().default('keystone'),
    job: text('job').notNull(),
    parentRunId: uuid('parent_run_id'),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] }).notNull(),
    /** The engine that ran it (duckdb | athena). */
    engine: text('engine'),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    rowsIn: count('rows_in'),
    rowsOut: count('rows_out'),
    /** Per-step figures: [{step:'silver.orders', rowsIn, rowsOut, quarantined, duplicates, ms}]. */
    steps: jsonb('steps').$type<Record<string, unknown>[]>().notNull().default([]),
    /** Progress for the console: {done, total, step}. */
    progress: jsonb('progress').$type<Record<string, unknown>>(),
    error: text('error'),
    facets: jsonb('facets').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('job_runs_job_created_idx').on(t.job, t.createdAt), index('job_runs_status_idx').on(t.status)],
);

export const runLogs = pgTable(
  'run_logs',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => jobRuns.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    level: text('level', { enum: ['debug', 'info', 'warn', 'error'] }).notNull(),
    message: text('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export const runChecks = pgTable(
  'run_checks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => jobRuns.id, { onDelete: 'cascade' }),
    datasetId: uuid('dataset_id').references(() => datasets.id, { onDelete: 'set null' }),
    /** e.g. `not_null(order_id)`, `reconcile(rows)`, `gold_total(sum_price)`. */
    name: text('name').notNull(),
    /** warn: record only; quarantine: move offending rows aside; fail: fail the run. */
    action: text('action', { enum: ['warn', 'quarantine', 'fail'] }).notNull(),
    status: text('status', { enum: ['passed', 'warned', 'failed'] }).notNull(),
    observed: jsonb('observed'),
    expected: jsonb('expected'),
    message: text('message'),
    createdAt: createdAt(),
  },
  (t) => [index('run_checks_run_idx').on(t.runId), index('run_checks_dataset_idx').on(t.datasetId)],
);

/**
 * Run → input/output edges. An edge names an OpenLineage dataset (namespace + name) and, where it is
 * one of ours, the exact dataset version, partition and file; sources outside the lake (an upload,
 * a stream batch, a local file) are named by namespace + name alone.
 */
export const lineageEdges = pgTable(
  'lineage_edges',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => jobRuns.id, { onDelete: 'cascade' }),
    direction: text('direction', { enum: ['input', 'output'] }).notNull(),
    /** `file`, `upload`, `stream`, `file:///…`, `s3://bucket`… */
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    datasetId: uuid('dataset_id').references(() => datasets.id, { onDelete: 'set null' }),
    versionId: bigint('version_id', { mode: 'number' }),
    partition: jsonb('partition').$type<Record<string, string>>(),
    fileId: bigint('file_id', { mode: 'number' }),
    ingestId: text('ingest_id'),
    rowCount: count('row_count'),
    facets: jsonb('facets').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index('lineage_edges_run_idx').on(t.runId),
    index('lineage_edges_dataset_idx').on(t.datasetId, t.direction),
    index('lineage_edges_name_idx').on(t.namespace, t.name),
  ],
);

// ───────────────────────────── SQL ─────────────────────────────

/** A parameter of a saved query: `{{start_date}}` in the SQL, bound (never spliced) at run time. */
export interface QueryParameter {
  name: string;
  type: 'string' | 'integer' | 'number' | 'date' | 'timestamp' | 'boolean';
  default?: string;
  label?: string;
}

export const savedQueries = pgTable(
  'saved_queries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description'),
    sql: text('sql').notNull(),
    parameters: jsonb('parameters').$type<QueryParameter[]>().notNull().default([]),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('saved_queries_name_key').on(sql`lower(${t.name})`)],
);

export const queryHistory = pgTable(
  'query_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    savedQueryId: uuid('saved_query_id').references(() => savedQueries.id, { onDelete: 'set null' }),
    sql: text('sql').notNull(),
    params: jsonb('params'),
    engine: text('engine').notNull(),
    status: text('status', { enum: ['running', 'succeeded', 'failed', 'cancelled'] }).notNull(),
    rowCount: count('row_count'),
    elapsedMs: integer('elapsed_ms'),
    bytesScanned: count('bytes_scanned'),
    /** Athena only: the estimate made before running, beside the real figure. */
    estimatedBytes: count('estimated_bytes'),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('query_history_user_started_idx').on(t.userId, t.startedAt)],
);
