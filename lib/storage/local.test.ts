import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { KeystoneError } from '../errors';
import { createStorage } from './index';
import { compareKeys } from './keys';
import { LocalStorage } from './local';

const B = 'test-bucket';
const MiB = 1024 * 1024;

let tmp: string;
let root: string;
let storage: LocalStorage;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'keystone-storage-'));
  root = path.join(tmp, 'lake');
  storage = new LocalStorage(root);
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function get(key: string, range?: { start: number; end?: number }): Promise<Buffer> {
  return readAll(await storage.get(B, key, range));
}

async function listKeys(prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of storage.listAll(B, prefix)) keys.push(o.key);
  return keys;
}

/** Every file and folder under `dir`, relative, sorted; [] when it does not exist. */
async function tree(dir: string): Promise<string[]> {
  try {
    return ((await fs.readdir(dir, { recursive: true })) as string[]).sort();
  } catch {
    return [];
  }
}

const tempFolder = () => path.join(root, B, '.tmp-keystone');

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e instanceof KeystoneError ? e.code : `not a KeystoneError: ${String(e)}`;
  }
  return undefined;
}

/** A source that sends `bytes` and then fails, like a client connection dropping mid-upload. */
function failingSource(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        this.destroy(new Error('source broke'));
        return;
      }
      sent += 64 * 1024;
      this.push(Buffer.alloc(64 * 1024, 7));
    },
  });
}

describe('put and get', () => {
  it('round-trips a string, bytes and a stream with exact bytes and sha256', async () => {
    const text = 'olá, mundo — ação\n';
    const r1 = await storage.put(B, 'a/text.txt', text);
    expect(r1).toEqual({ bytes: Buffer.byteLength(text), sha256: sha256(text) });
    expect((await get('a/text.txt')).toString('utf8')).toBe(text);

    const bytes = new Uint8Array(Array.from({ length: 1000 }, (_, i) => (i * 37) % 256));
    const r2 = await storage.put(B, 'a/bytes.bin', bytes);
    expect(r2).toEqual({ bytes: 1000, sha256: sha256(Buffer.from(bytes)) });
    expect(Buffer.compare(await get('a/bytes.bin'), Buffer.from(bytes))).toBe(0);

    const parts = [Buffer.from('one,'), Buffer.from('two,'), Buffer.from('three')];
    const r3 = await storage.put(B, 'clientes/São Paulo/coração.csv', Readable.from(parts));
    expect(r3).toEqual({ bytes: 13, sha256: sha256('one,two,three') });
    expect((await get('clientes/São Paulo/coração.csv')).toString()).toBe('one,two,three');
    expect(await fs.readFile(path.join(root, B, 'clientes', 'São Paulo', 'coração.csv'), 'utf8')).toBe('one,two,three');
  });

  it('stores an empty object', async () => {
    expect(await storage.put(B, 'empty', '')).toEqual({ bytes: 0, sha256: sha256('') });
    expect((await get('empty')).length).toBe(0);
    expect((await storage.stat(B, 'empty'))?.bytes).toBe(0);
  });

  it('replaces an existing object and changes its etag', async () => {
    await storage.put(B, 'k', 'first version');
    const before = await storage.stat(B, 'k');
    await storage.put(B, 'k', 'second');
    const after = await storage.stat(B, 'k');
    expect((await get('k')).toString()).toBe('second');
    expect(after?.bytes).toBe(6);
    expect(after?.etag).not.toBe(before?.etag);
  });

  it('stat describes an object and is undefined when absent', async () => {
    await storage.put(B, 'x/y.txt', 'hello');
    const info = await storage.stat(B, 'x/y.txt');
    expect(info).toMatchObject({ bucket: B, key: 'x/y.txt', bytes: 5 });
    expect(info?.modifiedAt).toBeInstanceOf(Date);
    expect(info?.etag).toMatch(/^[0-9a-f]+-[0-9a-f]+$/);
    expect(await storage.stat(B, 'x/nope')).toBeUndefined();
    expect(await storage.stat(B, 'x')).toBeUndefined(); // a folder is not an object
    expect(await storage.stat('other-bucket', 'x/y.txt')).toBeUndefined();
  });

  it('get of an absent object (or a folder) is not_found:object', async () => {
    await storage.put(B, 'x/y.txt', 'hello');
    expect(await codeOf(storage.get(B, 'missing'))).toBe('not_found:object');
    expect(await codeOf(storage.get(B, 'x/y.txt/deeper'))).toBe('not_found:object');
    expect(await codeOf(storage.get(B, 'x'))).toBe('not_found:object');
    await expect(storage.get(B, 'missing')).rejects.toThrow(/"missing" in bucket test-bucket/);
  });

  it('refuses a key whose path clashes between object and folder', async () => {
    await storage.put(B, 'a', 'file');
    expect(await codeOf(storage.put(B, 'a/b', 'x'))).toBe('conflict:object_path');
    await storage.put(B, 'c/d', 'file');
    expect(await codeOf(storage.put(B, 'c', 'x'))).toBe('conflict:object_path');
    expect(await tree(tempFolder())).toEqual([]);
    expect(await listKeys()).toEqual(['a', 'c/d']);
  });

  it('streams a 64 MiB put without holding it in memory', async () => {
    // Freed chunks are only returned once V8 collects them; collecting every 4 MiB keeps the figure
    // about what the store retains, not about when the GC happens to run.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const CHUNK = 256 * 1024;
    const TOTAL = 64 * MiB;
    const expected = createHash('sha256');
    gc();
    const before = process.memoryUsage.rss();
    let peak = before;
    let produced = 0;
    let n = 0;
    const source = new Readable({
      read() {
        peak = Math.max(peak, process.memoryUsage.rss());
        if (produced >= TOTAL) {
          this.push(null);
          return;
        }
        const chunk = Buffer.alloc(CHUNK, n % 251);
        chunk.writeUInt32BE(n, 0);
        n++;
        produced += CHUNK;
        expected.update(chunk);
        if (n % 16 === 0) gc();
        this.push(chunk);
      },
    });
    const result = await storage.put(B, 'big/blob.bin', source);
    peak = Math.max(peak, process.memoryUsage.rss());
    expect(result).toEqual({ bytes: TOTAL, sha256: expected.digest('hex') });
    expect((await storage.stat(B, 'big/blob.bin'))?.bytes).toBe(TOTAL);
    expect(peak - before).toBeLessThan(48 * MiB);

    const back = createHash('sha256');
    for await (const c of await storage.get(B, 'big/blob.bin')) back.update(c as Buffer);
    expect(back.digest('hex')).toBe(result.sha256);
  });
});

describe('failed writes', () => {
  it('a source failing half-way leaves nothing visible and no temp file', async () => {
    await expect(storage.put(B, 'broken/obj.bin', failingSource(MiB))).rejects.toThrow('source broke');
    expect(await storage.stat(B, 'broken/obj.bin')).toBeUndefined();
    expect(await codeOf(storage.get(B, 'broken/obj.bin'))).toBe('not_found:object');
    expect(await listKeys()).toEqual([]);
    expect(await tree(tempFolder())).toEqual([]);
    expect(await tree(path.join(root, B))).toEqual(['.tmp-keystone']);
  });

  it('a failed overwrite keeps the previous object intact', async () => {
    await storage.put(B, 'k.bin', 'the old content');
    await expect(storage.put(B, 'k.bin', failingSource(256 * 1024))).rejects.toThrow('source broke');
    expect((await get('k.bin')).toString()).toBe('the old content');
    expect(await tree(tempFolder())).toEqual([]);
  });

  it('a source emitting non-bytes fails cleanly', async () => {
    expect(await codeOf(storage.put(B, 'odd', Readable.from([Buffer.from('ok'), { not: 'bytes' }])))).toBe('bad_request:storage_body');
    expect(await storage.stat(B, 'odd')).toBeUndefined();
    expect(await tree(tempFolder())).toEqual([]);
  });
});

describe('ranged get', () => {
  const content = Buffer.from('0123456789abcdefghij'); // 20 bytes

  beforeEach(async () => {
    await storage.put(B, 'r.txt', content);
  });

  it('returns exactly the requested bytes', async () => {
    expect((await get('r.txt', { start: 5 })).toString()).toBe('56789abcdefghij');
    expect((await get('r.txt', { start: 2, end: 4 })).toString()).toBe('234');
    expect((await get('r.txt', { start: 7, end: 7 })).toString()).toBe('7');
    expect((await get('r.txt', { start: 0, end: 0 })).toString()).toBe('0');
    expect((await get('r.txt', { start: 19 })).toString()).toBe('j');
    expect((await get('r.txt', { start: 0, end: 19 })).toString()).toBe(content.toString());
  });

  it('clamps an end past the last byte, as HTTP does', async () => {
    expect((await get('r.txt', { start: 15, end: 1000 })).toString()).toBe('fghij');
  });

  it.each([
    [{ start: -1 }],
    [{ start: 1.5 }],
    [{ start: 5, end: 4 }],
    [{ start: 3, end: -1 }],
    [{ start: Number.NaN }],
    [{ start: 20 }], // first byte past the end: unsatisfiable
    [{ start: 100, end: 200 }],
  ])('rejects %j with bad_request:byte_range', async (range) => {
    expect(await codeOf(storage.get(B, 'r.txt', range))).toBe('bad_request:byte_range');
  });

  it('rejects any range on an empty object', async () => {
    await storage.put(B, 'empty', '');
    await expect(storage.get(B, 'empty', { start: 0 })).rejects.toThrow(/starts at byte 0 but the object has 0 bytes/);
  });
});

describe('list', () => {
  it('orders by full key (UTF-8 bytes), not by folder', async () => {
    const keys = ['a-c', 'a.txt', 'a/b', 'a/b-x', 'a/b.y', 'a/bz', 'a/c/d', 'a0', 'B', 'é', '\uFF5E', '\u{1F600}', 'clientes/São Paulo.csv'];
    for (const k of keys) await storage.put(B, k, k);
    const expected = [...keys].sort(compareKeys);
    expect(expected.slice(0, 3)).toEqual(['B', 'a-c', 'a.txt']); // "-" and "." sort before "/"
    expect(await listKeys()).toEqual(expected);

    // Small pages give the same sequence: the cursor skips correctly into and out of folders.
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await storage.list(B, { limit: 2, cursor });
      paged.push(...page.objects.map((o) => o.key));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(paged).toEqual(expected);
  });

  it('filters by a prefix that need not end at "/"', async () => {
    for (const k of ['d1/x', 'd10/y', 'd1x', 'd2/z', 'e']) await storage.put(B, k, k);
    expect(await listKeys('d1')).toEqual(['d1/x', 'd10/y', 'd1x']);
    expect(await listKeys('d1/')).toEqual(['d1/x']);
    expect(await listKeys('d1/x')).toEqual(['d1/x']);
    expect(await listKeys('d2/z/')).toEqual([]);
    expect(await listKeys('nothing/here/')).toEqual([]);
    expect(await listKeys('')).toEqual(['d1/x', 'd10/y', 'd1x', 'd2/z', 'e']);
    const page = await storage.list(B, { prefix: 'd' });
    expect(page.objects.every((o) => o.bucket === B && o.bytes === o.key.length)).toBe(true);
  });

  it('pages 2,500 keys in exactly 3 pages of up to 1000, each key once, no temp files', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `d${i % 7}/${i % 3 === 0 ? 'sub/' : ''}k${String(i).padStart(5, '0')}.txt`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((k) => storage.put(B, k, 'v')));
    }
    // An orphan from a crashed write must never surface as an object.
    await fs.writeFile(path.join(tempFolder(), 'orphan.part'), 'half');

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await storage.list(B, { cursor });
      pages.push(page.objects.map((o) => o.key));
      cursor = page.nextCursor;
    } while (cursor !== undefined && pages.length < 10);

    expect(pages.map((p) => p.length)).toEqual([1000, 1000, 500]);
    const all = pages.flat();
    expect(all).toEqual([...keys].sort(compareKeys));
    expect(new Set(all).size).toBe(2500);
    expect(all.some((k) => k.includes('.tmp-'))).toBe(false);
  });

  it('a full page that is the last one has no next cursor', async () => {
    for (const k of ['a', 'b', 'c']) await storage.put(B, k, k);
    expect((await storage.list(B, { limit: 3 })).nextCursor).toBeUndefined();
    const first = await storage.list(B, { limit: 2 });
    expect(first.nextCursor).toBe('b');
    expect((await storage.list(B, { limit: 2, cursor: first.nextCursor })).objects.map((o) => o.key)).toEqual(['c']);
  });

  it('lists an absent bucket as empty and refuses bad options', async () => {
    expect(await storage.list('never-written')).toEqual({ objects: [], nextCursor: undefined });
    expect(await codeOf(storage.list(B, { limit: 0 }))).toBe('bad_request:list_limit');
    expect(await codeOf(storage.list(B, { limit: 2.5 }))).toBe('bad_request:list_limit');
    expect(await codeOf(storage.list(B, { prefix: '../' }))).toBe('bad_request:storage_key');
    expect(await codeOf(storage.list('Bad_Bucket'))).toBe('bad_request:bucket_name');
  });
});

describe('delete', () => {
  it('removes an object, tolerates an absent one, and prunes empty folders up to the bucket', async () => {
    await storage.put(B, 'a/b/c/one.txt', '1');
    await storage.put(B, 'a/keep.txt', 'k');
    await storage.delete(B, 'a/b/c/one.txt');
    expect(await storage.stat(B, 'a/b/c/one.txt')).toBeUndefined();
    expect(await tree(path.join(root, B, 'a'))).toEqual(['keep.txt']);
    await storage.delete(B, 'a/keep.txt');
    expect(await tree(path.join(root, B))).toEqual(['.tmp-keystone']);
    await storage.delete(B, 'a/keep.txt');
    await storage.delete(B, 'never/was');
    await storage.delete('never-written', 'x');
  });

  it('deletePrefix removes only keys under the folder and counts them', async () => {
    for (const k of ['ds/_v/1/a.parquet', 'ds/_v/1/b/c.parquet', 'ds/_v/10/a.parquet', 'ds/_v/1.txt', 'other/x']) await storage.put(B, k, k);
    expect(await storage.deletePrefix(B, 'ds/_v/1/')).toBe(2);
    expect(await listKeys()).toEqual(['ds/_v/1.txt', 'ds/_v/10/a.parquet', 'other/x']);
    expect(await storage.deletePrefix(B, 'ds/_v/1/')).toBe(0);
    expect(await storage.deletePrefix(B, 'ds/')).toBe(2);
    expect(await listKeys()).toEqual(['other/x']);
    expect(await tree(path.join(root, B))).toEqual(['.tmp-keystone', 'other', 'other/x']);
  });

  it.each(['', 'ds', 'other/x', '../', '/'])('deletePrefix refuses %j', async (prefix) => {
    await storage.put(B, 'other/x', 'x');
    expect(await codeOf(storage.deletePrefix(B, prefix))).toBe('bad_request:storage_key');
    expect(await listKeys()).toEqual(['other/x']);
  });
});

describe('hostile keys', () => {
  const HOSTILE = ['../x', 'a/../../etc/passwd', '/abs', 'a\\b', 'a\u0000b', 'a\nb', 'a//b', '.', '', '..', 'a/', '.tmp-keystone/x', '../../../../tmp/pwned'];

  it.each(HOSTILE.map((k) => [JSON.stringify(k), k]))('refuses %s everywhere with bad_request:storage_key', async (_label, key) => {
    expect(await codeOf(storage.put(B, key, 'x'))).toBe('bad_request:storage_key');
    expect(await codeOf(storage.get(B, key))).toBe('bad_request:storage_key');
    expect(await codeOf(storage.stat(B, key))).toBe('bad_request:storage_key');
    expect(await codeOf(storage.delete(B, key))).toBe('bad_request:storage_key');
    expect(await codeOf(() => storage.locate(B, key))).toBe('bad_request:storage_key');
    // Nothing was written anywhere, not even the bucket folder.
    expect(await tree(tmp)).toEqual([]);
  });

  it('refuses hostile bucket names', async () => {
    for (const bucket of ['..', '../lake', 'a/b', 'UP', '']) {
      expect(await codeOf(storage.put(bucket, 'k', 'x'))).toBe('bad_request:bucket_name');
      expect(await codeOf(() => storage.locate(bucket, 'k'))).toBe('bad_request:bucket_name');
    }
    expect(await tree(tmp)).toEqual([]);
  });
});

describe('symlinks inside a bucket', () => {
  let outside: string;

  beforeEach(async () => {
    outside = path.join(tmp, 'outside');
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'secret.txt'), 'secret');
    await storage.put(B, 'real/obj', 'inside');
    await fs.symlink(outside, path.join(root, B, 'evil'));
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, B, 'leak.txt'));
  });

  it('are not followed for writes', async () => {
    expect(await codeOf(storage.put(B, 'evil/x', 'pwned'))).toBe('forbidden:storage_path');
    expect(await codeOf(storage.put(B, 'evil/deep/er/x', 'pwned'))).toBe('forbidden:storage_path');
    expect(await codeOf(storage.put(B, 'leak.txt', 'pwned'))).toBe('forbidden:storage_path');
    expect(await codeOf(storage.deletePrefix(B, 'evil/'))).toBe('forbidden:storage_path');
    expect(await codeOf(storage.delete(B, 'evil/secret.txt'))).toBe('forbidden:storage_path');
    expect(await codeOf((async () => (await storage.stageVersion(B, 'evil/', '1')).put('x', 'pwned'))())).toBe('forbidden:storage_path');
    expect(await tree(outside)).toEqual(['secret.txt']);
    expect(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('secret');
    expect(await tree(tempFolder())).toEqual([]);
  });

  it('are not followed for reads, lists or locate', async () => {
    expect(await codeOf(storage.get(B, 'leak.txt'))).toBe('forbidden:storage_path');
    expect(await codeOf(storage.get(B, 'evil/secret.txt'))).toBe('forbidden:storage_path');
    expect(await codeOf(storage.stat(B, 'evil/secret.txt'))).toBe('forbidden:storage_path');
    expect(await codeOf(() => storage.locate(B, 'evil/secret.txt'))).toBe('forbidden:storage_path');
    expect(await listKeys()).toEqual(['real/obj']);
    expect(await listKeys('evil/')).toEqual([]);
  });
});

describe('stageVersion', () => {
  it('writes under <dataset>_v/<id>/, reports what it wrote, and abort removes all of it', async () => {
    await storage.put(B, 'silver/orders/_v/000006/part-0.parquet', 'previous version');
    const staged = await storage.stageVersion(B, 'silver/orders/', '000007');
    expect(staged.prefix).toBe('silver/orders/_v/000007/');
    expect(staged.bucket).toBe(B);

    const r = await staged.put('part-0.parquet', 'rows 0');
    expect(r).toEqual({ bytes: 6, sha256: sha256('rows 0') });
    await staged.put('year=2018/part-1.parquet', Readable.from([Buffer.from('rows 1')]));
    expect(staged.written()).toEqual(['part-0.parquet', 'year=2018/part-1.parquet']);
    expect(await listKeys('silver/orders/_v/000007/')).toEqual([
      'silver/orders/_v/000007/part-0.parquet',
      'silver/orders/_v/000007/year=2018/part-1.parquet',
    ]);
    expect(storage.locate(B, 'silver/orders/_v/000007/part-0.parquet')).toBe(
      path.join(root, B, 'silver', 'orders', '_v', '000007', 'part-0.parquet'),
    );

    await staged.abort();
    expect(await listKeys()).toEqual(['silver/orders/_v/000006/part-0.parquet']);
    expect(await tree(path.join(root, B, 'silver', 'orders', '_v'))).toEqual(['000006', '000006/part-0.parquet']);
    expect(staged.written()).toEqual([]);
    expect(await codeOf(staged.put('late.parquet', 'x'))).toBe('conflict:version_aborted');
  });

  it('abort waits for a put still streaming', async () => {
    const staged = await storage.stageVersion(B, 'ds/', 'v1');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = Readable.from(
      (async function* () {
        yield Buffer.from('first half, ');
        await gate;
        yield Buffer.from('second half');
      })(),
    );
    const putting = staged.put('slow.bin', slow);
    const aborting = staged.abort();
    release();
    await putting;
    await aborting;
    expect(await listKeys()).toEqual([]);
  });

  it('refuses to stage over a version that already has objects', async () => {
    await storage.put(B, 'gold/mart/_v/3/part-0.parquet', 'x');
    expect(await codeOf(storage.stageVersion(B, 'gold/mart/', '3'))).toBe('conflict:version_exists');
    // A fresh id, or a version whose objects are gone, is fine.
    await expect(storage.stageVersion(B, 'gold/mart/', '4')).resolves.toBeDefined();
    await storage.deletePrefix(B, 'gold/mart/_v/3/');
    await expect(storage.stageVersion(B, 'gold/mart/', '3')).resolves.toBeDefined();
  });

  it('validates the version id and the dataset prefix', async () => {
    for (const id of ['', '..', 'a/b', '1.0', '.tmp-x']) {
      expect(await codeOf(storage.stageVersion(B, 'ds/', id))).toBe('bad_request:version_id');
    }
    expect(await codeOf(storage.stageVersion(B, 'ds', '1'))).toBe('bad_request:storage_key');
    expect(await codeOf(storage.stageVersion(B, '../', '1'))).toBe('bad_request:storage_key');
    const staged = await storage.stageVersion(B, '', '1');
    expect(staged.prefix).toBe('_v/1/');
    expect(await codeOf(staged.put('../escape', 'x'))).toBe('bad_request:storage_key');
    expect(await tree(tmp)).toEqual([]);
  });
});

describe('locate and check', () => {
  it('locate returns the absolute file path inside the bucket folder', async () => {
    await storage.put(B, 'a/b.parquet', 'x');
    const p = storage.locate(B, 'a/b.parquet');
    expect(path.isAbsolute(p)).toBe(true);
    expect(p).toBe(path.join(root, B, 'a', 'b.parquet'));
    expect(await fs.readFile(p, 'utf8')).toBe('x');
    expect(storage.locate(B, 'not/yet/written')).toBe(path.join(root, B, 'not', 'yet', 'written'));
  });

  it('check is ok for a root it can create, and leaves no probe behind', async () => {
    expect(await storage.check()).toMatchObject({ ok: true });
    expect(await tree(root)).toEqual([]);
  });

  it('check reports, without throwing, a root that cannot be created', async () => {
    await fs.writeFile(path.join(tmp, 'afile'), 'not a folder');
    const bad = new LocalStorage(path.join(tmp, 'afile', 'lake'));
    const result = await bad.check();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(path.join(tmp, 'afile', 'lake'));
  });
});

describe('createStorage', () => {
  // Built by loadConfig so this test follows the config shape as it grows.
  it('builds a LocalStorage rooted at <data dir>/lake for kind local', async () => {
    const s = createStorage(loadConfig({ KEYSTONE_DATA_DIR: tmp }, tmp));
    expect(s).toBeInstanceOf(LocalStorage);
    expect(s.kind).toBe('local');
    await s.put(B, 'k', 'v');
    expect(await fs.readFile(path.join(root, B, 'k'), 'utf8')).toBe('v');
  });

  it('builds the S3 backend for kind s3 (exercised against s3rver in s3.test.ts)', () => {
    const s = createStorage(loadConfig({ KEYSTONE_DATA_DIR: tmp, KEYSTONE_STORAGE: 's3' }, tmp));
    expect(s.kind).toBe('s3');
    expect(s.locate(B, 'a/b.parquet')).toBe(`s3://${B}/a/b.parquet`);
  });
});
