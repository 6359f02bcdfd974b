'use client';
/**
 * A run's log, live: polls the logs route with the last sequence number it has (TanStack Query), keeps
 * the lines in one growing array, and renders only the rows in view (TanStack Virtual), so 50k lines
 * scroll as smoothly as 50. Follows the end while the reader is at the end.
 */
import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { LogLine } from '@/lib/console/runs';

const ROW_HEIGHT = 20;
/** Pages fetched per poll at most (5000 lines each), so one poll never blocks long. */
const PAGES_PER_POLL = 4;

export function LogViewer({ runId, running }: { runId: string; running: boolean }) {
  const lines = useRef<LogLine[]>([]);
  const cursor = useRef(0);
  const [count, setCount] = useState(0);
  const [follow, setFollow] = useState(true);
  // The lines live in this component, so its query must not be answered from another mount's cache.
  const [mount] = useState(() => Math.random().toString(36).slice(2));
  const parent = useRef<HTMLDivElement>(null);

  const query = useQuery({
    queryKey: ['run-logs', runId, mount],
    gcTime: 0,
    queryFn: async () => {
      for (let page = 0; page < PAGES_PER_POLL; page++) {
        const res = await fetch(`/api/runs/${runId}/logs?after=${cursor.current}&limit=5000`, { cache: 'no-store' });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const body = (await res.json()) as { lines: LogLine[]; next: number; more: boolean };
        for (const l of body.lines) lines.current.push(l);
        cursor.current = body.next;
        if (!body.more) return { count: lines.current.length, done: true };
      }
      return { count: lines.current.length, done: false };
    },
    // Keep polling while the run goes, and until the last page has been read after it ended.
    refetchInterval: (q) => (running || q.state.data?.done === false ? (q.state.data?.done === false ? 50 : 1_000) : false),
    structuralSharing: false,
  });

  useEffect(() => {
    if (query.data) setCount(query.data.count);
  }, [query.data]);
  // One more read when the run ends, for the lines written after the last poll.
  const { refetch } = query;
  useEffect(() => {
    if (!running) void refetch();
  }, [running, refetch]);

  const virtualizer = useVirtualizer({ count, getScrollElement: () => parent.current, estimateSize: () => ROW_HEIGHT, overscan: 30 });
  useEffect(() => {
    if (follow && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [count, follow, virtualizer]);

  return (
    <section aria-label="Log">
      <div className="log-head">
        <h2 className="section-title">
          Log <span className="muted small" data-testid="log-count">{count.toLocaleString('en-US')} lines</span>
        </h2>
        <label className="small">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow the end
        </label>
      </div>
      <div
        ref={parent}
        className="log"
        role="log"
        aria-label="Run log"
        onWheel={() => {
          // The reader scrolled: stop following unless they are back at the end.
          const el = parent.current;
          if (el) setFollow(el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT * 2);
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const l = lines.current[item.index];
            if (!l) return null;
            return (
              <div key={item.key} className={`log-line level-${l.level}`} style={{ position: 'absolute', top: 0, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }} title={l.message.length > 160 || l.message.includes('\n') ? l.message : undefined} data-seq={l.seq}>
                <span className="log-seq">{l.seq}</span>
                <span className="log-time">{l.at.slice(11, 23)}</span>
                <span className="log-level">{l.level}</span>
                <span className="log-msg">{l.message}</span>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
