import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger';
import { INGEST_SERVICE, startIngestorServer, type IngestorServer } from './server';

let server: IngestorServer;
let client: grpc.Client & { check: Function };

beforeAll(async () => {
  server = await startIngestorServer({ port: 0, host: '127.0.0.1', log: createLogger({}, () => undefined) });
  const def = protoLoader.loadSync(healthProtoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };
  client = new pkg.grpc.health.v1.Health(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure()) as unknown as typeof client;
});
afterAll(async () => {
  client.close();
  await server.shutdown();
});

function check(service: string): Promise<{ status: string }> {
  return new Promise((resolve, reject) => client.check({ service }, (err: Error | null, res: { status: string }) => (err ? reject(err) : resolve(res))));
}

describe('ingestor server', () => {
  it('answers grpc.health.v1 with SERVING for the server and the ingest service', async () => {
    expect(await check('')).toEqual({ status: 'SERVING' });
    expect(await check(INGEST_SERVICE)).toEqual({ status: 'SERVING' });
  });

  it('says NOT_FOUND for a service it does not have', async () => {
    await expect(check('no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});
