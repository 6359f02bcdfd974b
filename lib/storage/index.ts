/** The one place that turns configuration into a storage backend. */
import type { KeystoneConfig } from '../config';
import type { StorageBackend } from './backend';
import { LocalStorage } from './local';
import { S3Storage } from './s3';

export type { ByteRange, ListOptions, ListPage, ObjectInfo, PutResult, StagedVersion, StorageBackend } from './backend';
export { LocalStorage } from './local';
export { S3Storage } from './s3';
export { TEMP_MARKER, compareKeys, isValidKey, validateBucketName, validateKey, validatePrefix, validateVersionId } from './keys';

export function createStorage(config: KeystoneConfig): StorageBackend {
  const storage = config.storage;
  switch (storage.kind) {
    case 'local':
      return new LocalStorage(storage.root);
    case 's3':
      // Credentials come from the standard AWS chain; region and endpoint from the configuration.
      return new S3Storage({
        region: storage.region,
        endpoint: storage.endpoint,
        forcePathStyle: storage.forcePathStyle,
        buckets: [config.buckets.bronze, config.buckets.silver, config.buckets.gold],
      });
  }
}
