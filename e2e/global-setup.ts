/**
 * Before the browser suite (the console is already up: Playwright starts its web server first):
 * generate a small Olist data set with the real generator — the files the journey uploads, and the
 * manifest that says what must come out — and add the analyst the role specs sign in as.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ANALYST } from './support/auth';

const PROJECT = path.resolve(import.meta.dirname, '..');

function keystone(args: string[]): string {
  return execFileSync(process.execPath, [path.join(PROJECT, 'bin', 'keystone.mjs'), ...args], {
    cwd: PROJECT,
    env: { ...process.env, KEYSTONE_DATA_DIR: process.env.E2E_DATA_DIR, DATABASE_URL: '', KEYSTONE_LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 180_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export default async function globalSetup() {
  const out = process.env.E2E_OLIST_DIR!;
  if (!fs.existsSync(path.join(out, 'manifest.json'))) keystone(['generate', '--scale', '0.01', '--seed', '42', '--out', out]);
  const users = keystone(['users', 'list']);
  if (!new RegExp(`^${ANALYST.user} `, 'm').test(users)) keystone(['users', 'add', ANALYST.user, '--role', 'analyst', '--password', ANALYST.password, '--name', 'Ana Lyst']);
  return async () => {
    fs.rmSync(out, { recursive: true, force: true });
  };
}
