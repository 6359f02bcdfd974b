/**
 * The ingestor end to end, in this process: typed events over gRPC land in bronze with their lineage,
 * the bad ones in the dead letters; streamed bronze flows on to silver and gold; and every kind of
 * bad input gets its per-event or per-call answer while the server and other producers carry on.
 */
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/databases';
import { lineageGraph } from '../lib/catalog/lineage';
import { listRuns } from '../lib/catalog/runs';
import { getDataset } from '../lib/catalog/versions';
import type { LakeContext } from '../lib/lake/context';
import { syncLakeViews } from '../lib/lake/views';
import { runJob } from '../lib/pipeline/jobs';
import { IngestCallError, IngestClient, sendBatchUnary } from './client';
import { encodeBatch, encodeEvent, type EventInput } from './codec';
import type { RunningIngestor } from './ingestor';
import { INGEST_SERVICE_DEFINITION, loadIngestProto } from './server';
import { runCli } from '../test/support/cli';
import { bronzeRows, openTestLake, startTestIngestor, tempDataDir } from './testing';
import { WIRE_LEN, WIRE_VARINT, WireWriter } from './wire';

let db: TestDatabase;
let dataDir: string;
let ing: RunningIngestor;
let ctx: LakeContext;
let address: string;

const T0 = Date.UTC(2017, 10, 24, 10, 30, 0);
const hex = (n: number, len = 32) => n.toString(16).padStart(len, '0');

function order(n: number): EventInput[] {
  const order_id = hex(0xa000 + n);
  return [
    { event_id: `placed-${n}`, event_time: T0 + n * 1000, order_placed: { order_id, customer_id: hex(0xc000 + n), order_status: 'created', purchase_timestamp: T0 + n * 1000, estimated_delivery_date: Date.UTC(2017, 11, 10) } },
    { event_id: `item-${n}-1`, event_time: T0 + n * 1000 + 10, item_added: { order_id, order_item_id: 1, product_id: hex(0xd000 + n), seller_id: hex(0xe000), shipping_limit_date: T0 + 3 * 86_400_000, price: '129.90', freight_value: '15.10' } },
    { event_id: `pay-${n}-1`, event_time: T0 + n * 1000 + 20, payment_made: { order_id, payment_sequential: 1, payment_type: 'credit_card', payment_installments: 3, payment_value: '145.00' } },
    { event_id: `status-${n}`, event_time: T0 + n * 1000 + 86_400_000, status_changed: { order_id, order_status: 'approved', approved_at: T0 + n * 1000 + 3_600_000 } },
    {
      event_id: `review-${n}`,
      event_time: T0 + 10 * 86_400_000,
      review_submitted: { review_id: hex(0xf000 + n), order_id, review_score: 5, review_comment_message: 'Ótimo, "chegou" antes\ndo prazo', review_creation_date: T0 + 9 * 86_400_000, review_answer_timestamp: T0 + 10 * 86_400_000 },
    },
  ];
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = tempDataDir();
  ing = await startTestIngestor(db.url, dataDir);
  address = `127.0.0.1:${ing.port}`;
  ctx = await openTestLake(db.url, dataDir);
}, 120_000);

afterAll(async () => {
  await ing?.stop();
  await ctx?.close();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('streaming typed events into bronze', { timeout: 120_000 }, () => {
  let acked: number;

  beforeAll(async () => {
    const client = await IngestClient.connect({ address, producerId: 'checkout-1' });
    const events = Array.from({ length: 40 }, (_, i) => order(i)).flat();
    const good = events.slice(0, 100);
    const bad: EventInput[] = [
      { table: 'orders', event_id: 'bad-time-future', event_time: Date.UTC(2100, 0, 1), order_placed: { order_id: 'x', customer_id: 'y', order_status: 'created', purchase_timestamp: T0 } },
      { table: 'orders', event_id: 'bad-status', event_time: T0, order_placed: { order_id: 'x', customer_id: 'y', order_status: 'lost', purchase_timestamp: T0 } },
    ];
    const r1 = await client.send(good);
    const r2 = await client.send([...events.slice(100), ...bad]);
    expect(r1.ack).toMatchObject({ status: 'ACCEPTED', accepted: 100, rejected: 0, producer_id: 'checkout-1', sequence: 1 });
    expect(r2.ack).toMatchObject({ status: 'PARTIAL', accepted: 100, rejected: 2, sequence: 2 });
    expect(r2.ack.errors.map((e) => [e.index, e.event_id, e.code])).toEqual([
      [100, 'bad-time-future', 'bad_time'],
      [101, 'bad-status', 'bad_field'],
    ]);
    acked = r1.ack.accepted + r2.ack.accepted;
    await client.close();
    await ing.drain();
  });

  it('writes each typed payload to its table, with the stream lineage columns', async () => {
    const orders = await bronzeRows(ctx, 'orders', 'order_id, customer_id, order_status, order_purchase_timestamp, order_approved_at, order_estimated_delivery_date, _event_id, _event_time, _producer_id, _sequence, _source_file', `WHERE _event_id = 'placed-3'`);
    expect(orders).toEqual([[hex(0xa003), hex(0xc003), 'created', '2017-11-24 10:30:03', '', '2017-12-10 00:00:00', 'placed-3', '2017-11-24 10:30:03', 'checkout-1', '1', expect.stringMatching(/^[0-9a-f]{8}:\d+-\d+\/orders$/)]]);
    const items = await bronzeRows(ctx, 'order_items', 'order_item_id, price, freight_value, shipping_limit_date', `WHERE _event_id = 'item-3-1'`);
    expect(items).toEqual([['1', '129.90', '15.10', '2017-11-27 10:30:00']]);
    const reviews = await bronzeRows(ctx, 'order_reviews', 'review_comment_message, review_creation_date, review_comment_title', `WHERE _event_id = 'review-3'`);
    expect(reviews).toEqual([['Ótimo, "chegou" antes\ndo prazo', '2017-12-03 00:00:00', '']]);
    const status = await bronzeRows(ctx, 'order_status_events', 'order_id, order_status, approved_at, delivered_carrier_date, _event_id, _producer_id', `WHERE _event_id = 'status-3'`);
    expect(status).toEqual([[hex(0xa003), 'approved', '2017-11-24 11:30:03', '', 'status-3', 'checkout-1']]);
    let total = 0;
    for (const t of ['orders', 'order_items', 'order_payments', 'order_reviews', 'order_status_events']) total += Number((await bronzeRows(ctx, t, 'count(*)'))[0]![0]);
    expect(total).toBe(acked);
    expect((await getDataset(ctx.catalog.db, 'bronze', 'order_status_events'))?.sourceTable).toBeNull();
    expect((await getDataset(ctx.catalog.db, 'bronze', 'orders'))?.sourceTable).toBe('orders');
  });

  it('keeps rejected events in the dead-letter dataset, with why', async () => {
    const dl = await getDataset(ctx.catalog.db, 'bronze', 'dead_letter');
    expect(dl?.kind).toBe('dead_letter');
    const rows = await bronzeRows(ctx, 'dead_letter', 'producer_id, sequence, batch_index, event_id, table_name, error_code, event_time', 'ORDER BY batch_index');
    expect(rows).toEqual([
      ['checkout-1', '2', '100', 'bad-time-future', 'orders', 'bad_time', '2100-01-01 00:00:00'],
      ['checkout-1', '2', '101', 'bad-status', 'orders', 'bad_field', '2017-11-24 10:30:00'],
    ]);
  });

  it('records each flush as a run whose lineage names the producer batches', async () => {
    const runs = await listRuns(ctx.catalog.db, { job: 'stream' });
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    const edges = await ctx.catalog.pool.query<{ direction: string; name: string; facets: { batches?: number[][] } }>(
      `select e.direction, e.name, e.facets from lineage_edges e join job_runs r on r.id = e.run_id where r.job = 'stream' and (e.name = 'bronze.orders' or e.facets->>'step' in (select facets->>'step' from lineage_edges where name = 'bronze.orders'))`,
    );
    const inputs = edges.rows.filter((e) => e.direction === 'input');
    expect(inputs.map((e) => e.name)).toContain('stream:checkout-1');
    expect(inputs.flatMap((e) => e.facets.batches ?? [])).toEqual(expect.arrayContaining([[1, 2]]));
  });

  it('flows on to silver and gold like uploaded bronze, and lineage shows the way', async () => {
    const silver = await runJob(ctx, 'silver');
    expect(silver.error).toBeUndefined();
    const orders = silver.silver.find((s) => s.table === 'orders');
    expect(orders).toMatchObject({ status: 'updated', rowsIn: 40, rowsOut: 40, quarantined: 0 });
    const gold = await runJob(ctx, 'gold');
    expect(gold.error).toBeUndefined();
    await syncLakeViews(ctx.catalog, ctx.storage, ctx.engine);
    const fact = (await ctx.engine.query(`SELECT count(*), sum(items), sum(payment_value) FROM gold.fact_orders WHERE order_id = '${hex(0xa003)}'`)).rows;
    expect(fact.map((r) => r.map(Number))).toEqual([[1, 1, 145]]);
    const graph = await lineageGraph(ctx.catalog, 'silver.orders', 2);
    const links = graph.links.map((l) => `${l.from} → ${l.to}`);
    expect(links).toEqual(expect.arrayContaining(['stream:checkout-1 → bronze.orders', 'bronze.orders → silver.orders']));
  });

  it('answers a retried batch DUPLICATE and stores nothing twice; GetProducerState says where to go on', async () => {
    const again = await IngestClient.connect({ address, producerId: 'checkout-1', startSequence: 2 });
    const r = await again.send(order(0));
    expect(r.ack.status).toBe('DUPLICATE');
    expect(await again.lastSequence()).toBe(2);
    await again.close();
    const fresh = await IngestClient.connect({ address, producerId: 'checkout-1' });
    expect(fresh.nextSequence).toBe(3);
    await fresh.close();
  });
});

describe('bad input', { timeout: 120_000 }, () => {
  const unary = (bytes: Buffer) => sendBatchUnary(address, bytes);

  it('fails a malformed protobuf message as a whole (INVALID_ARGUMENT), on both RPCs', async () => {
    await expect(unary(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(unary(Buffer.from('definitely not protobuf, just text'))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    // On a stream: raw bytes straight on the wire.
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    const def = INGEST_SERVICE_DEFINITION.StreamEvents;
    const stream = client.makeBidiStreamRequest(def.path, def.requestSerialize, def.responseDeserialize);
    const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
    stream.on('error', () => undefined);
    stream.on('data', () => undefined);
    stream.write(Buffer.from([0x1a, 0x80]));
    expect((await status).code).toBe(grpc.status.INVALID_ARGUMENT);
    client.close();
  });

  it('rejects per event: unknown table, times before 2000 and after tomorrow, wrong types, a 10 MB event', async () => {
    const typed = (o: Partial<EventInput>) => encodeEvent({ event_id: 'x', event_time: T0, ...o } as EventInput);
    // ItemAdded with order_item_id (a uint32) sent as a string, and price as a varint.
    const wrongType = new WireWriter()
      .stringField(2, 'wrong-type')
      .messageField(3, new WireWriter().tag(1, WIRE_VARINT).varint(Math.floor(T0 / 1000)).finish())
      .messageField(11, new WireWriter().stringField(1, 'o').tag(2, WIRE_LEN).string('one').finish())
      .finish();
    const wrongPrice = new WireWriter()
      .stringField(2, 'wrong-price')
      .messageField(3, new WireWriter().tag(1, WIRE_VARINT).varint(Math.floor(T0 / 1000)).finish())
      .messageField(11, new WireWriter().stringField(1, 'o').uintField(2, 1).stringField(3, 'p').stringField(4, 's').tag(6, WIRE_VARINT).varint(12990).finish())
      .finish();
    const events = [
      typed({ event_id: 'ok', order_placed: { order_id: 'o1', customer_id: 'c1', order_status: 'created', purchase_timestamp: T0 } }),
      typed({ table: 'no_such_table', event_id: 'unknown', order_placed: { order_id: 'o1', customer_id: 'c1', order_status: 'created', purchase_timestamp: T0 } }),
      typed({ table: 'customers', event_id: 'reserved', json: { a: 1 } }),
      typed({ table: 'Bad Name!', event_id: 'badname', json: { a: 1 } }),
      typed({ event_id: '2100', event_time: Date.UTC(2100, 0, 1), order_placed: { order_id: 'o', customer_id: 'c', order_status: 'created', purchase_timestamp: T0 } }),
      typed({ event_id: '1990', event_time: Date.UTC(1990, 0, 1), order_placed: { order_id: 'o', customer_id: 'c', order_status: 'created', purchase_timestamp: T0 } }),
      wrongType,
      wrongPrice,
      typed({ event_id: 'huge', table: 'blobs', raw: Buffer.alloc(10 * 1024 * 1024, 7) }),
      typed({ event_id: 'no-payload' }),
      typed({ event_id: 'ok-json', table: 'clicks', json: { page: '/home', 'Time On Page': 12.5, nested: { a: [1, 2] }, gone: null } }),
    ];
    const ack = await unary(encodeBatch('bad-input', 1, events));
    expect(ack.status).toBe('PARTIAL');
    expect(ack.accepted).toBe(2);
    expect(ack.errors.map((e) => [e.event_id, e.code])).toEqual([
      ['unknown', 'unknown_table'],
      ['reserved', 'unknown_table'],
      ['badname', 'unknown_table'],
      ['2100', 'bad_time'],
      ['1990', 'bad_time'],
      ['wrong-type', 'bad_field'],
      ['wrong-price', 'bad_field'],
      ['huge', 'too_large'],
      ['no-payload', 'missing_payload'],
    ]);
    expect(ack.errors.find((e) => e.event_id === 'wrong-type')?.message).toMatch(/order_item_id must be a uint32/);
    await ing.drain();
    const dl = await bronzeRows(ctx, 'dead_letter', 'event_id, error_code, CAST(payload_bytes AS INTEGER), CAST(length(payload_base64) AS INTEGER)', `WHERE producer_id = 'bad-input' AND event_id = 'huge'`);
    // The 10 MB event is dead-lettered with its size, but only its first 64 KiB are kept (base64).
    expect(dl).toEqual([['huge', 'too_large', expect.any(Number), 87384]]);
    expect(dl[0]![2] as number).toBeGreaterThan(10 * 1024 * 1024);
    const clicks = await bronzeRows(ctx, 'clicks', 'page, time_on_page, nested, _event_id, _producer_id');
    expect(clicks).toEqual([['/home', '12.5', '{"a":[1,2]}', 'ok-json', 'bad-input']]);
  });

  it('fails a batch of a million events per call, whatever its size', async () => {
    // 1M tiny events fit in the message limit: the event-count limit refuses the call.
    const tiny = Buffer.from([0x12, 0x01, 0x78]); // event_id "x"
    const framed = Buffer.concat([Buffer.from([0x1a, tiny.length]), tiny]);
    const million = Buffer.concat([encodeBatch('big', 1, []), Buffer.alloc(framed.length * 1_000_000)]);
    for (let i = 0, at = million.length - framed.length * 1_000_000; i < 1_000_000; i++, at += framed.length) framed.copy(million, at);
    await expect(unary(million)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/more than 10000 events/) });
    // Realistic events: the message-size limit refuses it before anything is decoded.
    const event = encodeEvent({ event_id: 'e', event_time: T0, order_placed: { order_id: hex(1), customer_id: hex(2), order_status: 'created', purchase_timestamp: T0 } });
    const big = encodeBatch('big', 2, Array.from({ length: 200_000 }, () => event));
    await expect(unary(big)).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    // The client library refuses to send it at all.
    const client = await IngestClient.connect({ address, producerId: 'big-client' });
    await expect(client.sendEncoded(Array.from({ length: 200_000 }, () => event))).rejects.toBeInstanceOf(IngestCallError);
    await client.close();
    // And the server is still fine.
    expect((await unary(encodeBatch('big', 3, [event]))).status).toBe('ACCEPTED');
  });

  it('refuses producer_id and sequence it cannot use', async () => {
    await expect(unary(encodeBatch('', 1, []))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(unary(encodeBatch('p', 0, []))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/sequence/) });
  });
});

describe('interoperability and operability', { timeout: 60_000 }, () => {
  it('takes typed events from a plain grpc-js client built from the .proto', async () => {
    const pkg = grpc.loadPackageDefinition(loadIngestProto()) as unknown as { keystone: { ingest: { v1: { IngestService: grpc.ServiceClientConstructor } } } };
    const client = new pkg.keystone.ingest.v1.IngestService(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      SendBatch(req: unknown, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void): void;
    };
    const ack = await new Promise<Record<string, unknown>>((resolve, reject) =>
      client.SendBatch(
        {
          producer_id: 'proto-loader',
          sequence: '1',
          events: [{ event_id: 'p1', event_time: { seconds: String(T0 / 1000), nanos: 0 }, payment_made: { order_id: 'o9', payment_sequential: 1, payment_type: 'boleto', payment_installments: 1, payment_value: '10.00' } }],
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
    );
    expect(ack).toMatchObject({ producer_id: 'proto-loader', sequence: '1', status: 'ACCEPTED', accepted: 1, rejected: 0 });
    client.close();
  });

  it('`keystone stream` replays Olist events at a rate and reports rate and latency percentiles', async () => {
    const r = await runCli(['stream', '--address', address, '--rate', '5000', '--duration', '2', '--producers', '2', '--batch', '250', '--prefix', 'cli-stream', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { events: number; eventsPerSecond: number; rejected: number; latencyMs: { p50: number; p99: number } };
    expect(report.events).toBeGreaterThanOrEqual(5000);
    expect(report.rejected).toBe(0);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
  });

  it('serves Prometheus text and JSON metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${ing.metricsPort}/metrics`)).text();
    expect(text).toMatch(/^keystone_ingest_events_accepted_total \d+$/m);
    expect(text).toMatch(/keystone_ingest_events_rejected_total\{code="bad_time"\} \d+/);
    expect(text).toMatch(/keystone_ingest_ack_latency_seconds_bucket\{le="\+Inf"\} \d+/);
    const json = (await (await fetch(`http://127.0.0.1:${ing.metricsPort}/metrics.json`)).json()) as Record<string, unknown>;
    expect(json).toMatchObject({ eventsAccepted: expect.any(Number), wal: { lagBytes: expect.any(Number) }, flush: { flushes: expect.any(Number) } });
    expect(json.eventsAccepted as number).toBeGreaterThan(200);
  });
});
