import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeystoneError } from '../errors';
import { CsvReader, type CsvRecord } from './csv-parser';
import { NORMALIZED_CSV_READ_OPTIONS, streamDecodedText, writeNormalized } from './normalized-writer';
import { sniffSource } from './sniff';

let tmp: string;
let inst: DuckDBInstance;
let con: DuckDBConnection;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'keystone-normalized-'));
  const { DuckDBInstance } = await import('@duckdb/node-api');
  inst = await DuckDBInstance.create(':memory:');
  con = await inst.connect();
});

afterAll(async () => {
  con?.closeSync();
  inst?.closeSync();
  await fs.rm(tmp, { recursive: true, force: true });
});

let n = 0;
async function file(content: string | Buffer, ext = 'csv'): Promise<string> {
  const p = path.join(tmp, `source-${n++}.${ext}`);
  await fs.writeFile(p, content);
  return p;
}

async function decode(p: string): Promise<string> {
  let text = '';
  for await (const s of streamDecodedText(p, await sniffSource(p))) text += s;
  return text;
}

/** The whole ingest path: sniff, decode, parse, write normalized. */
async function normalize(source: string) {
  const sniff = await sniffSource(source);
  const reader = new CsvReader(streamDecodedText(source, sniff), { delimiter: sniff.delimiter ?? ',', displayName: path.basename(source) });
  const header = await reader.header();
  const out = source + '.normalized.csv';
  const result = await writeNormalized(reader.batches(), header, out);
  return { out, header, result };
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await con.runAndReadAll(sql);
  return reader.getRowObjects() as Record<string, unknown>[];
}

const readNormalized = (out: string) => `read_csv('${out}', ${NORMALIZED_CSV_READ_OPTIONS})`;

describe('streamDecodedText', () => {
  it('decodes Latin-1 (as windows-1252) and drops a BOM', async () => {
    expect(await decode(await file(Buffer.from('cidade\nSão Paulo\n', 'latin1')))).toBe('cidade\nSão Paulo\n');
    expect(await decode(await file(Buffer.from([0x61, 0x0a, 0x80, 0x20, 0xe9, 0x0a])))).toBe('a\n€ é\n');
    expect(await decode(await file('\uFEFFa,b\n1,2\n'))).toBe('a,b\n1,2\n');
  });

  it('gunzips, and keeps multi-byte characters whole across read chunks', async () => {
    const text = 'id,text\n' + Array.from({ length: 300_000 }, (_, i) => `${i},ótimo 😀 ${i}`).join('\n');
    expect(await decode(await file(text))).toBe(text);
    expect(await decode(await file(zlib.gzipSync(text), 'csv.gz'))).toBe(text);
  });

  it('refuses a file that stops being UTF-8 after the sniffed sample, naming the byte', async () => {
    const head = 'a,b\n' + 'x,y\n'.repeat(40_000);
    const p = await file(Buffer.concat([Buffer.from(head), Buffer.from([0xe3, 0x6f, 0x0a])]));
    const e = await decode(p).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(KeystoneError);
    expect((e as KeystoneError).code).toBe('bad_request:bad_encoding');
    expect((e as KeystoneError).message).toContain(`near byte ${head.length}`);
  });
});

describe('writeNormalized + DuckDB', () => {
  it('keeps messy values exactly, and marks malformed rows with NULL data and their raw line', async () => {
    const source = await file(
      'id,review,note,empty\r\n' +
        '1,"ótimo\nproduto, recomendo",plain,\r\n' +
        '2,"he said ""hi""","two\r\nlines",""\r\n' +
        '3,short\r\n' +
        '4,"abc"x,n,e\r\n' +
        '\r\n' +
        '5,São Paulo,"a,b",last\r\n',
    );
    const { out, header, result } = await normalize(source);
    expect(header).toEqual(['id', 'review', 'note', 'empty']);
    expect(result).toEqual({ rows: 5, malformed: 2, bytes: (await fs.stat(out)).size, maxLineBytes: 2 * 1024 * 1024 });
    const rows = await query(`select * from ${readNormalized(out)} order by _source_row`);
    expect(rows).toEqual([
      { id: '1', review: 'ótimo\nproduto, recomendo', note: 'plain', empty: '', _source_row: 1n, _source_line: 2n, _raw_line: null, _parse_error: null },
      { id: '2', review: 'he said "hi"', note: 'two\r\nlines', empty: '', _source_row: 2n, _source_line: 4n, _raw_line: null, _parse_error: null },
      { id: null, review: null, note: null, empty: null, _source_row: 3n, _source_line: 6n, _raw_line: '3,short', _parse_error: 'expected 4 fields, found 2' },
      {
        id: null,
        review: null,
        note: null,
        empty: null,
        _source_row: 4n,
        _source_line: 7n,
        _raw_line: '4,"abc"x,n,e',
        _parse_error: 'unexpected text after the closing quote of field 2',
      },
      { id: '5', review: 'São Paulo', note: 'a,b', empty: 'last', _source_row: 5n, _source_line: 9n, _raw_line: null, _parse_error: null },
    ]);
  });

  it('reads Latin-1, gzip and TSV sources end to end', async () => {
    const latin1 = await normalize(await file(Buffer.from('cidade;uf\nSão Paulo;SP\n', 'latin1')));
    expect(await query(`select cidade, uf from ${readNormalized(latin1.out)}`)).toEqual([{ cidade: 'São Paulo', uf: 'SP' }]);
    const gz = await normalize(await file(zlib.gzipSync('a,b\n1,"x\ny"\n'), 'csv.gz'));
    expect(await query(`select a, b from ${readNormalized(gz.out)}`)).toEqual([{ a: '1', b: 'x\ny' }]);
    const tsv = await normalize(await file('a\tb\n1\t"tab\there"\n', 'tsv'));
    expect(await query(`select a, b from ${readNormalized(tsv.out)}`)).toEqual([{ a: '1', b: 'tab\there' }]);
  });

  it('writes the header of a header-only file and no rows', async () => {
    const { out, result } = await normalize(await file('a,b\n'));
    expect(result.rows).toBe(0);
    expect(await fs.readFile(out, 'utf8')).toBe('"a","b","_source_row","_source_line","_raw_line","_parse_error"\n');
    expect(await query(`select count(*) as n from ${readNormalized(out)}`)).toEqual([{ n: 0n }]);
  });

  it('refuses header names it needs for itself', async () => {
    const records = (async function* () {})();
    await expect(writeNormalized(records, ['id', '_Source_Row'], path.join(tmp, 'x.csv'))).rejects.toMatchObject({ code: 'bad_request:bad_header' });
  });

  it('turns a record too long for DuckDB into a malformed row instead of failing the file', async () => {
    const out = path.join(tmp, 'huge.csv');
    const huge = 'x'.repeat(65 * 1024 * 1024);
    async function* records(): AsyncGenerator<CsvRecord> {
      yield { record: 1, line: 2, fields: ['a', huge] };
      yield { record: 2, line: 3, fields: ['b', 'c'] };
    }
    expect(await writeNormalized(records(), ['k', 'v'], out)).toMatchObject({ rows: 2, malformed: 1 });
    const rows = await query(`select k, length(v) as v, length(_raw_line) as raw, _parse_error from ${readNormalized(out)} order by _source_row`);
    expect(rows).toEqual([
      { k: null, v: null, raw: 1025n, _parse_error: 'the record is larger than the 64 MiB a normalized line may hold (raw shows the start of its values joined by commas)' },
      { k: 'b', v: 1n, raw: null, _parse_error: null },
    ]);
  });

  it('removes the partial file when the input fails', async () => {
    const out = path.join(tmp, 'partial.csv');
    async function* failing(): AsyncGenerator<CsvRecord> {
      yield { record: 1, line: 2, fields: ['x'] };
      throw new Error('disk on fire');
    }
    await expect(writeNormalized(failing(), ['a'], out)).rejects.toThrow('disk on fire');
    await expect(fs.access(out)).rejects.toThrow();
  });

  it('round-trips 200k rows of nasty content through DuckDB', async () => {
    const nasty = ['', '"', '""', 'a "quoted" word', 'line\nbreak', 'crlf\r\nbreak', 'comma, inside', 'ótimo\nproduto, recomendo', 'emoji 😀', ' spaced ', 'tab\tin', 'NULL', '\\N'];
    const expected = new Map<number, { text: string; other: string } | { raw: string }>();
    const source = path.join(tmp, 'nasty.csv');
    const ws = createWriteStream(source);
    ws.write('id,text,other\n');
    const q = (v: string) => `"${v.replaceAll('"', '""')}"`;
    let malformed = 0;
    for (let i = 1; i <= 200_000; i++) {
      let line: string;
      if (i % 9973 === 0) {
        line = `${i},only two`;
        expected.set(i, { raw: line });
        malformed++;
      } else {
        const text = nasty[i % nasty.length]! + (i % 3 === 0 ? ` #${i}` : '');
        const other = nasty[(i * 7) % nasty.length]!;
        line = `${i},${q(text)},${i % 2 === 0 ? q(other) : other.replace(/[",\r\n]/g, '_')}`;
        expected.set(i, { text, other: i % 2 === 0 ? other : other.replace(/[",\r\n]/g, '_') });
      }
      if (!ws.write(line + (i % 5 === 0 ? '\r\n' : '\n'))) await new Promise<void>((r) => ws.once('drain', () => r()));
    }
    await new Promise<void>((r) => ws.end(r));

    const { out, result } = await normalize(source);
    expect(result).toMatchObject({ rows: 200_000, malformed });
    const [stats] = await query(
      `select count(*) as n, count(_raw_line) as bad, count(*) filter (where _raw_line is null and _parse_error is null and id is not null) as good,
              max(_source_row) as last, count(distinct _source_row) as distinct_rows
       from ${readNormalized(out)}`,
    );
    expect(stats).toEqual({ n: 200_000n, bad: BigInt(malformed), good: BigInt(200_000 - malformed), last: 200_000n, distinct_rows: 200_000n });

    const pick = [1, 2, 3, 5, 7, 8, 9973, 12_345, 99_999, 199_999, 200_000];
    const rows = await query(`select * from ${readNormalized(out)} where _source_row in (${pick.join(',')}) order by _source_row`);
    expect(rows).toHaveLength(pick.length);
    for (const row of rows) {
      const want = expected.get(Number(row._source_row))!;
      if ('raw' in want) {
        expect(row).toMatchObject({ id: null, text: null, other: null, _raw_line: want.raw, _parse_error: 'expected 3 fields, found 2' });
      } else {
        expect(row).toMatchObject({ id: String(row._source_row), text: want.text, other: want.other, _raw_line: null, _parse_error: null });
      }
    }
    // Lines count the embedded line breaks of earlier records.
    const [last] = await query(`select _source_line from ${readNormalized(out)} where _source_row = 200000`);
    const lineBreaks = (v: string) => v.split('\n').length - 1;
    let breaks = 0;
    for (const [row, v] of expected) if (row < 200_000 && 'text' in v) breaks += lineBreaks(v.text) + lineBreaks(v.other);
    expect(last).toEqual({ _source_line: BigInt(200_000 + 1 + breaks) });
  });

  it('prints the parse + write throughput on ~100 MB of typical CSV', async () => {
    const source = path.join(tmp, 'typical.csv');
    const ws = createWriteStream(source);
    ws.write('order_id,customer_id,status,purchased_at,amount,city,state,product,quantity,review\n');
    const statuses = ['delivered', 'shipped', 'canceled', 'invoiced'];
    const cities = ['sao paulo', 'rio de janeiro', 'belo horizonte', 'curitiba', 'porto alegre'];
    let size = 0;
    for (let i = 0; size < 100 * 1024 * 1024; i++) {
      const review = i % 10 === 0 ? `"bom, ""recomendo"" ${i}"` : i % 3 === 0 ? `chegou no prazo ${i}` : '';
      const line = `${(i * 2654435761) >>> 0}f3a9c2e1b7d4${i},c${i % 99991}e5b2a8,${statuses[i % 4]},2018-0${1 + (i % 9)}-1${i % 10} 1${i % 10}:2${i % 10}:00,${(i % 997) + 0.5},${cities[i % 5]},SP,p${i % 3001},${1 + (i % 4)},${review}\n`;
      size += line.length;
      if (!ws.write(line)) await new Promise<void>((r) => ws.once('drain', () => r()));
    }
    await new Promise<void>((r) => ws.end(r));
    const bytes = (await fs.stat(source)).size;

    // Wall time depends on what else runs on the machine; CPU time (all of this process's threads,
    // GC and file I/O included) much less so. Both are printed.
    const measure = async <T>(work: () => Promise<T>) => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const value = await work();
      const used = process.cpuUsage(cpu);
      return { value, wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
    };
    const both = await measure(() => normalize(source));
    const parse = await measure(async () => {
      const reader = new CsvReader(streamDecodedText(source, await sniffSource(source)), { delimiter: ',' });
      await reader.header();
      let records = 0;
      for await (const batch of reader.batches()) records += batch.length;
      return records;
    });

    const mb = bytes / 1e6;
    const rate = (m: { wall: number; cpu: number }) => `${(mb / m.wall).toFixed(0)} MB/s wall, ${(mb / m.cpu).toFixed(0)} MB per CPU-second`;
    console.log(
      `throughput on ${mb.toFixed(0)} MB, ${parse.value} records (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs): ` +
        `decode+parse ${rate(parse)}; decode+parse+write normalized ${rate(both)} (${(both.value.result.bytes / 1e6).toFixed(0)} MB written)`,
    );
    const result = both.value.result;
    const records = parse.value;
    expect(result.malformed).toBe(0);
    expect(result.rows).toBe(records);
  });
});
