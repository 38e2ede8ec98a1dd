import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, type AuthResponse } from '@chat/shared';
import { ApiError } from './api-error';
import { AuthSession, PROACTIVE_REFRESH_MARGIN_MS } from './auth-session';
import { FakeLocks } from '@/testing/fake-locks';

const NOW = Date.parse('2026-11-20T10:00:00.000Z');
const TTL_MS = 15 * 60_000;

let issued = 0;
/** A fresh AuthResponse whose token expires TTL_MS after the (fake) clock's now. */
function auth(): AuthResponse {
  issued += 1;
  return {
    accessToken: `token-${issued}`,
    accessTokenExpiresAt: new Date(Date.now() + TTL_MS).toISOString(),
    user: {
      id: 'alice',
      username: 'alice',
      displayName: 'Alice',
      avatarUrl: null,
      createdAt: '',
      instanceAdmin: false,
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  issued = 0;
});
afterEach(() => vi.useRealTimers());

describe('AuthSession', () => {
  it('makes one refresh call for concurrent callers and tells the listeners once', async () => {
    const call = vi.fn(async () => auth());
    const session = new AuthSession(call, undefined);
    const heard: Array<string | null> = [];
    session.onChange((a) => heard.push(a?.accessToken ?? null));
    const [a, b] = await Promise.all([session.refresh(), session.refresh()]);
    expect(call).toHaveBeenCalledTimes(1);
    expect(a).toBe(b);
    expect(session.token()).toBe('token-1');
    expect(heard).toEqual(['token-1']);
    await session.refresh(); // the next one is a new call
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('refreshes under a cross-tab lock, one tab after the other', async () => {
    const locks = new FakeLocks();
    let cookie = 1;
    const seen: number[] = [];
    // Two tabs share the cookie; each refresh must send the cookie the previous one rotated.
    const call = async (): Promise<AuthResponse> => {
      seen.push(cookie);
      await Promise.resolve();
      cookie += 1;
      return auth();
    };
    const tabA = new AuthSession(call, locks);
    const tabB = new AuthSession(call, locks);
    await Promise.all([tabA.refresh(), tabB.refresh()]);
    expect(seen).toEqual([1, 2]);
    expect(locks.granted).toEqual(['chat-auth-refresh', 'chat-auth-refresh']);
  });

  it('drops the session when the refresh cookie is refused, and keeps it when the API is unreachable', async () => {
    const offline = new AuthSession(async () => {
      throw new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'offline');
    }, undefined);
    offline.apply(auth());
    await expect(offline.refresh()).rejects.toMatchObject({ code: ErrorCode.SERVICE_UNAVAILABLE });
    expect(offline.token()).toBe('token-1');

    const lost = new AuthSession(async () => {
      throw new ApiError(401, ErrorCode.REFRESH_TOKEN_INVALID, 'gone');
    }, undefined);
    lost.apply(auth());
    const lostHeard: Array<string | null> = [];
    lost.onChange((a) => lostHeard.push(a?.accessToken ?? null));
    await expect(lost.refresh()).rejects.toMatchObject({ code: ErrorCode.REFRESH_TOKEN_INVALID });
    expect(lost.token()).toBeNull();
    expect(lostHeard).toEqual([null]);
  });

  it('refreshes on its own shortly before the access token expires', async () => {
    const call = vi.fn(async () => auth());
    const session = new AuthSession(call, undefined);
    session.apply(auth());
    await vi.advanceTimersByTimeAsync(TTL_MS - PROACTIVE_REFRESH_MARGIN_MS - 1);
    expect(call).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(call).toHaveBeenCalledTimes(1);
    expect(session.token()).toBe('token-2');
    // And again before the new token expires.
    await vi.advanceTimersByTimeAsync(TTL_MS - PROACTIVE_REFRESH_MARGIN_MS);
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('schedules nothing after sign-out or dispose', async () => {
    const call = vi.fn(async () => auth());
    const session = new AuthSession(call, undefined);
    session.apply(auth());
    session.clear();
    const other = new AuthSession(call, undefined);
    other.apply(auth());
    other.dispose();
    await vi.advanceTimersByTimeAsync(2 * TTL_MS);
    expect(call).not.toHaveBeenCalled();
  });

  it('lets a caller wait for the refresh in flight, whatever its outcome', async () => {
    let fail: (error: unknown) => void = () => {};
    const session = new AuthSession(
      () => new Promise<AuthResponse>((_resolve, reject) => (fail = reject)),
      undefined,
    );
    const refreshing = session.refresh().catch(() => 'failed');
    let settled = false;
    const waiting = session.settled().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    fail(new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'offline'));
    await waiting;
    expect(await refreshing).toBe('failed');
    await expect(new AuthSession(async () => auth(), undefined).settled()).resolves.toBeUndefined();
  });
});
