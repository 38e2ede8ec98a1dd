import { describe, expect, it } from 'vitest';
import type { BlockedUser, PrivacySettings } from '@chat/shared';
import { createPrivacyStore, type PrivacyApi } from './privacy-store';

const person = (id: string): BlockedUser => ({
  user: { id, username: id, displayName: id.toUpperCase(), avatarUrl: null },
  blockedAt: '2026-01-01T00:00:00.000Z',
});

function fakeApi(): PrivacyApi & { settings: PrivacySettings } {
  const api = {
    settings: { lastSeen: 'contacts', groupAdd: 'contacts' } as PrivacySettings,
    privacySettings: async () => api.settings,
    updatePrivacy: async (changes: Partial<PrivacySettings>) => {
      api.settings = { ...api.settings, ...changes };
      return api.settings;
    },
    listBlocked: async () => [person('old')],
    block: async (userId: string) => person(userId),
    unblock: async () => undefined,
  };
  return api as unknown as PrivacyApi & { settings: PrivacySettings };
}

describe('privacy store', () => {
  it('loads settings and blocks, lists a new block first, drops an unblocked one', async () => {
    const store = createPrivacyStore(fakeApi());
    await store.getState().load();
    expect(store.getState()).toMatchObject({
      loaded: true,
      settings: { lastSeen: 'contacts', groupAdd: 'contacts' },
    });
    await store.getState().block('new');
    await store.getState().block('new');
    expect(store.getState().blocked.map((b) => b.user.id)).toEqual(['new', 'old']);
    await store.getState().unblock('old');
    expect(store.getState().blocked.map((b) => b.user.id)).toEqual(['new']);
    await store.getState().update({ lastSeen: 'nobody' });
    expect(store.getState().settings).toEqual({ lastSeen: 'nobody', groupAdd: 'contacts' });
  });

  it('shows a setting at once and puts it back when the server refuses', async () => {
    const api = fakeApi();
    const store = createPrivacyStore({
      ...api,
      updatePrivacy: async () => {
        expect(store.getState().settings?.groupAdd).toBe('nobody');
        throw new Error('refused');
      },
    });
    await store.getState().load();
    await expect(store.getState().update({ groupAdd: 'nobody' })).rejects.toThrow('refused');
    expect(store.getState().settings?.groupAdd).toBe('contacts');
  });

  it('ignores an answer that arrives after a reset (another person signed in)', async () => {
    const store = createPrivacyStore(fakeApi());
    const loading = store.getState().load();
    store.getState().reset();
    await loading;
    expect(store.getState()).toMatchObject({ loaded: false, blocked: [], settings: null });
  });
});
