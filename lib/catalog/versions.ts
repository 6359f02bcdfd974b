/**
 * Datasets and their versions: the atomic-commit protocol of the lake.
 *
 * A writer begins a version (status `staging`, invisible), writes its new files under the version's
 * own storage prefix, then commits: in one transaction the new files are recorded, the version's file
 * set is the parent's kept files plus the new ones, and the dataset's `current_version_id` switches.
 * Readers resolve a dataset through `current_version_id`, so they see the old version or the new one,
 * never half of a run. An earlier version is restored by committing its file set as a new version.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { datasets, datasetVersions, files, versionFiles, type ColumnStats, type SchemaColumn } from '../../db/schema';
import type { Layer } from '../config';
import { KeystoneError } from '../errors';
import type { CatalogDb } from './database';
import { validateDatasetName } from './identifiers';

export type Dataset = typeof datasets.$inferSelect;
export type DatasetVersion = typeof datasetVersions.$inferSelect;
export type DataFile = typeof files.$inferSelect;

export interface DatasetSpec {
  layer: Layer;
  name: string;
  kind?: 'table' | 'quarantine' | 'dead_letter';
  sourceTable?: string | null;
  description?: string | null;
  bucket: string;
  prefix: string;
  schema?: SchemaColumn[];
  partitionKeys?: string[];
}

/** Create the dataset if it does not exist; return it either way. */
export async function ensureDataset(db: CatalogDb, spec: DatasetSpec): Promise<Dataset> {
  validateDatasetName(spec.name);
  const inserted = await db
    .insert(datasets)
    .values({
      layer: spec.layer,
      name: spec.name,
      kind: spec.kind ?? 'table',
      sourceTable: spec.sourceTable ?? null,
      description: spec.description ?? null,
      bucket: spec.bucket,
      prefix: spec.prefix,
      schema: spec.schema ?? [],
      partitionKeys: spec.partitionKeys ?? [],
    })
    .onConflictDoNothing()
    .returning();
  if (inserted[0]) return inserted[0];
  const found = await getDataset(db, spec.layer, spec.name);
  if (!found) throw new KeystoneError('internal:dataset', `dataset ${spec.layer}.${spec.name} vanished while being created`);
  return found;
}

export async function getDataset(db: CatalogDb, layer: Layer, name: string): Promise<Dataset | undefined> {
  const rows = await db.select().from(datasets).where(and(eq(datasets.layer, layer), eq(datasets.name, name)));
  return rows[0];
}

export async function requireDataset(db: CatalogDb, layer: Layer, name: string): Promise<Dataset> {
  const d = await getDataset(db, layer, name);
  if (!d) throw new KeystoneError('not_found:dataset', `there is no dataset ${layer}.${name}`);
  return d;
}

export async function listDatasets(db: CatalogDb, layer?: Layer): Promise<Dataset[]> {
  const q = db.select().from(datasets);
  return (layer ? q.where(eq(datasets.layer, layer)) : q).orderBy(asc(datasets.layer), asc(datasets.name));
}

export interface BeginVersionInput {
  datasetId: string;
  /** merge: some rows replaced by key, the files without any of them kept (gold facts updated by order). */
  operation: 'append' | 'overwrite' | 'overwrite_partitions' | 'merge' | 'restore' | 'compact';
  runId?: string | null;
}

export interface StagingVersion {
  id: number;
  version: number;
  datasetId: string;
  /** The version the commit builds on; the commit fails if another writer committed meanwhile. */
  parentVersionId: number | null;
  /** Storage key under the dataset prefix where this version's new files go: `_v/<version padded>/`. */
  versionKey: string;
  runId: string | null;
}

export function versionKey(version: number): string {
  return String(version).padStart(6, '0');
}

export async function beginVersion(db: CatalogDb, input: BeginVersionInput): Promise<StagingVersion> {
  return db.transaction(async (tx) => {
    const [ds] = await tx.select().from(datasets).where(eq(datasets.id, input.datasetId)).for('update');
    if (!ds) throw new KeystoneError('not_found:dataset', `no dataset with id ${input.datasetId}`);
    const [{ next } = { next: 1 }] = await tx
      .select({ next: sql<number>`coalesce(max(${datasetVersions.version}), 0)::int + 1` })
      .from(datasetVersions)
      .where(eq(datasetVersions.datasetId, ds.id));
    const [row] = await tx
      .insert(datasetVersions)
      .values({
        datasetId: ds.id,
        version: next,
        status: 'staging',
        operation: input.operation,
        parentVersionId: ds.currentVersionId,
        prefix: `${ds.prefix}_v/${versionKey(next)}/`,
        runId: input.runId ?? null,
      })
      .returning();
    return { id: row!.id, version: next, datasetId: ds.id, parentVersionId: ds.currentVersionId, versionKey: versionKey(next), runId: input.runId ?? null };
  });
}

export interface NewFile {
  /** Object key inside the dataset's bucket. */
  key: string;
  bytes: number;
  rowCount: number;
  rowGroups?: number | null;
  compression?: string | null;
  partition?: Record<string, string>;
  columnStats?: Record<string, ColumnStats>;
  sha256?: string | null;
}

export interface CommitInput {
  staging: StagingVersion;
  /** Files written by this version. */
  newFiles: NewFile[];
  /** Which of the parent's files stay: all (append), none (overwrite), or all but some partitions. */
  keep: { kind: 'all' } | { kind: 'none' } | { kind: 'except_partitions'; partitions: Record<string, string>[] } | { kind: 'files'; fileIds: number[] };
  schema?: SchemaColumn[];
  changedPartitions?: Record<string, string>[];
  facets?: Record<string, unknown>;
  /** More catalog writes that must land in the same transaction as the switch (e.g. the ingest record). */
  alsoInTransaction?: (tx: CatalogTx, committed: DatasetVersion, newFileIds: number[]) => Promise<void>;
}

export type CatalogTx = Parameters<Parameters<CatalogDb['transaction']>[0]>[0];

function partitionId(p: Record<string, string>): string {
  return JSON.stringify(Object.keys(p).sort().map((k) => [k, p[k]]));
}

/** Make the staged version the current one, atomically. */
export async function commitVersion(db: CatalogDb, input: CommitInput): Promise<DatasetVersion> {
  const { staging } = input;
  return db.transaction(async (tx) => {
    const [ds] = await tx.select().from(datasets).where(eq(datasets.id, staging.datasetId)).for('update');
    if (!ds) throw new KeystoneError('not_found:dataset', `no dataset with id ${staging.datasetId}`);
    let parentVersionId = staging.parentVersionId;
    if (ds.currentVersionId !== parentVersionId) {
      // An append commutes with any other commit: it builds on whatever is current now. Anything that
      // replaces files must not silently undo another writer's commit.
      if (input.keep.kind !== 'all') {
        throw new KeystoneError('conflict:version', `dataset ${ds.layer}.${ds.name} changed while this version was written (another writer committed); nothing was committed`);
      }
      parentVersionId = ds.currentVersionId;
      await tx.update(datasetVersions).set({ parentVersionId }).where(eq(datasetVersions.id, staging.id));
    }
    let keptIds: number[] = [];
    if (parentVersionId !== null && input.keep.kind !== 'none') {
      if (input.keep.kind === 'files') {
        keptIds = input.keep.fileIds;
      } else {
        const parentFiles = await tx
          .select({ id: files.id, partition: files.partition })
          .from(versionFiles)
          .innerJoin(files, eq(files.id, versionFiles.fileId))
          .where(eq(versionFiles.versionId, parentVersionId));
        const dropped = input.keep.kind === 'except_partitions' ? new Set(input.keep.partitions.map(partitionId)) : new Set<string>();
        keptIds = parentFiles.filter((f) => !dropped.has(partitionId(f.partition))).map((f) => f.id);
      }
    }
    let newIds: number[] = [];
    if (input.newFiles.length > 0) {
      const inserted: { id: number }[] = [];
      // Chunked: Postgres caps bind parameters at 65535 per statement.
      for (let i = 0; i < input.newFiles.length; i += 2000) {
        const chunk = input.newFiles.slice(i, i + 2000);
        inserted.push(
          ...(await tx
            .insert(files)
            .values(
              chunk.map((f) => ({
                datasetId: ds.id,
                key: f.key,
                bytes: f.bytes,
                rowCount: f.rowCount,
                rowGroups: f.rowGroups ?? null,
                compression: f.compression ?? null,
                partition: f.partition ?? {},
                columnStats: f.columnStats ?? {},
                sha256: f.sha256 ?? null,
                createdInVersionId: staging.id,
                runId: staging.runId,
              })),
            )
            .returning({ id: files.id })),
        );
      }
      newIds = inserted.map((r) => r.id);
    }
    const all = [...keptIds, ...newIds];
    for (let i = 0; i < all.length; i += 5000) {
      await tx.insert(versionFiles).values(all.slice(i, i + 5000).map((fileId) => ({ versionId: staging.id, fileId })));
    }
    const [totals] = await tx
      .select({
        rows: sql<number>`coalesce(sum(${files.rowCount}), 0)::float8`,
        bytes: sql<number>`coalesce(sum(${files.bytes}), 0)::float8`,
        n: sql<number>`count(*)::int`,
      })
      .from(versionFiles)
      .innerJoin(files, eq(files.id, versionFiles.fileId))
      .where(eq(versionFiles.versionId, staging.id));
    const schema = input.schema ?? ds.schema;
    const [committed] = await tx
      .update(datasetVersions)
      .set({
        status: 'committed',
        committedAt: sql`now()`,
        rowCount: Number(totals!.rows),
        bytes: Number(totals!.bytes),
        fileCount: totals!.n,
        schema,
        changedPartitions: input.changedPartitions ?? null,
        facets: input.facets ?? {},
      })
      .where(and(eq(datasetVersions.id, staging.id), eq(datasetVersions.status, 'staging')))
      .returning();
    if (!committed) throw new KeystoneError('conflict:version', `version ${staging.version} of ${ds.layer}.${ds.name} is no longer staging`);
    await tx.update(datasets).set({ currentVersionId: staging.id, schema, updatedAt: sql`now()` }).where(eq(datasets.id, ds.id));
    await input.alsoInTransaction?.(tx, committed, newIds);
    return committed;
  });
}

export async function abortVersion(db: CatalogDb, staging: StagingVersion): Promise<void> {
  await db
    .update(datasetVersions)
    .set({ status: 'aborted' })
    .where(and(eq(datasetVersions.id, staging.id), eq(datasetVersions.status, 'staging')));
}

/** Files of a dataset's current version (what readers see), in key order. */
export async function currentFiles(db: CatalogDb, datasetId: string): Promise<DataFile[]> {
  const [ds] = await db.select({ v: datasets.currentVersionId }).from(datasets).where(eq(datasets.id, datasetId));
  if (!ds?.v) return [];
  return filesOfVersion(db, ds.v);
}

/** A file as a reader needs it: no column statistics (they make a version of hundreds of files slow to list). */
export type FileRef = Pick<DataFile, 'id' | 'key' | 'partition' | 'rowCount'>;

/** The files of a dataset's current version, in key order, without their statistics. */
export async function currentFileRefs(db: CatalogDb, datasetId: string): Promise<FileRef[]> {
  const [ds] = await db.select({ v: datasets.currentVersionId }).from(datasets).where(eq(datasets.id, datasetId));
  return ds?.v ? fileRefsOfVersion(db, ds.v) : [];
}

/** The files of one version, in key order, without their statistics. */
export async function fileRefsOfVersion(db: CatalogDb, versionId: number): Promise<FileRef[]> {
  return db
    .select({ id: files.id, key: files.key, partition: files.partition, rowCount: files.rowCount })
    .from(versionFiles)
    .innerJoin(files, eq(files.id, versionFiles.fileId))
    .where(eq(versionFiles.versionId, versionId))
    .orderBy(asc(files.key));
}

export async function filesOfVersion(db: CatalogDb, versionId: number): Promise<DataFile[]> {
  const rows = await db
    .select({ f: files })
    .from(versionFiles)
    .innerJoin(files, eq(files.id, versionFiles.fileId))
    .where(eq(versionFiles.versionId, versionId))
    .orderBy(asc(files.key));
  return rows.map((r) => r.f);
}

export async function listVersions(db: CatalogDb, datasetId: string): Promise<DatasetVersion[]> {
  return db.select().from(datasetVersions).where(eq(datasetVersions.datasetId, datasetId)).orderBy(desc(datasetVersions.version));
}

/** Make an earlier committed version current again, as a new version (history is never rewritten). */
export async function restoreVersion(db: CatalogDb, datasetId: string, version: number, runId?: string): Promise<DatasetVersion> {
  const [target] = await db
    .select()
    .from(datasetVersions)
    .where(and(eq(datasetVersions.datasetId, datasetId), eq(datasetVersions.version, version)));
  if (!target || target.status !== 'committed') {
    throw new KeystoneError('not_found:version', `version ${version} does not exist or was never committed`);
  }
  const fileIds = (await db.select({ id: versionFiles.fileId }).from(versionFiles).where(eq(versionFiles.versionId, target.id))).map((r) => r.id);
  const staging = await beginVersion(db, { datasetId, operation: 'restore', runId: runId ?? null });
  return commitVersion(db, { staging, newFiles: [], keep: { kind: 'files', fileIds }, schema: target.schema, facets: { restoredFrom: version } });
}

export async function filesByIds(db: CatalogDb, ids: number[]): Promise<DataFile[]> {
  if (ids.length === 0) return [];
  return db.select().from(files).where(inArray(files.id, ids));
}
