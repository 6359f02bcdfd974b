import 'server-only';
/**
 * The console's handle on the core: one configuration, one catalog and one lake context (storage,
 * engine, scratch) per server process. Pages, server actions and route handlers call lib/ through
 * here and nothing else.
 *
 * The handles live on globalThis: Next.js may evaluate this module once per route bundle, and a second
 * pool (or a second DuckDB engine) per route would be waste at best.
 */
import { getConfig } from '@/lib/config';
import { sharedCatalog, type Catalog } from '@/lib/catalog/database';
import { failAbandonedRuns } from '@/lib/catalog/runs';
import { openLake, type LakeContext } from '@/lib/lake/context';
import { createLogger } from '@/lib/logger';
import { failStaleUploads } from '@/lib/uploads/uploads';

interface Handles {
  catalog?: Promise<Catalog>;
  lake?: Promise<LakeContext>;
}

const KEY = Symbol.for('keystone.console.server-context');

function handles(): Handles {
  const g = globalThis as unknown as Record<symbol, Handles | undefined>;
  g[KEY] ??= {};
  return g[KEY];
}

export function appConfig() {
  return getConfig();
}

/**
 * The process-wide catalog. On first use it also tidies what a previous server process left behind:
 * runs it was executing are marked failed, uploads it was receiving too.
 */
export function appCatalog(): Promise<Catalog> {
  const h = handles();
  h.catalog ??= (async () => {
    const catalog = await sharedCatalog(getConfig(), { applicationName: 'keystone-console' });
    const log = createLogger({ component: 'console' });
    await failAbandonedRuns(catalog).catch((e: unknown) => log.warn('could not tidy abandoned runs', { error: String(e) }));
    await failStaleUploads(catalog.db).catch((e: unknown) => log.warn('could not tidy abandoned uploads', { error: String(e) }));
    return catalog;
  })().catch((e: unknown) => {
    h.catalog = undefined;
    throw e;
  });
  return h.catalog;
}

/** The process-wide lake context (storage, engine, scratch) on the shared catalog. */
export function appLake(): Promise<LakeContext> {
  const h = handles();
  h.lake ??= (async () => {
    const catalog = await appCatalog();
    return openLake(getConfig(), { catalog, log: createLogger({ component: 'console' }), applicationName: 'keystone-console' });
  })().catch((e: unknown) => {
    h.lake = undefined;
    throw e;
  });
  return h.lake;
}
