/**
 * The per-file lifecycle the e2e suites share: one real app for the whole file (started before the first test,
 * closed after the last), every socket opened through `connect` closed after each test, and helpers bound to
 * that app (authenticated calls, a direct conversation between two new people, a profile picture).
 */
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import type { ConversationSummary, SelfUser } from '@chat/shared';
import sharp from 'sharp';
import { http, type HttpResult, registerUser, type SignedIn } from './http.js';
import { disconnectAll } from './sockets.js';
import { startTestApp, type TestApp } from './test-app.js';

/**
 * Registers the Jest hooks that run one app for the calling test file; call it once, at the top level.
 * @param env overrides of TEST_ENV, as for startTestApp
 * @returns the app; its members may be read only inside tests and hooks (they throw before the app has started)
 */
export function useTestApp(env: Record<string, string> = {}): TestApp {
  let started: TestApp | undefined;
  beforeAll(async () => {
    started = await startTestApp(env);
  });
  afterEach(() => {
    disconnectAll();
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (): TestApp => {
    if (!started) throw new Error('the test app is used before beforeAll started it');
    return started;
  };
  return {
    get app() {
      return current().app;
    },
    get config() {
      return current().config;
    },
    get baseUrl() {
      return current().baseUrl;
    },
    close: () => current().close(),
  };
}

/** A request to one app as a signed-in person: `(me, method, path, body?)` -> the typed HttpResult. */
export type CallAs = <T = unknown>(
  me: SignedIn,
  method: string,
  path: string,
  body?: unknown,
) => Promise<HttpResult<T>>;

/** Binds `http` to `app` with the caller's access token as Bearer; `app.baseUrl` is read at call time. */
export function callAs(app: Pick<TestApp, 'baseUrl'>): CallAs {
  return (me, method, path, body) =>
    http(app.baseUrl, method, path, body, { token: me.accessToken });
}

/**
 * Registers two new people (usernames `<prefix>A_…`, `<prefix>B_…`), opens the direct conversation between
 * them as `a` (POST /api/conversations/direct) and, as `b`, accepts the message request that makes (so the two are
 * contacts, as two people who already talk are; `accept: false` leaves it a request).
 * @throws when the conversation is not opened (status other than 200/201) or the request not accepted
 */
export async function directPair(
  app: Pick<TestApp, 'baseUrl'>,
  prefix: string,
  options: { accept?: boolean } = {},
): Promise<{ a: SignedIn; b: SignedIn; conversation: ConversationSummary }> {
  const a = await registerUser(app.baseUrl, `${prefix}A`);
  const b = await registerUser(app.baseUrl, `${prefix}B`);
  const res = await callAs(app)<ConversationSummary>(a, 'POST', '/api/conversations/direct', {
    userId: b.id,
  });
  if (res.status !== 200 && res.status !== 201) {
    throw new Error(
      `opening a direct conversation failed: ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
  if (options.accept === false) return { a, b, conversation: res.body };
  await acceptRequest(app, b, res.body.id);
  const after = await callAs(app)<ConversationSummary>(
    a,
    'GET',
    `/api/conversations/${res.body.id}`,
  );
  return { a, b, conversation: after.body };
}

/**
 * `me` accepts their message request or group invitation in `conversationId` (POST .../accept); a conversation
 * that is no request of theirs (409 NO_PENDING_REQUEST) is fine too.
 * @throws on any other answer
 */
export async function acceptRequest(
  app: Pick<TestApp, 'baseUrl'>,
  me: SignedIn,
  conversationId: string,
): Promise<void> {
  const res = await callAs(app)(me, 'POST', `/api/conversations/${conversationId}/accept`);
  if (res.status !== 200 && res.status !== 409) {
    throw new Error(`accepting failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/**
 * Sets `me`'s profile picture through `PUT /api/users/me/avatar` (a 40 x 40 PNG made with sharp).
 * @returns the SelfUser the API answers, with its new `avatarUrl`
 * @throws (a failed expectation) when the API does not answer 200
 */
export async function setAvatar(app: Pick<TestApp, 'baseUrl'>, me: SignedIn): Promise<SelfUser> {
  const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#36c' } })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'me.png');
  const res = await fetch(`${app.baseUrl}/api/users/me/avatar`, {
    method: 'PUT',
    body: form,
    headers: { authorization: `Bearer ${me.accessToken}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as SelfUser;
}
