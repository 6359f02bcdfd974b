/** The two commands end to end through bin/keystone.mjs, with no AWS credentials at all. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '../../..');
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('KEYSTONE_') && !k.startsWith('ATHENA_'))) as NodeJS.ProcessEnv;

describe('keystone athena ddl', () => {
  it('prints what the snapshot holds, without credentials', () => {
    const out = execFileSync(process.execPath, ['bin/keystone.mjs', 'athena', 'ddl'], { cwd: root, env, encoding: 'utf8' });
    expect(out).toBe(fs.readFileSync(path.join(import.meta.dirname, '__snapshots__/athena-ddl.sql'), 'utf8'));
  });
});
