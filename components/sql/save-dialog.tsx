'use client';
/** Save the editor's SQL as a named query with a description and typed parameters (with defaults and labels). */
import { useState, useTransition } from 'react';
import type { QueryParameter } from '@/db/schema';
import { PARAMETER_TYPES } from '@/lib/sql/parameters';
import { saveQueryAction } from './actions';
import type { SavedQueryView } from './saved-view';
import styles from './sql.module.css';

export function SaveDialog({
  sql,
  parameters,
  existing,
  onSaved,
  onClose,
}: {
  sql: string;
  parameters: QueryParameter[];
  existing?: SavedQueryView | undefined;
  onSaved: (q: SavedQueryView) => void;
  onClose: () => void;
}) {
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [params, setParams] = useState<QueryParameter[]>(parameters);
  const [asNew, setAsNew] = useState(!existing);
  const [error, setError] = useState<string>();
  const [pending, start] = useTransition();
  const setParam = (i: number, patch: Partial<QueryParameter>) => setParams((ps) => ps.map((p, j) => (j === i ? { ...p, ...patch } : p)));

  const save = () =>
    start(async () => {
      setError(undefined);
      const cleaned = params.map((p) => ({ name: p.name, type: p.type, ...(p.default ? { default: p.default } : {}), ...(p.label ? { label: p.label } : {}) }));
      const r = await saveQueryAction({ ...(existing && !asNew ? { id: existing.id } : {}), name, description, sql, parameters: cleaned });
      if (r.ok) onSaved(r.query);
      else setError(r.error);
    });

  return (
    <form
      className={styles.dialog}
      aria-label="Save query"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <h3>{existing && !asNew ? `Update “${existing.name}”` : 'Save query'}</h3>
      <label className={styles.dialogRow}>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} aria-label="Query name" autoFocus />
      </label>
      <label className={styles.dialogRow}>
        Description
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} aria-label="Description" />
      </label>
      {params.length > 0 ? (
        <table className={styles.paramTable}>
          <thead>
            <tr>
              <th>Parameter</th>
              <th>Type</th>
              <th>Default</th>
              <th>Label</th>
            </tr>
          </thead>
          <tbody>
            {params.map((p, i) => (
              <tr key={p.name}>
                <td>
                  <code>{`{{${p.name}}}`}</code>
                </td>
                <td>
                  <select aria-label={`Type of ${p.name}`} value={p.type} onChange={(e) => setParam(i, { type: e.target.value as QueryParameter['type'] })}>
                    {PARAMETER_TYPES.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input aria-label={`Default of ${p.name}`} value={p.default ?? ''} onChange={(e) => setParam(i, { default: e.target.value })} />
                </td>
                <td>
                  <input aria-label={`Label of ${p.name}`} value={p.label ?? ''} onChange={(e) => setParam(i, { label: e.target.value })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="small muted">No parameters. Write {'{{name}}'} in the SQL to add one.</p>
      )}
      {existing ? (
        <label className="small">
          <input type="checkbox" checked={asNew} onChange={(e) => setAsNew(e.target.checked)} /> save as a new query
        </label>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className={styles.dialogButtons}>
        <button type="button" onClick={onClose}>
          Close
        </button>
        <button type="submit" className="primary" disabled={pending || !name.trim()}>
          {pending ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
