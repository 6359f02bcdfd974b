import { describe, expect, it } from 'vitest';
import { forEachByDependencies } from './concurrency';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('forEachByDependencies', () => {
  it('starts an item as soon as what it depends on is done, while a slow unrelated one still runs', async () => {
    const items = [
      { name: 'slow', after: [], ms: 120 },
      { name: 'a', after: [], ms: 10 },
      { name: 'b', after: ['a'], ms: 10 },
      { name: 'c', after: ['b', 'kept-from-before'], ms: 10 },
    ];
    const log: string[] = [];
    let running = 0;
    let most = 0;
    await forEachByDependencies(
      items,
      2,
      (i) => i.name,
      (i) => i.after,
      async (i) => {
        running++;
        most = Math.max(most, running);
        log.push(`start ${i.name}`);
        await sleep(i.ms);
        log.push(`end ${i.name}`);
        running--;
      },
    );
    expect(most).toBe(2);
    // b and c ran while slow was still running: no waiting for a whole wave.
    expect(log.indexOf('end c')).toBeLessThan(log.indexOf('end slow'));
    expect(log.indexOf('start b')).toBeGreaterThan(log.indexOf('end a'));
    expect(log.indexOf('start c')).toBeGreaterThan(log.indexOf('end b'));
  });

  it('refuses items that wait on each other, and passes on the first failure', async () => {
    await expect(forEachByDependencies([{ n: 'x', a: ['y'] }, { n: 'y', a: ['x'] }], 2, (i) => i.n, (i) => i.a, async () => undefined)).rejects.toThrow(/wait on each other: x, y/);
    const ran: string[] = [];
    await expect(
      forEachByDependencies([{ n: 'x', a: [] as string[] }, { n: 'y', a: ['x'] }], 1, (i) => i.n, (i) => i.a, async (i) => {
        ran.push(i.n);
        if (i.n === 'x') throw new Error('x broke');
      }),
    ).rejects.toThrow('x broke');
    expect(ran).toEqual(['x']);
  });
});
