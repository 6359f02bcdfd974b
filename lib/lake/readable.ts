/**
 * Paths the embedded engine can read. DuckDB here cannot read `s3://` (its httpfs extension cannot be
 * downloaded on our machines), so with S3 storage the objects a query needs are staged into a local cache
 * first. Lake objects never change once written (every version writes under its own prefix), so a cached
 * copy is valid for as long as it exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { forEachLimited } from '../concurrency';
import type { StorageBackend } from '../storage/backend';
import { validateBucketName, validateKey } from '../storage/keys';

export function cachePath(cacheRoot: string, bucket: string, key: string): string {
  return path.join(cacheRoot, validateBucketName(bucket), ...validateKey(key).split('/'));
}

export async function readablePaths(storage: StorageBackend, cacheRoot: string, bucket: string, keys: readonly string[]): Promise<string[]> {
  if (storage.kind === 'local') return keys.map((k) => storage.locate(bucket, k));
  const out = keys.map((k) => cachePath(cacheRoot, bucket, k));
  await forEachLimited(keys, 8, async (key, i) => {
    const target = out[i]!;
    if (fs.existsSync(target)) return;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.part-${process.pid}-${i}`;
    await pipeline(await storage.get(bucket, key), fs.createWriteStream(tmp));
    fs.renameSync(tmp, target);
  });
  return out;
}
