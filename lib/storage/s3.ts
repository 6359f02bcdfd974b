/**
 * The `s3` backend: each bucket is an S3 bucket (or one on an S3-compatible store), each object an
 * S3 object at its key. Semantics and error codes follow `local.ts`; the differences S3 brings:
 *
 * - Uploads: a body that fits in one part (8 MiB by default) is one PutObject; a larger one is a
 *   multipart upload streamed part by part, at most `queueSize` parts in flight, so memory stays at
 *   a few parts whatever the object's size: the parts in flight, one queued and one being read
 *   (the SDK holds roughly one more copy of each part while it sends; measured ~75 MiB of RSS for
 *   a 200 MB upload with the defaults). The object only appears when
 *   CompleteMultipartUpload succeeds; any failure aborts the upload, so nothing half-written is
 *   ever visible. (A bucket lifecycle rule "AbortIncompleteMultipartUpload" is the backstop for a
 *   process killed mid-upload.) sha256 is computed while streaming.
 * - Durability: S3 acknowledges a PUT once it is durable, so `StagedVersion.seal()` only waits for
 *   the puts still in flight.
 * - deletePrefix lists and deletes in batches of ≤ 1000: unlike the local folder rename, readers
 *   can see the prefix shrink while it runs (a version is only deleted once the catalog no longer
 *   points at it, so no reader should be there).
 * - A missing bucket reads as empty, as an unwritten local bucket folder does (stat → undefined,
 *   get → not_found:object, list → empty, delete → nothing to do), but a write to it fails with
 *   `not_found:bucket`: buckets are created when the lake is deployed, never on the fly, and
 *   `check()` names the missing one.
 *
 * Credentials come from the standard AWS chain (environment, shared config/SSO profile, web
 * identity, ECS/EC2 role); the region and an optional endpoint (S3-compatible stores, path-style)
 * from the configuration. Every request goes through `withRetry` (retry.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
  type GetObjectCommandOutput,
  type ListObjectsV2CommandOutput,
  type _Object,
} from '@aws-sdk/client-s3';
import { KeystoneError, errorMessage } from '../errors';
import type { ByteRange, ListOptions, ListPage, ObjectInfo, PutResult, StagedVersion, StorageBackend } from './backend';
import { isValidKey, validateBucketName, validateKey, validatePrefix, validateVersionId } from './keys';
import { DEFAULT_RETRY, httpStatusOf, isRetryableName, withRetry, type RetryPolicy } from './retry';

const MiB = 1024 * 1024;
/** S3's floor for every part but the last. */
export const MIN_PART_SIZE = 5 * MiB;
export const DEFAULT_PART_SIZE = 8 * MiB;
export const DEFAULT_QUEUE_SIZE = 4;
/** S3's ceilings: parts per upload, bytes per part, keys per ListObjectsV2 page and per DeleteObjects. */
const MAX_PARTS = 10_000;
const MAX_PART_SIZE = 5 * 1024 * MiB;
const MAX_PAGE = 1000;
const DEFAULT_LIMIT = 1000;
/** The part size doubles every this many parts, so 10,000 parts of a growing size reach S3's 5 TB object limit. */
const PARTS_PER_SIZE_STEP = 1000;

type Body = Readable | Uint8Array | string;

export interface S3StorageOptions {
  region: string;
  /** An S3-compatible endpoint (`http://127.0.0.1:9000`); undefined means AWS itself. */
  endpoint?: string | undefined;
  /** Path-style addressing (`endpoint/bucket/key`), which S3-compatible stores usually need. */
  forcePathStyle?: boolean;
  /** The lake's buckets, probed by `check()`. */
  buckets: readonly string[];
  /** A ready client (tests pass one to mock); by default one is built from the options above. */
  client?: S3Client;
  /** Bytes per multipart part, ≥ 5 MiB (default 8 MiB); also the largest body sent as one PutObject. */
  partSize?: number;
  /** Parts uploaded at once (default 4). */
  queueSize?: number;
  retry?: Partial<RetryPolicy>;
  /** For tests: how to wait between retries. */
  sleep?: (ms: number) => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Errors

interface AwsError {
  name?: string;
  Code?: string;
  message?: string;
}

const nameOf = (e: unknown): string | undefined => {
  const err = e as AwsError | null;
  return typeof err?.name === 'string' ? err.name : undefined;
};

const isNoSuchBucket = (e: unknown) => nameOf(e) === 'NoSuchBucket';
/** HeadObject / HeadBucket have no body, so a 404 there is just `NotFound`. */
const isNotFound = (e: unknown) => ['NoSuchKey', 'NotFound', 'NoSuchBucket'].includes(nameOf(e) ?? '') || httpStatusOf(e) === 404;
const isInvalidRange = (e: unknown) => nameOf(e) === 'InvalidRange' || httpStatusOf(e) === 416;
const isAccessDenied = (e: unknown) => ['AccessDenied', 'Forbidden', 'AllAccessDisabled'].includes(nameOf(e) ?? '') || httpStatusOf(e) === 403;
const isNoCredentials = (e: unknown) => nameOf(e) === 'CredentialsProviderError';

function notFound(bucket: string, key: string): KeystoneError {
  return new KeystoneError('not_found:object', `There is no object ${JSON.stringify(key)} in bucket ${bucket}.`, {
    details: { bucket, key },
  });
}

function badRange(bucket: string, key: string, why: string): KeystoneError {
  return new KeystoneError('bad_request:byte_range', `Invalid byte range for ${JSON.stringify(key)} in bucket ${bucket}: ${why}.`);
}

const NO_CREDENTIALS =
  'no AWS credentials were found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where an IAM role is available)';

/** Turns what S3 (or the SDK) threw into a KeystoneError a person can act on. */
function s3Failure(operation: string, bucket: string, key: string | undefined, e: unknown): KeystoneError {
  if (e instanceof KeystoneError) return e;
  const what = key === undefined ? `bucket ${bucket}` : `${JSON.stringify(key)} in bucket ${bucket}`;
  const details = { bucket, key, operation, s3Error: nameOf(e), status: httpStatusOf(e) };
  if (isNoSuchBucket(e)) {
    return new KeystoneError('not_found:bucket', `The S3 bucket ${bucket} does not exist; create it (see the deploy guide) or point KEYSTONE_BUCKET_* at an existing one.`, {
      cause: e,
      details,
    });
  }
  if (isNoCredentials(e)) return new KeystoneError('unavailable:s3', `S3 ${operation} on ${what} failed: ${NO_CREDENTIALS}.`, { cause: e, details });
  if (isAccessDenied(e)) {
    return new KeystoneError('forbidden:s3', `S3 refused ${operation} on ${what}: access denied; check the IAM policy of the credentials in use.`, {
      cause: e,
      details,
    });
  }
  const label = [httpStatusOf(e), nameOf(e)].filter((x) => x !== undefined).join(' ');
  const status = httpStatusOf(e);
  // A 4xx we did not expect is a request we should not have sent; anything else is the store's side.
  const code = status !== undefined && status >= 400 && status < 500 ? 'internal:s3' : 'unavailable:s3';
  return new KeystoneError(code, `S3 ${operation} on ${what} failed${label ? ` (${label})` : ''}: ${errorMessage(e)}`, { cause: e, details });
}

// ---------------------------------------------------------------------------------------------
// Bodies and ranges

function asBytes(chunk: unknown): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new KeystoneError('bad_request:storage_body', `An object body must be bytes or text; the stream sent ${chunk === null ? 'null' : typeof chunk}.`);
}

/**
 * Cuts `source` into parts of `sizeFor(partNumber)` bytes (the last one shorter, possibly empty when
 * the body is), passing every chunk to `onChunk` in order. The first part is gathered as the chunks
 * that make it up and joined once full, so a small body costs its own size, not a part's (and a
 * buffer body of at most one part is sent without a copy); once a body has proved larger than a
 * part, each further part is one buffer of its full size, filled in place. Returning early
 * (`.return()`) destroys a stream source.
 */
async function* splitParts(
  source: AsyncIterable<unknown> | Iterable<unknown>,
  sizeFor: (partNumber: number) => number,
  onChunk: (chunk: Buffer) => void,
): AsyncGenerator<Buffer, void, undefined> {
  let partNumber = 1;
  let size = sizeFor(partNumber);
  let pieces: Buffer[] = []; // part 1
  let buffer: Buffer | undefined; // parts 2…
  let filled = 0;
  const take = (): Buffer => {
    const part = buffer !== undefined ? buffer.subarray(0, filled) : pieces.length === 1 ? pieces[0]!.subarray(0, filled) : Buffer.concat(pieces, filled);
    pieces = [];
    buffer = undefined;
    filled = 0;
    return part;
  };
  for await (const raw of source) {
    let chunk = asBytes(raw);
    onChunk(chunk);
    while (chunk.length > 0) {
      if (partNumber > 1) buffer ??= Buffer.allocUnsafe(size);
      const n = Math.min(chunk.length, size - filled);
      if (buffer !== undefined) chunk.copy(buffer, filled, 0, n);
      else pieces.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      filled += n;
      chunk = chunk.subarray(n);
      if (filled === size) {
        yield take();
        partNumber++;
        size = sizeFor(partNumber);
      }
    }
  }
  // A body that ended exactly at a part boundary has nothing more to send, unless it was empty.
  if (filled > 0 || partNumber === 1) yield take();
}

/** Start/end shape checks that need no request (the size-dependent one needs the object). */
function checkRangeShape(range: ByteRange, bucket: string, key: string): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) throw badRange(bucket, key, `start must be a non-negative integer, got ${String(start)}`);
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw badRange(bucket, key, `end must be an integer ≥ start (${start}), got ${String(end)}`);
  }
}

/** `bytes 0-99/1234` → all three; `bytes *\/1234` (unsatisfiable) → only the total. */
function parseContentRange(header: string | undefined): { start?: number; end?: number; total?: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(header.trim());
  if (!m) return undefined;
  return {
    start: m[1] === undefined ? undefined : Number(m[1]),
    end: m[2] === undefined ? undefined : Number(m[2]),
    total: m[3] === undefined || m[3] === '*' ? undefined : Number(m[3]),
  };
}

/** `take` bytes of `source` after skipping `skip`; stops reading (and frees the connection) once done. */
function sliceStream(source: Readable, skip: number, take: number): Readable {
  return Readable.from(
    (async function* () {
      let toSkip = skip;
      let left = take;
      if (left <= 0) {
        source.destroy();
        return;
      }
      for await (const raw of source) {
        let chunk = raw as Buffer;
        if (toSkip > 0) {
          const n = Math.min(toSkip, chunk.length);
          chunk = chunk.subarray(n);
          toSkip -= n;
        }
        if (chunk.length === 0) continue;
        if (chunk.length >= left) {
          yield chunk.subarray(0, left);
          return; // leaving the loop destroys `source`
        }
        left -= chunk.length;
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

function objectInfoFromList(bucket: string, o: _Object): ObjectInfo | undefined {
  if (o.Key === undefined || !isValidKey(o.Key)) return undefined; // written by someone else, not by these rules
  return { bucket, key: o.Key, bytes: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0), etag: o.ETag ?? '' };
}

// ---------------------------------------------------------------------------------------------

export class S3Storage implements StorageBackend {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly buckets: readonly string[];
  readonly partSize: number;
  readonly queueSize: number;
  readonly retryPolicy: RetryPolicy;
  readonly #sleep: ((ms: number) => Promise<void>) | undefined;

  constructor(options: S3StorageOptions) {
    this.region = options.region;
    this.endpoint = options.endpoint;
    this.buckets = options.buckets.map((b) => validateBucketName(b));
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isSafeInteger(this.partSize) || this.partSize < MIN_PART_SIZE || this.partSize > MAX_PART_SIZE) {
      throw new KeystoneError('config:s3_part_size', `The S3 part size must be an integer from 5 MiB to 5 GiB, got ${String(options.partSize)}.`);
    }
    this.queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
    if (!Number.isSafeInteger(this.queueSize) || this.queueSize < 1 || this.queueSize > 64) {
      throw new KeystoneError('config:s3_queue_size', `The S3 upload queue size must be an integer from 1 to 64, got ${String(options.queueSize)}.`);
    }
    this.retryPolicy = { ...DEFAULT_RETRY, ...options.retry };
    this.#sleep = options.sleep;
    this.client =
      options.client ??
      new S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
        // Retries live in retry.ts, in one place.
        maxAttempts: 1,
        // S3-compatible stores often reject the newer default checksum headers and aws-chunked
        // trailers; AWS itself gets them. (Every body we send has a known length either way.)
        ...(options.endpoint !== undefined ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
        // A connection that takes 10 s to open, or goes 2 minutes without a byte, is dead: the
        // TimeoutError that follows is retried like any dropped connection.
        requestHandler: { connectionTimeout: 10_000, socketTimeout: 120_000 },
      });
  }

  /** Sends a request built fresh for every attempt, retried per the policy. */
  private run<T>(describe: string, send: () => Promise<T>, policy: RetryPolicy = this.retryPolicy): Promise<T> {
    return withRetry(() => send(), { policy, describe, sleep: this.#sleep });
  }

  // --- writes -------------------------------------------------------------------------------

  async put(bucket: string, key: string, body: Body, options: { contentType?: string } = {}): Promise<PutResult> {
    validateBucketName(bucket);
    validateKey(key);
    const hash = createHash('sha256');
    let bytes = 0;
    const source: AsyncIterable<unknown> | Iterable<unknown> = typeof body === 'string' || body instanceof Uint8Array ? [body] : body;
    const parts = splitParts(source, (n) => this.partSizeFor(n), (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    try {
      // Read up to two parts: one means a single PutObject, more means a multipart upload. The parts
      // sit in `queue`, which the upload drains, so none is held longer than its own upload.
      const queue: Buffer[] = [];
      for (let i = 0; i < 2; i++) {
        const next = await parts.next();
        if (next.done) break;
        queue.push(next.value);
      }
      if (queue.length < 2) {
        await this.putSingle(bucket, key, queue.shift() ?? Buffer.alloc(0), options.contentType);
      } else {
        await this.putMultipart(bucket, key, queue, parts, options.contentType);
      }
      return { bytes, sha256: hash.digest('hex') };
    } finally {
      await parts.return(undefined); // stop reading (and destroy) a stream we no longer need
    }
  }

  /** 8 MiB for parts 1–1000, 16 MiB for 1001–2000, … (capped at S3's 5 GiB). */
  private partSizeFor(partNumber: number): number {
    const step = Math.floor((partNumber - 1) / PARTS_PER_SIZE_STEP);
    return Math.min(MAX_PART_SIZE, this.partSize * 2 ** Math.min(step, 20));
  }

  private async putSingle(bucket: string, key: string, body: Buffer, contentType: string | undefined): Promise<void> {
    try {
      await this.run(`PutObject ${bucket}/${key}`, () =>
        this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length, ContentType: contentType })),
      );
    } catch (e) {
      throw s3Failure('PutObject', bucket, key, e);
    }
  }

  /** `queue` holds the parts already read (drained as they go out); `rest` yields the others. */
  private async putMultipart(bucket: string, key: string, queue: Buffer[], rest: AsyncGenerator<Buffer, void, undefined>, contentType: string | undefined): Promise<void> {
    let uploadId: string | undefined;
    try {
      const created = await this.run(`CreateMultipartUpload ${bucket}/${key}`, () =>
        this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType })),
      );
      uploadId = created.UploadId;
    } catch (e) {
      throw s3Failure('CreateMultipartUpload', bucket, key, e);
    }
    if (uploadId === undefined) throw new KeystoneError('internal:s3', `S3 CreateMultipartUpload for ${JSON.stringify(key)} in bucket ${bucket} returned no upload id.`);
    const id = uploadId;

    const completed: CompletedPart[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    let partNumber = 0;

    const upload = (part: Buffer) => {
      const n = ++partNumber;
      if (n > MAX_PARTS) {
        throw new KeystoneError('bad_request:object_too_large', `${JSON.stringify(key)} is larger than an S3 object may be (${MAX_PARTS} parts).`);
      }
      const pending: Promise<void> = this.run(`UploadPart ${n} of ${bucket}/${key}`, () =>
        this.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: id, PartNumber: n, Body: part, ContentLength: part.length })),
      )
        .then((r) => {
          if (r.ETag === undefined) throw new KeystoneError('internal:s3', `S3 UploadPart ${n} of ${JSON.stringify(key)} returned no ETag.`);
          completed.push({ PartNumber: n, ETag: r.ETag });
        })
        .catch((e: unknown) => {
          failure ??= { error: s3Failure(`UploadPart ${n}`, bucket, key, e) };
        })
        .finally(() => inFlight.delete(pending));
      inFlight.add(pending);
    };

    try {
      while (!failure) {
        // Wait for room before reading the next part: memory is the parts in flight plus one.
        while (inFlight.size >= this.queueSize) await Promise.race(inFlight);
        if (failure) break;
        let part = queue.shift();
        if (part === undefined) {
          const next = await rest.next();
          if (next.done) break;
          part = next.value;
        }
        upload(part);
        part = undefined;
      }
      await Promise.all(inFlight); // these never reject: failures land in `failure`
      if (failure) throw failure.error;
      completed.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      let attempts = 0;
      try {
        await this.run(`CompleteMultipartUpload ${bucket}/${key}`, () => {
          attempts++;
          return this.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id, MultipartUpload: { Parts: completed } }));
        });
      } catch (e) {
        // A retried complete whose first try went through but whose answer was lost finds the
        // upload gone: the object is there if it carries this upload's multipart ETag.
        if (!(attempts > 1 && nameOf(e) === 'NoSuchUpload' && (await this.hasMultipartEtag(bucket, key, completed)))) {
          throw s3Failure('CompleteMultipartUpload', bucket, key, e);
        }
      }
    } catch (e) {
      // Parts still uploading would otherwise land after the abort and linger.
      await Promise.allSettled([...inFlight]);
      await this.abortUpload(bucket, key, id);
      throw e;
    }
  }

  /**
   * Whether `bucket/key` is the object these parts make: S3's multipart ETag is the MD5 of the
   * parts' binary MD5s, then "-<part count>" (true unless the bucket uses SSE-KMS, where this
   * returns false and the caller reports the failure).
   */
  private async hasMultipartEtag(bucket: string, key: string, parts: CompletedPart[]): Promise<boolean> {
    const md5 = createHash('md5');
    for (const p of parts) {
      const hex = (p.ETag ?? '').replace(/"/g, '');
      if (!/^[0-9a-f]{32}$/i.test(hex)) return false;
      md5.update(Buffer.from(hex, 'hex'));
    }
    try {
      const head = await this.run(`HeadObject ${bucket}/${key}`, () => this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
      return head.ETag?.replace(/"/g, '') === `${md5.digest('hex')}-${parts.length}`;
    } catch {
      return false;
    }
  }

  /** Best effort: the original failure is what the caller needs to see. */
  private async abortUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    try {
      await this.run(`AbortMultipartUpload ${bucket}/${key}`, () =>
        this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })),
      );
    } catch {
      /* a lifecycle rule cleans up what an abort could not */
    }
  }

  /** Uploads a local file to `bucket/key`, then removes the file (kept if the upload fails). */
  async putLocalFile(bucket: string, key: string, localPath: string): Promise<{ bytes: number }> {
    validateBucketName(bucket);
    validateKey(key);
    await fsp.stat(localPath); // a clear ENOENT before any request
    const { bytes } = await this.put(bucket, key, fs.createReadStream(localPath, { highWaterMark: 1 * MiB }));
    await fsp.rm(localPath, { force: true });
    return { bytes };
  }

  // --- reads --------------------------------------------------------------------------------

  async get(bucket: string, key: string, range?: ByteRange): Promise<Readable> {
    validateBucketName(bucket);
    validateKey(key);
    if (range !== undefined) checkRangeShape(range, bucket, key);
    const header = range === undefined ? undefined : `bytes=${range.start}-${range.end ?? ''}`;
    let res: GetObjectCommandOutput;
    try {
      res = await this.run(`GetObject ${bucket}/${key}`, () => this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: header })));
    } catch (e) {
      if (isNotFound(e)) throw notFound(bucket, key);
      if (range !== undefined && isInvalidRange(e)) {
        const info = await this.stat(bucket, key);
        if (info === undefined) throw notFound(bucket, key);
        throw badRange(bucket, key, `it starts at byte ${range.start} but the object has ${info.bytes} bytes`);
      }
      throw s3Failure('GetObject', bucket, key, e);
    }
    const body = res.Body;
    if (!(body instanceof Readable)) {
      throw new KeystoneError('internal:s3', `S3 GetObject for ${JSON.stringify(key)} in bucket ${bucket} returned no readable body.`);
    }
    if (range === undefined) return body;

    // Hold the answer to HTTP's promise even where a store bends it (some ignore Range, or send more).
    const served = parseContentRange(res.ContentRange);
    const total = served?.total ?? (served === undefined ? res.ContentLength : undefined);
    if (total !== undefined && range.start >= total) {
      body.destroy();
      throw badRange(bucket, key, `it starts at byte ${range.start} but the object has ${total} bytes`);
    }
    const servedStart = served === undefined ? 0 : served.start;
    if (servedStart === undefined || servedStart > range.start) {
      body.destroy();
      throw new KeystoneError('unavailable:s3', `S3 answered a read of ${JSON.stringify(key)} in bucket ${bucket} from byte ${range.start} with ${res.ContentRange ?? 'the whole object'}.`);
    }
    const wantEnd = total === undefined ? range.end : Math.min(range.end ?? total - 1, total - 1);
    const servedEnd = served?.end ?? (total === undefined ? undefined : total - 1);
    if (servedStart === range.start && (wantEnd === undefined || servedEnd === wantEnd)) return body;
    return sliceStream(body, range.start - servedStart, wantEnd === undefined ? Number.POSITIVE_INFINITY : wantEnd - range.start + 1);
  }

  async stat(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    validateBucketName(bucket);
    validateKey(key);
    try {
      const r = await this.run(`HeadObject ${bucket}/${key}`, () => this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
      return { bucket, key, bytes: r.ContentLength ?? 0, modifiedAt: r.LastModified ?? new Date(0), etag: r.ETag ?? '' };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw s3Failure('HeadObject', bucket, key, e);
    }
  }

  /** One ListObjectsV2 page as S3 returns it; a missing bucket lists as empty. */
  private async listRaw(bucket: string, prefix: string, maxKeys: number, token: string | undefined): Promise<ListObjectsV2CommandOutput | undefined> {
    try {
      return await this.run(`ListObjectsV2 ${bucket}/${prefix}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix === '' ? undefined : prefix, MaxKeys: maxKeys, ContinuationToken: token })),
      );
    } catch (e) {
      if (isNoSuchBucket(e)) return undefined;
      if (token !== undefined && (nameOf(e) === 'InvalidArgument' || httpStatusOf(e) === 400)) {
        throw new KeystoneError('bad_request:list_cursor', 'A list cursor must be the string a previous page of the same listing returned.', { cause: e });
      }
      throw s3Failure('ListObjectsV2', bucket, undefined, e);
    }
  }

  async list(bucket: string, options: ListOptions = {}): Promise<ListPage> {
    const prefix = validatePrefix(options.prefix ?? '');
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new KeystoneError('bad_request:list_limit', `A list limit must be a positive integer, got ${String(limit)}.`);
    }
    const cursor = options.cursor;
    if (cursor !== undefined && (typeof cursor !== 'string' || cursor === '')) {
      throw new KeystoneError('bad_request:list_cursor', 'A list cursor must be the string a previous page returned.');
    }
    validateBucketName(bucket);

    // S3 pages hold at most 1000 keys: a larger limit is filled from several requests.
    const objects: ObjectInfo[] = [];
    let token = cursor;
    do {
      const page = await this.listRaw(bucket, prefix, Math.min(MAX_PAGE, limit - objects.length), token);
      if (page === undefined) return { objects: [], nextCursor: undefined };
      for (const o of page.Contents ?? []) {
        const info = objectInfoFromList(bucket, o);
        if (info !== undefined) objects.push(info);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined && objects.length < limit);
    return { objects, nextCursor: token };
  }

  async *listAll(bucket: string, prefix = ''): AsyncGenerator<ObjectInfo> {
    let cursor: string | undefined;
    do {
      const page = await this.list(bucket, { prefix, cursor });
      yield* page.objects;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  // --- deletes ------------------------------------------------------------------------------

  async delete(bucket: string, key: string): Promise<void> {
    validateBucketName(bucket);
    validateKey(key);
    try {
      await this.run(`DeleteObject ${bucket}/${key}`, () => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    } catch (e) {
      if (isNotFound(e)) return;
      throw s3Failure('DeleteObject', bucket, key, e);
    }
  }

  async deletePrefix(bucket: string, prefix: string): Promise<number> {
    validatePrefix(prefix);
    if (prefix === '' || !prefix.endsWith('/')) {
      throw new KeystoneError(
        'bad_request:storage_key',
        `deletePrefix needs a non-empty prefix ending with "/", got ${JSON.stringify(prefix)}; it would otherwise delete unrelated objects.`,
      );
    }
    validateBucketName(bucket);
    let count = 0;
    let token: string | undefined;
    do {
      // Everything under the prefix goes, including keys these rules would not have written.
      const page = await this.listRaw(bucket, prefix, MAX_PAGE, token);
      if (page === undefined) return count;
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
      if (keys.length > 0) count += await this.deleteBatch(bucket, keys);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return count;
  }

  /** One DeleteObjects call (≤ 1000 keys); keys S3 reports as throttled are sent again, alone. */
  private async deleteBatch(bucket: string, keys: string[]): Promise<number> {
    let pending = keys;
    try {
      await this.run(`DeleteObjects ${bucket} (${keys.length} keys)`, async () => {
        const r = await this.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: pending.map((Key) => ({ Key })), Quiet: true } }));
        const errors = r.Errors ?? [];
        if (errors.length === 0) return;
        const fatal = errors.find((err) => !isRetryableName(err.Code));
        if (fatal !== undefined) {
          const e = Object.assign(new Error(`could not delete ${JSON.stringify(fatal.Key)}: ${fatal.Message ?? fatal.Code ?? 'unknown error'}`), {
            name: fatal.Code ?? 'DeleteError',
          });
          throw s3Failure('DeleteObjects', bucket, fatal.Key, e);
        }
        const failed = new Set(errors.map((err) => err.Key));
        pending = pending.filter((k) => failed.has(k));
        // A retryable name, so withRetry waits and sends the failed keys again.
        throw Object.assign(new Error(`${errors.length} of the keys were not deleted (${errors[0]?.Code ?? ''})`), { name: errors[0]?.Code ?? 'SlowDown' });
      });
    } catch (e) {
      if (isNoSuchBucket(e)) return 0;
      throw s3Failure('DeleteObjects', bucket, undefined, e);
    }
    return keys.length;
  }

  // --- versions, locate, check --------------------------------------------------------------

  async stageVersion(bucket: string, datasetPrefix: string, versionId: string): Promise<StagedVersion> {
    validateBucketName(bucket);
    validatePrefix(datasetPrefix);
    validateVersionId(versionId);
    if (datasetPrefix !== '' && !datasetPrefix.endsWith('/')) {
      throw new KeystoneError('bad_request:storage_key', `A dataset prefix must be empty or end with "/", got ${JSON.stringify(datasetPrefix)}.`);
    }
    const prefix = validatePrefix(`${datasetPrefix}_v/${versionId}/`);
    const existing = await this.listRaw(bucket, prefix, 1, undefined);
    if ((existing?.Contents ?? []).length > 0) {
      throw new KeystoneError('conflict:version_exists', `Version ${versionId} already has files under ${prefix} in bucket ${bucket}; pick a new version id.`, {
        details: { bucket, prefix },
      });
    }
    return new S3StagedVersion(this, bucket, prefix);
  }

  locate(bucket: string, key: string): string {
    return `s3://${validateBucketName(bucket)}/${validateKey(key)}`;
  }

  private where(): string {
    return this.endpoint ?? `AWS S3 in ${this.region}`;
  }

  async check(): Promise<{ ok: true; detail?: string } | { ok: false; reason: string }> {
    try {
      const quick: RetryPolicy = { attempts: 2, baseDelayMs: 200, maxDelayMs: 1_000 };
      const problems = await Promise.all(
        this.buckets.map(async (bucket) => {
          try {
            await this.run(`HeadBucket ${bucket}`, () => this.client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(15_000) }), quick);
            return undefined;
          } catch (e) {
            return bucketProblem(bucket, e, this.region, this.where());
          }
        }),
      );
      const reasons = [...new Set(problems.filter((p): p is string => p !== undefined))];
      if (reasons.length > 0) return { ok: false, reason: `S3 storage (${this.where()}) cannot be used: ${reasons.join('; ')}.` };
      return { ok: true, detail: `S3 buckets ${this.buckets.join(', ')} at ${this.where()}` };
    } catch (e) {
      return { ok: false, reason: `S3 storage (${this.where()}) could not be checked: ${errorMessage(e)}.` };
    }
  }
}

function bucketProblem(bucket: string, e: unknown, region: string, where: string): string {
  if (isNoCredentials(e)) return NO_CREDENTIALS;
  // Retries exhausted on a connection error (ECONNREFUSED, ENOTFOUND…): the same for every bucket.
  const retried = e instanceof KeystoneError ? e.details?.reason : undefined;
  if (typeof retried === 'string' && /^[A-Z][A-Z_]+$/.test(retried)) return `nothing answers at ${where} (${retried})`;
  if ((e as { code?: unknown } | null)?.code === 'ENOTFOUND') return `the host of ${where} is unknown (ENOTFOUND)`;
  if (isNotFound(e)) return `bucket ${bucket} does not exist`;
  if (isAccessDenied(e)) return `access to bucket ${bucket} is denied (check the IAM policy of the credentials in use)`;
  const status = httpStatusOf(e);
  if (status === 301 || nameOf(e) === 'PermanentRedirect') return `bucket ${bucket} is not in ${region} (set AWS_REGION to its region)`;
  if (nameOf(e) === 'TimeoutError' || nameOf(e) === 'AbortError') return `bucket ${bucket} did not answer in time`;
  return `bucket ${bucket}: ${errorMessage(e)}`;
}

class S3StagedVersion implements StagedVersion {
  readonly #store: S3Storage;
  readonly #keys = new Set<string>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #aborted = false;

  constructor(
    store: S3Storage,
    readonly bucket: string,
    readonly prefix: string,
  ) {
    this.#store = store;
  }

  private assertOpen(): void {
    if (this.#aborted) {
      throw new KeystoneError('conflict:version_aborted', `The staged version ${this.prefix} in bucket ${this.bucket} was aborted; start a new one.`);
    }
  }

  private async track<T>(relativeKey: string, pending: Promise<T>): Promise<T> {
    this.#inFlight.add(pending);
    try {
      const result = await pending;
      this.#keys.add(relativeKey);
      return result;
    } finally {
      this.#inFlight.delete(pending);
    }
  }

  async put(relativeKey: string, body: Body): Promise<PutResult> {
    this.assertOpen();
    validateKey(relativeKey);
    return this.track(relativeKey, this.#store.put(this.bucket, this.prefix + relativeKey, body));
  }

  async putFile(relativeKey: string, localPath: string): Promise<{ bytes: number }> {
    this.assertOpen();
    validateKey(relativeKey);
    return this.track(relativeKey, this.#store.putLocalFile(this.bucket, this.prefix + relativeKey, localPath));
  }

  /** S3 acknowledges a PUT once it is durable: only the puts still running are waited for. */
  async seal(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
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
