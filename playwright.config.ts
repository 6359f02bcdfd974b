/**
 * Browser tests drive Debian's Chromium (/usr/bin/chromium): Playwright's own browser download is not
 * reachable from our machines. The web server is the real thing — `keystone serve` on a fresh data dir
 * with its own embedded Postgres — on ports that do not collide with a developer's running console.
 */
import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

const port = Number(process.env.E2E_PORT ?? 3310);
const ingestPort = Number(process.env.E2E_INGEST_PORT ?? 50351);
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `keystone-e2e-${process.pid}`);
export const E2E_ADMIN_PASSWORD = 'e2e-admin-password';
// Workers and the global setup read the data dir (and the generated files beside it) from here.
process.env.E2E_DATA_DIR = E2E_DATA_DIR;
process.env.E2E_OLIST_DIR ??= `${E2E_DATA_DIR}-olist`;

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results/e2e',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    },
  },
  // Generates the Olist CSVs the journey uploads and adds the analyst (e2e/global-setup.ts).
  globalSetup: './e2e/global-setup.ts',
  projects: [
    // A person's path first: sign in, upload the generator's files, run the pipeline. Every other spec
    // then finds a loaded lake (and the analytics specs skip loading their own).
    { name: 'journey', testMatch: /journey\/.*\.spec\.ts$/, use: { browserName: 'chromium' }, timeout: 240_000 },
    { name: 'chromium', testIgnore: /journey\//, use: { browserName: 'chromium' }, dependencies: ['journey'] },
  ],
  webServer: {
    command: `node bin/keystone.mjs serve --no-demo`,
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    env: {
      PORT: String(port),
      KEYSTONE_INGEST_PORT: String(ingestPort),
      KEYSTONE_DATA_DIR: E2E_DATA_DIR,
      KEYSTONE_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
      // The browser suite exercises the embedded default, whatever the caller's DATABASE_URL.
      DATABASE_URL: '',
    },
  },
});
