import type { LockRequester } from '@/lib/web-locks';

/**
 * A small Web Locks stand-in (exclusive mode only) for tests in Node, which has no `navigator.locks`: requests for
 * one name are granted one at a time, in the order made, each held until its callback's promise settles (as
 * `LockManager.request` without `ifAvailable` or `steal`). Share one instance between several clients to play
 * several tabs of one browser.
 */
export class FakeLocks implements LockRequester {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Names held right now, for assertions. */
  readonly held = new Set<string>();
  /** Every grant, in order. */
  readonly granted: string[] = [];

  request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    const run = previous.then(async () => {
      this.held.add(name);
      this.granted.push(name);
      try {
        return await callback();
      } finally {
        this.held.delete(name);
      }
    });
    const tail = run.catch(() => undefined);
    this.tails.set(name, tail);
    void tail.then(() => {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    });
    return run;
  }
}
