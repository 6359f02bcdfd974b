/**
 * `keystone ingestor` — the gRPC ingestor sidecar alone (`keystone serve` starts it beside the console).
 * It runs until SIGINT / SIGTERM, then stops cleanly: in-flight batches are acked or refused, the log is
 * closed, the flush in progress finishes. See docs/ingestor.md.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../lib/config';
import { closeDuckDB } from '../../lib/engine';
import { createLogger } from '../../lib/logger';
import { startIngestor } from '../../ingestor/ingestor';
import { action } from '../run-command';

export function registerIngestor(program: Command) {
  program
    .command('ingestor')
    .description('Run the gRPC ingestor sidecar alone (keystone serve starts it beside the console).')
    .option('--port <port>', 'port to listen on (default: KEYSTONE_INGEST_PORT or 50051; 0 picks a free one)')
    .action(
      action(async (opts: { port?: string }) => {
        const config = loadConfig();
        const log = createLogger({ component: 'ingestor' });
        const ingestor = await startIngestor({ config, log, ...(opts.port !== undefined ? { port: Number(opts.port) } : {}) });
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await ingestor.stop();
        await closeDuckDB();
        // A client that stopped reading can keep its connection open after the server has closed its
        // side (its unread data pins the socket). Everything is stopped and saved by now: do not wait.
        setTimeout(() => process.exit(), 1000).unref();
      }),
    );
}
