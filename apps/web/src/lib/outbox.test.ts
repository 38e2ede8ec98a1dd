import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Outbox, type OutboxEntry } from './outbox';

function entry(clientMessageId: string, overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    clientMessageId,
    userId: 'alice',
    conversationId: 'c1',
    body: clientMessageId,
    createdAt: '2026-11-20T10:00:00.000Z',
    status: 'pending',
    error: null,
    ...overrides,
  };
}

/** The same checks with IndexedDB and with the in-memory fallback of browsers without it. */
describe.each([
  ['IndexedDB', () => (globalThis.indexedDB = new IDBFactory())],
  ['memory (no IndexedDB)', () => vi.stubGlobal('indexedDB', undefined)],
])('Outbox on %s', (_name, prepare) => {
  beforeEach(() => {
    prepare();
  });

  it('lists one person’s entries, oldest first', async () => {
    const outbox = new Outbox();
    await outbox.put(entry('late', { createdAt: '2026-11-20T10:05:00.000Z' }));
    await outbox.put(entry('early', { createdAt: '2026-11-20T10:01:00.000Z' }));
    await outbox.put(entry('bobs', { userId: 'bob' }));
    expect((await outbox.list('alice')).map((e) => e.clientMessageId)).toEqual(['early', 'late']);
  });

  it('replaces an entry by clientMessageId and forgets it once removed', async () => {
    const outbox = new Outbox();
    await outbox.put(entry('m'));
    await outbox.put(entry('m', { status: 'failed', error: 'no ack' }));
    expect(await outbox.get('m')).toMatchObject({ status: 'failed' });
    await outbox.remove('m');
    expect(await outbox.get('m')).toBeUndefined();
  });

  it('removes all of one person’s entries and nobody else’s', async () => {
    const outbox = new Outbox();
    await outbox.put(entry('a1'));
    await outbox.put(entry('a2'));
    await outbox.put(entry('b1', { userId: 'bob' }));
    await outbox.removeAll('alice');
    expect(await outbox.list('alice')).toEqual([]);
    expect(await outbox.list('bob')).toHaveLength(1);
  });
});

it('keeps entries across instances (a reload) with IndexedDB', async () => {
  globalThis.indexedDB = new IDBFactory();
  await new Outbox().put(entry('kept'));
  expect(await new Outbox().get('kept')).toMatchObject({ body: 'kept' });
});
