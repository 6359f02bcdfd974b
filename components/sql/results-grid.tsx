'use client';
/**
 * The results grid: virtualized, so a 100k-row result keeps only the rows in view (plus a few above
 * and below, ~40 in all) in the DOM. Fixed row height, fixed column widths from each column's type:
 * nothing is measured while scrolling.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef, type MutableRefObject } from 'react';
import type { Column, ColumnType, Row, Value } from '@/lib/engine/engine';
import styles from './sql.module.css';

const ROW_HEIGHT = 28;
const NUMERIC: ReadonlySet<ColumnType> = new Set(['integer', 'bigint', 'double', 'decimal']);
const WIDTH: Partial<Record<ColumnType, number>> = { boolean: 90, integer: 110, bigint: 130, double: 130, decimal: 130, date: 110, timestamp: 210, time: 110 };

function widthOf(c: Column): number {
  const byType = WIDTH[c.type] ?? 200;
  return Math.max(byType, Math.min(320, 16 + 7.5 * Math.max(c.name.length, c.engineType.length * 0.85)));
}

function text(v: Value): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

export function ResultsGrid({
  columns,
  rows,
  rowCount,
  runNumber,
  onFirstPaint,
}: {
  columns: Column[];
  rows: MutableRefObject<Row[]>;
  rowCount: number;
  runNumber: number;
  onFirstPaint?: (at: number) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const widths = useMemo(() => columns.map(widthOf), [columns]);
  const indexWidth = Math.max(48, 14 + 8 * String(rowCount).length);
  const total = indexWidth + widths.reduce((a, w) => a + w, 0);
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });

  // A new run starts at the top.
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [runNumber]);

  // The first rows are on screen once this commit is painted: report it after the next frame.
  const reported = useRef(-1);
  useLayoutEffect(() => {
    if (rowCount > 0 && reported.current !== runNumber && onFirstPaint) {
      reported.current = runNumber;
      requestAnimationFrame((at) => {
        performance.mark('keystone:sql:first-rows-painted');
        onFirstPaint(at);
      });
    }
  }, [rowCount, runNumber, onFirstPaint]);

  if (columns.length === 0) return null;
  const items = virtualizer.getVirtualItems();
  return (
    <div ref={scroller} className={styles.gridScroll} role="grid" aria-label="Query results" aria-rowcount={rowCount + 1} aria-colcount={columns.length} data-testid="results-grid">
      <div className={styles.gridHeader} role="row" style={{ width: total }}>
        <div className={`${styles.headCell} ${styles.indexCell}`} style={{ width: indexWidth }} role="columnheader">
          #
        </div>
        {columns.map((c, i) => (
          <div key={i} className={styles.headCell} style={{ width: widths[i] }} role="columnheader" title={`${c.name} · ${c.engineType}`} data-testid="column-header">
            <span className={styles.headName}>{c.name}</span>
            <span className={styles.headType} data-testid="column-type">
              {c.engineType}
            </span>
          </div>
        ))}
      </div>
      <div className={styles.gridBody} style={{ height: virtualizer.getTotalSize(), width: total }}>
        {items.map((item) => {
          const row = rows.current[item.index];
          if (!row) return null;
          return (
            <div key={item.key} className={styles.gridRow} role="row" aria-rowindex={item.index + 2} data-testid="result-row" style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width: total }}>
              <div className={`${styles.cell} ${styles.indexCell}`} style={{ width: indexWidth }} role="rowheader">
                {item.index + 1}
              </div>
              {row.map((v, c) => {
                const col = columns[c]!;
                if (v === null) {
                  return (
                    <div key={c} role="gridcell" className={`${styles.cell} ${styles.nullCell}`} style={{ width: widths[c] }}>
                      NULL
                    </div>
                  );
                }
                const t = text(v);
                return (
                  <div key={c} role="gridcell" className={`${styles.cell} ${NUMERIC.has(col.type) ? styles.numCell : ''}`} style={{ width: widths[c] }} title={t.length > 30 ? t.slice(0, 2000) : undefined}>
                    {t}
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
      {rowCount === 0 ? <div className={styles.gridEmpty}>No rows.</div> : null}
    </div>
  );
}
