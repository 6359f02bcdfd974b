import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, describeConfig, loadConfig, redact } from './config';
import { KeystoneError } from './errors';

function configError(env: Record<string, string>): KeystoneError {
  try {
    loadConfig(env, '/work/x');
  } catch (e) {
    expect(e).toBeInstanceOf(KeystoneError);
    expect((e as KeystoneError).code).toBe('config:invalid');
    return e as KeystoneError;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('has embedded defaults for everything', () => {
    const c = loadConfig({}, '/work/x');
    expect(c.dataDir).toBe('/work/x/.keystone');
    expect(c.storage).toEqual({ kind: 'local', root: '/work/x/.keystone/lake' });
    expect(c.buckets).toEqual({ bronze: 'olist-data-lake-bronze', silver: 'olist-data-lake-silver', gold: 'olist-data-lake-gold' });
    expect(c.engine).toEqual({ kind: 'duckdb' });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.port).toBe(3000);
    expect(c.ingestPort).toBe(50051);
    expect(c.host).toBe('127.0.0.1');
    expect(c.adminPassword).toBeUndefined();
  });

  it('reads every documented variable', () => {
    const c = loadConfig(
      {
        KEYSTONE_DATA_DIR: 'data',
        KEYSTONE_STORAGE: 's3',
        KEYSTONE_BUCKET_BRONZE: 'b-raw',
        KEYSTONE_BUCKET_SILVER: 'b-clean',
        KEYSTONE_BUCKET_GOLD: 'b-gold',
        KEYSTONE_S3_ENDPOINT: 'http://127.0.0.1:4568',
        KEYSTONE_ENGINE: 'athena',
        ATHENA_WORKGROUP: 'analytics',
        ATHENA_OUTPUT_LOCATION: 's3://results-bucket/keystone/',
        AWS_REGION: 'eu-west-1',
        DATABASE_URL: 'postgres://u:p@db.example:5432/cat',
        PORT: '8080',
        KEYSTONE_INGEST_PORT: '9090',
        KEYSTONE_ADMIN_PASSWORD: 'correct horse battery',
      },
      '/w',
    );
    expect(c.dataDir).toBe(path.resolve('/w/data'));
    expect(c.storage).toEqual({ kind: 's3', endpoint: 'http://127.0.0.1:4568', region: 'eu-west-1', forcePathStyle: true });
    expect(c.buckets).toEqual({ bronze: 'b-raw', silver: 'b-clean', gold: 'b-gold' });
    expect(c.engine).toEqual({ kind: 'athena', workgroup: 'analytics', outputLocation: 's3://results-bucket/keystone/', region: 'eu-west-1', database: 'keystone' });
    expect(c.databaseUrl).toBe('postgres://u:p@db.example:5432/cat');
    expect([c.port, c.ingestPort]).toEqual([8080, 9090]);
    expect(c.adminPassword).toBe('correct horse battery');
  });

  it.each([
    [{ KEYSTONE_STORAGE: 'ftp' }, 'KEYSTONE_STORAGE="ftp"', '"local", "s3"'],
    [{ KEYSTONE_ENGINE: 'spark' }, 'KEYSTONE_ENGINE="spark"', '"duckdb", "athena"'],
    [{ PORT: '70000' }, 'PORT="70000"', 'TCP port'],
    [{ KEYSTONE_INGEST_PORT: 'abc' }, 'KEYSTONE_INGEST_PORT="abc"', 'TCP port'],
    [{ KEYSTONE_BUCKET_GOLD: 'Gold_Bucket' }, 'KEYSTONE_BUCKET_GOLD="Gold_Bucket"', 'bucket name'],
    [{ KEYSTONE_S3_ENDPOINT: 'localhost:9000' }, 'KEYSTONE_S3_ENDPOINT', 'http://'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL', 'postgres://'],
    [{ AWS_REGION: 'moon' }, 'AWS_REGION="moon"', 'us-east-1'],
    [{ KEYSTONE_ADMIN_PASSWORD: 'short' }, 'KEYSTONE_ADMIN_PASSWORD', 'at least 8'],
    [{ KEYSTONE_HOST: 'my host' }, 'KEYSTONE_HOST="my host"', 'IP address'],
    [{ KEYSTONE_LOG_LEVEL: 'loud' }, 'KEYSTONE_LOG_LEVEL="loud"', '"debug"'],
  ])('refuses %j naming the variable and what it may be', (env, names, allowed) => {
    const e = configError(env as Record<string, string>);
    expect(e.message).toContain(names);
    expect(e.message).toContain(allowed);
  });

  it('reports every problem at once', () => {
    const e = configError({ KEYSTONE_STORAGE: 'x', KEYSTONE_ENGINE: 'y', PORT: '0' });
    expect(e.message.match(/ - /g)?.length).toBe(3);
  });

  it('refuses Athena without S3 storage, equal ports and one bucket for two layers', () => {
    expect(configError({ KEYSTONE_ENGINE: 'athena' }).message).toContain('KEYSTONE_STORAGE="s3"');
    expect(configError({ PORT: '5000', KEYSTONE_INGEST_PORT: '5000' }).message).toContain('must differ');
    expect(configError({ KEYSTONE_BUCKET_SILVER: 'olist-data-lake-bronze' }).message).toContain('three different buckets');
  });

  it('never echoes a database password', () => {
    const e = configError({ DATABASE_URL: 'mysql://admin:hunter2@db/x' });
    expect(e.message).not.toContain('hunter2');
    expect(redact('postgres://admin:hunter2@db:5432/x')).toBe('postgres://admin:***@db:5432/x');
    const shown = describeConfig(loadConfig({ DATABASE_URL: 'postgres://admin:hunter2@db:5432/x' }, '/w'));
    expect(JSON.stringify(shown)).not.toContain('hunter2');
  });

  it('documents each variable it reads', () => {
    const names = CONFIG_VARIABLES.map((v) => v.name);
    for (const required of [
      'KEYSTONE_DATA_DIR',
      'KEYSTONE_STORAGE',
      'KEYSTONE_BUCKET_BRONZE',
      'KEYSTONE_BUCKET_SILVER',
      'KEYSTONE_BUCKET_GOLD',
      'KEYSTONE_S3_ENDPOINT',
      'KEYSTONE_ENGINE',
      'ATHENA_WORKGROUP',
      'ATHENA_OUTPUT_LOCATION',
      'AWS_REGION',
      'DATABASE_URL',
      'PORT',
      'KEYSTONE_INGEST_PORT',
      'KEYSTONE_ADMIN_PASSWORD',
    ]) {
      expect(names).toContain(required);
    }
  });
});
