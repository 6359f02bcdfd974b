/**
 * Bronze: any CSV, TSV, JSON, NDJSON or Parquet file (gzip too) becomes one immutable Parquet folder in
 * the bronze bucket, values kept as text exactly as they came, every row carrying its lineage:
 * `_ingest_id`, `_source_file`, `_source_row`, `_ingested_at` — plus `_raw_line` / `_parse_error` for
 * records that could not be split into fields (kept, never dropped: silver quarantines them).
 *
 * The same bytes ingested twice are recognised by their sha256 and not stored again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { eq } from 'drizzle-orm';
import { ingests } from '../../db/schema';
import type { SchemaColumn } from '../../db/schema';
import { datasetNameFrom, quoteIdent, quoteLiteral, validateDatasetName } from '../catalog/identifiers';
import { abortVersion, beginVersion, commitVersion, ensureDataset } from '../catalog/versions';
import type { RunRecorder } from '../catalog/runs';
import { withPipelineThreads } from '../engine/duckdb/threads';
import { KeystoneError, errorMessage } from '../errors';
import { sortableId } from '../ids';
import { CsvReader } from '../ingest/csv-parser';
import { NORMALIZED_CSV_READ_OPTIONS, streamDecodedText, writeNormalized } from '../ingest/normalized-writer';
import { sniffSource, type SourceSniff } from '../ingest/sniff';
import type { LakeContext } from '../lake/context';
import { readParquetFacts } from '../lake/parquet-stats';
import { contractFor, recognizeTable } from '../olist/contracts';
import type { TableName } from '../olist/contract-types';

export const LINEAGE_COLUMNS: SchemaColumn[] = [
  { name: '_ingest_id', type: 'VARCHAR', nullable: false, description: 'the ingest (upload, file or stream batch) the row arrived in' },
  { name: '_source_file', type: 'VARCHAR', nullable: false, description: 'name of the source file or stream' },
  { name: '_source_row', type: 'BIGINT', nullable: false, description: '1-based record number in the source' },
  { name: '_ingested_at', type: 'TIMESTAMP', nullable: false, description: 'when the ingest happened (UTC)' },
  { name: '_raw_line', type: 'VARCHAR', nullable: true, description: 'the source text of a record that could not be parsed' },
  { name: '_parse_error', type: 'VARCHAR', nullable: true, description: 'why the record could not be parsed' },
];

export interface IngestInput {
  /** Local path of the bytes to ingest. */
  path: string;
  /** The name a person knows the source by (the uploaded file name); display and lineage only. */
  displayName: string;
  sourceKind: 'file' | 'upload' | 'stream';
  /** Target dataset for a non-Olist source (validated); default: derived from the display name. */
  dataset?: string;
  /**
   * The Olist table the source holds, when the caller knows (the stream ingestor). The source must then
   * have every contract column; extra columns are allowed only when their names start with `_`
   * (stream lineage such as `_event_id`) and are kept after the contract columns.
   */
  table?: TableName;
  uploadId?: string;
}

export interface IngestOutcome {
  status: 'ingested' | 'duplicate';
  ingestId: string;
  layer: 'bronze';
  dataset: string;
  /** The Olist table recognised from the header, if any. */
  table: TableName | null;
  format: string;
  rows: number;
  malformed: number;
  bytes: number;
  versionId: number | null;
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

/** Column names as SQL identifiers: lower snake_case, unique, never empty. The original goes in the description. */
export function columnIdentifiers(header: readonly string[]): string[] {
  const used = new Set<string>();
  return header.map((raw, i) => {
    let base = raw
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 60);
    if (!base || !/^[a-z]/.test(base)) base = `c${i + 1}${base ? '_' + base : ''}`;
    if (base.startsWith('_')) base = `c${base}`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    return name;
  });
}

interface SourceShape {
  /** Names as the source spells them (what the reader exposes). */
  sourceNames: string[];
  /** Our column names, in output order, with the source name each comes from. */
  columns: { name: string; from: string }[];
  table: TableName | null;
  dataset: string;
}

function shapeFor(header: string[], input: IngestInput): SourceShape {
  if (input.table) {
    const contract = contractFor(input.table);
    const lower = header.map((h) => h.trim().toLowerCase());
    const missing = contract.columns.filter((c) => !lower.includes(c.name));
    const extra = header.filter((h, i) => !contract.columns.some((c) => c.name === lower[i]) && !/^_[a-z0-9_]+$/.test(lower[i]!));
    if (missing.length || extra.length) {
      throw new KeystoneError(
        'bad_request:columns',
        `${input.displayName} does not fit ${input.table}: ${missing.length ? `missing ${missing.map((c) => c.name).join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected ${extra.join(', ')}` : ''}`,
      );
    }
    const extras = header.filter((_, i) => /^_[a-z0-9_]+$/.test(lower[i]!) && !LINEAGE_COLUMNS.some((l) => l.name === lower[i]));
    return {
      sourceNames: header,
      columns: [...contract.columns.map((c) => ({ name: c.name, from: header[lower.indexOf(c.name)]! })), ...extras.map((h) => ({ name: h.trim().toLowerCase(), from: h }))],
      table: input.table,
      dataset: input.table,
    };
  }
  const recognized = recognizeTable(header);
  if (recognized) {
    return {
      sourceNames: header,
      columns: recognized.contract.columns.map((c, i) => ({ name: c.name, from: header[recognized.positions[i]!]! })),
      table: recognized.table,
      dataset: recognized.table,
    };
  }
  const names = columnIdentifiers(header);
  const dataset = input.dataset !== undefined ? validateDatasetName(input.dataset) : datasetNameFrom(input.displayName);
  return { sourceNames: header, columns: names.map((n, i) => ({ name: n, from: header[i]! })), table: null, dataset };
}

/** A SELECT producing the bronze rows from a source, with lineage columns. */
function bronzeSelect(shape: SourceShape, from: string, rowExpr: string, ingestId: string, displayName: string, ingestedAt: string, hasMeta: boolean): string {
  const cols = shape.columns.map((c) => `CAST(${quoteIdent(c.from)} AS VARCHAR) AS ${quoteIdent(c.name)}`);
  return `SELECT ${cols.join(', ')},
    ${quoteLiteral(ingestId)} AS _ingest_id,
    ${quoteLiteral(displayName)} AS _source_file,
    CAST(${rowExpr} AS BIGINT) AS _source_row,
    TIMESTAMP ${quoteLiteral(ingestedAt)} AS _ingested_at,
    ${hasMeta ? '_raw_line' : 'CAST(NULL AS VARCHAR)'} AS _raw_line,
    ${hasMeta ? '_parse_error' : 'CAST(NULL AS VARCHAR)'} AS _parse_error
  FROM ${from}`;
}

async function describeColumns(ctx: LakeContext, relation: string): Promise<{ name: string; type: string }[]> {
  const r = await ctx.engine.query(`DESCRIBE SELECT * FROM ${relation}`);
  return r.rows.map((row) => ({ name: String(row[0]), type: String(row[1]) }));
}

/** Write the bronze Parquet file for one source into `outFile`; returns the shape and row counts. */
async function writeBronzeParquet(ctx: LakeContext, input: IngestInput, sniff: SourceSniff, ingestId: string, ingestedAt: string, work: string, outFile: string) {
  if (sniff.format === 'csv' || sniff.format === 'tsv') {
    // The content hash is taken in the same pass as the parse.
    const hash = crypto.createHash('sha256');
    const reader = new CsvReader(streamDecodedText(input.path, sniff, input.displayName, (chunk) => hash.update(chunk)), { delimiter: sniff.delimiter ?? ',', displayName: input.displayName });
    const header = await reader.header();
    const shape = shapeFor(header, input);
    const normalized = path.join(work, 'normalized.csv');
    const written = await writeNormalized(reader.batches(), header, normalized);
    if (written.rows === 0) {
      throw new KeystoneError('bad_request:no_rows', `${input.displayName} has a header but no data rows; nothing was ingested`);
    }
    const options = NORMALIZED_CSV_READ_OPTIONS.replace(/max_line_size=\d+/, `max_line_size=${written.maxLineBytes}`);
    const from = `read_csv(${quoteLiteral(normalized)}, ${options})`;
    await ctx.engine.execute(`COPY (${bronzeSelect(shape, from, '_source_row', ingestId, input.displayName, ingestedAt, true)}) TO ${quoteLiteral(outFile)} (FORMAT parquet, COMPRESSION zstd)`, { timeoutMs: 30 * 60_000 });
    fs.rmSync(normalized, { force: true });
    return { shape, rows: written.rows, malformed: written.malformed, sha256: hash.digest('hex') };
  }

  let relation: string;
  let rowExpr = 'row_number() OVER ()';
  if (sniff.format === 'parquet') {
    relation = `read_parquet(${quoteLiteral(input.path)}, file_row_number = true)`;
    rowExpr = 'file_row_number + 1';
  } else {
    const format = sniff.format === 'ndjson' ? 'newline_delimited' : 'auto';
    relation = `read_json(${quoteLiteral(input.path)}, format = '${format}', records = true, compression = '${sniff.compression === 'gzip' ? 'gzip' : 'none'}', maximum_object_size = 268435456, sample_size = -1)`;
  }
  let described: { name: string; type: string }[];
  try {
    described = await describeColumns(ctx, relation);
  } catch (e) {
    throw new KeystoneError('bad_request:unreadable_file', `${input.displayName} could not be read as ${sniff.format.toUpperCase()}: ${errorMessage(e)}`, { cause: e });
  }
  const header = described.map((d) => d.name).filter((n) => n !== 'file_row_number');
  const shape = shapeFor(header, input);
  // Nested JSON values are kept as JSON text, scalars as their text form.
  const typeOf = new Map(described.map((d) => [d.name, d.type]));
  const cols = shape.columns.map((c) => {
    const t = typeOf.get(c.from) ?? 'VARCHAR';
    const expr = /STRUCT|MAP|\[\]|JSON/.test(t) ? `CAST(to_json(${quoteIdent(c.from)}) AS VARCHAR)` : `CAST(${quoteIdent(c.from)} AS VARCHAR)`;
    return `${expr} AS ${quoteIdent(c.name)}`;
  });
  const select = `SELECT ${cols.join(', ')}, ${quoteLiteral(ingestId)} AS _ingest_id, ${quoteLiteral(input.displayName)} AS _source_file,
      CAST(${rowExpr} AS BIGINT) AS _source_row, TIMESTAMP ${quoteLiteral(ingestedAt)} AS _ingested_at,
      CAST(NULL AS VARCHAR) AS _raw_line, CAST(NULL AS VARCHAR) AS _parse_error FROM ${relation}`;
  try {
    await ctx.engine.execute(`COPY (${select}) TO ${quoteLiteral(outFile)} (FORMAT parquet, COMPRESSION zstd)`, { timeoutMs: 30 * 60_000 });
  } catch (e) {
    throw new KeystoneError('bad_request:unreadable_file', `${input.displayName} could not be read as ${sniff.format.toUpperCase()}: ${errorMessage(e)}`, { cause: e });
  }
  const counted = await ctx.engine.query(`SELECT count(*) FROM read_parquet(${quoteLiteral(outFile)})`);
  const rows = Number(counted.rows[0]![0]);
  if (rows === 0) throw new KeystoneError('bad_request:no_rows', `${input.displayName} holds no rows; nothing was ingested`);
  return { shape, rows, malformed: 0, sha256: await sha256File(input.path) };
}

/**
 * Ingest one file into bronze. Nothing in the lake changes unless the whole file made it: the Parquet
 * is written to scratch, copied into a staged version, and the version, its file and the ingest record
 * are committed in one catalog transaction.
 */
export async function ingestFile(ctx: LakeContext, input: IngestInput, run?: RunRecorder): Promise<IngestOutcome> {
  return withPipelineThreads(ctx.engine, () => ingestOne(ctx, input, run));
}

async function ingestOne(ctx: LakeContext, input: IngestInput, run?: RunRecorder): Promise<IngestOutcome> {
  const stat = await fs.promises.stat(input.path).catch(() => undefined);
  if (!stat?.isFile()) throw new KeystoneError('not_found:file', `${input.displayName}: no such file`);
  const sniff = await sniffSource(input.path, input.displayName);
  // Small files are hashed up front so a duplicate costs nothing; large ones are hashed while parsed.
  if (stat.size < 8 * 1024 * 1024 || !(sniff.format === 'csv' || sniff.format === 'tsv')) {
    const dup = await findDuplicate(ctx, await sha256File(input.path), input.displayName, sniff.format, run);
    if (dup) return dup;
  }

  const ingestId = sortableId('i');
  const ingestedAt = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const work = ctx.scratch(`ingest-${ingestId}`);
  try {
    const outFile = path.join(work, 'part-00000.parquet');
    const { shape, rows, malformed, sha256: sha } = await writeBronzeParquet(ctx, input, sniff, ingestId, ingestedAt, work, outFile).catch((e: unknown) => {
      // The first 64 KiB looked like UTF-8 but a later byte is not: such files are Latin-1 in practice.
      if (e instanceof KeystoneError && e.code === 'bad_request:bad_encoding' && sniff.encoding === 'utf-8') {
        sniff.encoding = 'latin1';
        run?.warn(`${input.displayName}: not valid UTF-8 past its first 64 KiB; read as Latin-1`);
        return writeBronzeParquet(ctx, input, sniff, ingestId, ingestedAt, work, outFile);
      }
      throw e;
    });
    const dup = await findDuplicate(ctx, sha, input.displayName, sniff.format, run);
    if (dup) return dup;
    const schema: SchemaColumn[] = [
      ...shape.columns.map((c) => ({ name: c.name, type: 'VARCHAR', nullable: true, ...(c.from !== c.name ? { description: `source column "${c.from}"` } : {}) })),
      ...LINEAGE_COLUMNS,
    ];
    const dataset = await ensureDataset(ctx.catalog.db, {
      layer: 'bronze',
      name: shape.dataset,
      sourceTable: shape.table,
      bucket: ctx.bucket('bronze'),
      prefix: `${shape.dataset}/`,
      schema,
      description: shape.table ? `Olist ${shape.table}, raw` : `raw rows of ${input.displayName}`,
    });
    const staging = await beginVersion(ctx.catalog.db, { datasetId: dataset.id, operation: 'append', runId: run?.id ?? null });
    const stagedVersion = await ctx.storage.stageVersion(dataset.bucket, dataset.prefix, staging.versionKey);
    try {
      const key = `${stagedVersion.prefix}part-00000.parquet`;
      const put = await stagedVersion.put('part-00000.parquet', fs.createReadStream(outFile, { highWaterMark: 1 << 20 }));
      const facts = (await readParquetFacts(ctx.engine, [outFile])).get(outFile);
      const mergedSchema = mergeSchemas(dataset.schema, schema);
      const committed = await commitVersion(ctx.catalog.db, {
        staging,
        newFiles: [{ key, bytes: put.bytes, rowCount: rows, rowGroups: facts?.rowGroups ?? null, compression: facts?.compression ?? 'ZSTD', columnStats: facts?.columns ?? {}, sha256: put.sha256 }],
        keep: { kind: 'all' },
        schema: mergedSchema,
        facets: { ingest: { ingestId, source: input.displayName, sha256: sha, format: sniff.format, compression: sniff.compression, encoding: sniff.encoding, malformed } },
        alsoInTransaction: async (tx, version) => {
          await tx.insert(ingests).values({
            id: ingestId,
            sourceKind: input.sourceKind,
            sourceName: input.displayName,
            contentSha256: sha,
            datasetId: dataset.id,
            versionId: version.id,
            format: sniff.format + (sniff.compression === 'gzip' ? '+gzip' : ''),
            rowCount: rows,
            bytes: stat.size,
            runId: run?.id ?? null,
            uploadId: input.uploadId ?? null,
            facets: { encoding: sniff.encoding, malformed, table: shape.table },
          });
        },
      }).catch(async (e: unknown) => {
        // Two ingests of the same bytes at once: the second loses on the unique (dataset, sha256) index.
        if (/ingests_dataset_content_key/.test(errorMessage(e) + errorMessage((e as { cause?: unknown }).cause))) {
          throw new KeystoneError('conflict:duplicate_ingest', `${input.displayName} was ingested by someone else at the same moment`);
        }
        throw e;
      });
      await run?.lineage([
        { direction: 'input', namespace: input.sourceKind, name: input.displayName, ingestId, rowCount: rows, facets: { step: `ingest ${ingestId}`, sha256: sha, bytes: stat.size, format: sniff.format } },
        { direction: 'output', namespace: `keystone://${dataset.bucket}`, name: `bronze.${dataset.name}`, datasetId: dataset.id, versionId: committed.id, ingestId, rowCount: rows, facets: { step: `ingest ${ingestId}` } },
      ]);
      run?.info(`${input.displayName} → bronze.${dataset.name}: ${rows} rows${malformed ? ` (${malformed} malformed, kept for quarantine)` : ''}, ingest ${ingestId}`);
      return { status: 'ingested', ingestId, layer: 'bronze', dataset: dataset.name, table: shape.table, format: sniff.format, rows, malformed, bytes: stat.size, versionId: committed.id };
    } catch (e) {
      await stagedVersion.abort().catch(() => undefined);
      await abortVersion(ctx.catalog.db, staging).catch(() => undefined);
      throw e;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Bronze keeps every column any ingest brought (text), so generic sources may add columns over time. */
function mergeSchemas(existing: SchemaColumn[], incoming: SchemaColumn[]): SchemaColumn[] {
  if (existing.length === 0) return incoming;
  const names = new Set(existing.map((c) => c.name));
  const added = incoming.filter((c) => !names.has(c.name));
  if (added.length === 0) return existing;
  const lineage = new Set(LINEAGE_COLUMNS.map((c) => c.name));
  return [...existing.filter((c) => !lineage.has(c.name)), ...added.filter((c) => !lineage.has(c.name)), ...LINEAGE_COLUMNS];
}

async function findDuplicate(ctx: LakeContext, sha: string, displayName: string, format: string, run?: RunRecorder): Promise<IngestOutcome | undefined> {
  const [dup] = await ctx.catalog.db.select().from(ingests).where(eq(ingests.contentSha256, sha)).limit(1);
  if (!dup) return undefined;
  run?.info(`${displayName}: the same bytes were ingested before as ${dup.id}; skipped`);
  const ds = dup.datasetId ? await getDatasetName(ctx, dup.datasetId) : '?';
  return { status: 'duplicate', ingestId: dup.id, layer: 'bronze', dataset: ds, table: null, format: dup.format ?? format, rows: dup.rowCount ?? 0, malformed: 0, bytes: dup.bytes ?? 0, versionId: dup.versionId };
}

async function getDatasetName(ctx: LakeContext, id: string): Promise<string> {
  const rows = await ctx.catalog.pool.query<{ name: string }>('select name from datasets where id = $1', [id]);
  return rows.rows[0]?.name ?? '?';
}

