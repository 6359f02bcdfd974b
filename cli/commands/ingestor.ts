import type { Command } from 'commander';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { startIngestorServer } from '../../ingestor/server';
import { action } from '../run-command';

export function registerIngestor(program: Command) {
  program
    .command('ingestor')
    .description('Run the gRPC ingestor sidecar alone (keystone serve starts it beside the console).')
    .option('--port <port>', 'port to listen on (default: KEYSTONE_INGEST_PORT or 50051)')
    .action(
      action(async (opts: { port?: string }) => {
        const config = loadConfig();
        const log = createLogger({ component: 'ingestor' });
        const server = await startIngestorServer({ port: opts.port ? Number(opts.port) : config.ingestPort, host: config.host, log });
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        log.info('ingestor stopping');
        await server.shutdown();
      }),
    );
}
