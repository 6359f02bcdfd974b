/**
 * One flushed table into bronze, in one DuckDB pass.
 *
 * The result is exactly what lib/pipeline/bronze.ts makes of an upload — one immutable Parquet folder
 * (a new dataset version), the table's columns as text followed by the lineage columns
 * (`_ingest_id`, `_source_file`, `_source_row`, `_ingested_at`, `_raw_line`, `_parse_error`), and an
 * `ingests` record committed in the same catalog transaction as the version — so silver picks it up
 * like any other bronze ingest. It uses the same catalog and storage APIs as bronze.ts; it does not go
 * through `ingestFile` because that would read the flushed rows twice more (sniff and hash the file,
 * then copy it through DuckDB again): measured here, a third of a flush's time. ZSTD at level 1: on
 * these rows it compresses as well as the default level 3 and writes about twice as fast (the
 * compaction job may recompress bronze later).
 *
 * Row groups of 32,768 rows and a 4 MiB CSV buffer: with DuckDB's defaults (122,880-row groups, a
 * buffer of 16 × the line size) the copy cost 4.7–6.1 µs of CPU per row and grew the process by
 * 230–290 MB; with these, 1.7–2.1 µs and ~130 MB (a 64 MiB flush, one thread, measured back to back).
 * A row group that fits in the caches is written faster, and the ingestor must stay under 512 MB. The
 * files are ~25% bigger; bronze is read once by silver and may be compacted.
 *
 * The input is the flusher's file: CSV with a header for typed tables (text quoted, `""` an empty
 * string), NDJSON otherwise (every value a string), with `_source_row` numbered by the renderer. The ingest's `source_name` is the flush's name: the flusher's exactly-once
 * check looks for it, and it is committed atomically with the data.
 */
import fs from 'node:fs';
import { ingests, type SchemaColumn } from '../db/schema';
import { quoteIdent, quoteLiteral } from '../lib/catalog/identifiers';
import { abortVersion, beginVersion, commitVersion, ensureDataset } from '../lib/catalog/versions';
import type { QueryEngine } from '../lib/engine';
import { sortableId } from '../lib/ids';
import type { LakeContext } from '../lib/lake/context';
import { readParquetFacts } from '../lib/lake/parquet-stats';
import { LINEAGE_COLUMNS, sha256File } from '../lib/pipeline/bronze';
import type { TableName } from '../lib/olist/contract-types';

export interface StreamBronzeInput {
  /** The rows, as the flusher wrote them: CSV with a header (typed tables) or NDJSON. */
  file: string;
  format: 'csv' | 'ndjson';
  /** Its columns, in bronze order (`_source_row` excluded). */
  columns: string[];
  /** The file's columns in file order, `_source_row` included (CSV is read by position). */
  fileColumns: string[];
  dataset: string;
  /** The Olist table the dataset follows, or null for a generic one. */
  olist: TableName | null;
  kind: 'table' | 'dead_letter';
  description: string;
  /** The flush's name for this table: the ingest's source name (and `_source_file`). */
  displayName: string;
  rows: number;
  /** Lineage facets kept on the version and the ingest record (the batches it holds). */
  facets: Record<string, unknown>;
  runId: string | null;
  /** Where to write the Parquet before it is staged (a scratch file). */
  parquet: string;
  /** Longest line, for DuckDB's reader. */
  maxLineBytes: number;
}

export interface StreamBronzeOutcome {
  ingestId: string;
  datasetId: string;
  versionId: number;
  rows: number;
  bytes: number;
}

/** Bronze keeps every column any ingest brought (as bronze.ts does): new columns go before the lineage ones. */
function mergeSchemas(existing: SchemaColumn[], incoming: SchemaColumn[]): SchemaColumn[] {
  if (existing.length === 0) return incoming;
  const names = new Set(existing.map((c) => c.name));
  const added = incoming.filter((c) => !names.has(c.name));
  if (added.length === 0) return existing;
  const lineage = new Set(LINEAGE_COLUMNS.map((c) => c.name));
  return [...existing.filter((c) => !lineage.has(c.name)), ...added.filter((c) => !lineage.has(c.name)), ...LINEAGE_COLUMNS];
}

export async function writeStreamBronze(ctx: LakeContext, engine: QueryEngine, input: StreamBronzeInput): Promise<StreamBronzeOutcome> {
  const ingestId = sortableId('i');
  const ingestedAt = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const spec = `{${input.fileColumns.map((c) => `${quoteLiteral(c)}: ${c === '_source_row' ? "'BIGINT'" : "'VARCHAR'"}`).join(', ')}}`;
  const maxLine = Math.max(1 << 20, input.maxLineBytes + 1024);
  // DuckDB's default buffer is 16 lines of the longest size (16+ MiB, twice over while it reads ahead).
  const bufferSize = Math.max(4 << 20, 2 * maxLine);
  // Nothing is detected: the columns, their types and the dialect are stated. `""` stays an empty
  // string (allow_quoted_nulls=false), as in uploaded bronze.
  const source =
    input.format === 'csv'
      ? `read_csv(${quoteLiteral(input.file)}, header = true, delim = ',', quote = '"', escape = '"', new_line = '\\n', auto_detect = false, columns = ${spec}, allow_quoted_nulls = false, nullstr = '', strict_mode = true, null_padding = false, ignore_errors = false, max_line_size = ${maxLine}, buffer_size = ${bufferSize})`
      : `read_json(${quoteLiteral(input.file)}, format = 'newline_delimited', columns = ${spec}, maximum_object_size = ${maxLine})`;
  await engine.execute(
    `COPY (SELECT ${input.columns.map(quoteIdent).join(', ')},
        ${quoteLiteral(ingestId)} AS _ingest_id, ${quoteLiteral(input.displayName)} AS _source_file, _source_row,
        TIMESTAMP ${quoteLiteral(ingestedAt)} AS _ingested_at, CAST(NULL AS VARCHAR) AS _raw_line, CAST(NULL AS VARCHAR) AS _parse_error
      FROM ${source})
     TO ${quoteLiteral(input.parquet)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 32768, ROW_GROUP_SIZE_BYTES '16MB')`,
    { timeoutMs: 30 * 60_000 },
  );
  const schema: SchemaColumn[] = [...input.columns.map((name) => ({ name, type: 'VARCHAR', nullable: true })), ...LINEAGE_COLUMNS];
  const dataset = await ensureDataset(ctx.catalog.db, {
    layer: 'bronze',
    name: input.dataset,
    kind: input.kind,
    sourceTable: input.olist,
    bucket: ctx.bucket('bronze'),
    prefix: `${input.dataset}/`,
    schema,
    description: input.description,
  });
  const sha = await sha256File(input.parquet);
  const facts = (await readParquetFacts(engine, [input.parquet])).get(input.parquet);
  const staging = await beginVersion(ctx.catalog.db, { datasetId: dataset.id, operation: 'append', runId: input.runId });
  const staged = await ctx.storage.stageVersion(dataset.bucket, dataset.prefix, staging.versionKey);
  try {
    const key = `${staged.prefix}part-00000.parquet`;
    const put = await staged.put('part-00000.parquet', fs.createReadStream(input.parquet, { highWaterMark: 1 << 20 }));
    const committed = await commitVersion(ctx.catalog.db, {
      staging,
      newFiles: [{ key, bytes: put.bytes, rowCount: input.rows, rowGroups: facts?.rowGroups ?? null, compression: facts?.compression ?? 'ZSTD', columnStats: facts?.columns ?? {}, sha256: put.sha256 }],
      keep: { kind: 'all' },
      schema: mergeSchemas(dataset.schema, schema),
      facets: { ingest: { ingestId, source: input.displayName, sha256: sha, format: 'stream' }, stream: input.facets },
      alsoInTransaction: async (tx, version) => {
        await tx.insert(ingests).values({
          id: ingestId,
          sourceKind: 'stream',
          sourceName: input.displayName,
          contentSha256: sha,
          datasetId: dataset.id,
          versionId: version.id,
          format: 'stream',
          rowCount: input.rows,
          bytes: put.bytes,
          runId: input.runId,
          facets: { table: input.olist, ...input.facets },
        });
      },
    });
    return { ingestId, datasetId: dataset.id, versionId: committed.id, rows: input.rows, bytes: put.bytes };
  } catch (e) {
    await staged.abort().catch(() => undefined);
    await abortVersion(ctx.catalog.db, staging).catch(() => undefined);
    throw e;
  }
}
