import Link from 'next/link';
import { notFound } from 'next/navigation';
import { appCatalog } from '@/components/server-context';
import { requireUser } from '@/components/auth/session';
import { LAYERS, type Layer } from '@/lib/config';
import { listDatasetRows } from '@/lib/console/overview';
import { formatBytes, formatCount, formatWhen } from '@/components/format';

export const dynamic = 'force-dynamic';

const LAYER_TEXT: Record<Layer, string> = {
  bronze: 'Raw and immutable: every upload or stream batch as it came, values kept as text, each row with its lineage.',
  silver: 'Cleansed, typed and de-duplicated, partitioned by year / month / day; rows that fail their contract wait in the quarantine.',
  gold: 'The star schema (facts and dimensions) and metric marts, rebuilt from silver.',
};

export default async function LayerPage({ params }: { params: Promise<{ layer: string }> }) {
  const { layer } = await params;
  if (!(LAYERS as readonly string[]).includes(layer)) notFound();
  await requireUser('analyst', `/layers/${layer}`);
  const { db } = await appCatalog();
  const rows = await listDatasetRows(db, layer as Layer);
  const title = layer[0]!.toUpperCase() + layer.slice(1);
  return (
    <>
      <nav className="layer-tabs" aria-label="Layers">
        {LAYERS.map((l) => (
          <Link key={l} href={`/layers/${l}`} className={l === layer ? 'active' : ''} aria-current={l === layer ? 'page' : undefined}>
            {l[0]!.toUpperCase() + l.slice(1)}
          </Link>
        ))}
      </nav>
      <h1>{title}</h1>
      <p className="subtitle">{LAYER_TEXT[layer as Layer]}</p>
      {rows.length === 0 ? (
        <div className="empty">
          The {layer} layer is empty. {layer === 'bronze' ? <Link href="/ingest">Ingest files</Link> : <Link href="/jobs">Run the pipeline</Link>}
        </div>
      ) : (
        <table className="grid" aria-label={`${layer} datasets`}>
          <thead>
            <tr>
              <th>Dataset</th>
              <th>Kind</th>
              <th>Partitioned by</th>
              <th className="num">Rows</th>
              <th className="num">Size</th>
              <th className="num">Files</th>
              <th className="num">Version</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name}>
                <td>
                  <Link href={`/datasets/${layer}/${r.name}`}>
                    {layer}.{r.name}
                  </Link>
                </td>
                <td>{r.kind}</td>
                <td>{r.partitionKeys.join(' / ') || '—'}</td>
                <td className="num">{r.rows === null ? '—' : formatCount(r.rows)}</td>
                <td className="num">{r.bytes === null ? '—' : formatBytes(r.bytes)}</td>
                <td className="num">{r.files ?? '—'}</td>
                <td className="num">{r.version ?? '—'}</td>
                <td>{formatWhen(r.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
