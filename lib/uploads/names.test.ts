import { describe, expect, it } from 'vitest';
import { KeystoneError } from '../errors';
import { decodeFileNameHeader, sanitizeDisplayName } from './names';

function refusal(raw: unknown): string {
  try {
    sanitizeDisplayName(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(KeystoneError);
    expect((e as KeystoneError).code).toBe('bad_request:file_name');
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(raw)} was accepted`);
}

describe('upload file names', () => {
  it('keeps ordinary names, accents and spaces (display text only)', () => {
    expect(sanitizeDisplayName('olist_orders_dataset.csv')).toBe('olist_orders_dataset.csv');
    expect(sanitizeDisplayName('  Relatório de Vendas (final).csv ')).toBe('Relatório de Vendas (final).csv');
    expect(sanitizeDisplayName('..hidden.csv')).toBe('..hidden.csv');
    // NFC: a decomposed "é" becomes the composed one, so the same name always looks the same.
    expect(sanitizeDisplayName('cafe\u0301.csv')).toBe('café.csv');
  });

  it('refuses names that climb folders or carry a path, saying why', () => {
    expect(refusal('../../etc/passwd')).toMatch(/parent folder/);
    expect(refusal('..\\..\\boot.ini')).toMatch(/parent folder/);
    expect(refusal('data/orders.csv')).toMatch(/folder separator/);
    expect(refusal('..')).toMatch(/not a file name/);
  });

  it('refuses control and text-direction characters', () => {
    expect(refusal('bad\u0007name.csv')).toMatch(/control character U\+0007/);
    expect(refusal('new\nline.csv')).toMatch(/U\+000A/);
    expect(refusal('nul\u0000.csv')).toMatch(/U\+0000/);
    expect(refusal('invoice\u202Evsc.exe')).toMatch(/text-direction character U\+202E/);
  });

  it('refuses empty, overlong and missing names', () => {
    expect(refusal('   ')).toMatch(/empty/);
    expect(refusal('x'.repeat(256))).toMatch(/longer than 255 bytes/);
    expect(refusal(undefined)).toMatch(/no file name/);
  });

  it('decodes the percent-encoded header', () => {
    expect(decodeFileNameHeader(encodeURIComponent('Relatório.csv'))).toBe('Relatório.csv');
    expect(() => decodeFileNameHeader(null)).toThrow(/X-File-Name/);
    expect(() => decodeFileNameHeader('%E0%A4%A')).toThrow(/percent-encoded/);
  });
});
