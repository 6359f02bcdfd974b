import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config';
import { INGEST_VARIABLES, loadIngestSettings } from './settings';

const config = loadConfig({ KEYSTONE_DATA_DIR: '/tmp/ks-settings-test' }, '/tmp');

describe('ingestor settings', () => {
  it('has defaults in the spirit of Firehose, tuned smaller, and the metrics port beside the gRPC one', () => {
    const s = loadIngestSettings(config, {});
    expect(s).toMatchObject({ flushBytes: 64 * 1024 * 1024, flushMaxBytes: 256 * 1024 * 1024, duckdbMemory: '64MB', flushIntervalMs: 10_000, metricsPort: 50052, maxBatchEvents: 10_000, walDir: '/tmp/ks-settings-test/ingestor/wal' });
    expect(loadIngestSettings(config, {}, 0).metricsPort).toBe(0);
  });

  it('names every wrong variable in one error', () => {
    expect(() => loadIngestSettings(config, { KEYSTONE_INGEST_FLUSH_BYTES: 'lots', KEYSTONE_INGEST_FAULT: 'maybe', KEYSTONE_INGEST_SOURCES: 'ok,Not Ok' })).toThrow(
      /KEYSTONE_INGEST_FLUSH_BYTES[\s\S]*KEYSTONE_INGEST_SOURCES[\s\S]*KEYSTONE_INGEST_FAULT/,
    );
  });

  it('documents every variable in docs/ingestor.md exactly as declared', () => {
    const doc = fs.readFileSync(new URL('../docs/ingestor.md', import.meta.url), 'utf8');
    const table = doc.split('<!-- ingest-table:start -->')[1]!.split('<!-- ingest-table:end -->')[0]!;
    for (const v of INGEST_VARIABLES) expect(table).toContain(`| \`${v.name}\` | ${v.default} | ${v.meaning} |`);
  });
});
