/**
 * A lock file that names its holder: `{pid, host, startedAt, purpose}`. A lock whose process is gone is
 * stale and is taken over. Used for "one `keystone serve` per data dir" and "one starter of the embedded
 * Postgres at a time".
 */
import fs from 'node:fs';
import os from 'node:os';
import { KeystoneError } from './errors';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  purpose: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(file: string): LockHolder | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** The live holder of a lock, or undefined when it is free or stale. */
export function liveHolder(file: string): LockHolder | undefined {
  const holder = readLock(file);
  if (!holder) return undefined;
  if (holder.host !== os.hostname()) return holder; // cannot check another host's pid: assume alive
  return isAlive(holder.pid) && holder.pid !== process.pid ? holder : undefined;
}

export interface HeldLock {
  release(): void;
}

/** Take the lock or throw `conflict:<code>` naming who holds it. */
export function acquireLock(file: string, purpose: string, code: string): HeldLock {
  const me: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), purpose };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o644);
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const now = readLock(file);
          if (now?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = liveHolder(file);
      if (holder) {
        throw new KeystoneError(
          `conflict:${code}`,
          `${purpose} is already held by process ${holder.pid} on ${holder.host} (since ${holder.startedAt}); lock file ${file}`,
          { details: { holder } },
        );
      }
      // Stale: its process is gone. Remove and retry (another racer may win; then we report it).
      fs.rmSync(file, { force: true });
    }
  }
  throw new KeystoneError(`conflict:${code}`, `could not take the lock ${file}`);
}

/** Wait until the lock can be taken (polling), up to `timeoutMs`. */
export async function acquireLockWaiting(file: string, purpose: string, code: string, timeoutMs: number): Promise<HeldLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return acquireLock(file, purpose, code);
    } catch (e) {
      if (!(e instanceof KeystoneError) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
