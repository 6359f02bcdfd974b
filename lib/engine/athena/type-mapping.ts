/**
 * Athena types → our portable `ColumnType`, and Athena's result text → JSON-safe `Value`s.
 * One table, one line per type: the quirk of each type sits beside its mapping.
 *
 * GetQueryResults returns every value as text (`Datum.VarCharValue`), and NULL as a Datum without
 * a value; `ResultSetMetadata.ColumnInfo[].Type` names the type by its base name only ('decimal'
 * with Precision/Scale beside it, 'array' without its element type). So the readers below parse
 * text, and nested values can only be as exact as Athena's text for them (see `readNested`).
 *
 * Decisions worth knowing (the tests pin each one):
 * - Same conventions as the DuckDB engine: bigint and decimal travel as exact decimal strings;
 *   NaN and ±Infinity doubles become the strings 'NaN', 'Infinity', '-Infinity'; timestamps are
 *   UTC ISO-8601 with 'Z', '.sss' unless the value has sub-millisecond digits (then 6, 9 or 12).
 * - `timestamp` (no zone) is read as UTC: 'YYYY-MM-DD HH:MM:SS.fff' → 'YYYY-MM-DDTHH:MM:SS.fffZ'.
 *   `timestamp with time zone` arrives as '… UTC', '… +02:00' or '… Europe/Lisbon' and is
 *   converted to the UTC instant (named zones through the ICU data Node ships with).
 * - varbinary arrives as space-separated hex pairs ('68 65 6c') and leaves as base64.
 * - A value we cannot read in its column's format is passed through as Athena's text rather than
 *   failing the whole result: the text is never lost.
 */
import type { ColumnInfo } from '@aws-sdk/client-athena';
import type { Column, ColumnType, Value } from '../engine';

/** Turns the text of one non-null value into our `Value`. */
type Read = (text: string) => Value;

interface Mapping {
  type: ColumnType;
  read: Read;
}

const asText: Read = (s) => s;
const asInteger: Read = (s) => (/^-?\d+$/.test(s) ? Number(s) : s);
const asBoolean: Read = (s) => (s.toLowerCase() === 'true' ? true : s.toLowerCase() === 'false' ? false : s);

/**
 * Athena type (lower-case, without parameters such as '(3)' or '(10,2)') → our type and reader.
 * Anything not listed (a type from a newer Athena, a connector's own) is shown as text, type 'unknown'.
 */
const MAPPINGS: Readonly<Record<string, Mapping>> = {
  boolean: { type: 'boolean', read: asBoolean }, // 'true' / 'false'
  tinyint: { type: 'integer', read: asInteger },
  smallint: { type: 'integer', read: asInteger },
  integer: { type: 'integer', read: asInteger },
  int: { type: 'integer', read: asInteger }, // Hive DDL spelling, seen in DESCRIBE output
  bigint: { type: 'bigint', read: asText }, // may exceed 2^53: kept as the exact decimal text (count(*) is bigint)
  double: { type: 'double', read: readDouble }, // 'NaN' / 'Infinity' / '-Infinity' stay strings
  float: { type: 'double', read: readDouble }, // Athena reports REAL columns as 'float'; its text is already float32's shortest form
  real: { type: 'double', read: readDouble },
  decimal: { type: 'decimal', read: asText }, // exact text with the scale's zeros ('12.30'); precision/scale from ColumnInfo
  varchar: { type: 'string', read: asText },
  char: { type: 'string', read: asText }, // padded to its length by Athena, kept as is
  string: { type: 'string', read: asText }, // Hive DDL spelling
  uuid: { type: 'string', read: asText },
  ipaddress: { type: 'string', read: asText },
  date: { type: 'date', read: asText }, // already 'YYYY-MM-DD'
  timestamp: { type: 'timestamp', read: readTimestamp }, // 'YYYY-MM-DD HH:MM:SS[.f…]' read as UTC → ISO with 'Z'
  'timestamp with time zone': { type: 'timestamp', read: readZonedTimestamp }, // '… <zone>' → the UTC instant
  time: { type: 'time', read: asText }, // 'HH:MM:SS[.f…]'
  'time with time zone': { type: 'time', read: asText }, // keeps its offset: '12:34:56.000+02:00'
  'interval year to month': { type: 'interval', read: asText }, // '1-2' (years-months)
  'interval day to second': { type: 'interval', read: asText }, // '2 03:04:05.678'
  varbinary: { type: 'binary', read: readVarbinary }, // '68 65 6c 6c 6f' → base64 'aGVsbG8='
  json: { type: 'json', read: readJsonText }, // JSON text → parsed; invalid JSON stays text
  array: { type: 'json', read: (s) => readNested(s, 'array') }, // '[1, 2]' or '[a, b]': see readNested
  map: { type: 'json', read: (s) => readNested(s, 'object') }, // '{a=1, b=2}' → { a: 1, b: 2 }
  row: { type: 'json', read: (s) => readNested(s, 'object') }, // '{x=1, y=abc}' → { x: 1, y: 'abc' }
  struct: { type: 'json', read: (s) => readNested(s, 'object') }, // Hive DDL spelling of row
  unknown: { type: 'unknown', read: asText }, // `SELECT NULL` without a cast: every value is NULL anyway
};

const FALLBACK: Mapping = { type: 'unknown', read: asText };

/** 'timestamp(3) with time zone' → 'timestamp with time zone'; 'varchar(10)' → 'varchar'; 'array(integer)' → 'array'. */
export function baseTypeName(athenaType: string): string {
  const lower = athenaType.trim().toLowerCase();
  const open = lower.indexOf('(');
  if (open < 0) return lower.replace(/\s+/g, ' ');
  // Strip the first parenthesised group (with its nesting) and keep what follows (' with time zone').
  let depth = 0;
  let close = lower.length;
  for (let i = open; i < lower.length; i++) {
    if (lower[i] === '(') depth++;
    else if (lower[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  return (lower.slice(0, open) + lower.slice(close + 1)).trim().replace(/\s+/g, ' ');
}

function mappingFor(athenaType: string | undefined): Mapping {
  return MAPPINGS[baseTypeName(athenaType ?? 'unknown')] ?? FALLBACK;
}

export function mapType(athenaType: string | undefined): ColumnType {
  return mappingFor(athenaType).type;
}

/** The engine's own spelling: 'decimal(10,2)' for decimals (from Precision/Scale), else Athena's Type. */
export function engineTypeName(info: ColumnInfo): string {
  const type = info.Type ?? 'unknown';
  if (baseTypeName(type) === 'decimal' && !type.includes('(') && info.Precision !== undefined) {
    return `decimal(${info.Precision},${info.Scale ?? 0})`;
  }
  return type;
}

export function toColumn(info: ColumnInfo, index: number): Column {
  return { name: info.Name ?? info.Label ?? `_col${index}`, type: mapType(info.Type), engineType: engineTypeName(info) };
}

/** The normalizer for one column: call once per column, then once per value. undefined (NULL) → null. */
export function valueReader(athenaType: string | undefined): (text: string | undefined) => Value {
  const { read } = mappingFor(athenaType);
  return (text) => (text === undefined ? null : read(text));
}

export function normalizeValue(text: string | undefined, athenaType: string): Value {
  return valueReader(athenaType)(text);
}

function readDouble(s: string): Value {
  const x = Number(s);
  if (Number.isFinite(x) && s.trim() !== '') return x;
  if (s === 'NaN' || s === 'Infinity' || s === '-Infinity') return s;
  return s; // not a number we recognise: keep Athena's text
}

const TIMESTAMP = /^(-?\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,12}))?$/;

function readTimestamp(s: string): Value {
  const m = TIMESTAMP.exec(s);
  if (!m) return s;
  const [, year, month, day, hh, mm, ss, fraction] = m as unknown as [string, string, string, string, string, string, string, string | undefined];
  return `${isoYear(year)}-${month}-${day}T${hh}:${mm}:${ss}.${isoFraction(fraction)}Z`;
}

function readZonedTimestamp(s: string): Value {
  const space = s.lastIndexOf(' ');
  if (space < 0) return s;
  const local = TIMESTAMP.exec(s.slice(0, space));
  const offsetMinutes = local ? zoneOffsetMinutes(s.slice(space + 1), local) : undefined;
  if (!local || offsetMinutes === undefined) return s;
  const [, year, month, day, hh, mm, ss, fraction] = local as unknown as [string, string, string, string, string, string, string, string | undefined];
  const instant = new Date(0);
  instant.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  instant.setUTCHours(Number(hh), Number(mm) - offsetMinutes, Number(ss), 0);
  // Offsets are whole minutes, so the fraction is untouched by the shift and keeps all its digits.
  return `${instant.toISOString().slice(0, -5)}.${isoFraction(fraction)}Z`;
}

/** Minutes east of UTC that `zone` had at the given local time: 'UTC', 'Z', '+05:30', or an IANA name. */
function zoneOffsetMinutes(zone: string, local: RegExpExecArray): number | undefined {
  if (/^(UTC|GMT|Z|Zulu|Etc\/UTC)$/i.test(zone)) return 0;
  const fixed = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3] ?? 0));
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined; // not a zone ICU knows
  }
  const wall = new Date(0);
  wall.setUTCFullYear(Number(local[1]), Number(local[2]) - 1, Number(local[3]));
  wall.setUTCHours(Number(local[4]), Number(local[5]), Number(local[6]), 0);
  const asIfUtc = wall.getTime();
  // The zone's offset at the instant the wall time names: guess with the offset at the wall time
  // read as UTC, then correct once (enough except inside a DST gap, where either answer is defensible).
  const first = offsetAt(format, asIfUtc);
  return offsetAt(format, asIfUtc - first * 60_000);
}

function offsetAt(format: Intl.DateTimeFormat, instant: number): number {
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(new Date(instant))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const wall = new Date(0);
  wall.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return Math.round((wall.getTime() - wholeSeconds) / 60_000);
}

/** ISO-8601: four digits for 0000–9999, otherwise a sign and six digits (as `toISOString` prints). */
function isoYear(year: string): string {
  const n = Number(year);
  if (n >= 0 && n <= 9999) return String(n).padStart(4, '0');
  return `${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(6, '0')}`;
}

/** Milliseconds always; more digits only when they are not zeros: '' → '000', '678900' → '678900', '678000' → '678'. */
function isoFraction(fraction: string | undefined): string {
  let digits = (fraction ?? '').padEnd(3, '0');
  digits = digits.padEnd(Math.ceil(digits.length / 3) * 3, '0');
  while (digits.length > 3 && digits.endsWith('000')) digits = digits.slice(0, -3);
  return digits;
}

function readVarbinary(s: string): Value {
  const hex = s.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) return s;
  return Buffer.from(hex, 'hex').toString('base64');
}

function readJsonText(s: string): Value {
  try {
    return JSON.parse(s) as Value;
  } catch {
    return s;
  }
}

/**
 * ARRAY, MAP and ROW values. Athena prints them in Trino's text form, not JSON: '[1, 2]',
 * '[a, b]' (strings unquoted), '{k=v, k2=v2}' for maps and rows alike, 'null' for NULL items.
 * 1. Text that is valid JSON of the expected shape is parsed as JSON ('[1, 2]', '[]', '{}'),
 *    unless it holds an integer too long for a JS number (then step 2 keeps it as a string).
 * 2. Otherwise Trino's text form is parsed: brackets and braces nest, items are split on ', ',
 *    entries on the first '='; an item reads as a JSON number/true/false/null when it is spelled
 *    exactly as one (and fits a JS number exactly), else as a string.
 * 3. Anything that does not parse cleanly stays Athena's text.
 * Limits (documented in docs/athena.md): strings inside that contain ', ', '=', brackets or braces
 * cannot be told apart from structure in Trino's text form, and a varchar item that looks like a
 * number ('7') reads as a number. For exact nested values, select `CAST(col AS JSON)`.
 */
export function readNested(text: string, shape: 'array' | 'object'): Value {
  if (!LONG_INTEGER.test(text)) {
    try {
      const parsed = JSON.parse(text) as Value;
      if (shape === 'array' ? Array.isArray(parsed) : isPlainObject(parsed)) return parsed;
    } catch {
      /* Trino's text form: parsed below */
    }
  }
  const parser = new NestedTextParser(text);
  const value = parser.parse();
  if (value === undefined || (shape === 'array' ? !Array.isArray(value) : !isPlainObject(value))) return text;
  return value;
}

/** An unquoted integer with 16+ digits: JSON.parse would round it. */
const LONG_INTEGER = /(?:^|[[{,:=\s])-?\d{16,}(?:$|[\]},\s.eE])/;

function isPlainObject(v: Value): v is { [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class NestedTextParser {
  private i = 0;
  constructor(private readonly s: string) {}

  /** The whole text as one value, or undefined when it is not cleanly Trino's text form. */
  parse(): Value | undefined {
    const v = this.value();
    return v !== undefined && this.i === this.s.length ? v : undefined;
  }

  private value(): Value | undefined {
    const c = this.s[this.i];
    if (c === '[') return this.list();
    if (c === '{') return this.entries();
    return this.scalar();
  }

  private list(): Value[] | undefined {
    this.i++; // [
    const items: Value[] = [];
    if (this.s[this.i] === ']') {
      this.i++;
      return items;
    }
    for (;;) {
      const v = this.value();
      if (v === undefined) return undefined;
      items.push(v);
      if (this.s[this.i] === ']') {
        this.i++;
        return items;
      }
      if (!this.separator()) return undefined;
    }
  }

  private entries(): { [k: string]: Value } | undefined {
    this.i++; // {
    const out: { [k: string]: Value } = {};
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      const eq = this.s.indexOf('=', this.i);
      if (eq < 0) return undefined;
      const key = this.s.slice(this.i, eq);
      if (key === '' || /[[\]{},]/.test(key)) return undefined;
      this.i = eq + 1;
      const v = this.value();
      if (v === undefined) return undefined;
      out[key] = v;
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      if (!this.separator()) return undefined;
    }
  }

  private separator(): boolean {
    if (this.s.startsWith(', ', this.i)) {
      this.i += 2;
      return true;
    }
    return false;
  }

  /** Up to the next ', ' or closing bracket/brace of this level. */
  private scalar(): Value | undefined {
    let end = this.i;
    while (end < this.s.length) {
      const c = this.s[end];
      if (c === ']' || c === '}' || (c === ',' && this.s[end + 1] === ' ')) break;
      if (c === '[' || c === '{') return undefined; // structure where a scalar should be: ambiguous
      end++;
    }
    const token = this.s.slice(this.i, end);
    this.i = end;
    return scalarValue(token);
  }
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function scalarValue(token: string): Value {
  if (token === 'null') return null;
  if (token === 'true') return true;
  if (token === 'false') return false;
  if (JSON_NUMBER.test(token)) {
    const n = Number(token);
    // An integer beyond 2^53 (a bigint item) would be rounded: keep its digits.
    if (Number.isFinite(n) && (!/^-?\d+$/.test(token) || Number.isSafeInteger(n))) return n;
  }
  return token;
}
