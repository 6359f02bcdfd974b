/**
 * Uploads end to end below the HTTP layer: bytes streamed into staging, previewed, committed to bronze
 * as a recorded run, or refused — and a refused or cut-off upload leaves nothing behind.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingests, jobRuns, lineageEdges, uploads } from '../../db/schema';
import { getDataset } from '../catalog/versions';
import { startRun } from '../catalog/runs';
import { KeystoneError } from '../errors';
import { createTestLake, type TestLake } from '../../test/support/lake';
import { commitUploads } from './commit';
import { discardUpload, getUpload, listPendingUploads, receiveUpload, stagingKeyFor } from './uploads';

let lake: TestLake;

const ORDERS_HEADER = 'order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date';
const order = (i: number) => `o${String(i).padStart(31, '0')},c${String(i).padStart(31, '0')},delivered,2018-01-${String((i % 28) + 1).padStart(2, '0')} 10:00:00,,,,2018-02-01 00:00:00`;
const ORDERS = [ORDERS_HEADER, ...Array.from({ length: 25 }, (_, i) => order(i + 1))].join('\n') + '\n';

function chunks(text: string | Buffer, size = 7): AsyncIterable<Uint8Array> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return (async function* () {
    for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
  })();
}

async function refused(p: Promise<unknown>): Promise<KeystoneError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KeystoneError);
    return e as KeystoneError;
  }
  throw new Error('expected a refusal');
}

/** Objects under the bronze bucket's upload area, and temp files left in the bucket. */
async function leftovers(): Promise<{ objects: string[]; temp: string[] }> {
  const objects: string[] = [];
  for await (const o of lake.ctx.storage.listAll(lake.ctx.bucket('bronze'), '_uploads/')) objects.push(o.key);
  const tmp = path.join(lake.dataDir, 'lake', lake.ctx.bucket('bronze'), '.tmp-keystone');
  const temp = fs.existsSync(tmp) ? fs.readdirSync(tmp) : [];
  return { objects, temp };
}

beforeAll(async () => {
  lake = await createTestLake();
}, 120_000);
afterAll(async () => {
  await lake?.close();
});

describe('receiving an upload', { timeout: 60_000 }, () => {
  it('streams an Olist file into staging under a key made from its id, and previews it', async () => {
    const u = await receiveUpload(lake.ctx, { fileName: 'my orders (copy).csv', body: chunks(ORDERS), expectedBytes: Buffer.byteLength(ORDERS), userId: null });
    expect(u.status).toBe('received');
    expect(u.bytes).toBe(Buffer.byteLength(ORDERS));
    expect(u.sha256).toBe(crypto.createHash('sha256').update(ORDERS).digest('hex'));
    expect(u.detectedTable).toBe('orders');
    expect(u.detectedFormat).toBe('csv');
    expect(u.preview?.dataset).toBe('orders');
    expect(u.preview?.rows).toHaveLength(10);
    expect(u.preview?.rows[0]?.[0]).toBe(`o${'1'.padStart(31, '0')}`);
    // Types are the contract's: what silver will make of the text.
    expect(u.preview?.columns.map((c) => `${c.name}:${c.type}`)).toContain('order_purchase_timestamp:timestamp');
    expect(u.preview?.columns.map((c) => `${c.name}:${c.type}`)).toContain('order_estimated_delivery_date:date');
    const [row] = await lake.ctx.catalog.db.select().from(uploads).where(eq(uploads.id, u.id));
    expect(row!.stagingKey).toBe(stagingKeyFor(u.id));
    expect(row!.stagingKey).not.toContain('orders');
    expect((await leftovers()).objects).toContain(stagingKeyFor(u.id));
    expect((await listPendingUploads(lake.ctx.catalog.db)).map((p) => p.id)).toContain(u.id);
  });

  it('infers the types of a generic file and suggests a dataset name from the file name', async () => {
    const csv = 'Store ID;Amount;Sold At;Note\n1;12.50;2024-01-02 10:00:00;first\n2;3;2024-01-03;\n3;-4.25;2024-01-04 11:30:00;third\n';
    const u = await receiveUpload(lake.ctx, { fileName: 'Sales 2024 (final).csv', body: chunks(csv), userId: null });
    expect(u.detectedTable).toBeNull();
    expect(u.preview?.delimiter).toBe(';');
    expect(u.preview?.dataset).toBe('sales_2024_final');
    expect(u.preview?.columns.map((c) => [c.source, c.name, c.type])).toEqual([
      ['Store ID', 'store_id', 'integer'],
      ['Amount', 'amount', 'double'],
      ['Sold At', 'sold_at', 'timestamp'],
      ['Note', 'note', 'string'],
    ]);
    await discardUpload(lake.ctx, u.id);
  });

  it.each([
    ['0 bytes announced', 'empty.csv', '', 0, /empty \(0 bytes\)/],
    ['0 bytes sent', 'empty2.csv', '', undefined, /empty \(0 bytes\)/],
    ['a binary file', 'photo.csv', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]), Buffer.alloc(5000, 3)]), undefined, /binary file/],
    ['a header without rows', 'header.csv', ORDERS_HEADER + '\n', undefined, /header but no data rows/],
  ])('refuses %s with a clear message and keeps nothing', async (_what, name, content, expectedBytes, message) => {
    const before = await leftovers();
    const e = await refused(receiveUpload(lake.ctx, { fileName: name, body: chunks(content), ...(expectedBytes !== undefined ? { expectedBytes } : {}), userId: null }));
    expect(e.kind).toBe('bad_request');
    expect(e.message).toMatch(message);
    expect(e.message).toContain(name);
    expect(await leftovers()).toEqual(before);
    const rows = await lake.ctx.catalog.db.select().from(uploads).where(eq(uploads.fileName, name));
    for (const r of rows) {
      expect(r.status).toBe('failed');
      expect(r.error).toMatch(message);
    }
  });

  it('refuses "../" and control-character names before reading a byte', async () => {
    let read = false;
    const body = (async function* () {
      read = true;
      yield Buffer.from(ORDERS);
    })();
    for (const name of ['../../etc/passwd', 'evil\u0001.csv']) {
      const e = await refused(receiveUpload(lake.ctx, { fileName: name, body, userId: null }));
      expect(e.code).toBe('bad_request:file_name');
    }
    expect(read).toBe(false);
    expect(await lake.ctx.catalog.db.select().from(uploads).where(eq(uploads.fileName, '../../etc/passwd'))).toEqual([]);
  });

  it('an upload cut off half-way leaves nothing visible: no object, no temp file, status failed', async () => {
    const before = await leftovers();
    const half = Buffer.from(ORDERS).subarray(0, 400);
    // The connection dies: the body stream errors.
    const dying = (async function* () {
      yield half;
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    })();
    const e1 = await refused(receiveUpload(lake.ctx, { fileName: 'cut.csv', body: dying, expectedBytes: Buffer.byteLength(ORDERS), userId: null }));
    expect(e1.code).toBe('bad_request:upload_incomplete');
    expect(e1.message).toMatch(/cut\.csv was cut off after 400 of [\d,]+ bytes; nothing was kept/);
    // The body just ends early, without an error: the announced length catches it.
    const e2 = await refused(receiveUpload(lake.ctx, { fileName: 'short.csv', body: chunks(half), expectedBytes: Buffer.byteLength(ORDERS), userId: null }));
    expect(e2.code).toBe('bad_request:upload_incomplete');
    expect(await leftovers()).toEqual(before);
    const rows = await lake.ctx.catalog.db.select().from(uploads).where(eq(uploads.fileName, 'cut.csv'));
    expect(rows.map((r) => r.status)).toEqual(['failed']);
    expect((await listPendingUploads(lake.ctx.catalog.db)).map((p) => p.fileName)).not.toContain('cut.csv');
  });

  it('streams a large body with flat memory (the file is never held whole)', async () => {
    const size = 256 * 1024 * 1024;
    const line = Buffer.from(order(7) + '\n');
    const block = Buffer.concat([Buffer.from(ORDERS_HEADER + '\n'), Buffer.alloc(0)]);
    const body = Readable.from(
      (async function* () {
        yield block;
        let sent = block.length;
        const chunk = Buffer.concat(Array.from({ length: Math.ceil(65536 / line.length) }, () => line));
        while (sent + chunk.length <= size) {
          yield chunk;
          sent += chunk.length;
        }
      })(),
    );
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const u = await receiveUpload(lake.ctx, { fileName: 'big-orders.csv', body, userId: null });
    clearInterval(timer);
    expect(u.status).toBe('received');
    expect(u.bytes).toBeGreaterThan(size - 65536 * 2);
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
    await discardUpload(lake.ctx, u.id);
  });
});

describe('committing uploads', { timeout: 120_000 }, () => {
  it('ingests into bronze as one recorded run with lineage from the upload, then drops the staged bytes', async () => {
    const u = await receiveUpload(lake.ctx, { fileName: 'orders-2018.csv', body: chunks(ORDERS), userId: null });
    let started: string | undefined;
    const r = await commitUploads(lake.ctx, [{ uploadId: u.id }], { onStart: (id) => (started = id) });
    expect(r.status).toBe('succeeded');
    expect(started).toBe(r.runId);
    expect(r.outcomes).toEqual([expect.objectContaining({ uploadId: u.id, status: 'committed', dataset: 'bronze.orders', rows: 25 })]);
    const after = await getUpload(lake.ctx.catalog.db, u.id);
    expect(after?.status).toBe('committed');
    expect(after?.ingestId).toBe(r.outcomes[0]!.ingestId);
    const [ingest] = await lake.ctx.catalog.db.select().from(ingests).where(eq(ingests.id, after!.ingestId!));
    expect(ingest).toMatchObject({ sourceKind: 'upload', sourceName: 'orders-2018.csv', uploadId: u.id, rowCount: 25 });
    const [run] = await lake.ctx.catalog.db.select().from(jobRuns).where(eq(jobRuns.id, r.runId));
    expect(run).toMatchObject({ job: 'bronze', status: 'succeeded', rowsOut: 25 });
    const edges = await lake.ctx.catalog.db.select().from(lineageEdges).where(eq(lineageEdges.runId, r.runId));
    expect(edges.map((e) => `${e.direction} ${e.namespace} ${e.name}`).sort()).toEqual(['input upload orders-2018.csv', `output keystone://${lake.ctx.bucket('bronze')} bronze.orders`]);
    expect((await leftovers()).objects).not.toContain(stagingKeyFor(u.id));
    expect((await getDataset(lake.ctx.catalog.db, 'bronze', 'orders'))?.currentVersionId).not.toBeNull();

    // Committed once is committed: a second commit is refused before any run starts.
    const e = await refused(commitUploads(lake.ctx, [{ uploadId: u.id }]));
    expect(e.code).toBe('conflict:upload_state');
  });

  it('the same bytes again are recognised and skipped as a duplicate', async () => {
    const u = await receiveUpload(lake.ctx, { fileName: 'orders-again.csv', body: chunks(ORDERS), userId: null });
    expect(u.duplicateOf?.dataset).toBe('bronze.orders');
    const r = await commitUploads(lake.ctx, [{ uploadId: u.id }]);
    expect(r.status).toBe('succeeded');
    expect(r.outcomes[0]?.status).toBe('duplicate');
    expect((await getUpload(lake.ctx.catalog.db, u.id))?.status).toBe('duplicate');
  });

  it('a generic upload goes to the dataset the person names; a bad name is refused before the run', async () => {
    const u = await receiveUpload(lake.ctx, { fileName: 'Weird Name.csv', body: chunks('a,b\n1,2\n'), userId: null });
    const e = await refused(commitUploads(lake.ctx, [{ uploadId: u.id, dataset: 'Robert"); drop table x;--' }]));
    expect(e.code).toBe('bad_request:dataset_name');
    const r = await commitUploads(lake.ctx, [{ uploadId: u.id, dataset: 'store_sales' }]);
    expect(r.outcomes[0]).toMatchObject({ status: 'committed', dataset: 'bronze.store_sales', rows: 1 });
  });

  it('is refused while a bronze run holds the bronze job, naming that run', async () => {
    const u = await receiveUpload(lake.ctx, { fileName: 'later.csv', body: chunks('x,y\n1,2\n'), userId: null });
    const holder = await startRun(lake.ctx.catalog, { job: 'bronze', locks: ['bronze'] });
    try {
      const e = await refused(commitUploads(lake.ctx, [{ uploadId: u.id, dataset: 'later' }]));
      expect(e.code).toBe('conflict:job_running');
      expect(e.message).toContain(holder.id);
    } finally {
      await holder.finish('succeeded');
    }
    expect((await getUpload(lake.ctx.catalog.db, u.id))?.status).toBe('received');
    await discardUpload(lake.ctx, u.id);
    expect((await getUpload(lake.ctx.catalog.db, u.id))?.status).toBe('discarded');
    expect((await leftovers()).objects).not.toContain(stagingKeyFor(u.id));
    // Only an upload waiting for commit can be discarded.
    expect((await refused(discardUpload(lake.ctx, u.id))).code).toBe('conflict:upload_state');
  });
});
