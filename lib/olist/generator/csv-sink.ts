/**
 * One CSV file written in chunks through a file stream: records are encoded straight into a 256 KiB
 * buffer; a full buffer is hashed and handed to the stream, and a stream holding more than its high-water
 * mark makes the caller wait for 'drain' (backpressure). Memory stays flat at any scale. The sha256 is of
 * the exact bytes written, computed on the way out.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { KeystoneError } from '../../errors';
import { formatCsvRecord } from '../csv';

/** Encoding into one buffer beats joining lines and converting: measured ≈ 40% less time in the sink. */
const CHUNK_BYTES = 1 << 18;
/**
 * Bytes the stream may hold before write() asks us to wait. Large enough that generating the next chunks
 * overlaps with writing the last ones, small enough to keep memory flat (a few MiB per open file).
 */
const HIGH_WATER_MARK = 1 << 20;
const LF = 10;

export interface SinkResult {
  rows: number;
  bytes: number;
  sha256: string;
}

export class CsvFileSink {
  private readonly stream: WriteStream;
  private readonly hash: Hash = createHash('sha256');
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  /** Full chunks waiting for the next flush. */
  private full: Buffer[] = [];
  private bytes = 0;
  private rows = 0;
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { highWaterMark: HIGH_WATER_MARK });
    // Keep the error for the next flush instead of letting an unhandled 'error' event end the process.
    this.stream.on('error', (e) => {
      this.failure ??= e;
    });
  }

  /** The header record; `bom` prefixes a UTF-8 byte-order mark as the real translation file has. */
  header(columns: readonly string[], bom: boolean): void {
    this.push((bom ? '\uFEFF' : '') + formatCsvRecord(columns));
  }

  /** Appends one data record (without terminator) and returns its 1-based data-row position. */
  record(line: string): number {
    this.push(line);
    return ++this.rows;
  }

  get needsFlush(): boolean {
    return this.full.length > 0;
  }

  async flush(): Promise<void> {
    this.check();
    const ready = this.full;
    this.full = [];
    for (const buffer of ready) {
      this.hash.update(buffer);
      this.bytes += buffer.length;
      if (!this.stream.write(buffer)) await once(this.stream, 'drain');
    }
  }

  async close(): Promise<SinkResult> {
    if (this.used > 0) this.full.push(this.chunk.subarray(0, this.used));
    this.used = 0;
    await this.flush();
    this.stream.end();
    try {
      await finished(this.stream);
    } catch (e) {
      this.failure ??= e as Error;
    }
    this.check();
    return { rows: this.rows, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  private push(line: string): void {
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes; +1 for the line feed.
    const worst = line.length * 3 + 1;
    if (this.used + worst > this.chunk.length) {
      if (this.used > 0) this.full.push(this.chunk.subarray(0, this.used));
      // The stream keeps the handed-over chunk until written, so each chunk gets a fresh buffer.
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, worst));
      this.used = 0;
    }
    this.used += this.chunk.write(line, this.used, 'utf8');
    this.chunk[this.used++] = LF;
  }

  private check(): void {
    if (this.failure !== undefined) {
      throw new KeystoneError('unavailable:olist_output', `cannot write ${this.path}: ${this.failure.message}`, { cause: this.failure });
    }
  }
}
