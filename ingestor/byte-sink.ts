/**
 * Bytes out, fast: a fixed buffer that spills to a file descriptor when full. The flush renders bronze
 * rows through it straight from the log's bytes, so strings are copied, not created.
 */
import fs from 'node:fs';
import { civilFromDays } from './events';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';

const DAY_SLOTS = 4096;
const DAY_SLOTS_MASK = DAY_SLOTS - 1;
/** Day number → its `YYYY-MM-DD` (10 bytes at slot × 10), direct-mapped; NaN: empty. */
const dayKeys = new Float64Array(DAY_SLOTS).fill(NaN);
const dayTexts = Buffer.alloc(DAY_SLOTS * 10);

/** A buffer known to hold no `"` (see markQuoteFree). */
let quoteFreeSrc: Buffer | null = null;

/**
 * Say that `src` (a stored batch's events, rendered next) holds no `"` byte, so csvBytes copies its
 * fields without looking for quotes to double; null (or a buffer that does hold one) ends it.
 * Checked once per batch (memchr) instead of byte by byte per field.
 */
export function markQuoteFree(src: Buffer | null): void {
  quoteFreeSrc = src !== null && src.indexOf(QUOTE) === -1 ? src : null;
}

export class ByteSink {
  private buf: Buffer;
  /** `buf` as a DataView (copyRun moves 4 bytes at a time through it). */
  private view: DataView;
  private pos = 0;
  /** Bytes written so far (spilled + buffered). */
  bytes = 0;

  constructor(
    private readonly fd: number,
    size = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(size);
    this.view = viewOf(this.buf);
  }

  private room(n: number) {
    if (this.buf.length - this.pos >= n) return;
    this.spill();
    if (n > this.buf.length) {
      this.buf = Buffer.allocUnsafe(n);
      this.view = viewOf(this.buf);
    }
  }

  private spill() {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }

  raw(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    this.pos = copyRun(b, 0, n, this.buf, this.view, this.pos);
    this.bytes += n;
  }

  /** A non-negative integer, `"<n>"` when quoted. */
  uint(n: number, quoted: boolean): void {
    this.room(24);
    const out = this.buf;
    let p = this.pos;
    if (quoted) out[p++] = QUOTE;
    if (n === 0) out[p++] = 0x30;
    else {
      let digits = 0;
      for (let x = n; x >= 1; x = Math.floor(x / 10)) digits++;
      let x = n;
      for (let i = digits - 1; i >= 0; i--) {
        out[p + i] = 0x30 + (x % 10);
        x = Math.floor(x / 10);
      }
      p += digits;
    }
    if (quoted) out[p++] = QUOTE;
    this.bytes += p - this.pos;
    this.pos = p;
  }

  /** `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC), a date as `YYYY-MM-DD 00:00:00`; in quotes when `quoted`. */
  timestamp(sec: number, nanos: number, dateOnly: boolean, quoted: boolean): void {
    this.room(32);
    const out = this.buf;
    let p = this.pos;
    if (quoted) out[p++] = QUOTE;
    const days = Math.floor(sec / 86400);
    // The date's text from a small table by day (a flush's timestamps interleave a few columns and
    // span years: one remembered day missed most of the time).
    const slot = days & DAY_SLOTS_MASK;
    const at = slot * 10;
    if (dayKeys[slot] !== days) {
      const c = civilFromDays(days);
      const y = Math.floor(c / 10000);
      const m = Math.floor(c / 100) % 100;
      const d = c % 100;
      const t = dayTexts;
      t[at] = 0x30 + (Math.floor(y / 1000) % 10);
      t[at + 1] = 0x30 + (Math.floor(y / 100) % 10);
      t[at + 2] = 0x30 + (Math.floor(y / 10) % 10);
      t[at + 3] = 0x30 + (y % 10);
      t[at + 4] = 0x2d;
      t[at + 5] = 0x30 + Math.floor(m / 10);
      t[at + 6] = 0x30 + (m % 10);
      t[at + 7] = 0x2d;
      t[at + 8] = 0x30 + Math.floor(d / 10);
      t[at + 9] = 0x30 + (d % 10);
      dayKeys[slot] = days;
    }
    for (let i = 0; i < 10; i++) out[p++] = dayTexts[at + i]!;
    out[p++] = 0x20;
    let rem = dateOnly ? 0 : sec - days * 86400;
    const h = Math.floor(rem / 3600);
    rem -= h * 3600;
    const mi = Math.floor(rem / 60);
    const s = rem - mi * 60;
    out[p++] = 0x30 + Math.floor(h / 10);
    out[p++] = 0x30 + (h % 10);
    out[p++] = 0x3a;
    out[p++] = 0x30 + Math.floor(mi / 10);
    out[p++] = 0x30 + (mi % 10);
    out[p++] = 0x3a;
    out[p++] = 0x30 + Math.floor(s / 10);
    out[p++] = 0x30 + (s % 10);
    if (!dateOnly && nanos >= 1000) {
      let micros = Math.floor(nanos / 1000);
      out[p++] = 0x2e;
      for (let i = 5; i >= 0; i--) {
        out[p + i] = 0x30 + (micros % 10);
        micros = Math.floor(micros / 10);
      }
      p += 6;
    }
    if (quoted) out[p++] = QUOTE;
    this.bytes += p - this.pos;
    this.pos = p;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
    this.bytes++;
  }

  ascii(s: string): void {
    this.room(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
    this.bytes += s.length;
  }

  /** A JSON string literal of `src[start, end)` (valid UTF-8), quotes included. */
  jsonBytes(src: Buffer, start: number, end: number): void {
    // Worst case every byte becomes \u00XX (6 bytes).
    this.room((end - start) * 6 + 2);
    const out = this.buf;
    let p = this.pos;
    out[p++] = QUOTE;
    let run = start;
    for (let i = start; i < end; i++) {
      const b = src[i]!;
      if (b >= 0x20 && b !== QUOTE && b !== BACKSLASH) continue;
      if (i > run) p = copyRun(src, run, i, out, this.view, p);
      run = i + 1;
      out[p++] = BACKSLASH;
      if (b === QUOTE || b === BACKSLASH) out[p++] = b;
      else if (b === 0x0a) out[p++] = 0x6e; // n
      else if (b === 0x0d) out[p++] = 0x72; // r
      else if (b === 0x09) out[p++] = 0x74; // t
      else {
        out[p++] = 0x75; // u
        out[p++] = 0x30;
        out[p++] = 0x30;
        out[p++] = HEX.charCodeAt(b >> 4);
        out[p++] = HEX.charCodeAt(b & 15);
      }
    }
    if (end > run) p = copyRun(src, run, end, out, this.view, p);
    out[p++] = QUOTE;
    this.bytes += p - this.pos;
    this.pos = p;
  }

  /** A CSV field of `src[start, end)`: always quoted, quotes doubled (RFC 4180; line breaks stay). */
  csvBytes(src: Buffer, start: number, end: number): void {
    this.room((end - start) * 2 + 2);
    const out = this.buf;
    let p = this.pos;
    out[p++] = QUOTE;
    if (src === quoteFreeSrc) {
      p = copyRun(src, start, end, out, this.view, p);
      out[p++] = QUOTE;
      this.bytes += p - this.pos;
      this.pos = p;
      return;
    }
    let run = start;
    for (let i = start; i < end; i++) {
      if (src[i] !== QUOTE) continue;
      p = copyRun(src, run, i + 1, out, this.view, p);
      out[p++] = QUOTE;
      run = i + 1;
    }
    if (end > run) p = copyRun(src, run, end, out, this.view, p);
    out[p++] = QUOTE;
    this.bytes += p - this.pos;
    this.pos = p;
  }

  /** A JSON string literal of a JS string. */
  jsonString(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.jsonBytes(b, 0, b.length);
  }

  /** Writes what is buffered to the file. */
  flush(): void {
    this.spill();
  }
}

const viewOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
// The DataViews of the last two sources (a batch's events and its rendered meta columns).
let srcA: Uint8Array | undefined;
let viewA: DataView | undefined;
let srcB: Uint8Array | undefined;
let viewB: DataView | undefined;

/**
 * Copy src[from, to) to out (whose DataView is `ov`) at p; returns the new p. Field-sized runs go 4
 * bytes at a time through DataViews: about 3× faster than a byte loop or Buffer.copy at 32–100 bytes
 * (the ids), the largest cost of rendering a row.
 */
function copyRun(src: Uint8Array, from: number, to: number, out: Buffer, ov: DataView, p: number): number {
  const n = to - from;
  if (n > 512) {
    out.set(src.subarray(from, to), p);
    return p + n;
  }
  let i = from;
  if (n >= 4) {
    let sv: DataView;
    if (src === srcA) sv = viewA!;
    else if (src === srcB) sv = viewB!;
    else {
      srcB = srcA;
      viewB = viewA;
      srcA = src;
      sv = viewA = viewOf(src);
    }
    for (; i + 4 <= to; i += 4, p += 4) ov.setUint32(p, sv.getUint32(i, true), true);
  }
  for (; i < to; i++) out[p++] = src[i]!;
  return p;
}
