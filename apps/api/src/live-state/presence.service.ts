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
 * Presence: a person is online while at least one of their sockets is connected (in any API process), and stays
 * online for `presenceGraceMs` after the last one closes (a page reload or a blip does not flap). Going offline
 * stores `lastSeenAt` (the time the last socket closed). Changes are published as `presence.changed`; the fan-out
 * listener tells the person's contacts (LiveAudience: an accepted conversation in common, no block either way),
 * with the last-seen time only where neither side chose "nobody" (docs/privacy.md).
 *
 * The counts, grace periods and "what contacts were told last" live behind the PresenceTracker port (in memory for
 * one process, Redis for several); this service holds the rules and the grace timers of the sockets closed here.
 * Announcements of one person are serialised in this process and reconciled against the tracker when they run,
 * and the tracker's `markAnnounced` lets exactly one process tell each change, so a fast disconnect/reconnect (on
 * the same process or another) never leaves contacts with a stale "offline". People whose sockets died with a
 * crashed process are reported by the tracker (`onOrphaned`) and go through the same grace period here.
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  /** Pending "grace over" timers of people whose last socket closed here, by user id. */
  private readonly graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
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
  ) {
    tracker.onOrphaned((userIds) => {
      for (const userId of userIds) {
        this.lastSocketClosed(userId).catch((error: unknown) => this.logger.error(error));
      }
    });
  }

  /**
   * People who may have new contacts get a fresh `presence:snapshot` (it replaces the previous one), so someone who
   * just started a conversation sees the other person's presence without reconnecting. Only connected people.
   * Listener of `contacts.changed`; the snapshots are sent in the background (errors logged).
   */
  @OnDomainEvent('contacts.changed')
  refreshSnapshots({ userIds }: DomainEventMap['contacts.changed']): void {
    this.tracker
      .onlineOf([...new Set(userIds)])
      .then((online) => {
        for (const userId of online) {
          this.snapshot(userId).then(
            (states) => this.realtime.toUsers([userId], 'presence:snapshot', states),
            (error: unknown) => this.logger.error(error),
          );
        }
      })
      .catch((error: unknown) => this.logger.error(error));
  }

  /**
   * A socket of `userId` connected (handshake accepted, and counted by the tracker then: `PresenceTracker.reserve`).
   * Cancels a pending offline, announces "online" to contacts when the person was offline.
   * @returns the presence of every contact, for `presence:snapshot` to this socket
   */
  async connected(userId: string): Promise<PresenceState[]> {
    const timer = this.graceTimers.get(userId);
    if (timer) {
      clearTimeout(timer);
      this.graceTimers.delete(userId);
    }
    await this.tracker.clearGrace(userId);
    this.schedule(userId);
    return this.snapshot(userId);
  }

  /** A socket closed. When it was the person's last (every process), offline is announced after the grace period. */
  async disconnected(userId: string, socketId: string): Promise<void> {
    const remaining = await this.tracker.remove(userId, socketId);
    if (remaining > 0 || this.closing) return;
    await this.lastSocketClosed(userId);
  }

  /** True while the person is online (a socket anywhere, or within the grace period). */
  async isOnline(userId: string): Promise<boolean> {
    return (await this.tracker.onlineOf([userId])).has(userId);
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
    if (!viewer || contacts.length === 0) return [];
    const online = await this.tracker.onlineOf(contacts.map((u) => u.id));
    return contacts.map((u) => {
      const isOnline = online.has(u.id);
      return {
        userId: u.id,
        online: isOnline,
        lastSeenAt:
          isOnline || !u.lastSeenAt || !lastSeenVisible(u, viewer)
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

  /** Starts the grace period of someone left with no socket; when it is over, contacts are told (if still so). */
  private async lastSocketClosed(userId: string): Promise<void> {
    if (this.closing) return;
    const closedAt = new Date();
    const until = closedAt.getTime() + this.config.presenceGraceMs;
    await this.tracker.startGrace(userId, closedAt, until);
    this.typing.stopAll(userId).catch((error: unknown) => this.logger.error(error));
    const previous = this.graceTimers.get(userId);
    if (previous) clearTimeout(previous);
    this.armGraceTimer(userId, until);
  }

  /**
   * Announces `userId`'s state once the grace period that ends at `until` (epoch ms, Date.now's clock) is over.
   * The tracker decides "still in grace" by Date.now(), but a timer runs on the event loop's clock, which is read
   * once per loop turn: after a long turn (a loaded machine) the timer fires up to that turn's length before
   * `until`. Reconciling then would find the person still online, announce nothing and leave them online for good,
   * so a timer that fires early is set again for the rest.
   */
  private armGraceTimer(userId: string, until: number): void {
    const timer = setTimeout(
      () => {
        if (Date.now() < until) {
          this.armGraceTimer(userId, until);
          return;
        }
        this.graceTimers.delete(userId);
        this.schedule(userId);
      },
      Math.max(until - Date.now(), 0),
    );
    timer.unref();
    this.graceTimers.set(userId, timer);
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

  /** Publishes the person's current state (for their contacts) if it differs from the last one told (any process). */
  private async reconcile(userId: string): Promise<void> {
    if (this.closing) return;
    const online = await this.isOnline(userId);
    // Read before markAnnounced: telling "offline" may drop the grace record that holds it.
    const closedAt = online ? null : await this.tracker.closedAt(userId);
    if (!(await this.tracker.markAnnounced(userId, online))) return;
    let lastSeenAt: string | null = null;
    if (!online) {
      const at = closedAt ?? new Date();
      await this.users.setLastSeen(userId, at);
      lastSeenAt = at.toISOString();
    }
    await this.events.publish('presence.changed', { state: { userId, online, lastSeenAt } });
  }
}
