/**
 * The `local` backend: each bucket is a folder `<root>/<bucket>/`, each object a file at its key.
 * Writes go to a temp file inside the bucket folder (same filesystem, so the final rename is atomic)
 * and are fsynced before they become visible; a crash leaves at most an orphan temp file.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KeystoneError, errorMessage } from '../errors';
import { syncFileSystem } from './fs-sync';
import type { ByteRange, ListOptions, ListPage, ObjectInfo, PutResult, StagedVersion, StorageBackend } from './backend';
import { TEMP_MARKER, isValidKey, validateBucketName, validateKey, validatePrefix, validateVersionId } from './keys';

/** In-flight writes and deletions, one per bucket. Its name is a reserved segment, so no key can reach it. */
const TEMP_DIR = `${TEMP_MARKER}keystone`;
const DEFAULT_LIMIT = 1000;
/** A concurrent `delete` may prune a folder between our mkdir and rename; that many retries are plenty. */
const RENAME_ATTEMPTS = 4;

type Body = Readable | Uint8Array | string;

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;
const isMissing = (e: unknown): boolean => errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR';

/** Lexical containment. `..foo` is a legal name, so test for a `..` segment, not a `..` prefix. */
function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function escapes(bucket: string, key: string): KeystoneError {
  return new KeystoneError(
    'forbidden:storage_path',
    `The storage key ${JSON.stringify(key)} in bucket ${bucket} resolves outside the bucket folder (through a symbolic link); refusing to follow it.`,
  );
}

function notFound(bucket: string, key: string): KeystoneError {
  return new KeystoneError('not_found:object', `There is no object ${JSON.stringify(key)} in bucket ${bucket}.`, {
    details: { bucket, key },
  });
}

function pathClash(bucket: string, key: string, cause: unknown): KeystoneError {
  // S3 allows both `a` and `a/b`; a filesystem cannot hold a file and a folder under one name.
  return new KeystoneError(
    'conflict:object_path',
    `Cannot store ${JSON.stringify(key)} in bucket ${bucket}: an object and a folder would share a name on disk (e.g. "a" and "a/b").`,
    { cause },
  );
}

function badRange(bucket: string, key: string, why: string): KeystoneError {
  return new KeystoneError('bad_request:byte_range', `Invalid byte range for ${JSON.stringify(key)} in bucket ${bucket}: ${why}.`);
}

/** HTTP Range semantics: an end past the last byte is clamped; a start past it is unsatisfiable. */
function checkRange(range: ByteRange, size: number, bucket: string, key: string): { start: number; end: number } {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) throw badRange(bucket, key, `start must be a non-negative integer, got ${String(start)}`);
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw badRange(bucket, key, `end must be an integer ≥ start (${start}), got ${String(end)}`);
  }
  if (start >= size) throw badRange(bucket, key, `it starts at byte ${start} but the object has ${size} bytes`);
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}

async function writeAll(fh: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length; ) {
    const { bytesWritten } = await fh.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

function asBytes(chunk: unknown): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new KeystoneError('bad_request:storage_body', `An object body must be bytes or text; the stream sent ${chunk === null ? 'null' : typeof chunk}.`);
}

/** Streams `body` into a new file, hashing as it goes; resolves only once the bytes are on disk. */
async function writeDurably(file: string, body: Body): Promise<PutResult> {
  const source = typeof body === 'string' || body instanceof Uint8Array ? [asBytes(body)] : body;
  const hash = createHash('sha256');
  let bytes = 0;
  const fh = await fsp.open(file, 'wx', 0o644);
  try {
    // Pulling one chunk at a time, and only after the previous write finished, is what keeps memory flat.
    await pipeline(source, async (chunks: AsyncIterable<unknown>) => {
      for await (const chunk of chunks) {
        const buf = asBytes(chunk);
        hash.update(buf);
        bytes += buf.length;
        await writeAll(fh, buf);
      }
      await fh.sync();
    });
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw e;
  }
  await fh.close();
  return { bytes, sha256: hash.digest('hex') };
}

/** Makes a rename or a new folder entry durable. Some platforms cannot fsync a folder; that is not an error there. */
async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch (e) {
    if (!['EINVAL', 'EPERM', 'EISDIR', 'EBADF', 'ENOTSUP'].includes(errno(e) ?? '')) throw e;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** After `mkdir -p` made `created` (its topmost new folder) down to `deepest`: each new entry lives in its parent, so sync those parents. */
async function fsyncCreated(created: string | undefined, deepest: string): Promise<void> {
  if (created === undefined) return;
  const top = path.dirname(created);
  for (let d = path.dirname(deepest); isInside(top, d); d = path.dirname(d)) {
    await fsyncDir(d);
    if (d === top) return;
  }
}

function objectInfo(bucket: string, key: string, st: fs.BigIntStats): ObjectInfo {
  return {
    bucket,
    key,
    bytes: Number(st.size),
    modifiedAt: new Date(Number(st.mtimeMs)),
    etag: `${st.size.toString(16)}-${st.mtimeNs.toString(16)}`,
  };
}

function hint(e: unknown): string {
  switch (errno(e)) {
    case 'ENOTDIR':
    case 'EEXIST':
      return 'part of the path is a file, not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the filesystem is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return errorMessage(e);
  }
}

export class LocalStorage implements StorageBackend {
  readonly kind = 'local' as const;
  readonly root: string;

  constructor(root: string) {
    if (typeof root !== 'string' || root === '' || root.includes('\0')) {
      throw new KeystoneError('config:storage_root', `The local storage root ${JSON.stringify(String(root))} is not a usable path.`);
    }
    this.root = path.resolve(root);
  }

  /** The bucket folder and the file for a validated key (or prefix without its trailing `/`). */
  private pathOf(bucket: string, relative: string): { dir: string; file: string } {
    const dir = path.join(this.root, validateBucketName(bucket));
    const file = path.join(dir, ...relative.split('/'));
    // Validation already rules this out; this catches a future change to the rules that forgets a case.
    if (!isInside(dir, file) || file === dir) throw escapes(bucket, relative);
    return { dir, file };
  }

  /**
   * Refuses when `file` (or its nearest existing ancestor) really lives outside the bucket folder,
   * i.e. a symlink inside the bucket points elsewhere. The bucket folder itself may be a symlink.
   */
  private async assertResolvesInside(bucket: string, key: string, dir: string, file: string): Promise<void> {
    // Not `for (…; …; probe = path.dirname(probe))`: Next.js's production bundler (Turbopack 16.4)
    // mis-renames the import used in a for-loop update with `continue`, leaving `path` undefined there.
    let probe = file;
    for (;;) {
      let real: string;
      try {
        real = await fsp.realpath(probe);
      } catch (e) {
        if (!isMissing(e)) throw e;
        if (probe === dir) return; // no bucket folder yet: nothing to follow
        probe = path.dirname(probe);
        continue;
      }
      const realDir = probe === dir ? real : await fsp.realpath(dir);
      if (!isInside(realDir, real)) throw escapes(bucket, key);
      return;
    }
  }

  private assertResolvesInsideSync(bucket: string, key: string, dir: string, file: string): void {
    let probe = file;
    for (;;) {
      let real: string;
      try {
        real = fs.realpathSync.native(probe);
      } catch (e) {
        if (!isMissing(e)) throw e;
        if (probe === dir) return;
        probe = path.dirname(probe);
        continue;
      }
      const realDir = probe === dir ? real : this.realBucketDir(dir);
      if (!isInside(realDir, real)) {
        // The bucket folder itself may have moved since it was resolved: resolve it again before refusing.
        this.realDirs.delete(dir);
        if (probe === dir || !isInside(this.realBucketDir(dir), real)) throw escapes(bucket, key);
      }
      return;
    }
  }

  /**
   * The bucket folder's real path, resolved once: a version of hundreds of files is located file by
   * file, and each file's own real path is still checked against it.
   */
  private readonly realDirs = new Map<string, string>();
  private realBucketDir(dir: string): string {
    let real = this.realDirs.get(dir);
    if (real === undefined) {
      real = fs.realpathSync.native(dir);
      this.realDirs.set(dir, real);
    }
    return real;
  }

  private async resolve(bucket: string, key: string): Promise<{ dir: string; file: string }> {
    const where = this.pathOf(bucket, validateKey(key));
    await this.assertResolvesInside(bucket, key, where.dir, where.file);
    return where;
  }

  private async tempDir(dir: string): Promise<string> {
    const tmp = path.join(dir, TEMP_DIR);
    await fsyncCreated(await fsp.mkdir(tmp, { recursive: true }), tmp); // a new bucket folder must survive a crash too
    // A symlinked temp folder would send writes elsewhere (and make the rename non-atomic).
    if (!(await fsp.lstat(tmp)).isDirectory()) {
      throw new KeystoneError('internal:storage_temp', `${tmp} is not a plain folder; remove it so writes can be staged there.`);
    }
    return tmp;
  }

  async put(bucket: string, key: string, body: Body, _options?: { contentType?: string }): Promise<PutResult> {
    const { dir, file } = await this.resolve(bucket, key);
    const tmp = path.join(await this.tempDir(dir), `${randomUUID()}.part`);
    try {
      const result = await writeDurably(tmp, body);
      await this.moveIntoPlace(bucket, key, tmp, file);
      return result;
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
  }

  private async moveIntoPlace(bucket: string, key: string, tmp: string, file: string): Promise<void> {
    const parent = path.dirname(file);
    for (let attempt = 1; ; attempt++) {
      let created: string | undefined;
      try {
        created = await fsp.mkdir(parent, { recursive: true });
      } catch (e) {
        if (errno(e) === 'ENOTDIR' || errno(e) === 'EEXIST') throw pathClash(bucket, key, e);
        throw e;
      }
      try {
        await fsp.rename(tmp, file);
      } catch (e) {
        if (errno(e) === 'ENOENT' && attempt < RENAME_ATTEMPTS) continue;
        if (['EISDIR', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(errno(e) ?? '')) throw pathClash(bucket, key, e);
        throw e;
      }
      await fsyncDir(parent); // holds the renamed entry
      await fsyncCreated(created, parent);
      return;
    }
  }

  /** Rename (or copy, across filesystems) a local file to `bucket/key` without syncing; see StagedVersion.seal. */
  async moveFileIn(bucket: string, key: string, localPath: string): Promise<{ bytes: number }> {
    const { file } = await this.resolve(bucket, key);
    const { size } = await fsp.stat(localPath);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    try {
      await fsp.rename(localPath, file);
    } catch (e) {
      if (errno(e) !== 'EXDEV') throw e;
      const tmp = path.join(await this.tempDir(path.join(this.root, bucket)), `${randomUUID()}.part`);
      await fsp.copyFile(localPath, tmp);
      await fsp.rename(tmp, file);
      await fsp.rm(localPath, { force: true });
    }
    return { bytes: size };
  }

  /** One filesystem-wide sync of the bucket's filesystem: far cheaper than an fsync per file (see fs-sync.ts). */
  async syncBucket(bucket: string): Promise<void> {
    await syncFileSystem(path.join(this.root, validateBucketName(bucket)));
  }

  async get(bucket: string, key: string, range?: ByteRange): Promise<Readable> {
    const { file } = await this.resolve(bucket, key);
    let fh: FileHandle;
    try {
      fh = await fsp.open(file, 'r');
    } catch (e) {
      if (isMissing(e)) throw notFound(bucket, key);
      throw e;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw notFound(bucket, key);
      const span = range === undefined ? {} : checkRange(range, st.size, bucket, key);
      return fh.createReadStream(span); // closes the handle when done or destroyed
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async stat(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    const { file } = await this.resolve(bucket, key);
    try {
      const st = await fsp.stat(file, { bigint: true });
      return st.isFile() ? objectInfo(bucket, key, st) : undefined;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async list(bucket: string, options: ListOptions = {}): Promise<ListPage> {
    const prefix = validatePrefix(options.prefix ?? '');
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new KeystoneError('bad_request:list_limit', `A list limit must be a positive integer, got ${String(limit)}.`);
    }
    const cursor = options.cursor;
    if (cursor !== undefined && typeof cursor !== 'string') {
      throw new KeystoneError('bad_request:list_cursor', 'A list cursor must be the string a previous page returned.');
    }
    const dir = path.join(this.root, validateBucketName(bucket));

    // Start at the deepest folder the prefix names, so listing one dataset does not read the whole bucket.
    const slash = prefix.lastIndexOf('/');
    const base = prefix.slice(0, slash + 1);
    const start = base === '' ? dir : await this.plainFolder(dir, base.slice(0, -1).split('/'));
    const keys: string[] = [];
    if (start !== undefined) {
      // One more than asked tells whether another page follows without returning an empty last page.
      for await (const key of walkKeys(start, base, prefix, cursor)) {
        keys.push(key);
        if (keys.length > limit) break;
      }
    }
    const page = keys.slice(0, limit);
    const objects: ObjectInfo[] = [];
    for (const key of page) {
      try {
        objects.push(objectInfo(bucket, key, await fsp.stat(path.join(dir, ...key.split('/')), { bigint: true })));
      } catch (e) {
        if (!isMissing(e)) throw e; // deleted since the walk saw it: not part of this page
      }
    }
    return { objects, nextCursor: keys.length > limit ? page[page.length - 1] : undefined };
  }

  /** The folder at `segments` under `dir` when every step is a real folder (the walk never follows symlinks either). */
  private async plainFolder(dir: string, segments: string[]): Promise<string | undefined> {
    let at = dir;
    for (const s of segments) {
      at = path.join(at, s);
      try {
        if (!(await fsp.lstat(at)).isDirectory()) return undefined;
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    }
    return at;
  }

  async *listAll(bucket: string, prefix = ''): AsyncGenerator<ObjectInfo> {
    let cursor: string | undefined;
    do {
      const page = await this.list(bucket, { prefix, cursor });
      yield* page.objects;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  async delete(bucket: string, key: string): Promise<void> {
    const { dir, file } = await this.resolve(bucket, key);
    try {
      if (!(await fsp.lstat(file)).isFile()) return; // a folder or a stray link is not an object
      await fsp.unlink(file);
    } catch (e) {
      if (isMissing(e)) return;
      throw e;
    }
    await pruneEmptyFolders(dir, path.dirname(file));
  }

  async deletePrefix(bucket: string, prefix: string): Promise<number> {
    validatePrefix(prefix);
    if (prefix === '' || !prefix.endsWith('/')) {
      throw new KeystoneError(
        'bad_request:storage_key',
        `deletePrefix needs a non-empty prefix ending with "/", got ${JSON.stringify(prefix)}; it would otherwise delete unrelated objects.`,
      );
    }
    const { dir, file: folder } = this.pathOf(bucket, prefix.slice(0, -1));
    await this.assertResolvesInside(bucket, prefix, dir, folder);
    try {
      if (!(await fsp.lstat(folder)).isDirectory()) return 0;
    } catch (e) {
      if (isMissing(e)) return 0;
      throw e;
    }
    // Move the folder aside first: readers see the whole prefix vanish at once, and a write racing
    // with us lands in a fresh folder instead of one being torn down.
    const doomed = path.join(await this.tempDir(dir), `${randomUUID()}.deleting`);
    try {
      await fsp.rename(folder, doomed);
    } catch (e) {
      if (isMissing(e)) return 0;
      throw e;
    }
    let count = 0;
    for await (const _ of walkKeys(doomed, prefix, '', undefined)) count++;
    await fsp.rm(doomed, { recursive: true, force: true });
    await pruneEmptyFolders(dir, path.dirname(folder));
    return count;
  }

  async stageVersion(bucket: string, datasetPrefix: string, versionId: string): Promise<StagedVersion> {
    validateBucketName(bucket);
    validatePrefix(datasetPrefix);
    validateVersionId(versionId);
    if (datasetPrefix !== '' && !datasetPrefix.endsWith('/')) {
      throw new KeystoneError('bad_request:storage_key', `A dataset prefix must be empty or end with "/", got ${JSON.stringify(datasetPrefix)}.`);
    }
    const prefix = validatePrefix(`${datasetPrefix}_v/${versionId}/`);
    const existing = await this.list(bucket, { prefix, limit: 1 });
    if (existing.objects.length > 0) {
      throw new KeystoneError('conflict:version_exists', `Version ${versionId} already has files under ${prefix} in bucket ${bucket}; pick a new version id.`, {
        details: { bucket, prefix },
      });
    }
    return new LocalStagedVersion(this, bucket, prefix);
  }

  locate(bucket: string, key: string): string {
    const { dir, file } = this.pathOf(bucket, validateKey(key));
    this.assertResolvesInsideSync(bucket, key, dir, file);
    return file;
  }

  async check(): Promise<{ ok: true; detail?: string } | { ok: false; reason: string }> {
    const probe = path.join(this.root, `${TEMP_MARKER}probe-${randomUUID()}`);
    try {
      await fsp.mkdir(this.root, { recursive: true });
      await fsp.writeFile(probe, 'probe', { flag: 'wx' });
      await fsp.rm(probe, { force: true });
      return { ok: true, detail: `local folders under ${this.root}` };
    } catch (e) {
      await fsp.rm(probe, { force: true }).catch(() => undefined);
      return { ok: false, reason: `The lake folder ${this.root} cannot be used: ${hint(e)} (${errorMessage(e)}).` };
    }
  }
}

/**
 * Keys under `folder` (whose keys start with `base`) in S3 order: UTF-8 byte order of the full key.
 * Sorting each folder's entries with a trailing "/" on sub-folders yields exactly that order, since
 * every key inside `x/` sorts as `x/` does against its siblings. Folders entirely outside the prefix,
 * or entirely at or before the cursor, are skipped unread.
 */
async function* walkKeys(folder: string, base: string, prefix: string, after: string | undefined): AsyncGenerator<string> {
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(folder, { withFileTypes: true });
  } catch (e) {
    if (isMissing(e)) return;
    throw e;
  }
  const afterBytes = after === undefined ? undefined : Buffer.from(after, 'utf8');
  const items: { name: string; key: string; bytes: Buffer; folder: boolean }[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(TEMP_MARKER)) continue; // ours, never an object
    // Symlinks, sockets and FIFOs were not written by us and are never objects.
    if (!entry.isDirectory() && !entry.isFile()) continue;
    const key = base + entry.name + (entry.isDirectory() ? '/' : '');
    items.push({ name: entry.name, key, bytes: Buffer.from(key, 'utf8'), folder: entry.isDirectory() });
  }
  items.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  for (const item of items) {
    if (item.folder) {
      if (!item.key.startsWith(prefix) && !prefix.startsWith(item.key)) continue;
      if (afterBytes !== undefined && after !== undefined && Buffer.compare(item.bytes, afterBytes) < 0 && !after.startsWith(item.key)) continue;
      yield* walkKeys(path.join(folder, item.name), item.key, prefix, after);
    } else {
      if (!item.key.startsWith(prefix)) continue;
      if (afterBytes !== undefined && Buffer.compare(item.bytes, afterBytes) <= 0) continue;
      if (!isValidKey(item.key)) continue; // e.g. a file dropped in by hand with a backslash in its name
      yield item.key;
    }
  }
}

/** Removes now-empty folders from `from` up to (not including) the bucket folder. */
async function pruneEmptyFolders(bucketDir: string, from: string): Promise<void> {
  for (let d = from; d !== bucketDir && isInside(bucketDir, d); d = path.dirname(d)) {
    try {
      await fsp.rmdir(d);
    } catch {
      return; // not empty (or already gone, or a concurrent write): stop here
    }
  }
}

class LocalStagedVersion implements StagedVersion {
  readonly #store: LocalStorage;
  readonly #keys = new Set<string>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #aborted = false;

  constructor(
    store: LocalStorage,
    readonly bucket: string,
    readonly prefix: string,
  ) {
    this.#store = store;
  }

  async put(relativeKey: string, body: Body): Promise<PutResult> {
    if (this.#aborted) {
      throw new KeystoneError('conflict:version_aborted', `The staged version ${this.prefix} in bucket ${this.bucket} was aborted; start a new one.`);
    }
    validateKey(relativeKey);
    const pending = this.#store.put(this.bucket, this.prefix + relativeKey, body);
    this.#inFlight.add(pending);
    try {
      const result = await pending;
      this.#keys.add(relativeKey);
      return result;
    } finally {
      this.#inFlight.delete(pending);
    }
  }

  async putFile(relativeKey: string, localPath: string): Promise<{ bytes: number }> {
    if (this.#aborted) {
      throw new KeystoneError('conflict:version_aborted', `The staged version ${this.prefix} in bucket ${this.bucket} was aborted; start a new one.`);
    }
    validateKey(relativeKey);
    const pending = this.#store.moveFileIn(this.bucket, this.prefix + relativeKey, localPath);
    this.#inFlight.add(pending);
    try {
      const result = await pending;
      this.#keys.add(relativeKey);
      return result;
    } finally {
      this.#inFlight.delete(pending);
    }
  }

  async seal(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
    await this.#store.syncBucket(this.bucket);
  }

  localFolder(): string {
    const folder = this.#store.locate(this.bucket, `${this.prefix}x`).slice(0, -1);
    fs.mkdirSync(folder, { recursive: true });
    return folder;
  }

  adopt(relativeKeys: string[]): void {
    for (const k of relativeKeys) this.#keys.add(validateKey(k));
  }

  written(): readonly string[] {
    return [...this.#keys];
  }

  async abort(): Promise<void> {
    this.#aborted = true;
    // A put still streaming would otherwise land after the delete and survive the abort.
    await Promise.allSettled([...this.#inFlight]);
    await this.#store.deletePrefix(this.bucket, this.prefix);
    this.#keys.clear();
  }
}
