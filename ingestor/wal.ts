/**
 * The write-ahead log: accepted batches are appended here and fsynced before they are acked.
 *
 * Layout: `<data dir>/ingestor/wal/` holds numbered segment files `0000000000000042.wal`. A segment starts
 * with a 16-byte header (`KSWAL001` + its number, u64 LE) followed by records:
 *
 *   u32 LE  body length
 *   u32 LE  CRC-32 (IEEE, zlib's) of the body
 *   body    (see record.ts)
 *
 * One segment is active (appended to); the others are sealed and never change again. A segment is
 * sealed when it reaches the flush size or age, and the flusher turns sealed segments into bronze, then
 * deletes them. The process writes only to a segment it created: on start, every existing segment is
 * treated as sealed.
 *
 * Group commit: appends queue up while the previous write + fdatasync is in flight; the next cycle
 * writes all of them with one writev and one fdatasync, then resolves them together. Under load a
 * cycle carries many batches, so the fsync cost is shared.
 *
 * Recovery: a crash can leave the last record of the last segment torn (short, or a CRC that does not
 * match). Replay stops there and truncates the segment to its last whole record. Such a record was never
 * acked (its fsync did not complete). A bad record in the middle of an older segment is disk damage:
 * the segment is copied to `corrupt/` for inspection, cut at the damage, and the error is logged.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Logger } from '../lib/logger';

export const SEGMENT_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 8;
const MAGIC = Buffer.from('KSWAL001', 'latin1');
/** No record is bigger (a batch is at most the max gRPC message plus its rejects). */
const MAX_RECORD_BYTES = 1024 * 1024 * 1024;
/** writev takes at most IOV_MAX (1024 on Linux) buffers. */
const IOV_MAX = 1024;

export function segmentFileName(no: number): string {
  return `${String(no).padStart(16, '0')}.wal`;
}

export function crc32(parts: readonly Uint8Array[]): number {
  let c = 0;
  for (const p of parts) c = zlib.crc32(p, c);
  return c >>> 0;
}

export interface SegmentInfo {
  no: number;
  file: string;
  /** Bytes in the file, header included. */
  bytes: number;
  records: number;
  /** Receive time of the oldest record (ms), for the flush age. */
  firstAt: number;
}

interface Pending {
  parts: Buffer[];
  bytes: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * Reads the records of a segment file in order, in chunks (a segment may be larger than what should
 * sit in memory at once). Stops at the first torn or corrupt record and says where.
 */
export class SegmentReader {
  private fd: number;
  private buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  private bufStart = 0; // file offset of buf[0]
  private bufLen = 0;
  private fileSize: number;
  /** File offset after the last good record. */
  goodEnd = SEGMENT_HEADER_BYTES;
  /** Why reading stopped early, if it did. */
  problem: string | undefined;
  readonly segmentNo: number;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'r');
    this.fileSize = fs.fstatSync(this.fd).size;
    const head = Buffer.alloc(SEGMENT_HEADER_BYTES);
    const n = this.fileSize >= SEGMENT_HEADER_BYTES ? fs.readSync(this.fd, head, 0, SEGMENT_HEADER_BYTES, 0) : 0;
    if (n < SEGMENT_HEADER_BYTES) {
      this.problem = 'segment header is incomplete';
      this.goodEnd = 0;
      this.segmentNo = -1;
    } else if (!head.subarray(0, 8).equals(MAGIC)) {
      this.problem = 'not a Keystone WAL segment (bad magic)';
      this.goodEnd = 0;
      this.segmentNo = -1;
    } else {
      this.segmentNo = Number(head.readBigUInt64LE(8));
    }
  }

  /** Make `buf` hold file bytes [off, off + n); false when the file ends first. */
  private window(off: number, n: number): boolean {
    if (off + n > this.fileSize) return false;
    if (off >= this.bufStart && off + n <= this.bufStart + this.bufLen) return true;
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    const want = Math.min(this.buf.length, this.fileSize - off);
    let got = 0;
    while (got < want) {
      const r = fs.readSync(this.fd, this.buf, got, want - got, off + got);
      if (r === 0) break;
      got += r;
    }
    this.bufStart = off;
    this.bufLen = got;
    return got >= n;
  }

  /**
   * The next record's body (a view into an internal buffer, valid until the next call), or undefined at
   * the end / at the first bad record (`problem` then says why).
   */
  next(): Buffer | undefined {
    if (this.problem !== undefined) return undefined;
    const off = this.goodEnd;
    if (off === this.fileSize) return undefined;
    if (!this.window(off, RECORD_HEADER_BYTES)) {
      this.problem = `torn record header at offset ${off}`;
      return undefined;
    }
    const h = off - this.bufStart;
    const len = this.buf.readUInt32LE(h);
    const crc = this.buf.readUInt32LE(h + 4);
    if (len === 0 || len > MAX_RECORD_BYTES) {
      this.problem = `bad record length ${len} at offset ${off}`;
      return undefined;
    }
    if (!this.window(off, RECORD_HEADER_BYTES + len)) {
      this.problem = `torn record at offset ${off} (${len} bytes announced, ${this.fileSize - off - RECORD_HEADER_BYTES} present)`;
      return undefined;
    }
    const b = off - this.bufStart + RECORD_HEADER_BYTES;
    const body = this.buf.subarray(b, b + len);
    if ((zlib.crc32(body) >>> 0) !== crc) {
      this.problem = `CRC mismatch in the record at offset ${off}`;
      return undefined;
    }
    this.goodEnd = off + RECORD_HEADER_BYTES + len;
    return body;
  }

  get size(): number {
    return this.fileSize;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

export interface WalOptions {
  dir: string;
  log: Logger;
  /** The active segment is sealed once it holds this many bytes. */
  segmentBytes: number;
  /** Number for the first segment this process creates: above every segment ever flushed. */
  nextSegmentNo: number;
}

export class Wal {
  private readonly dir: string;
  private readonly log: Logger;
  private readonly segmentBytes: number;
  private nextNo: number;
  private active: (SegmentInfo & { fd: number; handle?: fs.promises.FileHandle }) | undefined;
  private readonly sealedList: SegmentInfo[] = [];
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private writing = false;
  private sealRequested = false;
  private closed = false;
  private failed: Error | undefined;
  /** Called after each group commit with (records, bytes, ms); and when a segment is sealed. */
  onCommit: ((records: number, bytes: number, ms: number) => void) | undefined;
  onSeal: ((s: SegmentInfo) => void) | undefined;

  constructor(opts: WalOptions, existing: SegmentInfo[]) {
    this.dir = opts.dir;
    this.log = opts.log;
    this.segmentBytes = opts.segmentBytes;
    this.nextNo = opts.nextSegmentNo;
    this.sealedList.push(...existing);
  }

  /** Sealed segments waiting for the flusher, oldest first. */
  sealed(): readonly SegmentInfo[] {
    return this.sealedList;
  }

  /** The active segment's bytes beyond its header, and its oldest record's time. */
  activeState(): { bytes: number; firstAt: number; records: number } {
    const a = this.active;
    return a ? { bytes: a.bytes - SEGMENT_HEADER_BYTES, firstAt: a.firstAt, records: a.records } : { bytes: 0, firstAt: 0, records: 0 };
  }

  /** Log bytes not yet flushed to bronze (sealed + active + queued). */
  lagBytes(): number {
    let n = this.pendingBytes;
    for (const s of this.sealedList) n += s.bytes;
    if (this.active) n += this.active.bytes;
    return n;
  }

  queuedBytes(): number {
    return this.pendingBytes;
  }

  /**
   * Append one record (its body in parts) and resolve once it is on disk (written and fdatasynced).
   * `receivedAt` is the batch's receive time, for the flush age.
   */
  append(parts: Buffer[], receivedAt: number): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('the write-ahead log is closed'));
    let len = 0;
    for (const p of parts) len += p.length;
    const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
    header.writeUInt32LE(len, 0);
    header.writeUInt32LE(crc32(parts), 4);
    const bytes = len + RECORD_HEADER_BYTES;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ parts: [header, ...parts], bytes, resolve, reject });
      this.pendingBytes += bytes;
      if (!this.firstPendingAt) this.firstPendingAt = receivedAt;
      this.kick();
    });
  }
  private firstPendingAt = 0;

  /** Seal the active segment as soon as the current write finishes (no-op when it is empty). */
  requestSeal(): void {
    this.sealRequested = true;
    if (!this.writing) this.sealIfRequested();
  }

  private kick() {
    if (!this.writing && this.pending.length > 0) void this.cycle();
  }

  /** Create the next segment (asynchronously: a rotation must not stall the event loop on fsync). */
  private async openSegment(firstAt: number): Promise<SegmentInfo & { fd: number; handle: fs.promises.FileHandle }> {
    const no = this.nextNo++;
    const file = path.join(this.dir, segmentFileName(no));
    const handle = await fs.promises.open(file, 'wx', 0o644);
    const head = Buffer.alloc(SEGMENT_HEADER_BYTES);
    MAGIC.copy(head, 0);
    head.writeBigUInt64LE(BigInt(no), 8);
    await handle.write(head, 0, head.length, 0);
    // The segment's directory entry must survive a power loss as well as its records.
    await handle.datasync();
    await fsyncDirAsync(this.dir);
    return { no, file, bytes: SEGMENT_HEADER_BYTES, records: 0, firstAt, fd: handle.fd, handle };
  }

  private sealIfRequested() {
    const a = this.active;
    if (!this.sealRequested && !(a && a.bytes >= this.segmentBytes)) return;
    this.sealRequested = false;
    if (!a || a.records === 0) return;
    void a.handle?.close().catch(() => undefined);
    this.active = undefined;
    const sealed: SegmentInfo = { no: a.no, file: a.file, bytes: a.bytes, records: a.records, firstAt: a.firstAt };
    this.sealedList.push(sealed);
    this.onSeal?.(sealed);
  }

  private async cycle() {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending;
        const firstAt = this.firstPendingAt;
        this.pending = [];
        this.firstPendingAt = 0;
        let bytes = 0;
        const iov: Buffer[] = [];
        for (const p of group) {
          bytes += p.bytes;
          for (const b of p.parts) iov.push(b);
        }
        const t0 = performance.now();
        try {
          this.active ??= await this.openSegment(firstAt || Date.now());
          const a = this.active;
          await writeAll(a.fd, iov, a.bytes);
          await fdatasync(a.fd);
          a.bytes += bytes;
          a.records += group.length;
        } catch (e) {
          // A log that cannot be written cannot take batches: fail these and every later one.
          this.failed = new Error(`the write-ahead log failed: ${(e as Error).message}`);
          this.log.error('write-ahead log write failed; the ingestor stops taking batches', { error: e });
          for (const p of group) p.reject(this.failed);
          for (const p of this.pending) p.reject(this.failed);
          this.pending = [];
          this.pendingBytes = 0;
          return;
        }
        this.pendingBytes -= bytes;
        this.onCommit?.(group.length, bytes, performance.now() - t0);
        for (const p of group) p.resolve();
        this.sealIfRequested();
      }
      this.sealIfRequested();
    } finally {
      this.writing = false;
    }
  }

  /** Forget sealed segments the flusher has made durable in bronze, and delete their files. */
  async release(nos: readonly number[]): Promise<void> {
    const files: string[] = [];
    for (const no of nos) {
      const i = this.sealedList.findIndex((s) => s.no === no);
      if (i < 0) continue;
      const [s] = this.sealedList.splice(i, 1);
      files.push(s!.file);
    }
    await Promise.all(files.map((f) => fs.promises.rm(f, { force: true })));
    await fsyncDirAsync(this.dir);
  }

  /** Wait for queued appends, then close the active segment (it stays on disk, sealed on the next start). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing || this.pending.length > 0) {
      this.kick();
      await new Promise((r) => setTimeout(r, 5));
    }
    if (this.active) {
      await this.active.handle?.close().catch(() => undefined);
      this.active = undefined;
    }
  }
}

function writeAll(fd: number, bufs: Buffer[], position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let pos = position;
    let idx = 0;
    let offsetInFirst = 0;
    const step = () => {
      if (idx >= bufs.length) return resolve();
      const slice: Buffer[] = [];
      for (let i = idx; i < bufs.length && slice.length < IOV_MAX; i++) slice.push(i === idx && offsetInFirst > 0 ? bufs[i]!.subarray(offsetInFirst) : bufs[i]!);
      fs.writev(fd, slice, pos, (err, written) => {
        if (err) return reject(err);
        pos += written;
        // Advance past what was written (a short write continues mid-buffer).
        let left = written;
        while (left > 0 && idx < bufs.length) {
          const avail = bufs[idx]!.length - offsetInFirst;
          if (left >= avail) {
            left -= avail;
            idx++;
            offsetInFirst = 0;
          } else {
            offsetInFirst += left;
            left = 0;
          }
        }
        while (idx < bufs.length && bufs[idx]!.length === 0) idx++;
        step();
      });
    };
    step();
  });
}

function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the files themselves are synced.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export async function fsyncDirAsync(dir: string): Promise<void> {
  let h: fs.promises.FileHandle | undefined;
  try {
    h = await fs.promises.open(dir, 'r');
    await h.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the files themselves are synced.
  } finally {
    await h?.close().catch(() => undefined);
  }
}

/** Segment numbers present in the directory, ascending. */
export function listSegments(dir: string): { no: number; file: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{16}\.wal$/.test(f))
    .map((f) => ({ no: Number(f.slice(0, 16)), file: path.join(dir, f) }))
    .sort((a, b) => a.no - b.no);
}

/** writeFileDurable without blocking the event loop on the fsyncs. */
export async function writeFileDurableAsync(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const h = await fs.promises.open(tmp, 'w', 0o644);
  try {
    await h.writeFile(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    await h.sync();
  } finally {
    await h.close();
  }
  await fs.promises.rename(tmp, file);
  await fsyncDirAsync(path.dirname(file));
}

/** Write a small file atomically and durably: temp file, fsync, rename, fsync the directory. */
export function writeFileDurable(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}
