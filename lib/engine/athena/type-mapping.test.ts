/**
 * Athena's result text → our values, one type at a time. The inputs are the text forms Athena
 * documents and prints (no real Athena is reachable from here; see docs/athena.md).
 */
import { describe, expect, it } from 'vitest';
import { baseTypeName, engineTypeName, mapType, normalizeValue, readNested } from './type-mapping';

describe('type names', () => {
  it('reduces parameterised names to the table’s keys', () => {
    expect(baseTypeName('varchar(10)')).toBe('varchar');
    expect(baseTypeName('DECIMAL(10, 2)')).toBe('decimal');
    expect(baseTypeName('timestamp(6)')).toBe('timestamp');
    expect(baseTypeName('timestamp(3) with time zone')).toBe('timestamp with time zone');
    expect(baseTypeName('array(row(a integer, b varchar))')).toBe('array');
    expect(baseTypeName('interval  day to second')).toBe('interval day to second');
  });

  it('maps every Athena type to our portable type', () => {
    const table: [string, string][] = [
      ['varchar', 'string'],
      ['char', 'string'],
      ['string', 'string'],
      ['boolean', 'boolean'],
      ['tinyint', 'integer'],
      ['smallint', 'integer'],
      ['integer', 'integer'],
      ['bigint', 'bigint'],
      ['double', 'double'],
      ['float', 'double'],
      ['real', 'double'],
      ['decimal', 'decimal'],
      ['date', 'date'],
      ['timestamp', 'timestamp'],
      ['timestamp with time zone', 'timestamp'],
      ['time', 'time'],
      ['time with time zone', 'time'],
      ['interval year to month', 'interval'],
      ['interval day to second', 'interval'],
      ['varbinary', 'binary'],
      ['array', 'json'],
      ['map', 'json'],
      ['row', 'json'],
      ['json', 'json'],
      ['unknown', 'unknown'],
      ['hyperloglog', 'unknown'],
    ];
    expect(table.map(([t]) => [t, mapType(t)])).toEqual(table);
  });

  it('spells decimals with their precision and scale', () => {
    expect(engineTypeName({ Name: 'price', Type: 'decimal', Precision: 10, Scale: 2 })).toBe('decimal(10,2)');
    expect(engineTypeName({ Name: 'n', Type: 'decimal', Precision: 38 })).toBe('decimal(38,0)');
    expect(engineTypeName({ Name: 's', Type: 'varchar', Precision: 2147483647 })).toBe('varchar');
  });
});

describe('values', () => {
  const cases: [type: string, text: string, value: unknown][] = [
    ['varchar', 'São Paulo', 'São Paulo'],
    ['varchar', '09790', '09790'], // leading zeros stay
    ['char', 'ab  ', 'ab  '],
    ['boolean', 'true', true],
    ['boolean', 'false', false],
    ['tinyint', '-128', -128],
    ['smallint', '-32768', -32768],
    ['integer', '2147483647', 2147483647],
    ['bigint', '-9223372036854775808', '-9223372036854775808'],
    ['bigint', '99441', '99441'], // strings, always: a column never mixes numbers and strings
    ['double', '1.0E-7', 1e-7],
    ['double', '-0.5', -0.5],
    ['double', 'NaN', 'NaN'],
    ['double', 'Infinity', 'Infinity'],
    ['double', '-Infinity', '-Infinity'],
    ['float', '0.1', 0.1],
    ['real', '1.17549435E-38', 1.17549435e-38],
    ['decimal', '0.10', '0.10'],
    ['decimal', '-99999999999999999999999999999999999.999', '-99999999999999999999999999999999999.999'],
    ['date', '2016-09-04', '2016-09-04'],
    ['timestamp', '2017-11-24 13:45:07.123', '2017-11-24T13:45:07.123Z'],
    ['timestamp', '2017-11-24 13:45:07', '2017-11-24T13:45:07.000Z'],
    ['timestamp', '2017-11-24 13:45:07.1', '2017-11-24T13:45:07.100Z'],
    ['timestamp', '2017-11-24 13:45:07.123000', '2017-11-24T13:45:07.123Z'],
    ['timestamp', '2017-11-24 13:45:07.123456', '2017-11-24T13:45:07.123456Z'],
    ['timestamp', '2017-11-24 13:45:07.123456789', '2017-11-24T13:45:07.123456789Z'],
    ['timestamp', '1969-12-31 23:59:59.999', '1969-12-31T23:59:59.999Z'],
    ['timestamp(6)', '2018-10-17 00:00:00.000001', '2018-10-17T00:00:00.000001Z'],
    ['timestamp', 'not a timestamp', 'not a timestamp'],
    ['timestamp with time zone', '2017-11-24 13:45:07.123 UTC', '2017-11-24T13:45:07.123Z'],
    ['timestamp with time zone', '2017-11-24 13:45:07.123 +05:30', '2017-11-24T08:15:07.123Z'],
    ['timestamp with time zone', '2017-11-24 01:00:00.000 -03:00', '2017-11-24T04:00:00.000Z'],
    ['timestamp with time zone', '2017-01-01 00:30:00.000 Europe/Lisbon', '2017-01-01T00:30:00.000Z'],
    ['timestamp with time zone', '2017-07-01 00:30:00.000 Europe/Lisbon', '2017-06-30T23:30:00.000Z'], // summer: UTC+1, across midnight
    ['timestamp with time zone', '2018-06-01 12:00:00.000 America/Sao_Paulo', '2018-06-01T15:00:00.000Z'],
    ['timestamp with time zone', '2017-11-24 13:45:07.123 Mars/Olympus', '2017-11-24 13:45:07.123 Mars/Olympus'],
    ['time', '13:45:07.123', '13:45:07.123'],
    ['time with time zone', '13:45:07.123+02:00', '13:45:07.123+02:00'],
    ['interval year to month', '1-2', '1-2'],
    ['interval day to second', '2 03:04:05.678', '2 03:04:05.678'],
    ['varbinary', '68 65 6c 6c 6f', 'aGVsbG8='],
    ['varbinary', '00 ff', 'AP8='],
    ['varbinary', '', ''],
    ['json', '{"a":1,"b":[true,null,"x"]}', { a: 1, b: [true, null, 'x'] }],
    ['json', '"text"', 'text'],
    ['json', '{broken', '{broken'],
    ['unknown', 'anything', 'anything'],
    ['some_new_type', 'as text', 'as text'],
  ];

  it.each(cases)('%s %j', (type, text, value) => {
    expect(normalizeValue(text, type)).toEqual(value);
  });

  it('reads NULL (no VarCharValue) as null for every type', () => {
    for (const [type] of cases) expect(normalizeValue(undefined, type)).toBeNull();
  });
});

describe('nested values (array, map, row)', () => {
  const cases: [text: string, shape: 'array' | 'object', value: unknown][] = [
    ['[]', 'array', []],
    ['[1, 2, 3]', 'array', [1, 2, 3]],
    ['[1.5, null, -2]', 'array', [1.5, null, -2]],
    ['[a, b, c]', 'array', ['a', 'b', 'c']],
    ['[boleto, null, credit_card]', 'array', ['boleto', null, 'credit_card']],
    ['[09790, 7]', 'array', ['09790', 7]], // not spelled as a JSON number: stays text
    ['[[1, 2], [3]]', 'array', [[1, 2], [3]]],
    ['[[a, b], []]', 'array', [['a', 'b'], []]],
    ['[{x=1, y=a}, {x=2, y=b}]', 'array', [{ x: 1, y: 'a' }, { x: 2, y: 'b' }]],
    ['[9223372036854775807, 1]', 'array', ['9223372036854775807', 1]], // too long for a JS number: digits kept
    ['[NaN, Infinity]', 'array', ['NaN', 'Infinity']],
    ['["quoted", "json"]', 'array', ['quoted', 'json']],
    ['{}', 'object', {}],
    ['{a=1, b=2}', 'object', { a: 1, b: 2 }],
    ['{sp=São Paulo, rj=Rio de Janeiro}', 'object', { sp: 'São Paulo', rj: 'Rio de Janeiro' }],
    ['{k=null}', 'object', { k: null }],
    ['{order={id=o1, items=[1, 2]}, ok=true}', 'object', { order: { id: 'o1', items: [1, 2] }, ok: true }],
    ['{"a": 1}', 'object', { a: 1 }],
    // Not cleanly Trino's text form: Athena's text is kept rather than guessed at.
    ['[a, b', 'array', '[a, b'],
    ['{no equals sign}', 'object', '{no equals sign}'],
    ['[1,2]x', 'array', '[1,2]x'],
    ['{a=1}', 'array', '{a=1}'],
  ];

  it.each(cases)('%s', (text, shape, value) => {
    expect(readNested(text, shape)).toEqual(value);
  });

  it('cannot tell a string holding ", " from two items (documented limit)', () => {
    // ARRAY['a, b'] and ARRAY['a', 'b'] print the same: '[a, b]'. CAST(col AS JSON) is exact.
    expect(readNested('[a, b]', 'array')).toEqual(['a', 'b']);
  });
});
