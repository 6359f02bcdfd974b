/**
 * Binds our JSON-safe parameter values to a DuckDB prepared statement. Values are always bound,
 * never spliced into SQL. Types are chosen here rather than by @duckdb/node-api's inference, which
 * takes a list's type from its first item (so [1, 2.5] would bind 2.5 as INTEGER) and cannot bind
 * plain arrays, objects or empty lists at all. DuckDB casts a bound value to the type the SQL
 * expects (a '2024-01-02' string compared with a DATE column works).
 */
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  INTEGER,
  LIST,
  SQLNULL,
  STRUCT,
  VARCHAR,
  DuckDBTypeId,
  listValue,
  structValue,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { KeystoneError } from '../../errors';
import type { Params, Value } from '../engine';

export function bindParams(prepared: DuckDBPreparedStatement, params: Params): void {
  if (isPositional(params)) {
    params.forEach((value, i) => bindOne(prepared, i + 1, `$${i + 1}`, value));
    return;
  }
  for (const [name, value] of Object.entries(params)) {
    let index: number;
    try {
      index = prepared.parameterIndex(name);
    } catch (e) {
      const known = Array.from({ length: prepared.parameterCount }, (_, i) => `$${prepared.parameterName(i + 1)}`);
      throw new KeystoneError(
        'bad_request:sql',
        `Parameter $${name} is not used by the SQL${known.length ? ` (it uses ${known.join(', ')})` : ' (it has no parameters)'}.`,
        { cause: e },
      );
    }
    bindOne(prepared, index, `$${name}`, value);
  }
}

export function isPositional(params: Params): params is readonly Value[] {
  return Array.isArray(params);
}

export function paramCount(params: Params | undefined): number {
  if (params === undefined) return 0;
  return isPositional(params) ? params.length : Object.keys(params).length;
}

function bindOne(prepared: DuckDBPreparedStatement, index: number, label: string, value: Value): void {
  try {
    const type = typeOf(value);
    prepared.bindValue(index, toDuckDB(value, type), type);
  } catch (e) {
    if (e instanceof KeystoneError) throw e;
    const message = e instanceof Error ? e.message.replace(/^Failed to bind value: /, '') : String(e);
    throw new KeystoneError('bad_request:sql', `Cannot bind parameter ${label}: ${message}`, { cause: e });
  }
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The DuckDB type a value binds as; lists unify their items' types, so [1, 2.5] is DOUBLE[]. */
export function typeOf(value: Value): DuckDBType {
  if (value === null) return SQLNULL;
  switch (typeof value) {
    case 'boolean':
      return BOOLEAN;
    case 'string':
      return VARCHAR;
    case 'number':
      if (!Number.isInteger(value)) return DOUBLE;
      return value >= INT32_MIN && value <= INT32_MAX ? INTEGER : Number.isSafeInteger(value) ? BIGINT : DOUBLE;
  }
  if (Array.isArray(value)) {
    // An empty list or one of NULLs still needs an item type; VARCHAR casts to whatever the SQL wants.
    const item = value.map(typeOf).reduce<DuckDBType>(unify, SQLNULL);
    return LIST(item.typeId === DuckDBTypeId.SQLNULL ? VARCHAR : item);
  }
  return STRUCT(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeOf(v)])));
}

const NUMERIC_RANK: Partial<Record<DuckDBTypeId, number>> = {
  [DuckDBTypeId.INTEGER]: 1,
  [DuckDBTypeId.BIGINT]: 2,
  [DuckDBTypeId.DOUBLE]: 3,
};

function unify(a: DuckDBType, b: DuckDBType): DuckDBType {
  if (a.typeId === DuckDBTypeId.SQLNULL) return b;
  if (b.typeId === DuckDBTypeId.SQLNULL) return a;
  const ra = NUMERIC_RANK[a.typeId];
  const rb = NUMERIC_RANK[b.typeId];
  if (ra !== undefined && rb !== undefined) return ra >= rb ? a : b;
  if (a.toString() === b.toString()) return a;
  if (a.typeId === DuckDBTypeId.LIST && b.typeId === DuckDBTypeId.LIST) {
    return LIST(unify((a as ReturnType<typeof LIST>).valueType, (b as ReturnType<typeof LIST>).valueType));
  }
  if (a.typeId === DuckDBTypeId.STRUCT && b.typeId === DuckDBTypeId.STRUCT) {
    const sa = a as ReturnType<typeof STRUCT>;
    const sb = b as ReturnType<typeof STRUCT>;
    if (sa.entryNames.join('\0') === sb.entryNames.join('\0')) {
      return STRUCT(Object.fromEntries(sa.entryNames.map((k, i) => [k, unify(sa.entryTypes[i]!, sb.entryTypes[i]!)])));
    }
  }
  throw new KeystoneError('bad_request:sql', `A list parameter mixes ${a.toString()} and ${b.toString()} items; use one type per list.`);
}

function toDuckDB(value: Value, type: DuckDBType): DuckDBValue {
  if (value === null) return null;
  if (Array.isArray(value)) {
    const itemType = (type as ReturnType<typeof LIST>).valueType;
    return listValue(value.map((v) => toDuckDB(v, itemType)));
  }
  if (typeof value === 'object') {
    const struct = type as ReturnType<typeof STRUCT>;
    return structValue(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toDuckDB(v, struct.typeForEntry(k))])));
  }
  if (type.typeId === DuckDBTypeId.BIGINT) return BigInt(value as number);
  return value;
}
