import { Injectable } from '@nestjs/common';

/**
 * Counts the open sockets of each person and holds the shared part of presence (grace periods, what contacts were
 * last told). Presence is "online while at least one socket is connected, and for the grace period after the last
 * one closed", so several tabs and devices are one presence.
 *
 * This is a port with two implementations: InMemoryPresenceTracker (one API process, no REDIS_URL) and
 * RedisPresenceTracker (any number of processes sharing a Redis; a process that stops heartbeating has its
 * sockets swept and reported through `onOrphaned`). PresenceService holds the rules and the grace timers.
 */
export abstract class PresenceTracker {
  /**
   * Records an open socket, unless the person already holds `max` open sockets (counted across every process).
   * The check and the record are one atomic step. A socket already recorded is accepted again.
   * @returns false when refused (the person is at the cap)
   */
  abstract reserve(userId: string, socketId: string, max: number): Promise<boolean>;
  /**
   * Forgets a socket (unknown ids are ignored).
   * @returns how many sockets of the person remain open (every process)
   */
  abstract remove(userId: string, socketId: string): Promise<number>;
  /**
   * Which of `userIds` are online now: an open socket anywhere, or a grace period (`startGrace`) not yet over.
   */
  abstract onlineOf(userIds: readonly string[]): Promise<Set<string>>;
  /**
   * The person's last socket closed at `closedAt`: they count as online until `until` (ms since the epoch).
   */
  abstract startGrace(userId: string, closedAt: Date, until: number): Promise<void>;
  /** A socket of the person opened; a grace period of theirs, if one runs, ends (they are online by the socket). */
  abstract clearGrace(userId: string): Promise<void>;
  /** When the person's last socket closed, while a grace period (running or just over) remembers it; else null. */
  abstract closedAt(userId: string): Promise<Date | null>;
  /**
   * Records what the person's contacts were told last (online or not), atomically.
   * @returns true when that changed (the caller announces it); false when they were already told so, by this
   *   process or another
   */
  abstract markAnnounced(userId: string, online: boolean): Promise<boolean>;
  /**
   * Registers the listener of orphaned presences: people whose last sockets belonged to an API process that
   * stopped (crashed, killed) without closing them. Called with their ids once those sockets are forgotten.
   */
  onOrphaned(listener: (userIds: string[]) => void): void {
    this.orphanListeners.push(listener);
  }

  protected readonly orphanListeners: Array<(userIds: string[]) => void> = [];
}

interface Grace {
  closedAt: Date;
  until: number;
}

/** PresenceTracker for a single API process: Maps in memory (no process can die without taking them along). */
@Injectable()
export class InMemoryPresenceTracker extends PresenceTracker {
  private readonly sockets = new Map<string, Set<string>>();
  private readonly graces = new Map<string, Grace>();
  private readonly announced = new Set<string>();

  // Synchronous inside: the check and the record cannot be interleaved with another handshake.
  reserve(userId: string, socketId: string, max: number): Promise<boolean> {
    let set = this.sockets.get(userId);
    if (set?.has(socketId)) return Promise.resolve(true);
    if ((set?.size ?? 0) >= max) return Promise.resolve(false);
    if (!set) {
      set = new Set();
      this.sockets.set(userId, set);
    }
    set.add(socketId);
    return Promise.resolve(true);
  }

  remove(userId: string, socketId: string): Promise<number> {
    const set = this.sockets.get(userId);
    if (!set) return Promise.resolve(0);
    set.delete(socketId);
    if (set.size === 0) this.sockets.delete(userId);
    return Promise.resolve(set.size);
  }

  onlineOf(userIds: readonly string[]): Promise<Set<string>> {
    const now = Date.now();
    return Promise.resolve(
      new Set(
        userIds.filter(
          (id) => (this.sockets.get(id)?.size ?? 0) > 0 || (this.graces.get(id)?.until ?? 0) > now,
        ),
      ),
    );
  }

  startGrace(userId: string, closedAt: Date, until: number): Promise<void> {
    // Graces nobody announced (a socket cut before it counted) would stay: drop those long over.
    if (this.graces.size > 1_000) {
      const stale = Date.now() - 60_000;
      for (const [id, grace] of this.graces) if (grace.until < stale) this.graces.delete(id);
    }
    this.graces.set(userId, { closedAt, until });
    return Promise.resolve();
  }

  clearGrace(userId: string): Promise<void> {
    this.graces.delete(userId);
    return Promise.resolve();
  }

  closedAt(userId: string): Promise<Date | null> {
    return Promise.resolve(this.graces.get(userId)?.closedAt ?? null);
  }

  markAnnounced(userId: string, online: boolean): Promise<boolean> {
    const was = this.announced.has(userId);
    if (online) this.announced.add(userId);
    else {
      this.announced.delete(userId);
      // Told offline: the grace record has served its purpose (its closedAt was read before this call).
      this.graces.delete(userId);
    }
    return Promise.resolve(was !== online);
  }
}
