/**
 * Key, prefix and bucket-name rules shared by every storage backend. A key that passes here is safe
 * to join onto a folder path and means the same object on local disk and in S3, so a lake can move
 * between them without renames.
 */
import { KeystoneError } from '../errors';

/**
 * Segments starting with this are ours (in-flight writes, deletions in progress). No key may use it,
 * so a temp file can never collide with, or be listed as, an object.
 */
export const TEMP_MARKER = '.tmp-';

export const MAX_KEY_BYTES = 1024;
/** Most filesystems cap one name at 255 bytes; refusing here gives a clear message instead of ENAMETOOLONG. */
export const MAX_SEGMENT_BYTES = 255;

// Control characters break logs, shells and HTTP headers; lone surrogates have no UTF-8 form, so the
// name on disk would differ from the key.
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f\\]|\p{Cs}/u;

/** Why `text` is not acceptable as a key (or prefix), or undefined when it is. */
function problem(text: unknown, kind: 'key' | 'prefix'): string | undefined {
  if (typeof text !== 'string') return `must be a string, not ${typeof text}`;
  if (text === '') return kind === 'key' ? 'is empty' : undefined;
  if (Buffer.byteLength(text, 'utf8') > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} bytes (UTF-8)`;
  const bad = FORBIDDEN_CHARS.exec(text);
  if (bad) {
    const ch = bad[0];
    return ch === '\\'
      ? 'contains a backslash (use "/" between segments)'
      : `contains the forbidden character U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  }
  if (text.startsWith('/')) return 'is absolute (starts with "/"); keys are relative to the bucket';
  // A prefix may end at "/" (a folder); a key may not, since it must name an object.
  const segments = text.split('/');
  if (kind === 'prefix' && text.endsWith('/')) segments.pop();
  for (const s of segments) {
    if (s === '') return 'has an empty segment ("//" or a trailing "/")';
    if (s === '.' || s === '..') return `has a "${s}" segment`;
    if (s.startsWith(TEMP_MARKER)) return `has a segment starting with "${TEMP_MARKER}", which is reserved`;
    if (Buffer.byteLength(s, 'utf8') > MAX_SEGMENT_BYTES) return `has a segment longer than ${MAX_SEGMENT_BYTES} bytes (UTF-8)`;
  }
  return undefined;
}

function refuse(kind: string, text: unknown, why: string): never {
  const shown = typeof text === 'string' ? JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text) : String(text);
  throw new KeystoneError('bad_request:storage_key', `The storage ${kind} ${shown} is not allowed: it ${why}.`, {
    details: { [kind]: typeof text === 'string' ? text.slice(0, 200) : String(text) },
  });
}

export function isValidKey(key: string): boolean {
  return problem(key, 'key') === undefined;
}

/** Returns `key` unchanged, or throws `bad_request:storage_key` naming it and the rule it breaks. */
export function validateKey(key: string): string {
  const why = problem(key, 'key');
  if (why !== undefined) refuse('key', key, why);
  return key;
}

/**
 * A prefix follows the key rules, except that it may be empty (everything) and may end with "/".
 * It need not end at a segment boundary: `orders/2024` matches `orders/2024-01.csv`.
 */
export function validatePrefix(prefix: string): string {
  const why = problem(prefix, 'prefix');
  if (why !== undefined) refuse('prefix', prefix, why);
  return prefix;
}

/** S3 bucket naming rules, applied locally too so a lake moves to S3 without renames. */
const BUCKET_RE = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_RE = /^\d+\.\d+\.\d+\.\d+$/;

export function validateBucketName(name: string): string {
  if (typeof name !== 'string' || !BUCKET_RE.test(name) || IP_RE.test(name)) {
    throw new KeystoneError(
      'bad_request:bucket_name',
      `The bucket name ${JSON.stringify(String(name))} is not allowed: a bucket name is 3–63 characters of lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.`,
    );
  }
  return name;
}

const VERSION_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

export function validateVersionId(versionId: string): string {
  if (typeof versionId !== 'string' || !VERSION_ID_RE.test(versionId)) {
    throw new KeystoneError(
      'bad_request:version_id',
      `The version id ${JSON.stringify(String(versionId))} is not allowed: use 1–128 letters, digits, "_" or "-".`,
    );
  }
  return versionId;
}

/**
 * Key order as S3 lists it: by UTF-8 bytes. (JS `<` compares UTF-16 units, which disagrees for
 * characters beyond U+FFFF.)
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
