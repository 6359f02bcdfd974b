'use client';
/** Saved queries (shared by the team) and the person's own history, beside the editor. */
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { deleteQueryAction } from './actions';
import { formatCount, formatDuration, formatWhen } from '@/components/format';
import type { SavedQueryView } from './saved-view';
import styles from './sql.module.css';

export interface HistoryItem {
  id: number;
  sql: string;
  params: Record<string, unknown> | null;
  savedQueryId: string | null;
  engine: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  rowCount: number | null;
  elapsedMs: number | null;
  error: string | null;
  startedAt: string;
}

export function SidePanel({
  saved,
  onOpenSaved,
  onOpenHistory,
  onDeleted,
  historyVersion,
  role,
  userId,
}: {
  saved: SavedQueryView[];
  onOpenSaved: (q: SavedQueryView) => void;
  onOpenHistory: (h: HistoryItem) => void;
  onDeleted: (id: string) => void;
  /** Bumped after each run, to refresh the history. */
  historyVersion: number;
  role: 'engineer' | 'analyst';
  userId: string;
}) {
  const [tab, setTab] = useState<'saved' | 'history'>('saved');
  const [deleteError, setDeleteError] = useState<string>();
  const remove = async (q: SavedQueryView) => {
    if (!window.confirm(`Delete the saved query “${q.name}” for everyone?`)) return;
    setDeleteError(undefined);
    const r = await deleteQueryAction(q.id);
    if (r.ok) onDeleted(q.id);
    else setDeleteError(r.error);
  };
  const history = useQuery({
    queryKey: ['sql-history', historyVersion],
    queryFn: async () => {
      const r = await fetch('/api/sql/history?limit=100');
      if (!r.ok) throw new Error(`history: ${r.status}`);
      return ((await r.json()) as { entries: HistoryItem[] }).entries;
    },
    enabled: tab === 'history',
  });
  return (
    <aside className={styles.side} aria-label="Saved queries and history">
      <div className={styles.tabs} role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'saved'} className={`${styles.tab} ${tab === 'saved' ? styles.tabActive : ''}`} onClick={() => setTab('saved')}>
          Saved ({saved.length})
        </button>
        <button type="button" role="tab" aria-selected={tab === 'history'} className={`${styles.tab} ${tab === 'history' ? styles.tabActive : ''}`} onClick={() => setTab('history')}>
          History
        </button>
      </div>
      {tab === 'saved' ? (
        <div className={styles.sideList} data-testid="saved-queries">
          {saved.length === 0 ? <p className={styles.sideEmpty}>No saved queries yet. Write one and press Save.</p> : null}
          {deleteError ? (
            <p className="error small" role="alert">
              {deleteError}
            </p>
          ) : null}
          {saved.map((q) => (
            <div key={q.id} className={styles.item} data-testid="saved-query">
              <button type="button" className="link-button" onClick={() => onOpenSaved(q)} title="Open in the editor">
                <span className={styles.itemTitle}>{q.name}</span>
              </button>
              {q.description ? <span className={styles.itemDesc}>{q.description}</span> : null}
              <span className={styles.itemSql}>{q.sql.replace(/\s+/g, ' ')}</span>
              <span className={styles.itemActions}>
                <Link href={`/sql/saved/${q.id}`}>Run with parameters{q.parameters.length ? ` (${q.parameters.length})` : ''}</Link>
                {role === 'engineer' || q.userId === userId ? (
                  <button type="button" className="link-button" onClick={() => void remove(q)} aria-label={`Delete ${q.name}`}>
                    Delete
                  </button>
                ) : null}
              </span>
            </div>
          ))}
        </div>
      ) : (
        <div className={styles.sideList} data-testid="history">
          {history.isLoading ? <p className={styles.sideEmpty}>Loading…</p> : null}
          {history.error ? <p className={styles.sideEmpty}>Could not load the history.</p> : null}
          {history.data?.length === 0 ? <p className={styles.sideEmpty}>Nothing run yet.</p> : null}
          {history.data?.map((h) => (
            <button key={h.id} type="button" className={styles.item} onClick={() => onOpenHistory(h)} data-testid="history-item" title={h.error ?? h.sql}>
              <span className={styles.itemSql}>{h.sql.replace(/\s+/g, ' ')}</span>
              <span className={styles.itemMeta}>
                <span className={`status status-${h.status === 'succeeded' ? 'succeeded' : h.status === 'running' ? 'running' : 'failed'}`}>{h.status}</span>
                <span>{h.rowCount === null ? '' : `${formatCount(h.rowCount)} rows`}</span>
                <span>{formatDuration(h.elapsedMs)}</span>
              </span>
              <span className={styles.itemMeta}>{formatWhen(h.startedAt)}</span>
            </button>
          ))}
        </div>
      )}
    </aside>
  );
}
