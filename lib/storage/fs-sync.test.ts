import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSystemSyncsRun, syncFileSystem } from './fs-sync';

const root = path.resolve(import.meta.dirname, '../..');

describe('syncFileSystem', () => {
  it('answers every request in order, sharing syncs between requests made together, and refuses a folder that does not exist', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-sync-'));
    try {
      const order: number[] = [];
      const before = fileSystemSyncsRun();
      await Promise.all(Array.from({ length: 20 }, (_, i) => syncFileSystem(dir).then(() => order.push(i))));
      expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
      // Requests made while a sync runs share the next one: 20 at once cost two syncs, not twenty.
      expect(fileSystemSyncsRun() - before).toBeLessThanOrEqual(2);
      await expect(syncFileSystem(path.join(dir, 'missing'))).rejects.toThrow(/could not sync .*missing \(sync exited 1\)/);
      await expect(syncFileSystem(`${dir}\nrm -rf /`)).rejects.toThrow(/line break/);
      await syncFileSystem(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a process alive while it waits for an answer, and lets it exit when idle', () => {
    // A script whose only pending work is the sync: it must print after the answer, then exit by itself.
    const script = `import { syncFileSystem } from './lib/storage/fs-sync.ts'; await syncFileSystem(${JSON.stringify(os.tmpdir())}); console.log('synced');`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(out.trim()).toBe('synced');
  });
});
