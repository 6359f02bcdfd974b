/**
 * The name a browser sends with an upload is display text only: it is shown to people and recorded as
 * the bronze rows' `_source_file`, but never becomes a storage key or a path (keys are built from the
 * upload's id). Still, a name that tries to climb folders or hides control characters is refused with a
 * message, rather than "cleaned" into something the person did not send.
 */
import { KeystoneError } from '../errors';

export const MAX_FILE_NAME_BYTES = 255;

/** C0 and C1 controls, DEL, and the bidirectional overrides that make "evil‮vsc.exe" read as "evilexe.csv". */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/u;

function describeChar(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Returns the display name (NFC, surrounding spaces trimmed), or throws `bad_request:file_name` saying
 * what is wrong with it.
 */
export function sanitizeDisplayName(raw: unknown): string {
  if (typeof raw !== 'string') throw new KeystoneError('bad_request:file_name', 'The upload has no file name.');
  const control = CONTROL.exec(raw);
  if (control) {
    throw new KeystoneError(
      'bad_request:file_name',
      `The file name ${JSON.stringify(raw)} contains the control character ${describeChar(control[0])}; rename the file and upload it again.`,
    );
  }
  const bidi = BIDI.exec(raw);
  if (bidi) {
    throw new KeystoneError(
      'bad_request:file_name',
      `The file name contains the text-direction character ${describeChar(bidi[0])}, which can disguise a file's real name; rename the file and upload it again.`,
    );
  }
  if (/\p{Cs}/u.test(raw)) throw new KeystoneError('bad_request:file_name', 'The file name is not valid Unicode (it holds a lone surrogate).');
  const name = raw.normalize('NFC').trim();
  if (name === '') throw new KeystoneError('bad_request:file_name', 'The file name is empty.');
  if (name.includes('/') || name.includes('\\')) {
    const climbs = name.split(/[\\/]/).some((s) => s === '..');
    throw new KeystoneError(
      'bad_request:file_name',
      climbs
        ? `The file name ${JSON.stringify(name)} tries to reach a parent folder ("../"); send the file's own name only.`
        : `The file name ${JSON.stringify(name)} contains a folder separator; send the file's own name only.`,
    );
  }
  if (name === '.' || name === '..') throw new KeystoneError('bad_request:file_name', `${JSON.stringify(name)} is not a file name.`);
  if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) {
    throw new KeystoneError('bad_request:file_name', `The file name is longer than ${MAX_FILE_NAME_BYTES} bytes; shorten it and upload the file again.`);
  }
  return name;
}

/** The `X-File-Name` header carries the name percent-encoded (headers are Latin-1 only). */
export function decodeFileNameHeader(header: string | null): string {
  if (header === null || header === '') throw new KeystoneError('bad_request:file_name', 'The upload has no file name (the X-File-Name header is missing).');
  try {
    return decodeURIComponent(header);
  } catch {
    throw new KeystoneError('bad_request:file_name', 'The X-File-Name header is not valid percent-encoded UTF-8.');
  }
}
