import type { ServerToClientEvents } from '@chat/shared';

/** Name of the room that holds every socket of one user (all tabs and devices). */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/**
 * How services push events to people without knowing about Socket.IO (ARCHITECTURE.md section 1: services call
 * repositories and a small realtime publisher). The gateway-backed implementation lives in realtime/; tests may
 * provide a recording one.
 */
export abstract class RealtimePublisher {
  /**
   * Emits `event` once to every connected socket of the given users (a socket in several of the rooms still gets
   * it once). Fire-and-forget: delivery to offline users is covered by history resync, not by this call.
   */
  abstract toUsers<E extends keyof ServerToClientEvents>(
    userIds: readonly string[],
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void;
}
