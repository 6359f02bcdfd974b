import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { createRequire } from 'node:module';
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

  it('lists its services through server reflection', async () => {
    const reflectionProto = createRequire(import.meta.url).resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
    const def = protoLoader.loadSync(reflectionProto, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } } };
    const r = new pkg.grpc.reflection.v1.ServerReflection(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<object, { list_services_response?: { service: { name: string }[] } }> };
    const call = r.ServerReflectionInfo();
    const answer = new Promise<{ list_services_response?: { service: { name: string }[] } }>((resolve, reject) => {
      call.on('data', resolve);
      call.on('error', reject);
    });
    call.write({ list_services: '*' });
    const names = (await answer).list_services_response?.service.map((x) => x.name) ?? [];
    call.end();
    r.close();
    expect(names).toContain(INGEST_SERVICE);
  });

  it('says NOT_FOUND for a service it does not have', async () => {
    await expect(check('no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});
