/**
 * Runs async tasks one at a time per key (here: per conversation), in arrival order; tasks on different keys run
 * freely. GroupsService uses it so that a membership change and the system message recording it are never
 * interleaved with another change of the same group: the timeline's order is the order of the changes.
 * In-process only, which matches the deployment (one API process: Socket.IO rooms are per process too); the
 * repository's atomic answers remain the authority if that ever changes.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Runs `task` after every earlier task of `key` has settled (fulfilled or rejected).
   * @returns what `task` returns; its rejection is passed on to the caller only
   */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      // The last task of a key removes its entry, so idle keys hold no memory.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
