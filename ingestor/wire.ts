/**
 * Protobuf wire format, by hand, for the ingest contract's hot path.
 *
 * Why not protobufjs (which proto-loader uses): measured on these machines, protobufjs decodes about
 * 380k typed events/s per core and 196k/s with proto-loader's toObject — the whole budget of a core for
 * the 300k events/s target, before validation, the log and the flush. The ingestor instead reads the
 * standard encoding directly: an EventBatch is split into its events as byte ranges (no copies, no
 * objects), each event is checked field by field, and the log stores the bytes as they came. Clients
 * are unaffected: this is the proto3 wire format, and any conformant encoder (protobufjs, protoc's)
 * produces what this reads. `wire.test.ts` checks it against protobufjs.
 *
 * Rules followed (protobuf encoding spec): fields in any order; unknown fields skipped (groups too);
 * for a non-repeated field the last occurrence wins; a known field with the wrong wire type is an error;
 * varints of at most 10 bytes; lengths must fit the enclosing message.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

const TWO_32 = 4294967296;

/**
 * A cursor over `buf[pos, end)`. Methods throw WireError on truncated or invalid input. Varints are
 * read as two 32-bit halves (`lo`, `hi`) so 64-bit values are exact until converted.
 */
export class WireReader {
  buf: Buffer;
  pos: number;
  end: number;
  /** Low and high 32 bits of the last varint read with `varint64()`. */
  lo = 0;
  hi = 0;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  reset(buf: Buffer, pos: number, end: number): this {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    return this;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint's low 32 bits, as an unsigned number (what uint32 / a tag / a length is). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    const end = this.end;
    if (pos >= end) throw new WireError('truncated varint');
    let b = buf[pos++]!;
    let v = b & 0x7f;
    if (b < 0x80) {
      this.pos = pos;
      return v;
    }
    for (let shift = 7; shift < 35; shift += 7) {
      if (pos >= end) throw new WireError('truncated varint');
      b = buf[pos++]!;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return v >>> 0;
      }
    }
    // Bytes 6..10 only carry bits above 32: skip them, but the varint must end within 10 bytes.
    for (let i = 5; i < 10; i++) {
      if (pos >= end) throw new WireError('truncated varint');
      if (buf[pos++]! < 0x80) {
        this.pos = pos;
        return v >>> 0;
      }
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** A full 64-bit varint into `lo` / `hi`. */
  varint64(): void {
    const buf = this.buf;
    let pos = this.pos;
    const end = this.end;
    let lo = 0;
    let hi = 0;
    let b = 0;
    let i = 0;
    for (; i < 4; i++) {
      if (pos >= end) throw new WireError('truncated varint');
      b = buf[pos++]!;
      lo |= (b & 0x7f) << (i * 7);
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    // 5th byte: 4 bits to lo, 3 bits to hi.
    if (pos >= end) throw new WireError('truncated varint');
    b = buf[pos++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (i = 0; i < 5; i++) {
        if (pos >= end) throw new WireError('truncated varint');
        b = buf[pos++]!;
        hi |= (b & 0x7f) << (i * 7 + 3);
        if (b < 0x80) break;
      }
      if (b >= 0x80) throw new WireError('varint longer than 10 bytes');
    }
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** uint64 as a number; NaN when above 2^53 - 1 (callers refuse it). */
  uint64(): number {
    this.varint64();
    if (this.hi > 0x1fffff) return NaN;
    return this.hi * TWO_32 + this.lo;
  }

  /** int64 (two's complement) as a number; ±Infinity when beyond ±2^53. */
  int64(): number {
    this.varint64();
    const lo = this.lo;
    const hi = this.hi;
    if (hi & 0x80000000) {
      const nlo = (~lo + 1) >>> 0;
      const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
      if (nhi > 0x1fffff) return -Infinity;
      return -(nhi * TWO_32 + nlo);
    }
    if (hi > 0x1fffff) return Infinity;
    return hi * TWO_32 + lo;
  }

  /** int32: the low 32 bits, signed. */
  int32(): number {
    return this.uint32() | 0;
  }

  /** Reads a length prefix and returns the end of the bytes it announces (the cursor is at their start). */
  lengthDelimited(): number {
    const len = this.uint32();
    const stop = this.pos + len;
    if (len > this.end - this.pos) throw new WireError('length beyond the end of the message');
    return stop;
  }

  /** Skips the value of a field of the given wire type (the tag was read). */
  skip(wireType: number, field: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        if (this.end - this.pos < 8) throw new WireError('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        if (this.end - this.pos < 4) throw new WireError('truncated fixed32');
        this.pos += 4;
        return;
      case WIRE_START_GROUP: {
        // A (deprecated) group: skip fields until the matching end-group tag.
        for (;;) {
          if (this.pos >= this.end) throw new WireError('unterminated group');
          const tag = this.uint32();
          const wt = tag & 7;
          if (wt === WIRE_END_GROUP) {
            if (tag >>> 3 !== field) throw new WireError('mismatched end of group');
            return;
          }
          this.skip(wt, tag >>> 3);
        }
      }
      default:
        throw new WireError(`invalid wire type ${wireType}`);
    }
  }
}

/** A batch as the server sees it before looking inside the events: framing only. */
export interface BatchFrame {
  /** The message bytes; events are ranges of it. */
  buf: Buffer;
  producerStart: number;
  producerEnd: number;
  sequence: number;
  /** Start and end offset of each event's bytes (without tag and length), in order. */
  eventStarts: number[];
  eventEnds: number[];
}

export type BatchParse =
  | { ok: true; frame: BatchFrame }
  | { ok: false; reason: 'malformed' | 'too_many_events'; message: string };

/**
 * Split an encoded EventBatch into producer, sequence and event byte ranges. Stops early (without
 * reading further) once more than `maxEvents` events are seen.
 */
export function parseBatchFrame(buf: Buffer, maxEvents: number): BatchParse {
  const r = new WireReader(buf);
  let producerStart = 0;
  let producerEnd = 0;
  let sequence = 0;
  const eventStarts: number[] = [];
  const eventEnds: number[] = [];
  try {
    while (r.pos < r.end) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 3) {
        if (wt !== WIRE_LEN) throw new WireError('field 3 (events) must be length-delimited');
        const stop = r.lengthDelimited();
        if (eventStarts.length >= maxEvents) {
          return { ok: false, reason: 'too_many_events', message: `more than ${maxEvents} events in one batch; split it into batches of at most ${maxEvents}` };
        }
        eventStarts.push(r.pos);
        eventEnds.push(stop);
        r.pos = stop;
      } else if (field === 1) {
        if (wt !== WIRE_LEN) throw new WireError('field 1 (producer_id) must be length-delimited');
        const stop = r.lengthDelimited();
        producerStart = r.pos;
        producerEnd = stop;
        r.pos = stop;
      } else if (field === 2) {
        if (wt !== WIRE_VARINT) throw new WireError('field 2 (sequence) must be a varint');
        sequence = r.uint64();
      } else if (field === 0) {
        throw new WireError('field number 0');
      } else {
        r.skip(wt, field);
      }
    }
  } catch (e) {
    if (e instanceof WireError) return { ok: false, reason: 'malformed', message: `not a valid EventBatch: ${e.message}` };
    throw e;
  }
  return { ok: true, frame: { buf, producerStart, producerEnd, sequence, eventStarts, eventEnds } };
}

// ───────────────────────────── writing ─────────────────────────────

/** Bytes a varint of `n` (0 ≤ n < 2^53) takes. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Write varint `n` (0 ≤ n < 2^53) at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** A growable byte builder for encoding small messages (acks, test inputs). */
export class WireWriter {
  private chunks: Buffer[] = [];
  private cur: Buffer;
  private pos = 0;

  constructor(initial = 256) {
    this.cur = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number) {
    if (this.cur.length - this.pos >= n) return;
    this.chunks.push(this.cur.subarray(0, this.pos));
    this.cur = Buffer.allocUnsafe(Math.max(n, this.cur.length * 2));
    this.pos = 0;
  }

  varint(n: number): this {
    this.ensure(10);
    this.pos = writeVarint(this.cur, this.pos, n);
    return this;
  }

  /** A raw 64-bit varint from a bigint (negative values in two's complement, as int64 is encoded). */
  varintBig(v: bigint): this {
    let x = BigInt.asUintN(64, v);
    this.ensure(10);
    while (x >= 0x80n) {
      this.cur[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.cur[this.pos++] = Number(x);
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  bytes(b: Uint8Array): this {
    this.varint(b.length);
    this.ensure(b.length);
    this.cur.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.cur.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  /** field: string (omitted when empty, as proto3 does). */
  stringField(field: number, s: string | undefined): this {
    if (!s) return this;
    return this.tag(field, WIRE_LEN).string(s);
  }

  uintField(field: number, n: number | undefined): this {
    if (!n) return this;
    return this.tag(field, WIRE_VARINT).varint(n);
  }

  messageField(field: number, body: Buffer): this {
    return this.tag(field, WIRE_LEN).bytes(body);
  }

  finish(): Buffer {
    const last = this.cur.subarray(0, this.pos);
    if (this.chunks.length === 0) return Buffer.from(last);
    return Buffer.concat([...this.chunks, last]);
  }
}
