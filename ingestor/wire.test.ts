/**
 * The hand-written wire format against the reference: batches, events and acks encoded by
 * @grpc/proto-loader (protobufjs, from the .proto) read back by ours and vice versa; malformed bytes
 * are errors, not crashes; the proto3 rules for unknown fields, field order and repeats hold.
 */
import type * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { decodeAck, encodeAck, encodeBatch, encodeEvent, type BatchAck } from './codec';
import { EventView, decodeEvent, validateEvent } from './events';
import { loadIngestProto } from './server';
import { WIRE_LEN, WIRE_START_GROUP, WIRE_END_GROUP, WIRE_VARINT, WireReader, WireWriter, parseBatchFrame } from './wire';

const def = loadIngestProto()['keystone.ingest.v1.IngestService'] as Record<string, protoLoader.MethodDefinition<object, object>>;
const sendBatch = def.SendBatch!;
const T = Date.UTC(2017, 5, 1, 12, 0, 0);
const ctx = { maxTimeSec: Math.floor(Date.now() / 1000) + 86_400, genericTables: undefined };

const referenceBatch = {
  producer_id: 'ref-producer',
  sequence: '9007199254740991',
  events: [
    { table: 'orders', event_id: 'a', event_time: { seconds: String(T / 1000), nanos: 250_000_000 }, order_placed: { order_id: 'o1', customer_id: 'c1', order_status: 'DELIVERED ', purchase_timestamp: { seconds: String(T / 1000) } } },
    { event_id: 'b', event_time: { seconds: String(T / 1000) }, item_added: { order_id: 'o1', order_item_id: 2, product_id: 'p', seller_id: 's', shipping_limit_date: { seconds: String(T / 1000) }, price: '10.50', freight_value: '0' } },
    // protobufjs's bundled well-known types name Value's fields in camelCase.
    { table: 'clicks', event_id: 'c', event_time: { seconds: String(T / 1000) }, json: { fields: { page: { stringValue: '/x' }, n: { numberValue: 3 }, ok: { boolValue: true }, none: { nullValue: 'NULL_VALUE' } } } },
    { table: 'blobs', event_id: 'd', event_time: { seconds: String(T / 1000) }, raw: Buffer.from([0, 1, 2, 255]) },
  ],
};

describe('reading what protobufjs writes', () => {
  it('splits a batch into producer, sequence (up to 2^53-1) and events', () => {
    const bytes = sendBatch.requestSerialize(referenceBatch);
    const parsed = parseBatchFrame(bytes, 100);
    if (!parsed.ok) throw new Error(parsed.message);
    const f = parsed.frame;
    expect(bytes.toString('utf8', f.producerStart, f.producerEnd)).toBe('ref-producer');
    expect(f.sequence).toBe(Number.MAX_SAFE_INTEGER);
    expect(f.eventStarts).toHaveLength(4);
    const v = new EventView();
    const seen: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      expect(decodeEvent(v, bytes, f.eventStarts[i]!, f.eventEnds[i]!)).toBe(true);
      expect(validateEvent(v, ctx)).toBe(true);
      seen.push([v.dataset(), v.eventId(), v.timeSec * 1000, v.timeNanos, v.json ? Object.fromEntries(v.json) : null]);
    }
    expect(seen).toEqual([
      ['orders', 'a', T, 250_000_000, null],
      ['order_items', 'b', T, 0, null],
      ['clicks', 'c', T, 0, { page: '/x', n: '3', ok: 'true', none: null }],
      ['blobs', 'd', T, 0, null],
    ]);
  });

  it('reads back what codec.ts writes, as protobufjs does', () => {
    const ev = encodeEvent({ event_id: 'x', event_time: T + 5, review_submitted: { review_id: 'r', order_id: 'o', review_score: 4, review_comment_message: 'olá', review_creation_date: Date.UTC(2017, 5, 2) } });
    const bytes = encodeBatch('mine', 42, [ev]);
    const obj = sendBatch.requestDeserialize(bytes) as { producer_id: string; sequence: string; events: { event_id: string; event_time: { seconds: string; nanos: number }; review_submitted: Record<string, unknown>; payload: string }[] };
    expect(obj.producer_id).toBe('mine');
    expect(obj.sequence).toBe('42');
    expect(obj.events[0]!.payload).toBe('review_submitted');
    expect(obj.events[0]!.event_time).toEqual({ seconds: String(Math.floor(T / 1000)), nanos: 5_000_000 });
    expect(obj.events[0]!.review_submitted).toMatchObject({ review_id: 'r', order_id: 'o', review_score: 4, review_comment_message: 'olá' });
  });

  it('writes acks protobufjs reads, and reads its acks', () => {
    const ack: BatchAck = { producer_id: 'p', sequence: 7, status: 'PARTIAL', accepted: 2, rejected: 1, errors: [{ index: 1, event_id: 'e', code: 'bad_time', message: 'too old' }], retry_after_ms: 250 };
    const bytes = encodeAck(ack);
    expect(sendBatch.responseDeserialize(bytes)).toMatchObject({ producer_id: 'p', sequence: '7', status: 'PARTIAL', accepted: 2, rejected: 1, retry_after_ms: 250, errors: [{ index: 1, event_id: 'e', code: 'bad_time', message: 'too old' }] });
    expect(decodeAck(sendBatch.responseSerialize({ ...ack, sequence: '7' }))).toEqual(ack);
  });

  it('follows proto3: unknown fields and groups skipped, any field order, the last value of a field wins', () => {
    const time = new WireWriter().tag(1, WIRE_VARINT).varint(T / 1000).finish();
    const placed = new WireWriter().stringField(3, 'created').stringField(2, 'c').stringField(1, 'o').messageField(4, time).tag(99, WIRE_VARINT).varint(1).finish();
    const event = new WireWriter()
      .tag(500, WIRE_LEN)
      .string('unknown')
      .tag(77, WIRE_START_GROUP)
      .tag(1, WIRE_VARINT)
      .varint(5)
      .tag(77, WIRE_END_GROUP)
      .messageField(10, placed)
      .stringField(2, 'first-id')
      .messageField(3, time)
      .stringField(2, 'last-id')
      .finish();
    const batch = new WireWriter().messageField(3, event).tag(2, WIRE_VARINT).varint(5).tag(2, WIRE_VARINT).varint(6).stringField(1, 'p').tag(40, 1).raw(Buffer.alloc(8)).finish();
    const parsed = parseBatchFrame(batch, 10);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.frame.sequence).toBe(6);
    const v = new EventView();
    expect(decodeEvent(v, batch, parsed.frame.eventStarts[0]!, parsed.frame.eventEnds[0]!)).toBe(true);
    expect(validateEvent(v, ctx)).toBe(true);
    expect(v.eventId()).toBe('last-id');
  });
});

describe('malformed bytes', () => {
  const cases: [string, Buffer][] = [
    ['a truncated varint', Buffer.from([0x10, 0xff])],
    ['a length beyond the message', Buffer.from([0x0a, 0x05, 0x61])],
    ['a varint of 11 bytes', Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
    ['events as a varint', Buffer.from([0x18, 0x01])],
    ['wire type 7', Buffer.from([0x0f])],
    ['field number 0', Buffer.from([0x02, 0x00])],
    ['an unterminated group', Buffer.from([0x2b, 0x08, 0x01])],
    ['plain text', Buffer.from('hello, ingestor')],
  ];
  for (const [name, bytes] of cases) {
    it(`refuses a batch with ${name}`, () => {
      expect(parseBatchFrame(bytes, 10)).toMatchObject({ ok: false, reason: 'malformed' });
    });
  }

  it('refuses an event with broken inner structure as `malformed`, not by throwing', () => {
    const v = new EventView();
    for (const bytes of [Buffer.from([0x12, 0x09, 0x61]), Buffer.from([0x1a, 0x02, 0x08, 0xff]), Buffer.from([0x52, 0x02, 0x0a, 0x09]), Buffer.from([0x08, 0x01])]) {
      expect(decodeEvent(v, bytes, 0, bytes.length)).toBe(false);
      expect(v.errorCode).toBe('malformed');
    }
  });

  it('stops counting at the event limit', () => {
    const ev = Buffer.from([0x1a, 0x00]);
    expect(parseBatchFrame(Buffer.concat(Array.from({ length: 11 }, () => ev)), 10)).toMatchObject({ ok: false, reason: 'too_many_events' });
    expect(parseBatchFrame(Buffer.concat(Array.from({ length: 10 }, () => ev)), 10)).toMatchObject({ ok: true });
  });

  it('reads 64-bit varints exactly, negative int64 included', () => {
    const r = new WireReader(new WireWriter().varintBig(-62_135_596_800n).varintBig(2n ** 53n - 1n).varintBig(2n ** 60n).finish());
    expect(r.int64()).toBe(-62_135_596_800);
    expect(r.uint64()).toBe(2 ** 53 - 1);
    expect(r.uint64()).toBeNaN();
  });
});
