/**
 * What the analytics specs (SQL, dashboards, lineage) need before they start: a lake with gold built
 * and an analyst to sign in as. Both are made through the `keystone` CLI against the data dir of the
 * console under test — the CLI joins the embedded Postgres that `keystone serve` started — and only
 * when missing, so these specs work alone, in any order, and beside the person-path spec (which
 * uploads the generator's files through the browser; a different seed here means different files).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';

export const ANALYTICS_ANALYST = { user: 'sql-analyst', password: 'e2e-sql-analyst-password' } as const;
const PROJECT = path.resolve(import.meta.dirname, '..');

/**
 * playwright.config.ts names the data dir after the runner's pid unless E2E_DATA_DIR is set; this
 * file runs in a worker, whose parent is the runner.
 */
export function e2eDataDir(): string {
  const candidates = [process.env.E2E_DATA_DIR, path.join(os.tmpdir(), `keystone-e2e-${process.ppid}`), path.join(os.tmpdir(), `keystone-e2e-${process.pid}`)].filter(
    (d): d is string => !!d,
  );
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'serve.lock')) || fs.existsSync(path.join(d, 'pg')));
  if (!found) throw new Error(`cannot find the data dir of the console under test (looked in ${candidates.join(', ')})`);
  return found;
}

function keystone(args: string[], input?: string): string {
  return execFileSync(process.execPath, [path.join(PROJECT, 'bin', 'keystone.mjs'), ...args], {
    cwd: PROJECT,
    env: { ...process.env, KEYSTONE_DATA_DIR: e2eDataDir(), DATABASE_URL: '', KEYSTONE_LOG_LEVEL: 'warn' },
    input,
    encoding: 'utf8',
    timeout: 600_000,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Builds gold from a small generated Olist set when the console shows no gold yet (checked on the dashboards page). */
export async function ensureGoldData(page: Page): Promise<void> {
  await page.goto('/dashboards');
  const empty = await page.getByTestId('dashboards-empty').isVisible();
  if (!empty) return;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-e2e-olist-'));
  try {
    keystone(['generate', '--scale', '0.02', '--seed', '4242', '--out', out]);
    const csvs = fs
      .readdirSync(out)
      .filter((f) => f.endsWith('.csv'))
      .map((f) => path.join(out, f));
    keystone(['ingest', '--quiet', ...csvs]);
    keystone(['run', 'all', '--quiet']);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** The analyst these specs sign in as (created once; an existing one is kept). */
export function ensureAnalyst(): void {
  try {
    keystone(['users', 'add', ANALYTICS_ANALYST.user, '--role', 'analyst', '--password-stdin'], ANALYTICS_ANALYST.password + '\n');
  } catch (e) {
    const text = String((e as { stderr?: string }).stderr ?? e);
    if (!/already exists/i.test(text)) throw e;
  }
}
