/**
 * Which (producer, sequence) batches are stored, so a retried batch is stored once.
 *
 * Per producer: the highest sequence stored (`max`) and a 1,024-bit window saying which of the
 * sequences max-1023 … max are stored. A sequence above max is new; one in the window is stored iff its
 * bit is set; one below the window counts as stored (a producer does not retry a batch 1,024 batches
 * late). The window lets a producer have many batches in flight and retry a refused one after later
 * ones went through, without the server keeping every sequence ever seen.
 *
 * Durability: the state is rebuilt on start from the checkpoint file plus a replay of the log's
 * remaining records; the checkpoint is rewritten after every flush, before the flushed log segments are
 * deleted, so nothing the log forgets is forgotten here. Batches are marked only once their record is
 * fsynced (a batch in flight is tracked apart by the caller).
 */
import fs from 'node:fs';
import { writeFileDurableAsync } from './wal';

export const DEDUP_WINDOW = 1024;
const WORDS = DEDUP_WINDOW / 32;

class ProducerState {
  max = 0;
  readonly bits = new Uint32Array(WORDS);

  has(seq: number): boolean {
    if (seq > this.max) return false;
    if (seq <= this.max - DEDUP_WINDOW) return true;
    const i = seq % DEDUP_WINDOW;
    return (this.bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  add(seq: number): void {
    if (seq > this.max) {
      const gap = seq - this.max;
      if (gap >= DEDUP_WINDOW) this.bits.fill(0);
      else for (let s = this.max + 1; s <= seq; s++) this.clear(s % DEDUP_WINDOW);
      this.max = seq;
    } else if (seq <= this.max - DEDUP_WINDOW) {
      return;
    }
    const i = seq % DEDUP_WINDOW;
    this.bits[i >>> 5] = this.bits[i >>> 5]! | (1 << (i & 31));
  }

  private clear(i: number) {
    this.bits[i >>> 5] = this.bits[i >>> 5]! & ~(1 << (i & 31));
  }
}

export interface DedupCheckpoint {
  version: 1;
  /** Random id of this log directory (see Ingestor: part of every flush's name). */
  epoch: string;
  /** Highest segment number flushed; new segments are numbered above it. */
  lastFlushedSegment: number;
  producers: Record<string, { max: number; window: string }>;
}

export class DedupState {
  private readonly producers = new Map<string, ProducerState>();

  has(producerId: string, seq: number): boolean {
    return this.producers.get(producerId)?.has(seq) ?? false;
  }

  add(producerId: string, seq: number): void {
    let p = this.producers.get(producerId);
    if (!p) {
      p = new ProducerState();
      this.producers.set(producerId, p);
    }
    p.add(seq);
  }

  lastSequence(producerId: string): number {
    return this.producers.get(producerId)?.max ?? 0;
  }

  get size(): number {
    return this.producers.size;
  }

  toCheckpoint(epoch: string, lastFlushedSegment: number): DedupCheckpoint {
    const producers: DedupCheckpoint['producers'] = {};
    const raw = Buffer.alloc(WORDS * 4);
    for (const [id, p] of this.producers) {
      for (let i = 0; i < WORDS; i++) raw.writeUInt32LE(p.bits[i]!, i * 4);
      producers[id] = { max: p.max, window: raw.toString('base64') };
    }
    return { version: 1, epoch, lastFlushedSegment, producers };
  }

  static fromCheckpoint(c: DedupCheckpoint): DedupState {
    const s = new DedupState();
    for (const [id, p] of Object.entries(c.producers)) {
      const st = new ProducerState();
      st.max = p.max;
      const raw = Buffer.from(p.window, 'base64');
      if (raw.length === WORDS * 4) for (let i = 0; i < WORDS; i++) st.bits[i] = raw.readUInt32LE(i * 4);
      s.producers.set(id, st);
    }
    return s;
  }
}

export function readCheckpoint(file: string): DedupCheckpoint | undefined {
  if (!fs.existsSync(file)) return undefined;
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as DedupCheckpoint;
  if (parsed.version !== 1 || typeof parsed.epoch !== 'string') throw new Error(`${file} is not a version 1 ingestor checkpoint`);
  return parsed;
}

export function writeCheckpoint(file: string, c: DedupCheckpoint): Promise<void> {
  return writeFileDurableAsync(file, JSON.stringify(c));
}
