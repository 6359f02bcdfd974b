/**
 * `keystone serve` runs the console in production mode, so it needs a `next build`. We build when
 * there is none or when the sources changed since the last one (a fingerprint of sizes and mtimes),
 * so a fresh clone and a developer's edited tree both just work.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KeystoneError } from '../lib/errors';

const SOURCES = ['app', 'components', 'lib', 'db', 'next.config.js', 'package-lock.json', 'tsconfig.json'];

function walk(root: string, rel: string, out: string[]) {
  const full = path.join(root, rel);
  let st: fs.Stats;
  try {
    st = fs.statSync(full);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(full).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      walk(root, path.join(rel, name), out);
    }
  } else if (!rel.endsWith('.test.ts')) {
    out.push(`${rel}:${st.size}:${st.mtimeMs}`);
  }
}

export function sourceFingerprint(projectDir: string): string {
  const entries: string[] = [];
  for (const s of SOURCES) walk(projectDir, s, entries);
  return crypto.createHash('sha256').update(entries.join('\n')).digest('hex');
}

const STAMP = '.next/keystone-build.json';

export function consoleBuildIsCurrent(projectDir: string): boolean {
  try {
    if (!fs.existsSync(path.join(projectDir, '.next', 'BUILD_ID'))) return false;
    const stamp = JSON.parse(fs.readFileSync(path.join(projectDir, STAMP), 'utf8')) as { fingerprint: string };
    return stamp.fingerprint === sourceFingerprint(projectDir);
  } catch {
    return false;
  }
}

export function nextBin(projectDir: string): string {
  return path.join(projectDir, 'node_modules', 'next', 'dist', 'bin', 'next');
}

export async function buildConsole(projectDir: string, onLine: (line: string) => void): Promise<void> {
  const fingerprint = sourceFingerprint(projectDir);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin(projectDir), 'build'], {
      cwd: projectDir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        tail = [...tail.slice(-40), line];
        onLine(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new KeystoneError('internal:console_build', `next build failed (exit ${code}):\n${tail.join('\n')}`)),
    );
  });
  fs.writeFileSync(path.join(projectDir, STAMP), JSON.stringify({ fingerprint, builtAt: new Date().toISOString() }));
}
