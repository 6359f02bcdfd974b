'use client';
/** Run a saved query from a form of its parameters: typed inputs with the saved defaults, then the results. */
import Link from 'next/link';
import { useState } from 'react';
import { ParamInput, valuesFor, type ParamValues } from './params-form';
import { ResultsPanel } from './results-panel';
import { exportCsv, RunError } from './run-client';
import type { SavedQueryView } from './saved-view';
import { useQueryRunner } from './use-query-runner';
import styles from './sql.module.css';

export function SavedQueryRunner({ query, engine }: { query: SavedQueryView; engine: 'duckdb' | 'athena' }) {
  const [values, setValues] = useState<ParamValues>(() => Object.fromEntries(query.parameters.filter((p) => p.default).map((p) => [p.name, p.default!])));
  const [exportError, setExportError] = useState<string>();
  const runner = useQueryRunner();
  const body = () => ({ savedQueryId: query.id, values: valuesFor(query.parameters, values) });
  return (
    <div className={styles.runner}>
      <form
        className={styles.params}
        aria-label="Parameters"
        data-testid="saved-query-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!runner.running) void runner.run(body());
        }}
      >
        {query.parameters.length === 0 ? <p className="small muted" style={{ marginTop: 0 }}>This query has no parameters.</p> : null}
        <div className={styles.formRow}>
          {query.parameters.map((p) => (
            <label key={p.name} className={styles.param}>
              <span>
                {p.label ?? p.name} <span className="small">({p.type})</span>
              </span>
              <ParamInput p={p} value={values[p.name] ?? ''} onChange={(v) => setValues((vs) => ({ ...vs, [p.name]: v }))} />
            </label>
          ))}
          <button type="submit" className="primary" disabled={runner.running} data-testid="run-saved">
            Run
          </button>
          <button type="button" onClick={() => void runner.cancel()} disabled={!runner.running} data-testid="cancel">
            Cancel
          </button>
          <button
            type="button"
            data-testid="export-csv"
            onClick={() => {
              setExportError(undefined);
              exportCsv({ ...body(), name: query.name }).catch((e: unknown) => setExportError(e instanceof RunError ? e.message : String(e)));
            }}
          >
            Export CSV
          </button>
          <span className="small muted">
            engine <b>{engine === 'duckdb' ? 'DuckDB' : 'Athena'}</b> · <Link href={`/sql?saved=${query.id}`}>open in the editor</Link>
          </span>
        </div>
      </form>
      {exportError ? (
        <div className={styles.errorBox} role="alert">
          <pre>{exportError}</pre>
        </div>
      ) : null}
      <details>
        <summary className="small muted">SQL</summary>
        <pre className={styles.sqlPreview}>{query.sql}</pre>
      </details>
      <ResultsPanel state={runner.state} rows={runner.rows} onFirstPaint={runner.markFirstPaint} />
    </div>
  );
}
