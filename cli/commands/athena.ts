/**
 * `keystone athena …` — the Athena side of the pipeline, without AWS: `athena ddl` prints the DDL of
 * every bronze, silver and gold table as Athena would receive it (from the contracts and the gold models;
 * no catalog, no AWS call, no credentials needed).
 */
import type { Command } from 'commander';
import { loadConfig } from '../../lib/config';
import { athenaDdl, formatStatements, goldVersions } from '../../lib/pipeline/athena/statements';
import { action } from '../run-command';

export function registerAthena(program: Command) {
  const athena = program.command('athena').description('Athena (scale-out engine) helpers that need no AWS access.');
  athena
    .command('ddl')
    .description('Print the Athena DDL for every bronze, silver and gold table (Glue database ATHENA_DATABASE, buckets from KEYSTONE_BUCKET_*).')
    .option('--silver-version <key>', 'silver version the partition projection points at', '000001')
    .action(
      action(async (opts: { silverVersion: string }) => {
        const config = loadConfig();
        const database = config.engine.kind === 'athena' ? config.engine.database : (process.env.ATHENA_DATABASE || 'keystone');
        process.stdout.write(formatStatements(athenaDdl({ database, buckets: config.buckets, gold: goldVersions() }, opts.silverVersion)));
      }),
    );
}
