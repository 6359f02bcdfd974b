import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column, Value } from '../engine';
import { DuckDBEngine, closeDuckDB } from './engine';
import { dateString, isoTimestamp } from './type-mapping';

let engine: DuckDBEngine;

beforeAll(() => {
  engine = new DuckDBEngine();
});

afterAll(async () => {
  await engine.close();
  await closeDuckDB();
});

/** One SQL expression → its column and its single value. */
async function one(expression: string): Promise<{ column: Column; value: Value }> {
  const { columns, rows } = await engine.query(`SELECT ${expression} AS v`);
  expect(columns).toHaveLength(1);
  return { column: columns[0]!, value: rows[0]![0]! };
}

describe('DuckDB types through the engine', () => {
  // [SQL expression, our type, DuckDB's type name, exact value]
  const cases: [string, Column['type'], string, Value][] = [
    ['true', 'boolean', 'BOOLEAN', true],
    ['(-128)::TINYINT', 'integer', 'TINYINT', -128],
    ['(-32768)::SMALLINT', 'integer', 'SMALLINT', -32768],
    ['2147483647::INTEGER', 'integer', 'INTEGER', 2147483647],
    ['255::UTINYINT', 'integer', 'UTINYINT', 255],
    ['65535::USMALLINT', 'integer', 'USMALLINT', 65535],
    ['4294967295::UINTEGER', 'integer', 'UINTEGER', 4294967295],
    ['9007199254740993::BIGINT', 'bigint', 'BIGINT', '9007199254740993'],
    ['(-9223372036854775808)::BIGINT', 'bigint', 'BIGINT', '-9223372036854775808'],
    ['1::BIGINT', 'bigint', 'BIGINT', '1'],
    ['18446744073709551615::UBIGINT', 'bigint', 'UBIGINT', '18446744073709551615'],
    ['170141183460469231731687303715884105727::HUGEINT', 'bigint', 'HUGEINT', '170141183460469231731687303715884105727'],
    ['340282366920938463463374607431768211455::UHUGEINT', 'bigint', 'UHUGEINT', '340282366920938463463374607431768211455'],
    ['count(*)', 'bigint', 'BIGINT', '1'],
    ['1.5::DOUBLE', 'double', 'DOUBLE', 1.5],
    ["'nan'::DOUBLE", 'double', 'DOUBLE', 'NaN'],
    ["'inf'::DOUBLE", 'double', 'DOUBLE', 'Infinity'],
    ["'-inf'::DOUBLE", 'double', 'DOUBLE', '-Infinity'],
    ['0.1::FLOAT', 'double', 'FLOAT', 0.1],
    ['12345678901234.56::DECIMAL(18,2)', 'decimal', 'DECIMAL(18,2)', '12345678901234.56'],
    ['-0.05::DECIMAL(4,2)', 'decimal', 'DECIMAL(4,2)', '-0.05'],
    ['1.50', 'decimal', 'DECIMAL(3,2)', '1.50'],
    ['1234567890123456789012345678.0123456789::DECIMAL(38,10)', 'decimal', 'DECIMAL(38,10)', '1234567890123456789012345678.0123456789'],
    ["'héllo \"wörld\"'", 'string', 'VARCHAR', 'héllo "wörld"'],
    ["'b'::ENUM('a', 'b')", 'string', "ENUM('a', 'b')", 'b'],
    ["'6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID", 'string', 'UUID', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'],
    ["'101'::BIT", 'string', 'BIT', '101'],
    ["'\\xAA\\xBB\\xCC'::BLOB", 'binary', 'BLOB', 'qrvM'],
    ["DATE '2024-02-29'", 'date', 'DATE', '2024-02-29'],
    ["DATE '1969-12-31'", 'date', 'DATE', '1969-12-31'],
    ["DATE '1901-02-03'", 'date', 'DATE', '1901-02-03'],
    ["DATE '0044-03-15 (BC)'", 'date', 'DATE', '-000043-03-15'],
    ["'infinity'::DATE", 'date', 'DATE', 'infinity'],
    ["'-infinity'::DATE", 'date', 'DATE', '-infinity'],
    ["TIMESTAMP '2024-01-02 03:04:05.123456'", 'timestamp', 'TIMESTAMP', '2024-01-02T03:04:05.123456Z'],
    ["TIMESTAMP '2024-01-02 03:04:05.678'", 'timestamp', 'TIMESTAMP', '2024-01-02T03:04:05.678Z'],
    ["TIMESTAMP '2024-01-02 03:04:05'", 'timestamp', 'TIMESTAMP', '2024-01-02T03:04:05.000Z'],
    ["TIMESTAMP '1969-12-31 23:59:59.999999'", 'timestamp', 'TIMESTAMP', '1969-12-31T23:59:59.999999Z'],
    ["TIMESTAMP '1900-01-01 00:00:00.000001'", 'timestamp', 'TIMESTAMP', '1900-01-01T00:00:00.000001Z'],
    ["'infinity'::TIMESTAMP", 'timestamp', 'TIMESTAMP', 'infinity'],
    ["TIMESTAMPTZ '2024-01-02 03:04:05.5+02'", 'timestamp', 'TIMESTAMP WITH TIME ZONE', '2024-01-02T01:04:05.500Z'],
    ["TIMESTAMP_S '2024-01-02 03:04:05'", 'timestamp', 'TIMESTAMP_S', '2024-01-02T03:04:05.000Z'],
    ["TIMESTAMP_MS '2024-01-02 03:04:05.678'", 'timestamp', 'TIMESTAMP_MS', '2024-01-02T03:04:05.678Z'],
    ["TIMESTAMP_NS '1960-01-01 00:00:00.000000001'", 'timestamp', 'TIMESTAMP_NS', '1960-01-01T00:00:00.000000001Z'],
    ["TIME '12:34:56.5'", 'time', 'TIME', '12:34:56.5'],
    ["TIMETZ '12:34:56+02:30'", 'time', 'TIME WITH TIME ZONE', '12:34:56+02:30'],
    ["INTERVAL '1 year 2 months 3 days 04:05:06.5'", 'interval', 'INTERVAL', '1 year 2 months 3 days 04:05:06.5'],
    ['[1, 2, NULL]', 'json', 'INTEGER[]', [1, 2, null]],
    ['[9007199254740993]::BIGINT[]', 'json', 'BIGINT[]', ['9007199254740993']],
    ['[[1, 2], [3]]', 'json', 'INTEGER[][]', [[1, 2], [3]]],
    ['[1, 2, 3]::INTEGER[3]', 'json', 'INTEGER[3]', [1, 2, 3]],
    ["[DATE '1960-05-06']", 'json', 'DATE[]', ['1960-05-06']],
    ["{'a': 1, 'b': 'x', 'c': NULL::INTEGER}", 'json', 'STRUCT("a" INTEGER, "b" VARCHAR, "c" INTEGER)', { a: 1, b: 'x', c: null }],
    ["{'n': {'d': 1.25::DECIMAL(5,2)}}", 'json', 'STRUCT("n" STRUCT("d" DECIMAL(5,2)))', { n: { d: '1.25' } }],
    ["MAP {'k': [1, 2]}", 'json', 'MAP(VARCHAR, INTEGER[])', { k: [1, 2] }],
    ["MAP {1: 'x', 2: 'y'}", 'json', 'MAP(INTEGER, VARCHAR)', [{ key: 1, value: 'x' }, { key: 2, value: 'y' }]],
    ["union_value(k := 2)::UNION(k INTEGER, s VARCHAR)", 'json', 'UNION("k" INTEGER, "s" VARCHAR)', { tag: 'k', value: 2 }],
    ['\'{"x": [1, true, null]}\'::JSON', 'json', 'JSON', { x: [1, true, null] }],
    ['42::VARIANT', 'json', 'VARIANT', 42],
    ['NULL::BIGINT', 'bigint', 'BIGINT', null],
    ['NULL::DATE', 'date', 'DATE', null],
    ['NULL::TIMESTAMP', 'timestamp', 'TIMESTAMP', null],
    ['NULL::DECIMAL(18,2)', 'decimal', 'DECIMAL(18,2)', null],
    ['NULL::INTEGER[]', 'json', 'INTEGER[]', null],
  ];

  it.each(cases)('%s → %s', async (expression, type, engineType, expected) => {
    const { column, value } = await one(expression);
    expect(column).toEqual({ name: 'v', type, engineType });
    expect(value).toEqual(expected);
  });

  it('keeps column names as written, duplicates included', async () => {
    const { columns } = await engine.query(`SELECT 1 AS "a b", 2 AS "a b", 3 AS "it's", 4 AS Mixed`);
    expect(columns.map((c) => c.name)).toEqual(['a b', 'a b', "it's", 'Mixed']);
  });

  it('returns NULLs of every type as null in one row', async () => {
    const { rows } = await engine.query(
      'SELECT NULL::BOOLEAN, NULL::INTEGER, NULL::HUGEINT, NULL::DOUBLE, NULL::VARCHAR, NULL::BLOB, NULL::TIME, NULL::INTERVAL, NULL::UUID, NULL::STRUCT(a INT), NULL::MAP(VARCHAR, INT)',
    );
    expect(rows).toEqual([Array(11).fill(null)]);
  });

  it('timestamps of millisecond precision read exactly like Date#toISOString', async () => {
    const instants = [0, -1, 1_700_000_000_123, -2_208_988_800_000, 253_402_300_799_999];
    const { rows } = await engine.query(`SELECT epoch_ms(v) FROM unnest($1::BIGINT[]) t(v)`, { params: [instants] });
    expect(rows.map((r) => r[0])).toEqual(instants.map((ms) => new Date(ms).toISOString()));
  });
});

describe('date and timestamp formatting', () => {
  it('formats days since the epoch, before 1970 included', () => {
    expect(dateString(0)).toBe('1970-01-01');
    expect(dateString(-1)).toBe('1969-12-31');
    expect(dateString(-25_567)).toBe('1900-01-01');
    expect(dateString(-719_528)).toBe('0000-01-01');
    expect(dateString(2_932_897)).toBe('+010000-01-01');
  });

  it('agrees with Date#toISOString across four centuries of milliseconds', () => {
    for (let i = 0; i < 2000; i++) {
      const ms = Math.round((Math.random() - 0.5) * 2 * 8.64e15 * 0.6);
      expect(isoTimestamp(BigInt(ms) * 1_000_000n)).toBe(new Date(ms).toISOString());
    }
  });

  it('widens the fraction only when sub-millisecond digits exist', () => {
    expect(isoTimestamp(1_000_000n)).toBe('1970-01-01T00:00:00.001Z');
    expect(isoTimestamp(1_000n)).toBe('1970-01-01T00:00:00.000001Z');
    expect(isoTimestamp(1n)).toBe('1970-01-01T00:00:00.000000001Z');
    expect(isoTimestamp(-1_000n)).toBe('1969-12-31T23:59:59.999999Z');
  });
});
