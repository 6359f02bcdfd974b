import { describe, expect, it } from 'vitest';
import { KeystoneError } from '../errors';
import { CsvReader, type CsvOptions, type CsvRecord } from './csv-parser';

const MiB = 1024 * 1024;

async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function parseWith(source: AsyncIterable<string>, opts: Partial<CsvOptions> = {}) {
  const reader = new CsvReader(source, { delimiter: ',', ...opts });
  const header = await reader.header();
  const records: CsvRecord[] = [];
  for await (const r of reader.records()) records.push(r);
  return { header, records };
}

/** Parses the text whole and cut into many chunk sizes: the result must not depend on where chunks end. */
async function parse(text: string, opts: Partial<CsvOptions> = {}) {
  const first = await parseWith(chunked(text, Math.max(text.length, 1)), opts);
  for (const size of [1, 2, 3, 5, 7, 16, 64]) {
    expect(await parseWith(chunked(text, size), opts), `chunk size ${size}`).toEqual(first);
  }
  return first;
}

async function refusal(text: string, opts: Partial<CsvOptions> = {}): Promise<KeystoneError> {
  try {
    await parseWith(chunked(text, 3), opts);
  } catch (e) {
    expect(e).toBeInstanceOf(KeystoneError);
    return e as KeystoneError;
  }
  throw new Error('expected the parse to be refused');
}

const good = (record: number, line: number, fields: string[]): CsvRecord => ({ record, line, fields });

describe('CsvReader: well-formed input', () => {
  it('reads quoted and bare fields in any mix, with empty fields and a missing final newline', async () => {
    const { header, records } = await parse('id, name ,note\n1,"Ana",plain\n2,Bob,"with, comma"\n"3",,""\n4,x,last');
    expect(header).toEqual(['id', 'name', 'note']);
    expect(records).toEqual([
      good(1, 2, ['1', 'Ana', 'plain']),
      good(2, 3, ['2', 'Bob', 'with, comma']),
      good(3, 4, ['3', '', '']),
      good(4, 5, ['4', 'x', 'last']),
    ]);
  });

  it('keeps \\n and \\r\\n inside quoted fields, with accents, and counts their lines', async () => {
    const text = 'id,review,score\r\n1,"ótimo\nproduto, recomendo",5\r\n2,"linha um\r\nlinha dois\r\n",4\r\n3,não gostei,1\r\n';
    const { records } = await parse(text);
    expect(records).toEqual([
      good(1, 2, ['1', 'ótimo\nproduto, recomendo', '5']),
      good(2, 4, ['2', 'linha um\r\nlinha dois\r\n', '4']),
      good(3, 7, ['3', 'não gostei', '1']),
    ]);
  });

  it('turns "" inside quotes into one quote, and keeps a quote inside a bare field as is', async () => {
    const { records } = await parse('a,b,c\n"he said ""hi""","""",""""""\n5" screen,a"b"c,"x"\n');
    expect(records).toEqual([good(1, 2, ['he said "hi"', '"', '""']), good(2, 3, ['5" screen', 'a"b"c', 'x'])]);
  });

  it('strips a BOM and trims header names', async () => {
    const { header, records } = await parse('\uFEFF id ,"Name "\r\n1,x\r\n');
    expect(header).toEqual(['id', 'Name']);
    expect(records).toEqual([good(1, 2, ['1', 'x'])]);
  });

  it('skips blank lines (empty or \\r) but counts them', async () => {
    const { records } = await parse('\n\r\na,b\n\n1,2\r\n\r\n\n3,4\n\n');
    expect(records).toEqual([good(1, 5, ['1', '2']), good(2, 8, ['3', '4'])]);
  });

  it('reads tab- and semicolon-separated text', async () => {
    expect((await parse('a\tb\n"x\ty"\tz\n', { delimiter: '\t' })).records).toEqual([good(1, 2, ['x\ty', 'z'])]);
    expect((await parse('a;b\n1,5;"2;3"\n', { delimiter: ';' })).records).toEqual([good(1, 2, ['1,5', '2;3'])]);
  });

  it('yields no records for a header-only file', async () => {
    expect(await parse('a,b,c\n')).toEqual({ header: ['a', 'b', 'c'], records: [] });
    expect(await parse('a,b,c')).toEqual({ header: ['a', 'b', 'c'], records: [] });
    expect(await parse('a,b,c\r\n\r\n')).toEqual({ header: ['a', 'b', 'c'], records: [] });
  });

  it('keeps a lone \\r inside a bare field and drops a final \\r', async () => {
    const { records } = await parse('a,b\nx\ry,z\r');
    expect(records).toEqual([good(1, 2, ['x\ry', 'z'])]);
  });

  it('numbers 100k records exactly, multi-line ones included', async () => {
    let text = 'id,text\n';
    let line = 2;
    const expected: Array<[number, number]> = [];
    for (let i = 1; i <= 100_000; i++) {
      expected.push([i, line]);
      if (i % 7 === 0) {
        text += `${i},"two\nlines, ""quoted"""\n`;
        line += 2;
      } else {
        text += `${i},plain ${i}\n`;
        line += 1;
      }
    }
    const { records } = await parseWith(chunked(text, 4093));
    expect(records).toHaveLength(100_000);
    expect(records.every((r, k) => r.error === undefined && r.fields[0] === String(k + 1))).toBe(true);
    expect(records.map((r) => [r.record, r.line])).toEqual(expected);
    expect(records[6]!.fields[1]).toBe('two\nlines, "quoted"');
  });
});

describe('CsvReader: malformed records', () => {
  it('marks ragged records with their exact raw text; the rows after are unaffected', async () => {
    const { records } = await parse('a,b,c\n1,2,3\n4,5\n6,7,8,9,10\n"x,y",z\n11,12,13\n');
    expect(records).toEqual([
      good(1, 2, ['1', '2', '3']),
      { record: 2, line: 3, fields: ['4', '5'], raw: '4,5', error: 'expected 3 fields, found 2' },
      { record: 3, line: 4, fields: ['6', '7', '8', '9', '10'], raw: '6,7,8,9,10', error: 'expected 3 fields, found 5' },
      { record: 4, line: 5, fields: ['x,y', 'z'], raw: '"x,y",z', error: 'expected 3 fields, found 2' },
      good(5, 6, ['11', '12', '13']),
    ]);
  });

  it('marks text after a closing quote as malformed and keeps it in the field', async () => {
    const { records } = await parse('a,b,c\n1,"abc"x,3\r\n2,b,c\n');
    expect(records).toEqual([
      { record: 1, line: 2, fields: ['1', 'abcx', '3'], raw: '1,"abc"x,3', error: 'unexpected text after the closing quote of field 2' },
      good(2, 3, ['2', 'b', 'c']),
    ]);
  });

  const tenRecords = (third: string, rest: (i: number) => string) => {
    let text = 'id,name,city\n1,a,x\n2,b,y\n' + third + '\n';
    for (let i = 4; i <= 10; i++) text += rest(i) + '\n';
    return text;
  };
  const expectOnlyThirdLost = (records: CsvRecord[], rawThird: string) => {
    expect(records).toHaveLength(10);
    expect(records[2]).toMatchObject({ record: 3, line: 4, fields: [], raw: rawThird });
    expect(records[2]!.error).toMatch(/field 2 /);
    for (let i = 4; i <= 10; i++) {
      expect(records[i - 1]).toEqual(good(i, i + 1, [String(i), `n${i}`, `c${i}`]));
    }
  };

  it('an unclosed quote in record 3 of 10 costs only that record (no quotes after it)', async () => {
    const { records } = await parse(tenRecords('3,"broken,z', (i) => `${i},n${i},c${i}`));
    expectOnlyThirdLost(records, '3,"broken,z');
    expect(records[2]!.error).toMatch(/never closed/);
    expect(records[2]!.error).toMatch(/read again/);
  });

  it('a stray quote in record 3 of 10 costs only that record (quoted fields after it)', async () => {
    const { records } = await parse(tenRecords('3,"broken,z', (i) => `${i},"n${i}",c${i}`));
    expectOnlyThirdLost(records, '3,"broken,z');
    expect(records[2]!.error).toMatch(/unexpected text after the closing quote/);
  });

  it('a stray quote that "closes" on a later bare quote still costs one record', async () => {
    const { records } = await parse(tenRecords('3,"broken,z', (i) => (i === 7 ? `${i},n${i},c${i}"` : `${i},n${i},c${i}`)));
    expect(records[2]).toMatchObject({ record: 3, line: 4, raw: '3,"broken,z' });
    expect(records[2]!.error).toMatch(/^expected 3 fields, found 2 \(the record ran on past line 4/);
    expect(records[6]).toEqual(good(7, 8, ['7', 'n7', 'c7"']));
    expect(records.filter((r) => r.error !== undefined)).toHaveLength(1);
  });

  it('(known limit) a stray quote pairing with a later one into a record of the right shape is one valid record', async () => {
    // RFC 4180 reads this as a single record whose field 2 spans lines 4-8; no rule can tell it apart.
    const { records } = await parse(tenRecords('3,"broken,z', (i) => (i === 7 ? `${i},n${i}",c${i}` : `${i},n${i},c${i}`)));
    expect(records).toHaveLength(6);
    expect(records[2]).toEqual(good(3, 4, ['3', 'broken,z\n4,n4,c4\n5,n5,c5\n6,n6,c6\n7,n7', 'c7']));
    expect(records[3]).toEqual(good(4, 9, ['8', 'n8', 'c8']));
  });

  it('an unclosed quote on the last line is that line', async () => {
    const { records } = await parse('a,b\n1,2\n3,"oops');
    expect(records).toEqual([good(1, 2, ['1', '2']), { record: 2, line: 3, fields: [], raw: '3,"oops', error: 'field 2 opens a quote that is never closed' }]);
  });

  it('refuses a field over maxFieldBytes (counted in UTF-8 bytes), cutting raw to 1 KiB', async () => {
    const big = 'é'.repeat(3000); // 6000 bytes, 3000 characters
    const { records } = await parse(`a,b\n1,${big}\n2,"${big}"\n3,ok\n`, { maxFieldBytes: 5000 });
    expect(records).toHaveLength(3);
    for (const r of records.slice(0, 2)) {
      expect(r.error).toBe('field 2 is larger than the 5000 bytes limit (maxFieldBytes)');
      expect(r.raw).toHaveLength(1025);
      expect(r.raw!.endsWith('…')).toBe(true);
    }
    expect(records[2]).toEqual(good(3, 4, ['3', 'ok']));
  });

  it('an oversized multi-line quoted field is cut back to its first line; nothing after it is lost', async () => {
    const text = 'a,b\n1,"start\n' + 'x'.repeat(300) + '\nend",z\n2,ok\n';
    const { records } = await parse(text, { maxFieldBytes: 100 });
    expect(records[0]).toMatchObject({ record: 1, line: 2, raw: '1,"start' });
    expect(records[0]!.error).toMatch(/^field 2 is larger than the 100 bytes limit \(maxFieldBytes\), or opens a quote that is never closed \(the record ran on past line 2/);
    // The lines inside the broken field are read again, each as its own (malformed) record.
    expect(records.slice(1).map((r) => r.raw ?? r.fields.join(','))).toEqual(['x'.repeat(300).slice(0, 1024), 'end",z', '2,ok']);
    expect(records.at(-1)).toEqual(good(4, 5, ['2', 'ok']));
  });
});

describe('CsvReader: header problems', () => {
  it('refuses duplicate names (case-insensitively) and names them', async () => {
    const e = await refusal('id,name,ID,name,x\n1,2,3,4,5\n');
    expect(e.code).toBe('bad_request:bad_header');
    expect(e.message).toContain('"id" = "ID" (columns 1, 3)');
    expect(e.message).toContain('"name" = "name" (columns 2, 4)');
  });

  it('refuses empty names', async () => {
    const e = await refusal('id,, ,x\n', { displayName: 'orders.csv' });
    expect(e.code).toBe('bad_request:bad_header');
    expect(e.message).toBe('orders.csv: the header has columns without a name: column 2, column 3.');
  });

  it('refuses a header longer than maxHeaderBytes, even when it never ends', async () => {
    const long = Array.from({ length: 2000 }, (_, i) => `column_${i}`).join(',');
    expect((await refusal(long + '\n1\n', { maxHeaderBytes: 1000 })).code).toBe('bad_request:header_too_long');
    expect((await refusal('"' + 'x'.repeat(5000), { maxHeaderBytes: 1000 })).code).toBe('bad_request:header_too_long');
    const e = await refusal('"' + 'h'.repeat(2 * MiB) + '"\n');
    expect(e.code).toBe('bad_request:header_too_long');
    expect(e.message).toContain('1 MiB');
  });

  it('refuses a header with a broken quote, and a file with no header', async () => {
    expect((await refusal('a,"b\n1,2\n')).code).toBe('bad_request:bad_header');
    expect((await refusal('a,"b"c\n1,2\n')).code).toBe('bad_request:bad_header');
    expect((await refusal('\n\r\n')).code).toBe('bad_request:empty_file');
  });
});

describe('CsvReader: a 50 MB single-line field', () => {
  const FIELD = 50 * 1000 * 1000; // characters of value
  async function* bigSource(quoted: boolean): AsyncGenerator<string> {
    yield 'id,big,tail\n1,' + (quoted ? '"' : '');
    // Quoted, with a "" escape (and a comma) in every 100 characters of value.
    const piece = quoted ? ('ab""cd,' + 'x'.repeat(94)).repeat(10_000) : 'x'.repeat(1_000_000);
    for (let n = 0; n < 50; n++) yield piece;
    yield (quoted ? '"' : '') + ',end\n2,small,ok\n';
  }

  for (const quoted of [false, true]) {
    it(`${quoted ? 'quoted' : 'bare'}: malformed under the default 16 MiB limit, with bounded memory`, async () => {
      global.gc?.();
      const base = process.memoryUsage().heapUsed;
      let peak = 0;
      async function* watched() {
        for await (const s of bigSource(quoted)) {
          peak = Math.max(peak, process.memoryUsage().heapUsed - base);
          yield s;
        }
      }
      const started = performance.now();
      const { records } = await parseWith(watched());
      const seconds = (performance.now() - started) / 1000;
      console.log(`50 MB ${quoted ? 'quoted' : 'bare'} field, default limit: ${seconds.toFixed(2)} s, heap peak +${(peak / MiB).toFixed(0)} MiB`);
      expect(records).toHaveLength(2);
      expect(records[0]!.error).toMatch(/^field 2 is larger than the 16 MiB limit \(maxFieldBytes\)/);
      expect(records[0]!.raw).toHaveLength(1025);
      expect(records[1]).toEqual(good(2, 3, ['2', 'small', 'ok']));
      expect(seconds).toBeLessThan(30); // quadratic rescanning would take minutes
      // Holding the whole line would take 50+ MB; the parser holds about the 16 MiB limit.
      expect(peak).toBeLessThan(100 * MiB);
    });

    it(`${quoted ? 'quoted' : 'bare'}: parsed whole under a 64 MiB limit, in linear time`, async () => {
      const started = performance.now();
      const { records } = await parseWith(bigSource(quoted), { maxFieldBytes: 64 * MiB });
      const seconds = (performance.now() - started) / 1000;
      console.log(`50 MB ${quoted ? 'quoted' : 'bare'} field, 64 MiB limit: ${seconds.toFixed(2)} s`);
      expect(records).toHaveLength(2);
      expect(records[0]!.error).toBeUndefined();
      const big = records[0]!.fields[1]!;
      expect(big.length).toBe(FIELD);
      expect(big.slice(0, 10)).toBe(quoted ? 'ab"cd,xxxx' : 'xxxxxxxxxx');
      expect(records[0]!.fields[2]).toBe('end');
      expect(records[1]).toEqual(good(2, 3, ['2', 'small', 'ok']));
      expect(seconds).toBeLessThan(30); // quadratic rescanning would take minutes
    });
  }
});

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

async function* randomChunks(text: string, rand: () => number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(rand() * 40);
    yield text.slice(i, i + n);
    i += n;
  }
}

describe('CsvReader: generated input', () => {
  it('reads back exactly what a CSV writer wrote, whatever the chunking', async () => {
    const rand = prng(42);
    const alphabet = ['a', 'b', 'é', 'ç', '"', ',', '\n', '\r\n', ' ', ';', '😀', '\t', ''];
    const value = () => Array.from({ length: Math.floor(rand() * 8) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    const encode = (v: string) => (/[",\r\n]/.test(v) || rand() < 0.3 ? `"${v.replaceAll('"', '""')}"` : v);
    const rows = Array.from({ length: 3000 }, () => [value(), value(), value()]);
    // A record whose only field is empty is a blank line; give the first column something.
    for (const r of rows) r[0] = 'k' + r[0];
    const text = 'x,y,z\r\n' + rows.map((r) => r.map(encode).join(',')).join(rand() < 0.5 ? '\n' : '\r\n');
    const { records } = await parseWith(randomChunks(text, rand));
    expect(records.filter((r) => r.error !== undefined)).toEqual([]);
    expect(records.map((r) => r.fields)).toEqual(rows);
    expect(records.map((r) => r.record)).toEqual(rows.map((_, i) => i + 1));
  });

  it('never hangs, throws or depends on chunking on random garbage', async () => {
    const rand = prng(7);
    const alphabet = ['"', '""', ',', '\n', '\r', 'a', 'bc', ' '];
    for (let round = 0; round < 200; round++) {
      const text = 'h1,h2\n' + Array.from({ length: 60 }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const whole = await parseWith(chunked(text, text.length), { maxFieldBytes: 20 });
      const pieces = await parseWith(randomChunks(text, rand), { maxFieldBytes: 20 });
      expect(pieces).toEqual(whole);
      whole.records.forEach((r, i) => expect(r.record).toBe(i + 1));
      for (let i = 1; i < whole.records.length; i++) expect(whole.records[i]!.line).toBeGreaterThan(whole.records[i - 1]!.line);
    }
  });
});

describe('CsvReader: the source', () => {
  function tracked(text: string) {
    const state = { closed: false };
    async function* source(): AsyncGenerator<string> {
      try {
        for (let i = 0; i < text.length; i += 4) yield text.slice(i, i + 4);
      } finally {
        state.closed = true;
      }
    }
    return { state, source: source() };
  }

  it('is closed when the consumer stops early or the header is refused', async () => {
    const early = tracked('a,b\n1,2\n3,4\n5,6\n7,8\n');
    const reader = new CsvReader(early.source, { delimiter: ',' });
    await reader.header();
    for await (const r of reader.records()) if (r.record === 1) break;
    expect(early.state.closed).toBe(true);

    const refused = tracked('a,a\n1,2\n3,4\n');
    await expect(new CsvReader(refused.source, { delimiter: ',' }).header()).rejects.toThrow(KeystoneError);
    expect(refused.state.closed).toBe(true);
  });

  it('can be read only once', async () => {
    const reader = new CsvReader(chunked('a\n1\n', 1), { delimiter: ',' });
    for await (const _ of reader.records()) void _;
    await expect(reader.records().next()).rejects.toMatchObject({ code: 'internal:csv_reader' });
  });
});

describe('CsvReader: options', () => {
  it('refuses a delimiter that cannot work', () => {
    expect(() => new CsvReader(chunked('', 1), { delimiter: '"' })).toThrow(KeystoneError);
    expect(() => new CsvReader(chunked('', 1), { delimiter: ',,' })).toThrow(KeystoneError);
  });
});
