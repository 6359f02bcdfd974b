/**
 * Encoding and decoding of the contract's messages by hand (see wire.ts for why): typed events and
 * batches for the client library, acks for both sides. The shapes mirror the proto with its field
 * names (snake_case), as @grpc/proto-loader with `keepCase` presents them, so the same objects work
 * with a generic grpc-js client.
 */
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireReader, WireWriter } from './wire';

/** A Timestamp: a Date, milliseconds since 1970, or the proto's {seconds, nanos}. */
export type TimeInput = Date | number | { seconds: number | string; nanos?: number };

export interface OrderPlaced {
  order_id: string;
  customer_id: string;
  order_status: string;
  purchase_timestamp?: TimeInput;
  estimated_delivery_date?: TimeInput;
}
export interface ItemAdded {
  order_id: string;
  order_item_id: number;
  product_id: string;
  seller_id: string;
  shipping_limit_date?: TimeInput;
  price: string;
  freight_value: string;
}
export interface PaymentMade {
  order_id: string;
  payment_sequential: number;
  payment_type: string;
  payment_installments: number;
  payment_value: string;
}
export interface OrderStatusChanged {
  order_id: string;
  order_status: string;
  approved_at?: TimeInput;
  delivered_carrier_date?: TimeInput;
  delivered_customer_date?: TimeInput;
}
export interface ReviewSubmitted {
  review_id: string;
  order_id: string;
  review_score: number;
  review_comment_title?: string;
  review_comment_message?: string;
  review_creation_date?: TimeInput;
  review_answer_timestamp?: TimeInput;
}
export type JsonObject = { [k: string]: unknown };

export interface EventInput {
  /** Optional for typed payloads (their table is implied). */
  table?: string;
  event_id: string;
  event_time?: TimeInput;
  order_placed?: OrderPlaced;
  item_added?: ItemAdded;
  payment_made?: PaymentMade;
  status_changed?: OrderStatusChanged;
  review_submitted?: ReviewSubmitted;
  json?: JsonObject;
  raw?: Uint8Array;
}

export function toSecondsNanos(t: TimeInput): { seconds: number; nanos: number } {
  if (t instanceof Date) t = t.getTime();
  if (typeof t === 'number') {
    const seconds = Math.floor(t / 1000);
    return { seconds, nanos: Math.round((t - seconds * 1000) * 1e6) };
  }
  return { seconds: Number(t.seconds), nanos: t.nanos ?? 0 };
}

function timestamp(t: TimeInput): Buffer {
  const { seconds, nanos } = toSecondsNanos(t);
  const w = new WireWriter(24);
  if (seconds !== 0) w.tag(1, WIRE_VARINT).varintBig(BigInt(seconds));
  if (nanos !== 0) w.tag(2, WIRE_VARINT).varintBig(BigInt(nanos));
  return w.finish();
}

function tsField(w: WireWriter, no: number, t: TimeInput | undefined) {
  if (t !== undefined) w.messageField(no, timestamp(t));
}

function jsonValue(v: unknown, depth = 0): Buffer {
  const w = new WireWriter(32);
  if (depth > 32) throw new Error('json payload nested too deep');
  if (v === null || v === undefined) w.tag(1, WIRE_VARINT).varint(0);
  else if (typeof v === 'number') {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(v, 0);
    w.tag(2, WIRE_FIXED64).raw(b);
  } else if (typeof v === 'string') w.tag(3, WIRE_LEN).string(v);
  else if (typeof v === 'boolean') w.tag(4, WIRE_VARINT).varint(v ? 1 : 0);
  else if (Array.isArray(v)) {
    const list = new WireWriter(64);
    for (const x of v) list.messageField(1, jsonValue(x, depth + 1));
    w.messageField(6, list.finish());
  } else if (typeof v === 'object') w.messageField(5, struct(v as JsonObject, depth + 1));
  else w.tag(3, WIRE_LEN).string(String(v));
  return w.finish();
}

function struct(o: JsonObject, depth = 0): Buffer {
  const w = new WireWriter(128);
  for (const [k, v] of Object.entries(o)) {
    const entry = new WireWriter(64).tag(1, WIRE_LEN).string(k).messageField(2, jsonValue(v, depth)).finish();
    w.messageField(1, entry);
  }
  return w.finish();
}

/** An Event message. */
export function encodeEvent(e: EventInput): Buffer {
  const w = new WireWriter(256);
  w.stringField(1, e.table);
  w.stringField(2, e.event_id);
  tsField(w, 3, e.event_time);
  if (e.order_placed) {
    const p = e.order_placed;
    const m = new WireWriter(160).stringField(1, p.order_id).stringField(2, p.customer_id).stringField(3, p.order_status);
    tsField(m, 4, p.purchase_timestamp);
    tsField(m, 5, p.estimated_delivery_date);
    w.messageField(10, m.finish());
  } else if (e.item_added) {
    const p = e.item_added;
    const m = new WireWriter(192).stringField(1, p.order_id).uintField(2, p.order_item_id).stringField(3, p.product_id).stringField(4, p.seller_id);
    tsField(m, 5, p.shipping_limit_date);
    m.stringField(6, p.price).stringField(7, p.freight_value);
    w.messageField(11, m.finish());
  } else if (e.payment_made) {
    const p = e.payment_made;
    const m = new WireWriter(96).stringField(1, p.order_id).uintField(2, p.payment_sequential).stringField(3, p.payment_type).uintField(4, p.payment_installments).stringField(5, p.payment_value);
    w.messageField(12, m.finish());
  } else if (e.status_changed) {
    const p = e.status_changed;
    const m = new WireWriter(128).stringField(1, p.order_id).stringField(2, p.order_status);
    tsField(m, 3, p.approved_at);
    tsField(m, 4, p.delivered_carrier_date);
    tsField(m, 5, p.delivered_customer_date);
    w.messageField(13, m.finish());
  } else if (e.review_submitted) {
    const p = e.review_submitted;
    const m = new WireWriter(256).stringField(1, p.review_id).stringField(2, p.order_id).uintField(3, p.review_score).stringField(4, p.review_comment_title).stringField(5, p.review_comment_message);
    tsField(m, 6, p.review_creation_date);
    tsField(m, 7, p.review_answer_timestamp);
    w.messageField(14, m.finish());
  } else if (e.json) {
    w.messageField(20, struct(e.json));
  } else if (e.raw) {
    w.tag(21, WIRE_LEN).bytes(e.raw);
  }
  return w.finish();
}

/** An EventBatch message from already-encoded events. */
export function encodeBatch(producerId: string, sequence: number, events: readonly Uint8Array[]): Buffer {
  let size = 16 + Buffer.byteLength(producerId);
  for (const e of events) size += e.length + 6;
  const w = new WireWriter(size);
  w.stringField(1, producerId);
  if (sequence) w.tag(2, WIRE_VARINT).varint(sequence);
  for (const e of events) w.tag(3, WIRE_LEN).bytes(e);
  return w.finish();
}

export type AckStatus = 'STATUS_UNSPECIFIED' | 'ACCEPTED' | 'PARTIAL' | 'REJECTED' | 'DUPLICATE';
export const ACK_STATUSES: readonly AckStatus[] = ['STATUS_UNSPECIFIED', 'ACCEPTED', 'PARTIAL', 'REJECTED', 'DUPLICATE'];

export interface EventErrorOut {
  index: number;
  event_id: string;
  code: string;
  message: string;
}

export interface BatchAck {
  producer_id: string;
  sequence: number;
  status: AckStatus;
  accepted: number;
  rejected: number;
  errors: EventErrorOut[];
  retry_after_ms: number;
}

export function encodeAck(a: BatchAck): Buffer {
  const w = new WireWriter(64 + a.errors.length * 96);
  w.stringField(1, a.producer_id);
  w.uintField(2, a.sequence);
  w.uintField(3, ACK_STATUSES.indexOf(a.status));
  w.uintField(4, a.accepted);
  w.uintField(5, a.rejected);
  for (const e of a.errors) {
    const m = new WireWriter(96).uintField(1, e.index).stringField(2, e.event_id).stringField(3, e.code).stringField(4, e.message);
    w.messageField(6, m.finish());
  }
  w.uintField(7, a.retry_after_ms);
  return w.finish();
}

export function decodeAck(buf: Buffer): BatchAck {
  const ack: BatchAck = { producer_id: '', sequence: 0, status: 'STATUS_UNSPECIFIED', accepted: 0, rejected: 0, errors: [], retry_after_ms: 0 };
  const r = new WireReader(buf);
  while (r.pos < r.end) {
    const tag = r.uint32();
    const f = tag >>> 3;
    const wt = tag & 7;
    if (f === 1 && wt === WIRE_LEN) {
      const s = r.lengthDelimited();
      ack.producer_id = buf.toString('utf8', r.pos, s);
      r.pos = s;
    } else if (f === 2 && wt === WIRE_VARINT) ack.sequence = r.uint64();
    else if (f === 3 && wt === WIRE_VARINT) ack.status = ACK_STATUSES[r.uint32()] ?? 'STATUS_UNSPECIFIED';
    else if (f === 4 && wt === WIRE_VARINT) ack.accepted = r.uint32();
    else if (f === 5 && wt === WIRE_VARINT) ack.rejected = r.uint32();
    else if (f === 7 && wt === WIRE_VARINT) ack.retry_after_ms = r.uint32();
    else if (f === 6 && wt === WIRE_LEN) {
      const s = r.lengthDelimited();
      const e: EventErrorOut = { index: 0, event_id: '', code: '', message: '' };
      const m = new WireReader(buf, r.pos, s);
      while (m.pos < m.end) {
        const t = m.uint32();
        const ef = t >>> 3;
        if (ef === 1 && (t & 7) === WIRE_VARINT) e.index = m.uint32();
        else if (ef >= 2 && ef <= 4 && (t & 7) === WIRE_LEN) {
          const ss = m.lengthDelimited();
          const text = buf.toString('utf8', m.pos, ss);
          m.pos = ss;
          if (ef === 2) e.event_id = text;
          else if (ef === 3) e.code = text;
          else e.message = text;
        } else m.skip(t & 7, ef);
      }
      ack.errors.push(e);
      r.pos = s;
    } else r.skip(wt, f);
  }
  return ack;
}

export function encodeProducerStateRequest(producerId: string): Buffer {
  return new WireWriter(64).stringField(1, producerId).finish();
}

export function decodeProducerStateRequest(buf: Buffer): { producer_id: string } {
  const r = new WireReader(buf);
  let producer_id = '';
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) {
      const s = r.lengthDelimited();
      producer_id = buf.toString('utf8', r.pos, s);
      r.pos = s;
    } else r.skip(tag & 7, tag >>> 3);
  }
  return { producer_id };
}

export function encodeProducerState(s: { producer_id: string; last_sequence: number }): Buffer {
  return new WireWriter(64).stringField(1, s.producer_id).uintField(2, s.last_sequence).finish();
}

export function decodeProducerState(buf: Buffer): { producer_id: string; last_sequence: number } {
  const r = new WireReader(buf);
  const out = { producer_id: '', last_sequence: 0 };
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) {
      const s = r.lengthDelimited();
      out.producer_id = buf.toString('utf8', r.pos, s);
      r.pos = s;
    } else if (tag >>> 3 === 2 && (tag & 7) === WIRE_VARINT) out.last_sequence = r.uint64();
    else r.skip(tag & 7, tag >>> 3);
  }
  return out;
}
