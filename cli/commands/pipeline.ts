import path from 'node:path';
import type { Command } from 'commander';
import { KeystoneError } from '../../lib/errors';
import { JOBS, runJob, type Job, type JobResult } from '../../lib/pipeline/jobs';
import { withLake } from '../lake-command';
import { EXIT, action } from '../run-command';
import { textTable } from '../format-table';
import { dryRunText } from '../../lib/pipeline/athena/dry-run';

function printResult(r: JobResult) {
  const lines: string[] = [];
  if (r.ingested.length) {
    lines.push(textTable(['source', 'dataset', 'status', 'rows', 'malformed', 'ingest'], r.ingested.map((i) => [i.format, `bronze.${i.dataset}`, i.status, i.rows, i.malformed, i.ingestId])));
  }
  if (r.silver.length) {
    lines.push(
      textTable(
        ['silver table', 'status', 'rows in', 'out', 'quarantined', 'duplicates', 'updated', 'partitions', 'total rows'],
        r.silver.map((s) => [s.table, s.status, s.rowsIn, s.rowsOut, s.quarantined, s.duplicates, s.updated, s.partitionsRewritten, s.totalRows]),
      ),
    );
  }
  if (r.gold) {
    if (r.gold.status === 'unchanged') lines.push('gold: unchanged (silver did not change)');
    else lines.push(textTable(['gold table', 'rows'], r.gold.models.map((m) => [m.name, m.rows])));
  }
  lines.push(`run ${r.runId}: ${r.status}${r.error ? ` — ${r.error}` : ''}`);
  process.stdout.write(lines.join('\n\n') + '\n');
}

export function registerPipeline(program: Command) {
  program
    .command('ingest')
    .description('Ingest files into bronze (CSV, TSV, JSON, NDJSON, Parquet, also .gz). Olist tables are recognised by their header.')
    .argument('<files...>', 'files to ingest')
    .option('--dataset <name>', 'bronze dataset for a non-Olist source (default: from the file name)')
    .option('--quiet', 'print only the summary')
    .action(
      action(async (files: string[], opts: { dataset?: string; quiet?: boolean }) =>
        withLake(async (ctx) => {
          const r = await runJob(ctx, 'bronze', {
            files: files.map((f) => ({ path: path.resolve(f), displayName: path.basename(f), ...(opts.dataset ? { dataset: opts.dataset } : {}) })),
            onLog: opts.quiet ? undefined : (level, m) => process.stderr.write(`${level === 'info' ? '' : level.toUpperCase() + ' '}${m}\n`),
          });
          printResult(r);
          return r.status === 'succeeded' ? EXIT.ok : EXIT.failure;
        }),
      ),
    );

  program
    .command('run')
    .description('Run a pipeline job: bronze (ingest the landing folder), silver, gold, or all of them in order.')
    .argument('<job>', `one of: ${JOBS.join(', ')}`)
    .option('--quiet', 'print only the summary')
    .option('--dry-run', 'print the statements the run would send to Athena, in order, and send nothing (see docs/deploy-aws.md)')
    .action(
      action(async (job: string, opts: { quiet?: boolean; dryRun?: boolean }) => {
        if (!(JOBS as readonly string[]).includes(job)) throw new KeystoneError('bad_request:job', `unknown job "${job}": use one of ${JOBS.join(', ')}`);
        if (opts.dryRun) return withLake(async (ctx) => (process.stdout.write(await dryRunText(ctx, job as Job)), EXIT.ok));
        return withLake(async (ctx) => {
          const r = await runJob(ctx, job as Job, { onLog: opts.quiet ? undefined : (level, m) => process.stderr.write(`${level === 'info' ? '' : level.toUpperCase() + ' '}${m}\n`) });
          printResult(r);
          return r.status === 'succeeded' ? EXIT.ok : EXIT.failure;
        });
      }),
    );
}
