/**
 * CSV of a whole query result, streamed: rows are read from the engine batch by batch as the client
 * downloads them (a pull stream, so a slow client slows the engine instead of filling memory), and a
 * client that goes away cancels the query. RFC 4180: comma-separated, CRLF line ends, fields quoted
 * when they hold a comma, a quote, a line break or leading/trailing spaces; NULL is an empty field;
 * lists and structs are their JSON text.
 */
import type { Column, Row, Value } from '../engine/engine';

export function csvField(v: Value): string {
  if (v === null) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly Value[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

export interface CsvStreamOptions {
  /** Called once the last row went out (or the stream failed / was cancelled), with the row count. */
  onEnd?(outcome: { status: 'succeeded' | 'failed' | 'cancelled'; rows: number; error?: unknown }): void;
  /** A UTF-8 byte order mark first, so spreadsheet programs read accents right (default true). */
  bom?: boolean;
}

/** A web ReadableStream of CSV bytes over batches of rows. */
export function csvStream(columns: readonly Column[], batches: AsyncIterable<Row[]>, options: CsvStreamOptions = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = batches[Symbol.asyncIterator]();
  let rows = 0;
  let ended = false;
  const end = (status: 'succeeded' | 'failed' | 'cancelled', error?: unknown) => {
    if (ended) return;
    ended = true;
    options.onEnd?.({ status, rows, error });
  };
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode((options.bom === false ? '' : '\uFEFF') + csvLine(columns.map((c) => c.name))));
          return;
        }
        try {
          const next = await iterator.next();
          if (next.done) {
            end('succeeded');
            controller.close();
            return;
          }
          let text = '';
          for (const row of next.value) text += csvLine(row);
          rows += next.value.length;
          controller.enqueue(encoder.encode(text));
        } catch (e) {
          end('failed', e);
          controller.error(e);
        }
      },
      async cancel() {
        end('cancelled');
        await iterator.return?.();
      },
    },
    // About two batches buffered ahead of the client.
    { highWaterMark: 2 },
  );
}
