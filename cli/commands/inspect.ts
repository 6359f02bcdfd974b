import type { Command } from 'commander';
import { listRuns, checksOfRun, getRun } from '../../lib/catalog/runs';
import { lineageGraph } from '../../lib/catalog/lineage';
import { KeystoneError } from '../../lib/errors';
import { syncLakeViews } from '../../lib/lake/views';
import { billFor, describeScan, estimateScan } from '../../lib/sql/estimate';
import { toGlueNames } from '../../lib/sql/glue-names';
import { withLake } from '../lake-command';
import { EXIT, action } from '../run-command';
import { csvField, textTable } from '../format-table';

const secs = (a: Date | null, b: Date | null) => (a && b ? ((b.getTime() - a.getTime()) / 1000).toFixed(1) + ' s' : '');

export function registerInspect(program: Command) {
  program
    .command('runs')
    .description('List recent job runs with status, duration and row counts; --id shows one run with its steps and checks.')
    .option('--limit <n>', 'how many', '20')
    .option('--id <runId>', 'show one run in detail')
    .action(
      action(async (opts: { limit: string; id?: string }) =>
        withLake(async (ctx) => {
          if (opts.id) {
            const run = await getRun(ctx.catalog.db, opts.id);
            if (!run) throw new KeystoneError('not_found:run', `no run ${opts.id}`);
            const checks = await checksOfRun(ctx.catalog.db, run.id);
            process.stdout.write(
              `${run.job} run ${run.id}: ${run.status} (${secs(run.startedAt, run.finishedAt)})${run.error ? `\nerror: ${run.error}` : ''}\n\n` +
                textTable(['step', 'status', 'rows in', 'rows out', 'quarantined', 'duplicates', 'ms'], run.steps.map((s) => [s.step, s.status, s.rowsIn, s.rowsOut, s.quarantined, s.duplicates, s.ms])) +
                '\n\n' +
                textTable(['check', 'action', 'status', 'observed', 'message'], checks.map((c) => [c.name, c.action, c.status, c.observed, c.message])) +
                '\n',
            );
            return;
          }
          const runs = await listRuns(ctx.catalog.db, { limit: Number(opts.limit) || 20 });
          process.stdout.write(textTable(['run', 'job', 'status', 'started', 'took', 'rows in', 'rows out', 'error'], runs.map((r) => [r.id, r.job, r.status, r.startedAt?.toISOString() ?? '', secs(r.startedAt, r.finishedAt), r.rowsIn, r.rowsOut, r.error])) + '\n');
        }),
      ),
    );

  program
    .command('lineage')
    .description('Show where a dataset came from and what was made from it, e.g. `keystone lineage silver.orders`.')
    .argument('<dataset>', 'layer.name, e.g. gold.fact_orders')
    .option('--depth <n>', 'how many hops up and down', '3')
    .action(
      action(async (dataset: string, opts: { depth: string }) =>
        withLake(async (ctx) => {
          const g = await lineageGraph(ctx.catalog, dataset, Number(opts.depth) || 3);
          if (g.links.length === 0) {
            process.stdout.write(`no lineage recorded for ${dataset}\n`);
            return EXIT.ok;
          }
          process.stdout.write(textTable(['from', 'to', 'job', 'run', 'at'], g.links.map((l) => [l.from, l.to, l.job, l.runId, l.at])) + '\n');
          return EXIT.ok;
        }),
      ),
    );

  program
    .command('query')
    .description('Run SQL on the engine; every dataset is a table named layer.name (bronze.orders, silver.orders, gold.fact_orders, …).')
    .argument('<sql>', 'the SQL')
    .option('--format <f>', 'table, csv or json', 'table')
    .option('--max-rows <n>', 'stop after this many rows (table format)', '1000')
    .option('--estimate', 'only estimate the bytes the query would scan and its Athena price; do not run it')
    .action(
      action(async (sqlText: string, opts: { format: string; maxRows: string; estimate?: boolean }) => {
        if (!['table', 'csv', 'json'].includes(opts.format)) throw new KeystoneError('bad_request:format', `--format must be table, csv or json, not "${opts.format}"`);
        return withLake(async (ctx) => {
          // Before the engine sees the query: on Athena the bill depends on it (there is no dry run).
          const est = await estimateScan(ctx.catalog, ctx.config, sqlText);
          const onAthena = ctx.engine.kind === 'athena' ? '' : ' on Athena';
          const estLine = `estimated scan: ${describeScan(est.bytes, est.billedBytes, est.dollars)}${onAthena}${est.unknownTables.length ? `; no statistics for ${est.unknownTables.join(', ')}` : ''}`;
          if (opts.estimate) {
            process.stdout.write(`${estLine}\n${est.notes.map((n) => `  ${n}`).join('\n')}\n`);
            return;
          }
          process.stderr.write(`${estLine}\n`);
          const scanned = (bytes: number | undefined) => (bytes === undefined ? '' : `, scanned ${describeScan(bytes, billFor(bytes).billedBytes, billFor(bytes).dollars)}`);
          // DuckDB reads the lake through views over the current files; Athena through its Glue tables.
          if (ctx.config.engine.kind === 'athena') sqlText = toGlueNames(sqlText, ctx.config.engine.database);
          else await syncLakeViews(ctx.catalog, ctx.storage, ctx.engine, ctx.readable);
          if (opts.format === 'table') {
            const r = await ctx.engine.query(sqlText, { maxRows: Number(opts.maxRows) || 1000 });
            process.stdout.write(textTable(r.columns.map((c) => c.name), r.rows) + `\n(${r.stats.rows} row${r.stats.rows === 1 ? '' : 's'}${r.truncated ? ', truncated' : ''}, ${r.stats.elapsedMs} ms${scanned(r.stats.bytesScanned)})\n`);
            return;
          }
          const s = await ctx.engine.stream(sqlText);
          if (opts.format === 'csv') process.stdout.write(s.columns.map((c) => csvField(c.name)).join(',') + '\n');
          let first = true;
          if (opts.format === 'json') process.stdout.write('[');
          for await (const batch of s.batches) {
            let out = '';
            for (const row of batch) {
              if (opts.format === 'csv') out += row.map(csvField).join(',') + '\n';
              else {
                out += (first ? '\n' : ',\n') + JSON.stringify(Object.fromEntries(s.columns.map((c, i) => [c.name, row[i]])));
                first = false;
              }
            }
            if (!process.stdout.write(out)) await new Promise((r) => process.stdout.once('drain', r));
          }
          if (opts.format === 'json') process.stdout.write('\n]\n');
          const stats = await s.stats();
          process.stderr.write(`(${stats.rows} rows, ${stats.elapsedMs} ms${scanned(stats.bytesScanned)})\n`);
        });
      }),
    );
}
