/**
 * The load generator behind `keystone stream` and `npm run bench:ingest`: P producers replay the
 * synthetic Olist lifecycle events (lib/stream/olist-events.ts) at a target rate, in batches, through
 * the client library, and report the achieved rate and the ack latency percentiles.
 *
 * Events are encoded once (the typed contract, by codec.ts) into templates; each batch splices
 * templates and stamps a fresh, unique event id into each copy (a fixed-width id written in place),
 * so the generator spends its time on the wire, not on re-encoding. Every event id is unique:
 * `<producer tag>-<per-producer counter in hex, zero-padded to the id width>`.
 */
import { KeystoneError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { olistEvents } from '../lib/stream/olist-events';
import { IngestClient, type SendResult } from './client';
import { encodeEvent, type EventInput } from './codec';
import { EventView, MAX_EVENT_LEAD_SEC, decodeEvent, validateEvent } from './events';
import { varintSize, writeVarint, WIRE_LEN, WIRE_VARINT } from './wire';

/** Default event id width: `<4-char producer tag>-<19 hex digits>` (the counter uses the low 12). */
export const EVENT_ID_WIDTH = 24;
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** Pre-encoded events, each framed as an EventBatch field-3 entry, with where its event id sits. */
export class EventTemplates {
  constructor(
    readonly framed: Buffer[],
    readonly idOffsets: number[],
    readonly idWidth: number,
  ) {}

  /** `idWidth` (≥ 12) sets the size of the stamped event ids; wider ids make bigger events. */
  static fromEvents(events: readonly EventInput[], idWidth = EVENT_ID_WIDTH): EventTemplates {
    if (!Number.isInteger(idWidth) || idWidth < 12 || idWidth > 256) throw new Error(`event id width must be 12 to 256, got ${idWidth}`);
    const PLACEHOLDER = 'z'.repeat(idWidth);
    const framed: Buffer[] = [];
    const offsets: number[] = [];
    const v = new EventView();
    const ctx = { maxTimeSec: Math.floor(Date.now() / 1000) + MAX_EVENT_LEAD_SEC, genericTables: undefined };
    for (const e of events) {
      const bytes = encodeEvent({ ...e, event_id: PLACEHOLDER });
      // Only events the server accepts: the load is about throughput, not rejects.
      if (!decodeEvent(v, bytes, 0, bytes.length) || !validateEvent(v, ctx)) continue;
      const head = 1 + varintSize(bytes.length);
      const f = Buffer.allocUnsafe(head + bytes.length);
      f[0] = (3 << 3) | WIRE_LEN;
      writeVarint(f, 1, bytes.length);
      bytes.copy(f, head);
      const at = f.indexOf(PLACEHOLDER, head, 'latin1');
      if (at < 0) continue;
      // Zero-fill the id once; each copy then only gets its tag and the counter's low digits.
      f.fill(0x30, at, at + idWidth);
      f[at + 4] = 0x2d;
      framed.push(f);
      offsets.push(at);
    }
    if (framed.length === 0) throw new Error('no valid events to replay');
    return new EventTemplates(framed, offsets, idWidth);
  }

  /** Hex digits of the per-producer counter an id holds. */
  get counterDigits(): number {
    return Math.min(12, this.idWidth - 5);
  }

  get averageEventBytes(): number {
    return this.framed.reduce((a, f) => a + f.length, 0) / this.framed.length;
  }
}

/** Builds batches for one producer: consecutive templates, fresh event ids. */
export class BatchBuilder {
  private cursor: number;
  private counter = 0;
  private readonly tag: Buffer;
  private readonly producer: Buffer;

  constructor(
    private readonly templates: EventTemplates,
    producerId: string,
    producerIndex: number,
  ) {
    this.producer = Buffer.from(producerId, 'utf8');
    this.tag = Buffer.from(producerIndex.toString(36).padStart(4, '0').slice(-4), 'latin1');
    this.cursor = (producerIndex * 7919) % templates.framed.length;
  }

  /**
   * `reuse`: a buffer whose previous batch is acked. Written in place when big enough — a fresh
   * 200 KB buffer per batch costs its page faults, and they made these copies the load generator's
   * largest CPU cost.
   */
  build(sequence: number, count: number, reuse?: Buffer): Buffer {
    const t = this.templates;
    const n = t.framed.length;
    let size = 1 + varintSize(this.producer.length) + this.producer.length + 1 + varintSize(sequence);
    let c = this.cursor;
    for (let i = 0; i < count; i++) {
      size += t.framed[c]!.length;
      c = c + 1 === n ? 0 : c + 1;
    }
    // Its own memory (never the shared pool, so that it can be reused whole), with room for a batch of
    // bigger templates next time.
    const out = (reuse && reuse.length >= size ? reuse : Buffer.allocUnsafeSlow(Math.ceil(size * 1.1))).subarray(0, size);
    let pos = 0;
    out[pos++] = (1 << 3) | WIRE_LEN;
    pos = writeVarint(out, pos, this.producer.length);
    pos += this.producer.copy(out, pos);
    out[pos++] = (2 << 3) | WIRE_VARINT;
    pos = writeVarint(out, pos, sequence);
    for (let i = 0; i < count; i++) {
      const f = t.framed[this.cursor]!;
      out.set(f, pos);
      // Stamp `<tag>-<counter in hex, zero-padded>` (the template holds `0000-000…`): the tag and the
      // counter's low hex digits (up to 12: no producer sends 2^48 events).
      const at = pos + t.idOffsets[this.cursor]!;
      out[at] = this.tag[0]!;
      out[at + 1] = this.tag[1]!;
      out[at + 2] = this.tag[2]!;
      out[at + 3] = this.tag[3]!;
      let k = this.counter++;
      const last = at + t.idWidth - 1;
      for (let d = 0; d < t.counterDigits && k > 0; d++) {
        out[last - d] = HEX[k % 16]!;
        k = Math.floor(k / 16);
      }
      pos += f.length;
      this.cursor = this.cursor + 1 === n ? 0 : this.cursor + 1;
    }
    return out;
  }
}

export interface LoadOptions {
  address: string;
  /** Events per second, all producers together; 0: as fast as the acks come back. */
  rate: number;
  durationS: number;
  producers: number;
  /** Events per batch. */
  batch: number;
  /** Batches in flight per producer (default 8). */
  maxInFlight?: number;
  /** Producer ids are `<prefix>-<n>` (default `loadgen`). Sequences continue above what the server has. */
  producerPrefix?: string;
  /** Width of the event ids (default 24); the bench widens them to reach ~200-byte events. */
  idWidth?: number;
  /** Synthetic data set replayed (default scale 0.01, seed 42). */
  scale?: number;
  seed?: number;
  /** Called about once a second. */
  onTick?: (t: { elapsedS: number; events: number; eventsPerSecond: number; inFlight: number }) => void;
  log?: Logger;
  /** One HTTP/2 connection per producer instead of one shared (default false). */
  connectionPerProducer?: boolean;
}

export interface LoadReport {
  targetRate: number;
  producers: number;
  batch: number;
  events: number;
  batches: number;
  elapsedS: number;
  eventsPerSecond: number;
  bytes: number;
  avgEventBytes: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  rejected: number;
  duplicates: number;
  reconnects: number;
  errors: string[];
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const { events } = await olistEvents({ scale: o.scale ?? 0.01, seed: o.seed ?? 42 });
  const templates = EventTemplates.fromEvents(events, o.idWidth ?? EVENT_ID_WIDTH);
  const prefix = o.producerPrefix ?? 'loadgen';
  const clients = await Promise.all(
    Array.from({ length: o.producers }, (_, i) =>
      IngestClient.connect({
        address: o.address,
        producerId: `${prefix}-${i}`,
        maxInFlight: o.maxInFlight ?? 8,
        reconnectTimeoutMs: 30_000,
        ...(o.log ? { log: o.log } : {}),
        ...(o.connectionPerProducer ? { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } } : {}),
      }),
    ),
  ).catch((e: unknown) => {
    throw new KeystoneError('unavailable:ingestor', `cannot stream to ${o.address}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  });
  const latencies: number[] = [];
  const errors: string[] = [];
  let acked = 0;
  let batches = 0;
  let bytes = 0;
  let rejected = 0;
  const start = performance.now();
  const endAt = start + o.durationS * 1000;
  let endTimer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((r) => (endTimer = setTimeout(r, o.durationS * 1000)));
  const perProducerRate = o.rate > 0 ? o.rate / o.producers : 0;
  const interval = perProducerRate > 0 ? (o.batch / perProducerRate) * 1000 : 0;

  const tick = setInterval(() => {
    const elapsedS = (performance.now() - start) / 1000;
    o.onTick?.({ elapsedS, events: acked, eventsPerSecond: acked / elapsedS, inFlight: clients.reduce((a, c) => a + c.inFlight, 0) });
  }, 1000);

  const onAck = (r: SendResult) => {
    latencies.push(r.latencyMs);
    acked += r.ack.status === 'DUPLICATE' ? o.batch : r.ack.accepted;
    rejected += r.ack.rejected;
    batches++;
  };
  const onError = (e: unknown) => {
    if (errors.length < 20) errors.push(e instanceof Error ? e.message : String(e));
  };

  await Promise.all(
    clients.map(async (client, i) => {
      const builder = new BatchBuilder(templates, client.producerId, i);
      // Producers start spread over one interval so their batches do not arrive in lockstep.
      let next = start + (interval * i) / o.producers;
      const sends: Promise<void>[] = [];
      /** Buffers of acked batches, written over by the next ones. */
      const free: Buffer[] = [];
      while (performance.now() < endAt) {
        if (interval > 0) {
          const wait = next - performance.now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          next += interval;
          // Far behind schedule (the server pushed back): do not burst to catch up.
          if (performance.now() - next > 1000) next = performance.now();
        }
        // A window slot (sendRaw resolves on the ack, not on the write) — but not past the end: a
        // server pushing back may keep the window full for long.
        await Promise.race([client.waitForSlot(), ended]);
        if (performance.now() >= endAt) break;
        let built: Buffer | undefined;
        const p = client.sendRaw((seq) => {
          const b = builder.build(seq, o.batch, free.pop());
          built = b;
          bytes += b.length;
          return b;
        });
        sends.push(
          p.then((r) => {
            // Acked: the client has let go of the bytes (grpc-js framed its own copy when it wrote them).
            if (built) free.push(Buffer.from(built.buffer));
            onAck(r);
          }, onError),
        );
        if (sends.length > 4096) sends.splice(0, 2048);
      }
      await client.flush().catch(onError);
      await Promise.all(sends);
    }),
  );
  clearInterval(tick);
  clearTimeout(endTimer);
  const elapsedS = (performance.now() - start) / 1000;
  const stats = clients.reduce((a, c) => ({ duplicates: a.duplicates + c.stats.duplicates, reconnects: a.reconnects + c.stats.reconnects }), { duplicates: 0, reconnects: 0 });
  await Promise.all(clients.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  return {
    targetRate: o.rate,
    producers: o.producers,
    batch: o.batch,
    events: acked,
    batches,
    elapsedS,
    eventsPerSecond: acked / elapsedS,
    bytes,
    avgEventBytes: templates.averageEventBytes,
    latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99), max: latencies[latencies.length - 1] ?? 0 },
    rejected,
    duplicates: stats.duplicates,
    reconnects: stats.reconnects,
    errors,
  };
}
