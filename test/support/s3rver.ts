/**
 * An S3-compatible HTTP server for tests: s3rver on 127.0.0.1 (a free port) over a temp directory,
 * with the lake's three buckets created, in this process or (`childProcess: true`) in a child.
 * s3rver accepts any credentials; `startS3rver` sets dummy ones in the environment so the AWS SDK's
 * standard credential chain finds them.
 *
 * s3rver 3.7 lacks, or breaks on, three calls the S3 backend relies on, so a middleware placed in
 * front of s3rver's router answers them itself from s3rver's own store and on-disk layout
 * (`<dir>/<bucket>/._S3rver_uploads/<uploadId>/{key,metadata,<part>}`):
 *   - AbortMultipartUpload (DELETE /<bucket>/<key>?uploadId=…): s3rver answers 405 MethodNotAllowed;
 *   - ListMultipartUploads (GET /<bucket>?uploads): s3rver answers 501 NotImplemented;
 *   - ListObjectsV2 (GET /<bucket>?list-type=2): s3rver encrypts continuation tokens with DES, which
 *     OpenSSL 3 (Node ≥ 17) refuses, so every truncated page is a 500. Here the listing itself is
 *     still s3rver's (`store.listObjects`, same order and filtering); only the token is a plain one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAKE_BUCKETS = ['olist-data-lake-bronze', 'olist-data-lake-silver', 'olist-data-lake-gold'] as const;

export interface S3rverHandle {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  region: string;
  /** s3rver's storage folder (one sub-folder per bucket). */
  directory: string;
  buckets: readonly string[];
  /**
   * Writes objects straight into s3rver's store, without HTTP: for tests about reading many keys,
   * where thousands of PUTs (s3rver manages about a hundred a second) would dominate the run.
   */
  seed(bucket: string, keys: readonly string[], body?: string): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  type: string;
  body: unknown;
  req: IncomingMessage;
  res: ServerResponse;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface StoredObject {
  key: string;
  size: number;
  lastModifiedDate: Date;
  metadata: Record<string, string | undefined>;
}
interface FilesystemStore {
  getBucket(bucket: string): Promise<unknown>;
  putObject(object: { bucket: string; key: string; content: Buffer; metadata: Record<string, string> }): Promise<unknown>;
  listObjects(
    bucket: string,
    options: { prefix?: string; startAfter?: string; maxKeys?: number; delimiter?: string },
  ): Promise<{ objects: StoredObject[]; commonPrefixes: string[]; isTruncated: boolean }>;
}
interface S3rverInstance {
  middleware: Middleware[];
  store: FilesystemStore;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;

const require = createRequire(import.meta.url);

const UPLOADS = '._S3rver_uploads';

const ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };
const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => ENTITIES[c] ?? c);
const queryString = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

function s3ErrorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`;
}

function xmlError(ctx: KoaContext, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = s3ErrorXml(code, message);
}

/** The calls s3rver lacks or breaks on (see the file comment). */
function shim(directory: string, store: FilesystemStore): Middleware {
  return async (ctx, next) => {
    // Path-style: `/<bucket>`, `/<bucket>/` or `/<bucket>/<key…>`.
    const segments = ctx.path.split('/').slice(1);
    if (segments.length === 2 && segments[1] === '') segments.pop();
    const bucket = decodeURIComponent(segments[0] ?? '');
    const uploadsDir = path.join(directory, bucket, UPLOADS);
    const uploadId = typeof ctx.query.uploadId === 'string' ? ctx.query.uploadId : undefined;

    if (ctx.method === 'DELETE' && segments.length >= 2 && uploadId !== undefined) {
      const dir = path.join(uploadsDir, uploadId);
      if (!/^[0-9a-f]+$/.test(uploadId) || !(await exists(dir))) return xmlError(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
      await fs.rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }

    if (ctx.method === 'GET' && segments.length === 1 && bucket !== '' && queryString(ctx.query['list-type']) === '2') {
      if (!(await store.getBucket(bucket))) return xmlError(ctx, 404, 'NoSuchBucket', 'The specified bucket does not exist');
      const maxKeysText = queryString(ctx.query['max-keys']) ?? '1000';
      if (!/^\d+$/.test(maxKeysText)) return xmlError(ctx, 400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
      const maxKeys = Math.min(1000, Number(maxKeysText));
      const token = queryString(ctx.query['continuation-token']);
      let startAfter = queryString(ctx.query['start-after']);
      if (token !== undefined && token !== '') {
        const decoded = Buffer.from(token, 'base64url').toString('utf8');
        if (!decoded.startsWith(`${bucket}/`)) return xmlError(ctx, 400, 'InvalidArgument', 'The continuation token provided is incorrect');
        startAfter = decoded.slice(bucket.length + 1);
      }
      const prefix = queryString(ctx.query.prefix) ?? '';
      const delimiter = queryString(ctx.query.delimiter) || undefined;
      const result =
        maxKeys === 0
          ? { objects: [], commonPrefixes: [], isTruncated: false }
          : await store.listObjects(bucket, { prefix: prefix || undefined, startAfter, maxKeys, delimiter });
      const last = result.objects[result.objects.length - 1];
      const next = result.isTruncated && last !== undefined ? Buffer.from(`${bucket}/${last.key}`, 'utf8').toString('base64url') : undefined;
      const tag = (name: string, value: string | number | undefined) => (value === undefined ? '' : `<${name}>${xmlEscape(String(value))}</${name}>`);
      ctx.status = 200;
      ctx.type = 'application/xml';
      ctx.body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        tag('Name', bucket) +
        tag('Prefix', prefix) +
        tag('ContinuationToken', token) +
        tag('NextContinuationToken', next) +
        tag('KeyCount', result.objects.length) +
        tag('MaxKeys', maxKeysText) +
        tag('Delimiter', delimiter) +
        tag('IsTruncated', String(result.isTruncated)) +
        result.objects
          .map(
            (o) =>
              `<Contents>${tag('Key', o.key)}${tag('LastModified', o.lastModifiedDate.toISOString())}${tag('ETag', o.metadata.etag)}` +
              `${tag('Size', o.size)}<StorageClass>STANDARD</StorageClass></Contents>`,
          )
          .join('') +
        result.commonPrefixes.map((p) => `<CommonPrefixes>${tag('Prefix', p)}</CommonPrefixes>`).join('') +
        `</ListBucketResult>`;
      return;
    }

    if (ctx.method === 'GET' && segments.length === 1 && bucket !== '' && 'uploads' in ctx.query) {
      if (!(await store.getBucket(bucket))) return xmlError(ctx, 404, 'NoSuchBucket', 'The specified bucket does not exist');
      let ids: string[] = [];
      try {
        ids = (await fs.readdir(uploadsDir)).sort();
      } catch {
        /* no uploads folder: no uploads */
      }
      const uploads: string[] = [];
      for (const id of ids) {
        const key = await fs.readFile(path.join(uploadsDir, id, 'key'), 'utf8').catch(() => undefined);
        if (key !== undefined) uploads.push(`<Upload><Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></Upload>`);
      }
      ctx.status = 200;
      ctx.type = 'application/xml';
      ctx.body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `<Bucket>${xmlEscape(bucket)}</Bucket><IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`;
      return;
    }
    await next();
  };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

/** s3rver listening in this process, with the shim in front of its router. */
async function runServer(directory: string, buckets: readonly string[]): Promise<{ port: number; seed: S3rverHandle['seed']; close(): Promise<void> }> {
  const S3rver = require('s3rver') as S3rverCtor;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: process.env.S3RVER_LOG !== '1',
    directory,
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  // Koa composes `middleware` when the server starts listening, so this runs before s3rver's router.
  server.middleware.unshift(shim(directory, server.store));
  const address = await server.run();
  return {
    port: address.port,
    async seed(bucket, keys, body = 'v') {
      const content = Buffer.from(body, 'utf8');
      for (let i = 0; i < keys.length; i += 64) {
        await Promise.all(
          keys.slice(i, i + 64).map((key) => server.store.putObject({ bucket, key, content, metadata: { 'content-type': 'application/octet-stream' } })),
        );
      }
    },
    close: () => server.close().catch(() => undefined),
  };
}

type ChildRequest = { type: 'seed'; id: number; bucket: string; keys: string[]; body?: string } | { type: 'stop' };
type ChildReply = { type: 'ready'; port: number } | { type: 'seeded'; id: number; error?: string } | { type: 'failed'; error: string };

const CHILD_ENV = 'KEYSTONE_S3RVER_CHILD';

/** Runs s3rver in a child process: its memory and CPU are then not the test's (used by the RSS test). */
async function runInChild(directory: string, buckets: readonly string[]): Promise<{ port: number; seed: S3rverHandle['seed']; close(): Promise<void> }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [CHILD_ENV]: JSON.stringify({ directory, buckets }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextId = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver child exited (${String(code)}) before it was ready`)));
    child.on('message', (raw) => {
      const m = raw as ChildReply;
      if (m.type === 'ready') resolve(m.port);
      else if (m.type === 'failed') reject(new Error(m.error));
      else if (m.type === 'seeded') {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error === undefined) p?.resolve();
        else p?.reject(new Error(m.error));
      }
    });
  });
  return {
    port,
    seed: (bucket, keys, body) =>
      new Promise<void>((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve, reject });
        child.send({ type: 'seed', id, bucket, keys: [...keys], body } satisfies ChildRequest);
      }),
    async close() {
      if (child.exitCode === null && child.connected) child.send({ type: 'stop' } satisfies ChildRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// The child's side: started by runInChild with this file as its entry point.
const childSpec = process.env[CHILD_ENV];
if (childSpec !== undefined && process.send !== undefined) {
  const { directory, buckets } = JSON.parse(childSpec) as { directory: string; buckets: string[] };
  const send = (m: ChildReply) => process.send?.(m);
  runServer(directory, buckets).then(
    (server) => {
      process.on('message', (raw) => {
        const m = raw as ChildRequest;
        if (m.type === 'stop') void server.close().then(() => process.exit(0));
        else if (m.type === 'seed') {
          server.seed(m.bucket, m.keys, m.body).then(
            () => send({ type: 'seeded', id: m.id }),
            (e: unknown) => send({ type: 'seeded', id: m.id, error: String(e) }),
          );
        }
      });
      process.once('disconnect', () => void server.close().then(() => process.exit(0))); // the test process went away
      send({ type: 'ready', port: server.port });
    },
    (e: unknown) => {
      send({ type: 'failed', error: String(e) });
      process.exit(1);
    },
  );
}

export interface StartOptions {
  buckets?: readonly string[];
  /** Run s3rver in a child process instead of this one (its memory and CPU are then its own). */
  childProcess?: boolean;
}

export async function startS3rver(options: StartOptions = {}): Promise<S3rverHandle> {
  const buckets = options.buckets ?? LAKE_BUCKETS;
  // s3rver checks signatures only for form, not for credentials: any key pair works.
  process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'keystone-s3rver-'));
  let server: Awaited<ReturnType<typeof runServer>>;
  try {
    server = await (options.childProcess ? runInChild(directory, buckets) : runServer(directory, buckets));
  } catch (e) {
    await fs.rm(directory, { recursive: true, force: true });
    throw e;
  }
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    region: 'us-east-1', // s3rver's continuation tokens only accept us-east-1
    directory,
    buckets,
    seed: server.seed,
    async stop() {
      await server.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
