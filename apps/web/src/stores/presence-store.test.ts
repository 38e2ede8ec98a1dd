import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIMITS } from '@chat/shared';
import { createPresenceStore } from './presence-store';

const NOW = Date.parse('2026-11-20T10:00:00.000Z');
const typing = (userId: string, on = true, conversationId = 'c1') => ({
  conversationId,
  userId,
  typing: on,
  expiresInMs: LIMITS.TYPING_TTL_MS,
});

beforeEach(() => vi.useFakeTimers({ now: NOW }));
afterEach(() => vi.useRealTimers());

describe('presence store', () => {
  it('replaces everything on a snapshot and applies single updates', () => {
    const store = createPresenceStore();
    store.getState().applyUpdate({ userId: 'old', online: true, lastSeenAt: null });
    store.getState().applySnapshot([{ userId: 'bob', online: true, lastSeenAt: null }]);
    expect(Object.keys(store.getState().byUserId)).toEqual(['bob']);
    store
      .getState()
      .applyUpdate({ userId: 'bob', online: false, lastSeenAt: '2026-11-20T09:59:00Z' });
    expect(store.getState().byUserId.bob).toMatchObject({ online: false });
  });

  it('shows typing until it expires by itself, unless renewed', () => {
    const store = createPresenceStore();
    store.getState().applyTyping(typing('bob'));
    expect(store.getState().typing.c1).toEqual({ bob: NOW + LIMITS.TYPING_TTL_MS });
    vi.advanceTimersByTime(LIMITS.TYPING_TTL_MS - 1_000);
    store.getState().applyTyping(typing('bob')); // renewed before expiry
    vi.advanceTimersByTime(LIMITS.TYPING_TTL_MS - 1);
    expect(store.getState().typing.c1).toHaveProperty('bob');
    vi.advanceTimersByTime(1);
    expect(store.getState().typing.c1).toEqual({});
  });

  it('stops typing on "stopped", on a message from that person, and on reset', () => {
    const store = createPresenceStore();
    store.getState().applyTyping(typing('bob'));
    store.getState().applyTyping(typing('carol'));
    store.getState().applyTyping(typing('dan', true, 'c2'));
    store.getState().applyTyping(typing('bob', false));
    store.getState().clearTyping('c1', 'carol');
    expect(store.getState().typing.c1).toEqual({});
    store.getState().reset();
    expect(store.getState().typing).toEqual({});
    vi.advanceTimersByTime(LIMITS.TYPING_TTL_MS * 2); // no timer brings anything back
    expect(store.getState().typing).toEqual({});
  });
});
