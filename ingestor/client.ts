/**
 * The client library: a producer that streams batches to the ingestor and never loses an acked one.
 *
 *   const client = await IngestClient.connect({ address: 'localhost:50051', producerId: 'checkout-1' });
 *   const { ack } = await client.send([{ event_id: 'e1', event_time: new Date(), order_placed: {...} }]);
 *   await client.close();
 *
 * - Each batch gets the next sequence number (starting above the server's last one for this producer
 *   unless `startSequence` says otherwise) and stays in memory until acked.
 * - Up to `maxInFlight` batches are on the wire at once; `send` waits for a slot (so a slow server slows
 *   the producer instead of growing its memory).
 * - When the stream breaks (the ingestor restarts, the network drops) the client reconnects with
 *   backoff and resends every unacked batch, same bytes, same sequence: the server stores each once
 *   and answers DUPLICATE for those it already had.
 * - An ack's retry_after_ms pauses the next send that long.
 * - A per-call error for one batch (INVALID_ARGUMENT: malformed, too many events; RESOURCE_EXHAUSTED:
 *   too big) rejects that batch's promise; the others are resent on a new stream.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../lib/logger';
import { encodeBatch, encodeEvent, type BatchAck, type EventInput } from './codec';
import { INGEST_SERVICE_DEFINITION } from './server';

export interface IngestClientOptions {
  /** host:port of the ingestor. */
  address: string;
  producerId: string;
  /** First sequence to use. Default: one above what the server has stored for this producer. */
  startSequence?: number;
  /** Batches sent but not acked, at most (default 8). */
  maxInFlight?: number;
  /** Reconnect backoff bounds (default 100 ms doubling to 5 s). */
  backoffMs?: { initial: number; max: number };
  /** Batches larger than this are refused here, before sending (default 16 MiB, the server's default). */
  maxBatchBytes?: number;
  /** Give up connecting / reconnecting after this long without success (default 120 s). */
  reconnectTimeoutMs?: number;
  log?: Logger;
  /** Extra grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
}

export interface SendResult {
  ack: BatchAck;
  sequence: number;
  /** From the first write of the batch to its ack. */
  latencyMs: number;
  /** 1 unless the batch was resent after a reconnect. */
  attempts: number;
}

export class IngestCallError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    readonly sequence: number,
  ) {
    super(message);
    this.name = 'IngestCallError';
  }
}

interface Pending {
  sequence: number;
  bytes: Buffer;
  firstSentAt: number;
  attempts: number;
  resolve: (r: SendResult) => void;
  reject: (e: Error) => void;
}

/** Errors after which resending the same batch cannot help. */
const FATAL_FOR_BATCH = new Set<grpc.status>([grpc.status.INVALID_ARGUMENT, grpc.status.RESOURCE_EXHAUSTED, grpc.status.UNIMPLEMENTED, grpc.status.PERMISSION_DENIED, grpc.status.UNAUTHENTICATED]);

export class IngestClient {
  readonly producerId: string;
  private readonly grpc: grpc.Client;
  private readonly opts: IngestClientOptions;
  private next: number;
  private readonly pending: Pending[] = [];
  private stream: grpc.ClientDuplexStream<Buffer, BatchAck> | undefined;
  private streamGen = 0;
  private slotWaiters: (() => void)[] = [];
  private pauseUntil = 0;
  /** sendRaw calls past their slot check, not yet in `pending` (waiting out a retry-after pause). */
  private reserved = 0;
  private closed = false;
  private reconnecting: Promise<void> | undefined;
  /** Batches resent after reconnects, acks seen as DUPLICATE. */
  readonly stats = { sent: 0, resent: 0, acked: 0, duplicates: 0, reconnects: 0 };

  private constructor(opts: IngestClientOptions, startSequence: number) {
    this.opts = opts;
    this.producerId = opts.producerId;
    this.next = startSequence;
    this.grpc = new grpc.Client(opts.address, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
      ...opts.channelOptions,
    });
  }

  static async connect(opts: IngestClientOptions): Promise<IngestClient> {
    const c = new IngestClient(opts, opts.startSequence ?? 1);
    if (opts.startSequence === undefined) {
      const last = await c.withRetry(() => c.lastSequence());
      c.next = last + 1;
    }
    return c;
  }

  /** The next sequence this client will use. */
  get nextSequence(): number {
    return this.next;
  }

  get inFlight(): number {
    return this.pending.length + this.reserved;
  }

  /** What the server has stored for this producer. */
  lastSequence(): Promise<number> {
    return new Promise((resolve, reject) => {
      const def = INGEST_SERVICE_DEFINITION.GetProducerState;
      this.grpc.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, { producer_id: this.producerId }, { deadline: Date.now() + 10_000 }, (err, res) => (err || !res ? reject(err ?? new Error('no answer')) : resolve(res.last_sequence)));
    });
  }

  /** Encode and send typed / generic events as one batch; resolves with its ack. */
  send(events: readonly EventInput[]): Promise<SendResult> {
    const encoded = events.map(encodeEvent);
    return this.sendRaw((seq) => encodeBatch(this.producerId, seq, encoded));
  }

  /** Send already-encoded events as one batch. */
  sendEncoded(events: readonly Uint8Array[]): Promise<SendResult> {
    return this.sendRaw((seq) => encodeBatch(this.producerId, seq, events));
  }

  /**
   * Send a batch built by `build(sequence)` (a whole EventBatch message: the load generator splices
   * pre-encoded events). Waits for a free slot first; resolves with the ack.
   */
  async sendRaw(build: (sequence: number) => Buffer): Promise<SendResult> {
    if (this.closed) throw new Error('the client is closed');
    while (this.pending.length + this.reserved >= (this.opts.maxInFlight ?? 8)) await new Promise<void>((r) => this.slotWaiters.push(r));
    // Take the slot before any await: a caller that sends as soon as waitForSlot resolves must not see
    // it free again while this batch waits out a retry-after pause (it would queue sends without bound).
    this.reserved++;
    try {
      const wait = this.pauseUntil - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    } finally {
      this.reserved--;
    }
    const sequence = this.next++;
    const bytes = build(sequence);
    const limit = this.opts.maxBatchBytes ?? 16 * 1024 * 1024;
    if (bytes.length > limit) {
      throw new IngestCallError(grpc.status.RESOURCE_EXHAUSTED, `the batch is ${bytes.length} bytes, over the ${limit}-byte limit; send fewer or smaller events per batch`, sequence);
    }
    return new Promise<SendResult>((resolve, reject) => {
      const p: Pending = { sequence, bytes, firstSentAt: performance.now(), attempts: 0, resolve, reject };
      this.pending.push(p);
      this.write(p);
    });
  }

  /** Resolves when another batch may be sent without waiting. */
  async waitForSlot(): Promise<void> {
    while (this.pending.length + this.reserved >= (this.opts.maxInFlight ?? 8)) await new Promise<void>((r) => this.slotWaiters.push(r));
  }

  /** Wait until every batch sent so far is acked. */
  async flush(): Promise<void> {
    while (this.pending.length > 0) await new Promise<void>((r) => this.slotWaiters.push(r));
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    this.closed = true;
    this.stream?.end();
    this.stream = undefined;
    this.grpc.close();
  }

  /** Drop everything: pending batches are rejected (tests). */
  destroy(): void {
    this.closed = true;
    this.stream?.cancel();
    this.grpc.close();
    for (const p of this.pending.splice(0)) p.reject(new Error('the client was destroyed'));
    this.wakeSlots();
  }

  private ensureStream(): grpc.ClientDuplexStream<Buffer, BatchAck> {
    if (this.stream) return this.stream;
    const def = INGEST_SERVICE_DEFINITION.StreamEvents;
    const gen = ++this.streamGen;
    const s = this.grpc.makeBidiStreamRequest(def.path, def.requestSerialize, def.responseDeserialize);
    s.on('data', (ack: BatchAck) => this.onAck(ack, gen));
    s.on('error', (e: grpc.ServiceError) => this.onBroken(gen, e));
    s.on('end', () => this.onBroken(gen, undefined));
    this.stream = s;
    return s;
  }

  private write(p: Pending) {
    if (this.reconnecting) return; // resent when the stream is back
    const s = this.ensureStream();
    p.attempts++;
    this.stats.sent++;
    if (p.attempts > 1) this.stats.resent++;
    // At most maxInFlight batches are ever buffered here, so the stream's own buffer stays bounded.
    s.write(p.bytes);
  }

  private onAck(ack: BatchAck, gen: number) {
    if (gen !== this.streamGen) return;
    const head = this.pending[0];
    if (!head) return;
    if (ack.sequence !== head.sequence) {
      // Acks come in order; anything else means the stream is confused: start a new one.
      this.opts.log?.warn('ack out of order; reconnecting', { expected: head.sequence, got: ack.sequence });
      this.onBroken(gen, undefined);
      return;
    }
    this.pending.shift();
    this.stats.acked++;
    if (ack.status === 'DUPLICATE') this.stats.duplicates++;
    if (ack.retry_after_ms > 0) this.pauseUntil = Date.now() + ack.retry_after_ms;
    head.resolve({ ack, sequence: head.sequence, latencyMs: performance.now() - head.firstSentAt, attempts: head.attempts });
    this.wakeSlots();
  }

  private wakeSlots() {
    const w = this.slotWaiters;
    this.slotWaiters = [];
    for (const f of w) f();
  }

  private onBroken(gen: number, err: grpc.ServiceError | undefined) {
    if (gen !== this.streamGen) return;
    this.streamGen++;
    const s = this.stream;
    this.stream = undefined;
    s?.cancel();
    if (this.closed) return;
    if (err && FATAL_FOR_BATCH.has(err.code) && this.pending[0]) {
      // The server refused one batch as a whole: the oldest unacked one (batches are taken in order),
      // or for a size limit the one of the size it names. The others are resent.
      const size = /larger than max \((\d+) vs/.exec(err.details ?? '')?.[1];
      const i = size ? Math.max(0, this.pending.findIndex((p) => p.bytes.length === Number(size))) : 0;
      const [bad] = this.pending.splice(i, 1);
      bad!.reject(new IngestCallError(err.code, err.details || err.message, bad!.sequence));
      this.wakeSlots();
    }
    if (this.pending.length === 0) return;
    this.opts.log?.warn('ingest stream broke; reconnecting and resending unacked batches', { unacked: this.pending.length, error: err?.details ?? 'stream ended' });
    this.stats.reconnects++;
    // Resend in the same tick the stream is usable again, so no new batch can slip in ahead of the
    // unacked ones (acks come back in the order batches were sent).
    this.reconnecting = this.reconnect().then(
      () => {
        this.reconnecting = undefined;
        for (const p of this.pending) this.write(p);
      },
      (e: unknown) => {
        this.reconnecting = undefined;
        for (const p of this.pending.splice(0)) p.reject(e instanceof Error ? e : new Error(String(e)));
        this.wakeSlots();
      },
    );
  }

  /** Wait until the server answers again (its channel is READY and GetProducerState works). */
  private reconnect(): Promise<void> {
    return this.withRetry(async () => {
      await this.lastSequence();
    });
  }

  private async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    const { initial, max } = this.opts.backoffMs ?? { initial: 100, max: 5000 };
    const deadline = Date.now() + (this.opts.reconnectTimeoutMs ?? 120_000);
    let delay = initial;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (this.closed) throw new Error('the client is closed');
        if (Date.now() + delay > deadline) throw new Error(`the ingestor at ${this.opts.address} did not answer within ${this.opts.reconnectTimeoutMs ?? 120_000} ms: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(max, delay * 2);
      }
    }
  }
}

/** One batch over the unary SendBatch, retrying RESOURCE_EXHAUSTED after the server's retry-after-ms. */
export async function sendBatchUnary(address: string, batch: Buffer, opts: { attempts?: number; deadlineMs?: number } = {}): Promise<BatchAck> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 512 * 1024 * 1024 });
  const def = INGEST_SERVICE_DEFINITION.SendBatch;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await new Promise<BatchAck>((resolve, reject) =>
          client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, batch, { deadline: Date.now() + (opts.deadlineMs ?? 30_000) }, (err, res) => (err || !res ? reject(err ?? new Error('no answer')) : resolve(res))),
        );
      } catch (e) {
        const err = e as grpc.ServiceError;
        if (err.code !== grpc.status.RESOURCE_EXHAUSTED || attempt >= (opts.attempts ?? 1)) throw e;
        const hinted = Number(err.metadata?.get('retry-after-ms')[0] ?? 100);
        await new Promise((r) => setTimeout(r, Number.isFinite(hinted) ? hinted : 100));
      }
    }
  } finally {
    client.close();
  }
}
