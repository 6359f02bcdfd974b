/** The one place that turns configuration into a storage backend. */
import type { KeystoneConfig } from '../config';
import { KeystoneError } from '../errors';
import type { StorageBackend } from './backend';
import { LocalStorage } from './local';

export type { ByteRange, ListOptions, ListPage, ObjectInfo, PutResult, StagedVersion, StorageBackend } from './backend';
export { LocalStorage } from './local';
export { TEMP_MARKER, compareKeys, isValidKey, validateBucketName, validateKey, validatePrefix, validateVersionId } from './keys';

export function createStorage(config: KeystoneConfig): StorageBackend {
  const storage = config.storage;
  switch (storage.kind) {
    case 'local':
      return new LocalStorage(storage.root);
    case 's3':
      throw new KeystoneError(
        'unavailable:s3',
        'S3 storage is not built yet: set KEYSTONE_STORAGE=local (the default) to keep the lake in folders under the data dir.',
      );
  }
}
