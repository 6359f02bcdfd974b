/**
 * `keystone serve` — the main job: the catalog (embedded Postgres unless DATABASE_URL is set), the
 * console on PORT and the ingestor on KEYSTONE_INGEST_PORT. Ctrl-C stops them in order: the console and
 * the ingestor first, then the embedded Postgres, then the lock on the data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describeConfig, loadConfig, type KeystoneConfig } from '../../lib/config';
import { openCatalog, serveLockFile } from '../../lib/catalog/database';
import { ensureFirstAdmin } from '../../lib/auth/users';
import { ensureDataDir } from '../../lib/data-dir';
import { acquireLock } from '../../lib/process-lock';
import { createLogger } from '../../lib/logger';
import { buildConsole, consoleBuildIsCurrent, nextBin } from '../console-build';
import { action, EXIT } from '../run-command';
import { portListening } from '../../lib/health';
import { KeystoneError } from '../../lib/errors';
import { openLake } from '../../lib/lake/context';
import { lakeIsEmpty, loadDemo } from '../../lib/pipeline/demo';

export const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface ServeOptions {
  build: boolean;
  ingestor: boolean;
  demo: boolean;
}

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('Start the console and the ingestor (and the embedded Postgres when DATABASE_URL is unset). Ctrl-C stops them all.')
    .option('--no-build', 'do not (re)build the console even when its sources changed')
    .option('--no-ingestor', 'start the console only')
    .option('--no-demo', 'on an empty lake, do not load the demo Olist data (also KEYSTONE_DEMO=off)')
    .action(action((opts: ServeOptions) => serve(opts)));
}

/** Environment the children run with: the same configuration, pointed at the catalog we opened. */
function childEnv(config: KeystoneConfig, databaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KEYSTONE_DATA_DIR: config.dataDir,
    DATABASE_URL: databaseUrl,
    KEYSTONE_SERVED: '1',
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_ENV: 'production',
  };
}

function prefixed(child: ChildProcess, name: string) {
  const out = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) stream.write(`[${name}] ${line}\n`);
  };
  child.stdout?.on('data', out(process.stdout));
  child.stderr?.on('data', out(process.stderr));
}

async function serve(opts: ServeOptions): Promise<number> {
  const config = loadConfig();
  const log = createLogger({ component: 'serve' });
  ensureDataDir(config.dataDir);
  const lock = acquireLock(serveLockFile(config), `keystone serve on ${config.dataDir}`, 'serve');
  const children: { name: string; proc: ChildProcess }[] = [];
  let catalog: Awaited<ReturnType<typeof openCatalog>> | undefined;
  let stopping = false;
  let exitCode: number = EXIT.ok;

  const stopAll = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`stopping (${reason})`);
    await Promise.all(
      children.map(
        ({ proc }) =>
          new Promise<void>((resolve) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
            const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
            proc.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            proc.kill('SIGTERM');
          }),
      ),
    );
    if (catalog) {
      await catalog.pool.end().catch(() => undefined);
      await catalog.embedded?.stop();
    }
    lock.release();
  };

  try {
    for (const [name, port] of [
      ['console', config.port],
      ['ingestor', config.ingestPort],
    ] as const) {
      if ((name === 'console' || opts.ingestor) && (await portListening(port))) {
        throw new KeystoneError('conflict:port', `port ${port} for the ${name} is already in use by another program; set ${name === 'console' ? 'PORT' : 'KEYSTONE_INGEST_PORT'} to a free port`);
      }
    }
    for (const [k, v] of Object.entries(describeConfig(config))) log.info(`${k.padEnd(9)} ${v}`);
    catalog = await openCatalog(config, { log, applicationName: 'keystone-serve' });
    const admin = await ensureFirstAdmin(catalog.db, config.adminPassword);
    if (admin.created && admin.generated) {
      process.stdout.write(
        `\n  First start: created the engineer "${admin.username}" with password\n\n      ${admin.password}\n\n  It is shown only this once. Sign in and change it, or set KEYSTONE_ADMIN_PASSWORD before the first start.\n\n`,
      );
    } else if (admin.created) {
      log.info(`created the engineer "${admin.username}" with the password from KEYSTONE_ADMIN_PASSWORD`);
    }
    const databaseUrl = config.databaseUrl ?? catalog.embedded!.url;

    if (opts.build && !consoleBuildIsCurrent(PROJECT_DIR)) {
      log.info('building the console (first start or sources changed; about a minute)…');
      await buildConsole(PROJECT_DIR, (line) => log.debug(line, { component: 'next-build' }));
      log.info('console built');
    }

    const env = childEnv(config, databaseUrl);
    const consoleProc = spawn(process.execPath, [nextBin(PROJECT_DIR), 'start', '-p', String(config.port), '-H', config.host], {
      cwd: PROJECT_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prefixed(consoleProc, 'console');
    children.push({ name: 'console', proc: consoleProc });
    if (opts.ingestor) {
      const ingestorProc = spawn(process.execPath, [path.join(PROJECT_DIR, 'bin', 'keystone.mjs'), 'ingestor'], {
        cwd: PROJECT_DIR,
        env: { ...env, KEYSTONE_LOG_FORMAT: 'text' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      prefixed(ingestorProc, 'ingestor');
      children.push({ name: 'ingestor', proc: ingestorProc });
    }

    const finished = new Promise<void>((resolve) => {
      const onSignal = (sig: NodeJS.Signals) => void stopAll(sig).then(resolve);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      for (const { name, proc } of children) {
        proc.once('exit', (code, signal) => {
          if (stopping) return;
          log.error(`${name} exited unexpectedly (${signal ?? `exit code ${code}`}); stopping everything`);
          exitCode = EXIT.failure;
          void stopAll(`${name} exited`).then(resolve);
        });
      }
    });

    await waitForPort(config.port, 60_000);
    process.stdout.write(`\n  Keystone Nexus is up: console http://localhost:${config.port}  ·  ingestor :${config.ingestPort}  ·  Ctrl-C stops\n\n`);
    if (opts.demo && process.env.KEYSTONE_DEMO !== 'off') void loadDemoIfEmpty(config, catalog, log);
    await finished;
    return exitCode;
  } catch (e) {
    await stopAll('start failed');
    throw e;
  }
}

/** Runs beside the servers: the console is already up and shows the run as it progresses. */
async function loadDemoIfEmpty(config: KeystoneConfig, catalog: Awaited<ReturnType<typeof openCatalog>>, log: ReturnType<typeof createLogger>) {
  try {
    const lake = await openLake(config, { catalog, log });
    if (await lakeIsEmpty(lake)) await loadDemo(lake, { say: (line) => process.stdout.write(`[demo] ${line}\n`) });
    await lake.engine.close();
  } catch (e) {
    log.warn(`demo data could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function waitForPort(port: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portListening(port)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}
