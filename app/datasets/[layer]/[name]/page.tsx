import Link from 'next/link';
import { notFound } from 'next/navigation';
import { appLake } from '@/components/server-context';
import { requireUser } from '@/components/auth/session';
import { canDo } from '@/lib/auth/sessions';
import { errorMessage, isKeystoneError } from '@/lib/errors';
import { findDataset, getDatasetDetail, qualityResults, quarantinedRows, sampleRows } from '@/lib/console/datasets';
import { formatBytes, formatCount, formatWhen } from '@/components/format';
import { DataTable } from '@/components/datasets/data-table';
import { RestoreButton } from '@/components/datasets/restore-button';

export const dynamic = 'force-dynamic';

async function settle<T>(p: Promise<T>): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await p };
  } catch (e) {
    return { error: isKeystoneError(e) && e.visibleToUser ? e.message : `Could not read the files: ${errorMessage(e)}` };
  }
}

export default async function DatasetPage({ params }: { params: Promise<{ layer: string; name: string }> }) {
  const { layer, name } = await params;
  const user = await requireUser('analyst', `/datasets/${layer}/${name}`);
  const ctx = await appLake();
  let detail;
  try {
    detail = await getDatasetDetail(ctx.catalog.db, layer, name);
  } catch (e) {
    if (isKeystoneError(e, 'not_found')) notFound();
    throw e;
  }
  const ds = await findDataset(ctx.catalog.db, layer, name);
  const isSilverTable = detail.layer === 'silver' && detail.kind === 'table';
  const [sample, quality, quarantine] = await Promise.all([
    settle(sampleRows(ctx, ds, 20)),
    qualityResults(ctx.catalog.db, ds.id),
    isSilverTable ? settle(quarantinedRows(ctx, detail.name)) : Promise.resolve(undefined),
  ]);
  const engineer = canDo(user, 'engineer');
  const full = `${detail.layer}.${detail.name}`;
  return (
    <>
      <p className="crumbs">
        <Link href={`/layers/${detail.layer}`}>{detail.layer}</Link> / {detail.name}
      </p>
      <h1>{full}</h1>
      <p className="subtitle">
        {detail.description ?? ''} {detail.kind !== 'table' ? <span className="badge">{detail.kind}</span> : null}
      </p>

      <div className="facts" aria-label="Dataset facts">
        <div>
          <span>Rows</span>
          <b data-testid="dataset-rows">{formatCount(detail.rows)}</b>
        </div>
        <div>
          <span>Size</span>
          <b>{formatBytes(detail.bytes)}</b>
        </div>
        <div>
          <span>Files</span>
          <b>{formatCount(detail.files)}</b>
        </div>
        {detail.partitionKeys.length > 0 ? (
          <div>
            <span>Partitions</span>
            <b>{formatCount(detail.partitions)}</b>
          </div>
        ) : null}
        <div>
          <span>Version</span>
          <b>{detail.currentVersion ?? '—'}</b>
        </div>
        <div>
          <span>Updated</span>
          <b>{formatWhen(detail.updatedAt)}</b>
        </div>
      </div>
      <p>
        <Link href={`/datasets/${detail.layer}/${detail.name}/partitions`} className="button-link">
          {detail.partitionKeys.length > 0 ? `Partitions (${detail.partitionKeys.join(' / ')})` : 'Files'}
        </Link>
      </p>

      <section aria-label="Schema">
        <h2 className="section-title">Schema</h2>
        <table className="grid" aria-label="Schema">
          <thead>
            <tr>
              <th>Column</th>
              <th>Type</th>
              <th>Nullable</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {detail.schema.map((c) => (
              <tr key={c.name}>
                <td>
                  <code>{c.name}</code>
                </td>
                <td>
                  <code>{c.type}</code>
                </td>
                <td>{c.nullable ? 'yes' : 'no'}</td>
                <td className="muted">{c.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-label="Sample rows">
        <h2 className="section-title spaced">Sample rows</h2>
        {'error' in sample ? (
          <p className="error">{sample.error}</p>
        ) : sample.value.rows.length === 0 ? (
          <div className="empty">No rows.</div>
        ) : (
          <DataTable columns={sample.value.columns} rows={sample.value.rows} label="Sample rows" />
        )}
      </section>

      <section aria-label="Quality">
        <h2 className="section-title spaced">Quality checks</h2>
        {quality.length === 0 ? (
          <div className="empty">No run has checked this dataset yet.</div>
        ) : (
          quality.map((q, i) => (
            <div key={q.runId} className={i > 0 ? 'older-checks' : ''}>
              <p className="small">
                {i === 0 ? 'Latest' : 'Earlier'}: <Link href={`/jobs/${q.runId}`}>{q.job} run</Link> at {formatWhen(q.at)}
              </p>
              <table className="grid" aria-label={i === 0 ? 'Latest checks' : 'Earlier checks'}>
                <thead>
                  <tr>
                    <th>Check</th>
                    <th>On failure</th>
                    <th>Result</th>
                    <th>Observed</th>
                    <th>Message</th>
                  </tr>
                </thead>
                <tbody>
                  {q.checks.map((c, j) => (
                    <tr key={j}>
                      <td>
                        <code>{c.name}</code>
                      </td>
                      <td>{c.action}</td>
                      <td className={`status status-${c.status}`}>{c.status}</td>
                      <td className="clip">{c.observed === null || c.observed === undefined ? '' : JSON.stringify(c.observed)}</td>
                      <td className="muted">{c.message ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))
        )}
      </section>

      {quarantine !== undefined ? (
        <section aria-label="Quarantine">
          <h2 className="section-title spaced">Quarantined rows</h2>
          {'error' in quarantine ? (
            <p className="error">{quarantine.error}</p>
          ) : quarantine.value.total === 0 ? (
            <div className="empty">No rows of {full} are in the quarantine.</div>
          ) : (
            <>
              <p data-testid="quarantine-total">
                <b>{formatCount(quarantine.value.total)}</b> row{quarantine.value.total === 1 ? '' : 's'} held back from {full}:{' '}
                {quarantine.value.byReason.map((r) => `${r.reason} ${formatCount(r.rows)}`).join(' · ')}
              </p>
              <DataTable
                label="Quarantined rows"
                columns={[{ name: 'reason' }, { name: 'column' }, { name: 'raw value' }, { name: 'detail' }, { name: 'source file' }, { name: 'source row' }, { name: 'quarantined at' }]}
                rows={quarantine.value.rows.map((r) => [r.reason, r.column, r.rawValue, r.detail, r.sourceFile, String(r.sourceRow), r.at])}
              />
            </>
          )}
        </section>
      ) : null}

      <section aria-label="Versions">
        <h2 className="section-title spaced">Versions</h2>
        <table className="grid" aria-label="Versions">
          <thead>
            <tr>
              <th className="num">Version</th>
              <th>Operation</th>
              <th>Status</th>
              <th className="num">Rows</th>
              <th className="num">Size</th>
              <th className="num">Files</th>
              <th>Run</th>
              <th>Committed</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {detail.versions.map((v) => (
              <tr key={v.id} className={v.current ? 'current' : ''}>
                <td className="num">
                  {v.version}
                  {v.current ? <span className="badge current-badge">current</span> : null}
                </td>
                <td>
                  {v.operation}
                  {v.restoredFrom !== null ? ` of v${v.restoredFrom}` : ''}
                </td>
                <td>{v.status}</td>
                <td className="num">{formatCount(v.rows)}</td>
                <td className="num">{formatBytes(v.bytes)}</td>
                <td className="num">{v.files}</td>
                <td>{v.runId ? <Link href={`/jobs/${v.runId}`}>{v.runJob ?? 'run'}</Link> : '—'}</td>
                <td>{formatWhen(v.committedAt)}</td>
                <td>{engineer && v.status === 'committed' && !v.current ? <RestoreButton layer={detail.layer} name={detail.name} version={v.version} /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
