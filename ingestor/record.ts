/**
 * The body of a log record: one batch as stored.
 *
 *   offset  size  field
 *   0       1     kind (1 = batch)
 *   1       1     format version (1)
 *   2       2     producer id length P (u16 LE)
 *   4       4     rejects length R (u32 LE)
 *   8       8     sequence (f64 LE, an integer below 2^53)
 *   16      8     receive time, ms since 1970 (f64 LE)
 *   24      4     accepted events (u32 LE)
 *   28      4     events length E (u32 LE)
 *   32      P     producer id (UTF-8)
 *   32+P    R     rejected events, JSON (rare: kept simple)
 *   32+P+R  E     accepted events, encoded as an EventBatch message holding only them (field 3 entries):
 *                 when every event was accepted these are the batch's bytes exactly as received
 */
import { WIRE_LEN, varintSize, writeVarint } from './wire';

export const RECORD_BATCH = 1;
const HEADER = 32;

export interface RejectedEvent {
  index: number;
  code: string;
  message: string;
  eventId: string;
  table: string;
  /** ISO text, or null when the event had none / it was unreadable. */
  eventTime: string | null;
  /** The event's bytes, base64, cut at DEAD_LETTER_MAX_PAYLOAD. */
  payloadBase64: string;
  /** Size of the whole event. */
  payloadBytes: number;
}

export interface BatchRecord {
  producerId: string;
  sequence: number;
  receivedAt: number;
  accepted: number;
  /** An EventBatch message (only field 3 is meaningful) holding the accepted events. */
  events: Buffer;
  rejects(): RejectedEvent[];
}

/** The parts of a record body (the log writes them with one writev, no concatenation). */
export function encodeBatchRecord(producerId: Buffer, sequence: number, receivedAt: number, accepted: number, rejects: RejectedEvent[], events: Buffer[]): Buffer[] {
  const rejectsJson = rejects.length > 0 ? Buffer.from(JSON.stringify(rejects), 'utf8') : Buffer.alloc(0);
  let eventsLen = 0;
  for (const e of events) eventsLen += e.length;
  const head = Buffer.allocUnsafe(HEADER);
  head[0] = RECORD_BATCH;
  head[1] = 1;
  head.writeUInt16LE(producerId.length, 2);
  head.writeUInt32LE(rejectsJson.length, 4);
  head.writeDoubleLE(sequence, 8);
  head.writeDoubleLE(receivedAt, 16);
  head.writeUInt32LE(accepted, 24);
  head.writeUInt32LE(eventsLen, 28);
  const parts = [head, producerId];
  if (rejectsJson.length) parts.push(rejectsJson);
  for (const e of events) if (e.length) parts.push(e);
  return parts;
}

/** The identity of a record without reading the rest (replay rebuilds the dedup state from it). */
export function peekBatchIdentity(body: Buffer): { producerId: string; sequence: number; receivedAt: number; accepted: number; rejected: number } {
  if (body.length < HEADER || body[0] !== RECORD_BATCH) throw new Error('not a batch record');
  const p = body.readUInt16LE(2);
  const r = body.readUInt32LE(4);
  const rejected = r === 0 ? 0 : (JSON.parse(body.toString('utf8', HEADER + p, HEADER + p + r)) as unknown[]).length;
  return { producerId: body.toString('utf8', HEADER, HEADER + p), sequence: body.readDoubleLE(8), receivedAt: body.readDoubleLE(16), accepted: body.readUInt32LE(24), rejected };
}

export function decodeBatchRecord(body: Buffer): BatchRecord {
  if (body.length < HEADER || body[0] !== RECORD_BATCH) throw new Error(`unknown record kind ${body[0]}`);
  if (body[1] !== 1) throw new Error(`unknown batch record version ${body[1]}`);
  const p = body.readUInt16LE(2);
  const r = body.readUInt32LE(4);
  const e = body.readUInt32LE(28);
  if (HEADER + p + r + e !== body.length) throw new Error('batch record lengths do not add up');
  const rejectsStart = HEADER + p;
  return {
    producerId: body.toString('utf8', HEADER, HEADER + p),
    sequence: body.readDoubleLE(8),
    receivedAt: body.readDoubleLE(16),
    accepted: body.readUInt32LE(24),
    events: body.subarray(HEADER + p + r, HEADER + p + r + e),
    rejects: () => (r === 0 ? [] : (JSON.parse(body.toString('utf8', rejectsStart, rejectsStart + r)) as RejectedEvent[])),
  };
}

/** Field-3 framing (tag + length) for an event of `len` bytes. */
export function eventFraming(len: number): Buffer {
  const b = Buffer.allocUnsafe(1 + varintSize(len));
  b[0] = (3 << 3) | WIRE_LEN;
  writeVarint(b, 1, len);
  return b;
}
