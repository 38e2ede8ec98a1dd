/**
 * PresenceService's grace period against the event loop's clock. Timers run on the loop's clock, read once per loop
 * turn; the tracker decides "still in grace" by Date.now(). On a loaded machine a timer can fire before the grace
 * period's end by Date.now(), which these tests make happen on purpose with Jest's fake clock (the wall clock set
 * back while the timer is pending). The tracker is the real in-memory one; the service's other collaborators are
 * stand-ins that record what it announces.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { loadConfig } from '../config/app-config.js';
import type { LiveAudience } from '../conversations/live-audience.js';
import type { DomainEvents, DomainEventMap } from '../events/domain-events.js';
import type { RealtimePublisher } from '../realtime/realtime.publisher.js';
import type { UsersRepository } from '../storage/users.repository.js';
import { PresenceService } from './presence.service.js';
import { InMemoryPresenceTracker } from './presence.tracker.js';
import type { TypingService } from './typing.service.js';

const GRACE_MS = 300;

describe('PresenceService grace period', () => {
  let announced: DomainEventMap['presence.changed']['state'][];
  let tracker: InMemoryPresenceTracker;
  let presence: PresenceService;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-30T12:00:00Z') });
    announced = [];
    tracker = new InMemoryPresenceTracker();
    const events = {
      publish: async (name: string, payload: DomainEventMap['presence.changed']) => {
        if (name === 'presence.changed') announced.push(payload.state);
      },
    } as unknown as DomainEvents;
    presence = new PresenceService(
      tracker,
      { contactRecordsOf: async () => [] } as unknown as LiveAudience,
      {
        findById: async () => null,
        setLastSeen: async () => undefined,
      } as unknown as UsersRepository,
      { toUsers: () => undefined } as unknown as RealtimePublisher,
      events,
      { stopAll: async () => undefined } as unknown as TypingService,
      loadConfig({ JWT_SECRET: 'x'.repeat(32), PRESENCE_GRACE_MS: String(GRACE_MS) }),
    );
  });

  afterEach(() => {
    presence.onModuleDestroy();
    jest.useRealTimers();
  });

  async function onlineThenClosed(): Promise<void> {
    await tracker.reserve('ana', 'socket-1', 5);
    await presence.connected('ana');
    await jest.advanceTimersByTimeAsync(0);
    expect(announced).toEqual([{ userId: 'ana', online: true, lastSeenAt: null }]);
    await presence.disconnected('ana', 'socket-1');
  }

  it('announces offline once the grace period is over', async () => {
    await onlineThenClosed();
    await jest.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(announced).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(announced.at(-1)).toMatchObject({ userId: 'ana', online: false });
  });

  it('still announces offline when the grace timer fires before the grace period is over by the wall clock', async () => {
    await onlineThenClosed();
    // The wall clock falls 40 ms behind the timers' clock: the timer fires while Date.now() is still in grace.
    jest.setSystemTime(Date.now() - 40);
    await jest.advanceTimersByTimeAsync(GRACE_MS);
    expect(announced).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(40);
    expect(announced.at(-1)).toMatchObject({ userId: 'ana', online: false });
    expect(await presence.isOnline('ana')).toBe(false);
  });

  it('announces nothing when the person comes back within the grace period', async () => {
    await onlineThenClosed();
    await jest.advanceTimersByTimeAsync(GRACE_MS / 2);
    await tracker.reserve('ana', 'socket-2', 5);
    await presence.connected('ana');
    await jest.advanceTimersByTimeAsync(GRACE_MS * 2);
    expect(announced).toEqual([{ userId: 'ana', online: true, lastSeenAt: null }]);
  });
});
