/**
 * Streaming, tolerant RFC-4180 reader for the bronze layer: every source record comes out, good or
 * malformed, with its record number and starting line, and nothing is cleaned or dropped.
 *
 * Grammar: a field is quoted only when its first character is a quote; `""` inside quotes is one
 * quote; quoted fields may hold \n and \r\n; a quote inside a bare field is an ordinary character.
 * Lines end in \n or \r\n. Blank lines ('' or '\r') are skipped but counted.
 *
 * Malformed records are yielded with `raw` (the source text) and `error`:
 *  - too few or too many fields;
 *  - text after a closing quote (`"abc"x,`), kept in the field as written;
 *  - a field larger than maxFieldBytes (its raw is cut to 1 KiB + '…');
 *  - a quote never closed before the end of the file.
 *
 * Recovery rule (why a single stray quote costs one record): a stray opening quote makes the rest
 * of the file look like one quoted field, or it "closes" on some later quote and leaves a record
 * that spans many lines and has the wrong shape. So whenever a record is malformed AND reaches past
 * its first physical line (unclosed quote at EOF, oversized field, text after a closing quote, wrong
 * field count), only its first physical line is reported, as one malformed record, and parsing
 * starts again at the next physical line with the normal grammar; those lines were held in memory
 * (at most ~maxFieldBytes of them, since an open field larger than that is cut off), so nothing
 * after the bad line is lost. The cost: a legitimately multi-line record that is malformed for
 * another reason is split into one record per line (each line parsed on its own, usually malformed
 * too); its text is all still there. And a stray quote that pairs with a later quote into a record
 * of the right shape is, by RFC 4180, one valid record: that cannot be told apart and is kept so.
 * If the offending first line is itself larger than the limit, only its first 1 KiB is kept and
 * the rest of that line is skipped without being held, so memory stays bounded.
 *
 * Speed: lines without any quote are split with String#split; quoted fields are scanned with
 * indexOf from quote to quote. A record split across input chunks is re-parsed only after the
 * buffered text has doubled, so one huge record costs linear, not quadratic, time.
 */
import { KeystoneError } from '../errors';

export interface CsvOptions {
  delimiter: string;
  /** Largest field, in UTF-8 bytes (default 16 MiB). */
  maxFieldBytes?: number;
  /** Largest header record, in UTF-8 bytes (default 1 MiB). */
  maxHeaderBytes?: number;
  /** Name of the source in error messages. */
  displayName?: string;
}

export interface CsvRecord {
  /** 1-based data record number, header excluded. */
  record: number;
  /** 1-based physical line where the record starts (the header starts on line 1). */
  line: number;
  /**
   * The values. For a malformed record, whatever could be read: the fields of a ragged line, or []
   * when the record was cut back to its first line (see the recovery rule above).
   */
  fields: string[];
  /** The source text of a malformed record, without its line ending (cut to 1 KiB + '…' if oversized). */
  raw?: string;
  /** Why the record is malformed. */
  error?: string;
}

export const DEFAULT_MAX_FIELD_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_HEADER_BYTES = 1024 * 1024;
const RAW_PREVIEW = 1024;

const LF = 10;
const CR = 13;
const QUOTE = 34;

const enum Status {
  Done,
  NeedMore,
  Oversize,
  Unclosed,
}

export class CsvReader {
  private readonly it: AsyncIterator<string>;
  private readonly delim: string;
  private readonly delimCode: number;
  private readonly maxField: number;
  private readonly maxHeader: number;
  private readonly name: string;

  private buf = '';
  private pos = 0;
  private eof = false;
  private lineNo = 1;
  private recNo = 0;
  private started = false;
  private headerPromise: Promise<string[]> | undefined;

  // indexOf caches: no quote/delimiter in [from, at); `at` is buf.length when there is none.
  private qFrom = 1;
  private qAt = 0;
  private dFrom = 1;
  private dAt = 0;

  // Result of the last parseAt().
  private fields: string[] = [];
  private end = 0; // after the record's line ending
  private rawEnd = 0; // before the record's line ending
  private nls = 0; // line breaks inside the record
  private err: string | undefined;
  private badField = 0; // 1-based, for Oversize/Unclosed
  private failStart = 0; // where the Oversize field starts
  private failEnd = 0; // how far it was scanned
  // Where the scan of an unfinished quoted field stopped, so the retry after more input goes on
  // from there (a field full of "" would otherwise be rescanned quote by quote each time).
  private hintAt = -1; // record start the hint is for
  private hintField = 0;
  private hintScan = 0;
  private hintEscaped = false;
  private quotedFail = false; // the Oversize field went over the limit while its quote was open

  constructor(source: AsyncIterable<string>, opts: CsvOptions) {
    const d = opts.delimiter;
    if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
      throw new KeystoneError('bad_request:csv_delimiter', `The CSV delimiter must be one character other than a quote or line break, not ${JSON.stringify(d)}.`);
    }
    this.it = source[Symbol.asyncIterator]();
    this.delim = d;
    this.delimCode = d.charCodeAt(0);
    this.maxField = opts.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
    this.maxHeader = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.name = opts.displayName ?? 'The file';
  }

  /** The header's column names, trimmed. Reads the header on first call. */
  header(): Promise<string[]> {
    this.headerPromise ??= this.readHeader().catch(async (e: unknown) => {
      await this.closeSource();
      throw e;
    });
    return this.headerPromise;
  }

  /** Records in order, in batches (one per input chunk): cheaper to iterate than records(). */
  async *batches(): AsyncGenerator<CsvRecord[]> {
    if (this.started) throw new KeystoneError('internal:csv_reader', 'A CsvReader can be read only once.');
    this.started = true;
    const width = (await this.header()).length;
    try {
      for (;;) {
        const out: CsvRecord[] = [];
        const next = this.parseAvailable(out, width);
        if (out.length > 0) yield out;
        if (next === 'end') return;
        if (next === 'more') await this.fill();
        else await this.skipLine();
      }
    } finally {
      // A consumer that stops early (or fails) must not leave the file open.
      await this.closeSource();
    }
  }

  async *records(): AsyncGenerator<CsvRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  private async closeSource(): Promise<void> {
    if (this.eof) return;
    this.eof = true;
    await this.it.return?.();
  }

  private async readHeader(): Promise<string[]> {
    while (this.buf.length === 0 && !this.eof) await this.fill();
    if (this.buf.charCodeAt(0) === 0xfeff) this.pos = 1;
    for (;;) {
      this.skipBlankLines();
      if (this.pos >= this.buf.length) {
        if (this.eof) throw new KeystoneError('bad_request:empty_file', `${this.name} has no header line.`);
        await this.fill();
        continue;
      }
      const st = this.parseAt(this.pos, this.maxHeader);
      if (st === Status.NeedMore) {
        if (this.buf.length - this.pos > this.maxHeader) throw this.headerTooLong();
        await this.fill();
        continue;
      }
      if (st === Status.Oversize) throw this.headerTooLong();
      if (st === Status.Unclosed) throw this.badHeader(`column ${this.badField} opens a quote that is never closed`);
      if (Buffer.byteLength(this.buf.slice(this.pos, this.rawEnd)) > this.maxHeader) throw this.headerTooLong();
      if (this.err !== undefined) throw this.badHeader(this.err);
      const names = this.fields.map((f) => f.trim());
      this.pos = this.end;
      this.lineNo += 1 + this.nls;
      checkNames(names, this.name);
      return names;
    }
  }

  private headerTooLong(): KeystoneError {
    return new KeystoneError(
      'bad_request:header_too_long',
      `${this.name}: the header line is longer than ${formatBytes(this.maxHeader)}; is the delimiter or the quoting wrong?`,
    );
  }

  private badHeader(why: string): KeystoneError {
    return new KeystoneError('bad_request:bad_header', `${this.name}: the header line (line ${this.lineNo}) is malformed: ${why}.`);
  }

  /** Parses what the buffer holds; says whether to read more, skip the rest of a huge line, or stop. */
  private parseAvailable(out: CsvRecord[], width: number): 'more' | 'skip' | 'end' {
    for (;;) {
      this.skipBlankLines();
      const p = this.pos;
      if (p >= this.buf.length) return this.eof ? 'end' : 'more';
      const st = this.parseAt(p, this.maxField);
      if (st === Status.NeedMore) return 'more';
      if (st === Status.Done) {
        let err = this.err;
        if (this.fields.length !== width) {
          const ragged = `expected ${width} fields, found ${this.fields.length}`;
          err = err === undefined ? ragged : `${err}; ${ragged}`;
        }
        if (err !== undefined && this.nls > 0) {
          this.cutBack(out, err, 'malformed');
          continue;
        }
        const rec: CsvRecord = { record: ++this.recNo, line: this.lineNo, fields: this.fields };
        if (err !== undefined) {
          rec.raw = this.buf.slice(p, this.rawEnd);
          rec.error = err;
        }
        out.push(rec);
        this.pos = this.end;
        this.lineNo += 1 + this.nls;
        continue;
      }
      // A quoted field over the limit may be still open, depending on where the input chunk ended;
      // one message for both keeps the output independent of chunking.
      const why =
        st === Status.Unclosed
          ? `field ${this.badField} opens a quote that is never closed`
          : `field ${this.badField} is larger than the ${formatBytes(this.maxField)} limit (maxFieldBytes)` +
            (this.quotedFail ? ', or opens a quote that is never closed' : '');
      const next = this.cutBack(out, why, st === Status.Oversize ? 'oversize' : 'unclosed');
      if (next !== 'ok') return next;
    }
  }

  /**
   * Reports the record at `pos` as its first physical line only, then resumes on the next line.
   * When that line does not end within the buffer: 'more' to see at least the 1 KiB kept of it,
   * then 'skip' to drop the rest of it unread.
   */
  private cutBack(out: CsvRecord[], why: string, kind: 'malformed' | 'oversize' | 'unclosed'): 'ok' | 'more' | 'skip' {
    const p = this.pos;
    const buf = this.buf;
    const nl = buf.indexOf('\n', p);
    const line = this.lineNo;
    this.hintAt = -1;
    if (nl === -1 && !this.eof) {
      if (buf.length - p <= RAW_PREVIEW) return 'more';
      out.push({ record: ++this.recNo, line, fields: [], raw: buf.slice(p, p + RAW_PREVIEW) + '…', error: why });
      this.setBuffer('');
      return 'skip';
    }
    const lineEnd = nl === -1 ? buf.length : nl;
    const e = lineEnd > p && buf.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
    let raw = buf.slice(p, e);
    if (kind === 'oversize' && raw.length > RAW_PREVIEW) raw = raw.slice(0, RAW_PREVIEW) + '…';
    // Whether later lines are read again. For an oversized field this must not depend on how much
    // of it was buffered, so it asks where the field starts and whether, quoted, it was still within
    // the limit at the end of the first line.
    const ranOn =
      nl !== -1 &&
      (kind === 'malformed' ||
        (kind === 'unclosed' && nl + 1 < buf.length) ||
        (kind === 'oversize' && (this.failStart > nl || (this.failEnd > nl && nl < this.failStart + this.maxField))));
    const error = ranOn
      ? `${why} (the record ran on past line ${line}: only that line is kept as this record, and the lines after it were read again as new records)`
      : why;
    out.push({ record: ++this.recNo, line, fields: [], raw, error });
    this.pos = lineEnd === buf.length ? lineEnd : lineEnd + 1;
    this.lineNo += 1;
    return 'ok';
  }

  private skipBlankLines(): void {
    const buf = this.buf;
    let p = this.pos;
    for (;;) {
      const c = buf.charCodeAt(p);
      if (c === LF) {
        p += 1;
      } else if (c === CR && buf.charCodeAt(p + 1) === LF) {
        p += 2;
      } else if (c === CR && p + 1 === buf.length && this.eof) {
        this.pos = p + 1;
        return;
      } else {
        break;
      }
      this.lineNo++;
    }
    this.pos = p;
  }

  /** Drops the rest of an over-long physical line without holding it. */
  private async skipLine(): Promise<void> {
    for (;;) {
      const nl = this.buf.indexOf('\n', this.pos);
      if (nl !== -1) {
        this.pos = nl + 1;
        this.lineNo += 1;
        return;
      }
      if (this.eof) {
        this.pos = this.buf.length;
        return;
      }
      const r = await this.it.next();
      if (r.done) this.eof = true;
      this.setBuffer(r.done ? '' : r.value);
    }
  }

  /** Appends input until the unparsed tail has at least doubled (or the input ends). */
  private async fill(): Promise<void> {
    this.hintAt = this.hintAt === this.pos ? 0 : -1;
    const tail = this.buf.slice(this.pos);
    const parts = [tail];
    let got = 0;
    const want = Math.max(tail.length, 1);
    while (got < want) {
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        break;
      }
      parts.push(r.value);
      got += r.value.length;
    }
    this.setBuffer(parts.length === 1 ? tail : parts.join(''));
  }

  private setBuffer(s: string): void {
    this.buf = s;
    this.pos = 0;
    this.qFrom = this.dFrom = 1;
    this.qAt = this.dAt = 0;
  }

  private nextQuote(i: number): number {
    if (i < this.qFrom || i > this.qAt) {
      const k = this.buf.indexOf('"', i);
      this.qFrom = i;
      this.qAt = k === -1 ? this.buf.length : k;
    }
    return this.qAt;
  }

  private nextDelim(i: number): number {
    if (i < this.dFrom || i > this.dAt) {
      const k = this.buf.indexOf(this.delim, i);
      this.dFrom = i;
      this.dAt = k === -1 ? this.buf.length : k;
    }
    return this.dAt;
  }

  /** Parses one record starting at p (not a blank line). */
  private parseAt(p: number, limit: number): Status {
    const buf = this.buf;
    const nl = buf.indexOf('\n', p);
    if (nl !== -1 || this.eof) {
      const lineEnd = nl === -1 ? buf.length : nl;
      if (this.nextQuote(p) >= lineEnd) {
        // The common case: no quote anywhere on the line.
        const e = lineEnd > p && buf.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
        const fields = buf.slice(p, e).split(this.delim);
        if ((e - p) * 3 > limit) {
          for (let k = 0; k < fields.length; k++) {
            const f = fields[k]!;
            if (tooBig(f.length, f, limit)) return this.fail(Status.Oversize, k + 1, p, e);
          }
        }
        return this.done(fields, nl === -1 ? buf.length : nl + 1, e, 0, undefined);
      }
    }
    return this.parseGeneral(p, limit, nl === -1 ? buf.length : nl);
  }

  private parseGeneral(p: number, limit: number, firstNl: number): Status {
    const buf = this.buf;
    const len = buf.length;
    const eof = this.eof;
    const fields: string[] = [];
    let err: string | undefined;
    let nl = firstNl; // next line break at or after i (len when none yet)
    let nls = 0;
    let i = p;
    for (;;) {
      const start = i;
      let prefix = '';
      if (buf.charCodeAt(i) === QUOTE) {
        let j = i + 1;
        let escaped = false;
        if (this.hintAt === p && this.hintField === start - p) {
          j = p + this.hintScan;
          escaped = this.hintEscaped;
        }
        let q: number;
        for (;;) {
          q = buf.indexOf('"', j);
          // A quote as the buffer's last character could still be the first half of "".
          if (q === -1 || (q === len - 1 && !eof)) {
            if (len - start > limit) return this.fail(Status.Oversize, fields.length + 1, start, len, true);
            if (eof) return this.fail(Status.Unclosed, fields.length + 1, start, len);
            this.hintAt = p;
            this.hintField = start - p;
            this.hintScan = j - p;
            this.hintEscaped = escaped;
            return Status.NeedMore;
          }
          if (buf.charCodeAt(q + 1) !== QUOTE) break;
          escaped = true;
          j = q + 2;
        }
        const value = escaped ? unescapeQuotes(buf, start + 1, q) : buf.slice(start + 1, q);
        i = q + 1;
        while (nl < q) {
          nls++;
          const k = buf.indexOf('\n', nl + 1);
          nl = k === -1 ? len : k;
        }
        if (i - start > limit) return this.fail(Status.Oversize, fields.length + 1, start, i, true);
        if (tooBig(0, value, limit)) return this.fail(Status.Oversize, fields.length + 1, start, i);
        const c = buf.charCodeAt(i);
        if (c === this.delimCode) {
          fields.push(value);
          i++;
          continue;
        }
        if (c === LF) {
          fields.push(value);
          return this.done(fields, i + 1, i, nls, err);
        }
        if (i >= len || (c === CR && i + 1 >= len)) {
          if (!eof) return Status.NeedMore;
          fields.push(value);
          return this.done(fields, len, i, nls, err);
        }
        if (c === CR && buf.charCodeAt(i + 1) === LF) {
          fields.push(value);
          return this.done(fields, i + 2, i, nls, err);
        }
        err ??= `unexpected text after the closing quote of field ${fields.length + 1}`;
        prefix = value; // keep what follows as written, up to the next delimiter or line end
      }
      const d = this.nextDelim(i);
      if (d < nl) {
        const value = prefix + buf.slice(i, d);
        if (tooBig(d - start, value, limit)) return this.fail(Status.Oversize, fields.length + 1, start, d);
        fields.push(value);
        i = d + 1;
        continue;
      }
      if (nl === len && !eof) {
        // A final '\r' may be half of the line ending, and then not part of the field.
        const span = len - start - (buf.charCodeAt(len - 1) === CR ? 1 : 0);
        return span > limit ? this.fail(Status.Oversize, fields.length + 1, start, len) : Status.NeedMore;
      }
      const e = nl > i && buf.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      const value = prefix + buf.slice(i, e);
      if (tooBig(e - start, value, limit)) return this.fail(Status.Oversize, fields.length + 1, start, e);
      fields.push(value);
      return this.done(fields, nl === len ? len : nl + 1, e, nls, err);
    }
  }

  private done(fields: string[], end: number, rawEnd: number, nls: number, err: string | undefined): Status {
    this.hintAt = -1;
    this.fields = fields;
    this.end = end;
    this.rawEnd = rawEnd;
    this.nls = nls;
    this.err = err;
    return Status.Done;
  }

  /** `quoted`: the field went over the limit before (or without) its closing quote. */
  private fail(st: Status, field: number, start: number, end: number, quoted = false): Status {
    this.badField = field;
    this.failStart = start;
    this.failEnd = end;
    this.quotedFail = quoted;
    return st;
  }
}

/**
 * buf[from, to) with each "" made one quote. Appending slices builds a rope; flattening it every
 * 1024 pieces keeps a field with millions of escapes from leaving millions of live objects to GC.
 */
function unescapeQuotes(buf: string, from: number, to: number): string {
  const done: string[] = [];
  let out = '';
  let n = 0;
  let j = from;
  for (;;) {
    const q = buf.indexOf('"', j);
    if (q === -1 || q >= to) break;
    out += buf.slice(j, q + 1);
    j = q + 2;
    if (++n === 1024) {
      out.charCodeAt(0); // flattens the rope
      done.push(out);
      out = '';
      n = 0;
    }
  }
  out += buf.slice(j, to);
  if (done.length === 0) return out;
  done.push(out);
  return done.join('');
}

/** Cheap length test first; the exact UTF-8 size only when the text could be over. */
function tooBig(span: number, value: string, limit: number): boolean {
  return span > limit || (value.length * 3 > limit && Buffer.byteLength(value) > limit);
}

function checkNames(names: string[], display: string): void {
  const empty = names.flatMap((n, i) => (n === '' ? [i + 1] : []));
  if (empty.length > 0) {
    throw new KeystoneError(
      'bad_request:bad_header',
      `${display}: the header has column${empty.length > 1 ? 's' : ''} without a name: ${empty.map((i) => `column ${i}`).join(', ')}.`,
    );
  }
  // Case-insensitive, because DuckDB column names are.
  const seen = new Map<string, number[]>();
  names.forEach((n, i) => {
    const k = n.toLowerCase();
    seen.set(k, [...(seen.get(k) ?? []), i + 1]);
  });
  const dups = [...seen.values()].filter((cols) => cols.length > 1);
  if (dups.length > 0) {
    const list = dups.map((cols) => `${cols.map((c) => JSON.stringify(names[c - 1])).join(' = ')} (columns ${cols.join(', ')})`);
    throw new KeystoneError('bad_request:bad_header', `${display}: the header repeats column names: ${list.join('; ')}.`);
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
