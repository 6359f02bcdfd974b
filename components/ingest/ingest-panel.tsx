'use client';
/**
 * The Ingest page's working area: drop files (or pick them), watch each upload's progress bar, read the
 * preview (detected table, types, first rows), commit to bronze, then run the pipeline.
 *
 * Each file is sent as the raw body of one POST to /api/uploads (XMLHttpRequest, for upload progress
 * events); the server streams it into storage without buffering it.
 */
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState, useTransition } from 'react';
import type { RunDetail } from '@/lib/console/runs';
import type { UploadView } from '@/lib/uploads/uploads';
import { commitUploadsAction, discardUploadAction, runPipelineAction } from '@/components/ingest/actions';
import { DataTable } from '@/components/datasets/data-table';
import { formatBytes, formatCount } from '@/components/format';
import { RunStatus } from '@/components/jobs/run-status';

type ItemStatus = 'queued' | 'uploading' | 'received' | 'failed' | 'discarded' | 'committed' | 'duplicate' | 'skipped';

interface Item {
  key: string;
  fileName: string;
  size: number;
  file?: File;
  sent: number;
  status: ItemStatus;
  upload?: UploadView;
  error?: string;
  /** Bronze dataset for a non-Olist file (editable). */
  dataset: string;
  result?: string;
}

const PARALLEL_UPLOADS = 3;
let nextKey = 0;

function fromUpload(u: UploadView): Item {
  return { key: `u-${u.id}`, fileName: u.fileName, size: u.bytes, sent: u.bytes, status: 'received', upload: u, dataset: u.preview?.dataset ?? '' };
}

function send(file: File, onProgress: (sent: number) => void): Promise<{ upload: UploadView } | { error: string }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/uploads');
    xhr.setRequestHeader('X-File-Name', encodeURIComponent(file.name));
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      let body: { upload?: UploadView; error?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        /* not JSON: reported below */
      }
      if (xhr.status === 201 && body.upload) resolve({ upload: body.upload });
      else resolve({ error: body.error ?? `The server answered HTTP ${xhr.status}.` });
    };
    xhr.onerror = () => resolve({ error: 'The connection to the server was lost during the upload; nothing was kept. Try again.' });
    xhr.onabort = () => resolve({ error: 'The upload was cancelled; nothing was kept.' });
    xhr.send(file);
  });
}

async function fetchRun(id: string): Promise<RunDetail> {
  const res = await fetch(`/api/runs/${id}`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return ((await res.json()) as { run: RunDetail }).run;
}

async function fetchUploads(ids: string[]): Promise<UploadView[]> {
  const res = await fetch(`/api/uploads?${ids.map((id) => `id=${encodeURIComponent(id)}`).join('&')}`, { cache: 'no-store' });
  if (!res.ok) return [];
  return ((await res.json()) as { uploads: UploadView[] }).uploads;
}

export function IngestPanel({ initial }: { initial: UploadView[] }) {
  const [items, setItems] = useState<Item[]>(() => initial.map(fromUpload));
  const [dragging, setDragging] = useState(false);
  const [commitRunId, setCommitRunId] = useState<string | null>(null);
  const [commitIds, setCommitIds] = useState<string[]>([]);
  const [commitError, setCommitError] = useState<string | null>(null);
  const [pipelineRunId, setPipelineRunId] = useState<string | null>(null);
  const [pipelineError, setPipelineError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const started = useRef(new Set<string>());
  const input = useRef<HTMLInputElement>(null);

  const patch = useCallback((key: string, p: Partial<Item>) => setItems((xs) => xs.map((x) => (x.key === key ? { ...x, ...p } : x))), []);

  const addFiles = (files: FileList | File[]) => {
    const added = Array.from(files).map<Item>((file) => ({ key: `f-${nextKey++}`, fileName: file.name, size: file.size, file, sent: 0, status: 'queued', dataset: '' }));
    if (added.length > 0) setItems((xs) => [...xs, ...added]);
  };

  // Upload queued files, a few at a time.
  useEffect(() => {
    const uploading = items.filter((x) => x.status === 'uploading').length;
    const next = items.filter((x) => x.status === 'queued' && !started.current.has(x.key)).slice(0, Math.max(0, PARALLEL_UPLOADS - uploading));
    for (const item of next) {
      started.current.add(item.key);
      patch(item.key, { status: 'uploading' });
      void send(item.file!, (sent) => patch(item.key, { sent })).then((r) => {
        if ('upload' in r) patch(item.key, { status: 'received', upload: r.upload, sent: item.size, file: undefined, dataset: r.upload.preview?.dataset ?? '' });
        else patch(item.key, { status: 'failed', error: r.error, file: undefined });
      });
    }
  }, [items, patch]);

  // Follow the commit run; when it ends, read back what became of each upload.
  const commitRun = useQuery({
    queryKey: ['run', commitRunId],
    queryFn: () => fetchRun(commitRunId!),
    enabled: commitRunId !== null,
    refetchInterval: (q) => (q.state.data && q.state.data.status !== 'running' ? false : 1_000),
  });
  const commitDone = commitRun.data !== undefined && commitRun.data.status !== 'running' && commitRun.data.status !== 'queued';
  useEffect(() => {
    if (!commitDone || commitIds.length === 0) return;
    const steps = commitRun.data?.steps ?? [];
    void fetchUploads(commitIds).then((uploads) => {
      const byId = new Map(uploads.map((u) => [u.id, u]));
      setItems((xs) =>
        xs.map((x) => {
          const u = x.upload && byId.get(x.upload.id);
          if (!u) return x;
          const step = steps.find((s) => s.source === u.fileName && s.status !== 'failed');
          const result =
            u.status === 'committed'
              ? `ingested into ${String(step?.step ?? 'bronze')}: ${formatCount(Number(step?.rowsOut ?? 0))} rows`
              : u.status === 'duplicate'
                ? 'already in bronze (the same bytes were ingested before); skipped'
                : u.status === 'failed'
                  ? (u.error ?? 'failed')
                  : u.status;
          return { ...x, upload: u, status: u.status === 'received' ? 'received' : (u.status as ItemStatus), result, error: u.status === 'failed' ? (u.error ?? undefined) : x.error };
        }),
      );
      setCommitIds([]);
    });
  }, [commitDone, commitIds, commitRun.data?.steps]);

  const received = items.filter((x) => x.status === 'received' && x.upload);
  const uploadingCount = items.filter((x) => x.status === 'uploading' || x.status === 'queued').length;

  const commit = () => {
    setCommitError(null);
    setPipelineRunId(null);
    const requests = received.map((x) => ({ uploadId: x.upload!.id, ...(x.upload!.detectedTable ? {} : { dataset: x.dataset }) }));
    startTransition(async () => {
      const r = await commitUploadsAction(requests);
      if (r.ok) {
        setCommitRunId(r.runId);
        setCommitIds(requests.map((q) => q.uploadId));
      } else setCommitError(r.error);
    });
  };

  const runPipeline = () => {
    setPipelineError(null);
    startTransition(async () => {
      const r = await runPipelineAction();
      if (r.ok) setPipelineRunId(r.runId);
      else setPipelineError(r.error);
    });
  };

  const discard = (item: Item) => {
    startTransition(async () => {
      const r = await discardUploadAction(item.upload!.id);
      if (r.ok) patch(item.key, { status: 'discarded' });
      else patch(item.key, { error: r.error });
    });
  };

  return (
    <>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        data-testid="dropzone"
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          addFiles(e.dataTransfer.files);
        }}
      >
        <p>
          <b>Drop CSV, TSV, JSON, NDJSON or Parquet files here</b> (gzip too), one or many.
        </p>
        <p>
          <label className="button-like">
            Choose files…
            <input
              ref={input}
              type="file"
              multiple
              className="visually-hidden"
              aria-label="Choose files to upload"
              onChange={(e) => {
                if (e.target.files) addFiles(e.target.files);
                e.target.value = '';
              }}
            />
          </label>
        </p>
        <p className="small muted">Olist tables are recognised by their header, whatever the file is called.</p>
      </div>

      {items.length > 0 ? (
        <section aria-label="Uploads" className="uploads">
          {items.map((item) => (
            <article key={item.key} className={`upload upload-${item.status}`} aria-label={`Upload ${item.fileName}`}>
              <header>
                <b className="file-name">{item.fileName}</b> <span className="muted small">{formatBytes(item.size)}</span>{' '}
                <span className={`badge status-${item.status}`} data-testid="upload-status">
                  {item.status}
                </span>
                {item.status === 'received' ? (
                  <button type="button" className="link-button small" onClick={() => discard(item)} disabled={pending}>
                    Discard
                  </button>
                ) : null}
              </header>
              {item.status === 'uploading' || item.status === 'queued' ? (
                <progress max={item.size || 1} value={item.sent} aria-label={`Upload progress of ${item.fileName}`} />
              ) : null}
              {item.error ? (
                <p role="alert" className="error">
                  {item.error}
                </p>
              ) : null}
              {item.result && !item.error ? <p className="status-ok">{item.result}</p> : null}
              {item.status === 'received' && item.upload?.preview ? <Preview item={item} onDataset={(dataset) => patch(item.key, { dataset })} /> : null}
            </article>
          ))}
        </section>
      ) : null}

      <section className="commit-bar" aria-label="Commit">
        {received.length > 0 ? (
          <button type="button" className="primary" onClick={commit} disabled={pending || uploadingCount > 0}>
            Commit {received.length} upload{received.length === 1 ? '' : 's'} to bronze
          </button>
        ) : null}
        {uploadingCount > 0 ? <span className="muted"> {uploadingCount} still uploading…</span> : null}
        {commitError ? (
          <p role="alert" className="error">
            {commitError}
          </p>
        ) : null}
        {commitRunId ? (
          <p role="status" data-testid="commit-status">
            Bronze run <RunStatus status={commitRun.data?.status ?? 'running'} />
            {commitRun.data?.status === 'failed' ? <span className="error-text"> {commitRun.data.error}</span> : null} · <Link href={`/jobs/${commitRunId}`}>Open the bronze run</Link>
          </p>
        ) : null}
        {commitDone && commitRun.data?.status === 'succeeded' ? (
          <div className="next-step">
            <button type="button" className="primary" onClick={runPipeline} disabled={pending || pipelineRunId !== null}>
              Run pipeline
            </button>
            <span className="muted small"> silver, then gold</span>
            {pipelineError ? (
              <p role="alert" className="error">
                {pipelineError}
              </p>
            ) : null}
            {pipelineRunId ? (
              <p role="status">
                The pipeline is running. <Link href={`/jobs/${pipelineRunId}`}>Follow the pipeline run</Link>
              </p>
            ) : null}
          </div>
        ) : null}
      </section>
    </>
  );
}

function Preview({ item, onDataset }: { item: Item; onDataset: (dataset: string) => void }) {
  const u = item.upload!;
  const p = u.preview!;
  return (
    <div className="preview">
      <p>
        {p.table ? (
          <>
            Detected the Olist table <b data-testid="detected-table">{p.table}</b> → <code>bronze.{p.table}</code>
          </>
        ) : (
          <>
            Not an Olist table: a generic source →{' '}
            <label>
              bronze dataset{' '}
              <input value={item.dataset} onChange={(e) => onDataset(e.target.value)} placeholder="dataset_name" pattern="[a-z][a-z0-9_]{0,62}" aria-label={`Dataset for ${u.fileName}`} />
            </label>
            {p.datasetProblem && !item.dataset ? <span className="error small"> {p.datasetProblem}</span> : null}
          </>
        )}{' '}
        · {p.format.toUpperCase()}
        {p.compression === 'gzip' ? ' (gzip)' : ''} · {p.encoding}
        {p.delimiter && p.delimiter !== ',' ? ` · delimiter ${p.delimiter === '\t' ? 'tab' : p.delimiter}` : ''}
        {p.malformed > 0 ? <span className="warn-text"> · {p.malformed} malformed record(s) in the first rows (kept; silver quarantines them)</span> : null}
      </p>
      {u.duplicateOf ? (
        <p className="note">
          These exact bytes are already in {u.duplicateOf.dataset ?? 'bronze'} (ingest {u.duplicateOf.ingestId}); committing will skip them.
        </p>
      ) : null}
      <DataTable label={`Preview of ${u.fileName}`} columns={p.columns.map((c) => ({ name: c.name, type: c.type }))} rows={p.rows} />
    </div>
  );
}
