/**
 * `keystone compact <layer.name>` — rewrite a partition's files as one (the partition inspector's
 * compaction, same lib function): one partition with --partition, or every partition with more than one
 * file with --all.
 */
import type { Command } from 'commander';
import { KeystoneError } from '../../lib/errors';
import { compactPartition } from '../../lib/console/compact';
import { findDataset } from '../../lib/console/datasets';
import { listPartitions, parsePartitionId } from '../../lib/console/partitions';
import { withLake } from '../lake-command';
import { action } from '../run-command';
import { textTable } from '../format-table';

export function registerCompact(program: Command) {
  program
    .command('compact')
    .description('Rewrite the files of a partition as one file, as a new version: `keystone compact silver.orders --partition year=2017/month=11/day=24` or `--all`.')
    .argument('<dataset>', 'layer.name, e.g. silver.orders')
    .option('--partition <id>', 'the partition, as the console shows it (year=…/month=…/day=…); omit for an unpartitioned dataset')
    .option('--all', 'every partition that holds more than one file')
    .action(
      action(async (dataset: string, opts: { partition?: string; all?: boolean }) =>
        withLake(async (ctx) => {
          const [layer, name, ...rest] = dataset.split('.');
          if (!layer || !name || rest.length > 0) throw new KeystoneError('bad_request:dataset', `name the dataset as layer.name, e.g. silver.orders (got ${JSON.stringify(dataset)})`);
          const ds = await findDataset(ctx.catalog.db, layer, name);
          const targets = opts.all
            ? (await listPartitions(ctx.catalog.db, ds)).filter((p) => p.files > 1).map((p) => p.values)
            : [parsePartitionId(ds.partitionKeys, opts.partition ?? '')];
          if (targets.length === 0) {
            process.stdout.write(`${dataset}: no partition holds more than one file; nothing to compact\n`);
            return;
          }
          const rows: unknown[][] = [];
          for (const partition of targets) {
            // Re-read the dataset each time: every compaction makes a new version.
            const r = await compactPartition(ctx, await findDataset(ctx.catalog.db, layer, name), partition);
            rows.push([r.partition || '(table)', r.filesBefore, r.filesAfter, r.rows, r.bytesBefore, r.bytesAfter, r.version, r.runId]);
          }
          process.stdout.write(textTable(['partition', 'files before', 'after', 'rows', 'bytes before', 'after', 'version', 'run'], rows) + '\n');
        }),
      ),
    );
}
