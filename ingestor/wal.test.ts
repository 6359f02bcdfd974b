/**
 * The write-ahead log on its own: framing and CRC, group commit, sealing, replay that repairs a torn
 * tail and keeps damaged segments aside, and the dedup state that survives it all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEDUP_WINDOW, DedupState, readCheckpoint, writeCheckpoint } from './dedup';
import { replayLog } from './ingestor';
import { decodeBatchRecord, encodeBatchRecord, peekBatchIdentity } from './record';
import { quietLog } from './testing';
import { RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES, SegmentReader, Wal, listSegments } from './wal';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-wal-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const record = (producer: string, seq: number, payload = 'x'.repeat(100)) => encodeBatchRecord(Buffer.from(producer), seq, 1_700_000_000_000 + seq, 1, [], [Buffer.from(payload)]);

function readAll(file: string) {
  const r = new SegmentReader(file);
  const out: { producer: string; seq: number }[] = [];
  for (let b = r.next(); b; b = r.next()) {
    const id = peekBatchIdentity(b);
    out.push({ producer: id.producerId, seq: id.sequence });
  }
  r.close();
  return { records: out, problem: r.problem, goodEnd: r.goodEnd };
}

describe('the log', () => {
  it('stores records framed with length and CRC, and reads them back', async () => {
    const dir = tmp();
    const wal = new Wal({ dir, log: quietLog, segmentBytes: 1 << 20, nextSegmentNo: 7 }, []);
    await Promise.all([wal.append(record('a', 1), Date.now()), wal.append(record('b', 1), Date.now())]);
    await wal.close();
    const [seg] = listSegments(dir);
    expect(seg!.no).toBe(7);
    expect(readAll(seg!.file)).toEqual({ records: [{ producer: 'a', seq: 1 }, { producer: 'b', seq: 1 }], problem: undefined, goodEnd: fs.statSync(seg!.file).size });
    const r = new SegmentReader(seg!.file);
    const rec = decodeBatchRecord(r.next()!);
    expect({ producer: rec.producerId, seq: rec.sequence, events: rec.events.toString(), rejects: rec.rejects() }).toEqual({ producer: 'a', seq: 1, events: 'x'.repeat(100), rejects: [] });
    r.close();
  });

  it('commits concurrent appends in groups, in order', async () => {
    const dir = tmp();
    const wal = new Wal({ dir, log: quietLog, segmentBytes: 1 << 30, nextSegmentNo: 1 }, []);
    let commits = 0;
    wal.onCommit = () => commits++;
    const order: number[] = [];
    await Promise.all(Array.from({ length: 500 }, (_, i) => wal.append(record('p', i + 1), Date.now()).then(() => order.push(i + 1))));
    await wal.close();
    expect(order).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(commits).toBeLessThan(100);
    expect(readAll(listSegments(dir)[0]!.file).records.map((r) => r.seq)).toEqual(order);
  });

  it('seals a segment when it is full or asked to, and opens the next on demand', async () => {
    const dir = tmp();
    const wal = new Wal({ dir, log: quietLog, segmentBytes: 2000, nextSegmentNo: 1 }, []);
    const sealed: number[] = [];
    wal.onSeal = (s) => sealed.push(s.no);
    for (let i = 1; i <= 30; i++) await wal.append(record('p', i), Date.now());
    wal.requestSeal();
    await wal.close();
    expect(sealed.length).toBeGreaterThan(1);
    expect(wal.sealed().map((s) => s.no)).toEqual(sealed);
    expect(wal.activeState().records).toBe(0);
    await wal.release(sealed.slice(0, 1));
    expect(listSegments(dir).map((s) => s.no)).toEqual(sealed.slice(1));
  });
});

describe('replay', () => {
  async function writeSegments(dir: string, batches: number, segmentBytes = 1 << 20) {
    const wal = new Wal({ dir, log: quietLog, segmentBytes, nextSegmentNo: 1 }, []);
    for (let i = 1; i <= batches; i++) await wal.append(record('p', i), Date.now());
    await wal.close();
  }

  it('cuts a torn last record (a crash mid-write) and rebuilds the dedup state', async () => {
    const dir = tmp();
    await writeSegments(dir, 10);
    const [seg] = listSegments(dir);
    const full = fs.statSync(seg!.file).size;
    fs.truncateSync(seg!.file, full - 7);
    const dedup = new DedupState();
    const replay = replayLog(dir, dedup, 0, quietLog);
    expect(replay.records).toBe(9);
    expect(replay.repaired[0]).toMatch(/torn record/);
    expect(fs.statSync(seg!.file).size).toBe(SEGMENT_HEADER_BYTES + 9 * ((full - SEGMENT_HEADER_BYTES) / 10));
    expect(dedup.has('p', 9)).toBe(true);
    expect(dedup.has('p', 10)).toBe(false);
  });

  it('stops at a CRC mismatch, keeps a copy of a damaged older segment, and drops flushed ones', async () => {
    const dir = tmp();
    await writeSegments(dir, 12, 400);
    const segs = listSegments(dir);
    expect(segs.length).toBeGreaterThanOrEqual(3);
    // Flip a byte in the body of the second record of the second segment.
    const victim = segs[1]!.file;
    const buf = fs.readFileSync(victim);
    const second = SEGMENT_HEADER_BYTES + RECORD_HEADER_BYTES + buf.readUInt32LE(SEGMENT_HEADER_BYTES);
    const at = second + RECORD_HEADER_BYTES + 40;
    buf[at] = buf[at]! ^ 0xff;
    fs.writeFileSync(victim, buf);
    const replay = replayLog(dir, new DedupState(), segs[0]!.no, quietLog);
    expect(fs.existsSync(segs[0]!.file)).toBe(false);
    expect(replay.repaired).toEqual([expect.stringMatching(/CRC mismatch/)]);
    expect(fs.readdirSync(path.join(dir, 'corrupt'))).toHaveLength(1);
    expect(replay.segments.map((s) => s.no)).toEqual(segs.slice(1).map((s) => s.no));
  });
});

describe('dedup state', () => {
  it('knows every sequence in its window, and counts older ones as stored', () => {
    const d = new DedupState();
    for (const s of [1, 2, 5, 7]) d.add('p', s);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((s) => d.has('p', s))).toEqual([true, true, false, false, true, false, true, false]);
    d.add('p', 7 + DEDUP_WINDOW + 10);
    expect(d.has('p', 3)).toBe(true); // below the window: treated as stored
    expect(d.has('p', 7 + DEDUP_WINDOW + 9)).toBe(false);
    expect(d.lastSequence('p')).toBe(7 + DEDUP_WINDOW + 10);
    expect(d.has('q', 1)).toBe(false);
  });

  it('survives a checkpoint round trip', async () => {
    const d = new DedupState();
    for (let s = 1; s <= 3000; s += 3) d.add('p', s);
    d.add('other', 42);
    const file = path.join(tmp(), 'checkpoint.json');
    await writeCheckpoint(file, d.toCheckpoint('abcd1234', 17));
    const c = readCheckpoint(file)!;
    expect(c).toMatchObject({ epoch: 'abcd1234', lastFlushedSegment: 17 });
    const back = DedupState.fromCheckpoint(c);
    for (let s = 3000 - DEDUP_WINDOW + 1; s <= 3005; s++) expect(back.has('p', s)).toBe(d.has('p', s));
    expect(back.has('other', 42)).toBe(true);
  });
});
