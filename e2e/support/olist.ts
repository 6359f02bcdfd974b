/** The generated Olist files the journey uploads (e2e/global-setup.ts), and what must come out of them. */
import fs from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../lib/olist/generator/manifest';

export function olistDir(): string {
  const dir = process.env.E2E_OLIST_DIR;
  if (!dir || !fs.existsSync(path.join(dir, 'manifest.json'))) throw new Error('the generated Olist files are missing: e2e/global-setup.ts makes them');
  return dir;
}

export function manifest(): Manifest {
  return JSON.parse(fs.readFileSync(path.join(olistDir(), 'manifest.json'), 'utf8')) as Manifest;
}

export function csvFiles(): string[] {
  return fs
    .readdirSync(olistDir())
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => path.join(olistDir(), f));
}

export const count = (n: number) => new Intl.NumberFormat('en-US').format(n);
