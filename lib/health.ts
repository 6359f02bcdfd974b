/**
 * Health of each part, as `{ ok, detail } | { ok: false, reason }` (never a throw), for
 * `keystone doctor` and the console's Overview.
 */
import net from 'node:net';
import type { KeystoneConfig } from './config';
import { ensureDataDir } from './data-dir';
import { errorMessage } from './errors';
import type { Catalog } from './catalog/database';
import type { QueryEngine } from './engine/engine';
import type { StorageBackend } from './storage/backend';

export type Health = { ok: true; detail?: string } | { ok: false; reason: string };

export interface PartHealth {
  part: string;
  /** A failing required part makes `doctor` exit non-zero; optional parts (servers not started) do not. */
  required: boolean;
  health: Health;
}

export async function safely(fn: () => Promise<Health>): Promise<Health> {
  try {
    return await fn();
  } catch (e) {
    return { ok: false, reason: errorMessage(e) };
  }
}

export function dataDirHealth(config: KeystoneConfig): Promise<Health> {
  return safely(async () => {
    ensureDataDir(config.dataDir);
    return { ok: true, detail: `${config.dataDir} is writable` };
  });
}

export function databaseHealth(catalog: Catalog): Promise<Health> {
  return safely(async () => {
    const r = await catalog.pool.query<{ version: string; migrations: string }>(
      `select split_part(version(), ' ', 2) as version,
              (select count(*) from drizzle.__drizzle_migrations)::text as migrations`,
    );
    const row = r.rows[0]!;
    return { ok: true, detail: `${catalog.describe} — PostgreSQL ${row.version}, ${row.migrations} migration(s) applied` };
  });
}

export function storageHealth(storage: StorageBackend): Promise<Health> {
  return safely(() => storage.check());
}

export function engineHealth(engine: QueryEngine): Promise<Health> {
  return safely(() => engine.check());
}

/** Is something listening on this TCP port on localhost? */
export function portListening(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
