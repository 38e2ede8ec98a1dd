import { ErrorCode } from '@chat/shared';
import { ApiError } from './api-client';

/** Most RATE_LIMITED answers one call waits out before the error goes to the caller's own retry policy. */
const MAX_RATE_LIMIT_WAITS = 10;

/**
 * Runs `attempt`; when the server refuses it with RATE_LIMITED and a `retryAfterMs` (the per-person write limit,
 * docs/protocol.md), waits that long and runs it again, up to MAX_RATE_LIMIT_WAITS times. So a person writing
 * faster than the limit (a long paste, an outbox flushing after a reconnect) gets their messages out at the pace the
 * server allows, and those waits do not use up the caller's retry attempts. Any other error, or RATE_LIMITED without
 * a wait, is thrown at once.
 * @param sleep waits the given milliseconds (tests may pass a fake)
 */
export async function waitingOutRateLimits<T>(
  attempt: () => Promise<T>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let waits = 0; ; waits++) {
    try {
      return await attempt();
    } catch (error) {
      const wait =
        error instanceof ApiError && error.code === ErrorCode.RATE_LIMITED
          ? error.retryAfterMs
          : undefined;
      if (wait === undefined || waits >= MAX_RATE_LIMIT_WAITS) throw error;
      await sleep(wait);
    }
  }
}
