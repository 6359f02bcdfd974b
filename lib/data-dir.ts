/** The data dir must exist and be writable before anything else starts; say so plainly when it is not. */
import fs from 'node:fs';
import path from 'node:path';
import { KeystoneError, errorMessage } from './errors';

export function ensureDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    const probe = path.join(dataDir, `.write-probe-${process.pid}`);
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe);
  } catch (e) {
    throw new KeystoneError(
      'config:data_dir',
      `The data dir ${dataDir} is not writable (${errorMessage(e)}). Set KEYSTONE_DATA_DIR to a folder this user can write.`,
      { cause: e },
    );
  }
}
