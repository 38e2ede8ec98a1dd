import { describe, expect, it } from 'vitest';
import type { Message } from '@chat/shared';
import {
  NotificationCoordinator,
  shouldNotify,
  type TabView,
  type ViewChannel,
} from './notifications';
import type { LockRequester } from './web-locks';

function message(overrides: Partial<Message> = {}): Message {
  return {
    id: 'm1',
    conversationId: 'c1',
    seq: 1,
    senderId: 'other',
    clientMessageId: 'x',
    kind: 'text',
    body: 'hi',
    system: null,
    attachments: [],
    mentions: [],
    mentionsAll: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    replyTo: null,
    forwarded: false,
    reactions: [],
    editedAt: null,
    deletedAt: null,
    deletedBy: null,
    changeSeq: 0,
    ...overrides,
  };
}

describe('shouldNotify', () => {
  const active = { status: 'active' as const };
  it('follows the level, and never for own messages, system messages or the conversation on screen', () => {
    expect(shouldNotify(message(), { ...active, notificationLevel: 'all' }, 'me', false)).toBe(
      true,
    );
    expect(
      shouldNotify(
        message({ senderId: 'me' }),
        { ...active, notificationLevel: 'all' },
        'me',
        false,
      ),
    ).toBe(false);
    expect(
      shouldNotify(
        message({ kind: 'system' }),
        { ...active, notificationLevel: 'all' },
        'me',
        false,
      ),
    ).toBe(false);
    expect(shouldNotify(message(), { ...active, notificationLevel: 'all' }, 'me', true)).toBe(
      false,
    );
    expect(shouldNotify(message(), { ...active, notificationLevel: 'mentions' }, 'me', false)).toBe(
      false,
    );
    expect(
      shouldNotify(
        message({ mentions: ['me'] }),
        { ...active, notificationLevel: 'mentions' },
        'me',
        false,
      ),
    ).toBe(true);
    expect(
      shouldNotify(
        message({ mentionsAll: true }),
        { ...active, notificationLevel: 'mentions' },
        'me',
        false,
      ),
    ).toBe(true);
    expect(
      shouldNotify(
        message({ mentions: ['me'] }),
        { ...active, notificationLevel: 'none' },
        'me',
        false,
      ),
    ).toBe(false);
    expect(shouldNotify(message(), undefined, 'me', false)).toBe(true);
  });
});

/** Web Locks played in memory: one holder per name, the next request granted when it releases. */
function memoryLocks(): LockRequester {
  const queues = new Map<string, Array<() => void>>();
  return {
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const run = () => {
          callback()
            .then(resolve, reject)
            .finally(() => {
              const queue = queues.get(name)!;
              queue.shift();
              queue[0]?.();
            });
        };
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        queue.push(run);
        if (queue.length === 1) run();
      });
    },
  };
}

/** BroadcastChannel played in memory between several tabs. */
function memoryChannels() {
  const listeners = new Set<(event: { data: unknown }) => void>();
  return (): ViewChannel => {
    let mine: ((event: { data: unknown }) => void) | null = null;
    return {
      postMessage(data: TabView) {
        for (const l of listeners) if (l !== mine) l({ data });
      },
      addEventListener(_type, listener) {
        mine = listener;
        listeners.add(listener);
      },
      close() {
        if (mine) listeners.delete(mine);
      },
    };
  };
}

describe('NotificationCoordinator', () => {
  it('lets exactly one tab notify, hands over when it closes, and knows what other tabs show', async () => {
    const locks = memoryLocks();
    const channel = memoryChannels();
    const tabs = ['a', 'b', 'c'].map((id) => new NotificationCoordinator(locks, channel(), id));
    await Promise.resolve();
    expect(tabs.map((t) => t.isNotifier)).toEqual([true, false, false]);
    tabs[1]!.setView(true, 'c9');
    expect(tabs[0]!.viewing('c9')).toBe(true);
    expect(tabs[0]!.viewing('c8')).toBe(false);
    tabs[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tabs.map((t) => t.isNotifier)).toEqual([false, true, false]);
    tabs[1]!.setView(false, 'c9');
    expect(tabs[2]!.viewing('c9')).toBe(false);
  });

  it('notifies from every tab where there are no Web Locks', () => {
    expect(new NotificationCoordinator(undefined, null, 'x').isNotifier).toBe(true);
  });
});
