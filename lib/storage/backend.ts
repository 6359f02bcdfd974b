/**
 * The storage seam: a bucket-per-layer object store. `local` keeps buckets as folders under the data
 * dir; `s3` keeps them in S3 (or an S3-compatible store). Nothing above this interface knows which.
 *
 * Keys are relative, `/`-separated object names inside one bucket (`orders/ingest=01J…/part-0.parquet`).
 * Every implementation validates keys with `validateKey` (keys.ts) before touching anything.
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  bucket: string;
  key: string;
  bytes: number;
  /** Last modification time. */
  modifiedAt: Date;
  /** An opaque content tag (S3 ETag; local: size+mtime) usable to detect change. */
  etag: string;
}

export interface ListPage {
  objects: ObjectInfo[];
  /** Pass back as `cursor` to get the next page; undefined when this is the last page. */
  nextCursor: string | undefined;
}

export interface ListOptions {
  /** Only keys starting with this prefix (a prefix need not end at a `/`). */
  prefix?: string;
  /** At most this many objects per page (default 1000). */
  limit?: number;
  cursor?: string;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive (HTTP Range semantics). Omitted: to the end. */
  end?: number;
}

export interface PutResult {
  bytes: number;
  /** sha256 of the content, hex, computed while streaming. */
  sha256: string;
}

/**
 * A staged version: files are written under a fresh prefix nobody reads yet; `commit` makes the
 * whole set visible at once (the catalog pointer switches), `abort` deletes what was written.
 */
export interface StagedVersion {
  readonly bucket: string;
  /** The prefix every file of this version lives under, e.g. `silver/orders/_v/000007/`. */
  readonly prefix: string;
  put(relativeKey: string, body: Readable | Uint8Array | string): Promise<PutResult>;
  /**
   * Move a finished local file (e.g. one DuckDB wrote) into the version; the local file is consumed.
   * Cheaper than `put` for many files: durability is deferred to `seal()`, which must precede the commit.
   */
  putFile(relativeKey: string, localPath: string): Promise<{ bytes: number }>;
  /** Make everything written so far durable (local: one filesystem sync; S3: already durable). */
  seal(): Promise<void>;
  /**
   * Local storage only: the absolute folder of this version, so an engine can write its files in place
   * (no copy, no rename). Files written there count once `adopt` names them. Undefined for remote stores.
   */
  localFolder?(): string;
  /** Record files an engine wrote into `localFolder()` as written by this version. */
  adopt?(relativeKeys: string[]): void;
  /** Keys written so far, relative to the version prefix. */
  written(): readonly string[];
  abort(): Promise<void>;
}

export interface StorageBackend {
  readonly kind: 'local' | 's3';

  /** Stream `body` to `bucket/key`. Atomic for readers: a half-written object is never visible under `key`. */
  put(bucket: string, key: string, body: Readable | Uint8Array | string, options?: { contentType?: string }): Promise<PutResult>;
  /** A stream of the object's bytes, or of `range` of them. Throws `not_found:object` when absent. */
  get(bucket: string, key: string, range?: ByteRange): Promise<Readable>;
  /** Object metadata, or undefined when absent. */
  stat(bucket: string, key: string): Promise<ObjectInfo | undefined>;
  /** One page of objects in key order. */
  list(bucket: string, options?: ListOptions): Promise<ListPage>;
  /** All objects under a prefix, page by page. */
  listAll(bucket: string, prefix?: string): AsyncIterable<ObjectInfo>;
  /** Delete one object; deleting an absent object is not an error. */
  delete(bucket: string, key: string): Promise<void>;
  /** Delete everything under a prefix (which must be non-empty and end with `/`). Returns how many objects went. */
  deletePrefix(bucket: string, prefix: string): Promise<number>;

  /**
   * Begin a new version of a dataset: a fresh prefix `<datasetPrefix>_v/<versionId>/`.
   * Readers keep reading the previous version until the catalog switches to this one.
   */
  stageVersion(bucket: string, datasetPrefix: string, versionId: string): Promise<StagedVersion>;

  /**
   * A path or URI the query engine can read the object from: an absolute file path for `local`,
   * `s3://bucket/key` for `s3`. Never built from unvalidated text.
   */
  locate(bucket: string, key: string): string;

  /** `{ ok: true }` or why the store cannot be used (for `keystone doctor` and the Overview page). */
  check(): Promise<{ ok: true; detail?: string } | { ok: false; reason: string }>;
}
