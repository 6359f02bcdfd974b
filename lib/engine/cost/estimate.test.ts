import { describe, expect, it } from 'vitest';
import { athenaPrice, estimateAthenaCost, type FileStats, type TableFiles } from './estimate';

const MiB = 2 ** 20;
const pad = (n: number) => String(n).padStart(2, '0');

/** silver.orders: one 64 MiB file per month from 2016-09 to 2018-10 (26 files); 60 MiB of column data, 4 MiB of footer. */
const ordersFiles: FileStats[] = [];
for (let y = 2016; y <= 2018; y++) {
  for (let m = y === 2016 ? 9 : 1; m <= (y === 2018 ? 10 : 12); m++) {
    ordersFiles.push({
      bytes: 64 * MiB,
      partition: { year: String(y), month: pad(m), day: '01' },
      columnBytes: { order_id: 20 * MiB, customer_id: 20 * MiB, order_status: 4 * MiB, order_purchase_timestamp: 16 * MiB },
    });
  }
}

/** silver.order_items: one file per year, no column sizes. */
const itemsFiles: FileStats[] = [
  { bytes: 10_000_000, partition: { year: '2016' } },
  { bytes: 300_000_000, partition: { year: '2017' } },
  { bytes: 250_000_000, partition: { year: '2018' } },
];

const TABLES: TableFiles = {
  'silver.orders': ordersFiles,
  'silver.order_items': itemsFiles,
  'gold.dim_product': [{ bytes: 15_000_001 }],
};

describe('partition pruning', () => {
  it('year = \'2017\' reads the twelve files of 2017', () => {
    const e = estimateAthenaCost(`SELECT * FROM silver.orders WHERE year = '2017'`, TABLES);
    expect(e.tables).toEqual([
      { name: 'silver.orders', files: 12, filesTotal: 26, bytes: 805_306_368, bytesTotal: 1_744_830_464, prunedBy: ["year = '2017'"], evaluations: 1 },
    ]);
    expect(e.bytes).toBe(805_306_368);
    expect(e.billedBytes).toBe(805_306_368);
    expect(e.dollars).toBe(0.003663); // 805,306,368 / 2^40 × $5 = $0.003662109375, rounded up
    expect(e.unknownTables).toEqual([]);
  });

  it('year = 2017 AND month IN (\'01\',\'02\') reads two files', () => {
    const e = estimateAthenaCost(`SELECT * FROM silver.orders WHERE year = 2017 AND month IN ('01','02')`, TABLES);
    expect(e.tables[0]).toMatchObject({ files: 2, bytes: 134_217_728, prunedBy: ['year = 2017', "month IN ('01','02')"] });
    expect(e.dollars).toBe(0.000611); // $0.0006103515625
  });

  it('ignores a BETWEEN on a column that is not a partition column', () => {
    const e = estimateAthenaCost(
      `SELECT * FROM silver.orders WHERE order_purchase_timestamp BETWEEN TIMESTAMP '2017-01-01 00:00:00' AND TIMESTAMP '2017-02-01 00:00:00'`,
      TABLES,
    );
    expect(e.tables[0]).toMatchObject({ files: 26, bytes: 1_744_830_464, prunedBy: [] });
    expect(e.dollars).toBe(0.007935); // $0.0079345703125
  });

  it('prunes with BETWEEN and comparisons on partition columns, reading "01" and 1 alike', () => {
    const e = estimateAthenaCost(`SELECT * FROM silver.orders WHERE year = '2018' AND month BETWEEN 3 AND '05' AND month >= 1`, TABLES);
    expect(e.tables[0]).toMatchObject({ files: 3, bytes: 3 * 64 * MiB });
  });

  it('does not prune on a top-level OR, a function of the column, or a join condition — and says so', () => {
    const or = estimateAthenaCost(`SELECT * FROM silver.orders WHERE year = '2017' OR year = '2018'`, TABLES);
    expect(or.tables[0]).toMatchObject({ files: 26, bytes: 1_744_830_464 });
    expect(or.assumptions).toContain('A WHERE clause has OR at its top level: it prunes no partitions in this estimate.');
    expect(estimateAthenaCost(`SELECT * FROM silver.orders WHERE CAST(year AS integer) = 2017`, TABLES).tables[0]!.files).toBe(26);
    expect(estimateAthenaCost(`SELECT * FROM silver.orders o JOIN silver.order_items i ON o.year = '2017'`, TABLES).tables.map((t) => t.files)).toEqual([26, 3]);
  });

  it('applies qualified filters to the table they name, and leaves an ambiguous unqualified one alone', () => {
    const sql = `SELECT o.order_id, i.price FROM silver.orders o JOIN silver.order_items i ON o.order_id = i.order_id WHERE o.year = '2017' AND i.year = '2018'`;
    const e = estimateAthenaCost(sql, TABLES);
    expect(e.tables).toEqual([
      { name: 'silver.orders', alias: 'o', files: 12, filesTotal: 26, bytes: 12 * 24 * MiB, bytesTotal: 1_744_830_464, prunedBy: ["o.year = '2017'", 'columns order_id of 4'], evaluations: 1 },
      { name: 'silver.order_items', alias: 'i', files: 1, filesTotal: 3, bytes: 250_000_000, bytesTotal: 560_000_000, prunedBy: ["i.year = '2018'"], evaluations: 1 },
    ]);
    expect(e.bytes).toBe(301_989_888 + 250_000_000);

    const ambiguous = estimateAthenaCost(`SELECT * FROM silver.orders o JOIN silver.order_items i ON o.order_id = i.order_id WHERE year = '2017'`, TABLES);
    expect(ambiguous.tables.map((t) => t.files)).toEqual([26, 3]);
  });

  it('prunes each UNION branch and subquery by its own WHERE', () => {
    const sql = `SELECT order_id FROM silver.orders WHERE year = '2016'
                 UNION ALL SELECT order_id FROM (SELECT * FROM silver.orders WHERE year = '2018' AND month = '10') s`;
    const e = estimateAthenaCost(sql, TABLES);
    expect(e.tables.map((t) => [t.files, t.bytes])).toEqual([
      [4, 4 * 24 * MiB], // projection: order_id only
      [1, 64 * MiB], // SELECT * inside the subquery reads every column
    ]);
  });
});

describe('column projection', () => {
  it('reads only the columns the query mentions, plus each file’s overhead', () => {
    const e = estimateAthenaCost(`SELECT order_id, order_status FROM silver.orders WHERE year = '2018'`, TABLES);
    expect(e.tables[0]).toMatchObject({ files: 10, bytes: 293_601_280, prunedBy: ["year = '2018'", 'columns order_id, order_status of 4'] });
    expect(e.dollars).toBe(0.001336); // 280 MiB: $0.00133514404296875
  });

  it('reads every column for SELECT * and for alias.*', () => {
    expect(estimateAthenaCost(`SELECT * FROM silver.orders WHERE year = '2018'`, TABLES).bytes).toBe(10 * 64 * MiB);
    expect(estimateAthenaCost(`SELECT o.* FROM silver.orders o WHERE o.year = '2018'`, TABLES).bytes).toBe(10 * 64 * MiB);
  });
});

describe('pricing', () => {
  it('bills at least 10 MB per query', () => {
    const e = estimateAthenaCost(`SELECT count(*) FROM silver.orders WHERE year = '2016' AND month = '09'`, TABLES);
    expect(e.tables[0]).toMatchObject({ files: 1, bytes: 4 * MiB, prunedBy: ["year = '2016'", "month = '09'", 'no columns of 4 (file metadata only)'] });
    expect(e.bytes).toBe(4_194_304);
    expect(e.billedBytes).toBe(10_485_760);
    expect(e.dollars).toBe(0.000048); // $0.0000476837158203125
  });

  it('rounds the scan up to the next MB', () => {
    const e = estimateAthenaCost('SELECT * FROM gold.dim_product', TABLES);
    expect(e.bytes).toBe(15_000_001);
    expect(e.billedBytes).toBe(15_728_640);
    expect(e.dollars).toBe(0.000072); // $0.0000715255737304688
  });

  it('prices the real figure after the run the same way', () => {
    expect(athenaPrice(0)).toEqual({ billedBytes: 10_485_760, dollars: 0.000048 });
    expect(athenaPrice(2 ** 40)).toEqual({ billedBytes: 2 ** 40, dollars: 5 });
    expect(athenaPrice(3 * 2 ** 40 + 1)).toEqual({ billedBytes: 3 * 2 ** 40 + MiB, dollars: 15.000005 });
    expect(athenaPrice(123_456_789_012)).toEqual({ billedBytes: 123_457_241_088, dollars: 0.561419 }); // $0.56141853…
  });

  it('charges nothing for DDL', () => {
    const e = estimateAthenaCost(`ALTER TABLE silver.orders ADD IF NOT EXISTS PARTITION (year = '2019', month = '01', day = '01')`, TABLES);
    expect([e.bytes, e.billedBytes, e.dollars, e.tables]).toEqual([0, 0, 0, []]);
  });
});

describe('what it cannot see', () => {
  it('lists tables without statistics and says the estimate is low by them', () => {
    const e = estimateAthenaCost('SELECT * FROM silver.orders o JOIN bronze.raw_orders r ON o.order_id = r.order_id', TABLES);
    expect(e.unknownTables).toEqual(['bronze.raw_orders']);
    expect(e.assumptions).toContain('No statistics for bronze.raw_orders: its bytes are not in the estimate, so the estimate is low by that much.');
    expect(e.bytes).toBe(1_744_830_464);
  });

  it('matches catalog-qualified and unqualified names, taking the largest when ambiguous', () => {
    expect(estimateAthenaCost('SELECT * FROM awsdatacatalog.silver.order_items', TABLES).tables[0]!.name).toBe('silver.order_items');
    const both = { ...TABLES, 'gold.order_items': [{ bytes: 1 }] };
    const e = estimateAthenaCost('SELECT * FROM order_items', both);
    expect(e.tables[0]!.name).toBe('silver.order_items');
    expect(e.assumptions).toContain('order_items could be silver.order_items or gold.order_items; the estimate takes the largest, silver.order_items.');
  });

  it('counts a WITH query’s tables once per reference', () => {
    const e = estimateAthenaCost(
      `WITH y AS (SELECT * FROM silver.orders WHERE year = '2016') SELECT * FROM y a JOIN y b ON a.order_id = b.order_id`,
      TABLES,
    );
    expect(e.tables[0]).toMatchObject({ files: 4, evaluations: 2, bytes: 2 * 4 * 64 * MiB });
  });

  it('always states the pricing it used', () => {
    expect(estimateAthenaCost('SELECT 1', TABLES).assumptions[0]).toBe(
      'Athena bills $5 per TB (1099511627776 bytes) scanned, rounded up to 1048576 bytes, at least 10485760 bytes per query.',
    );
  });
});
