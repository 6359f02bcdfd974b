/**
 * Run tasks with at most `limit` in flight. Two is right for our pipeline on two cores: one task parses
 * on the main thread while another's DuckDB work runs on the worker threads.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}

/**
 * Run `fn` on every item, at most `limit` at a time, each as soon as the items it depends on have
 * finished (not wave by wave: a slow item holds back only what depends on it). `after` names the items
 * an item waits for; names of items not in the list count as done. Throws on a cycle.
 */
export async function forEachByDependencies<T>(
  items: readonly T[],
  limit: number,
  name: (item: T) => string,
  after: (item: T) => readonly string[],
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  const pending = new Set(items.map(name));
  const waiting = items.map((item, index) => ({ item, index }));
  let failure: unknown;
  let wake: () => void = () => undefined;
  let running = 0;
  const ready = () => waiting.findIndex((w) => after(w.item).every((d) => !pending.has(d)));
  const worker = async () => {
    while (failure === undefined && waiting.length > 0) {
      const at = ready();
      if (at < 0) {
        if (running === 0) {
          failure ??= new Error(`these wait on each other: ${waiting.map((w) => name(w.item)).join(', ')}`);
          break;
        }
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => {
            previous();
            resolve();
          };
        });
        continue;
      }
      const [{ item, index }] = waiting.splice(at, 1) as [{ item: T; index: number }];
      running++;
      try {
        await fn(item, index);
      } catch (e) {
        failure ??= e;
      } finally {
        running--;
        pending.delete(name(item));
        const w = wake;
        wake = () => undefined;
        w();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
