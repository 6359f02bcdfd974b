/**
 * What the ingestor is doing, as numbers: Prometheus text at `/metrics` and JSON at `/metrics.json`
 * (the console's Overview reads the JSON) on KEYSTONE_INGEST_METRICS_PORT.
 *
 * Counters only go up; rates (events/s, bytes/s) are computed over the last 10 seconds from one-second
 * samples; latencies are kept in log-scale histograms (Prometheus buckets, and percentiles for JSON).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../lib/logger';

/** Upper bounds, seconds. */
const LATENCY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120];

export class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number) {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }

  /** An upper bound of the q-quantile (the bucket it falls in), seconds. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const target = q * this.count;
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i]!;
      if (acc >= target) return LATENCY_BUCKETS[i] ?? Infinity;
    }
    return null;
  }

  prometheus(name: string, help: string): string {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    let acc = 0;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      acc += this.counts[i]!;
      lines.push(`${name}_bucket{le="${LATENCY_BUCKETS[i]}"} ${acc}`);
    }
    lines.push(`${name}_bucket{le="+Inf"} ${this.count}`, `${name}_sum ${this.sum.toFixed(6)}`, `${name}_count ${this.count}`);
    return lines.join('\n');
  }
}

export interface Gauges {
  walLagBytes(): number;
  walSegments(): number;
  queueBytes(): number;
  streamsActive(): number;
  streamsPaused(): number;
  producers(): number;
  flushState(): { running: boolean; lastError: string | null; lastAt: string | null };
}

export class IngestMetrics {
  readonly startedAt = Date.now();
  eventsAccepted = 0;
  eventsRejected = 0;
  readonly rejectsByCode = new Map<string, number>();
  bytesReceived = 0;
  batches = 0;
  readonly batchesByStatus = new Map<string, number>();
  callErrors = 0;
  overloadRefusals = 0;
  walBytes = 0;
  walRecords = 0;
  walCommits = 0;
  flushes = 0;
  flushFailures = 0;
  flushedRows = 0;
  flushedBytes = 0;
  readonly flushedRowsByTable = new Map<string, number>();
  readonly ackLatency = new Histogram();
  readonly fsyncLatency = new Histogram();
  readonly flushDuration = new Histogram();
  /** One-second samples of (eventsAccepted, bytesReceived), newest last. */
  private samples: { at: number; events: number; bytes: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  gauges: Gauges | undefined;

  startSampling() {
    this.timer = setInterval(() => {
      this.samples.push({ at: Date.now(), events: this.eventsAccepted, bytes: this.bytesReceived });
      if (this.samples.length > 11) this.samples.shift();
    }, 1000);
    this.timer.unref();
  }

  stopSampling() {
    if (this.timer) clearInterval(this.timer);
  }

  reject(code: string) {
    this.eventsRejected++;
    this.rejectsByCode.set(code, (this.rejectsByCode.get(code) ?? 0) + 1);
  }

  batch(status: string) {
    this.batches++;
    this.batchesByStatus.set(status, (this.batchesByStatus.get(status) ?? 0) + 1);
  }

  /** events/s and bytes/s over the last (up to) 10 s. */
  rates(): { eventsPerSecond: number; bytesPerSecond: number } {
    const first = this.samples[0];
    const last = { at: Date.now(), events: this.eventsAccepted, bytes: this.bytesReceived };
    if (!first || last.at - first.at < 500) return { eventsPerSecond: 0, bytesPerSecond: 0 };
    const s = (last.at - first.at) / 1000;
    return { eventsPerSecond: Math.round((last.events - first.events) / s), bytesPerSecond: Math.round((last.bytes - first.bytes) / s) };
  }

  json(): Record<string, unknown> {
    const g = this.gauges;
    const mem = process.memoryUsage();
    const ms = (q: number, h: Histogram) => {
      const v = h.quantile(q);
      return v === null ? null : v * 1000;
    };
    return {
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      ...this.rates(),
      eventsAccepted: this.eventsAccepted,
      eventsRejected: this.eventsRejected,
      rejectsByCode: Object.fromEntries(this.rejectsByCode),
      bytesReceived: this.bytesReceived,
      batches: this.batches,
      flushes: this.flushes,
      batchesByStatus: Object.fromEntries(this.batchesByStatus),
      callErrors: this.callErrors,
      overloadRefusals: this.overloadRefusals,
      wal: { bytesWritten: this.walBytes, records: this.walRecords, commits: this.walCommits, lagBytes: g?.walLagBytes() ?? 0, segments: g?.walSegments() ?? 0, queueBytes: g?.queueBytes() ?? 0 },
      flush: { flushes: this.flushes, failures: this.flushFailures, rows: this.flushedRows, bytes: this.flushedBytes, rowsByTable: Object.fromEntries(this.flushedRowsByTable), ...(g?.flushState() ?? {}) },
      streams: { active: g?.streamsActive() ?? 0, paused: g?.streamsPaused() ?? 0 },
      producers: g?.producers() ?? 0,
      latencyMs: { ackP50: ms(0.5, this.ackLatency), ackP99: ms(0.99, this.ackLatency), fsyncP50: ms(0.5, this.fsyncLatency), fsyncP99: ms(0.99, this.fsyncLatency) },
      memory: { rssBytes: mem.rss, heapTotalBytes: mem.heapTotal, heapUsedBytes: mem.heapUsed, externalBytes: mem.external, arrayBuffersBytes: mem.arrayBuffers },
    };
  }

  prometheus(): string {
    const g = this.gauges;
    const out: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, values: [string, number][] | number) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      if (typeof values === 'number') out.push(`${name} ${values}`);
      else for (const [labels, v] of values) out.push(`${name}${labels} ${v}`);
    };
    const labelled = (label: string, m: Map<string, number>): [string, number][] => [...m].map(([k, v]) => [`{${label}="${k.replace(/["\\\n]/g, '_')}"}`, v]);
    const rates = this.rates();
    metric('keystone_ingest_events_accepted_total', 'counter', 'Events stored in the log.', this.eventsAccepted);
    metric('keystone_ingest_events_rejected_total', 'counter', 'Events rejected (sent to the dead-letter dataset), by error code.', labelled('code', this.rejectsByCode));
    metric('keystone_ingest_received_bytes_total', 'counter', 'Bytes of batches received.', this.bytesReceived);
    metric('keystone_ingest_batches_total', 'counter', 'Batches acknowledged, by ack status.', labelled('status', this.batchesByStatus));
    metric('keystone_ingest_call_errors_total', 'counter', 'Calls failed as a whole (malformed, too big, overloaded).', this.callErrors);
    metric('keystone_ingest_overload_refusals_total', 'counter', 'SendBatch calls refused with RESOURCE_EXHAUSTED.', this.overloadRefusals);
    metric('keystone_ingest_events_per_second', 'gauge', 'Events accepted per second over the last 10 s.', rates.eventsPerSecond);
    metric('keystone_ingest_bytes_per_second', 'gauge', 'Bytes received per second over the last 10 s.', rates.bytesPerSecond);
    metric('keystone_ingest_wal_written_bytes_total', 'counter', 'Bytes appended to the write-ahead log.', this.walBytes);
    metric('keystone_ingest_wal_commits_total', 'counter', 'Group commits (write + fdatasync) of the log.', this.walCommits);
    metric('keystone_ingest_wal_lag_bytes', 'gauge', 'Log bytes not yet flushed to bronze.', g?.walLagBytes() ?? 0);
    metric('keystone_ingest_wal_segments', 'gauge', 'Sealed log segments waiting for the flush.', g?.walSegments() ?? 0);
    metric('keystone_ingest_queue_bytes', 'gauge', 'Batches in memory waiting for the log.', g?.queueBytes() ?? 0);
    metric('keystone_ingest_flushes_total', 'counter', 'Flushes to bronze committed.', this.flushes);
    metric('keystone_ingest_flush_failures_total', 'counter', 'Flush attempts that failed (retried).', this.flushFailures);
    metric('keystone_ingest_flushed_rows_total', 'counter', 'Rows written to bronze, by table.', labelled('table', this.flushedRowsByTable));
    metric('keystone_ingest_streams', 'gauge', 'Open StreamEvents calls.', g?.streamsActive() ?? 0);
    metric('keystone_ingest_streams_paused', 'gauge', 'Streams not being read (flow control).', g?.streamsPaused() ?? 0);
    metric('keystone_ingest_producers', 'gauge', 'Producers with a remembered sequence.', g?.producers() ?? 0);
    metric('process_resident_memory_bytes', 'gauge', 'Resident set size.', process.memoryUsage().rss);
    out.push(this.ackLatency.prometheus('keystone_ingest_ack_latency_seconds', 'From a batch received to its ack (log fsync included).'));
    out.push(this.fsyncLatency.prometheus('keystone_ingest_wal_commit_seconds', 'One group commit: writev + fdatasync.'));
    out.push(this.flushDuration.prometheus('keystone_ingest_flush_seconds', 'One flush to bronze.'));
    return out.join('\n') + '\n';
  }
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** `/metrics` (Prometheus text 0.0.4), `/metrics.json`, `/healthz`. */
export async function startMetricsServer(metrics: IngestMetrics, opts: { port: number; host: string; log: Logger; healthy: () => boolean }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics.prometheus());
    } else if (url === '/metrics.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'access-control-allow-origin': '*' }).end(JSON.stringify(metrics.json()));
    } else if (url === '/healthz') {
      const ok = opts.healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'SERVING\n' : 'NOT_SERVING\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('try /metrics, /metrics.json or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  opts.log.info('ingestor metrics listening', { port });
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
