/**
 * Bad input never loses data and never half-lands: each case below gets a clear error or a quarantine
 * entry, and what was already in the lake stays as it was.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDatasets } from '../catalog/versions';
import { createTestLake, type TestLake } from '../../test/support/lake';
import { runJob } from './jobs';

let lake: TestLake;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-bad-'));
const ORDERS_HEADER = 'order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date';
const good = (i: number) => `o${String(i).padStart(31, '0')},c${String(i).padStart(31, '0')},delivered,2018-01-${String((i % 28) + 1).padStart(2, '0')} 10:00:00,,,,2018-02-01 00:00:00`;

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

async function ingest(p: string, displayName = path.basename(p), dataset?: string) {
  return runJob(lake.ctx, 'bronze', { files: [{ path: p, displayName, ...(dataset ? { dataset } : {}) }] });
}

/** Everything visible in the lake: each dataset's current version. */
async function snapshot() {
  return (await listDatasets(lake.ctx.catalog.db)).map((d) => `${d.layer}.${d.name}@${d.currentVersionId}`).sort();
}

beforeAll(async () => {
  lake = await createTestLake();
  const seed = await ingest(file('orders.csv', [ORDERS_HEADER, good(1), good(2), good(3)].join('\n') + '\n'));
  expect(seed.status).toBe('succeeded');
  const s = await runJob(lake.ctx, 'silver');
  expect(s.status).toBe('succeeded');
}, 180_000);

afterAll(async () => {
  await lake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('files that cannot be ingested are refused with a clear error and change nothing', { timeout: 120_000 }, () => {
  it.each([
    ['an empty file', 'empty.csv', '', /empty/i],
    ['a binary file named .csv', 'picture.csv', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.alloc(2000, 7)]), /binary/i],
    ['a header-only file', 'header-only.csv', ORDERS_HEADER + '\n', /header but no data rows/],
    ['a header with a duplicated column', 'dup-header.csv', 'a,b,a\n1,2,3\n', /a/],
  ])('%s', async (_what, name, content, message) => {
    const before = await snapshot();
    const r = await ingest(file(name, content));
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(message);
    expect(r.error).toContain(name);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a dataset name with quotes or ../, before anything is written', async () => {
    const before = await snapshot();
    for (const bad of [`x"; drop table datasets; --`, '../../etc', "o'brien"]) {
      const r = await ingest(file('sales.csv', 'region,amount\nnorth,10\n'), 'sales.csv', bad);
      expect(r.status).toBe('failed');
      expect(r.error).toMatch(/not a valid dataset name/);
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('rows that cannot be used are kept in bronze and quarantined in silver', { timeout: 180_000 }, () => {
  it('ragged rows and an unbalanced quote cost only their own records', async () => {
    const lines = [ORDERS_HEADER, good(10), `o${'1'.repeat(31)},too,few`, good(11), `"o${'2'.repeat(31)},c1,delivered,2018-01-05 10:00:00,,,,2018-02-01 00:00:00`, good(12), good(13) + ',extra'];
    const r = await ingest(file('ragged-orders.csv', lines.join('\n') + '\n'));
    expect(r.status).toBe('succeeded');
    expect(r.ingested[0]!.rows).toBe(6);
    const bronze = await lake.sql(`SELECT _source_row, _parse_error IS NOT NULL FROM bronze.orders WHERE _source_file = 'ragged-orders.csv' ORDER BY 1`);
    expect(bronze.map(([row, bad]) => [Number(row), bad])).toEqual([
      [1, false],
      [2, true],
      [3, false],
      [4, true],
      [5, false],
      [6, true],
    ]);
    const s = await runJob(lake.ctx, 'silver');
    expect(s.status).toBe('succeeded');
    const orders = s.silver.find((t) => t.table === 'orders')!;
    expect([orders.rowsIn, orders.rowsOut, orders.quarantined]).toEqual([6, 3, 3]);
    const q = await lake.sql(`SELECT _source_row, reason, raw_value IS NOT NULL, detail FROM silver.quarantine WHERE _source_file = 'ragged-orders.csv' ORDER BY 1`);
    expect(q.map((r) => [Number(r[0]), r[1], r[2]])).toEqual([
      [2, 'malformed', true],
      [4, 'malformed', true],
      [6, 'malformed', true],
    ]);
    expect(String(q[0]![3])).toMatch(/expected 8 fields, found 3/);
  });

  it('Latin-1 text is read as the characters it means', async () => {
    const header = 'seller_id,seller_zip_code_prefix,seller_city,seller_state';
    const content = Buffer.from(`${header}\ns${'0'.repeat(31)},01310,São Paulo,SP\ns${'1'.repeat(31)},20040,Niterói,RJ\n`, 'latin1');
    const r = await ingest(file('sellers-latin1.csv', content));
    expect(r.status).toBe('succeeded');
    expect((await lake.sql(`SELECT seller_city FROM bronze.sellers ORDER BY seller_id`)).map((x) => x[0])).toEqual(['São Paulo', 'Niterói']);
    await runJob(lake.ctx, 'silver');
    expect((await lake.sql(`SELECT seller_city, seller_zip_code_prefix FROM silver.sellers ORDER BY seller_id`))).toEqual([
      ['sao paulo', '01310'],
      ['niteroi', '20040'],
    ]);
  });

  it('a file that turns out to be Latin-1 only after its first 64 KiB is still read correctly', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `r${i},plain ascii text number ${i}`);
    const content = Buffer.concat([Buffer.from(`code,label\n${rows.join('\n')}\n`, 'latin1'), Buffer.from('last,Goiânia\n', 'latin1')]);
    expect(content.length).toBeGreaterThan(64 * 1024);
    const r = await ingest(file('late-latin1.csv', content), 'late-latin1.csv', 'labels');
    expect(r.status).toBe('succeeded');
    expect(await lake.sql(`SELECT label FROM bronze.labels WHERE code = 'last'`)).toEqual([['Goiânia']]);
  });

  it('a single 50 MB line is refused for that record only, with the reason', async () => {
    const huge = 'x'.repeat(50 * 1024 * 1024);
    const p = path.join(dir, 'huge-line.csv');
    fs.writeFileSync(p, `note,amount\n"${huge}",1\nsmall,2\n`);
    const r = await ingest(p, 'huge-line.csv', 'notes');
    expect(r.status).toBe('succeeded');
    const rows = await lake.sql(`SELECT _source_row, length(note), _parse_error FROM bronze.notes ORDER BY 1`);
    expect(Number(rows[0]![0])).toBe(1);
    expect(rows[0]![2]).toMatch(/larger than/i);
    expect(rows[1]!.slice(0, 2).map(Number)).toEqual([2, 5]);
  });

  it('a header that matches no Olist table becomes a generic dataset that still flows to silver, gzip too', async () => {
    const csv = 'Region,Amount,Sold At\nnorth,10,2018-01-01 10:00:00\nsouth,12,2018-01-02 11:00:00\nnorth,10,2018-01-01 10:00:00\n';
    const r = await ingest(file('Regional Sales.csv.gz', zlib.gzipSync(csv)));
    expect(r.status).toBe('succeeded');
    expect(r.ingested[0]).toMatchObject({ dataset: 'regional_sales', table: null, rows: 3 });
    const s = await runJob(lake.ctx, 'silver');
    const t = s.silver.find((x) => x.table === 'regional_sales')!;
    expect([t.rowsIn, t.rowsOut, t.duplicates, t.quarantined]).toEqual([3, 2, 1, 0]);
    const typed = await lake.sql(`SELECT typeof(amount), typeof(sold_at) FROM silver.regional_sales LIMIT 1`);
    expect(typed[0]).toEqual(['BIGINT', 'TIMESTAMP']);
  });

  it('a column that changes type between two uploads quarantines the rows that no longer fit', async () => {
    const r = await ingest(file('regional-sales-2.csv', 'Region,Amount,Sold At\neast,lots,2018-01-03 09:00:00\nwest,7,2018-01-03 10:00:00\n'), 'regional-sales-2.csv', 'regional_sales');
    expect(r.status).toBe('succeeded');
    const s = await runJob(lake.ctx, 'silver');
    const t = s.silver.find((x) => x.table === 'regional_sales')!;
    expect([t.rowsIn, t.rowsOut, t.quarantined]).toEqual([2, 1, 1]);
    const q = await lake.sql(`SELECT column_name, raw_value, reason FROM silver.quarantine WHERE table_name = 'regional_sales'`);
    expect(q).toEqual([['amount', 'lots', 'uncastable']]);
  });

  it('the same file uploaded twice is stored once', async () => {
    const p = file('orders-twice.csv', [ORDERS_HEADER, good(40), good(41)].join('\n') + '\n');
    const a = await ingest(p, 'first upload.csv');
    const b = await ingest(p, 'second upload.csv');
    expect(a.ingested[0]!.status).toBe('ingested');
    expect(b.ingested[0]!.status).toBe('duplicate');
    expect(b.ingested[0]!.ingestId).toBe(a.ingested[0]!.ingestId);
    const [[n]] = (await lake.sql(`SELECT count(*) FROM bronze.orders WHERE _source_file IN ('first upload.csv', 'second upload.csv')`)) as [[unknown]];
    expect(Number(n)).toBe(2);
  });
});
