'use client';
/**
 * "This query will scan about …" beside Run, like BigQuery's validator: Athena bills by bytes scanned
 * and has no dry run, so the estimate (from the catalog's file statistics, see lib/sql/estimate.ts) is
 * fetched as the SQL changes, debounced. With DuckDB it says what the same query would cost on Athena.
 */
import { useEffect, useState } from 'react';
import { formatBytes } from '@/components/format';
import type { ScanEstimate } from '@/lib/sql/estimate';
import styles from './sql.module.css';

const DEBOUNCE_MS = 400;

export function useScanEstimate(sql: string): ScanEstimate | undefined {
  const [estimate, setEstimate] = useState<ScanEstimate | undefined>();
  useEffect(() => {
    if (sql.trim() === '') {
      setEstimate(undefined);
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      fetch('/api/sql/estimate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }), signal: abort.signal })
        .then(async (res) => (res.ok ? ((await res.json()) as ScanEstimate) : undefined))
        .then(setEstimate, () => undefined);
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [sql]);
  return estimate;
}

export function dollars(n: number): string {
  return n < 0.01 ? `$${n.toFixed(6)}` : `$${n.toFixed(2)}`;
}

export function ScanEstimateBadge({ estimate, engine }: { estimate: ScanEstimate | undefined; engine: 'duckdb' | 'athena' }) {
  if (!estimate) return null;
  const title = [
    `Estimated from the catalog's file statistics: ${estimate.bytes.toLocaleString('en-US')} bytes; billed ${formatBytes(estimate.billedBytes)} (Athena rounds up to the MB, at least 10 MB per query) at $5 per TB.`,
    ...estimate.notes,
    ...(estimate.unknownTables.length ? [`No statistics for ${estimate.unknownTables.join(', ')}: the estimate is low by their size.`] : []),
  ].join('\n');
  return (
    <span className={styles.estimate} data-testid="scan-estimate" data-bytes={estimate.bytes} title={title}>
      will scan ≈ <b>{formatBytes(estimate.bytes)}</b> · {dollars(estimate.dollars)}
      {engine === 'duckdb' ? ' on Athena' : ''}
      {estimate.unknownTables.length ? ' (+ tables without statistics)' : ''}
    </span>
  );
}
