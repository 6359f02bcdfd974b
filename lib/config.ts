/**
 * The one configuration module. Everything comes from environment variables with embedded defaults;
 * a wrong value stops the start with a message naming the variable and what it may be.
 * The README's configuration table documents each variable listed in CONFIG_VARIABLES.
 */
import net from 'node:net';
import path from 'node:path';
import { KeystoneError } from './errors';

export type Layer = 'bronze' | 'silver' | 'gold';
export const LAYERS: readonly Layer[] = ['bronze', 'silver', 'gold'];

export type StorageConfig =
  | { kind: 'local'; root: string }
  | { kind: 's3'; endpoint: string | undefined; region: string; forcePathStyle: boolean };

export type EngineConfig =
  | { kind: 'duckdb' }
  | { kind: 'athena'; workgroup: string; outputLocation: string | undefined; region: string; database: string };

export interface KeystoneConfig {
  /** Absolute path of the data dir (lake folders, embedded Postgres, WAL, locks). */
  dataDir: string;
  storage: StorageConfig;
  buckets: Record<Layer, string>;
  engine: EngineConfig;
  /** Unset means: start (or reuse) the embedded Postgres under the data dir. */
  databaseUrl: string | undefined;
  port: number;
  ingestPort: number;
  /** Address the console and the ingestor bind to: loopback unless the user opens it up. */
  host: string;
  adminPassword: string | undefined;
}

export interface ConfigVariable {
  name: string;
  default: string;
  meaning: string;
}

/** Every variable we read, in the order the README lists them. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  { name: 'KEYSTONE_DATA_DIR', default: './.keystone', meaning: 'data dir: local lake buckets, embedded Postgres, ingestor WAL, locks' },
  { name: 'KEYSTONE_STORAGE', default: 'local', meaning: 'object storage: `local` (folders under the data dir) or `s3`' },
  { name: 'KEYSTONE_BUCKET_BRONZE', default: 'olist-data-lake-bronze', meaning: 'bucket (or folder) for the raw layer' },
  { name: 'KEYSTONE_BUCKET_SILVER', default: 'olist-data-lake-silver', meaning: 'bucket (or folder) for the cleansed layer' },
  { name: 'KEYSTONE_BUCKET_GOLD', default: 'olist-data-lake-gold', meaning: 'bucket (or folder) for the star schema and marts' },
  { name: 'KEYSTONE_S3_ENDPOINT', default: '(AWS)', meaning: 'endpoint of an S3-compatible store (path-style addressing is then used)' },
  { name: 'KEYSTONE_ENGINE', default: 'duckdb', meaning: 'query engine: `duckdb` (in-process) or `athena`' },
  { name: 'ATHENA_WORKGROUP', default: 'primary', meaning: 'Athena workgroup (engine `athena`)' },
  { name: 'ATHENA_OUTPUT_LOCATION', default: '(the workgroup’s)', meaning: 'S3 URI for Athena query results, e.g. `s3://my-athena-results/`' },
  { name: 'ATHENA_DATABASE', default: 'keystone', meaning: 'Glue database the Athena tables are registered in' },
  { name: 'AWS_REGION', default: 'us-east-1', meaning: 'AWS region for S3 and Athena; credentials come from the standard AWS chain' },
  { name: 'DATABASE_URL', default: '(embedded)', meaning: 'Postgres for the catalog; unset starts an embedded Postgres under the data dir' },
  { name: 'PORT', default: '3000', meaning: 'console (HTTP) port' },
  { name: 'KEYSTONE_HOST', default: '127.0.0.1', meaning: 'address the console and ingestor listen on; `0.0.0.0` to serve other machines' },
  { name: 'KEYSTONE_INGEST_PORT', default: '50051', meaning: 'gRPC ingestor port' },
  { name: 'KEYSTONE_ADMIN_PASSWORD', default: '(generated, printed once)', meaning: 'password of the first admin, created at first start' },
  { name: 'KEYSTONE_LOG_LEVEL', default: 'info', meaning: '`debug`, `info`, `warn` or `error`' },
];

type Env = Record<string, string | undefined>;

class Problems {
  readonly list: string[] = [];
  add(variable: string, value: string, allowed: string) {
    this.list.push(`${variable}=${JSON.stringify(value)} is not valid: ${allowed}`);
  }
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, problems: Problems): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  problems.add(name, raw, `allowed values are ${allowed.map((a) => `"${a}"`).join(', ')}`);
  return fallback;
}

function port(env: Env, name: string, fallback: number, problems: Problems): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1 && n <= 65535) return n;
  problems.add(name, raw, 'expected a TCP port, an integer from 1 to 65535');
  return fallback;
}

function host(env: Env, problems: Problems): string {
  const raw = env.KEYSTONE_HOST;
  if (raw === undefined || raw === '') return '127.0.0.1';
  if (net.isIP(raw) !== 0 || raw === 'localhost') return raw;
  problems.add('KEYSTONE_HOST', raw, 'an IP address to listen on, e.g. "127.0.0.1", "0.0.0.0" or "::"');
  return '127.0.0.1';
}

/** S3 bucket naming rules, also applied locally so a lake moves to S3 without renames. */
const BUCKET_RE = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function bucket(env: Env, name: string, fallback: string, problems: Problems): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (BUCKET_RE.test(raw) && !/^\d+\.\d+\.\d+\.\d+$/.test(raw)) return raw;
  problems.add(name, raw, 'a bucket name is 3–63 characters of lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit');
  return fallback;
}

function url(env: Env, name: string, protocols: readonly string[], problems: Problems): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    const u = new URL(raw);
    if (protocols.includes(u.protocol)) return raw;
  } catch {
    /* reported below */
  }
  problems.add(name, redact(raw), `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return undefined;
}

/** Never echo a password back, not even in an error. */
export function redact(connectionString: string): string {
  return connectionString.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): KeystoneConfig {
  const problems = new Problems();
  const dataDir = path.resolve(cwd, env.KEYSTONE_DATA_DIR && env.KEYSTONE_DATA_DIR !== '' ? env.KEYSTONE_DATA_DIR : '.keystone');
  if (dataDir.includes('\0')) problems.add('KEYSTONE_DATA_DIR', env.KEYSTONE_DATA_DIR ?? '', 'a path without NUL characters');

  const storageKind = oneOf(env, 'KEYSTONE_STORAGE', ['local', 's3'] as const, 'local', problems);
  const engineKind = oneOf(env, 'KEYSTONE_ENGINE', ['duckdb', 'athena'] as const, 'duckdb', problems);
  const region = env.AWS_REGION && env.AWS_REGION !== '' ? env.AWS_REGION : env.AWS_DEFAULT_REGION || 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) problems.add('AWS_REGION', region, 'an AWS region such as "us-east-1" or "eu-west-1"');

  const endpoint = url(env, 'KEYSTONE_S3_ENDPOINT', ['http:', 'https:'], problems);
  const storage: StorageConfig =
    storageKind === 'local'
      ? { kind: 'local', root: path.join(dataDir, 'lake') }
      : { kind: 's3', endpoint, region, forcePathStyle: endpoint !== undefined };

  const buckets: Record<Layer, string> = {
    bronze: bucket(env, 'KEYSTONE_BUCKET_BRONZE', 'olist-data-lake-bronze', problems),
    silver: bucket(env, 'KEYSTONE_BUCKET_SILVER', 'olist-data-lake-silver', problems),
    gold: bucket(env, 'KEYSTONE_BUCKET_GOLD', 'olist-data-lake-gold', problems),
  };
  if (new Set(Object.values(buckets)).size !== 3) {
    problems.list.push('KEYSTONE_BUCKET_BRONZE, KEYSTONE_BUCKET_SILVER and KEYSTONE_BUCKET_GOLD must name three different buckets');
  }

  let engine: EngineConfig = { kind: 'duckdb' };
  if (engineKind === 'athena') {
    const outputLocation = env.ATHENA_OUTPUT_LOCATION || undefined;
    if (outputLocation !== undefined && !/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/.test(outputLocation)) {
      problems.add('ATHENA_OUTPUT_LOCATION', outputLocation, 'an S3 URI such as "s3://my-athena-results/keystone/"');
    }
    const database = env.ATHENA_DATABASE || 'keystone';
    if (!/^[a-z_][a-z0-9_]{0,254}$/.test(database)) problems.add('ATHENA_DATABASE', database, 'lower-case letters, digits and underscores');
    const workgroup = env.ATHENA_WORKGROUP || 'primary';
    if (!/^[a-zA-Z0-9._-]{1,128}$/.test(workgroup)) problems.add('ATHENA_WORKGROUP', workgroup, 'letters, digits, ".", "_" and "-"');
    engine = { kind: 'athena', workgroup, outputLocation, region, database };
    if (storageKind !== 's3') {
      problems.list.push('KEYSTONE_ENGINE="athena" reads the lake from S3: set KEYSTONE_STORAGE="s3" as well');
    }
  }

  const config: KeystoneConfig = {
    dataDir,
    storage,
    buckets,
    engine,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems),
    port: port(env, 'PORT', 3000, problems),
    ingestPort: port(env, 'KEYSTONE_INGEST_PORT', 50051, problems),
    host: host(env, problems),
    adminPassword: env.KEYSTONE_ADMIN_PASSWORD || undefined,
  };
  if (config.adminPassword !== undefined && config.adminPassword.length < 8) {
    problems.add('KEYSTONE_ADMIN_PASSWORD', '***', 'at least 8 characters');
  }
  if (config.port === config.ingestPort) problems.list.push(`PORT and KEYSTONE_INGEST_PORT must differ (both are ${config.port})`);
  oneOf(env, 'KEYSTONE_LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info', problems);

  if (problems.list.length > 0) {
    throw new KeystoneError('config:invalid', `Invalid configuration:\n  - ${problems.list.join('\n  - ')}`, {
      details: { problems: problems.list },
    });
  }
  return config;
}

let cached: KeystoneConfig | undefined;
/** The process's configuration, read once. */
export function getConfig(): KeystoneConfig {
  cached ??= loadConfig();
  return cached;
}

/** A printable view: no passwords, no secrets. */
export function describeConfig(c: KeystoneConfig): Record<string, string> {
  return {
    'data dir': c.dataDir,
    storage: c.storage.kind === 'local' ? `local (${c.storage.root})` : `s3 (${c.storage.endpoint ?? 'AWS'}, ${c.storage.region})`,
    buckets: `${c.buckets.bronze}, ${c.buckets.silver}, ${c.buckets.gold}`,
    engine: c.engine.kind === 'duckdb' ? 'duckdb (in-process)' : `athena (workgroup ${c.engine.workgroup}, ${c.engine.region}, database ${c.engine.database})`,
    database: c.databaseUrl ? redact(c.databaseUrl) : `embedded Postgres (${path.join(c.dataDir, 'pg')})`,
    console: `http://${displayHost(c.host)}:${c.port}`,
    ingestor: `${displayHost(c.host)}:${c.ingestPort} (gRPC)`,
  };
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
}
