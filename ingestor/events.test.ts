/**
 * The per-event rules (table, id, time window, typed fields against the silver contract) and the
 * bronze row an event becomes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ByteSink } from './byte-sink';
import { encodeEvent, type EventInput } from './codec';
import { EventView, TYPED_PAYLOADS, batchMeta, decodeEvent, formatTimestamp, jsonColumnName, renderGeneric, renderTyped, typedCsvHeader, validateEvent, type ValidationContext } from './events';
import { WIRE_LEN, WireWriter } from './wire';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const ctx: ValidationContext = { maxTimeSec: NOW / 1000 + 86_400, genericTables: undefined };
const T = Date.UTC(2017, 10, 24, 10, 30, 5);
const placed = { order_id: 'o1', customer_id: 'c1', order_status: 'created', purchase_timestamp: T };
const item = { order_id: 'o1', order_item_id: 1, product_id: 'p1', seller_id: 's1', shipping_limit_date: T, price: '129.90', freight_value: '15.10' };
const payment = { order_id: 'o1', payment_sequential: 1, payment_type: 'boleto', payment_installments: 0, payment_value: '10.00' };

function check(e: Partial<EventInput>, c: ValidationContext = ctx): { ok: boolean; code?: string; message: string } {
  const bytes = encodeEvent({ event_id: 'e1', event_time: T, ...e } as EventInput);
  return checkBytes(bytes, c);
}

function checkBytes(bytes: Buffer, c: ValidationContext = ctx) {
  const v = new EventView();
  const ok = decodeEvent(v, bytes, 0, bytes.length) && validateEvent(v, c);
  return { ok, ...(v.errorCode ? { code: v.errorCode } : {}), message: v.errorMessage };
}

describe('event time', () => {
  it('accepts 2000-01-01T00:00:00Z up to one day ahead of the server', () => {
    expect(check({ event_time: Date.UTC(2000, 0, 1), order_placed: placed }).ok).toBe(true);
    expect(check({ event_time: NOW + 86_400_000, order_placed: placed }).ok).toBe(true);
  });

  it('refuses earlier, later, missing and impossible times', () => {
    expect(check({ event_time: Date.UTC(1999, 11, 31, 23, 59, 59), order_placed: placed })).toMatchObject({ ok: false, code: 'bad_time', message: expect.stringMatching(/before 2000-01-01/) });
    expect(check({ event_time: Date.UTC(1990, 0, 1), order_placed: placed })).toMatchObject({ code: 'bad_time' });
    expect(check({ event_time: NOW + 86_401_000, order_placed: placed })).toMatchObject({ code: 'bad_time', message: expect.stringMatching(/future/) });
    expect(check({ event_time: Date.UTC(2100, 0, 1), order_placed: placed })).toMatchObject({ code: 'bad_time' });
    expect(check({ event_time: undefined, order_placed: placed })).toMatchObject({ code: 'bad_time', message: 'event_time is required' });
    expect(check({ event_time: { seconds: T / 1000, nanos: 1_000_000_000 }, order_placed: placed })).toMatchObject({ code: 'bad_time' });
  });
});

describe('tables and ids', () => {
  it('takes a typed payload with its own table or none, nothing else', () => {
    expect(check({ table: 'orders', order_placed: placed }).ok).toBe(true);
    expect(check({ order_placed: placed }).ok).toBe(true);
    expect(check({ table: 'order_items', order_placed: placed })).toMatchObject({ code: 'unknown_table', message: expect.stringMatching(/OrderPlaced goes to "orders"/) });
  });

  it('takes generic payloads under any valid name except the reserved ones, or only the allowed ones', () => {
    expect(check({ table: 'clicks', json: { a: 1 } }).ok).toBe(true);
    expect(check({ json: { a: 1 } })).toMatchObject({ code: 'unknown_table' });
    expect(check({ table: 'orders', json: { a: 1 } })).toMatchObject({ code: 'unknown_table', message: expect.stringMatching(/send its typed payload/) });
    expect(check({ table: 'dead_letter', raw: Buffer.from('x') })).toMatchObject({ code: 'unknown_table' });
    expect(check({ table: '9lives', raw: Buffer.from('x') })).toMatchObject({ code: 'unknown_table' });
    const only: ValidationContext = { ...ctx, genericTables: new Set(['clicks']) };
    expect(check({ table: 'clicks', json: { a: 1 } }, only).ok).toBe(true);
    expect(check({ table: 'views', json: { a: 1 } }, only)).toMatchObject({ code: 'unknown_table', message: expect.stringMatching(/accepts clicks/) });
  });

  it('needs a payload and a usable event id', () => {
    expect(check({})).toMatchObject({ code: 'missing_payload' });
    expect(check({ event_id: '  ', order_placed: placed })).toMatchObject({ code: 'bad_event_id' });
    expect(check({ event_id: 'x'.repeat(257), order_placed: placed })).toMatchObject({ code: 'bad_event_id' });
    const badUtf8 = new WireWriter().tag(2, WIRE_LEN).bytes(Buffer.from([0xc3, 0x28])).messageField(3, new WireWriter().tag(1, 0).varint(T / 1000).finish()).messageField(10, encodeEvent({ event_id: '' }).subarray(0, 0)).finish();
    expect(checkBytes(badUtf8)).toMatchObject({ code: 'bad_event_id', message: expect.stringMatching(/UTF-8/) });
  });
});

describe('typed payloads follow the silver contract', () => {
  it('accepts codes in any case with surrounding blanks, as silver cleanses them', () => {
    expect(check({ order_placed: { ...placed, order_status: ' Delivered ' } }).ok).toBe(true);
    expect(check({ payment_made: { ...payment, payment_type: 'CREDIT_CARD' } }).ok).toBe(true);
  });

  it('refuses what silver would quarantine', () => {
    const cases: [Partial<EventInput>, RegExp][] = [
      [{ order_placed: { ...placed, order_status: 'lost' } }, /order_status "lost" is not one of/],
      [{ order_placed: { ...placed, customer_id: '' } }, /customer_id is required/],
      [{ order_placed: { ...placed, purchase_timestamp: undefined } }, /purchase_timestamp is required/],
      [{ item_added: { ...item, price: '0.00' } }, /price "0.00" must be greater than 0/],
      [{ item_added: { ...item, price: '1e3' } }, /not a decimal number/],
      [{ item_added: { ...item, price: '12,5' } }, /not a decimal number/],
      [{ item_added: { ...item, price: '12345678901' } }, /not a decimal number/],
      [{ item_added: { ...item, freight_value: '-1.00' } }, /freight_value "-1.00" must be 0 or more/],
      [{ item_added: { ...item, order_item_id: 0 } }, /order_item_id is required/],
      [{ payment_made: { ...payment, payment_installments: 25 } }, /payment_installments 25 is outside 0..24/],
      [{ payment_made: { ...payment, payment_type: 'pix' } }, /payment_type "pix"/],
      [{ review_submitted: { review_id: 'r', order_id: 'o', review_score: 6, review_creation_date: T } }, /review_score 6 is outside 1..5/],
      [{ review_submitted: { review_id: 'r', order_id: 'o', review_score: 3 } }, /review_creation_date is required/],
    ];
    for (const [e, message] of cases) expect(check(e), JSON.stringify(e)).toMatchObject({ ok: false, code: 'bad_field', message: expect.stringMatching(message) });
    expect(check({ item_added: { ...item, price: ' .5 ' } }).ok).toBe(true);
    expect(check({ payment_made: { ...payment, payment_value: '0' } }).ok).toBe(true);
  });

  it('refuses wrong protobuf types and text that is not UTF-8', () => {
    const time = new WireWriter().tag(1, 0).varint(T / 1000).finish();
    const event = (payload: Buffer) => new WireWriter().stringField(2, 'e').messageField(3, time).messageField(12, payload).finish();
    const seqAsString = new WireWriter().stringField(1, 'o').tag(2, WIRE_LEN).string('1').stringField(3, 'boleto').stringField(5, '1.00').finish();
    expect(checkBytes(event(seqAsString))).toMatchObject({ code: 'bad_field', message: expect.stringMatching(/payment_sequential must be a uint32/) });
    const typeAsNumber = new WireWriter().stringField(1, 'o').uintField(2, 1).tag(3, 0).varint(2).stringField(5, '1.00').finish();
    expect(checkBytes(event(typeAsNumber))).toMatchObject({ code: 'bad_field', message: expect.stringMatching(/payment_type must be a string/) });
    const latin1 = new WireWriter().tag(1, WIRE_LEN).bytes(Buffer.from('S\xe3o', 'latin1')).uintField(2, 1).stringField(3, 'boleto').stringField(5, '1.00').finish();
    expect(checkBytes(event(latin1))).toMatchObject({ code: 'bad_field', message: expect.stringMatching(/order_id is not valid UTF-8/) });
  });

  it('turns json keys into stable column names and refuses keys that would collide', () => {
    expect(jsonColumnName('Time On Page')).toBe('time_on_page');
    expect(jsonColumnName('Preço (R$)')).toBe('preco_r');
    expect(jsonColumnName('_event_id')).toBe('event_id');
    expect(jsonColumnName('payload_base64')).toBe('payload_payload_base64');
    expect(jsonColumnName('2nd')).toBe('c_2nd');
    expect(check({ table: 'clicks', json: { 'A b': 1, a_b: 2 } })).toMatchObject({ code: 'bad_field', message: expect.stringMatching(/both name the column a_b/) });
  });
});

describe('the bronze row', () => {
  function render(e: EventInput): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ks-render-')), 'out.ndjson');
    const fd = fs.openSync(file, 'w');
    const sink = new ByteSink(fd, 64);
    const bytes = encodeEvent(e);
    const v = new EventView();
    expect(decodeEvent(v, bytes, 0, bytes.length)).toBe(true);
    const meta = batchMeta('prod-1', 42, Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    if (v.typed) renderTyped(v, sink, meta, 7);
    else renderGeneric(v, sink, meta, 7, new Set());
    sink.flush();
    fs.closeSync(fd);
    const text = fs.readFileSync(file, 'utf8');
    fs.rmSync(path.dirname(file), { recursive: true });
    return text;
  }

  it('has the contract columns in order, empty where unknown, then the stream lineage (CSV)', () => {
    const placedLine = render({ event_id: 'ev"1', event_time: { seconds: T / 1000, nanos: 123_456_789 }, order_placed: { ...placed, estimated_delivery_date: Date.UTC(2017, 11, 10, 15) } });
    expect(placedLine).toBe('"o1","c1","created",2017-11-24 10:30:05,"","","",2017-12-10 00:00:00,"ev""1",2017-11-24 10:30:05.123456,7,"prod-1",42,2026-01-02 03:04:05.678000\n');
    expect(typedCsvHeader(TYPED_PAYLOADS[0]!)).toBe(
      'order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date,_event_id,_event_time,_source_row,_producer_id,_sequence,_received_at\n',
    );
  });

  it('quotes free text with its line breaks, and keeps installments of 0', () => {
    const review = render({ event_id: 'r', event_time: T, review_submitted: { review_id: 'r', order_id: 'o', review_score: 5, review_comment_message: 'linha 1\r\nlinha "2"\t\\ fim', review_creation_date: T } });
    expect(review).toBe('"r","o",5,"","linha 1\r\nlinha ""2""\t\\ fim",2017-11-24 00:00:00,"","r",2017-11-24 10:30:05,7,"prod-1",42,2026-01-02 03:04:05.678000\n');
    expect(render({ event_id: 'p', event_time: T, payment_made: payment })).toMatch(/^"o1",1,"boleto",0,"10.00",/);
  });

  it('writes generic rows with the payload columns, then the same stream columns', () => {
    const row = JSON.parse(render({ table: 'clicks', event_id: 'c1', event_time: T, json: { Page: '/home', n: 2, deep: { x: [true, null] }, gone: null } }));
    expect(row).toEqual({ page: '/home', n: '2', deep: '{"x":[true,null]}', _event_id: 'c1', _event_time: '2017-11-24 10:30:05', _source_row: 7, _producer_id: 'prod-1', _sequence: '42', _received_at: '2026-01-02 03:04:05.678000' });
    expect(JSON.parse(render({ table: 'clicks', event_id: 'c2', event_time: T, json: {} }))).toMatchObject({ _event_id: 'c2' });
    expect(JSON.parse(render({ table: 'blobs', event_id: 'b1', event_time: T, raw: Buffer.from([0, 255]) })).payload_base64).toBe('AP8=');
  });

  it('formats instants as UTC text the contracts parse, for any year', () => {
    for (const ms of [0, Date.UTC(2000, 1, 29, 23, 59, 59), Date.UTC(2016, 11, 31), Date.UTC(2100, 2, 1), Date.UTC(1969, 11, 31, 23, 0, 0), -62_135_596_800_000, 253_402_300_799_000]) {
      const iso = new Date(ms).toISOString();
      const want = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`.replace(/^\+?0*(\d{4})/, '$1');
      expect(formatTimestamp(Math.floor(ms / 1000), 0)).toBe(want);
    }
    expect(formatTimestamp(0, 999)).toBe('1970-01-01 00:00:00');
    expect(formatTimestamp(0, 1000)).toBe('1970-01-01 00:00:00.000001');
  });
});
