/**
 * The S3 backend's decisions that a well-behaved server never provokes: retries (throttling, 5xx,
 * dropped connections), giving up, aborting a failed multipart upload, per-key DeleteObjects errors,
 * stores that bend Range, and that a hostile key never becomes a request. The client is mocked with
 * aws-sdk-client-mock; the waits between retries are recorded instead of slept.
 */
import { createHash } from 'node:crypto';
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
  S3ServiceException,
  UploadPartCommand,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { KeystoneError } from '../errors';
import { backoffDelay, retryReason } from './retry';
import { MIN_PART_SIZE, S3Storage } from './s3';

const B = 'lake-bronze';
const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const s3 = mockClient(client);
const delays: number[] = [];
const storage = new S3Storage({
  region: 'us-east-1',
  buckets: ['lake-bronze', 'lake-silver', 'lake-gold'],
  client,
  partSize: MIN_PART_SIZE,
  queueSize: 2,
  retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 },
  sleep: async (ms) => {
    delays.push(ms);
  },
});

beforeEach(() => {
  s3.reset();
  delays.length = 0;
});

afterAll(() => {
  s3.restore();
});

function awsError(name: string, status: number, message = `${name} (mock)`): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

function networkError(code: string): Error {
  return Object.assign(new Error(code === 'ECONNRESET' ? 'socket hang up' : code), { code });
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e instanceof KeystoneError ? e.code : `not a KeystoneError: ${String(e)}`;
  }
  return undefined;
}

/** A response body as the SDK's Node runtime hands it out: a Readable. */
const stream = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p))) as unknown as GetObjectCommandOutput['Body'];

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('retries', () => {
  it('rides out throttling twice, then succeeds, waiting with jittered exponential backoff', async () => {
    s3.on(PutObjectCommand)
      .rejectsOnce(awsError('SlowDown', 503, 'Please reduce your request rate.'))
      .rejectsOnce(awsError('ServiceUnavailable', 503))
      .resolves({ ETag: '"abc"' });
    expect(await storage.put(B, 'k', 'hello')).toMatchObject({ bytes: 5 });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(0);
    expect(delays[0]).toBeLessThan(100);
    expect(delays[1]).toBeLessThan(200);
    // Every attempt sent the whole body again.
    for (const call of s3.commandCalls(PutObjectCommand)) expect(Buffer.from(call.args[0].input.Body as Uint8Array).toString()).toBe('hello');
  });

  it.each([
    ['500 InternalError', () => awsError('InternalError', 500)],
    ['RequestTimeout', () => awsError('RequestTimeout', 400)],
    ['429 Too Many Requests', () => awsError('TooManyRequests', 429)],
    ['a reset connection', () => networkError('ECONNRESET')],
    ['a timed-out connection', () => networkError('ETIMEDOUT')],
  ])('retries %s', async (_label, make) => {
    s3.on(GetObjectCommand).rejectsOnce(make()).resolves({ Body: stream('data') });
    expect(await readAll(await storage.get(B, 'k'))).toBe('data');
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(2);
    expect(delays).toHaveLength(1);
  });

  it('gives up after the last attempt with a clear unavailable:s3 error', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('InternalError', 500, 'We encountered an internal error. Please try again.'));
    let error: unknown;
    try {
      await storage.stat(B, 'orders/part-0.parquet');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeystoneError);
    const ke = error as KeystoneError;
    expect(ke.code).toBe('unavailable:s3');
    expect(ke.message).toContain(`HeadObject ${B}/orders/part-0.parquet failed 4 times in a row`);
    expect(ke.message).toContain('500 InternalError');
    expect(ke.visibleToUser).toBe(true);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(4);
    expect(delays).toHaveLength(3);
  });

  it('does not retry what another attempt cannot fix', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('AccessDenied', 403));
    expect(await codeOf(storage.stat(B, 'k'))).toBe('forbidden:s3');
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
    expect(await codeOf(storage.get(B, 'k'))).toBe('not_found:object');
    s3.on(PutObjectCommand).rejects(awsError('NoSuchBucket', 404));
    expect(await codeOf(storage.put(B, 'k', 'x'))).toBe('not_found:bucket');
    s3.on(DeleteObjectCommand).rejects(awsError('InvalidArgument', 400));
    expect(await codeOf(storage.delete(B, 'k'))).toBe('internal:s3');
    expect(s3.calls()).toHaveLength(4);
    expect(delays).toEqual([]);
  });

  it('classifies errors and bounds the backoff', () => {
    expect(retryReason(awsError('SlowDown', 503))).toBe('503 SlowDown');
    expect(retryReason(networkError('ECONNRESET'))).toBe('ECONNRESET');
    expect(retryReason(Object.assign(new Error('wrapped'), { cause: networkError('EPIPE') }))).toBe('EPIPE');
    expect(retryReason(awsError('NoSuchKey', 404))).toBeUndefined();
    expect(retryReason(new KeystoneError('unavailable:s3', 'already ours'))).toBeUndefined();
    expect(retryReason(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBeUndefined();
    const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 };
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6].map((r) => backoffDelay(r, policy, top))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
});

describe('uploads', () => {
  const P = MIN_PART_SIZE;

  it('sends a body of at most one part as one PutObject, and a larger one as parts', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"single"' });
    await storage.put(B, 'one', Buffer.alloc(P, 1));
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);

    s3.reset();
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3.on(UploadPartCommand).callsFake((input: { PartNumber?: number }) => ({ ETag: `"etag-${input.PartNumber ?? 0}"` }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const r = await storage.put(B, 'two', Buffer.alloc(P + 1, 2), { contentType: 'application/octet-stream' });
    expect(r.bytes).toBe(P + 1);
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toMatchObject({ Bucket: B, Key: 'two', ContentType: 'application/octet-stream' });
    expect(s3.commandCalls(UploadPartCommand).map((c) => [c.args[0].input.PartNumber, c.args[0].input.ContentLength])).toEqual([
      [1, P],
      [2, 1],
    ]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.MultipartUpload?.Parts).toEqual([
      { PartNumber: 1, ETag: '"etag-1"' },
      { PartNumber: 2, ETag: '"etag-2"' },
    ]);
  });

  it('keeps at most queueSize parts in flight and completes them in part order', async () => {
    let inFlight = 0;
    let most = 0;
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-2' });
    s3.on(UploadPartCommand).callsFake(async (input: { PartNumber?: number }) => {
      inFlight++;
      most = Math.max(most, inFlight);
      // Later parts finish first, so completion order differs from part order.
      await new Promise((r) => setTimeout(r, 40 - (input.PartNumber ?? 0) * 5));
      inFlight--;
      return { ETag: `"e${input.PartNumber ?? 0}"` };
    });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const chunks = Array.from({ length: 6 }, (_, i) => Buffer.alloc(P, i));
    await storage.put(B, 'six', Readable.from(chunks));
    expect(most).toBe(2);
    expect(s3.commandCalls(UploadPartCommand)).toHaveLength(6);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.MultipartUpload?.Parts?.map((p) => p.PartNumber)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('retries a throttled part, then completes', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-3' });
    s3.on(UploadPartCommand, { PartNumber: 2 }).rejectsOnce(awsError('SlowDown', 503)).resolves({ ETag: '"e2"' });
    s3.on(UploadPartCommand, { PartNumber: 1 }).resolves({ ETag: '"e1"' });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    await storage.put(B, 'k', Buffer.alloc(P + 10));
    expect(s3.commandCalls(UploadPartCommand)).toHaveLength(3);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(1);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('aborts the upload when a part fails for good, and never completes it', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-4' });
    s3.on(UploadPartCommand, { PartNumber: 1 }).resolves({ ETag: '"e1"' });
    s3.on(UploadPartCommand, { PartNumber: 2 }).rejects(awsError('InternalError', 500));
    s3.on(UploadPartCommand, { PartNumber: 3 }).resolves({ ETag: '"e3"' });
    s3.on(AbortMultipartUploadCommand).resolves({});
    expect(await codeOf(storage.put(B, 'k', Readable.from(Array.from({ length: 5 }, () => Buffer.alloc(P)))))).toBe('unavailable:s3');
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: B, Key: 'k', UploadId: 'up-4' }]);
    // It stopped reading the source: parts 4 and 5 were never sent.
    expect(s3.commandCalls(UploadPartCommand).every((c) => (c.args[0].input.PartNumber ?? 0) <= 3)).toBe(true);
  });

  it('accepts a retried complete that finds the upload gone when the object carries its multipart ETag', async () => {
    const md5 = (hex: string) => Buffer.from(hex, 'hex');
    const e1 = '0123456789abcdef0123456789abcdef';
    const e2 = 'fedcba9876543210fedcba9876543210';
    const expected = createHash('md5').update(Buffer.concat([md5(e1), md5(e2)])).digest('hex');
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-6' });
    s3.on(UploadPartCommand, { PartNumber: 1 }).resolves({ ETag: `"${e1}"` });
    s3.on(UploadPartCommand, { PartNumber: 2 }).resolves({ ETag: `"${e2}"` });
    s3.on(CompleteMultipartUploadCommand).rejectsOnce(networkError('ECONNRESET')).rejects(awsError('NoSuchUpload', 404));
    s3.on(HeadObjectCommand).resolves({ ETag: `"${expected}-2"`, ContentLength: P + 1 });
    expect(await storage.put(B, 'k', Buffer.alloc(P + 1))).toMatchObject({ bytes: P + 1 });
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);

    // Another object under that key (a different ETag) is not ours: the failure stands.
    s3.resetHistory();
    s3.on(CompleteMultipartUploadCommand).rejectsOnce(networkError('ECONNRESET')).rejects(awsError('NoSuchUpload', 404));
    s3.on(HeadObjectCommand).resolves({ ETag: '"0000-2"' });
    expect(await codeOf(storage.put(B, 'k', Buffer.alloc(P + 1)))).toBe('internal:s3');
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });

  it('aborts when the complete call fails, and reports that failure, not the abort', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-5' });
    s3.on(UploadPartCommand).resolves({ ETag: '"e"' });
    s3.on(CompleteMultipartUploadCommand).rejects(awsError('InvalidPart', 400));
    s3.on(AbortMultipartUploadCommand).rejects(awsError('NoSuchUpload', 404));
    expect(await codeOf(storage.put(B, 'k', Buffer.alloc(P + 1)))).toBe('internal:s3');
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });
});

describe('reads', () => {
  it('holds HTTP range semantics against a store that ignores Range', async () => {
    s3.on(GetObjectCommand).callsFake(() => ({ Body: stream('0123456789', 'abcdefghij'), ContentLength: 20 }));
    expect(await readAll(await storage.get(B, 'k', { start: 8, end: 11 }))).toBe('89ab');
    expect(await readAll(await storage.get(B, 'k', { start: 15 }))).toBe('fghij');
    expect(await codeOf(storage.get(B, 'k', { start: 20 }))).toBe('bad_request:byte_range');
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input.Range).toBe('bytes=8-11');
    expect(s3.commandCalls(GetObjectCommand)[1]?.args[0].input.Range).toBe('bytes=15-');
  });

  it('turns 416 into bad_request:byte_range naming the object size', async () => {
    s3.on(GetObjectCommand).rejects(awsError('InvalidRange', 416));
    s3.on(HeadObjectCommand).resolves({ ContentLength: 20, ETag: '"x"', LastModified: new Date() });
    await expect(storage.get(B, 'k', { start: 25 })).rejects.toThrow(/starts at byte 25 but the object has 20 bytes/);
  });

  it('pages with S3 continuation tokens, fills a limit above 1000 from several requests, and skips keys it would refuse', async () => {
    const page = (keys: string[], next?: string) => ({
      Contents: keys.map((Key) => ({ Key, Size: 1, ETag: '"e"', LastModified: new Date(0) })),
      IsTruncated: next !== undefined,
      NextContinuationToken: next,
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves(page(['a/1', 'a//bad', 'a/2'], 't1'));
    s3.on(ListObjectsV2Command, { ContinuationToken: 't1' }).resolves(page(['a/3'], 't2'));
    s3.on(ListObjectsV2Command, { ContinuationToken: 't2' }).resolves(page(['a/4']));
    const first = await storage.list(B, { prefix: 'a/', limit: 1001 });
    expect(first.objects.map((o) => o.key)).toEqual(['a/1', 'a/2', 'a/3', 'a/4']);
    expect(first.nextCursor).toBeUndefined();
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: B, Prefix: 'a/', MaxKeys: 1000, ContinuationToken: undefined },
      { Bucket: B, Prefix: 'a/', MaxKeys: 999, ContinuationToken: 't1' },
      { Bucket: B, Prefix: 'a/', MaxKeys: 998, ContinuationToken: 't2' },
    ]);

    s3.resetHistory();
    const small = await storage.list(B, { prefix: 'a/', limit: 2 });
    expect(small).toMatchObject({ nextCursor: 't1' });
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.MaxKeys)).toEqual([2]);
    expect((await storage.list(B, { prefix: 'a/', cursor: 't2' })).objects.map((o) => o.key)).toEqual(['a/4']);
  });
});

describe('deletes', () => {
  it('sends again only the keys DeleteObjects reports as throttled', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: ['p/a', 'p/b', 'p/c'].map((Key) => ({ Key })), IsTruncated: false });
    s3.on(DeleteObjectsCommand)
      .resolvesOnce({ Errors: [{ Key: 'p/b', Code: 'SlowDown', Message: 'Reduce your request rate' }] })
      .resolves({});
    expect(await storage.deletePrefix(B, 'p/')).toBe(3);
    expect(s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects?.map((o) => o.Key))).toEqual([['p/a', 'p/b', 'p/c'], ['p/b']]);
    expect(s3.commandCalls(DeleteObjectsCommand)[0]?.args[0].input.Delete?.Quiet).toBe(true);
  });

  it('fails clearly when DeleteObjects refuses a key', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'p/a' }], IsTruncated: false });
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'p/a', Code: 'AccessDenied', Message: 'Access Denied' }] });
    expect(await codeOf(storage.deletePrefix(B, 'p/'))).toBe('forbidden:s3');
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(1);
  });
});

describe('hostile input', () => {
  const HOSTILE = ['../x', 'a/../../etc/passwd', '/abs', 'a\\b', 'a\u0000b', 'a\nb', 'a//b', '.', '', '..', 'a/', '.tmp-keystone/x', 'x'.repeat(1025)];

  it('is refused before any request is made', async () => {
    s3.onAnyCommand().resolves({});
    for (const key of HOSTILE) {
      expect(await codeOf(storage.put(B, key, 'x'))).toBe('bad_request:storage_key');
      expect(await codeOf(storage.put(B, key, Readable.from([Buffer.alloc(MIN_PART_SIZE + 1)])))).toBe('bad_request:storage_key');
      expect(await codeOf(storage.get(B, key))).toBe('bad_request:storage_key');
      expect(await codeOf(storage.get(B, key, { start: 0 }))).toBe('bad_request:storage_key');
      expect(await codeOf(storage.stat(B, key))).toBe('bad_request:storage_key');
      expect(await codeOf(storage.delete(B, key))).toBe('bad_request:storage_key');
      expect(await codeOf(() => storage.locate(B, key))).toBe('bad_request:storage_key');
    }
    for (const prefix of ['../', '/', 'a//', '', 'no-slash']) {
      expect(await codeOf(storage.deletePrefix(B, prefix))).toBe('bad_request:storage_key');
    }
    expect(await codeOf(storage.list(B, { prefix: '../' }))).toBe('bad_request:storage_key');
    expect(await codeOf(storage.stageVersion(B, '../', 'v1'))).toBe('bad_request:storage_key');
    expect(await codeOf(storage.stageVersion(B, 'ds/', '../v1'))).toBe('bad_request:version_id');
    for (const bucket of ['..', 'a/b', 'UP', '', 'x']) {
      expect(await codeOf(storage.put(bucket, 'k', 'x'))).toBe('bad_request:bucket_name');
      expect(await codeOf(storage.list(bucket))).toBe('bad_request:bucket_name');
    }
    expect(await codeOf(storage.get(B, 'k', { start: -1 }))).toBe('bad_request:byte_range');
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('check', () => {
  it('names every bucket it cannot use, and why', async () => {
    s3.on(HeadBucketCommand, { Bucket: 'lake-bronze' }).resolves({});
    s3.on(HeadBucketCommand, { Bucket: 'lake-silver' }).rejects(awsError('NotFound', 404, 'UnknownError'));
    s3.on(HeadBucketCommand, { Bucket: 'lake-gold' }).rejects(awsError('Forbidden', 403, 'UnknownError'));
    const result = await storage.check();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain('bucket lake-silver does not exist');
      expect(result.reason).toContain('access to bucket lake-gold is denied');
      expect(result.reason).not.toContain('lake-bronze');
    }
  });

  it('says so when there are no credentials, once', async () => {
    s3.on(HeadBucketCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const result = await storage.check();
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^S3 storage \(AWS S3 in us-east-1\) cannot be used: no AWS credentials were found \([^;]*\)\.$/) });
  });

  it('is ok when the three buckets answer, and never throws', async () => {
    s3.on(HeadBucketCommand).resolves({});
    expect(await storage.check()).toEqual({ ok: true, detail: 'S3 buckets lake-bronze, lake-silver, lake-gold at AWS S3 in us-east-1' });
    s3.on(HeadBucketCommand).callsFake(() => {
      throw new TypeError('something odd');
    });
    expect(await storage.check()).toMatchObject({ ok: false });
  });
});
