import { describe, expect, it } from 'vitest';
import { isKeystoneError } from '../errors';
import { formatCsvRecord, parseCsv } from './csv';

describe('CSV (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and CRLF / LF line breaks', () => {
    const text = 'a,b,c\r\n"1,5","say ""hi""","line1\r\nline2"\n"","",x\nbare,"q",\n';
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['1,5', 'say "hi"', 'line1\r\nline2'],
      ['', '', 'x'],
      ['bare', 'q', ''],
    ]);
  });

  it('ignores a leading BOM and a missing final line break', () => {
    expect(parseCsv('\uFEFFx,y\n1,2')).toEqual([['x', 'y'], ['1', '2']]);
  });

  it('writes what it reads back, quoting only where needed unless asked', () => {
    const fields = ['plain', 'a,b', 'say "hi"', 'two\nlines', '', 'são paulo'];
    expect(formatCsvRecord(fields)).toBe('plain,"a,b","say ""hi""","two\nlines",,são paulo');
    expect(formatCsvRecord(['1', '2'], true)).toBe('"1","2"');
    expect(parseCsv(formatCsvRecord(fields) + '\n' + formatCsvRecord(fields, true))).toEqual([fields, fields]);
  });

  it('refuses an unterminated quoted field', () => {
    try {
      parseCsv('a\n"open');
      expect.unreachable();
    } catch (e) {
      expect(isKeystoneError(e, 'bad_request')).toBe(true);
    }
  });
});
