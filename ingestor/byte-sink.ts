/**
 * Bytes out, fast: a fixed buffer that spills to a file descriptor when full. The flush renders bronze
 * rows through it straight from the log's bytes, so strings are copied, not created.
 */
import fs from 'node:fs';
import { civilFromDays } from './events';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';

export class ByteSink {
  private buf: Buffer;
  private pos = 0;
  /** Bytes written so far (spilled + buffered). */
  bytes = 0;
  private lastDay = NaN;
  private readonly dayText = Buffer.alloc(10);

  constructor(
    private readonly fd: number,
    size = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private room(n: number) {
    if (this.buf.length - this.pos >= n) return;
    this.spill();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  private spill() {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }

  raw(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    const out = this.buf;
    let p = this.pos;
    // Short copies are cheaper in a loop than through a native call.
    if (n <= 64) for (let i = 0; i < n; i++) out[p++] = b[i]!;
    else {
      out.set(b, p);
      p += n;
    }
    this.pos = p;
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
    if (days !== this.lastDay) {
      const c = civilFromDays(days);
      const y = Math.floor(c / 10000);
      const m = Math.floor(c / 100) % 100;
      const d = c % 100;
      const t = this.dayText;
      t[0] = 0x30 + (Math.floor(y / 1000) % 10);
      t[1] = 0x30 + (Math.floor(y / 100) % 10);
      t[2] = 0x30 + (Math.floor(y / 10) % 10);
      t[3] = 0x30 + (y % 10);
      t[4] = 0x2d;
      t[5] = 0x30 + Math.floor(m / 10);
      t[6] = 0x30 + (m % 10);
      t[7] = 0x2d;
      t[8] = 0x30 + Math.floor(d / 10);
      t[9] = 0x30 + (d % 10);
      this.lastDay = days;
    }
    for (let i = 0; i < 10; i++) out[p++] = this.dayText[i]!;
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
      if (i > run) p = copyRun(src, run, i, out, p);
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
    if (end > run) p = copyRun(src, run, end, out, p);
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
    let run = start;
    for (let i = start; i < end; i++) {
      if (src[i] !== QUOTE) continue;
      p = copyRun(src, run, i + 1, out, p);
      out[p++] = QUOTE;
      run = i + 1;
    }
    if (end > run) p = copyRun(src, run, end, out, p);
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

/** Copy src[from, to) to out at p; returns the new p. */
function copyRun(src: Buffer, from: number, to: number, out: Buffer, p: number): number {
  const n = to - from;
  if (n <= 64) {
    for (let i = from; i < to; i++) out[p++] = src[i]!;
    return p;
  }
  src.copy(out, p, from, to);
  return p + n;
}
