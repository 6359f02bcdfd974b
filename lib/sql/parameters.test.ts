import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBEngine, closeDuckDB } from '../engine/duckdb/engine';
import { isKeystoneError } from '../errors';
import { bindValues, compileTemplate, parametersFor, templateNames, validateParameters } from './parameters';
import { bindSql } from './run';

const HOSTILE = "O'Brien'; DROP TABLE victims; --";

describe('{{name}} templates', () => {
  it('finds names outside comments and strings, in order of first use', () => {
    const sql = `SELECT * FROM t -- {{in_comment}}
      WHERE a = {{first}} AND b = '{{second}}' AND c = 'text {{not_a_param}}' /* {{also_comment}} */ AND d = {{ first }}`;
    expect(templateNames(sql)).toEqual(['first', 'second']);
  });

  it('compiles to numbered placeholders with casts for typed parameters', () => {
    const c = compileTemplate('SELECT * FROM t WHERE d >= {{start_date}} AND d < {{end_date}} AND name = {{who}} AND d <> {{start_date}} LIMIT {{n}}', [
      { name: 'start_date', type: 'date' },
      { name: 'end_date', type: 'date' },
      { name: 'n', type: 'integer' },
    ]);
    expect(c.sql).toBe('SELECT * FROM t WHERE d >= CAST($1 AS DATE) AND d < CAST($2 AS DATE) AND name = $3 AND d <> CAST($1 AS DATE) LIMIT CAST($4 AS BIGINT)');
    expect(c.order).toEqual(['start_date', 'end_date', 'who', 'n']);
  });

  it('compiles to ? in order of use for Athena', () => {
    const c = compileTemplate("SELECT {{a}}, '{{b}}', {{a}}", [], 'qmark');
    expect(c.sql).toBe('SELECT ?, ?, ?');
    expect(c.order).toEqual(['a', 'b', 'a']);
  });

  it('refuses mixing {{names}} with ? parameters', () => {
    expect(() => compileTemplate('SELECT {{a}}, ?')).toThrow(/not both/);
  });

  it('leaves SQL without templates alone', () => {
    expect(compileTemplate("SELECT '{{x' || '}}'")).toEqual({ sql: "SELECT '{{x' || '}}'", order: [] });
  });

  it('declares undeclared names as strings, keeping declared types', () => {
    expect(parametersFor('SELECT {{a}}, {{b}}', [{ name: 'b', type: 'integer', default: '3' }])).toEqual([
      { name: 'a', type: 'string' },
      { name: 'b', type: 'integer', default: '3' },
    ]);
  });
});

describe('binding values', () => {
  const params = [
    { name: 's', type: 'string' as const },
    { name: 'i', type: 'integer' as const },
    { name: 'x', type: 'number' as const },
    { name: 'd', type: 'date' as const, default: '2017-01-01' },
    { name: 't', type: 'timestamp' as const },
    { name: 'b', type: 'boolean' as const },
  ];

  it('types each value and keeps strings verbatim', () => {
    expect(bindValues(['s', 'i', 'x', 'd', 't', 'b'], params, { s: HOSTILE, i: '42', x: '2.5', d: '2018-02-28', t: '2018-02-28T10:11:12', b: 'true' })).toEqual([
      HOSTILE,
      42,
      2.5,
      '2018-02-28',
      '2018-02-28 10:11:12',
      true,
    ]);
  });

  it('uses defaults for missing values and names a parameter without one', () => {
    expect(bindValues(['d'], params, {})).toEqual(['2017-01-01']);
    expect(() => bindValues(['i'], params, {})).toThrow(/The parameter i needs a value/);
  });

  it('refuses values of the wrong type with a message a person can act on', () => {
    expect(() => bindValues(['i'], params, { i: '4.5' })).toThrow(/i must be a whole number/);
    expect(() => bindValues(['d'], params, { d: '2017-02-30' })).toThrow(/d must be a date \(YYYY-MM-DD\)/);
    expect(() => bindValues(['d'], params, { d: "2017-01-01'; DROP TABLE x; --" })).toThrow(/must be a date/);
    expect(() => bindValues(['b'], params, { b: 'maybe' })).toThrow(/true or false/);
    expect(() => bindValues(['x'], params, { x: 'NaN' })).toThrow(/a number/);
  });

  it('validates a declared parameter list against the SQL', () => {
    expect(validateParameters('SELECT {{a}}', [{ name: 'a', type: 'date', default: '2017-01-01', label: 'From' }])).toEqual([
      { name: 'a', type: 'date', default: '2017-01-01', label: 'From' },
    ]);
    expect(() => validateParameters('SELECT 1', [{ name: 'a', type: 'string' }])).toThrow(/does not use \{\{a\}\}/);
    expect(() => validateParameters('SELECT {{a}}', [{ name: 'a', type: 'date', default: 'soon' }])).toThrow(/must be a date/);
    expect(() => validateParameters('SELECT {{a}}', [{ name: 'a', type: 'string' }, { name: 'a', type: 'string' }])).toThrow(/declared twice/);
    expect(() => validateParameters('SELECT 1', [{ name: 'bad name', type: 'string' }])).toThrow(/not a parameter name/);
  });
});

describe('bound, never spliced (DuckDB)', () => {
  let engine: DuckDBEngine;
  beforeAll(async () => {
    engine = new DuckDBEngine();
    await engine.execute('CREATE OR REPLACE TABLE victims AS SELECT range AS id, DATE \'2017-01-01\' + CAST(range AS INTEGER) AS d FROM range(5)');
  });
  afterAll(async () => {
    await engine.close();
    await closeDuckDB();
  });

  it(`returns ${HOSTILE} verbatim and drops nothing`, async () => {
    const b = bindSql('SELECT {{name}} AS name, length({{name}}) AS n, (SELECT count(*) FROM victims) AS victims', [], { name: HOSTILE }, 'duckdb');
    expect(b.sql).not.toContain('Brien');
    const r = await engine.query(b.sql, { params: b.params });
    expect(r.rows).toEqual([[HOSTILE, String(HOSTILE.length), '5']]);
    // The same with the placeholder written inside quotes, as people do for strings.
    const quoted = bindSql("SELECT '{{name}}' AS name", [], { name: HOSTILE }, 'duckdb');
    expect((await engine.query(quoted.sql, { params: quoted.params })).rows).toEqual([[HOSTILE]]);
    expect((await engine.query('SELECT count(*) FROM victims')).rows).toEqual([['5']]);
  });

  it('binds typed parameters that DuckDB casts (dates, integers in LIMIT)', async () => {
    const b = bindSql(
      'SELECT id FROM victims WHERE d >= {{start_date}} AND d < {{end_date}} ORDER BY id LIMIT {{n}}',
      [
        { name: 'start_date', type: 'date' },
        { name: 'end_date', type: 'date' },
        { name: 'n', type: 'integer' },
      ],
      { start_date: '2017-01-02', end_date: '2017-01-05', n: '2' },
      'duckdb',
    );
    expect((await engine.query(b.sql, { params: b.params })).rows).toEqual([['1'], ['2']]);
  });

  it('a value never becomes SQL even when it looks like a placeholder', async () => {
    const b = bindSql('SELECT {{a}} AS a, {{b}} AS b', [], { a: '{{b}}', b: '$1' }, 'duckdb');
    expect((await engine.query(b.sql, { params: b.params })).rows).toEqual([['{{b}}', '$1']]);
  });

  it('refuses a missing value before the engine sees the SQL', () => {
    const e = (() => {
      try {
        bindSql('SELECT {{a}}', [], {}, 'duckdb');
      } catch (err) {
        return err;
      }
    })();
    expect(isKeystoneError(e, 'bad_request')).toBe(true);
  });
});

describe('errors across module copies (Next.js bundles each route apart)', () => {
  it('a KeystoneError from another copy of lib/errors is still a KeystoneError', async () => {
    const { vi } = await import('vitest');
    const { KeystoneError, isKeystoneError } = await import('../errors');
    vi.resetModules();
    const other = await import('../errors');
    expect(other.KeystoneError).not.toBe(KeystoneError);
    const e = new other.KeystoneError('forbidden:sql', 'Refused');
    expect(e instanceof KeystoneError).toBe(true);
    expect(isKeystoneError(e, 'forbidden')).toBe(true);
    expect(new Error('plain') instanceof KeystoneError).toBe(false);
  });
});
