/**
 * A batch, from bytes to ack: split it, check each event, append the accepted ones (and the rejects, for
 * the dead letters) to the log, and ack once the log has fsynced. Also the admission decisions the
 * server acts on (is the queue or the log too far behind?).
 */
import { isUtf8 } from 'node:buffer';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../lib/logger';
import type { AckStatus, BatchAck, EventErrorOut } from './codec';
import type { DedupState } from './dedup';
import { DEAD_LETTER_MAX_PAYLOAD, EventView, MAX_EVENT_LEAD_SEC, decodeEvent, formatTimestamp, validateEvent, type ValidationContext } from './events';
import type { IngestMetrics } from './metrics';
import { encodeBatchRecord, eventFraming, type RejectedEvent } from './record';
import type { IngestSettings } from './settings';
import type { Wal } from './wal';
import { parseBatchFrame } from './wire';

export const MAX_PRODUCER_ID_BYTES = 128;

/** A failure of the whole call, with its gRPC status. */
export class CallError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message);
    this.name = 'CallError';
  }
}

export interface Overload {
  reason: string;
  retryAfterMs: number;
}

export class Intake {
  private readonly view = new EventView();
  /** Batches whose record is being written: a retry waits for the original. */
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly validation: ValidationContext;

  constructor(
    private readonly wal: Wal,
    private readonly dedup: DedupState,
    private readonly settings: IngestSettings,
    private readonly metrics: IngestMetrics,
    private readonly log: Logger,
  ) {
    this.validation = { maxTimeSec: 0, genericTables: settings.genericTables };
  }

  /** Why the server should not take more right now, if it should not. */
  overload(): Overload | undefined {
    const queued = this.wal.queuedBytes();
    if (queued >= this.settings.queueBytes) {
      return { reason: `${Math.round(queued / 1048576)} MiB of batches are waiting for the log (limit ${Math.round(this.settings.queueBytes / 1048576)} MiB)`, retryAfterMs: 100 };
    }
    const lag = this.wal.lagBytes();
    if (lag >= this.settings.maxWalLagBytes) {
      return { reason: `the flush to bronze is ${Math.round(lag / 1048576)} MiB behind (limit ${Math.round(this.settings.maxWalLagBytes / 1048576)} MiB)`, retryAfterMs: 1000 };
    }
    return undefined;
  }

  /** Count a SendBatch refused for overload. */
  refused(): void {
    this.metrics.overloadRefusals++;
    this.metrics.callErrors++;
  }

  /** Advice for producers in acks: 0 normally, growing as the log lag passes half of its limit. */
  retryHint(): number {
    const lag = this.wal.lagBytes();
    const half = this.settings.maxWalLagBytes / 2;
    if (lag <= half) return 0;
    return Math.min(1000, Math.max(10, Math.round(((lag - half) / half) * 1000)));
  }

  /**
   * Take one encoded EventBatch. Resolves with its ack once stored (or at once for a duplicate or an
   * all-invalid batch of nothing); rejects with CallError for a per-call failure.
   */
  async accept(buf: Buffer, receivedAt = Date.now()): Promise<BatchAck> {
    const t0 = performance.now();
    this.metrics.bytesReceived += buf.length;
    const parsed = parseBatchFrame(buf, this.settings.maxBatchEvents);
    if (!parsed.ok) {
      this.metrics.callErrors++;
      throw new CallError(grpc.status.INVALID_ARGUMENT, parsed.message);
    }
    const frame = parsed.frame;
    const plen = frame.producerEnd - frame.producerStart;
    const producerBytes = buf.subarray(frame.producerStart, frame.producerEnd);
    if (plen === 0 || plen > MAX_PRODUCER_ID_BYTES || !isUtf8(producerBytes) || /[\u0000-\u001f\u007f]/.test(producerBytes.toString('utf8'))) {
      this.metrics.callErrors++;
      throw new CallError(grpc.status.INVALID_ARGUMENT, `producer_id must be 1 to ${MAX_PRODUCER_ID_BYTES} bytes of printable UTF-8`);
    }
    const producerId = producerBytes.toString('utf8');
    const seq = frame.sequence;
    if (!Number.isSafeInteger(seq) || seq < 1) {
      this.metrics.callErrors++;
      throw new CallError(grpc.status.INVALID_ARGUMENT, `sequence must be from 1 to 2^53-1 (got ${Number.isNaN(seq) ? 'a larger number' : seq})`);
    }
    const base = { producer_id: producerId, sequence: seq };

    // Stored before, or being stored right now by an earlier attempt?
    const key = `${producerId}\u0000${seq}`;
    const pending = this.inflight.get(key);
    if (pending) await pending.catch(() => undefined);
    if (this.dedup.has(producerId, seq)) {
      this.metrics.batch('DUPLICATE');
      return { ...base, status: 'DUPLICATE', accepted: 0, rejected: 0, errors: [], retry_after_ms: this.retryHint() };
    }

    // Every event on its own: the good ones are stored, the bad ones answered and dead-lettered.
    const v = this.view;
    this.validation.maxTimeSec = Math.floor(receivedAt / 1000) + MAX_EVENT_LEAD_SEC;
    const n = frame.eventStarts.length;
    const rejects: RejectedEvent[] = [];
    const errors: EventErrorOut[] = [];
    let rejectedMask: Uint8Array | undefined;
    for (let i = 0; i < n; i++) {
      const s = frame.eventStarts[i]!;
      const e = frame.eventEnds[i]!;
      let ok: boolean;
      if (e - s > this.settings.maxEventBytes) {
        decodeEvent(v, buf, s, e);
        v.errorCode = 'too_large';
        v.errorMessage = `the event is ${e - s} bytes; at most ${this.settings.maxEventBytes}`;
        ok = false;
      } else {
        ok = decodeEvent(v, buf, s, e) && validateEvent(v, this.validation);
      }
      if (ok) continue;
      rejectedMask ??= new Uint8Array(n);
      rejectedMask[i] = 1;
      const code = v.errorCode ?? 'malformed';
      const eventId = safeText(buf, v.idStart, v.idEnd, 256);
      errors.push({ index: i, event_id: eventId, code, message: v.errorMessage });
      rejects.push({
        index: i,
        code,
        message: v.errorMessage,
        eventId,
        table: safeText(buf, v.tableStart, v.tableEnd, 128),
        eventTime: v.hasTime && Number.isFinite(v.timeSec) && Math.abs(v.timeSec) < 253_402_300_799 ? formatTimestamp(v.timeSec, v.timeNanos >= 0 && v.timeNanos < 1e9 ? v.timeNanos : 0) : null,
        payloadBase64: buf.toString('base64', s, Math.min(e, s + DEAD_LETTER_MAX_PAYLOAD)),
        payloadBytes: e - s,
      });
      this.metrics.reject(code);
    }
    const accepted = n - rejects.length;

    // The events to store: the message as received when all are good, else the good ones re-framed.
    let events: Buffer[];
    if (rejects.length === 0) events = [buf];
    else {
      events = [];
      for (let i = 0; i < n; i++) {
        if (rejectedMask![i]) continue;
        const s = frame.eventStarts[i]!;
        const e = frame.eventEnds[i]!;
        events.push(eventFraming(e - s), buf.subarray(s, e));
      }
    }
    const parts = encodeBatchRecord(producerBytes, seq, receivedAt, accepted, rejects, events);
    const writing = this.wal.append(parts, receivedAt);
    this.inflight.set(key, writing);
    try {
      await writing;
    } catch (e) {
      this.metrics.callErrors++;
      throw new CallError(grpc.status.UNAVAILABLE, `the batch could not be stored: ${(e as Error).message}`);
    } finally {
      this.inflight.delete(key);
    }
    this.dedup.add(producerId, seq);
    this.metrics.eventsAccepted += accepted;
    const status: AckStatus = rejects.length === 0 ? 'ACCEPTED' : accepted === 0 ? 'REJECTED' : 'PARTIAL';
    this.metrics.batch(status);
    this.metrics.ackLatency.observe((performance.now() - t0) / 1000);
    if (rejects.length > 0) this.log.debug('batch had rejected events', { producer: producerId, sequence: seq, rejected: rejects.length, first: errors[0]?.code });
    return { ...base, status, accepted, rejected: rejects.length, errors, retry_after_ms: this.retryHint() };
  }
}

/** Text for an error report from bytes that may not be valid UTF-8 or may be huge. */
function safeText(buf: Buffer, start: number, end: number, max: number): string {
  if (end <= start) return '';
  return buf.toString('utf8', start, Math.min(end, start + max));
}
