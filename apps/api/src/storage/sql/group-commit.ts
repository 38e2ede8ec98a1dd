/** How a GroupCommitQueue batches. */
export interface GroupCommitOptions {
  /**
   * Batches that may run at once. While that many are running, new items wait and leave together in the next
   * batch: the smaller this is, the sooner batching starts as load rises.
   */
  maxInFlight: number;
  /** Most items in one batch. */
  maxBatch: number;
}

interface Waiter<I, O> {
  item: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while earlier batches are still running leave together, as one batch, when a
 * batch slot frees (the technique databases use for commits, e.g. PostgreSQL's WAL flush of several commits at
 * once; here one statement and one transaction carry several appends). Under light load every item leaves at once
 * in a batch of its own, so nothing waits that would not have waited anyway; as load rises, batches grow by
 * themselves, and the fixed cost of a statement (round trip, executor start, commit) is shared.
 *
 * Order: items leave in the order submitted, and a batch hands `run` its items in that order. Two batches in flight
 * are not ordered with each other: an item of a later batch may finish before one of an earlier batch (as two
 * statements on two connections could before).
 *
 * Failure of a batch: `run` rejecting means the batch as a whole failed (one statement: nothing of it stayed).
 * A batch of one passes the error to its item. A larger batch is split in halves, each run as a batch again, down
 * to the item at fault (runBatch), so each item gets its own outcome: the others are not its victims.
 */
export class GroupCommitQueue<I, O> {
  private readonly waiting: Waiter<I, O>[] = [];
  private inFlight = 0;

  /**
   * @param run runs one batch: resolves with one output per item, in the items' order, or rejects when the batch
   *   failed as a whole
   */
  constructor(
    private readonly run: (items: readonly I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
  ) {
    if (options.maxInFlight < 1 || options.maxBatch < 1) {
      throw new Error('maxInFlight and maxBatch must be at least 1');
    }
  }

  /** Queues `item`; resolves with its output once its batch has run. @throws what its (lone) run threw */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.dispatch();
    });
  }

  /** Starts batches while a slot is free and items wait. */
  private dispatch(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.runBatch(batch).finally(() => {
        this.inFlight--;
        this.dispatch();
      });
    }
  }

  /**
   * Runs `batch`; when it fails as a whole, runs its first half and then its second half as batches of their own,
   * and so on down to single items, which get the error. One failing item among n then costs about 2 log2(n)
   * extra runs instead of n, and the items still run in their order.
   */
  private async runBatch(batch: Waiter<I, O>[]): Promise<void> {
    let outputs: O[];
    try {
      outputs = await this.run(batch.map((waiter) => waiter.item));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.runBatch(batch.slice(0, half));
      await this.runBatch(batch.slice(half));
      return;
    }
    if (outputs.length !== batch.length) {
      const error = new Error(`batch of ${batch.length} answered ${outputs.length} outputs`);
      for (const waiter of batch) waiter.reject(error);
      return;
    }
    batch.forEach((waiter, i) => waiter.resolve(outputs[i]!));
  }
}
