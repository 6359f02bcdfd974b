/**
 * Reliability, against the real process (`keystone ingestor` as a child): SIGKILL it in the middle of a
 * stream, or let it kill itself in the middle of a flush, restart it, let the clients resend what was not
 * acked — and every acked event is in bronze exactly once. Also: a producer that never reads its acks
 * costs bounded memory while the others keep streaming.
 */
import fs from 'node:fs';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/databases';
import { closeDuckDB } from '../lib/engine';
import type { LakeContext } from '../lib/lake/context';
import { olistEvents } from '../lib/stream/olist-events';
import { IngestClient } from './client';
import { BatchBuilder, EventTemplates } from './loadgen';
import { bronzeRows, freePort, openTestLake, spawnIngestor, tempDataDir, waitDrained, type IngestorProcess } from './testing';

let templates: EventTemplates;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  templates = EventTemplates.fromEvents((await olistEvents({ scale: 0.01, seed: 42 })).events);
}, 120_000);

afterAll(async () => {
  await openLakeCtx?.close();
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

interface Rig {
  db: TestDatabase;
  dataDir: string;
  port: number;
  ctx: () => Promise<LakeContext>;
}

/** One lake open at a time in this process: DuckDB is one instance per process, set up per data dir. */
let openLakeCtx: LakeContext | undefined;

async function rig(): Promise<Rig> {
  const db = await createTestDatabase();
  const dataDir = tempDataDir();
  const port = await freePort();
  let ctx: LakeContext | undefined;
  cleanup.push(async () => {
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    db,
    dataDir,
    port,
    ctx: async () => {
      if (ctx && openLakeCtx === ctx) return ctx;
      if (openLakeCtx) {
        await openLakeCtx.close();
        await closeDuckDB();
      }
      ctx = openLakeCtx = await openTestLake(db.url, dataDir);
      return ctx;
    },
  };
}

async function start(r: Rig, env: Record<string, string> = {}): Promise<IngestorProcess> {
  const p = await spawnIngestor({ databaseUrl: r.db.url, dataDir: r.dataDir, port: r.port, env });
  cleanup.push(() => p.kill('SIGKILL'));
  return p;
}

/** Producers that send `batches` batches each and count the events of every acked batch. */
function produce(address: string, producers: number, batches: number, batchSize: number, onAck?: (total: number) => void) {
  let acked = 0;
  let ackedBatches = 0;
  const clients: IngestClient[] = [];
  const done = Promise.all(
    Array.from({ length: producers }, async (_, i) => {
      const client = await IngestClient.connect({ address, producerId: `rel-${i}`, maxInFlight: 6, backoffMs: { initial: 50, max: 400 }, reconnectTimeoutMs: 90_000 });
      clients.push(client);
      const builder = new BatchBuilder(templates, client.producerId, i);
      const sends: Promise<void>[] = [];
      for (let b = 0; b < batches; b++) {
        await client.waitForSlot();
        sends.push(
          client
            .sendRaw((seq) => builder.build(seq, batchSize))
            .then((r) => {
              // A DUPLICATE ack means an earlier attempt of this very batch was stored.
              acked += r.ack.status === 'DUPLICATE' ? batchSize : r.ack.accepted;
              ackedBatches++;
              onAck?.(ackedBatches);
            }),
        );
      }
      await Promise.all(sends);
      await client.close();
    }),
  );
  return { done, acked: () => acked, clients };
}

async function healthOf(address: string, service: string): Promise<string> {
  const def = protoLoader.loadSync(healthProtoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };
  const client = new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & { check(req: object, cb: (e: Error | null, r: { status: string }) => void): void };
  try {
    return await new Promise((resolve, reject) => client.check({ service }, (e, r) => (e ? reject(e) : resolve(r.status))));
  } finally {
    client.close();
  }
}

/** Every event id in bronze across the streamed tables: [rows, distinct ids]. */
async function bronzeIds(ctx: LakeContext): Promise<{ rows: number; distinct: number }> {
  let rows = 0;
  const ids = new Set<string>();
  for (const [table, col] of [
    ['orders', '_event_id'],
    ['order_items', '_event_id'],
    ['order_payments', '_event_id'],
    ['order_reviews', '_event_id'],
    ['order_status_events', '_event_id'],
  ] as const) {
    for (const [id] of await bronzeRows(ctx, table, col)) {
      rows++;
      ids.add(String(id));
    }
  }
  return { rows, distinct: ids.size };
}

describe('the ingestor killed and restarted', { timeout: 180_000 }, () => {
  it('SIGKILL in the middle of a stream: every acked event is in bronze exactly once', async () => {
    const r = await rig();
    const first = await start(r);
    let killed: Promise<IngestorProcess> | undefined;
    const load = produce(`127.0.0.1:${r.port}`, 3, 40, 200, (n) => {
      // Kill while batches are in flight, then bring it back on the same port.
      if (n === 30 && !killed) killed = first.kill('SIGKILL').then(() => start(r));
    });
    await load.done;
    const second = await killed!;
    expect((await first.exited).signal).toBe('SIGKILL');
    await waitDrained(second);
    const stats = load.clients.reduce((a, c) => ({ resent: a.resent + c.stats.resent, reconnects: a.reconnects + c.stats.reconnects }), { resent: 0, reconnects: 0 });
    expect(stats.reconnects).toBeGreaterThan(0);
    expect(load.acked()).toBe(3 * 40 * 200);
    expect(await bronzeIds(await r.ctx())).toEqual({ rows: load.acked(), distinct: load.acked() });
    await second.kill('SIGTERM');
  });

  it('a crash in the middle of a flush, then one after the redone flush committed, neither loses nor duplicates', async () => {
    const r = await rig();
    // Dies right after the first table of its first flush is committed to bronze.
    const first = await start(r, { KEYSTONE_INGEST_FAULT: 'crash-in-flush' });
    const load = produce(`127.0.0.1:${r.port}`, 2, 10, 300);
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(first.logs.join('\n')).toMatch(/killing the ingestor in the middle of a flush/);
    // Redoes that flush (skipping the table that made it), commits it — and dies before releasing the log.
    const second = await start(r, { KEYSTONE_INGEST_FAULT: 'crash-before-flush-commit' });
    expect((await second.exited).signal).toBe('SIGKILL');
    expect(second.logs.join('\n')).toMatch(/already in bronze; not writing it again/);
    const third = await start(r);
    await load.done;
    await waitDrained(third);
    expect(third.logs.join('\n')).toMatch(/already in bronze; not writing it again/);
    expect(await bronzeIds(await r.ctx())).toEqual({ rows: 2 * 10 * 300, distinct: 2 * 10 * 300 });
    const ingests = await (await r.ctx()).catalog.pool.query<{ n: string; names: string }>(`select count(*) n, count(distinct source_name) names from ingests where source_kind = 'stream'`);
    expect(Number(ingests.rows[0]!.n)).toBe(Number(ingests.rows[0]!.names));
    await third.kill('SIGTERM');
  });
});

describe('a producer that never reads its acks', { timeout: 120_000 }, () => {
  it('is no longer read once its acks back up; memory stays bounded and other producers go on', async () => {
    const r = await rig();
    const p = await start(r);
    const address = `127.0.0.1:${r.port}`;
    // The bad producer speaks gRPC over a bare HTTP/2 stream it never reads (a small receive window,
    // so its unread acks fill it soon), writing as fast as flow control lets it.
    const session = http2.connect(`http://${address}`, { settings: { initialWindowSize: 4096 } });
    session.on('error', () => undefined);
    const req = session.request({ ':method': 'POST', ':path': '/keystone.ingest.v1.IngestService/StreamEvents', 'content-type': 'application/grpc', te: 'trailers' });
    req.pause();
    req.on('error', () => undefined);
    const builder = new BatchBuilder(templates, 'never-reads', 99);
    let written = 0;
    let blocked = false;
    for (let seq = 1; seq <= 20_000 && !blocked; seq++) {
      const msg = builder.build(seq, 20);
      const frame = Buffer.alloc(5 + msg.length);
      frame.writeUInt32BE(msg.length, 1);
      msg.copy(frame, 5);
      if (!req.write(frame)) {
        blocked = !(await Promise.race([new Promise<boolean>((res) => req.once('drain', () => res(true))), new Promise<boolean>((res) => setTimeout(() => res(false), 3000))]));
      }
      written++;
    }
    expect(blocked).toBe(true);
    expect(written).toBeLessThan(2000);
    const m = await p.metrics();
    expect((m.streams as { paused: number }).paused).toBeGreaterThanOrEqual(1);
    // A well-behaved producer is served meanwhile.
    const good = produce(address, 1, 20, 500);
    await good.done;
    expect(good.acked()).toBe(20 * 500);
    const mem = p.memory();
    expect(mem.peakKb).toBeLessThan(512 * 1024);
    // The process `keystone serve` starts answers health checks, and still does.
    expect(await healthOf(address, 'keystone.ingest.v1.IngestService')).toBe('SERVING');
    req.close();
    session.close();
    await waitDrained(p);
    await p.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  });
});
