/**
 * One event, from bytes to verdict to bronze row.
 *
 *   decodeEvent   the Event message's structure (wire types, lengths, the typed payload's fields) into an
 *                 EventView: byte ranges and numbers, no strings;
 *   validateEvent the rules per table (see the proto): table, event id, event time window, required
 *                 fields, domains — the same checks silver's contract applies, so an accepted event is
 *                 not quarantined later for them;
 *   renderEvent   one NDJSON line of the bronze row (the flush), copied from the bytes.
 *
 * Typed payloads map onto the bronze columns of the Olist tables (`orders`, `order_items`,
 * `order_payments`, `order_reviews`); a status change is its own generic dataset `order_status_events`
 * (it is not an `orders` row: it lacks the customer and purchase time the contract requires). `json`
 * and `raw` payloads go to a generic dataset named by the event's table.
 */
import { isUtf8 } from 'node:buffer';
import { DATASET_NAME_RE } from '../lib/catalog/identifiers';
import { contractFor } from '../lib/olist/contracts';
import { ORDER_STATUSES, PAYMENT_TYPES } from '../lib/olist/domains';
import type { TableName } from '../lib/olist/contract-types';
import type { ByteSink } from './byte-sink';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireError, WireReader } from './wire';

export const EVENT_ERROR_CODES = ['malformed', 'too_large', 'unknown_table', 'missing_payload', 'bad_event_id', 'bad_time', 'bad_field'] as const;
export type EventErrorCode = (typeof EVENT_ERROR_CODES)[number];

/** 2000-01-01T00:00:00Z: no event is older. */
export const MIN_EVENT_TIME_SEC = 946_684_800;
/** How far ahead of the server's clock an event may be. */
export const MAX_EVENT_LEAD_SEC = 86_400;
export const MAX_EVENT_ID_BYTES = 256;
/** Keys of one `json` payload. */
export const MAX_JSON_KEYS = 1000;
const MAX_JSON_DEPTH = 32;

/** Protobuf Timestamp's valid range: 0001-01-01 to 9999-12-31. */
const MIN_TS = -62_135_596_800;
const MAX_TS = 253_402_300_799;

// Event fields.
const F_TABLE = 1;
const F_EVENT_ID = 2;
const F_EVENT_TIME = 3;
export const P_ORDER_PLACED = 10;
export const P_ITEM_ADDED = 11;
export const P_PAYMENT_MADE = 12;
export const P_STATUS_CHANGED = 13;
export const P_REVIEW_SUBMITTED = 14;
export const P_JSON = 20;
export const P_RAW = 21;

type Check = 'order_status' | 'payment_type' | 'decimal_positive' | 'decimal_nonneg' | { min: number; max: number };

interface PayloadField {
  no: number;
  name: string;
  /** `Message.field`, for error messages. */
  where: string;
  kind: 'string' | 'uint32' | 'timestamp';
  required: boolean;
  check?: Check;
  /** Stored as its UTC date ('YYYY-MM-DD 00:00:00'). */
  date?: boolean;
}

export interface TypedPayload {
  /** Field number of the payload in Event. */
  payload: number;
  message: string;
  /** The bronze dataset. */
  table: string;
  /** The Olist table whose contract the dataset follows; null for a generic dataset. */
  olist: TableName | null;
  fields: PayloadField[];
  /** Bronze columns in order: the payload field they come from, or 0 for a column left empty. */
  columns: { name: string; from: number }[];
}

const STR = (no: number, name: string, required: boolean, check?: Check): PayloadField => ({ no, name, where: '', kind: 'string', required, ...(check ? { check } : {}) });
const U32 = (no: number, name: string, check: Check): PayloadField => ({ no, name, where: '', kind: 'uint32', required: true, check });
const TS = (no: number, name: string, required: boolean, date = false): PayloadField => ({ no, name, where: '', kind: 'timestamp', required, ...(date ? { date } : {}) });

function olistColumns(table: TableName, from: Record<string, number>): { name: string; from: number }[] {
  const columns = contractFor(table).columns.map((c) => ({ name: c.name, from: from[c.name] ?? 0 }));
  const unknown = Object.keys(from).filter((k) => !columns.some((c) => c.name === k));
  if (unknown.length) throw new Error(`stream mapping names columns ${unknown.join(', ')} that ${table} does not have`);
  return columns;
}

export const TYPED_PAYLOADS: readonly TypedPayload[] = [
  {
    payload: P_ORDER_PLACED,
    message: 'OrderPlaced',
    table: 'orders',
    olist: 'orders',
    fields: [STR(1, 'order_id', true), STR(2, 'customer_id', true), STR(3, 'order_status', true, 'order_status'), TS(4, 'purchase_timestamp', true), TS(5, 'estimated_delivery_date', false, true)],
    columns: olistColumns('orders', { order_id: 1, customer_id: 2, order_status: 3, order_purchase_timestamp: 4, order_estimated_delivery_date: 5 }),
  },
  {
    payload: P_ITEM_ADDED,
    message: 'ItemAdded',
    table: 'order_items',
    olist: 'order_items',
    fields: [
      STR(1, 'order_id', true),
      U32(2, 'order_item_id', { min: 1, max: 4294967295 }),
      STR(3, 'product_id', true),
      STR(4, 'seller_id', true),
      TS(5, 'shipping_limit_date', true),
      STR(6, 'price', true, 'decimal_positive'),
      STR(7, 'freight_value', true, 'decimal_nonneg'),
    ],
    columns: olistColumns('order_items', { order_id: 1, order_item_id: 2, product_id: 3, seller_id: 4, shipping_limit_date: 5, price: 6, freight_value: 7 }),
  },
  {
    payload: P_PAYMENT_MADE,
    message: 'PaymentMade',
    table: 'order_payments',
    olist: 'order_payments',
    fields: [STR(1, 'order_id', true), U32(2, 'payment_sequential', { min: 1, max: 4294967295 }), STR(3, 'payment_type', true, 'payment_type'), U32(4, 'payment_installments', { min: 0, max: 24 }), STR(5, 'payment_value', true, 'decimal_nonneg')],
    columns: olistColumns('order_payments', { order_id: 1, payment_sequential: 2, payment_type: 3, payment_installments: 4, payment_value: 5 }),
  },
  {
    payload: P_STATUS_CHANGED,
    message: 'OrderStatusChanged',
    table: 'order_status_events',
    olist: null,
    fields: [STR(1, 'order_id', true), STR(2, 'order_status', true, 'order_status'), TS(3, 'approved_at', false), TS(4, 'delivered_carrier_date', false), TS(5, 'delivered_customer_date', false)],
    columns: [
      { name: 'order_id', from: 1 },
      { name: 'order_status', from: 2 },
      { name: 'approved_at', from: 3 },
      { name: 'delivered_carrier_date', from: 4 },
      { name: 'delivered_customer_date', from: 5 },
    ],
  },
  {
    payload: P_REVIEW_SUBMITTED,
    message: 'ReviewSubmitted',
    table: 'order_reviews',
    olist: 'order_reviews',
    fields: [
      STR(1, 'review_id', true),
      STR(2, 'order_id', true),
      U32(3, 'review_score', { min: 1, max: 5 }),
      STR(4, 'review_comment_title', false),
      STR(5, 'review_comment_message', false),
      TS(6, 'review_creation_date', true, true),
      TS(7, 'review_answer_timestamp', false),
    ],
    columns: olistColumns('order_reviews', { review_id: 1, order_id: 2, review_score: 3, review_comment_title: 4, review_comment_message: 5, review_creation_date: 6, review_answer_timestamp: 7 }),
  },
];

const TYPED_BY_PAYLOAD: (TypedPayload | undefined)[] = [];
/** Field specs by payload and field number, for the hot path. */
const FIELDS_BY_NO = new Map<TypedPayload, (PayloadField | undefined)[]>();
for (const t of TYPED_PAYLOADS) {
  TYPED_BY_PAYLOAD[t.payload] = t;
  const byNo: (PayloadField | undefined)[] = [];
  for (const f of t.fields) {
    f.where = `${t.message}.${f.name}`;
    byNo[f.no] = f;
  }
  FIELDS_BY_NO.set(t, byNo);
}
export const TYPED_TABLES: readonly string[] = TYPED_PAYLOADS.map((t) => t.table);

/** What every streamed bronze row carries after its own columns (then bronze's lineage columns). */
export const STREAM_META_COLUMNS = ['_event_id', '_event_time', '_producer_id', '_sequence', '_received_at'] as const;
/** The column of a `raw` payload. */
export const RAW_COLUMN = 'payload_base64';

/** The dead-letter dataset: every rejected event, with why. */
export const DEAD_LETTER_TABLE = 'dead_letter';
export const DEAD_LETTER_COLUMNS = ['producer_id', 'sequence', 'batch_index', 'event_id', 'table_name', 'event_time', 'error_code', 'error_message', 'payload_base64', 'payload_bytes', 'received_at'] as const;
/** The raw bytes kept of a rejected event (a 10 MB event is not copied whole into the dead letters). */
export const DEAD_LETTER_MAX_PAYLOAD = 64 * 1024;

/** Names a generic payload may not use. */
const RESERVED_TABLES = new Set<string>([
  ...TYPED_TABLES,
  DEAD_LETTER_TABLE,
  'customers',
  'geolocation',
  'products',
  'sellers',
  'category_translation',
]);


/** A decoded event: byte ranges into `buf` and numbers. Reused from event to event. */
export class EventView {
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  tableStart = 0;
  tableEnd = 0;
  idStart = 0;
  idEnd = 0;
  hasTime = false;
  timeSec = 0;
  timeNanos = 0;
  /** Field number of the payload (0: none). */
  payload = 0;
  payloadStart = 0;
  payloadEnd = 0;
  typed: TypedPayload | undefined;
  // Typed payload fields, indexed by field number.
  readonly fSet = new Uint8Array(16);
  readonly fStart = new Int32Array(16);
  readonly fEnd = new Int32Array(16);
  readonly fNum = new Float64Array(16);
  readonly fNanos = new Int32Array(16);
  /** A `json` payload's top-level columns (text, or null for JSON null). */
  json: Map<string, string | null> | undefined;
  errorCode: EventErrorCode | undefined;
  errorMessage = '';

  table(): string {
    return this.buf.toString('utf8', this.tableStart, this.tableEnd);
  }

  eventId(): string {
    return this.buf.toString('utf8', this.idStart, this.idEnd);
  }

  /** The destination dataset (valid after a successful validateEvent). */
  dataset(): string {
    return this.typed ? this.typed.table : this.table();
  }

  fail(code: EventErrorCode, message: string): false {
    this.errorCode = code;
    this.errorMessage = message;
    return false;
  }
}

const reader = new WireReader(Buffer.alloc(0));
const sub = new WireReader(Buffer.alloc(0));

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'group start', 'group end', '32-bit', 'invalid', 'invalid'];

/**
 * Decode the structure of the Event at `buf[start, end)` into `v`. Returns false with
 * `v.errorCode` set when the bytes are not a valid Event (`malformed`) or a typed payload field has the
 * wrong wire type (`bad_field`).
 */
export function decodeEvent(v: EventView, buf: Buffer, start: number, end: number): boolean {
  v.buf = buf;
  v.start = start;
  v.end = end;
  v.tableStart = v.tableEnd = v.idStart = v.idEnd = 0;
  v.hasTime = false;
  v.timeSec = v.timeNanos = 0;
  v.payload = 0;
  v.payloadStart = v.payloadEnd = 0;
  v.typed = undefined;
  v.json = undefined;
  v.errorCode = undefined;
  v.errorMessage = '';
  const r = reader.reset(buf, start, end);
  try {
    while (r.pos < r.end) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === F_TABLE || field === F_EVENT_ID || field === F_EVENT_TIME || (field >= P_ORDER_PLACED && field <= P_REVIEW_SUBMITTED) || field === P_JSON || field === P_RAW) {
        if (wt !== WIRE_LEN) return v.fail('malformed', `Event field ${field} must be length-delimited, got ${WIRE_NAMES[wt]}`);
        const stop = r.lengthDelimited();
        if (field === F_TABLE) {
          v.tableStart = r.pos;
          v.tableEnd = stop;
        } else if (field === F_EVENT_ID) {
          v.idStart = r.pos;
          v.idEnd = stop;
        } else if (field === F_EVENT_TIME) {
          v.hasTime = true;
          if (!readTimestamp(sub.reset(buf, r.pos, stop), v, -1)) return v.fail('malformed', 'event_time is not a valid Timestamp');
        } else {
          v.payload = field;
          v.payloadStart = r.pos;
          v.payloadEnd = stop;
        }
        r.pos = stop;
      } else if (field === 0) {
        return v.fail('malformed', 'field number 0');
      } else {
        r.skip(wt, field);
      }
    }
  } catch (e) {
    if (e instanceof WireError) return v.fail('malformed', `not a valid Event: ${e.message}`);
    throw e;
  }
  const typed = TYPED_BY_PAYLOAD[v.payload];
  if (typed) {
    v.typed = typed;
    return decodeTyped(v, typed);
  }
  if (v.payload === P_JSON) {
    try {
      v.json = decodeStructColumns(buf, v.payloadStart, v.payloadEnd);
    } catch (e) {
      if (e instanceof WireError) return v.fail('bad_field', `json: ${e.message}`);
      throw e;
    }
  }
  return true;
}

/** Reads a Timestamp message; `slot` -1 is the event time, otherwise a typed field slot. */
function readTimestamp(r: WireReader, v: EventView, slot: number): boolean {
  let seconds = 0;
  let nanos = 0;
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_VARINT) return false;
      seconds = r.int64();
    } else if (field === 2) {
      if (wt !== WIRE_VARINT) return false;
      nanos = r.int32();
    } else if (field === 0) {
      return false;
    } else {
      r.skip(wt, field);
    }
  }
  if (slot < 0) {
    v.timeSec = seconds;
    v.timeNanos = nanos;
  } else {
    v.fNum[slot] = seconds;
    v.fNanos[slot] = nanos;
  }
  return true;
}

function decodeTyped(v: EventView, t: TypedPayload): boolean {
  const fSet = v.fSet;
  for (let i = 0; i < 16; i++) fSet[i] = 0;
  const byNo = FIELDS_BY_NO.get(t)!;
  const r = reader.reset(v.buf, v.payloadStart, v.payloadEnd);
  try {
    while (r.pos < r.end) {
      const tag = r.uint32();
      const no = tag >>> 3;
      const wt = tag & 7;
      const f = byNo[no];
      if (!f) {
        if (no === 0) return v.fail('malformed', `${t.message}: field number 0`);
        r.skip(wt, no);
        continue;
      }
      if (f.kind === 'uint32') {
        if (wt !== WIRE_VARINT) return v.fail('bad_field', `${t.message}.${f.name} must be a uint32 (varint), got ${WIRE_NAMES[wt]}`);
        v.fNum[no] = r.uint32();
      } else {
        if (wt !== WIRE_LEN) return v.fail('bad_field', `${t.message}.${f.name} must be ${f.kind === 'string' ? 'a string' : 'a Timestamp message'} (length-delimited), got ${WIRE_NAMES[wt]}`);
        const stop = r.lengthDelimited();
        if (f.kind === 'timestamp') {
          if (!readTimestamp(sub.reset(v.buf, r.pos, stop), v, no)) return v.fail('bad_field', `${t.message}.${f.name} is not a valid Timestamp`);
        } else {
          v.fStart[no] = r.pos;
          v.fEnd[no] = stop;
        }
        r.pos = stop;
      }
      v.fSet[no] = 1;
    }
  } catch (e) {
    if (e instanceof WireError) return v.fail('malformed', `${t.message}: ${e.message}`);
    throw e;
  }
  return true;
}

// ───────────────────────────── validation ─────────────────────────────

export interface ValidationContext {
  /** Upper bound of event_time, seconds (the server's clock + a day). */
  maxTimeSec: number;
  /** Generic tables allowed; undefined: any valid name that is not reserved. */
  genericTables: ReadonlySet<string> | undefined;
}

function utf8Ok(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return isUtf8(buf.subarray(start, end));
  return true;
}

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * A string field's bytes: 0 blank (empty or only [ \t\r\n]), 1 text, -1 not UTF-8. One pass; the
 * trimmed range is left in `trimStart` / `trimEnd`.
 */
let trimStart = 0;
let trimEnd = 0;
function scanText(buf: Buffer, start: number, end: number): number {
  let s = start;
  let e = end;
  while (s < e && isSpace(buf[s]!)) s++;
  while (e > s && isSpace(buf[e - 1]!)) e--;
  trimStart = s;
  trimEnd = e;
  if (s === e) return 0;
  for (let i = s; i < e; i++) if (buf[i]! >= 0x80) return isUtf8(buf.subarray(start, end)) ? 1 : -1;
  return 1;
}

/** Accepted values as bytes, for a case-insensitive match of the trimmed field (silver's CODE cleansing). */
const STATUS_BYTES = ORDER_STATUSES.map((x) => Buffer.from(x, 'latin1'));
const PAYMENT_BYTES = PAYMENT_TYPES.map((x) => Buffer.from(x, 'latin1'));
function matchesCode(buf: Buffer, s: number, e: number, accepted: readonly Buffer[]): boolean {
  const len = e - s;
  outer: for (const a of accepted) {
    if (a.length !== len) continue;
    for (let i = 0; i < len; i++) {
      let b = buf[s + i]!;
      if (b >= 0x41 && b <= 0x5a) b |= 0x20;
      if (b !== a[i]) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * The contract's decimal pattern, ^[+-]?([0-9]{1,10}(\.[0-9]*)?|\.[0-9]+)$, on the trimmed bytes:
 * returns -1 when it does not match, else 1 when the value is non-zero, 0 when it is zero; `decimalNegative`
 * tells the sign.
 */
let decimalNegative = false;
function scanDecimal(buf: Buffer, s: number, e: number): number {
  let i = s;
  decimalNegative = false;
  if (i < e && (buf[i] === 0x2b || buf[i] === 0x2d)) {
    decimalNegative = buf[i] === 0x2d;
    i++;
  }
  let intDigits = 0;
  let nonZero = false;
  while (i < e && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
    if (buf[i] !== 0x30) nonZero = true;
    intDigits++;
    i++;
  }
  if (intDigits > 10) return -1;
  let fracDigits = 0;
  if (i < e && buf[i] === 0x2e) {
    i++;
    while (i < e && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
      if (buf[i] !== 0x30) nonZero = true;
      fracDigits++;
      i++;
    }
    if (intDigits === 0 && fracDigits === 0) return -1;
  } else if (intDigits === 0) return -1;
  if (i !== e) return -1;
  return nonZero ? 1 : 0;
}

/** Check a decoded event against its table's rules. False with `v.errorCode` / `v.errorMessage` set. */
export function validateEvent(v: EventView, ctx: ValidationContext): boolean {
  const buf = v.buf;
  // What table, and does the payload belong there?
  if (v.payload === 0) return v.fail('missing_payload', 'the event has no payload (set one of order_placed, item_added, payment_made, status_changed, review_submitted, json, raw)');
  const t = v.typed;
  if (t) {
    if (v.tableEnd > v.tableStart) {
      const name = v.table();
      if (name !== t.table) {
        return v.fail('unknown_table', `table ${JSON.stringify(name)} does not take ${t.message} events; ${t.message} goes to ${JSON.stringify(t.table)} (or leave table empty)`);
      }
    }
  } else {
    if (!utf8Ok(buf, v.tableStart, v.tableEnd)) return v.fail('unknown_table', 'table is not valid UTF-8');
    const name = v.table();
    if (name === '') return v.fail('unknown_table', 'table is required for json and raw payloads');
    if (!DATASET_NAME_RE.test(name)) return v.fail('unknown_table', `table ${JSON.stringify(name.slice(0, 80))} is not a valid name: 1–63 lower-case letters, digits and "_", starting with a letter`);
    if (RESERVED_TABLES.has(name)) {
      return v.fail('unknown_table', `table ${JSON.stringify(name)} is not open to ${v.payload === P_JSON ? 'json' : 'raw'} payloads${TYPED_TABLES.includes(name) ? '; send its typed payload' : ''}`);
    }
    if (ctx.genericTables && !ctx.genericTables.has(name)) return v.fail('unknown_table', `unknown table ${JSON.stringify(name)}: this ingestor accepts ${[...ctx.genericTables].join(', ')}`);
  }
  // Identity and time.
  const idLen = v.idEnd - v.idStart;
  if (idLen > MAX_EVENT_ID_BYTES) return v.fail('bad_event_id', `event_id is ${idLen} bytes; at most ${MAX_EVENT_ID_BYTES}`);
  const idText = scanText(buf, v.idStart, v.idEnd);
  if (idText === 0) return v.fail('bad_event_id', 'event_id is required');
  if (idText < 0) return v.fail('bad_event_id', 'event_id is not valid UTF-8');
  if (!v.hasTime) return v.fail('bad_time', 'event_time is required');
  if (v.timeNanos < 0 || v.timeNanos > 999_999_999) return v.fail('bad_time', `event_time.nanos ${v.timeNanos} is outside 0..999999999`);
  if (!(v.timeSec >= MIN_EVENT_TIME_SEC)) return v.fail('bad_time', `event_time ${describeTime(v.timeSec)} is before 2000-01-01`);
  if (!(v.timeSec <= ctx.maxTimeSec)) return v.fail('bad_time', `event_time ${describeTime(v.timeSec)} is more than a day in the future`);
  if (t) return validateTyped(v, t);
  return true;
}

function describeTime(sec: number): string {
  if (sec >= MIN_TS && sec <= MAX_TS) return new Date(sec * 1000).toISOString();
  return `${sec} s since 1970`;
}

function validateTyped(v: EventView, t: TypedPayload): boolean {
  const buf = v.buf;
  for (const f of t.fields) {
    const no = f.no;
    const set = v.fSet[no] === 1;
    const where = f.where;
    if (f.kind === 'string') {
      const s = v.fStart[no]!;
      const e = v.fEnd[no]!;
      const text = set ? scanText(buf, s, e) : 0;
      if (text < 0) return v.fail('bad_field', `${where} is not valid UTF-8`);
      if (text === 0) {
        if (f.required) return v.fail('bad_field', `${where} is required`);
        continue;
      }
      const check = f.check;
      if (check === undefined) continue;
      const ts = trimStart;
      const te = trimEnd;
      if (check === 'order_status') {
        if (!matchesCode(buf, ts, te, STATUS_BYTES)) return v.fail('bad_field', `${where} ${JSON.stringify(buf.toString('utf8', ts, Math.min(te, ts + 40)))} is not one of ${ORDER_STATUSES.join(', ')}`);
      } else if (check === 'payment_type') {
        if (!matchesCode(buf, ts, te, PAYMENT_BYTES)) return v.fail('bad_field', `${where} ${JSON.stringify(buf.toString('utf8', ts, Math.min(te, ts + 40)))} is not one of ${PAYMENT_TYPES.join(', ')}`);
      } else if (check === 'decimal_positive' || check === 'decimal_nonneg') {
        const d = scanDecimal(buf, ts, te);
        if (d < 0) return v.fail('bad_field', `${where} ${JSON.stringify(buf.toString('utf8', ts, Math.min(te, ts + 40)))} is not a decimal number such as "129.90"`);
        const ok = check === 'decimal_positive' ? d === 1 && !decimalNegative : d === 0 || !decimalNegative;
        if (!ok) return v.fail('bad_field', `${where} ${JSON.stringify(buf.toString('utf8', ts, Math.min(te, ts + 40)))} must be ${check === 'decimal_positive' ? 'greater than 0' : '0 or more'}`);
      }
    } else if (f.kind === 'uint32') {
      const n = set ? v.fNum[no]! : 0;
      const range = f.check as { min: number; max: number };
      if (n < range.min || n > range.max) {
        return v.fail('bad_field', set ? `${where} ${n} is outside ${range.min}..${range.max}` : `${where} is required`);
      }
    } else {
      if (!set) {
        if (f.required) return v.fail('bad_field', `${where} is required`);
        continue;
      }
      const sec = v.fNum[no]!;
      const nanos = v.fNanos[no]!;
      if (!(sec >= MIN_TS && sec <= MAX_TS) || nanos < 0 || nanos > 999_999_999) return v.fail('bad_field', `${where} is outside the Timestamp range (years 1 to 9999)`);
    }
  }
  return true;
}

// ───────────────────────────── json payloads ─────────────────────────────

type JsonValue = null | number | string | boolean | JsonValue[] | { [k: string]: JsonValue };

/**
 * A json key as a column name: the identifier form bronze gives any source column (lower snake_case,
 * accents stripped, starting with a letter), so keys that differ only in spelling ("Customer Name",
 * "customer_name") are one column across events, a name DuckDB would see twice (it ignores case)
 * cannot arise, and no key can shadow the stream's own `_event_id`… columns.
 */
export function jsonColumnName(key: string): string {
  let base = key
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  if (!/^[a-z]/.test(base)) base = `c_${base}`.replace(/_+$/, '');
  // Never `_…` (the stream's own columns), and never the raw payload's column.
  if (base === RAW_COLUMN) base = `payload_${base}`;
  return base;
}

/** google.protobuf.Struct → top-level columns as text. */
function decodeStructColumns(buf: Buffer, start: number, end: number): Map<string, string | null> {
  const obj = decodeStruct(buf, start, end, 0);
  const out = new Map<string, string | null>();
  const from = new Map<string, string>();
  const keys = Object.keys(obj);
  if (keys.length > MAX_JSON_KEYS) throw new WireError(`${keys.length} keys; at most ${MAX_JSON_KEYS}`);
  for (const k of keys) {
    const column = jsonColumnName(k);
    const other = from.get(column);
    if (other !== undefined) throw new WireError(`keys ${JSON.stringify(other)} and ${JSON.stringify(k)} both name the column ${column}`);
    from.set(column, k);
    const value = obj[k]!;
    out.set(column, value === null ? null : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return out;
}

function decodeStruct(buf: Buffer, start: number, end: number, depth: number): { [k: string]: JsonValue } {
  if (depth > MAX_JSON_DEPTH) throw new WireError(`nested deeper than ${MAX_JSON_DEPTH}`);
  const r = new WireReader(buf, start, end);
  const obj: { [k: string]: JsonValue } = {};
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== WIRE_LEN) throw new WireError('Struct.fields must be length-delimited');
      const stop = r.lengthDelimited();
      // map entry: key = 1, value = 2
      const e = new WireReader(buf, r.pos, stop);
      let key = '';
      let value: JsonValue = null;
      while (e.pos < e.end) {
        const t = e.uint32();
        if (t >>> 3 === 1 && (t & 7) === WIRE_LEN) {
          const s = e.lengthDelimited();
          if (!utf8Ok(buf, e.pos, s)) throw new WireError('a key is not valid UTF-8');
          key = buf.toString('utf8', e.pos, s);
          e.pos = s;
        } else if (t >>> 3 === 2 && (t & 7) === WIRE_LEN) {
          const s = e.lengthDelimited();
          value = decodeValue(buf, e.pos, s, depth + 1);
          e.pos = s;
        } else if (t >>> 3 === 1 || t >>> 3 === 2) {
          throw new WireError('wrong wire type in a Struct entry');
        } else {
          e.skip(t & 7, t >>> 3);
        }
      }
      obj[key] = value;
      r.pos = stop;
    } else {
      r.skip(tag & 7, tag >>> 3);
    }
  }
  return obj;
}

function decodeValue(buf: Buffer, start: number, end: number, depth: number): JsonValue {
  if (depth > MAX_JSON_DEPTH) throw new WireError(`nested deeper than ${MAX_JSON_DEPTH}`);
  const r = new WireReader(buf, start, end);
  let value: JsonValue = null;
  while (r.pos < r.end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === WIRE_VARINT) {
      r.uint32();
      value = null;
    } else if (field === 2 && wt === WIRE_FIXED64) {
      if (r.end - r.pos < 8) throw new WireError('truncated double');
      value = buf.readDoubleLE(r.pos);
      r.pos += 8;
    } else if (field === 3 && wt === WIRE_LEN) {
      const s = r.lengthDelimited();
      if (!utf8Ok(buf, r.pos, s)) throw new WireError('a string value is not valid UTF-8');
      value = buf.toString('utf8', r.pos, s);
      r.pos = s;
    } else if (field === 4 && wt === WIRE_VARINT) {
      value = r.uint32() !== 0;
    } else if (field === 5 && wt === WIRE_LEN) {
      const s = r.lengthDelimited();
      value = decodeStruct(buf, r.pos, s, depth + 1);
      r.pos = s;
    } else if (field === 6 && wt === WIRE_LEN) {
      const s = r.lengthDelimited();
      const list: JsonValue[] = [];
      const l = new WireReader(buf, r.pos, s);
      while (l.pos < l.end) {
        const t = l.uint32();
        if (t >>> 3 === 1 && (t & 7) === WIRE_LEN) {
          const ve = l.lengthDelimited();
          list.push(decodeValue(buf, l.pos, ve, depth + 1));
          l.pos = ve;
        } else l.skip(t & 7, t >>> 3);
      }
      value = list;
      r.pos = s;
    } else if (field >= 1 && field <= 6) {
      throw new WireError(`wrong wire type for Value field ${field}`);
    } else {
      r.skip(wt, field);
    }
  }
  return value;
}

// ───────────────────────────── rendering ─────────────────────────────

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** y·10000 + m·100 + d of a day number since 1970-01-01 (proleptic Gregorian, Howard Hinnant's algorithm). */
export function civilFromDays(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10000 + m * 100 + d;
}

let cachedDay = NaN;
let cachedDayText = '';
function civilDate(days: number): string {
  if (days === cachedDay) return cachedDayText;
  const c = civilFromDays(days);
  cachedDay = days;
  cachedDayText = `${String(Math.floor(c / 10000)).padStart(4, '0')}-${TWO[Math.floor(c / 100) % 100]}-${TWO[c % 100]}`;
  return cachedDayText;
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC; sub-microsecond digits are dropped. */
export function formatTimestamp(sec: number, nanos: number, dateOnly = false): string {
  const days = Math.floor(sec / 86400);
  const date = civilDate(days);
  if (dateOnly) return `${date} 00:00:00`;
  let rem = sec - days * 86400;
  const h = Math.floor(rem / 3600);
  rem -= h * 3600;
  const mi = Math.floor(rem / 60);
  const s = rem - mi * 60;
  const base = `${date} ${TWO[h]}:${TWO[mi]}:${TWO[s]}`;
  const micros = Math.floor(nanos / 1000);
  return micros > 0 ? `${base}.${String(micros).padStart(6, '0')}` : base;
}

/** Per typed payload, its bronze columns' kinds: 0 always empty, 1 string, 2 uint32, 3 timestamp, 4 date. */
const kindsByPayload = new Map<TypedPayload, Uint8Array>();
function kindsOf(t: TypedPayload): Uint8Array {
  let k = kindsByPayload.get(t);
  if (!k) {
    k = new Uint8Array(
      t.columns.map((c) => {
        const f = t.fields.find((x) => x.no === c.from);
        if (!f) return 0;
        return f.kind === 'string' ? 1 : f.kind === 'uint32' ? 2 : f.date ? 4 : 3;
      }),
    );
    kindsByPayload.set(t, k);
  }
  return k;
}
const EMPTY_FIELD = Buffer.from('""');
const KEY_EVENT_ID = Buffer.from('"_event_id":');
const KEY_EVENT_TIME = Buffer.from(',"_event_time":');
const KEY_SOURCE_ROW = Buffer.from(',"_source_row":');

/** What a bronze row carries about its batch, pre-rendered once per batch. */
export interface BatchMeta {
  /** `,"_producer_id":"…","_sequence":"…","_received_at":"…"}\n` (NDJSON rows) */
  json: Buffer;
  /** `,"…",…,…\n` (CSV rows: producer id, sequence, receive time) */
  csv: Buffer;
}

export function batchMeta(producerId: string, sequence: number, receivedAtMs: number): BatchMeta {
  const received = formatTimestamp(Math.floor(receivedAtMs / 1000), (receivedAtMs % 1000) * 1_000_000);
  return {
    json: Buffer.from(`,"_producer_id":${JSON.stringify(producerId)},"_sequence":"${sequence}","_received_at":"${received}"}\n`, 'utf8'),
    csv: Buffer.from(`,"${producerId.replaceAll('"', '""')}",${sequence},${received}\n`, 'utf8'),
  };
}

/** The columns of a typed table's flush file, in file order: its own, then the stream's. */
export function typedCsvColumns(t: TypedPayload): string[] {
  return [...t.columns.map((c) => c.name), '_event_id', '_event_time', '_source_row', '_producer_id', '_sequence', '_received_at'];
}

export function typedCsvHeader(t: TypedPayload): string {
  return typedCsvColumns(t).join(',') + '\n';
}

/**
 * One CSV line of a typed event's bronze row (`sourceRow`: its 1-based position in the file). Text is
 * always quoted (an empty value is `""`, an empty string, not NULL); numbers and timestamps are bare.
 */
export function renderTyped(v: EventView, sink: ByteSink, meta: BatchMeta, sourceRow: number): void {
  const t = v.typed!;
  const kinds = kindsOf(t);
  const buf = v.buf;
  const cols = t.columns;
  for (let i = 0; i < cols.length; i++) {
    if (i > 0) sink.byte(0x2c);
    const no = cols[i]!.from;
    const kind = kinds[i]!;
    if (kind === 0 || v.fSet[no] !== 1) {
      // Unset: an empty value, as the published CSV files write a missing timestamp. A uint32 left at
      // proto3's default 0 (installments) is a value, not a missing one.
      if (kind === 2) sink.byte(0x30);
      else sink.raw(EMPTY_FIELD);
      continue;
    }
    if (kind === 1) sink.csvBytes(buf, v.fStart[no]!, v.fEnd[no]!);
    else if (kind === 2) sink.uint(v.fNum[no]!, false);
    else sink.timestamp(v.fNum[no]!, v.fNanos[no]!, kind === 4, false);
  }
  sink.byte(0x2c);
  sink.csvBytes(buf, v.idStart, v.idEnd);
  sink.byte(0x2c);
  sink.timestamp(v.timeSec, v.timeNanos, false, false);
  sink.byte(0x2c);
  sink.uint(sourceRow, false);
  sink.raw(meta.csv);
}

/** One NDJSON line of a generic event's bronze row; adds its column names to `columns`. */
export function renderGeneric(v: EventView, sink: ByteSink, meta: BatchMeta, sourceRow: number, columns: Set<string>): void {
  sink.byte(0x7b); // {
  let first = true;
  const key = (name: string) => {
    if (!first) sink.byte(0x2c);
    first = false;
    columns.add(name);
    sink.jsonString(name);
    sink.byte(0x3a);
  };
  if (v.payload === P_JSON) {
    for (const [k, value] of v.json ?? []) {
      if (value === null) continue;
      key(k);
      sink.jsonString(value);
    }
  } else {
    key(RAW_COLUMN);
    sink.ascii(`"${v.buf.toString('base64', v.payloadStart, v.payloadEnd)}"`);
  }
  if (!first) sink.byte(0x2c);
  sink.raw(KEY_EVENT_ID);
  sink.jsonBytes(v.buf, v.idStart, v.idEnd);
  sink.raw(KEY_EVENT_TIME);
  sink.timestamp(v.timeSec, v.timeNanos, false, true);
  sink.raw(KEY_SOURCE_ROW);
  sink.uint(sourceRow, false);
  sink.raw(meta.json);
}

/** One NDJSON line of the dead-letter dataset. */
export function renderDeadLetter(
  sink: ByteSink,
  producerId: string,
  sequence: number,
  receivedAtMs: number,
  sourceRow: number,
  r: { index: number; code: string; message: string; eventId: string; table: string; eventTime: string | null; payloadBase64: string; payloadBytes: number },
): void {
  const row: Record<(typeof DEAD_LETTER_COLUMNS)[number] | '_source_row', string | number | null> = {
    producer_id: producerId,
    sequence: String(sequence),
    batch_index: String(r.index),
    event_id: r.eventId,
    table_name: r.table,
    event_time: r.eventTime,
    error_code: r.code,
    error_message: r.message,
    payload_base64: r.payloadBase64,
    payload_bytes: String(r.payloadBytes),
    received_at: formatTimestamp(Math.floor(receivedAtMs / 1000), (receivedAtMs % 1000) * 1_000_000),
    _source_row: sourceRow,
  };
  sink.raw(Buffer.from(JSON.stringify(row) + '\n', 'utf8'));
}
