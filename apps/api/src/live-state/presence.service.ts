import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { PresenceState } from '@chat/shared';
import { AppConfig } from '../config/app-config.js';
import { LiveAudience, lastSeenVisible } from '../conversations/live-audience.js';
import { type DomainEventMap, DomainEvents, OnDomainEvent } from '../events/domain-events.js';
import { RealtimePublisher } from '../realtime/realtime.publisher.js';
import { UsersRepository } from '../storage/users.repository.js';
import { PresenceTracker } from './presence.tracker.js';
import { TypingService } from './typing.service.js';

/**
 * Presence: a person is online while at least one of their sockets is connected, and stays online for
 * `presenceGraceMs` after the last one closes (a page reload or a blip does not flap). Going offline stores
 * `lastSeenAt` (the time the last socket closed). Changes are published as `presence.changed`; the fan-out
 * listener tells the person's contacts (LiveAudience: an accepted conversation in common, no block either way),
 * with the last-seen time only where neither side chose "nobody" (docs/privacy.md).
 *
 * Announcements of one person are serialised and reconciled against the current state (the tracker and the grace
 * timer) when they run, so a fast disconnect/reconnect never leaves contacts with a stale "offline".
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  /** Pending "go offline" timers, by user id: while one exists the person still counts as online. */
  private readonly graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** When each person's last socket closed (for lastSeenAt), while their offline announcement is pending. */
  private readonly closedAt = new Map<string, Date>();
  /** User ids whose contacts were last told "online" (absent: told offline, or never told). */
  private readonly announcedOnline = new Set<string>();
  /** Per-user announcement chain, so announcements of one person never overtake each other. */
  private readonly chains = new Map<string, Promise<void>>();
  private closing = false;

  constructor(
    private readonly tracker: PresenceTracker,
    private readonly audience: LiveAudience,
    private readonly users: UsersRepository,
    private readonly realtime: RealtimePublisher,
    private readonly events: DomainEvents,
    private readonly typing: TypingService,
    private readonly config: AppConfig,
  ) {}

  /**
   * People who may have new contacts get a fresh `presence:snapshot` (it replaces the previous one), so someone who
   * just started a conversation sees the other person's presence without reconnecting. Only connected people.
   * Listener of `contacts.changed`; the snapshots are sent in the background (errors logged).
   */
  @OnDomainEvent('contacts.changed')
  refreshSnapshots({ userIds }: DomainEventMap['contacts.changed']): void {
    for (const userId of new Set(userIds)) {
      if (!this.tracker.isOnline(userId)) continue;
      this.snapshot(userId).then(
        (states) => this.realtime.toUsers([userId], 'presence:snapshot', states),
        (error: unknown) => this.logger.error(error),
      );
    }
  }

  /**
   * A socket of `userId` connected (handshake accepted). Counts it at once (synchronously, before any await), cancels
   * a pending offline, announces "online" to contacts when the person was offline.
   * @returns the presence of every contact, for `presence:snapshot` to this socket
   */
  async connected(userId: string, socketId: string): Promise<PresenceState[]> {
    this.tracker.add(userId, socketId);
    const timer = this.graceTimers.get(userId);
    if (timer) {
      clearTimeout(timer);
      this.graceTimers.delete(userId);
    }
    this.closedAt.delete(userId);
    this.schedule(userId);
    return this.snapshot(userId);
  }

  /** A socket closed. When it was the person's last, offline is announced after the grace period. */
  disconnected(userId: string, socketId: string): void {
    const remaining = this.tracker.remove(userId, socketId);
    if (remaining > 0 || this.closing) return;
    this.closedAt.set(userId, new Date());
    this.typing.stopAll(userId).catch((error: unknown) => this.logger.error(error));
    if (this.graceTimers.has(userId)) return;
    const timer = setTimeout(() => {
      this.graceTimers.delete(userId);
      this.schedule(userId);
    }, this.config.presenceGraceMs);
    timer.unref();
    this.graceTimers.set(userId, timer);
  }

  /** Online: has a socket here, or lost the last one less than the grace period ago. */
  isOnline(userId: string): boolean {
    return this.tracker.isOnline(userId) || this.graceTimers.has(userId);
  }

  /**
   * The presence of every contact of `userId` (LiveAudience.contactsOf): online from the tracker, lastSeenAt from
   * the users' records (null while online, and when either side chose "last seen: nobody").
   */
  async snapshot(userId: string): Promise<PresenceState[]> {
    const [viewer, contacts] = await Promise.all([
      this.users.findById(userId),
      this.audience.contactRecordsOf(userId),
    ]);
    if (!viewer) return [];
    return contacts.map((u) => {
      const online = this.isOnline(u.id);
      return {
        userId: u.id,
        online,
        lastSeenAt:
          online || !u.lastSeenAt || !lastSeenVisible(u, viewer)
            ? null
            : u.lastSeenAt.toISOString(),
      };
    });
  }

  /** Stops announcing (shutdown disconnects every socket: that is not everyone going offline). */
  onModuleDestroy(): void {
    this.closing = true;
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
  }

  private schedule(userId: string): void {
    const previous = this.chains.get(userId) ?? Promise.resolve();
    const next = previous
      .then(() => this.reconcile(userId))
      .catch((error: unknown) => this.logger.error(error));
    this.chains.set(userId, next);
    void next.finally(() => {
      if (this.chains.get(userId) === next) this.chains.delete(userId);
    });
  }

  /** Publishes the person's current state (for their contacts) if it differs from what was published last. */
  private async reconcile(userId: string): Promise<void> {
    if (this.closing) return;
    const online = this.isOnline(userId);
    if (online === this.announcedOnline.has(userId)) return;
    let lastSeenAt: string | null = null;
    if (online) {
      this.announcedOnline.add(userId);
    } else {
      const at = this.closedAt.get(userId) ?? new Date();
      this.closedAt.delete(userId);
      this.announcedOnline.delete(userId);
      await this.users.setLastSeen(userId, at);
      lastSeenAt = at.toISOString();
    }
    await this.events.publish('presence.changed', { state: { userId, online, lastSeenAt } });
  }
}
