/**
 * The S3 backend over real HTTP, against s3rver started here (test/support/s3rver.ts). Mirrors
 * local.test.ts where S3 means the same thing; where it differs (object and "folder" may share a
 * name, the cursor is S3's opaque token) the test says so.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startS3rver, type S3rverHandle } from '../../test/support/s3rver';
import { loadConfig } from '../config';
import { KeystoneError } from '../errors';
import { createStorage } from './index';
import { compareKeys } from './keys';
import { S3Storage } from './s3';

const MiB = 1024 * 1024;
const PART = 8 * MiB;

let server: S3rverHandle;
let storage: S3Storage;
let B: string;
let bucketCount = 0;

beforeAll(async () => {
  server = await startS3rver();
  storage = new S3Storage({ region: server.region, endpoint: server.endpoint, forcePathStyle: true, buckets: server.buckets });
});

afterAll(async () => {
  storage?.client.destroy();
  await server?.stop();
});

// A fresh bucket per test: tests never see each other's objects.
beforeEach(async () => {
  B = `test-bucket-${++bucketCount}`;
  await storage.client.send(new CreateBucketCommand({ Bucket: B }));
});

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function get(key: string, range?: { start: number; end?: number }, bucket = B): Promise<Buffer> {
  return readAll(await storage.get(bucket, key, range));
}

async function listKeys(prefix?: string, bucket = B): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of storage.listAll(bucket, prefix)) keys.push(o.key);
  return keys;
}

async function pendingUploads(bucket = B): Promise<string[]> {
  const r = await storage.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (r.Uploads ?? []).map((u) => `${u.Key ?? ''}#${u.UploadId ?? ''}`);
}

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

/** `total` deterministic bytes (every 4-byte word is its own offset), so misplaced bytes show. */
function patterned(total: number): Buffer {
  const b = Buffer.alloc(total);
  for (let i = 0; i + 4 <= total; i += 4) b.writeUInt32BE(i, i);
  return b;
}

/** `buf` as a stream of `chunk`-sized pieces. */
function chunked(buf: Buffer, chunk: number): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
    })(),
  );
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
    const r3 = await storage.put(B, 'clientes/São Paulo/coração+1 (2)&x.csv', Readable.from(parts));
    expect(r3).toEqual({ bytes: 13, sha256: sha256('one,two,three') });
    expect((await get('clientes/São Paulo/coração+1 (2)&x.csv')).toString()).toBe('one,two,three');
    expect(await listKeys('clientes/')).toEqual(['clientes/São Paulo/coração+1 (2)&x.csv']);
  });

  it('stores an empty object', async () => {
    expect(await storage.put(B, 'empty', '')).toEqual({ bytes: 0, sha256: sha256('') });
    expect(await storage.put(B, 'empty-stream', Readable.from([]))).toEqual({ bytes: 0, sha256: sha256('') });
    expect((await get('empty')).length).toBe(0);
    expect((await storage.stat(B, 'empty'))?.bytes).toBe(0);
    expect((await storage.stat(B, 'empty-stream'))?.bytes).toBe(0);
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

  it('stores the content type it is given', async () => {
    await storage.put(B, 'p.parquet', 'PAR1', { contentType: 'application/vnd.apache.parquet' });
    const head = await storage.client.send(new HeadObjectCommand({ Bucket: B, Key: 'p.parquet' }));
    expect(head.ContentType).toBe('application/vnd.apache.parquet');
  });

  it('stat describes an object and is undefined when absent', async () => {
    await storage.put(B, 'x/y.txt', 'hello');
    const info = await storage.stat(B, 'x/y.txt');
    expect(info).toMatchObject({ bucket: B, key: 'x/y.txt', bytes: 5 });
    expect(info?.modifiedAt).toBeInstanceOf(Date);
    expect(info?.etag).toMatch(/^"[0-9a-f]+(-\d+)?"$/);
    expect(await storage.stat(B, 'x/nope')).toBeUndefined();
    expect(await storage.stat(B, 'x')).toBeUndefined(); // a "folder" is not an object
    expect(await storage.stat('never-created', 'x/y.txt')).toBeUndefined();
  });

  it('get of an absent object (or bucket) is not_found:object', async () => {
    await storage.put(B, 'x/y.txt', 'hello');
    expect(await codeOf(storage.get(B, 'missing'))).toBe('not_found:object');
    expect(await codeOf(storage.get(B, 'x/y.txt/deeper'))).toBe('not_found:object');
    expect(await codeOf(storage.get(B, 'x'))).toBe('not_found:object');
    expect(await codeOf(storage.get(B, 'missing', { start: 3 }))).toBe('not_found:object');
    expect(await codeOf(storage.get('never-created', 'x/y.txt'))).toBe('not_found:object');
    await expect(storage.get(B, 'missing')).rejects.toThrow(new RegExp(`"missing" in bucket ${B}`));
  });

  it('unlike a folder, S3 lets "a" and "a/b" both be objects', async () => {
    await storage.put(B, 'a', 'file');
    await storage.put(B, 'a/b', 'below');
    // S3 lists "a" first; s3rver walks its folders and lists "a/b" first (see the list tests).
    expect((await listKeys()).sort(compareKeys)).toEqual(['a', 'a/b']);
    expect((await get('a')).toString()).toBe('file');
  });

  it('a write to a bucket that does not exist is not_found:bucket', async () => {
    expect(await codeOf(storage.put('never-created', 'k', 'x'))).toBe('not_found:bucket');
    expect(await codeOf(storage.put('never-created', 'k', patterned(PART + 10)))).toBe('not_found:bucket');
  });

  it('uploads a body larger than a part as a multipart upload, reassembled in order', async () => {
    const total = 2 * PART + 12_345; // three parts, the last one short
    const content = patterned(total);
    const result = await storage.put(B, 'mp/blob.bin', chunked(content, 100_003)); // chunks straddle part boundaries
    expect(result).toEqual({ bytes: total, sha256: sha256(content) });
    expect((await storage.stat(B, 'mp/blob.bin'))?.bytes).toBe(total);
    expect(sha256(await get('mp/blob.bin'))).toBe(result.sha256);
    expect(await pendingUploads()).toEqual([]);

    // A body of exactly one part, and one byte more, both round-trip.
    for (const size of [PART, PART + 1]) {
      const body = patterned(size);
      expect(await storage.put(B, `mp/${size}.bin`, body)).toEqual({ bytes: size, sha256: sha256(body) });
      expect(sha256(await get(`mp/${size}.bin`))).toBe(sha256(body));
    }
  });

  it('ranged reads at part boundaries return exactly the requested bytes', async () => {
    const total = 2 * PART + 4096;
    const content = patterned(total);
    await storage.put(B, 'mp/r.bin', chunked(content, 1 * MiB));
    const cases: { start: number; end?: number }[] = [
      { start: PART - 1, end: PART }, // last byte of part 1, first of part 2
      { start: PART, end: PART },
      { start: PART - 1, end: PART - 1 },
      { start: PART - 4, end: 2 * PART + 3 }, // all of part 2 plus its neighbours' edges
      { start: 2 * PART - 1 },
      { start: 2 * PART },
      { start: total - 1 },
      { start: 0, end: 0 },
      { start: 0, end: PART - 1 },
      { start: PART - 10, end: total + 1000 }, // clamped
    ];
    for (const range of cases) {
      const end = Math.min(range.end ?? total - 1, total - 1);
      const got = await get('mp/r.bin', range);
      expect({ range, bytes: got.length }).toEqual({ range, bytes: end - range.start + 1 });
      expect(Buffer.compare(got, content.subarray(range.start, end + 1))).toBe(0);
    }
    expect(await codeOf(storage.get(B, 'mp/r.bin', { start: total }))).toBe('bad_request:byte_range');
  });
});

describe('failed writes', () => {
  it('a source failing half-way through a multipart upload leaves nothing visible and no upload behind', async () => {
    // 20 MiB: two parts are uploaded before the source breaks.
    await expect(storage.put(B, 'broken/obj.bin', failingSource(20 * MiB))).rejects.toThrow('source broke');
    expect(await storage.stat(B, 'broken/obj.bin')).toBeUndefined();
    expect(await codeOf(storage.get(B, 'broken/obj.bin'))).toBe('not_found:object');
    expect(await listKeys()).toEqual([]);
    expect(await pendingUploads()).toEqual([]);
    // Nothing of the parts is left on s3rver's disk either.
    expect(await fs.readdir(path.join(server.directory, B, '._S3rver_uploads')).catch(() => [])).toEqual([]);
  });

  it('a source failing before the first part is complete sends nothing', async () => {
    await expect(storage.put(B, 'broken/small.bin', failingSource(MiB))).rejects.toThrow('source broke');
    expect(await storage.stat(B, 'broken/small.bin')).toBeUndefined();
    expect(await listKeys()).toEqual([]);
    expect(await pendingUploads()).toEqual([]);
  });

  it('a failed overwrite keeps the previous object intact', async () => {
    await storage.put(B, 'k.bin', 'the old content');
    await expect(storage.put(B, 'k.bin', failingSource(9 * MiB))).rejects.toThrow('source broke');
    expect((await get('k.bin')).toString()).toBe('the old content');
    expect(await pendingUploads()).toEqual([]);
  });

  it('a source emitting non-bytes fails cleanly', async () => {
    expect(await codeOf(storage.put(B, 'odd', Readable.from([Buffer.from('ok'), { not: 'bytes' }])))).toBe('bad_request:storage_body');
    expect(await storage.stat(B, 'odd')).toBeUndefined();
    expect(await pendingUploads()).toEqual([]);
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
    expect((await get('r.txt', { start: 0, end: 0 })).toString()).toBe('0'); // s3rver sends all 20 bytes here
    expect((await get('r.txt', { start: 19 })).toString()).toBe('j');
    expect((await get('r.txt', { start: 0, end: 19 })).toString()).toBe(content.toString());
    expect((await get('r.txt', { start: 0 })).toString()).toBe(content.toString());
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
  it('orders by full key (UTF-8 bytes) and pages through the same sequence with the cursor', async () => {
    // s3rver walks its folders, so it lists in S3's order only when no sibling name sorts before "/"
    // ("a-c" or "a" next to "a/b"), and pages correctly only when no key has characters beyond
    // U+FFFF (it compares the cursor key in UTF-16). Such keys are left out here; S3 itself orders
    // by UTF-8 bytes, which local.test.ts checks for the local backend.
    const keys = ['a/b', 'a/bz', 'a/c/d', 'a0', 'B', 'é', '\uFF5E', 'clientes/São Paulo.csv', 'z/y/x/w'];
    for (const k of keys) await storage.put(B, k, k);
    const expected = [...keys].sort(compareKeys);
    expect(await listKeys()).toEqual(expected);

    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await storage.list(B, { limit: 2, cursor });
      expect(page.objects.length).toBeLessThanOrEqual(2);
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

  it('a full page that is the last one has no next cursor', async () => {
    for (const k of ['a', 'b', 'c']) await storage.put(B, k, k);
    expect((await storage.list(B, { limit: 3 })).nextCursor).toBeUndefined();
    const first = await storage.list(B, { limit: 2 });
    expect(first.objects.map((o) => o.key)).toEqual(['a', 'b']);
    expect(typeof first.nextCursor).toBe('string'); // S3's opaque continuation token
    const second = await storage.list(B, { limit: 2, cursor: first.nextCursor });
    expect(second.objects.map((o) => o.key)).toEqual(['c']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('lists an absent bucket as empty and refuses bad options', async () => {
    expect(await storage.list('never-created')).toEqual({ objects: [], nextCursor: undefined });
    expect(await codeOf(storage.list(B, { limit: 0 }))).toBe('bad_request:list_limit');
    expect(await codeOf(storage.list(B, { limit: 2.5 }))).toBe('bad_request:list_limit');
    expect(await codeOf(storage.list(B, { prefix: '../' }))).toBe('bad_request:storage_key');
    expect(await codeOf(storage.list('Bad_Bucket'))).toBe('bad_request:bucket_name');
    expect(await codeOf(storage.list(B, { cursor: 'not-a-token' }))).toBe('bad_request:list_cursor');
  });
});

describe('delete', () => {
  it('removes an object and tolerates an absent one (or bucket)', async () => {
    await storage.put(B, 'a/b/c/one.txt', '1');
    await storage.put(B, 'a/keep.txt', 'k');
    await storage.delete(B, 'a/b/c/one.txt');
    expect(await storage.stat(B, 'a/b/c/one.txt')).toBeUndefined();
    expect(await listKeys()).toEqual(['a/keep.txt']);
    await storage.delete(B, 'a/keep.txt');
    expect(await listKeys()).toEqual([]);
    await storage.delete(B, 'a/keep.txt');
    await storage.delete(B, 'never/was');
    await storage.delete('never-created', 'x');
  });

  it('deletePrefix removes only keys under the folder and counts them', async () => {
    for (const k of ['ds/_v/1/a.parquet', 'ds/_v/1/b/c.parquet', 'ds/_v/10/a.parquet', 'ds/_v/1.txt', 'other/x']) await storage.put(B, k, k);
    expect(await storage.deletePrefix(B, 'ds/_v/1/')).toBe(2);
    expect(await listKeys()).toEqual(['ds/_v/1.txt', 'ds/_v/10/a.parquet', 'other/x']);
    expect(await storage.deletePrefix(B, 'ds/_v/1/')).toBe(0);
    expect(await storage.deletePrefix(B, 'ds/')).toBe(2);
    expect(await listKeys()).toEqual(['other/x']);
    expect(await storage.deletePrefix('never-created', 'ds/')).toBe(0);
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
    expect(await listKeys()).toEqual([]);
  });

  it('refuses hostile bucket names', async () => {
    for (const bucket of ['..', '../lake', 'a/b', 'UP', '']) {
      expect(await codeOf(storage.put(bucket, 'k', 'x'))).toBe('bad_request:bucket_name');
      expect(await codeOf(storage.get(bucket, 'k'))).toBe('bad_request:bucket_name');
      expect(await codeOf(() => storage.locate(bucket, 'k'))).toBe('bad_request:bucket_name');
    }
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
    expect(storage.locate(B, 'silver/orders/_v/000007/part-0.parquet')).toBe(`s3://${B}/silver/orders/_v/000007/part-0.parquet`);

    await staged.seal();
    await staged.abort();
    expect(await listKeys()).toEqual(['silver/orders/_v/000006/part-0.parquet']);
    expect(staged.written()).toEqual([]);
    expect(await codeOf(staged.put('late.parquet', 'x'))).toBe('conflict:version_aborted');
    expect(await codeOf(staged.putFile('late.parquet', '/nonexistent'))).toBe('conflict:version_aborted');
  });

  it('putFile uploads a local file and consumes it; a failed one keeps the file', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'keystone-s3-putfile-'));
    try {
      const file = path.join(tmp, 'part-0.parquet');
      const content = patterned(PART + 777); // multipart from a file stream
      await fs.writeFile(file, content);
      const staged = await storage.stageVersion(B, 'gold/mart/', '1');
      expect(await staged.putFile('part-0.parquet', file)).toEqual({ bytes: content.length });
      await expect(fs.stat(file)).rejects.toThrow(/ENOENT/);
      await staged.seal();
      expect(sha256(await get('gold/mart/_v/1/part-0.parquet'))).toBe(sha256(content));
      expect(staged.written()).toEqual(['part-0.parquet']);

      await fs.writeFile(file, 'again');
      const elsewhere = new S3Storage({ region: server.region, endpoint: server.endpoint, buckets: [] });
      const doomed = await elsewhere.stageVersion('never-created', 'gold/mart/', '1');
      expect(await codeOf(doomed.putFile('part-0.parquet', file))).toBe('not_found:bucket');
      expect(await fs.readFile(file, 'utf8')).toBe('again');
      elsewhere.client.destroy();
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
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
    expect(await listKeys()).toEqual([]);
  });
});

describe('locate and check', () => {
  it('locate returns s3://bucket/key without touching the store', () => {
    expect(storage.locate(B, 'a/b.parquet')).toBe(`s3://${B}/a/b.parquet`);
    expect(storage.locate(B, 'clientes/São Paulo.csv')).toBe(`s3://${B}/clientes/São Paulo.csv`);
  });

  it('check is ok when the three buckets exist', async () => {
    const result = await storage.check();
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.detail).toContain(server.endpoint);
  });

  it('check reports a missing bucket by name, without throwing', async () => {
    const partial = new S3Storage({
      region: server.region,
      endpoint: server.endpoint,
      buckets: ['olist-data-lake-bronze', 'olist-data-lake-silver', 'olist-data-lake-platinum'],
    });
    const result = await partial.check();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain('bucket olist-data-lake-platinum does not exist');
      expect(result.reason).not.toContain('silver');
    }
    partial.client.destroy();
  });

  it('check reports an endpoint nobody answers on, without throwing', async () => {
    const net = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const down = new S3Storage({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, buckets: server.buckets });
    const result = await down.check();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(`S3 storage (http://127.0.0.1:${port}) cannot be used: nothing answers at http://127.0.0.1:${port} (ECONNREFUSED).`);
    down.client.destroy();
  });
});

describe('createStorage', () => {
  it('builds an S3Storage for kind s3 from the configuration', async () => {
    const s = createStorage(loadConfig({ KEYSTONE_STORAGE: 's3', KEYSTONE_S3_ENDPOINT: server.endpoint, AWS_REGION: 'us-east-1' }, os.tmpdir()));
    expect(s).toBeInstanceOf(S3Storage);
    expect(s.kind).toBe('s3');
    expect(await s.check()).toMatchObject({ ok: true });
    await s.put('olist-data-lake-bronze', 'probe/k', 'v');
    expect((await readAll(await s.get('olist-data-lake-bronze', 'probe/k'))).toString()).toBe('v');
    expect(s.locate('olist-data-lake-bronze', 'probe/k')).toBe('s3://olist-data-lake-bronze/probe/k');
    await s.delete('olist-data-lake-bronze', 'probe/k');
    (s as S3Storage).client.destroy();
  });
});
