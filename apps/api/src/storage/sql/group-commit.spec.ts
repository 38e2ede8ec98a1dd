import { describe, expect, it } from '@jest/globals';
import { GroupCommitQueue } from './group-commit.js';

/** A batch runner whose batches finish only when the test says so. */
function controlledRunner() {
  const batches: { items: number[]; finish: () => void; fail: (error: Error) => void }[] = [];
  const run = (items: readonly number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push({
        items: [...items],
        finish: () => resolve(items.map((item) => `out${item}`)),
        fail: reject,
      });
    });
  return { batches, run };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommitQueue', () => {
  it('runs an item at once, alone, while a batch slot is free', async () => {
    const { batches, run } = controlledRunner();
    const queue = new GroupCommitQueue(run, { maxInFlight: 2, maxBatch: 10 });
    const first = queue.submit(1);
    const second = queue.submit(2);
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
    batches[0]!.finish();
    batches[1]!.finish();
    await expect(first).resolves.toBe('out1');
    await expect(second).resolves.toBe('out2');
  });

  it('sends what arrived while every slot was busy as one batch, in order, when a slot frees', async () => {
    const { batches, run } = controlledRunner();
    const queue = new GroupCommitQueue(run, { maxInFlight: 1, maxBatch: 10 });
    const outputs = [1, 2, 3, 4].map((item) => queue.submit(item));
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    batches[0]!.finish();
    await settle();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    batches[1]!.finish();
    await expect(Promise.all(outputs)).resolves.toEqual(['out1', 'out2', 'out3', 'out4']);
  });

  it('caps a batch at maxBatch and sends the rest in the next ones', async () => {
    const { batches, run } = controlledRunner();
    const queue = new GroupCommitQueue(run, { maxInFlight: 1, maxBatch: 2 });
    const outputs = [1, 2, 3, 4, 5].map((item) => queue.submit(item));
    for (let i = 0; i < 3; i++) {
      batches[i]!.finish();
      await settle();
    }
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3], [4, 5]]);
    await expect(Promise.all(outputs)).resolves.toHaveLength(5);
  });

  it('hands the error of a lone item to it', async () => {
    const { batches, run } = controlledRunner();
    const queue = new GroupCommitQueue(run, { maxInFlight: 1, maxBatch: 10 });
    const lone = queue.submit(1);
    const boom = new Error('boom');
    batches[0]!.fail(boom);
    await expect(lone).rejects.toBe(boom);
  });

  it('splits a failed batch in halves until the item at fault is alone, so only it fails', async () => {
    const ran: number[][] = [];
    const queue = new GroupCommitQueue(
      async (items: readonly number[]) => {
        ran.push([...items]);
        await settle();
        if (items.includes(3)) throw new Error(`bad item in [${items.join(',')}]`);
        return items.map((item) => item * 10);
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5, 6].map((item) => queue.submit(item)));
    // [1] alone, then [2..6] fails: [2,3,4] fails ([2,3] fails: [2] ok, [3] fails; [4] ok), [5,6] ok.
    expect(ran).toEqual([[1], [2, 3, 4, 5, 6], [2, 3, 4], [2, 3], [2], [3], [4], [5, 6]]);
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'fulfilled', value: 20 },
      { status: 'rejected', reason: new Error('bad item in [3]') },
      { status: 'fulfilled', value: 40 },
      { status: 'fulfilled', value: 50 },
      { status: 'fulfilled', value: 60 },
    ]);
  });

  it('fails every item of a batch answered with the wrong number of outputs', async () => {
    const queue = new GroupCommitQueue(async () => ['only one'], { maxInFlight: 1, maxBatch: 10 });
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => queue.submit(item)));
    // The first left alone and got its one output; the next two came back one short.
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
  });

  it('refuses a configuration that could never run anything', () => {
    expect(() => new GroupCommitQueue(async () => [], { maxInFlight: 0, maxBatch: 1 })).toThrow();
  });
});
