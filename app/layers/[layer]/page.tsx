import { notFound } from 'next/navigation';
import { asc, eq, sql } from 'drizzle-orm';
import { appCatalog } from '@/components/server-context';
import { datasets, datasetVersions } from '@/db/schema';
import { LAYERS, type Layer } from '@/lib/config';
import { formatBytes, formatCount, formatWhen } from '@/components/format';

export const dynamic = 'force-dynamic';

export default async function LayerPage({ params }: { params: Promise<{ layer: string }> }) {
  const { layer } = await params;
  if (!(LAYERS as readonly string[]).includes(layer)) notFound();
  const { db } = await appCatalog();
  const rows = await db
    .select({
      name: datasets.name,
      kind: datasets.kind,
      partitionKeys: datasets.partitionKeys,
      rows: datasetVersions.rowCount,
      bytes: datasetVersions.bytes,
      version: datasetVersions.version,
      committedAt: datasetVersions.committedAt,
    })
    .from(datasets)
    .leftJoin(datasetVersions, sql`${datasetVersions.id} = ${datasets.currentVersionId}`)
    .where(eq(datasets.layer, layer as Layer))
    .orderBy(asc(datasets.name));
  const title = layer[0]!.toUpperCase() + layer.slice(1);
  return (
    <>
      <h1>{title}</h1>
      <p className="subtitle">Datasets in the {layer} layer at their current versions.</p>
      {rows.length === 0 ? (
        <div className="empty">The {layer} layer is empty.</div>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>Dataset</th>
              <th>Kind</th>
              <th>Partitioned by</th>
              <th>Rows</th>
              <th>Size</th>
              <th>Version</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name}>
                <td>
                  {layer}.{r.name}
                </td>
                <td>{r.kind}</td>
                <td>{r.partitionKeys.join(' / ') || '—'}</td>
                <td>{r.rows === null ? '—' : formatCount(r.rows)}</td>
                <td>{r.bytes === null ? '—' : formatBytes(r.bytes)}</td>
                <td>{r.version ?? '—'}</td>
                <td>{formatWhen(r.committedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
