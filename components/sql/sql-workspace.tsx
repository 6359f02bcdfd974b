'use client';
/**
 * The SQL editor page: CodeMirror with autocomplete, Run (Ctrl/Cmd+Enter) and Cancel, `{{parameter}}`
 * inputs, the streamed and virtualized results, CSV export of the whole result, Save, and the side
 * panel with saved queries and history.
 */
import { useRouter } from 'next/navigation';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { QueryParameter } from '@/db/schema';
import type { CompletionSchema } from '@/lib/sql/completion';
import { templateNames } from '@/lib/sql/parameters';
import { CodeEditor } from './code-editor';
import { ParamsForm, valuesFor, type ParamValues } from './params-form';
import { ResultsPanel } from './results-panel';
import { ScanEstimateBadge, useScanEstimate } from './scan-estimate';
import { exportCsv, RunError } from './run-client';
import { SaveDialog } from './save-dialog';
import type { SavedQueryView } from './saved-view';
import { SidePanel, type HistoryItem } from './side-panel';
import { useQueryRunner } from './use-query-runner';
import styles from './sql.module.css';

export interface WorkspaceInitial {
  sql: string;
  parameters?: QueryParameter[];
  values?: Record<string, string>;
  saved?: SavedQueryView;
}

const ENGINE_LABEL = { duckdb: 'DuckDB (in-process)', athena: 'Amazon Athena' } as const;

function defaultsOf(parameters: readonly QueryParameter[] | undefined): ParamValues {
  const v: ParamValues = {};
  for (const p of parameters ?? []) if (p.default) v[p.name] = p.default;
  return v;
}

export function SqlWorkspace({
  schema,
  engine,
  role,
  userId,
  saved: initialSaved,
  initial,
}: {
  schema: CompletionSchema;
  engine: 'duckdb' | 'athena';
  role: 'engineer' | 'analyst';
  userId: string;
  saved: SavedQueryView[];
  initial: WorkspaceInitial;
}) {
  const router = useRouter();
  const [sql, setSql] = useState(initial.sql);
  const [declared, setDeclared] = useState<Record<string, QueryParameter>>(() => Object.fromEntries((initial.saved?.parameters ?? initial.parameters ?? []).map((p) => [p.name, p])));
  const [values, setValues] = useState<ParamValues>(() => ({ ...defaultsOf(initial.saved?.parameters ?? initial.parameters), ...(initial.values ?? {}) }));
  const [openSaved, setOpenSaved] = useState<SavedQueryView | undefined>(initial.saved);
  const [savedList, setSavedList] = useState(initialSaved);
  const [saving, setSaving] = useState(false);
  const [timeoutSeconds, setTimeoutSeconds] = useState(300);
  const [exportState, setExportState] = useState<{ busy?: boolean; error?: string }>({});
  const estimate = useScanEstimate(sql);
  const [historyVersion, setHistoryVersion] = useState(0);
  const bumpHistory = useCallback(() => setHistoryVersion((v) => v + 1), []);
  const runner = useQueryRunner(bumpHistory);

  const names = useMemo(() => templateNames(sql), [sql]);
  const parameters: QueryParameter[] = useMemo(() => names.map((n) => declared[n] ?? { name: n, type: 'string' }), [names, declared]);
  const savedUnchanged = openSaved !== undefined && openSaved.sql === sql;

  const requestBody = () => ({
    sql,
    parameters,
    values: valuesFor(parameters, values),
    ...(savedUnchanged ? { savedQueryId: openSaved!.id } : {}),
  });

  const run = () => {
    if (runner.running || sql.trim() === '') return;
    void runner.run({ ...requestBody(), timeoutSeconds: Math.max(1, Math.min(3600, timeoutSeconds || 300)) });
  };
  // A stable callback for the (memoized) editor; it always runs the current SQL.
  const runRef = useRef(run);
  runRef.current = run;
  const runFromEditor = useCallback(() => runRef.current(), []);

  const doExport = async () => {
    setExportState({ busy: true });
    try {
      await exportCsv({ ...requestBody(), ...(openSaved ? { name: openSaved.name } : {}) });
      setExportState({});
      setTimeout(bumpHistory, 1500);
    } catch (e) {
      setExportState({ error: e instanceof RunError ? e.message : String(e) });
    }
  };

  const openSavedQuery = (q: SavedQueryView) => {
    setOpenSaved(q);
    setSql(q.sql);
    setDeclared(Object.fromEntries(q.parameters.map((p) => [p.name, p])));
    setValues(defaultsOf(q.parameters));
    setSaving(false);
  };

  const openHistory = (h: HistoryItem) => {
    setOpenSaved(h.savedQueryId ? savedList.find((s) => s.id === h.savedQueryId) : undefined);
    setSql(h.sql);
    const v: ParamValues = {};
    for (const [k, x] of Object.entries(h.params ?? {})) v[k] = x === null ? '' : String(x);
    setValues(v);
  };

  const mayUpdate = openSaved !== undefined && (role === 'engineer' || openSaved.userId === userId);

  return (
    <div className={styles.workspace}>
      <div className={styles.mainColumn}>
        <div className={styles.toolbar}>
          <button type="button" className="primary" onClick={run} disabled={runner.running || sql.trim() === ''} data-testid="run">
            Run<span className={styles.kbd}>Ctrl ↵</span>
          </button>
          <button type="button" onClick={() => void runner.cancel()} disabled={!runner.running} data-testid="cancel">
            Cancel
          </button>
          <label className={styles.timeout}>
            Time limit
            <input type="number" min={1} max={3600} value={timeoutSeconds} onChange={(e) => setTimeoutSeconds(Number(e.target.value))} aria-label="Time limit in seconds" />s
          </label>
          <span className={styles.spacer} />
          <button type="button" onClick={() => void doExport()} disabled={exportState.busy || sql.trim() === ''} data-testid="export-csv">
            {exportState.busy ? 'Preparing…' : 'Export CSV'}
          </button>
          <button type="button" onClick={() => setSaving((s) => !s)} disabled={sql.trim() === ''} data-testid="save">
            {mayUpdate ? 'Save…' : 'Save as…'}
          </button>
          <ScanEstimateBadge estimate={estimate} engine={engine} />
          <span className={styles.engine} data-testid="engine">
            Engine <span className={styles.engineName}>{ENGINE_LABEL[engine]}</span>
          </span>
        </div>
        {openSaved ? (
          <div className={styles.savedBanner} data-testid="open-saved">
            <b>{openSaved.name}</b>
            <span className="muted">{openSaved.description}</span>
            {!savedUnchanged ? <span className="warn-text small">edited — running your edited SQL, not the saved one</span> : null}
            <button type="button" className="link-button small" onClick={() => setOpenSaved(undefined)}>
              close
            </button>
          </div>
        ) : null}
        <CodeEditor value={sql} onChange={setSql} onRun={runFromEditor} schema={schema} />
        {role === 'analyst' ? (
          <p className="small muted" style={{ margin: 0 }}>
            As an analyst you can read the lake (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN); statements that change it or read files are refused by the server.
          </p>
        ) : null}
        <ParamsForm
          parameters={parameters}
          values={values}
          onValue={(n, v) => setValues((vs) => ({ ...vs, [n]: v }))}
          onType={savedUnchanged ? undefined : (n, t) => setDeclared((d) => ({ ...d, [n]: { ...(d[n] ?? { name: n }), type: t } }))}
        />
        {exportState.error ? (
          <div className={styles.errorBox} role="alert" data-testid="export-error">
            <div className={styles.errorTitle}>Export refused</div>
            <pre>{exportState.error}</pre>
          </div>
        ) : null}
        {saving ? (
          <SaveDialog
            sql={sql}
            parameters={parameters}
            existing={mayUpdate ? openSaved : undefined}
            onClose={() => setSaving(false)}
            onSaved={(q) => {
              setSavedList((list) => [...list.filter((x) => x.id !== q.id), q].sort((a, b) => a.name.localeCompare(b.name)));
              setOpenSaved(q);
              setDeclared(Object.fromEntries(q.parameters.map((p) => [p.name, p])));
              setSaving(false);
              router.refresh();
            }}
          />
        ) : null}
        <ResultsPanel state={runner.state} rows={runner.rows} onFirstPaint={runner.markFirstPaint} />
      </div>
      <SidePanel
        saved={savedList}
        onOpenSaved={openSavedQuery}
        onOpenHistory={openHistory}
        onDeleted={(id) => {
          setSavedList((list) => list.filter((q) => q.id !== id));
          if (openSaved?.id === id) setOpenSaved(undefined);
        }}
        historyVersion={historyVersion}
        role={role}
        userId={userId}
      />
    </div>
  );
}
