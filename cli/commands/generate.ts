import path from 'node:path';
import type { Command } from 'commander';
import { KeystoneError } from '../../lib/errors';
import { generateOlist } from '../../lib/olist/generator';
import { action } from '../run-command';

export function registerGenerate(program: Command) {
  program
    .command('generate')
    .description('Write a deterministic synthetic Olist dataset (the nine CSV files and manifest.json) into a folder.')
    .option('--scale <s>', 'size relative to the published data set (1.0 = 99,441 orders)', '0.1')
    .option('--seed <n>', 'random seed: the same scale and seed give byte-identical files', '42')
    .option('--out <dir>', 'output folder', './olist-data')
    .option('--no-bad-rows', 'do not inject unparseable or duplicate rows (the real files’ dirt stays)')
    .action(
      action(async (opts: { scale: string; seed: string; out: string; badRows: boolean }) => {
        const scale = Number(opts.scale);
        const seed = Number(opts.seed);
        if (!Number.isFinite(scale) || scale <= 0 || scale > 100) throw new KeystoneError('bad_request:scale', `--scale must be a number in (0, 100], got ${opts.scale}`);
        if (!Number.isInteger(seed) || seed < 0) throw new KeystoneError('bad_request:seed', `--seed must be a non-negative integer, got ${opts.seed}`);
        const t0 = Date.now();
        const manifest = await generateOlist({ scale, seed, outDir: path.resolve(opts.out), ...(opts.badRows ? {} : { bad: false }) } as Parameters<typeof generateOlist>[0]);
        const rows = Object.values(manifest.tables).reduce((a, t) => a + t.rows, 0);
        process.stdout.write(`wrote ${Object.keys(manifest.tables).length} files, ${rows.toLocaleString('en-US')} rows, into ${path.resolve(opts.out)} in ${((Date.now() - t0) / 1000).toFixed(1)} s (manifest.json says what must come out)\n`);
      }),
    );
}
