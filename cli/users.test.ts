import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/databases';
import { runCli } from '../test/support/cli';

let tdb: TestDatabase;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-users-'));
let env: Record<string, string>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  env = { DATABASE_URL: tdb.url, KEYSTONE_DATA_DIR: tmp };
});
afterAll(async () => {
  await tdb.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('keystone users', { timeout: 240_000 }, () => {
  it('adds an analyst and an engineer, lists them, and refuses a duplicate or an unknown role', async () => {
    const a = await runCli(['users', 'add', 'ana', '--role', 'analyst', '--password', 'analyst-password', '--name', 'Ana Lyst'], env);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('added ana (analyst)');
    const generated = await runCli(['users', 'add', 'eng', '--role', 'engineer'], env);
    expect(generated.code).toBe(0);
    expect(generated.stdout).toMatch(/with password\n\n +[a-z2-9]{5}(-[a-z2-9]{5}){3}/);
    const list = await runCli(['users', 'list'], env);
    expect(list.stdout).toMatch(/ana +analyst +Ana Lyst/);
    expect(list.stdout).toMatch(/eng +engineer/);
    const dup = await runCli(['users', 'add', 'ANA', '--role', 'analyst', '--password', 'whatever-123'], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
    const role = await runCli(['users', 'add', 'bob', '--role', 'admin', '--password', 'whatever-123'], env);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('is not a role');
  });

  it('compact explains what it needs', async () => {
    const r = await runCli(['compact', 'orders'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('layer.name');
  });
});
