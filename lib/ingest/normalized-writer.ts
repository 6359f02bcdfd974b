/**
 * Bridges our CSV parser and DuckDB: the source file is decoded here (gunzip, charset), parsed by
 * csv-parser, and written back as a "normalized" CSV that DuckDB reads with fixed options and no
 * guessing, carrying each record's source row and line, and the raw text of malformed records.
 *
 * Normalized format: UTF-8, '\n' line ends, a header row, every header column then
 * _source_row, _source_line, _raw_line, _parse_error.
 *  - Good records: every data value quoted (quotes doubled), so an empty value stays '' and never
 *    becomes NULL; _raw_line and _parse_error are unquoted empty, i.e. NULL.
 *  - Malformed records: all data columns are NULL (unquoted empty), even when some fields were
 *    read. A ragged record's fields cannot be matched to columns (a missing field in the middle
 *    shifts all the others), and a half-filled row would look trustworthy downstream; the whole
 *    source text is in _raw_line and the reason in _parse_error.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import { KeystoneError } from '../errors';
import type { CsvRecord } from './csv-parser';
import type { SourceSniff } from './sniff';

export const NORMALIZED_META_COLUMNS = ['_source_row', '_source_line', '_raw_line', '_parse_error'] as const;

/**
 * DuckDB's max_line_size for the normalized file. A record whose normalized line would be longer
 * (several huge fields) is written as a malformed row keeping its first 1 KiB, not as a line
 * DuckDB would refuse the whole file for.
 */
export const NORMALIZED_MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * The read_csv options for a normalized file: `read_csv('<path>', ${NORMALIZED_CSV_READ_OPTIONS})`.
 * allow_quoted_nulls=false is what keeps "" an empty string (DuckDB's default turns it into NULL);
 * auto-detection is pinned down by the explicit options, and strict mode with ignore_errors=false
 * makes any mismatch fail loudly instead of dropping rows. The two numbering columns are BIGINT.
 */
export const NORMALIZED_CSV_READ_OPTIONS =
  "header=true, delim=',', quote='\"', escape='\"', new_line='\\n', comment='', skip=0, encoding='utf-8', " +
  "all_varchar=true, types={'_source_row': 'BIGINT', '_source_line': 'BIGINT'}, allow_quoted_nulls=false, nullstr='', " +
  `strict_mode=true, null_padding=false, ignore_errors=false, normalize_names=false, max_line_size=${NORMALIZED_MAX_LINE_BYTES}`;

// Strings stay under V8's large-object size (128 KiB; a 63 Ki-character chunk is 126 KiB even as
// two-byte text): larger ones are mapped fresh from the OS each time, and on this VM those page
// faults cost more than the parsing itself (measured: 10x slower string concatenation).
const BATCH_CHARS = 48 * 1024;
const RAW_PREVIEW = 1024;
const READ_CHUNK = 63 * 1024;

export interface NormalizedResult {
  /** Rows written, malformed included. */
  rows: number;
  malformed: number;
  /** An upper bound of the longest line's UTF-8 size: pass it to read_csv as max_line_size. */
  maxLineBytes: number;
  /** Size of the normalized file. */
  bytes: number;
}

/**
 * Writes records (one at a time, or in batches as CsvReader.batches() yields them, which is
 * faster) to `outPath`. On failure the partial file is removed, so it is never loaded.
 */
export async function writeNormalized(
  records: AsyncIterable<CsvRecord | readonly CsvRecord[]>,
  header: readonly string[],
  outPath: string,
): Promise<NormalizedResult> {
  checkHeader(header);
  const width = header.length;
  const nullData = ','.repeat(width);
  let rows = 0;
  let malformed = 0;
  let longestLine = 0;
  let batch = [...header, ...NORMALIZED_META_COLUMNS].map(quote).join(',') + '\n';

  const out = fs.createWriteStream(outPath, { highWaterMark: 1024 * 1024 });
  let failure: unknown;
  // Without a listener an early error (missing folder) would crash the process before we await.
  out.on('error', (e) => (failure ??= e));

  const malformedLine = (r: CsvRecord, raw: string, error: string): string =>
    nullData + r.record + ',' + r.line + ',' + quote(raw) + ',' + quote(error) + '\n';

  const add = (r: CsvRecord): void => {
    rows++;
    let line: string;
    if (r.error === undefined) {
      if (r.fields.length !== width) {
        throw new KeystoneError('internal:normalized_writer', `Record ${r.record} has ${r.fields.length} fields for ${width} columns but is not marked malformed.`);
      }
      // join() is native; escaping field by field is needed only when some field has a quote.
      const quoted = r.fields.some(hasQuote);
      line = '"' + (quoted ? r.fields.map(escapeQuotes) : r.fields).join('","') + '",' + r.record + ',' + r.line + ',,\n';
    } else {
      malformed++;
      line = malformedLine(r, r.raw ?? '', r.error);
    }
    if (line.length * 3 > NORMALIZED_MAX_LINE_BYTES && Buffer.byteLength(line) > NORMALIZED_MAX_LINE_BYTES) {
      // DuckDB would refuse the whole file for this one line; like an oversized field, the record
      // becomes malformed and keeps only its start.
      const limit = `the ${NORMALIZED_MAX_LINE_BYTES / (1024 * 1024)} MiB a normalized line may hold`;
      if (r.error === undefined) {
        malformed++;
        const start = r.fields.join(',').slice(0, RAW_PREVIEW) + '…';
        line = malformedLine(r, start, `the record is larger than ${limit} (raw shows the start of its values joined by commas)`);
      } else {
        line = malformedLine(r, (r.raw ?? '').slice(0, RAW_PREVIEW) + '…', `${r.error}; the record is larger than ${limit}`);
      }
    }
    if (line.length > longestLine) longestLine = line.length;
    batch += line;
    if (batch.length >= BATCH_CHARS) {
      out.write(batch);
      batch = '';
    }
  };

  try {
    for await (const item of records) {
      if (failure !== undefined) throw failure;
      if (isBatch(item)) for (const r of item) add(r);
      else add(item);
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    out.end(batch);
    await finished(out);
  } catch (e) {
    out.destroy();
    // Wait for the stream to close: a stream destroyed while its file was still being opened creates the
    // file afterwards, and removing it before then leaves it behind (seen under load).
    await finished(out).catch(() => undefined);
    await fs.promises.rm(outPath, { force: true });
    throw e;
  }
  // A UTF-16 code unit is at most 3 UTF-8 bytes; DuckDB sizes its buffers by max_line_size, so keep it
  // as small as the file allows (its default, 2 MB, unless a line is longer).
  const maxLineBytes = Math.min(NORMALIZED_MAX_LINE_BYTES, Math.max(2 * 1024 * 1024, longestLine * 3 + 1024));
  return { rows, malformed, bytes: out.bytesWritten, maxLineBytes };
}

function isBatch(item: CsvRecord | readonly CsvRecord[]): item is readonly CsvRecord[] {
  return Array.isArray(item);
}

const hasQuote = (s: string): boolean => s.indexOf('"') !== -1;
const escapeQuotes = (s: string): string => s.replaceAll('"', '""');
const quote = (s: string): string => '"' + escapeQuotes(s) + '"';

function checkHeader(header: readonly string[]): void {
  if (header.length === 0) throw new KeystoneError('bad_request:bad_header', 'The header has no columns.');
  const reserved = new Set<string>(NORMALIZED_META_COLUMNS);
  const clash = header.filter((h) => reserved.has(h.toLowerCase()));
  if (clash.length > 0) {
    throw new KeystoneError(
      'bad_request:bad_header',
      `The header uses column names reserved for ingest bookkeeping: ${clash.map((c) => JSON.stringify(c)).join(', ')}; rename them in the source.`,
    );
  }
}

/**
 * The file's text, gunzipped and decoded as sniffed, in chunks of 63 Ki characters or less. A UTF-8 BOM is
 * dropped. A file sniffed as UTF-8 that later turns out not to be is refused (with the byte offset)
 * rather than decoded with replacement characters: bronze must not alter data silently.
 */
export async function* streamDecodedText(
  filePath: string,
  sniff: SourceSniff,
  displayName: string = path.basename(filePath),
  /** Sees every byte of the file as stored (before gunzip), e.g. to hash it in the same pass. */
  onFileBytes?: (chunk: Buffer) => void,
): AsyncGenerator<string> {
  const stream = fs.createReadStream(filePath, { highWaterMark: READ_CHUNK });
  const file: AsyncIterable<Buffer> = onFileBytes
    ? (async function* () {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          onFileBytes(chunk);
          yield chunk;
        }
      })()
    : stream;
  const bytes: AsyncIterable<Buffer> =
    sniff.compression === 'gzip' ? pipeline(file, zlib.createGunzip({ chunkSize: READ_CHUNK }), () => undefined) : file;
  const utf8 = sniff.encoding === 'utf-8';
  // WHATWG 'latin1' is windows-1252: the same as ISO-8859-1 except 0x80-0x9F, where it has € “ ” etc.
  const decoder = new TextDecoder(utf8 ? 'utf-8' : 'latin1', { fatal: utf8, ignoreBOM: true });
  let skip = sniff.bom ? 3 : 0;
  let offset = 0;
  try {
    for await (const raw of bytes) {
      let chunk = raw;
      if (skip > 0) {
        const n = Math.min(skip, chunk.length);
        chunk = chunk.subarray(n);
        skip -= n;
        offset += n;
      }
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch (e) {
        throw notUtf8(displayName, offset + firstInvalidUtf8(chunk), sniff, e);
      }
      offset += chunk.length;
      if (text.length > 0) yield text;
    }
    let rest: string;
    try {
      rest = decoder.decode();
    } catch (e) {
      throw notUtf8(displayName, offset, sniff, e);
    }
    if (rest.length > 0) yield rest;
  } catch (e) {
    if (e instanceof KeystoneError) throw e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new KeystoneError('bad_request:bad_gzip', `${displayName} cannot be decompressed after ${offset} bytes: ${(e as Error).message}.`, { cause: e });
    }
    throw e;
  } finally {
    stream.destroy();
  }
}

function notUtf8(displayName: string, offset: number, sniff: SourceSniff, cause: unknown): KeystoneError {
  return new KeystoneError(
    'bad_request:bad_encoding',
    `${displayName} is not valid UTF-8 near byte ${offset}${sniff.compression === 'gzip' ? ' (after decompressing)' : ''}, although its beginning is; save the whole file as UTF-8 and upload it again.`,
    { cause, details: { offset } },
  );
}

/** Where a chunk stops being UTF-8 (only for the error message; a sequence may have begun in the previous chunk). */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined) return i;
      if ((c & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return i;
}
