import type { Command } from 'commander';
import { describeConfig, loadConfig } from '../../lib/config';
import { openCatalog, type Catalog } from '../../lib/catalog/database';
import { closeDuckDB } from '../../lib/engine/duckdb/engine';
import { createEngine } from '../../lib/engine';
import { createStorage } from '../../lib/storage';
import { dataDirHealth, databaseHealth, engineHealth, portListening, safely, storageHealth, type PartHealth } from '../../lib/health';
import { createLogger } from '../../lib/logger';
import { EXIT, action } from '../run-command';

export function registerDoctor(program: Command) {
  program
    .command('doctor')
    .description('Print the configuration and check that the data dir, storage, engine and database are usable; exits 1 when one is not.')
    .option('--json', 'print the checks as JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const config = loadConfig();
        const parts: PartHealth[] = [];
        const add = (part: string, required: boolean, health: PartHealth['health']) => parts.push({ part, required, health });

        add('data dir', true, await dataDirHealth(config));
        add('storage', true, await safely(() => storageHealth(createStorage(config))));
        const engineCheck = await safely(async () => {
          const engine = createEngine(config);
          try {
            return await engineHealth(engine);
          } finally {
            await engine.close();
          }
        });
        add('engine', true, engineCheck);
        let catalog: Catalog | undefined;
        const dbCheck = await safely(async () => {
          catalog = await openCatalog(config, { log: createLogger({}, () => undefined), applicationName: 'keystone-doctor' });
          return databaseHealth(catalog);
        });
        add('database', true, dbCheck);
        await catalog?.close();
        await closeDuckDB();

        const consoleUp = await portListening(config.port);
        add('console', false, consoleUp ? { ok: true, detail: `listening on http://localhost:${config.port}` } : { ok: false, reason: `not running on port ${config.port} (start it with: keystone serve)` });
        const ingestorUp = await portListening(config.ingestPort);
        add('ingestor', false, ingestorUp ? { ok: true, detail: `listening on port ${config.ingestPort}` } : { ok: false, reason: `not running on port ${config.ingestPort} (start it with: keystone serve)` });

        const healthy = parts.every((p) => !p.required || p.health.ok);
        if (opts.json) {
          process.stdout.write(JSON.stringify({ healthy, config: describeConfig(config), parts }, null, 2) + '\n');
        } else {
          const out: string[] = ['Keystone Nexus — configuration'];
          for (const [k, v] of Object.entries(describeConfig(config))) out.push(`  ${k.padEnd(10)} ${v}`);
          out.push('', 'Checks');
          for (const p of parts) {
            const mark = p.health.ok ? 'ok  ' : p.required ? 'FAIL' : '--  ';
            out.push(`  ${mark} ${p.part.padEnd(10)} ${p.health.ok ? (p.health.detail ?? '') : p.health.reason}`);
          }
          out.push('', healthy ? 'All required parts are healthy.' : 'Some required parts are NOT healthy (see FAIL above).');
          process.stdout.write(out.join('\n') + '\n');
        }
        return healthy ? EXIT.ok : EXIT.failure;
      }),
    );
}
