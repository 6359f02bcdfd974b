/**
 * DuckDB types → our portable `ColumnType`, and DuckDB JS values → JSON-safe `Value`s.
 * One table, one line per type: the quirk of each type sits beside its mapping.
 *
 * Decisions worth knowing (the tests pin each one):
 * - Integers wider than 32 bits travel as decimal strings, whatever their magnitude, so a column
 *   never mixes numbers and strings.
 * - DOUBLE/FLOAT NaN and ±Infinity become the strings 'NaN', 'Infinity', '-Infinity' (what
 *   `String(x)` gives and `Number(s)` reads back), not null: null stays reserved for SQL NULL.
 * - Timestamps are UTC ISO-8601 with 'Z'. Millisecond precision prints exactly like
 *   `Date#toISOString()` ('.sss'); only when a value has sub-millisecond digits does the fraction
 *   grow to 6 (or, for TIMESTAMP_NS, 9) digits, so nothing is rounded away. TIMESTAMP (no zone) is
 *   read as UTC. Years outside 0000–9999 use ISO's expanded form (±YYYYYY), as `toISOString` does.
 * - ±infinity dates and timestamps become 'infinity' / '-infinity' (DuckDB's own spelling).
 * - MAPs with text keys become JSON objects; other MAPs become [{ key, value }] lists.
 */
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBGeometryValue,
  DuckDBListType,
  DuckDBArrayType,
  DuckDBMapType,
  DuckDBStructType,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  DuckDBUnionType,
  fromVariantValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Column, ColumnType, Value } from '../engine';

/** Turns one non-null DuckDB value of a known type into our `Value`. */
type Read = (value: DuckDBValue) => Value;
/** Builds the reader for a type once per column, so nested types resolve their children once. */
type ReaderFactory = (type: DuckDBType) => Read;

interface Mapping {
  type: ColumnType;
  reader: ReaderFactory;
}

const asIs: ReaderFactory = () => (v) => v as Value;
const asNumber: ReaderFactory = () => (v) => Number(v);
const asString: ReaderFactory = () => (v) => String(v);
const asDouble: ReaderFactory = () => (v) => finiteOrString(v as number);
const asFloat: ReaderFactory = () => (v) => shortestFloat32(v as number);
const asBase64: ReaderFactory = () => (v) => Buffer.from((v as DuckDBBlobValue | DuckDBGeometryValue).bytes).toString('base64');
const asDate: ReaderFactory = () => (v) => dateString((v as DuckDBDateValue).days);
const asJsonText: ReaderFactory = () => (v) => parseJsonOr(v as string);

function timestamp<T>(nanosOf: (v: T) => bigint, posInf: bigint, negInf: bigint, raw: (v: T) => bigint): ReaderFactory {
  return () => (v) => {
    const r = raw(v as T);
    if (r === posInf) return 'infinity';
    if (r === negInf) return '-infinity';
    return isoTimestamp(nanosOf(v as T));
  };
}

/** Type id → our type and reader. `satisfies` makes the compiler flag a DuckDB type id we forgot. */
const MAPPINGS = {
  [DuckDBTypeId.BOOLEAN]: { type: 'boolean', reader: asIs },
  [DuckDBTypeId.TINYINT]: { type: 'integer', reader: asNumber },
  [DuckDBTypeId.SMALLINT]: { type: 'integer', reader: asNumber },
  [DuckDBTypeId.INTEGER]: { type: 'integer', reader: asNumber },
  [DuckDBTypeId.UTINYINT]: { type: 'integer', reader: asNumber },
  [DuckDBTypeId.USMALLINT]: { type: 'integer', reader: asNumber },
  [DuckDBTypeId.UINTEGER]: { type: 'integer', reader: asNumber }, // ≤ 2^32: still exact in a JS number
  [DuckDBTypeId.BIGINT]: { type: 'bigint', reader: asString }, // JS bigint → decimal string (count(*) is BIGINT too)
  [DuckDBTypeId.UBIGINT]: { type: 'bigint', reader: asString },
  [DuckDBTypeId.HUGEINT]: { type: 'bigint', reader: asString }, // 128-bit; sum(BIGINT) is HUGEINT
  [DuckDBTypeId.UHUGEINT]: { type: 'bigint', reader: asString },
  [DuckDBTypeId.BIGNUM]: { type: 'bigint', reader: asString }, // arbitrary precision, arrives as JS bigint
  [DuckDBTypeId.FLOAT]: { type: 'double', reader: asFloat }, // arrives widened (0.1 → 0.10000000149…): print float32's shortest form
  [DuckDBTypeId.DOUBLE]: { type: 'double', reader: asDouble }, // NaN/±Infinity → strings, see above
  [DuckDBTypeId.DECIMAL]: { type: 'decimal', reader: asString }, // DuckDBDecimalValue#toString is exact, keeps the scale's zeros
  [DuckDBTypeId.VARCHAR]: { type: 'string', reader: asIs }, // JSON-aliased VARCHAR is special-cased in `mapType`
  [DuckDBTypeId.ENUM]: { type: 'string', reader: asIs }, // arrives as its label
  [DuckDBTypeId.UUID]: { type: 'string', reader: asString }, // canonical 8-4-4-4-12 lower-case
  [DuckDBTypeId.BIT]: { type: 'string', reader: asString }, // '0'/'1' digits
  [DuckDBTypeId.BLOB]: { type: 'binary', reader: asBase64 },
  [DuckDBTypeId.GEOMETRY]: { type: 'binary', reader: asBase64 }, // WKB bytes
  [DuckDBTypeId.DATE]: { type: 'date', reader: asDate }, // days since epoch; before 1970 is negative
  [DuckDBTypeId.TIMESTAMP]: {
    type: 'timestamp',
    reader: timestamp<DuckDBTimestampValue>((v) => v.micros * 1000n, DuckDBTimestampValue.PosInf.micros, DuckDBTimestampValue.NegInf.micros, (v) => v.micros),
  },
  [DuckDBTypeId.TIMESTAMP_TZ]: {
    type: 'timestamp', // stored as a UTC instant; printed in UTC, never the process's zone
    reader: timestamp<DuckDBTimestampTZValue>((v) => v.micros * 1000n, DuckDBTimestampTZValue.PosInf.micros, DuckDBTimestampTZValue.NegInf.micros, (v) => v.micros),
  },
  [DuckDBTypeId.TIMESTAMP_S]: {
    type: 'timestamp',
    reader: timestamp<DuckDBTimestampSecondsValue>((v) => v.seconds * 1_000_000_000n, DuckDBTimestampSecondsValue.PosInf.seconds, DuckDBTimestampSecondsValue.NegInf.seconds, (v) => v.seconds),
  },
  [DuckDBTypeId.TIMESTAMP_MS]: {
    type: 'timestamp',
    reader: timestamp<DuckDBTimestampMillisecondsValue>((v) => v.millis * 1_000_000n, DuckDBTimestampMillisecondsValue.PosInf.millis, DuckDBTimestampMillisecondsValue.NegInf.millis, (v) => v.millis),
  },
  [DuckDBTypeId.TIMESTAMP_NS]: {
    type: 'timestamp',
    reader: timestamp<DuckDBTimestampNanosecondsValue>((v) => v.nanos, DuckDBTimestampNanosecondsValue.PosInf.nanos, DuckDBTimestampNanosecondsValue.NegInf.nanos, (v) => v.nanos),
  },
  [DuckDBTypeId.TIME]: { type: 'time', reader: asString }, // 'HH:MM:SS[.ffffff]'
  [DuckDBTypeId.TIME_NS]: { type: 'time', reader: asString },
  [DuckDBTypeId.TIME_TZ]: { type: 'time', reader: asString }, // keeps its offset: '12:34:56+02:30'
  [DuckDBTypeId.INTERVAL]: { type: 'interval', reader: asString }, // DuckDB's text ('1 year 2 months 3 days 04:05:06'), castable back to INTERVAL
  [DuckDBTypeId.LIST]: { type: 'json', reader: (t) => listReader((t as DuckDBListType).valueType) },
  [DuckDBTypeId.ARRAY]: { type: 'json', reader: (t) => listReader((t as DuckDBArrayType).valueType) },
  [DuckDBTypeId.STRUCT]: { type: 'json', reader: (t) => structReader(t as DuckDBStructType) },
  [DuckDBTypeId.MAP]: { type: 'json', reader: (t) => mapReader(t as DuckDBMapType) },
  [DuckDBTypeId.UNION]: { type: 'json', reader: (t) => unionReader(t as DuckDBUnionType) }, // { tag, value }
  [DuckDBTypeId.VARIANT]: { type: 'json', reader: variantReader }, // each value carries its own type
  [DuckDBTypeId.SQLNULL]: { type: 'unknown', reader: () => () => null }, // `SELECT NULL` without a cast
  [DuckDBTypeId.INVALID]: { type: 'unknown', reader: asString },
  [DuckDBTypeId.ANY]: { type: 'unknown', reader: asString },
  [DuckDBTypeId.STRING_LITERAL]: { type: 'string', reader: asString },
  [DuckDBTypeId.INTEGER_LITERAL]: { type: 'unknown', reader: asString },
} satisfies Record<DuckDBTypeId, Mapping>;

/** A type id from a newer DuckDB than this table knows: shown as text rather than failing the query. */
const FALLBACK: Mapping = { type: 'unknown', reader: asString };

function mappingFor(type: DuckDBType): Mapping {
  // The json extension's JSON type is VARCHAR with an alias: its text is parsed so it reads as JSON.
  if (type.typeId === DuckDBTypeId.VARCHAR && type.alias?.toUpperCase() === 'JSON') return { type: 'json', reader: asJsonText };
  return (MAPPINGS as Partial<Record<number, Mapping>>)[type.typeId] ?? FALLBACK;
}

export function mapType(type: DuckDBType): ColumnType {
  return mappingFor(type).type;
}

/** The engine's own spelling of a type: its alias when it has one (JSON), else e.g. 'DECIMAL(18,2)'. */
export function engineTypeName(type: DuckDBType): string {
  return type.alias ?? type.toString();
}

export function toColumn(name: string, type: DuckDBType): Column {
  return { name, type: mapType(type), engineType: engineTypeName(type) };
}

/** The normalizer for one column: call once per column, then once per value. NULL → null at every depth. */
export function valueReader(type: DuckDBType): (value: DuckDBValue) => Value {
  const read = mappingFor(type).reader(type);
  return (v) => (v === null || v === undefined ? null : read(v));
}

export function normalizeValue(value: DuckDBValue, type: DuckDBType): Value {
  return valueReader(type)(value);
}

function listReader(itemType: DuckDBType): Read {
  const item = valueReader(itemType);
  return (v) => (v as { items: readonly DuckDBValue[] }).items.map(item);
}

function structReader(type: DuckDBStructType): Read {
  const readers = type.entryTypes.map(valueReader);
  const names = type.entryNames;
  return (v) => {
    const entries = (v as { entries: Readonly<Record<string, DuckDBValue>> }).entries;
    const out: { [k: string]: Value } = {};
    names.forEach((name, i) => {
      out[name] = readers[i]!(entries[name] ?? null);
    });
    return out;
  };
}

const TEXT_KEYS: ReadonlySet<DuckDBTypeId> = new Set([DuckDBTypeId.VARCHAR, DuckDBTypeId.ENUM, DuckDBTypeId.UUID]);

function mapReader(type: DuckDBMapType): Read {
  const key = valueReader(type.keyType);
  const value = valueReader(type.valueType);
  const asObject = TEXT_KEYS.has(type.keyType.typeId);
  return (v) => {
    const entries = (v as { entries: readonly { key: DuckDBValue; value: DuckDBValue }[] }).entries;
    if (!asObject) return entries.map((e) => ({ key: key(e.key), value: value(e.value) }));
    const out: { [k: string]: Value } = {};
    for (const e of entries) out[String(key(e.key))] = value(e.value);
    return out;
  };
}

function unionReader(type: DuckDBUnionType): Read {
  const readers = new Map(type.memberTags.map((tag, i) => [tag, valueReader(type.memberTypes[i]!)]));
  return (v) => {
    const u = v as { tag: string; value: DuckDBValue };
    const read = readers.get(u.tag);
    return { tag: u.tag, value: read ? read(u.value) : u.value === null ? null : String(u.value) };
  };
}

function variantReader(type: DuckDBType): Read {
  return (v) => fromVariantValue<Value>(v, type, (leaf, leafType) => normalizeValue(leaf, leafType));
}

function finiteOrString(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** FLOAT arrives as the double nearest the float32; print the fewest digits that name that float32. */
function shortestFloat32(x: number): number | string {
  if (!Number.isFinite(x)) return String(x);
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return candidate;
  }
  return x;
}

function parseJsonOr(text: string): Value {
  try {
    return JSON.parse(text) as Value;
  } catch {
    return text;
  }
}

const DATE_POS_INF = DuckDBDateValue.PosInf.days;
const DATE_NEG_INF = DuckDBDateValue.NegInf.days;

export function dateString(daysSinceEpoch: number): string {
  if (daysSinceEpoch === DATE_POS_INF) return 'infinity';
  if (daysSinceEpoch === DATE_NEG_INF) return '-infinity';
  const { year, month, day } = civilFromDays(daysSinceEpoch);
  return `${yearString(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

const NANOS_PER_DAY = 86_400_000_000_000n;

/** Nanoseconds since the epoch → 'YYYY-MM-DDTHH:MM:SS.sss[sss[sss]]Z'. Floor division keeps pre-1970 instants right. */
export function isoTimestamp(nanosSinceEpoch: bigint): string {
  let days = nanosSinceEpoch / NANOS_PER_DAY;
  let inDay = nanosSinceEpoch % NANOS_PER_DAY;
  if (inDay < 0n) {
    inDay += NANOS_PER_DAY;
    days -= 1n;
  }
  const { year, month, day } = civilFromDays(Number(days));
  const n = Number(inDay); // < 8.64e13: exact in a double
  const seconds = Math.floor(n / 1e9);
  const fraction = n % 1e9;
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = seconds % 60;
  const digits = pad(fraction, 9);
  const frac = fraction % 1e6 === 0 ? digits.slice(0, 3) : fraction % 1e3 === 0 ? digits.slice(0, 6) : digits;
  return `${yearString(year)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${frac}Z`;
}

/** Howard Hinnant's days_from_civil inverse: proleptic Gregorian, exact for any day count DuckDB stores. */
function civilFromDays(daysSinceEpoch: number): { year: number; month: number; day: number } {
  const z = daysSinceEpoch + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** ISO-8601: four digits for 0000–9999, otherwise a sign and six digits (year 0 is 1 BC). */
function yearString(year: number): string {
  if (year >= 0 && year <= 9999) return pad(year, 4);
  return `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
