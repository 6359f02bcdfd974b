/**
 * What a person sees before committing an upload: the format we detected (never from the file name),
 * the Olist table its header matches (or the generic dataset it would become), the columns with the
 * types silver will give them, and the first rows. Reads only the head of the file.
 */
import { quoteLiteral } from '../catalog/identifiers';
import { datasetNameFrom } from '../catalog/identifiers';
import type { QueryEngine } from '../engine/engine';
import { errorMessage, KeystoneError } from '../errors';
import { CsvReader } from '../ingest/csv-parser';
import { streamDecodedText } from '../ingest/normalized-writer';
import { sniffSource, type SourceSniff } from '../ingest/sniff';
import { CAST_PATTERNS, type ColumnType } from '../olist/contract-types';
import { recognizeTable } from '../olist/contracts';
import { columnIdentifiers } from '../pipeline/bronze';

export const PREVIEW_ROWS = 10;
/** Rows read to infer the types of a generic source's columns (silver infers from all of them later). */
const INFER_ROWS = 500;

export interface PreviewColumn {
  /** The column as it will be named in bronze and silver. */
  name: string;
  /** As the file spells it. */
  source: string;
  /** The type silver gives it: the contract's for an Olist table, inferred from the first rows otherwise. */
  type: string;
}

export interface UploadPreview {
  format: SourceSniff['format'];
  compression: SourceSniff['compression'];
  encoding: SourceSniff['encoding'];
  delimiter: string | null;
  /** The Olist table the header matches, or null for any other source. */
  table: string | null;
  /** The bronze dataset the upload goes to (Olist: the table; otherwise derived from the file name). */
  dataset: string | null;
  /** Why no dataset name could be derived (the person then names it). */
  datasetProblem: string | null;
  columns: PreviewColumn[];
  /** The first rows, as text (null for SQL NULL / a missing field). */
  rows: (string | null)[][];
  /** Records among the previewed ones that could not be split into fields (kept in bronze, quarantined in silver). */
  malformed: number;
}

function inferType(values: readonly string[]): ColumnType {
  const present = values.map((v) => v.trim()).filter((v) => v !== '');
  if (present.length === 0) return 'string';
  for (const type of ['integer', 'double', 'timestamp'] as const) {
    const re = new RegExp(CAST_PATTERNS[type]!);
    if (present.every((v) => re.test(v))) return type;
  }
  return 'string';
}

function suggestDataset(displayName: string): { dataset: string | null; datasetProblem: string | null } {
  try {
    return { dataset: datasetNameFrom(displayName), datasetProblem: null };
  } catch (e) {
    return { dataset: null, datasetProblem: errorMessage(e) };
  }
}

async function previewDelimited(file: string, displayName: string, sniff: SourceSniff): Promise<UploadPreview> {
  const text = streamDecodedText(file, sniff, displayName);
  try {
    const reader = new CsvReader(text, { delimiter: sniff.delimiter ?? ',', displayName });
    const header = await reader.header();
    const sample: (string | null)[][] = [];
    let malformed = 0;
    outer: for await (const batch of reader.batches()) {
      for (const r of batch) {
        if (r.error !== undefined) malformed++;
        sample.push(r.error !== undefined ? header.map(() => null) : r.fields);
        if (sample.length >= INFER_ROWS) break outer;
      }
    }
    const recognized = recognizeTable(header);
    if (recognized) {
      const columns = recognized.contract.columns.map((c, i) => ({ name: c.name, source: header[recognized.positions[i]!]!, type: c.type }));
      const rows = sample.slice(0, PREVIEW_ROWS).map((r) => recognized.positions.map((p) => r[p] ?? null));
      return { ...base(sniff), table: recognized.table, dataset: recognized.table, datasetProblem: null, columns, rows, malformed };
    }
    const names = columnIdentifiers(header);
    const columns = names.map((name, i) => ({ name, source: header[i]!, type: inferType(sample.map((r) => r[i] ?? '')) }));
    return { ...base(sniff), table: null, ...suggestDataset(displayName), columns, rows: sample.slice(0, PREVIEW_ROWS), malformed };
  } finally {
    await text.return(undefined);
  }
}

function base(sniff: SourceSniff) {
  return { format: sniff.format, compression: sniff.compression, encoding: sniff.encoding, delimiter: sniff.delimiter ?? null };
}

function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** JSON, NDJSON and Parquet: DuckDB reads the head and says the types. */
async function previewWithEngine(engine: QueryEngine, file: string, displayName: string, sniff: SourceSniff): Promise<UploadPreview> {
  const relation =
    sniff.format === 'parquet'
      ? `read_parquet(${quoteLiteral(file)})`
      : `read_json(${quoteLiteral(file)}, format = '${sniff.format === 'ndjson' ? 'newline_delimited' : 'auto'}', records = true, compression = '${sniff.compression === 'gzip' ? 'gzip' : 'none'}', maximum_object_size = 268435456)`;
  let result;
  try {
    result = await engine.query(`SELECT * FROM ${relation} LIMIT ${INFER_ROWS}`, { maxRows: INFER_ROWS, timeoutMs: 60_000 });
  } catch (e) {
    throw new KeystoneError('bad_request:unreadable_file', `${displayName} could not be read as ${sniff.format.toUpperCase()}: ${errorMessage(e)}`, { cause: e });
  }
  const header = result.columns.map((c) => c.name);
  const recognized = recognizeTable(header);
  const rowsText = result.rows.map((r) => r.map(asText));
  if (recognized) {
    const columns = recognized.contract.columns.map((c, i) => ({ name: c.name, source: header[recognized.positions[i]!]!, type: c.type }));
    const rows = rowsText.slice(0, PREVIEW_ROWS).map((r) => recognized.positions.map((p) => r[p] ?? null));
    return { ...base(sniff), table: recognized.table, dataset: recognized.table, datasetProblem: null, columns, rows, malformed: 0 };
  }
  const names = columnIdentifiers(header);
  // Bronze keeps every value as text; silver infers from that text, so infer from the text here too.
  const columns = names.map((name, i) => ({ name, source: header[i]!, type: inferType(rowsText.map((r) => r[i] ?? '')) }));
  return { ...base(sniff), table: null, ...suggestDataset(displayName), columns, rows: rowsText.slice(0, PREVIEW_ROWS), malformed: 0 };
}

/**
 * Sniff and preview a file. Throws `bad_request:*` with a message a person can act on for what no
 * reader can use: empty, binary, UTF-16, a gzipped Parquet, a header-only file.
 */
export async function previewFile(engine: QueryEngine, file: string, displayName: string): Promise<UploadPreview> {
  const sniff = await sniffSource(file, displayName);
  const preview = sniff.format === 'csv' || sniff.format === 'tsv' ? await previewDelimited(file, displayName, sniff) : await previewWithEngine(engine, file, displayName, sniff);
  if (preview.columns.length === 0) throw new KeystoneError('bad_request:no_columns', `${displayName} has no columns.`);
  if (preview.rows.length === 0) throw new KeystoneError('bad_request:no_rows', `${displayName} has a header but no data rows; there is nothing to ingest.`);
  return preview;
}
