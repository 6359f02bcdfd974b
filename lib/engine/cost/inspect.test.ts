import { describe, expect, it } from 'vitest';
import { inspectSql } from './inspect';
import { countPlaceholders, tokenize } from './tokenize';

const tables = (sql: string) => inspectSql(sql).tables.map((t) => [t.parts.join('.'), t.alias ?? null, t.times]);
const filters = (sql: string) => inspectSql(sql).filters.map((f) => [f.qualifier ?? null, f.column, f.op, f.values.map((v) => v.text), f.text]);

describe('tokenize', () => {
  it('keeps strings, quoted names and comments from fooling it', () => {
    const tokens = tokenize(`SELECT 'it''s -- not a comment' AS "Weird ""name""", x -- a comment\n/* block ? */ FROM t`);
    expect(tokens.map((t) => [t.kind, t.value])).toEqual([
      ['word', 'select'],
      ['string', "it's -- not a comment"],
      ['word', 'as'],
      ['ident', 'weird "name"'],
      ['punct', ','],
      ['word', 'x'],
      ['word', 'from'],
      ['word', 't'],
    ]);
  });

  it('tracks depth and the enclosing parenthesis', () => {
    const tokens = tokenize('a (b (c) d) e');
    expect(tokens.map((t) => [t.value, t.depth, t.scope])).toEqual([
      ['a', 0, -1],
      ['(', 0, -1],
      ['b', 1, 1],
      ['(', 1, 1],
      ['c', 2, 3],
      [')', 1, 1],
      ['d', 1, 1],
      [')', 0, -1],
      ['e', 0, -1],
    ]);
  });

  it('never throws on unterminated input', () => {
    expect(tokenize("SELECT 'open").map((t) => t.value)).toEqual(['select', 'open']);
    expect(tokenize('SELECT /* open').map((t) => t.value)).toEqual(['select']);
    expect(tokenize('SELECT ((').map((t) => t.value)).toEqual(['select', '(', '(']);
  });

  it('counts ? placeholders outside strings, names and comments', () => {
    expect(countPlaceholders(`SELECT '?', "?" FROM t -- ?\nWHERE a = ? AND b IN (?, ?) /* ? */`)).toBe(3);
  });
});

describe('table references', () => {
  it('finds FROM and JOIN tables with their aliases', () => {
    expect(
      tables(`SELECT * FROM silver.orders o JOIN silver.order_items AS i ON o.order_id = i.order_id LEFT JOIN gold.dim_customer c ON c.id = o.customer_id`),
    ).toEqual([
      ['silver.orders', 'o', 1],
      ['silver.order_items', 'i', 1],
      ['gold.dim_customer', 'c', 1],
    ]);
  });

  it('reads comma joins, quoted and catalog-qualified names', () => {
    expect(tables(`SELECT 1 FROM "silver"."Orders" o, awsdatacatalog.silver.customers, gold.x WHERE 1 = 1`)).toEqual([
      ['silver.orders', 'o', 1],
      ['awsdatacatalog.silver.customers', null, 1],
      ['gold.x', null, 1],
    ]);
  });

  it('looks inside subqueries and parenthesised joins, and skips UNNEST', () => {
    expect(
      tables(`SELECT * FROM (SELECT * FROM silver.orders) o CROSS JOIN UNNEST(o.tags) AS t(tag) JOIN (silver.a x JOIN silver.b y ON x.id = y.id) ON true`),
    ).toEqual([
      ['silver.orders', null, 1],
      ['silver.a', 'x', 1],
      ['silver.b', 'y', 1],
    ]);
  });

  it('does not take EXTRACT(… FROM …) or SHOW … FROM for a table', () => {
    expect(tables(`SELECT EXTRACT(year FROM order_purchase_timestamp) FROM silver.orders`)).toEqual([['silver.orders', null, 1]]);
    expect(tables(`SHOW TABLES FROM silver`)).toEqual([]);
  });

  it('treats WITH queries as names, counting their tables once per reference', () => {
    const sql = `WITH recent AS (SELECT * FROM silver.orders WHERE year = '2018'),
      twice AS (SELECT * FROM recent UNION ALL SELECT * FROM recent)
      SELECT * FROM twice t1 JOIN twice t2 ON t1.order_id = t2.order_id JOIN gold.x ON true`;
    expect(tables(sql)).toEqual([
      ['silver.orders', null, 4],
      ['gold.x', null, 1],
    ]);
    expect(inspectSql(sql).notes).toEqual([
      'WITH query twice is referenced 2 times; Athena evaluates it each time, so its tables count 2 times.',
      'WITH query recent is referenced 4 times; Athena evaluates it each time, so its tables count 4 times.',
    ]);
  });

  it('is not fooled by a CTAS WITH (properties)', () => {
    const sql = `CREATE TABLE gold.f WITH (format = 'PARQUET', partitioned_by = ARRAY['year']) AS SELECT * FROM silver.orders WHERE year = '2017'`;
    expect(tables(sql)).toEqual([['silver.orders', null, 1]]);
    expect(inspectSql(sql).ddl).toBe(false);
  });

  it('recognises statements that scan nothing', () => {
    expect(inspectSql('CREATE EXTERNAL TABLE silver.x (a int) LOCATION \'s3://b/x/\'').ddl).toBe(true);
    expect(inspectSql('ALTER TABLE silver.orders ADD PARTITION (year = \'2017\')').ddl).toBe(true);
    expect(inspectSql('MSCK REPAIR TABLE silver.orders').ddl).toBe(true);
    expect(inspectSql('CREATE OR REPLACE VIEW gold.v AS SELECT * FROM silver.orders').ddl).toBe(true);
    expect(inspectSql('SELECT 1').ddl).toBe(false);
  });
});

describe('WHERE filters', () => {
  it('reads the simple forms', () => {
    expect(
      filters(
        `SELECT * FROM t WHERE year = '2017' AND 12 >= month AND o.day IN ('01', '02') AND price BETWEEN 1 AND 2.5 AND n < -3 AND x LIKE 'a%' AND lower(y) = 'b'`,
      ),
    ).toEqual([
      [null, 'year', '=', ['2017'], "year = '2017'"],
      [null, 'month', '<=', ['12'], '12 >= month'],
      ['o', 'day', 'in', ['01', '02'], "o.day IN ('01', '02')"],
      [null, 'price', 'between', ['1', '2.5'], 'price BETWEEN 1 AND 2.5'],
      [null, 'n', '<', ['-3'], 'n < -3'],
    ]);
  });

  it('gives up on a WHERE with a top-level OR, but not on an OR inside parentheses', () => {
    const or = inspectSql(`SELECT * FROM t WHERE year = '2017' OR month = '01'`);
    expect(or.filters).toEqual([]);
    expect(or.notes).toEqual(['A WHERE clause has OR at its top level: it prunes no partitions in this estimate.']);
    expect(filters(`SELECT * FROM t WHERE (a = 1 OR b = 2) AND year = '2017'`)).toEqual([[null, 'year', '=', ['2017'], "year = '2017'"]]);
  });

  it('stops at GROUP BY / ORDER BY / LIMIT and keeps each query level and UNION branch apart', () => {
    const i = inspectSql(`SELECT * FROM (SELECT * FROM a WHERE year = '2016') s WHERE month = '02' GROUP BY 1 UNION ALL SELECT * FROM b WHERE day = '03' ORDER BY 1 LIMIT 5`);
    expect(i.filters.map((f) => [f.text, f.scope === -1 ? 'top' : 'sub', f.branch])).toEqual([
      ["year = '2016'", 'sub', 0],
      ["month = '02'", 'top', 0],
      ["day = '03'", 'top', 1],
    ]);
    expect(i.tables.map((t) => [t.parts.join('.'), t.scope === -1 ? 'top' : 'sub', t.branch])).toEqual([
      ['a', 'sub', 0],
      ['b', 'top', 1],
    ]);
  });
});

describe('columns', () => {
  it('collects names and tells SELECT * from count(*) and a * b', () => {
    expect([...inspectSql('SELECT count(*), a * b FROM t').starLevels]).toEqual([]);
    expect([...inspectSql('SELECT * FROM t').starLevels]).toEqual(['-1:0']);
    expect([...inspectSql('SELECT DISTINCT * FROM t').starLevels]).toEqual(['-1:0']);
    expect([...inspectSql('SELECT a FROM t UNION SELECT * FROM (SELECT a, b FROM u)').starLevels]).toEqual(['-1:1']);
    const q = inspectSql('SELECT o.*, i.price FROM t o JOIN u i ON true');
    expect([...q.starLevels]).toEqual([]);
    expect([...q.starQualifiers]).toEqual(['o']);
    expect(q.names.has('price')).toBe(true);
  });
});
