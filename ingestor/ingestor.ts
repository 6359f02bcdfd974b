/**
 * The ingestor process, assembled: replay the log, serve gRPC, flush to bronze, report metrics.
 *
 *   start:  take the ingestor lock of the data dir → read the checkpoint → replay the log's segments
 *           (repairing a torn tail, rebuilding the dedup state) → serve (health SERVING) → flush.
 *   stop:   health NOT_SERVING → finish in-flight calls (5 s at most) → close the log → finish the
 *           flush in progress → close the catalog. What is not flushed yet stays in the log and is
 *           flushed by the next start.
 *
 * The catalog is opened before serving (waiting 5 s at most) and re-tried by the flusher when it fails:
 * while it is down, batches are still taken, logged and acked; they reach bronze when it is back (or
 * the log lag limit pushes producers back first).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { KeystoneConfig } from '../lib/config';
import { failAbandonedRuns } from '../lib/catalog/runs';
import { openLake, type LakeContext } from '../lib/lake/context';
import type { Logger } from '../lib/logger';
import { acquireLock } from '../lib/process-lock';
import { DedupState, readCheckpoint } from './dedup';
import { Flusher } from './flusher';
import { Intake } from './intake';
import { IngestMetrics, startMetricsServer, type MetricsServer } from './metrics';
import { peekBatchIdentity } from './record';
import { startIngestorServer, type IngestorServer } from './server';
import { loadIngestSettings, type IngestSettings } from './settings';
import { SEGMENT_HEADER_BYTES, SegmentReader, Wal, listSegments, writeFileDurable, type SegmentInfo } from './wal';

export interface IngestorOptions {
  config: KeystoneConfig;
  log: Logger;
  /** Default: config.ingestPort. 0 picks a free port. */
  port?: number;
  host?: string;
  /** Variables for the KEYSTONE_INGEST_* settings (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface RunningIngestor {
  port: number;
  metricsPort: number;
  settings: IngestSettings;
  metrics: IngestMetrics;
  server: IngestorServer;
  /** Seal what is logged and wait until all of it is in bronze (tests, shutdown hooks). */
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ReplayResult {
  segments: SegmentInfo[];
  records: number;
  repaired: string[];
}

/** Read every segment left on disk: rebuild the dedup state, repair a torn tail, drop flushed ones. */
export function replayLog(walDir: string, dedup: DedupState, lastFlushed: number, log: Logger): ReplayResult {
  const list = listSegments(walDir);
  const segments: SegmentInfo[] = [];
  const repaired: string[] = [];
  let records = 0;
  list.forEach(({ no, file }, i) => {
    if (no <= lastFlushed) {
      // Flushed; the crash came between the checkpoint and the deletion.
      fs.rmSync(file, { force: true });
      return;
    }
    const reader = new SegmentReader(file);
    let count = 0;
    let firstAt = 0;
    try {
      for (let body = reader.next(); body; body = reader.next()) {
        const id = peekBatchIdentity(body);
        dedup.add(id.producerId, id.sequence);
        if (count === 0) firstAt = id.receivedAt;
        count++;
      }
    } finally {
      reader.close();
    }
    if (reader.problem) {
      const last = i === list.length - 1;
      if (last) {
        log.warn('the log ended in a torn record (a crash during a write); cut it off — that batch was never acked', { segment: no, problem: reader.problem });
      } else {
        const corrupt = path.join(walDir, 'corrupt');
        fs.mkdirSync(corrupt, { recursive: true });
        fs.copyFileSync(file, path.join(corrupt, `${path.basename(file)}.${Date.now()}`));
        log.error('a sealed log segment is damaged; kept a copy in corrupt/ and cut it at the damage — batches after it are lost', { segment: no, problem: reader.problem });
      }
      repaired.push(`${path.basename(file)}: ${reader.problem}`);
      if (reader.goodEnd >= SEGMENT_HEADER_BYTES) fs.truncateSync(file, reader.goodEnd);
    }
    if (count === 0) {
      fs.rmSync(file, { force: true });
      return;
    }
    records += count;
    segments.push({ no, file, bytes: reader.goodEnd, records: count, firstAt });
  });
  return { segments, records, repaired };
}

export async function startIngestor(o: IngestorOptions): Promise<RunningIngestor> {
  const { config, log } = o;
  const port = o.port ?? config.ingestPort;
  const settings = loadIngestSettings(config, o.env ?? process.env, port);
  const walDir = settings.walDir;
  fs.mkdirSync(walDir, { recursive: true });
  const lock = acquireLock(path.join(path.dirname(walDir), 'ingestor.lock'), `keystone ingestor on ${config.dataDir}`, 'ingestor');
  let server: IngestorServer | undefined;
  let metricsServer: MetricsServer | undefined;
  let flusher: Flusher | undefined;
  let wal: Wal | undefined;
  let lake: Promise<LakeContext> | undefined;
  try {
    const epochFile = path.join(walDir, 'epoch');
    if (!fs.existsSync(epochFile)) writeFileDurable(epochFile, crypto.randomBytes(4).toString('hex'));
    const epoch = fs.readFileSync(epochFile, 'utf8').trim();
    const checkpointFile = path.join(walDir, 'checkpoint.json');
    const checkpoint = readCheckpoint(checkpointFile);
    const dedup = checkpoint ? DedupState.fromCheckpoint(checkpoint) : new DedupState();
    const lastFlushed = checkpoint?.lastFlushedSegment ?? 0;
    const t0 = Date.now();
    const replay = replayLog(walDir, dedup, lastFlushed, log);
    const highest = Math.max(lastFlushed, ...replay.segments.map((s) => s.no), ...listSegments(walDir).map((s) => s.no));
    wal = new Wal({ dir: walDir, log, segmentBytes: settings.flushBytes, nextSegmentNo: highest + 1 }, replay.segments);

    const metrics = new IngestMetrics();
    const intake = new Intake(wal, dedup, settings, metrics, log);
    const openLakeOnce = (): Promise<LakeContext> => {
      lake ??= openLake(config, { log, applicationName: 'keystone-ingestor' }).then(
        async (ctx) => {
          await failAbandonedRuns(ctx.catalog).catch(() => 0);
          return ctx;
        },
        (e: unknown) => {
          lake = undefined;
          throw e;
        },
      );
      return lake;
    };
    flusher = new Flusher({ lake: openLakeOnce, wal, dedup, epoch, checkpointFile, planFile: path.join(walDir, 'flush.json'), settings, metrics, log });

    await flusher.warmUp(5000);
    server = await startIngestorServer({
      port,
      host: o.host ?? config.host,
      log,
      handlers: { intake, lastSequence: (p) => dedup.lastSequence(p), log },
      maxMessageBytes: settings.maxMessageBytes,
      streamWindow: settings.streamWindow,
    });
    const srv = server;
    const w = wal;
    wal.onCommit = (records, bytes, ms) => {
      metrics.walCommits++;
      metrics.walRecords += records;
      metrics.walBytes += bytes;
      metrics.fsyncLatency.observe(ms / 1000);
      srv.capacity();
    };
    flusher.onReleased = () => srv.capacity();
    const fl = flusher;
    metrics.gauges = {
      walLagBytes: () => w.lagBytes(),
      walSegments: () => w.sealed().length,
      queueBytes: () => w.queuedBytes(),
      streamsActive: () => srv.streams.active,
      streamsPaused: () => srv.streams.paused,
      producers: () => dedup.size,
      flushState: () => ({ running: fl.running, lastError: fl.lastError, lastAt: fl.lastAt }),
    };
    let stopped = false;
    metricsServer = await startMetricsServer(metrics, { port: settings.metricsPort, host: o.host ?? config.host, log, healthy: () => !stopped });
    metrics.startSampling();
    flusher.start();
    log.info('ingestor ready', {
      port: server.port,
      metricsPort: metricsServer.port,
      wal: walDir,
      replayedSegments: replay.segments.length,
      replayedBatches: replay.records,
      replayMs: Date.now() - t0,
      ...(replay.repaired.length ? { repaired: replay.repaired } : {}),
    });

    const ms = metricsServer;
    return {
      port: server.port,
      metricsPort: ms.port,
      settings,
      metrics,
      server,
      async drain(timeoutMs = 60_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          w.requestSeal();
          const a = w.activeState();
          if (w.sealed().length === 0 && a.records === 0 && w.queuedBytes() === 0) return;
          if (Date.now() > deadline) throw new Error(`the ingestor did not drain within ${timeoutMs} ms (lag ${w.lagBytes()} bytes; last flush error: ${fl.lastError ?? 'none'})`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        log.info('ingestor stopping');
        const t = Date.now();
        await srv.shutdown();
        log.debug('gRPC server stopped', { ms: Date.now() - t });
        await w.close();
        log.debug('log closed', { ms: Date.now() - t });
        await fl.stop();
        log.debug('flusher stopped', { ms: Date.now() - t });
        metrics.stopSampling();
        await ms.close();
        log.debug('metrics server stopped', { ms: Date.now() - t });
        if (lake) await (await lake.catch(() => undefined))?.close().catch(() => undefined);
        lock.release();
        log.info('ingestor stopped', { ms: Date.now() - t });
      },
    };
  } catch (e) {
    await server?.shutdown().catch(() => undefined);
    await metricsServer?.close().catch(() => undefined);
    await flusher?.stop().catch(() => undefined);
    await wal?.close().catch(() => undefined);
    if (lake) await (await lake.catch(() => undefined))?.close().catch(() => undefined);
    lock.release();
    throw e;
  }
}
