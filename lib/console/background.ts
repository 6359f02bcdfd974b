/**
 * Runs started from the console keep going after the request that started them has returned: the work
 * runs in the server process, not tied to the request, and the run is recorded in the catalog (its
 * status, steps, logs) so any page — or another browser — can follow it.
 *
 * `launchRun` resolves as soon as the run exists (with its id, for a link), or rejects when it could not
 * start (e.g. `conflict:job_running`). What happens afterwards is the catalog's to tell.
 */
import { errorMessage } from '../errors';
import type { Logger } from '../logger';

interface Registry {
  running: Map<string, Promise<unknown>>;
}

const KEY = Symbol.for('keystone.console.background-runs');

function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  g[KEY] ??= { running: new Map() };
  return g[KEY];
}

export interface Launched<T> {
  runId: string;
  /** Settles when the run is over; never rejects (a failed run is a result, recorded in the catalog). */
  done: Promise<T | undefined>;
}

export function launchRun<T>(log: Logger, label: string, start: (onStart: (runId: string) => void) => Promise<T>): Promise<Launched<T>> {
  return new Promise((resolve, reject) => {
    let runId: string | undefined;
    // Deferred a tick so `done` exists before `start` can call back.
    const work = Promise.resolve().then(() =>
      start((id) => {
        runId = id;
        registry().running.set(id, done);
        resolve({ runId: id, done });
      }),
    );
    const done: Promise<T | undefined> = work.then(
      (value) => {
        if (runId === undefined) reject(new Error(`${label} finished without starting a run`));
        return value;
      },
      (e: unknown) => {
        if (runId === undefined) reject(e);
        else log.error(`${label} run ${runId} ended with an error`, { error: errorMessage(e) });
        return undefined;
      },
    );
    void done.finally(() => {
      if (runId !== undefined) registry().running.delete(runId);
    });
  });
}

/** Runs this process is executing right now (ids). */
export function runsInThisProcess(): string[] {
  return [...registry().running.keys()];
}

/** Wait for every run this process started (tests, graceful shutdown). */
export async function settleBackgroundRuns(): Promise<void> {
  await Promise.allSettled([...registry().running.values()]);
}
