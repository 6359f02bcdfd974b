/**
 * Pipeline phases run DuckDB with one thread per query. Their work is thousands of small files (a silver
 * table is one file per day), and handing each file's few hundred rows between worker threads costs
 * more than the work itself: measured on two cores, the same silver and gold runs took about a third
 * less CPU with `threads = 1`, and twice less for gold. The pipeline gets its parallelism by running two
 * queries at a time instead.
 *
 * `threads` is global to the instance, so console queries running meanwhile also get one thread each;
 * the setting is restored when the last phase holding it ends (phases may overlap: they are counted).
 */
import type { QueryEngine } from '../engine';

interface State {
  holders: number;
  previous: string | undefined;
  /** Whether `threads = 1` is in force because of us (and `previous` is what to restore). */
  applied: boolean;
  /** Setting changes, in the order they were asked for. */
  chain: Promise<void>;
}

const KEY = Symbol.for('keystone.duckdb.pipeline-threads');
function state(): State {
  const g = globalThis as { [KEY]?: State };
  return (g[KEY] ??= { holders: 0, previous: undefined, applied: false, chain: Promise.resolve() });
}

function enqueue(s: State, change: () => Promise<void>): Promise<void> {
  // A failed SET only costs speed: never let it fail the pipeline or block later changes.
  s.chain = s.chain.then(change).catch(() => undefined);
  return s.chain;
}

export async function withPipelineThreads<T>(engine: QueryEngine, fn: () => Promise<T>): Promise<T> {
  if (engine.kind !== 'duckdb') return fn();
  const s = state();
  if (++s.holders === 1) {
    await enqueue(s, async () => {
      if (s.applied) return;
      const r = await engine.query(`SELECT current_setting('threads')`);
      s.previous = String(r.rows[0]?.[0] ?? '');
      await engine.execute('SET threads = 1');
      s.applied = true;
    });
  } else {
    await s.chain;
  }
  try {
    return await fn();
  } finally {
    if (--s.holders === 0) {
      await enqueue(s, async () => {
        if (s.holders > 0 || !s.applied) return;
        s.applied = false;
        if (s.previous && /^\d+$/.test(s.previous)) await engine.execute(`SET threads = ${s.previous}`);
      });
    }
  }
}
