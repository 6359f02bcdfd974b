import { describe, expect, it } from 'vitest';
import { KeystoneError } from '../errors';
import { compareKeys, isValidKey, validateBucketName, validateKey, validatePrefix, validateVersionId } from './keys';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof KeystoneError ? e.code : `not a KeystoneError: ${String(e)}`;
  }
  return undefined;
}

/** Keys that must never reach the filesystem. */
const HOSTILE_KEYS: readonly string[] = [
  '../x',
  'a/../../etc/passwd',
  '/abs',
  'a\\b',
  'a\u0000b',
  'a\nb',
  'a//b',
  '.',
  '',
  '..',
  'a/./b',
  'a/..',
  'a/',
  'a\u001fb',
  'a\u007fb',
  'a\rb',
  'a/\tb',
  '.tmp-x',
  'a/.tmp-keystone/b',
  'a\uD800b',
  'x'.repeat(1025),
  'é'.repeat(513), // 1026 bytes in UTF-8, only 513 characters
  `a/${'s'.repeat(256)}`,
];

describe('validateKey', () => {
  it.each(HOSTILE_KEYS.map((k) => [JSON.stringify(k).slice(0, 40), k]))('refuses %s', (_label, key) => {
    expect(codeOf(() => validateKey(key))).toBe('bad_request:storage_key');
    expect(isValidKey(key)).toBe(false);
  });

  it('names the key and the rule in the message', () => {
    expect(() => validateKey('a/../../etc/passwd')).toThrow(/"a\/\.\.\/\.\.\/etc\/passwd".*"\.\." segment/);
    expect(() => validateKey('a\\b')).toThrow(/backslash/);
    expect(() => validateKey('a\nb')).toThrow(/U\+000A/);
    expect(() => validateKey('/abs')).toThrow(/absolute/);
  });

  it('refuses a non-string', () => {
    expect(codeOf(() => validateKey(undefined as unknown as string))).toBe('bad_request:storage_key');
  });

  it.each([
    'orders/ingest=01J0000/part-0.parquet',
    'clientes/São Paulo/coração.csv',
    'a',
    '..foo',
    'a/..b/c.',
    'a/.hidden',
    'a/.tmp',
    'emoji/😀.txt',
    `${'y'.repeat(254)}/`.repeat(4) + 'zzzz', // exactly 1024 bytes
    `a/${'s'.repeat(255)}`,
    'spaces are fine/and #?&=+ too',
  ].map((k) => [k.length > 40 ? `${k.slice(0, 40)}… (${k.length} chars)` : k, k]))('accepts %s', (_label, key) => {
    expect(validateKey(key)).toBe(key);
  });
});

describe('validatePrefix', () => {
  it.each(['', 'orders/', 'orders/2024', 'a/b/c/', 'São'])('accepts %j', (p) => {
    expect(validatePrefix(p)).toBe(p);
  });

  it.each(['../', '/abs/', 'a//', 'a/../', '.', './', 'a\\', '.tmp-keystone/', 'a\u0000'])('refuses %j', (p) => {
    expect(codeOf(() => validatePrefix(p))).toBe('bad_request:storage_key');
  });
});

describe('validateBucketName', () => {
  it.each(['olist-data-lake-bronze', 'abc', 'a.b-c', 'a'.repeat(63), '0lake9'])('accepts %s', (b) => {
    expect(validateBucketName(b)).toBe(b);
  });

  it.each(['ab', 'a'.repeat(64), 'Upper', 'under_score', '-lead', 'trail-', '.dot', 'dot.', 'a..b', 'xn--abc', '192.168.0.1', 'a/b', '../x', ''])(
    'refuses %j',
    (b) => {
      expect(codeOf(() => validateBucketName(b))).toBe('bad_request:bucket_name');
    },
  );
});

describe('validateVersionId', () => {
  it.each(['000007', 'v1', '01J_abc-DEF', 'x'.repeat(128)].map((v) => [v.slice(0, 20), v]))('accepts %s', (_label, v) => {
    expect(validateVersionId(v)).toBe(v);
  });

  it.each(['', '.', '..', 'a/b', 'a.b', 'a b', '.tmp-x', 'x'.repeat(129)].map((v) => [v.slice(0, 20), v]))('refuses %j', (_label, v) => {
    expect(codeOf(() => validateVersionId(v))).toBe('bad_request:version_id');
  });
});

describe('compareKeys', () => {
  it('orders by UTF-8 bytes, as S3 does', () => {
    // UTF-16 order would put U+FF5E before the emoji (a surrogate pair, 0xD83D…); UTF-8 puts it after.
    const keys = ['\u{1F600}', '\uFF5E', 'a/b', 'a-c', 'a.txt', 'a0', 'B', 'a'];
    expect([...keys].sort(compareKeys)).toEqual(['B', 'a', 'a-c', 'a.txt', 'a/b', 'a0', '\uFF5E', '\u{1F600}']);
  });
});
