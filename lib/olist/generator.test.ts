import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKeystoneError } from '../errors';
import { moneyToCents } from './cleanse';
import { CONTRACTS, contractFor, columnNames, type TableName } from './contracts';
import { parseCsv } from './csv';
import { generateOlist, MANIFEST_FILE, type Manifest } from './generator';
import { expectManifestMatchesFiles } from './test-support/expect-manifest';
import type { Recomputed } from './test-support/recompute';

const SCALE = 0.01;
const SEED = 42;
let root: string;
let dir: string;
let manifest: Manifest;
let recomputed: Recomputed;
const texts = new Map<TableName, string>();

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');
const records = (t: TableName) => parseCsv(texts.get(t)!);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'olist-gen-'));
  dir = path.join(root, 'a');
  manifest = await generateOlist({ scale: SCALE, seed: SEED, outDir: dir });
  for (const c of CONTRACTS) texts.set(c.table, await readFile(path.join(dir, c.file), 'utf8'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateOlist at scale 0.01', () => {
  it('writes the nine published files and the manifest, nothing else', async () => {
    expect((await readdir(dir)).sort()).toEqual([...CONTRACTS.map((c) => c.file), MANIFEST_FILE].sort());
    expect(JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'))).toEqual(manifest);
    expect(manifest).toMatchObject({ scale: SCALE, seed: SEED, badRowRate: 0.0005 });
  });

  it('writes the exact published headers, and a BOM on the translation file only', async () => {
    for (const c of CONTRACTS) {
      expect(records(c.table)[0], c.table).toEqual(columnNames(c));
      const bytes = await readFile(path.join(dir, c.file));
      const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
      expect(hasBom, c.file).toBe(c.table === 'category_translation');
    }
  });

  it('writes as many data rows as the manifest says: the scaled published volumes, dirt included', async () => {
    for (const c of CONTRACTS) {
      const expected = c.table === 'category_translation' ? 71 : Math.round(c.publishedRows * SCALE);
      expect(records(c.table).length - 1, c.table).toBe(manifest.tables[c.table].rows);
      expect(manifest.tables[c.table].rows, c.table).toBe(expected);
      expect(await sha256(path.join(dir, c.file)), c.table).toBe(manifest.tables[c.table].sha256);
    }
    expect(manifest.tables.orders.rows).toBe(994);
    expect(manifest.tables.geolocation.rows).toBe(10_002);
  });

  it('carries the real files\' dirt: multi-line quoted messages, "" quotes, leading-zero zips, mixed quoting', () => {
    const reviews = records('order_reviews').slice(1);
    expect(reviews.some((r) => /[\r\n]/.test(r[4]!))).toBe(true);
    expect(texts.get('order_reviews')).toMatch(/"[^"\n]*(\r?\n)[^"]*"/);
    expect(texts.get('order_reviews')).toContain('""');
    expect(reviews.some((r) => r[4]!.includes('"'))).toBe(true);
    expect(records('customers').slice(1).some((r) => /^0\d{4}$/.test(r[2]!))).toBe(true);
    expect(records('customers').slice(1).some((r) => /^\d{4}$/.test(r[2]!))).toBe(true); // a zero lost in a spreadsheet
    const orderLines = texts.get('orders')!.split('\n');
    expect(orderLines.some((l) => l.startsWith('"'))).toBe(true);
    expect(orderLines.slice(1).some((l) => /^[0-9a-f]{32},/.test(l))).toBe(true);
  });

  it('writes empty timestamps, uncategorised products, shared review ids and mixed city spellings', () => {
    const orders = records('orders').slice(1);
    // Timestamps follow the status: delivered orders have a delivery date, undelivered ones an empty one.
    expect(orders.filter((r) => r[2] === 'delivered').every((r) => r[6] !== '' && r[5] !== '' && r[4] !== '')).toBe(true);
    const undelivered = ['created', 'approved', 'invoiced', 'processing', 'shipped', 'unavailable'];
    expect(orders.filter((r) => undelivered.includes(r[2]!)).every((r) => r[6] === '')).toBe(true);
    expect(orders.some((r) => r[2] === 'shipped' && r[5] !== '' && r[6] === '')).toBe(true);
    const products = records('products').slice(1);
    expect(products.some((r) => r[1] === '' && r[2] === '' && r[4] === '')).toBe(true);
    const reviewIds = new Map<string, Set<string>>();
    for (const r of records('order_reviews').slice(1)) reviewIds.set(r[0]!, (reviewIds.get(r[0]!) ?? new Set()).add(r[1]!));
    expect([...reviewIds.values()].some((orders) => orders.size > 1)).toBe(true);
    const cities = new Set(records('geolocation').slice(1).map((r) => r[3]!));
    expect([...cities].some((c) => c !== c.toLowerCase())).toBe(true);
    expect([...cities].some((c) => c !== c.trim())).toBe(true);
    expect([...cities].some((c) => /[ãáéíóúâêôç]/.test(c))).toBe(true);
    const ids = records('orders').slice(1).map((r) => r[0]!);
    expect(ids.filter((id) => id !== '').every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
  });

  it('lists each planned bad row with its position, column and fate', () => {
    const kinds = (t: TableName) => manifest.tables[t].dirt.filter((d) => d.origin === 'injected').map((d) => d.kind).sort();
    expect(kinds('order_items')).toEqual(['duplicate_key', 'exact_duplicate', 'missing_required', 'out_of_domain', 'unparseable_date', 'unparseable_number']);
    const price = manifest.tables.order_items.dirt.find((d) => d.kind === 'unparseable_number')!;
    expect(price).toMatchObject({ column: 'price', effect: 'quarantined', reason: 'uncastable', count: 1 });
    const row = records('order_items')[price.rows[0]!]!;
    expect(['abc', '12,5', '1.299,90', 'R$ 59.90', 'n/a']).toContain(row[5]);
    // A duplicate key comes after the row it replaces and differs from it; an exact duplicate does not differ.
    for (const kind of ['duplicate_key', 'exact_duplicate'] as const) {
      const d = manifest.tables.orders.dirt.find((x) => x.kind === kind)!;
      const later = records('orders')[d.rows[0]!]!;
      const earlier = records('orders')[d.sourceRows![0]!]!;
      expect(d.rows[0]!).toBeGreaterThan(d.sourceRows![0]!);
      expect(later[0]).toBe(earlier[0]);
      expect(later.join() === earlier.join(), kind).toBe(kind === 'exact_duplicate');
    }
  });

  it('promises exactly what an independent recomputation from the files finds', async () => {
    recomputed = await expectManifestMatchesFiles(manifest, dir);
    expect(manifest.gold.sumPrice).toBe(`${Math.floor(manifest.gold.priceCents / 100)}.${String(manifest.gold.priceCents % 100).padStart(2, '0')}`);
  });

  it('makes each order\'s payments sum to its items, except where a duplicate key changed an amount', () => {
    const items = recomputed.tables.order_items;
    const payments = recomputed.tables.order_payments;
    const byOrder = (rows: typeof items, valueAt: number[]) => {
      const sums = new Map<string, number>();
      for (const values of rows.values.values()) {
        const id = values[0] as string;
        sums.set(id, (sums.get(id) ?? 0) + valueAt.reduce((sum, i) => sum + moneyToCents(values[i] as string), 0));
      }
      return sums;
    };
    const itemSums = byOrder(items, [5, 6]);
    const paySums = byOrder(payments, [4]);
    const touched = new Set<string>();
    for (const t of ['order_items', 'order_payments'] as const) {
      const d = manifest.tables[t].dirt.find((x) => x.kind === 'duplicate_key');
      for (const row of d?.rows ?? []) touched.add(records(t)[row]![0]!);
    }
    let checked = 0;
    for (const [order, cents] of itemSums) {
      if (touched.has(order)) continue;
      expect(paySums.get(order), order).toBe(cents);
      checked++;
    }
    expect(checked).toBeGreaterThan(900);
  });

  it('is deterministic: the same seed gives byte-identical files, another seed different ones', async () => {
    const again = await generateOlist({ scale: SCALE, seed: SEED, outDir: path.join(root, 'b') });
    const other = await generateOlist({ scale: SCALE, seed: SEED + 1, outDir: path.join(root, 'c') });
    for (const c of CONTRACTS) {
      expect(again.tables[c.table].sha256, c.table).toBe(manifest.tables[c.table].sha256);
      // The 71 translations are a fixed vocabulary: the only file the seed does not touch.
      if (c.table !== 'category_translation') expect(other.tables[c.table].sha256, c.table).not.toBe(manifest.tables[c.table].sha256);
    }
    expect(await readFile(path.join(root, 'b', MANIFEST_FILE), 'utf8')).toBe(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'));
  });

  it('can leave the bad rows out, keeping the real files\' own dirt', async () => {
    const out = path.join(root, 'clean');
    const clean = await generateOlist({ scale: SCALE, seed: SEED, outDir: out, bad: false });
    expect(clean.badRowRate).toBeNull();
    for (const c of CONTRACTS) {
      const t = clean.tables[c.table];
      expect(t.rows, c.table).toBe(manifest.tables[c.table].rows);
      expect(t.dirt.filter((d) => d.origin === 'injected'), c.table).toEqual([]);
      expect(t.expected.quarantined.total, c.table).toBe(0);
      if (c.table !== 'geolocation') expect(t.expected.silverRows, c.table).toBe(t.rows);
    }
    // The geolocation file's own duplicates stay: they are real structure.
    expect(clean.tables.geolocation.expected.duplicatesRemoved).toBeGreaterThan(0);
    await expectManifestMatchesFiles(clean, out);
  });

  it('scales bad rows with the rate option', async () => {
    const noisy = await generateOlist({ scale: SCALE, seed: SEED, outDir: path.join(root, 'noisy'), bad: { rate: 0.01 } });
    expect(noisy.tables.orders.expected.quarantined.total).toBe(3 * 10);
    expect(noisy.tables.orders.rows).toBe(994);
  });

  it('refuses options it cannot honour', async () => {
    const refused = async (options: Parameters<typeof generateOlist>[0]) => {
      try {
        await generateOlist(options);
        return false;
      } catch (e) {
        return isKeystoneError(e, 'bad_request');
      }
    };
    const outDir = path.join(root, 'refused');
    expect(await refused({ scale: 0, seed: 1, outDir })).toBe(true);
    expect(await refused({ scale: Number.NaN, seed: 1, outDir })).toBe(true);
    expect(await refused({ scale: 0.01, seed: -1, outDir })).toBe(true);
    expect(await refused({ scale: 0.01, seed: 1.5, outDir })).toBe(true);
    expect(await refused({ scale: 0.01, seed: 1, outDir, bad: { rate: 0.5 } })).toBe(true);
    expect(await refused({ scale: 0.01, seed: 1, outDir: '' })).toBe(true);
  });

  it('still writes every table at a tiny scale, one row at least', async () => {
    const tiny = await generateOlist({ scale: 0.00001, seed: 7, outDir: path.join(root, 'tiny') });
    for (const c of CONTRACTS) expect(tiny.tables[c.table].rows, c.table).toBe(c.table === 'category_translation' ? 71 : Math.max(1, Math.round(c.publishedRows * 0.00001)));
    await expectManifestMatchesFiles(tiny, path.join(root, 'tiny'));
    expect(contractFor('orders').publishedRows).toBe(99_441);
  });
});
