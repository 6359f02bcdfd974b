/**
 * The gRPC face of the ingestor: IngestService (StreamEvents, SendBatch, GetProducerState), health
 * (grpc.health.v1, for '' and the service) and server reflection, bound and shut down cleanly.
 *
 * The service is registered with our own (de)serializers: a request arrives as the raw EventBatch
 * bytes and intake.ts reads them (see wire.ts for why); reflection still describes the typed contract
 * from the .proto, and any protobuf client talks to it unchanged.
 *
 * Backpressure:
 *   - StreamEvents: a stream has at most KEYSTONE_INGEST_STREAM_WINDOW batches waiting for the log;
 *     beyond that, or while the server is overloaded (queue or log lag over their limits), the server
 *     stops reading the stream — HTTP/2 flow control then stops the producer. Acks are written in
 *     order; a producer that does not read its acks fills the window of the response and the server
 *     stops reading its requests too, so it costs a bounded amount of memory.
 *   - SendBatch: refused with RESOURCE_EXHAUSTED and `retry-after-ms` trailing metadata when overloaded.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import type { Logger } from '../lib/logger';
import { decodeAck, decodeProducerState, decodeProducerStateRequest, encodeAck, encodeProducerState, encodeProducerStateRequest, type BatchAck } from './codec';
import { CallError, type Intake } from './intake';

export const INGEST_SERVICE = 'keystone.ingest.v1.IngestService';

export function protoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../protos');
}

export function loadIngestProto(): protoLoader.PackageDefinition {
  return protoLoader.loadSync('keystone/ingest/v1/ingest.proto', {
    includeDirs: [protoRoot()],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
}

const identity = (b: Buffer) => b;

/** The service with raw-bytes requests (server side) — the client uses the same definition. */
export const INGEST_SERVICE_DEFINITION = {
  StreamEvents: {
    path: `/${INGEST_SERVICE}/StreamEvents`,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: encodeAck,
    responseDeserialize: decodeAck,
    originalName: 'streamEvents',
  },
  SendBatch: {
    path: `/${INGEST_SERVICE}/SendBatch`,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: encodeAck,
    responseDeserialize: decodeAck,
    originalName: 'sendBatch',
  },
  GetProducerState: {
    path: `/${INGEST_SERVICE}/GetProducerState`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (r: { producer_id: string }) => encodeProducerStateRequest(r.producer_id),
    requestDeserialize: decodeProducerStateRequest,
    responseSerialize: encodeProducerState,
    responseDeserialize: decodeProducerState,
    originalName: 'getProducerState',
  },
} satisfies grpc.ServiceDefinition;

export interface IngestHandlers {
  intake: Intake;
  lastSequence(producerId: string): number;
  log: Logger;
}

export interface StreamStats {
  active: number;
  paused: number;
}

export interface IngestorServer {
  port: number;
  health: HealthImplementation;
  streams: StreamStats;
  /** Wake paused streams (the intake has room again). */
  capacity(): void;
  shutdown(): Promise<void>;
}

export interface ServerOptions {
  port: number;
  host?: string;
  log: Logger;
  /** Without handlers only health and reflection are served (tests of the server itself). */
  handlers?: IngestHandlers;
  maxMessageBytes?: number;
  streamWindow?: number;
}

export async function startIngestorServer(opts: ServerOptions): Promise<IngestorServer> {
  const maxMessage = opts.maxMessageBytes ?? 16 * 1024 * 1024;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': maxMessage,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
    // Streams per connection; each holds at most a window of batches in memory.
    'grpc.max_concurrent_streams': 256,
  });
  const health = new HealthImplementation({ '': 'NOT_SERVING', [INGEST_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);
  new ReflectionService(loadIngestProto()).addToServer(server);

  const streams: StreamStats = { active: 0, paused: 0 };
  const waiting = new Set<() => void>();
  const capacity = () => {
    for (const w of [...waiting]) w();
  };

  if (opts.handlers) {
    const h = opts.handlers;
    const window = opts.streamWindow ?? 32;
    server.addService(INGEST_SERVICE_DEFINITION, {
      StreamEvents: (call: grpc.ServerDuplexStream<Buffer, BatchAck>) => handleStream(call, h, window, streams, waiting),
      SendBatch: (call: grpc.ServerUnaryCall<Buffer, BatchAck>, callback: grpc.sendUnaryData<BatchAck>) => {
        const over = h.intake.overload();
        if (over) {
          h.intake.refused();
          const md = new grpc.Metadata();
          md.set('retry-after-ms', String(over.retryAfterMs));
          callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: `ingestor overloaded: ${over.reason}; retry after ${over.retryAfterMs} ms`, metadata: md });
          return;
        }
        h.intake.accept(call.request).then(
          (ack) => callback(null, ack),
          (e: unknown) => callback(toServiceError(e, h.log)),
        );
      },
      GetProducerState: (call: grpc.ServerUnaryCall<{ producer_id: string }, { producer_id: string; last_sequence: number }>, callback: grpc.sendUnaryData<{ producer_id: string; last_sequence: number }>) => {
        callback(null, { producer_id: call.request.producer_id, last_sequence: h.lastSequence(call.request.producer_id) });
      },
    });
  }

  const host = opts.host ?? '0.0.0.0';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${opts.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  widenFlowControlWindows(server, opts.log);
  // The ingestor starts this server only once its log is replayed: bound means ready.
  health.setStatus('', 'SERVING');
  health.setStatus(INGEST_SERVICE, 'SERVING');
  opts.log.info('ingestor listening', { port });

  return {
    port,
    health,
    streams,
    capacity,
    shutdown: () =>
      new Promise<void>((resolve) => {
        health.setStatus('', 'NOT_SERVING');
        health.setStatus(INGEST_SERVICE, 'NOT_SERVING');
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

/**
 * HTTP/2 starts every connection and stream with a 64 KiB receive window; a producer may then send only
 * 64 KiB before the server's next WINDOW_UPDATE, which comes only after the event loop has read what
 * arrived. With ~200 KB batches and a busy loop that throttles a connection. A larger window (1 MiB
 * per stream, 8 MiB per connection) lets batches stream in while the loop works; memory stays bounded
 * because what a paused stream can have buffered here is at most its window (flow control holds the
 * rest at the producer). grpc-js has no option for the server's
 * windows, so the settings are applied to its HTTP/2 servers and sessions directly; should a grpc-js
 * version not have them where expected, the defaults simply stay.
 */
const STREAM_WINDOW_BYTES = 1024 * 1024;
const CONNECTION_WINDOW_BYTES = 8 * 1024 * 1024;

function widenFlowControlWindows(server: grpc.Server, log: Logger) {
  const servers = (server as unknown as { http2Servers?: Map<unknown, unknown> }).http2Servers;
  if (!(servers instanceof Map)) {
    log.warn('cannot widen the HTTP/2 flow-control windows (grpc-js internals changed); using the 64 KiB defaults');
    return;
  }
  for (const h of servers.keys()) {
    const h2 = h as { updateSettings?(s: { initialWindowSize: number }): void; on?(event: 'session', f: (s: { setLocalWindowSize?(n: number): void }) => void): void };
    try {
      h2.updateSettings?.({ initialWindowSize: STREAM_WINDOW_BYTES });
      h2.on?.('session', (session) => {
        try {
          session.setLocalWindowSize?.(CONNECTION_WINDOW_BYTES);
        } catch {
          // a session that is already closing
        }
      });
    } catch (e) {
      log.warn('could not widen the HTTP/2 flow-control windows', { error: e });
    }
  }
}

function toServiceError(e: unknown, log: Logger): Partial<grpc.StatusObject> {
  if (e instanceof CallError) {
    const metadata = new grpc.Metadata();
    if (e.retryAfterMs > 0) metadata.set('retry-after-ms', String(e.retryAfterMs));
    return { code: e.code, details: e.message, metadata };
  }
  log.error('ingest call failed unexpectedly', { error: e });
  return { code: grpc.status.INTERNAL, details: 'the ingestor failed unexpectedly; see its log' };
}

/**
 * One producer stream. Batches are taken in order, acks written in the same order. Reading pauses while
 * the stream has `window` batches in flight, while the ack writes are blocked (the producer is not
 * reading them), or while the intake is overloaded.
 */
function handleStream(call: grpc.ServerDuplexStream<Buffer, BatchAck>, h: IngestHandlers, window: number, streams: StreamStats, waiting: Set<() => void>) {
  streams.active++;
  // grpc-js buffers up to 16 messages per stream in object mode; 2 is enough to keep it busy.
  const readable = (call as unknown as { _readableState?: { highWaterMark: number } })._readableState;
  if (readable) readable.highWaterMark = 2;
  let inflight = 0;
  let writeBlocked = false;
  let paused = false;
  let finished = false;
  let ended = false;
  let chain: Promise<void> = Promise.resolve();

  const setPaused = (p: boolean) => {
    if (p === paused) return;
    paused = p;
    streams.paused += p ? 1 : -1;
    if (p) call.pause();
    else call.resume();
  };
  const reconsider = () => {
    if (finished) return;
    const over = inflight >= window || writeBlocked || h.intake.overload() !== undefined;
    setPaused(over);
    if (over) waiting.add(reconsider);
    else waiting.delete(reconsider);
  };
  const finish = (err?: Partial<grpc.StatusObject>) => {
    if (finished) return;
    finished = true;
    waiting.delete(reconsider);
    if (paused) streams.paused--;
    streams.active--;
    if (err) call.emit('error', Object.assign(new Error(err.details ?? 'error'), err));
    else call.end();
  };

  call.on('data', (buf: Buffer) => {
    if (finished) return;
    inflight++;
    const acking = h.intake.accept(buf);
    // Errors are handled in the chain, in order; do not let an early rejection go unhandled.
    acking.catch(() => undefined);
    chain = chain.then(async () => {
      if (finished) return;
      let ack: BatchAck;
      try {
        ack = await acking;
      } catch (e) {
        finish(toServiceError(e, h.log));
        return;
      }
      inflight--;
      if (!call.write(ack) && !writeBlocked) {
        writeBlocked = true;
        call.once('drain', () => {
          writeBlocked = false;
          reconsider();
        });
      }
      reconsider();
      if (ended && inflight === 0) finish();
    });
    reconsider();
  });
  call.on('end', () => {
    ended = true;
    void chain.then(() => {
      if (inflight === 0) finish();
    });
  });
  call.on('cancelled', () => {
    if (!finished) {
      finished = true;
      waiting.delete(reconsider);
      if (paused) streams.paused--;
      streams.active--;
    }
  });
  call.on('error', () => undefined);
}
