import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Drafts, DRAFT_SAVE_DELAY_MS } from './drafts';

/** What a fresh tab (another Drafts on the same IndexedDB) loads for `userId`. */
async function reloaded(userId: string): Promise<Record<string, string>> {
  const tab = new Drafts();
  await tab.load(userId);
  return { ...tab.store.getState().byConversation };
}

describe('Drafts', () => {
  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory();
    // Only the save delay is faked: fake-indexeddb schedules its own work with setImmediate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a draft in memory at once and in IndexedDB after a pause in typing', async () => {
    const drafts = new Drafts();
    await drafts.load('alice');
    drafts.update('c1', 'hel');
    drafts.update('c1', 'hello');
    expect(drafts.get('c1')).toBe('hello');
    expect(await reloaded('alice')).toEqual({});

    vi.advanceTimersByTime(DRAFT_SAVE_DELAY_MS - 1);
    expect(await reloaded('alice')).toEqual({});
    vi.advanceTimersByTime(1);
    await drafts.flush();
    expect(await reloaded('alice')).toEqual({ c1: 'hello' });
  });

  it('flush writes what is still waiting for the pause (the page is going away)', async () => {
    const drafts = new Drafts();
    await drafts.load('alice');
    drafts.update('c1', 'typed just now');
    await drafts.flush();
    expect(await reloaded('alice')).toEqual({ c1: 'typed just now' });
  });

  it('keeps each person’s drafts apart and loads only the signed-in person’s', async () => {
    const drafts = new Drafts();
    await drafts.load('alice');
    drafts.update('c1', 'from alice');
    await drafts.load('bob');
    expect(drafts.get('c1')).toBe('');
    drafts.update('c1', 'from bob');
    await drafts.flush();

    expect(await reloaded('alice')).toEqual({ c1: 'from alice' });
    expect(await reloaded('bob')).toEqual({ c1: 'from bob' });
  });

  it('drops a draft that is emptied or sent', async () => {
    const drafts = new Drafts();
    await drafts.load('alice');
    drafts.update('c1', 'one');
    drafts.update('c2', 'two');
    await drafts.flush();
    drafts.update('c1', '   ');
    drafts.clear('c2');
    expect(drafts.store.getState().byConversation).toEqual({});
    await drafts.flush();
    expect(await reloaded('alice')).toEqual({});
  });

  it('removeAll deletes one person’s drafts from the browser and leaves others’', async () => {
    const drafts = new Drafts();
    await drafts.load('bob');
    drafts.update('c9', 'bob keeps this');
    await drafts.load('alice');
    drafts.update('c1', 'alice typed this');
    await drafts.removeAll('alice');
    expect(drafts.get('c1')).toBe('');
    // The save that was waiting for the pause must not bring it back.
    vi.advanceTimersByTime(DRAFT_SAVE_DELAY_MS);
    await drafts.flush();

    expect(await reloaded('alice')).toEqual({});
    expect(await reloaded('bob')).toEqual({ c9: 'bob keeps this' });
  });

  it('ignores updates while nobody is signed in', () => {
    const drafts = new Drafts();
    drafts.update('c1', 'lost');
    expect(drafts.get('c1')).toBe('');
  });

  it('works in memory where IndexedDB is missing', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const drafts = new Drafts();
    await drafts.load('alice');
    drafts.update('c1', 'kept for this tab');
    await drafts.flush();
    expect(drafts.get('c1')).toBe('kept for this tab');
  });
});
