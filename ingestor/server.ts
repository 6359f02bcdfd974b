/**
 * The gRPC ingestor sidecar. This is the foundation: the server, its health service (grpc.health.v1)
 * and reflection, bound and shut down cleanly. The streaming path into bronze is built on top of it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import type { Logger } from '../lib/logger';

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

export interface IngestorServer {
  port: number;
  health: HealthImplementation;
  shutdown(): Promise<void>;
}

export async function startIngestorServer(opts: { port: number; host?: string; log: Logger }): Promise<IngestorServer> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
  });
  const health = new HealthImplementation({ '': 'NOT_SERVING', [INGEST_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);
  new ReflectionService(loadIngestProto()).addToServer(server);

  const host = opts.host ?? '0.0.0.0';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${opts.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  health.setStatus('', 'SERVING');
  health.setStatus(INGEST_SERVICE, 'SERVING');
  opts.log.info('ingestor listening', { port });

  return {
    port,
    health,
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
