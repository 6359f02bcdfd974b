import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeystoneError } from '../errors';
import { SNIFF_BYTES, sniffSource, type SourceSniff } from './sniff';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'keystone-sniff-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

let n = 0;
async function sniff(content: string | Buffer, name = `f${n++}.dat`): Promise<SourceSniff> {
  const file = path.join(tmp, name);
  await fs.writeFile(file, content);
  return sniffSource(file, `upload ${name}`);
}

async function refusal(content: string | Buffer): Promise<KeystoneError> {
  try {
    await sniff(content);
  } catch (e) {
    expect(e).toBeInstanceOf(KeystoneError);
    return e as KeystoneError;
  }
  throw new Error('expected sniffSource to refuse the file');
}

const plain = { compression: 'none', encoding: 'utf-8', bom: false } as const;

describe('sniffSource: delimited text', () => {
  it('detects the delimiter on the header line, ignoring quoted text', async () => {
    expect(await sniff('a,b,c\n1,2,3\n')).toEqual({ ...plain, format: 'csv', delimiter: ',' });
    expect(await sniff('a;b;c\n1,5;2,5;3\n')).toEqual({ ...plain, format: 'csv', delimiter: ';' });
    expect(await sniff('a|b|c\n')).toEqual({ ...plain, format: 'csv', delimiter: '|' });
    expect(await sniff('a\tb\tc\n1\t2\t3\n')).toEqual({ ...plain, format: 'tsv', delimiter: '\t' });
    expect(await sniff('"x,y,z";"w,v";u\n')).toEqual({ ...plain, format: 'csv', delimiter: ';' });
    expect(await sniff('"multi\nline, header";b;c\n1,2;3;4\n')).toEqual({ ...plain, format: 'csv', delimiter: ';' });
    expect(await sniff('single_column\nvalue\n')).toEqual({ ...plain, format: 'csv', delimiter: ',' });
  });

  it('notices a BOM', async () => {
    expect(await sniff('\uFEFFid;name\n1;x\n')).toEqual({ ...plain, bom: true, format: 'csv', delimiter: ';' });
  });

  it('says latin1 for a Latin-1 file and utf-8 for the same text in UTF-8', async () => {
    const text = 'cidade,estado\nSão Paulo,SP\n';
    expect(await sniff(Buffer.from(text, 'latin1'))).toEqual({ ...plain, encoding: 'latin1', format: 'csv', delimiter: ',' });
    expect(await sniff(Buffer.from(text, 'utf8'))).toEqual({ ...plain, format: 'csv', delimiter: ',' });
  });

  it('is not fooled by a UTF-8 character cut at the end of the 64 KiB sample', async () => {
    for (const char of ['ã', '€', '😀']) {
      const width = Buffer.byteLength(char);
      for (let cut = 1; cut < width; cut++) {
        // The sample ends `cut` bytes into `char`.
        const pad = 'a,b\n' + 'x'.repeat(SNIFF_BYTES - 4 - cut);
        const sniffed = await sniff(Buffer.from(pad + char + ' and more text\n', 'utf8'));
        expect(sniffed.encoding, `${char} cut after ${cut} bytes`).toBe('utf-8');
      }
    }
    // A truly broken last byte, at the real end of the file, is not UTF-8.
    expect((await sniff(Buffer.concat([Buffer.from('a,b\nx'), Buffer.from([0xc3])]))).encoding).toBe('latin1');
  });

  it('sees through gzip', async () => {
    expect(await sniff(zlib.gzipSync('a\tb\n1\t2\n'))).toEqual({ ...plain, compression: 'gzip', format: 'tsv', delimiter: '\t' });
    const big = 'id,text\n' + 'ação,'.repeat(100_000);
    expect(await sniff(zlib.gzipSync(Buffer.from(big, 'latin1')))).toMatchObject({ compression: 'gzip', encoding: 'latin1', format: 'csv' });
  });
});

describe('sniffSource: JSON and Parquet', () => {
  it('tells JSON arrays, single objects and NDJSON apart', async () => {
    expect(await sniff('  \n[{"a":1},{"a":2}]')).toEqual({ ...plain, format: 'json' });
    expect(await sniff('{"a":1}\n{"a":2}\n')).toEqual({ ...plain, format: 'ndjson' });
    expect(await sniff('{"a":1}\n\n  {"a":2}')).toEqual({ ...plain, format: 'ndjson' });
    expect(await sniff('{\n  "a": 1,\n  "b": [1, 2]\n}\n')).toEqual({ ...plain, format: 'json' });
    expect(await sniff('{"a":1}\n')).toEqual({ ...plain, format: 'json' });
    expect(await sniff(zlib.gzipSync('{"a":1}\n{"a":2}\n'))).toEqual({ ...plain, compression: 'gzip', format: 'ndjson' });
  });

  it('recognizes Parquet and refuses it gzipped', async () => {
    const parquet = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 7), Buffer.from('PAR1')]);
    expect(await sniff(parquet)).toEqual({ ...plain, format: 'parquet' });
    const e = await refusal(zlib.gzipSync(parquet));
    expect(e.code).toBe('bad_request:gzipped_parquet');
    expect(e.message).toMatch(/^upload f\d+\.dat is a gzip-compressed Parquet file/);
  });
});

describe('sniffSource: refusals', () => {
  it('refuses empty files: no bytes, only whitespace, only a BOM, or an empty gzip', async () => {
    for (const content of ['', ' \r\n\t\n', '\uFEFF', '\uFEFF  \n', zlib.gzipSync('')]) {
      const e = await refusal(content);
      expect(e.code).toBe('bad_request:empty_file');
      expect(e.message).toMatch(/^upload f\d+\.dat is empty/);
    }
  });

  it('refuses a PNG, naming the offset of the first NUL byte', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const e = await refusal(png);
    expect(e.code).toBe('bad_request:binary_file');
    expect(e.message).toMatch(/^upload f\d+\.dat looks like a binary file, not text: it has a NUL byte at byte offset 8\.$/);
    expect(e.details).toEqual({ offset: 8 });
  });

  it('refuses text full of control characters, and gzipped binary', async () => {
    const noisy = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i % 5 === 0 ? 0x01 : 0x41)));
    expect((await refusal(noisy)).code).toBe('bad_request:binary_file');
    const e = await refusal(zlib.gzipSync(Buffer.from('a,b\n\x00')));
    expect(e.code).toBe('bad_request:binary_file');
    expect(e.message).toContain('byte offset 4 (after decompressing)');
  });

  it('refuses UTF-16 with a clear message instead of calling it binary', async () => {
    const e = await refusal(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n', 'utf16le')]));
    expect(e.code).toBe('bad_request:unsupported_encoding');
  });

  it('refuses a file that starts like gzip but is not', async () => {
    expect((await refusal(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]))).code).toBe('bad_request:bad_gzip');
  });
});
