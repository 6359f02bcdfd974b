/**
 * Looks at the first 64 KiB of an uploaded file and says what it is, so the ingest can pick a reader
 * without trusting the file name. It refuses early what no reader can use (empty, binary, gzipped
 * Parquet), with a message a person can act on.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { KeystoneError } from '../errors';

export type SourceFormat = 'csv' | 'tsv' | 'json' | 'ndjson' | 'parquet';
export type SourceDelimiter = ',' | ';' | '\t' | '|';

export interface SourceSniff {
  compression: 'gzip' | 'none';
  format: SourceFormat;
  encoding: 'utf-8' | 'latin1';
  /** A UTF-8 byte-order mark starts the (decompressed) content. */
  bom: boolean;
  /** Only for csv/tsv. */
  delimiter?: SourceDelimiter;
}

export const SNIFF_BYTES = 64 * 1024;

/** Ties go to the earlier candidate: comma is the most common and the safest guess. */
const DELIMITERS: readonly SourceDelimiter[] = [',', '\t', ';', '|'];

export async function sniffSource(filePath: string, displayName: string = path.basename(filePath)): Promise<SourceSniff> {
  const head = await readHead(filePath, 4);
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const { sample, complete } = gzip ? await gunzipHead(filePath, displayName) : await readHeadAll(filePath);
  const where = gzip ? ' (after decompressing)' : '';

  if (startsWith(sample, [0x50, 0x41, 0x52, 0x31])) {
    if (gzip) {
      throw new KeystoneError(
        'bad_request:gzipped_parquet',
        `${displayName} is a gzip-compressed Parquet file. Parquet compresses its own pages and cannot be read through gzip; upload the .parquet file itself.`,
      );
    }
    return { compression: 'none', format: 'parquet', encoding: 'utf-8', bom: false };
  }

  // UTF-16 would otherwise be reported as "binary" because of its NUL bytes, which is confusing.
  if (startsWith(sample, [0xff, 0xfe]) || startsWith(sample, [0xfe, 0xff])) {
    throw new KeystoneError(
      'bad_request:unsupported_encoding',
      `${displayName} is encoded as UTF-16${where}; save it as UTF-8 and upload it again.`,
    );
  }

  const bom = startsWith(sample, [0xef, 0xbb, 0xbf]);
  const body = bom ? sample.subarray(3) : sample;

  if (complete && isBlank(body)) {
    throw new KeystoneError('bad_request:empty_file', `${displayName} is empty${body.length > 0 ? ' (it holds only whitespace)' : ''}${where}.`);
  }
  refuseBinary(body, bom ? 3 : 0, displayName, where);

  const encoding = isUtf8(body, complete) ? 'utf-8' : 'latin1';
  // The structure looked at below (brackets, quotes, delimiters) is ASCII whatever the encoding.
  const text = body.toString('latin1');
  const compression = gzip ? 'gzip' : 'none';

  const first = text.search(/\S/);
  const lead = first === -1 ? '' : text[first];
  if (lead === '[') return { compression, format: 'json', encoding, bom };
  if (lead === '{') return { compression, format: looksLikeNdjson(text.slice(first)) ? 'ndjson' : 'json', encoding, bom };

  const delimiter = detectDelimiter(text);
  return { compression, format: delimiter === '\t' ? 'tsv' : 'csv', encoding, bom, delimiter };
}

async function readHead(filePath: string, bytes: number): Promise<Buffer> {
  const fh = await fs.promises.open(filePath, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function readHeadAll(filePath: string): Promise<{ sample: Buffer; complete: boolean }> {
  // One byte more than the sample tells us whether we saw the whole file.
  const buf = await readHead(filePath, SNIFF_BYTES + 1);
  return { sample: buf.subarray(0, SNIFF_BYTES), complete: buf.length <= SNIFF_BYTES };
}

/** Decompresses only as far as the sample needs, not the whole file. */
async function gunzipHead(filePath: string, displayName: string): Promise<{ sample: Buffer; complete: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const input = fs.createReadStream(filePath);
  const gunzip = zlib.createGunzip();
  // pipe() does not forward read errors; without this a vanished file would hang the loop below.
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > SNIFF_BYTES) break;
    }
  } catch (e) {
    throw new KeystoneError(
      'bad_request:bad_gzip',
      `${displayName} starts like a gzip file but cannot be decompressed: ${e instanceof Error ? e.message : String(e)}.`,
      { cause: e },
    );
  } finally {
    input.destroy();
    gunzip.destroy();
  }
  const all = Buffer.concat(chunks);
  return { sample: all.subarray(0, SNIFF_BYTES), complete: all.length <= SNIFF_BYTES };
}

function startsWith(buf: Buffer, bytes: readonly number[]): boolean {
  return buf.length >= bytes.length && bytes.every((b, i) => buf[i] === b);
}

function isBlank(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x0b) return false;
  }
  return true;
}

function refuseBinary(buf: Buffer, offsetBase: number, displayName: string, where: string): void {
  const nul = buf.indexOf(0);
  if (nul !== -1) {
    throw new KeystoneError(
      'bad_request:binary_file',
      `${displayName} looks like a binary file, not text: it has a NUL byte at byte offset ${nul + offsetBase}${where}.`,
      { details: { offset: nul + offsetBase } },
    );
  }
  let control = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) control++;
  }
  if (buf.length > 0 && control / buf.length > 0.1) {
    throw new KeystoneError(
      'bad_request:binary_file',
      `${displayName} looks like a binary file, not text: ${control} of its first ${buf.length} bytes${where} are control characters.`,
    );
  }
}

/**
 * A sample cut at 64 KiB may end inside a multi-byte character; that must not make a UTF-8 file
 * look like latin1, so an incomplete last sequence is dropped (only when the file goes on).
 */
export function isUtf8(buf: Buffer, complete: boolean): boolean {
  let end = buf.length;
  if (!complete) {
    for (let i = end - 1; i >= Math.max(0, end - 4); i--) {
      const b = buf[i]!;
      if ((b & 0xc0) === 0x80) continue;
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (end - i < need) end = i;
      break;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** NDJSON only when the first line is a whole object and another object line follows. */
function looksLikeNdjson(text: string): boolean {
  const nl = text.indexOf('\n');
  if (nl === -1) return false;
  try {
    const first: unknown = JSON.parse(text.slice(0, nl));
    if (first === null || typeof first !== 'object' || Array.isArray(first)) return false;
  } catch {
    return false;
  }
  const next = text.slice(nl + 1).match(/\S/);
  return next?.[0] === '{';
}

/** Counts candidates on the header line, skipping quoted text (a quoted header may hold commas or newlines). */
export function detectDelimiter(text: string): SourceDelimiter {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
      continue;
    }
    if (c === '"' && fieldStart) {
      quoted = true;
      continue;
    }
    if (c === '\n') break;
    const n = counts.get(c);
    if (n !== undefined) {
      counts.set(c, n + 1);
      fieldStart = true;
    } else {
      fieldStart = false;
    }
  }
  let best: SourceDelimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}
