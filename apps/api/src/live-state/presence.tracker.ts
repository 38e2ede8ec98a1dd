import { Injectable } from '@nestjs/common';

/**
 * Counts the open sockets of each person. Presence is "online while at least one socket is connected", so several
 * tabs and devices are one presence.
 *
 * This is a port: the in-memory implementation below only sees the sockets of this process. Running several API
 * instances needs a shared implementation (for example a Redis hash of socket ids per user with a TTL refreshed
 * by each instance's heartbeat, so a crashed instance's sockets age out); the service above it would not change.
 */
export abstract class PresenceTracker {
  /**
   * Records an open socket. @returns true when it is the person's first open socket (they were not connected).
   */
  abstract add(userId: string, socketId: string): boolean;
  /**
   * Forgets a socket (unknown ids are ignored). @returns how many sockets of the person remain open.
   */
  abstract remove(userId: string, socketId: string): number;
  /** True while the person has at least one open socket. */
  abstract isOnline(userId: string): boolean;
}

/** PresenceTracker for a single API process: a Map from user id to the set of their socket ids. */
@Injectable()
export class InMemoryPresenceTracker extends PresenceTracker {
  private readonly sockets = new Map<string, Set<string>>();

  add(userId: string, socketId: string): boolean {
    let set = this.sockets.get(userId);
    if (!set) {
      set = new Set();
      this.sockets.set(userId, set);
    }
    const first = set.size === 0;
    set.add(socketId);
    return first;
  }

  remove(userId: string, socketId: string): number {
    const set = this.sockets.get(userId);
    if (!set) return 0;
    set.delete(socketId);
    if (set.size === 0) this.sockets.delete(userId);
    return set.size;
  }

  isOnline(userId: string): boolean {
    return (this.sockets.get(userId)?.size ?? 0) > 0;
  }
}
