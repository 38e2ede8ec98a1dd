import type { ErrorPayload, ServerToClientEvents } from '@chat/shared';

/** Name of the room that holds every socket of one user (all tabs and devices). */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/**
 * Name of the room that holds every socket opened with an access token of one session (refresh-token family), so a
 * revoked session's sockets can be found and cut.
 */
export function sessionRoom(sessionId: string): string {
  return `session:${sessionId}`;
}

/**
 * How the transport side (the fan-out listener, live state) pushes events to people without knowing about
 * Socket.IO. The gateway-backed implementation lives in realtime/; tests may provide a recording one.
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

  /**
   * Cuts every socket of a session (signed out, or refresh-token reuse revoked it): each first gets
   * `session:expired` with `error` (e.g. SESSION_REVOKED), then a server-side disconnect, which clients do not
   * retry on their own.
   */
  abstract endSession(sessionId: string, error: ErrorPayload): void;
}
