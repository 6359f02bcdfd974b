/**
 * Backpressure with a slow flush (KEYSTONE_INGEST_FLUSH_DELAY_MS): once the log is too far ahead of
 * bronze, SendBatch is refused with RESOURCE_EXHAUSTED and a retry-after-ms hint, streams are no
 * longer read (flow control) and their acks ask producers to slow down; all of it recovers when the
 * flush catches up, and nothing is lost.
 */
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/databases';
import { olistEvents } from '../lib/stream/olist-events';
import { IngestClient, sendBatchUnary } from './client';
import type { RunningIngestor } from './ingestor';
import { BatchBuilder, EventTemplates } from './loadgen';
import { INGEST_SERVICE_DEFINITION } from './server';
import { startTestIngestor, tempDataDir } from './testing';

let db: TestDatabase;
let dataDir: string;
let ing: RunningIngestor;
let templates: EventTemplates;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = tempDataDir();
  templates = EventTemplates.fromEvents((await olistEvents()).events);
  ing = await startTestIngestor(db.url, dataDir, {
    KEYSTONE_INGEST_MAX_WAL_LAG_BYTES: String(1024 * 1024),
    KEYSTONE_INGEST_FLUSH_BYTES: String(128 * 1024),
    KEYSTONE_INGEST_FLUSH_DELAY_MS: '1500',
  });
}, 120_000);

afterAll(async () => {
  await ing?.stop();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a flush that cannot keep up', { timeout: 120_000 }, () => {
  it('refuses SendBatch with RESOURCE_EXHAUSTED and retry-after-ms, then takes it once bronze caught up', async () => {
    const address = `127.0.0.1:${ing.port}`;
    const builder = new BatchBuilder(templates, 'unary-1', 1);
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    const def = INGEST_SERVICE_DEFINITION.SendBatch;
    let refused: grpc.ServiceError | undefined;
    let seq = 0;
    while (!refused && seq < 200) {
      const batch = builder.build(++seq, 500);
      await new Promise<void>((resolve) =>
        client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, batch, (err) => {
          if (err) refused = err;
          resolve();
        }),
      );
    }
    client.close();
    expect(refused?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(refused?.details).toMatch(/flush to bronze is \d+ MiB behind/);
    expect(Number(refused?.metadata.get('retry-after-ms')[0])).toBeGreaterThan(0);
    expect(ing.metrics.overloadRefusals).toBeGreaterThanOrEqual(1);
    // The helper retries after the hint until the flush made room.
    const ack = await sendBatchUnary(address, builder.build(seq, 500), { attempts: 100 });
    expect(ack.status).toBe('ACCEPTED');
  });

  it('stops reading streams and slows producers down, losing nothing', async () => {
    const address = `127.0.0.1:${ing.port}`;
    const client = await IngestClient.connect({ address, producerId: 'stream-1', maxInFlight: 4 });
    const builder = new BatchBuilder(templates, client.producerId, 2);
    let sawPause = false;
    let hinted = 0;
    let acked = 0;
    let mostInFlight = 0;
    let outstanding = 0;
    const watch = setInterval(() => (sawPause ||= ing.server.streams.paused > 0), 20);
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 24; i++) {
      // A producer that sends as soon as a slot is free: while an ack's retry-after pauses the client,
      // its window must not look free again (or batches pile up in the producer's memory).
      await client.waitForSlot();
      mostInFlight = Math.max(mostInFlight, ++outstanding);
      sends.push(
        client.sendRaw((seq) => builder.build(seq, 500)).then((r) => {
          outstanding--;
          acked += r.ack.accepted;
          if (r.ack.retry_after_ms > 0) hinted++;
        }),
      );
    }
    await Promise.all(sends);
    clearInterval(watch);
    await client.close();
    expect(acked).toBe(24 * 500);
    expect(mostInFlight).toBeLessThanOrEqual(4);
    expect(sawPause).toBe(true);
    expect(hinted).toBeGreaterThan(0);
    await ing.drain(90_000);
    expect(ing.metrics.flushedRowsByTable.size).toBeGreaterThan(0);
  });
});
