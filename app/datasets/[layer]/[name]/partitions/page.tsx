import Link from 'next/link';
import { notFound } from 'next/navigation';
import { appLake } from '@/components/server-context';
import { requireUser } from '@/components/auth/session';
import { canDo } from '@/lib/auth/sessions';
import { isKeystoneError } from '@/lib/errors';
import { findDataset } from '@/lib/console/datasets';
import { SMALL_FILE_BYTES, inspectPartition, listPartitions, parsePartitionId, partitionTree, type TreeNode } from '@/lib/console/partitions';
import { formatBytes, formatCount, formatWhen } from '@/components/format';
import { CompactButton } from '@/components/datasets/compact-button';

export const dynamic = 'force-dynamic';

function Totals({ n }: { n: TreeNode }) {
  return (
    <span className="tree-totals">
      {formatCount(n.rows)} rows · {formatBytes(n.bytes)} · {formatCount(n.files)} file{n.files === 1 ? '' : 's'}
      {n.children.length > 0 ? ` · ${formatCount(n.partitions)} partitions` : ''}
      {n.smallFiles > 0 ? <span className="warn-text"> · {n.smallFiles} with small files</span> : null}
    </span>
  );
}

function heat(rows: number, max: number): string {
  const share = max > 0 ? rows / max : 0;
  return `hsl(215 70% ${Math.round(96 - share * 50)}%)`;
}

export default async function PartitionsPage({ params, searchParams }: { params: Promise<{ layer: string; name: string }>; searchParams: Promise<{ p?: string }> }) {
  const { layer, name } = await params;
  const { p } = await searchParams;
  const user = await requireUser('analyst', `/datasets/${layer}/${name}/partitions`);
  const ctx = await appLake();
  let ds;
  try {
    ds = await findDataset(ctx.catalog.db, layer, name);
  } catch (e) {
    if (isKeystoneError(e, 'not_found')) notFound();
    throw e;
  }
  const partitions = await listPartitions(ctx.catalog.db, ds);
  const keys = ds.partitionKeys;
  const tree = partitionTree(keys, partitions);
  const maxRows = Math.max(0, ...partitions.map((x) => x.rows));
  const selectedId = typeof p === 'string' ? p : keys.length === 0 && partitions.length > 0 ? '' : undefined;
  let selected: Awaited<ReturnType<typeof inspectPartition>> | undefined;
  let selectionError: string | undefined;
  if (selectedId !== undefined) {
    try {
      selected = await inspectPartition(ctx, ds, parsePartitionId(keys, selectedId));
    } catch (e) {
      if (!isKeystoneError(e, 'not_found')) throw e;
      selectionError = e.message;
    }
  }
  const totalFiles = partitions.reduce((a, x) => a + x.files, 0);
  const totalBytes = partitions.reduce((a, x) => a + x.bytes, 0);
  const smallPartitions = partitions.filter((x) => x.smallFiles).length;
  const tinyFiles = totalFiles >= 50 && totalBytes / totalFiles < 1024 * 1024;
  const engineer = canDo(user, 'engineer');
  const full = `${ds.layer}.${ds.name}`;
  const openPath = new Set(selectedId ? selectedId.split('/').map((_, i, all) => all.slice(0, i + 1).join('/')) : []);

  return (
    <>
      <p className="crumbs">
        <Link href={`/layers/${ds.layer}`}>{ds.layer}</Link> / <Link href={`/datasets/${ds.layer}/${ds.name}`}>{ds.name}</Link> / partitions
      </p>
      <h1>Partitions of {full}</h1>
      <p className="subtitle">
        {keys.length > 0 ? `Partitioned by ${keys.join(' / ')}` : 'Not partitioned'} · {formatCount(partitions.length)} partition{partitions.length === 1 ? '' : 's'} · {formatCount(totalFiles)} files · {formatBytes(totalBytes)}
      </p>
      {ds.layer === 'bronze' ? (
        <p className="note" role="note">
          Bronze keeps one immutable file per ingest (the silver job reads each ingest from its own file), so bronze is never compacted.
        </p>
      ) : smallPartitions > 0 ? (
        <p className="warning" role="note" data-testid="small-files-warning">
          {smallPartitions} partition{smallPartitions === 1 ? ' holds' : 's hold'} several small files (under {formatBytes(SMALL_FILE_BYTES)} on average). Every scan opens each file: compacting a partition rewrites it as one file, as a new version.{' '}
          {partitions
            .filter((x) => x.smallFiles)
            .slice(0, 5)
            .map((x) => (
              <Link key={x.id} href={`?p=${encodeURIComponent(x.id)}`} className="small-file-link">
                {x.id} ({x.files} files)
              </Link>
            ))}
        </p>
      ) : null}
      {tinyFiles && ds.layer !== 'bronze' ? (
        <p className="note" role="note">
          The {formatCount(totalFiles)} files average {formatBytes(totalBytes / totalFiles)}: at this data volume {keys.length > 0 ? `${keys[keys.length - 1]} partitions are finer than the data` : 'the table is spread over many files'}, and scans pay per file.
        </p>
      ) : null}

      <div className="inspector">
        <section className="tree" aria-label="Partition tree">
          {partitions.length === 0 ? (
            <div className="empty">No files in the current version.</div>
          ) : keys.length === 0 ? (
            <p>
              <Link href="?p=">The whole table</Link> — {formatCount(partitions[0]?.rows ?? 0)} rows
            </p>
          ) : (
            tree.map((year) => (
              <details key={year.id} open={openPath.has(year.id) || tree.length === 1}>
                <summary>
                  <b>
                    {year.key} {year.value}
                  </b>{' '}
                  <Totals n={year} />
                </summary>
                {year.children.map((month) =>
                  month.children.length === 0 ? (
                    <PartitionLink key={month.id} node={month} selectedId={selectedId} maxRows={maxRows} />
                  ) : (
                    <details key={month.id} className="nested" open={openPath.has(month.id)}>
                      <summary>
                        {month.key} {month.value} <Totals n={month} />
                      </summary>
                      <table className="grid compact days" aria-label={`${year.value}-${month.value} partitions`}>
                        <thead>
                          <tr>
                            <th>{keys[2] ?? 'partition'}</th>
                            <th className="num">Rows</th>
                            <th className="num">Size</th>
                            <th className="num">Files</th>
                            <th>Last written by</th>
                          </tr>
                        </thead>
                        <tbody>
                          {month.children.map((day) => (
                            <tr key={day.id} className={day.leaf?.id === selectedId ? 'selected' : ''}>
                              <td>
                                <PartitionLink node={day} selectedId={selectedId} maxRows={maxRows} />
                              </td>
                              <td className="num">{formatCount(day.rows)}</td>
                              <td className="num">{formatBytes(day.bytes)}</td>
                              <td className="num">
                                {day.files}
                                {day.leaf?.smallFiles ? <span className="warn-text" title="several small files"> ⚠</span> : null}
                              </td>
                              <td>{day.leaf?.lastRunId ? <Link href={`/jobs/${day.leaf.lastRunId}`}>{day.leaf.lastJob ?? 'run'}</Link> : '—'}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </details>
                  ),
                )}
              </details>
            ))
          )}
        </section>

        <section className="partition-detail" aria-label="Selected partition">
          {selectionError ? <p className="error">{selectionError}</p> : null}
          {!selected ? (
            <div className="empty">Choose a partition to see its files, row groups and column statistics.</div>
          ) : (
            <>
              <h2 className="section-title">{selected.summary.id || 'The whole table'}</h2>
              <div className="facts">
                <div>
                  <span>Rows</span>
                  <b data-testid="partition-rows">{formatCount(selected.summary.rows)}</b>
                </div>
                <div>
                  <span>Size</span>
                  <b>{formatBytes(selected.summary.bytes)}</b>
                </div>
                <div>
                  <span>Files</span>
                  <b>{selected.summary.files}</b>
                </div>
                <div>
                  <span>Last written by</span>
                  <b>{selected.summary.lastRunId ? <Link href={`/jobs/${selected.summary.lastRunId}`}>{selected.summary.lastJob ?? 'run'}</Link> : '—'}</b>
                </div>
                <div>
                  <span>At</span>
                  <b>{formatWhen(selected.summary.lastWrittenAt)}</b>
                </div>
              </div>
              {selected.totalFiles > selected.files.length ? (
                <p className="note">
                  Showing the first {selected.files.length} of {formatCount(selected.totalFiles)} files.
                </p>
              ) : null}
              {selected.summary.smallFiles && ds.layer !== 'bronze' ? <p className="warning">Small files: {selected.summary.files} files averaging {formatBytes(selected.summary.bytes / selected.summary.files)}.</p> : null}
              {engineer && ds.layer !== 'bronze' ? (
                <CompactButton layer={ds.layer} name={ds.name} partition={selected.summary.id} files={selected.summary.files} />
              ) : null}
              {selected.files.map((f) => (
                <article key={f.id} className="file-card" aria-label={`File ${f.key.split('/').pop()}`}>
                  <h3>
                    <code>{f.key}</code>
                  </h3>
                  <p className="small">
                    {formatBytes(f.bytes)} · {formatCount(f.rows)} rows · {f.rowGroups.length || '?'} row group{f.rowGroups.length === 1 ? '' : 's'} · compression {f.compression ?? '?'} · written{' '}
                    {formatWhen(f.createdAt)}
                    {f.runId ? (
                      <>
                        {' '}
                        by <Link href={`/jobs/${f.runId}`}>this run</Link>
                      </>
                    ) : null}{' '}
                    · figures from the {f.source === 'footer' ? 'Parquet footer' : 'catalog'}
                  </p>
                  {f.problem ? <p className="warning small">{f.problem}</p> : null}
                  {f.rowGroups.length > 0 ? (
                    <table className="grid compact" aria-label="Row groups">
                      <thead>
                        <tr>
                          <th className="num">Row group</th>
                          <th className="num">Rows</th>
                          <th className="num">Compressed</th>
                        </tr>
                      </thead>
                      <tbody>
                        {f.rowGroups.map((g) => (
                          <tr key={g.id}>
                            <td className="num">{g.id}</td>
                            <td className="num">{formatCount(g.rows)}</td>
                            <td className="num">{formatBytes(g.bytes)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : null}
                  <div className="scroll-x">
                  <table className="grid compact" aria-label="Column statistics">
                    <thead>
                      <tr>
                        <th>Column</th>
                        <th>Physical type</th>
                        <th>Compression</th>
                        <th>Min</th>
                        <th>Max</th>
                        <th className="num">Nulls</th>
                        <th className="num">Compressed</th>
                      </tr>
                    </thead>
                    <tbody>
                      {f.columns.map((c) => (
                        <tr key={c.name}>
                          <td>
                            <code>{c.name}</code>
                          </td>
                          <td>{c.type ?? ''}</td>
                          <td>{c.compression ?? ''}</td>
                          <td className="clip">{c.min ?? <span className="null">NULL</span>}</td>
                          <td className="clip">{c.max ?? <span className="null">NULL</span>}</td>
                          <td className="num">{c.nulls ?? '?'}</td>
                          <td className="num">{c.compressedBytes ? formatBytes(c.compressedBytes) : ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  </div>
                </article>
              ))}
            </>
          )}
        </section>
      </div>
    </>
  );
}

function PartitionLink({ node, selectedId, maxRows }: { node: TreeNode; selectedId: string | undefined; maxRows: number }) {
  const leaf = node.leaf;
  const selected = leaf && leaf.id === selectedId;
  return (
    <Link
      href={`?p=${encodeURIComponent(node.id)}`}
      className={`day${selected ? ' selected' : ''}${leaf?.smallFiles ? ' small-files' : ''}`}
      style={{ background: heat(node.rows, maxRows) }}
      title={`${node.id}: ${formatCount(node.rows)} rows, ${formatBytes(node.bytes)}, ${node.files} file(s)${leaf?.lastJob ? `, last written by a ${leaf.lastJob} run` : ''}`}
      aria-label={`${node.key} ${node.value}: ${formatCount(node.rows)} rows`}
      aria-current={selected ? 'true' : undefined}
    >
      {node.value}
    </Link>
  );
}
