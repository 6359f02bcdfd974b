/**
 * The catalog connection: DATABASE_URL when given, otherwise the embedded Postgres under the data dir.
 * Migrations are applied on open, under an advisory lock, so the console, the ingestor and the CLI
 * may all start at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import * as schema from '../../db/schema';
import { redact, type KeystoneConfig } from '../config';
import { KeystoneError, errorMessage } from '../errors';
import { log as rootLog, type Logger } from '../logger';
import { ensureEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres';

export type CatalogDb = NodePgDatabase<typeof schema>;

export interface Catalog {
  db: CatalogDb;
  pool: pg.Pool;
  /** Where the catalog lives, safe to print. */
  describe: string;
  embedded: EmbeddedPostgresHandle | undefined;
  close(): Promise<void>;
}

/** 64-bit key for pg_advisory_lock: "keystone migrate". */
const MIGRATION_LOCK = 4_837_201_559_113;
const CONNECT_TIMEOUT_MS = 10_000;

export function migrationsFolder(): string {
  if (process.env.KEYSTONE_MIGRATIONS_DIR) return process.env.KEYSTONE_MIGRATIONS_DIR;
  // Beside this file for the CLI and tests; inside a Next.js server bundle this file has moved,
  // and the server runs from the project folder.
  const candidates = [path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations'), path.resolve(process.cwd(), 'db/migrations')];
  return candidates.find((c) => fs.existsSync(path.join(c, 'meta', '_journal.json'))) ?? candidates[0]!;
}

export function serveLockFile(config: KeystoneConfig): string {
  return path.join(config.dataDir, 'serve.lock');
}

export interface OpenOptions {
  log?: Logger;
  /** Apply migrations (default true). */
  migrate?: boolean;
  applicationName?: string;
  poolSize?: number;
}

/** Connect and bring the schema up to date. Throws `unavailable:database` within ~10 s when unreachable. */
export async function openCatalog(config: KeystoneConfig, options: OpenOptions = {}): Promise<Catalog> {
  const log = options.log ?? rootLog;
  let embedded: EmbeddedPostgresHandle | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await ensureEmbeddedPostgres({ dataDir: config.dataDir, log, serveLockFile: serveLockFile(config) });
    url = embedded.url;
  }
  const where = config.databaseUrl ? redact(config.databaseUrl) : `embedded Postgres on 127.0.0.1:${embedded!.port}`;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'keystone',
  });
  // An idle client that loses its server must not crash the process.
  pool.on('error', (e) => log.warn('catalog connection lost', { error: errorMessage(e) }));

  const close = async () => {
    await pool.end().catch(() => undefined);
    await embedded?.release();
  };
  try {
    const client = await pool.connect();
    try {
      if (options.migrate !== false) {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        try {
          await migrate(drizzle(client, { schema }), { migrationsFolder: migrationsFolder() });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        }
      }
    } finally {
      client.release();
    }
  } catch (e) {
    await close();
    throw new KeystoneError('unavailable:database', `Cannot use the catalog database at ${where}: ${errorMessage(e)}`, { cause: e });
  }
  return { db: drizzle(pool, { schema }), pool, describe: where, embedded, close };
}

let shared: Promise<Catalog> | undefined;

/** The process-wide catalog (console and ingestor). Tests and the CLI open their own. */
export function sharedCatalog(config: KeystoneConfig, options?: OpenOptions): Promise<Catalog> {
  shared ??= openCatalog(config, options).catch((e) => {
    shared = undefined;
    throw e;
  });
  return shared;
}

export async function closeSharedCatalog(): Promise<void> {
  const s = shared;
  shared = undefined;
  if (s) await (await s).close().catch(() => undefined);
}
