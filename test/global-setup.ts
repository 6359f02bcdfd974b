/**
 * Vitest global setup: tests need a Postgres server to create their own throw-away databases on.
 * With DATABASE_URL (CI: the machine's Postgres at 127.0.0.1:5432) we use that server; without it we
 * start an embedded one in a temp dir for the whole run, exactly as the app would.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureEmbeddedPostgres, type EmbeddedPostgresHandle } from '../lib/catalog/embedded-postgres';
import { createLogger } from '../lib/logger';

let embedded: EmbeddedPostgresHandle | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  let url = process.env.DATABASE_URL;
  if (!url) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keystone-test-pg-'));
    fs.chmodSync(dir, 0o755);
    embedded = await ensureEmbeddedPostgres({ dataDir: dir, log: createLogger({}, () => undefined) });
    url = embedded.url;
  }
  project.provide('adminDatabaseUrl', url);
}

export async function teardown() {
  await embedded?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}
