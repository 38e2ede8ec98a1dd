/**
 * Instance administration end to end: who is administrator (the first account, or INSTANCE_ADMINS), the
 * registration modes (open, invite-only with expiring and counted invite links, closed) from the environment and
 * from the admin page, deactivation (sockets cut, sign-in and refresh refused, "deactivated" shown to others) and
 * reactivation, reports, and the 403 every admin route gives a non-administrator.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  ErrorCode,
  type AdminUserView,
  type AuthResponse,
  type ConversationSummary,
  type ErrorPayload,
  type InstanceInfo,
  type InstanceSettings,
  type Invite,
  type Message,
  type Page,
  type PublicUser,
  type Report,
} from '@chat/shared';
import { asError, http, registerUser, uniqueUsername, type SignedIn } from './support/http.js';
import { connect } from './support/sockets.js';
import { callAs, directPair, useTestApp } from './support/suite.js';
import type { TestApp } from './support/test-app.js';

const t = useTestApp();
const as = callAs(t);
const PASSWORD = 'correct horse battery';

/** A registration attempt (no throw), with an optional invite token. */
function register(app: Pick<TestApp, 'baseUrl'>, username: string, inviteToken?: string) {
  return http<AuthResponse>(app.baseUrl, 'POST', '/api/auth/register', {
    username,
    password: PASSWORD,
    ...(inviteToken ? { inviteToken } : {}),
  });
}

let admin: SignedIn | undefined;
/** The first account of this file's app: registered once, before anyone else. */
async function theAdmin(): Promise<SignedIn> {
  admin ??= await registerUser(t.baseUrl, 'root');
  return admin;
}

describe('instance administrators', () => {
  it('makes the first account the administrator, and nobody after it', async () => {
    const first = await theAdmin();
    expect(first.auth.user.instanceAdmin).toBe(true);
    const second = await registerUser(t.baseUrl, 'second');
    expect(second.auth.user.instanceAdmin).toBe(false);
    expect(
      (await as<{ instanceAdmin: boolean }>(first, 'GET', '/api/users/me')).body.instanceAdmin,
    ).toBe(true);
    expect(
      (await as<{ instanceAdmin: boolean }>(second, 'GET', '/api/users/me')).body.instanceAdmin,
    ).toBe(false);
  });

  it('answers 403 INSTANCE_ADMIN_REQUIRED to a non-administrator on every admin route', async () => {
    await theAdmin();
    const someone = await registerUser(t.baseUrl, 'nosy');
    const other = await registerUser(t.baseUrl, 'other');
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/settings'],
      ['PUT', '/api/admin/settings', { registrationMode: 'closed' }],
      ['GET', '/api/admin/invites'],
      ['POST', '/api/admin/invites', { expiresInHours: 1, maxUses: 1 }],
      ['POST', `/api/admin/invites/${other.id}/revoke`],
      ['GET', '/api/admin/users'],
      ['POST', `/api/admin/users/${other.id}/deactivate`],
      ['POST', `/api/admin/users/${other.id}/reactivate`],
      ['GET', '/api/admin/reports'],
      ['POST', `/api/admin/reports/${other.id}/resolve`],
    ];
    for (const [method, path, body] of routes) {
      const res = await as(someone, method, path, body);
      expect([method, path, res.status, asError(res).code]).toEqual([
        method,
        path,
        403,
        ErrorCode.INSTANCE_ADMIN_REQUIRED,
      ]);
    }
    // Nothing changed: the mode is still open, the other account still active.
    expect(
      (await http<InstanceInfo>(t.baseUrl, 'GET', '/api/instance')).body.registrationMode,
    ).toBe('open');
    const login = await http(t.baseUrl, 'POST', '/api/auth/login', {
      username: other.username,
      password: other.password,
    });
    expect(login.status).toBe(200);
    // Without a token: 401, as everywhere.
    expect((await http(t.baseUrl, 'GET', '/api/admin/settings')).status).toBe(401);
  });
});

describe('registration modes', () => {
  it('invite-only: an invite link admits exactly maxUses registrations, and not after expiry or revocation', async () => {
    const boss = await theAdmin();
    const set = await as<InstanceSettings>(boss, 'PUT', '/api/admin/settings', {
      registrationMode: 'invite-only',
    });
    expect(set.body).toEqual({ registrationMode: 'invite-only', registrationModeSource: 'admin' });
    try {
      expect(
        (await http<InstanceInfo>(t.baseUrl, 'GET', '/api/instance')).body.registrationMode,
      ).toBe('invite-only');
      const without = await register(t, uniqueUsername('noinv'));
      expect([without.status, asError(without).code]).toEqual([403, ErrorCode.INVITE_INVALID]);
      const bogus = await register(t, uniqueUsername('bogus'), 'not-a-real-token');
      expect(asError(bogus).code).toBe(ErrorCode.INVITE_INVALID);

      const invite = await as<Invite>(boss, 'POST', '/api/admin/invites', {
        expiresInHours: 1,
        maxUses: 2,
      });
      expect(invite.status).toBe(201);
      expect(invite.body).toMatchObject({ maxUses: 2, uses: 0, state: 'usable', revokedAt: null });
      expect(invite.body.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
      // Three people race for two uses: exactly two get in.
      const attempts = await Promise.all(
        [1, 2, 3].map((i) => register(t, uniqueUsername(`inv${i}`), invite.body.token)),
      );
      expect(attempts.map((a) => a.status).sort()).toEqual([201, 201, 403]);
      // A taken username does not burn a use.
      const list = await as<Page<Invite>>(boss, 'GET', '/api/admin/invites');
      expect(list.body.items.find((i) => i.id === invite.body.id)).toMatchObject({
        uses: 2,
        state: 'used-up',
      });

      const spare = await as<Invite>(boss, 'POST', '/api/admin/invites', {
        expiresInHours: 1,
        maxUses: 5,
      });
      const taken = await register(t, boss.username, spare.body.token);
      expect(asError(taken).code).toBe(ErrorCode.USERNAME_TAKEN);
      const revoked = await as<Invite>(boss, 'POST', `/api/admin/invites/${spare.body.id}/revoke`);
      expect(revoked.body).toMatchObject({ state: 'revoked', uses: 0 });
      expect(asError(await register(t, uniqueUsername('rev'), spare.body.token)).code).toBe(
        ErrorCode.INVITE_INVALID,
      );
      // Bad input is 400, never 500.
      const bad = await as(boss, 'POST', '/api/admin/invites', {
        expiresInHours: 0,
        maxUses: 99999,
      });
      expect([bad.status, asError(bad).code]).toEqual([400, ErrorCode.VALIDATION_FAILED]);
    } finally {
      await as(boss, 'PUT', '/api/admin/settings', { registrationMode: 'open' });
    }
  });
});

describe('deactivation', () => {
  it('cuts the sockets, refuses sign-in and refresh, shows "deactivated" to others, and reactivation undoes it', async () => {
    const boss = await theAdmin();
    const { a: target, b: friend, conversation } = await directPair(t, 'deact');
    const socket = await connect(t.baseUrl, target.accessToken);
    const friendSocket = await connect(t.baseUrl, friend.accessToken);
    const expired = new Promise<ErrorPayload>((resolve) => socket.once('session:expired', resolve));
    const disconnected = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const seen = new Promise<PublicUser>((resolve) =>
      friendSocket.on('user:updated', (user) => {
        if (user.id === target.id) resolve(user);
      }),
    );

    const res = await as<AdminUserView>(boss, 'POST', `/api/admin/users/${target.id}/deactivate`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      user: { id: target.id, accountState: 'deactivated' },
      instanceAdmin: false,
    });
    expect(res.body.deactivatedAt).not.toBeNull();
    expect((await expired).code).toBe(ErrorCode.ACCOUNT_DEACTIVATED);
    await disconnected;
    expect((await seen).accountState).toBe('deactivated');

    // REST with the old access token, refresh with the old cookie, a new socket, a new sign-in: all refused.
    expect(asError(await as(target, 'GET', '/api/users/me')).code).toBe(ErrorCode.SESSION_REVOKED);
    const refresh = await http(t.baseUrl, 'POST', '/api/auth/refresh', undefined, {
      refreshToken: target.refreshToken,
    });
    expect(refresh.status).toBe(401);
    await expect(connect(t.baseUrl, target.accessToken)).rejects.toThrow();
    const login = await http(t.baseUrl, 'POST', '/api/auth/login', {
      username: target.username,
      password: target.password,
    });
    expect([login.status, asError(login).code]).toEqual([403, ErrorCode.ACCOUNT_DEACTIVATED]);
    // A wrong password still says only "wrong credentials".
    const wrong = await http(t.baseUrl, 'POST', '/api/auth/login', {
      username: target.username,
      password: 'not the password at all',
    });
    expect(asError(wrong).code).toBe(ErrorCode.INVALID_CREDENTIALS);

    // Others see the state in the conversation; the directory no longer lists the account.
    const view = await as<ConversationSummary>(
      friend,
      'GET',
      `/api/conversations/${conversation.id}`,
    );
    expect(view.body.members.find((m) => m.user.id === target.id)?.user.accountState).toBe(
      'deactivated',
    );
    const search = await as<Page<PublicUser>>(friend, 'GET', `/api/users?q=${target.username}`);
    expect(search.body.items).toEqual([]);
    // Its direct conversation takes no new messages (REST and socket), and nothing is stored.
    const toGone = await as(friend, 'POST', `/api/conversations/${conversation.id}/messages`, {
      clientMessageId: randomUUID(),
      body: 'are you there?',
    });
    expect([toGone.status, asError(toGone).code]).toEqual([403, ErrorCode.CONTACT_UNAVAILABLE]);
    const ack = await friendSocket.emitWithAck('message:send', {
      conversationId: conversation.id,
      clientMessageId: randomUUID(),
      body: 'hello?',
    });
    expect(ack).toMatchObject({ ok: false, error: { code: ErrorCode.CONTACT_UNAVAILABLE } });
    const history = await as<{ items: unknown[] }>(
      friend,
      'GET',
      `/api/conversations/${conversation.id}/messages`,
    );
    expect(history.body.items.filter((m) => (m as { kind: string }).kind === 'text')).toEqual([]);
    // A new conversation with it cannot be opened.
    const stranger = await registerUser(t.baseUrl, 'deactstranger');
    const open = await as(stranger, 'POST', '/api/conversations/direct', { userId: target.id });
    expect([open.status, asError(open).code]).toEqual([404, ErrorCode.USER_NOT_FOUND]);
    // The admin list still has it, marked.
    const listed = await as<Page<AdminUserView>>(
      boss,
      'GET',
      `/api/admin/users?q=${target.username}`,
    );
    expect(listed.body.items.map((u) => [u.user.id, u.user.accountState])).toEqual([
      [target.id, 'deactivated'],
    ]);

    const back = await as<AdminUserView>(boss, 'POST', `/api/admin/users/${target.id}/reactivate`);
    expect(back.body.deactivatedAt).toBeNull();
    expect(back.body.user.accountState).toBeUndefined();
    const again = await http<AuthResponse>(t.baseUrl, 'POST', '/api/auth/login', {
      username: target.username,
      password: target.password,
    });
    expect(again.status).toBe(200);
  });

  it('does not let an administrator deactivate themselves, and answers 404 for an unknown account', async () => {
    const boss = await theAdmin();
    const self = await as(boss, 'POST', `/api/admin/users/${boss.id}/deactivate`);
    expect([self.status, asError(self).code]).toEqual([403, ErrorCode.FORBIDDEN]);
    const someone = await registerUser(t.baseUrl, 'ghost');
    const { a } = await directPair(t, 'ghostconv');
    const convId = (await as<Page<ConversationSummary>>(a, 'GET', '/api/conversations')).body
      .items[0]!.id;
    const unknown = await as(boss, 'POST', `/api/admin/users/${convId}/deactivate`);
    expect([unknown.status, asError(unknown).code]).toEqual([404, ErrorCode.USER_NOT_FOUND]);
    const malformed = await as(boss, 'POST', '/api/admin/users/%00bad/deactivate');
    expect(malformed.status).toBe(400);
    expect(someone.id).toBeDefined();
  });
});

describe('reports', () => {
  it('lets anyone report a person or a message they can read; administrators list and resolve them', async () => {
    const boss = await theAdmin();
    const { a: reporter, b: offender, conversation } = await directPair(t, 'rep');
    const sent = await as<Message>(
      offender,
      'POST',
      `/api/conversations/${conversation.id}/messages`,
      {
        clientMessageId: crypto.randomUUID(),
        body: 'something nasty',
      },
    );
    expect(sent.status).toBe(201);

    const aboutMessage = await as<Report>(reporter, 'POST', '/api/reports', {
      target: 'message',
      conversationId: conversation.id,
      seq: sent.body.seq,
      reason: 'harassment',
    });
    expect(aboutMessage.status).toBe(201);
    expect(aboutMessage.body).toMatchObject({
      target: 'message',
      reporter: { id: reporter.id },
      reportedUser: { id: offender.id },
      message: { conversationId: conversation.id, seq: sent.body.seq, body: 'something nasty' },
      reason: 'harassment',
      status: 'open',
    });
    const aboutPerson = await as<Report>(reporter, 'POST', '/api/reports', {
      target: 'user',
      userId: offender.id,
      reason: 'spam account',
    });
    expect(aboutPerson.status).toBe(201);

    // A stranger cannot report a message of a conversation they are not in (no existence leak).
    const stranger = await registerUser(t.baseUrl, 'stranger');
    const foreign = await as(stranger, 'POST', '/api/reports', {
      target: 'message',
      conversationId: conversation.id,
      seq: sent.body.seq,
      reason: 'x',
    });
    expect([foreign.status, asError(foreign).code]).toEqual([
      404,
      ErrorCode.CONVERSATION_NOT_FOUND,
    ]);
    // Own message, unknown seq, missing fields, oneself, empty reason: refused cleanly.
    const own = await as(offender, 'POST', '/api/reports', {
      target: 'message',
      conversationId: conversation.id,
      seq: sent.body.seq,
      reason: 'me',
    });
    expect(own.status).toBe(400);
    const noSuch = await as(reporter, 'POST', '/api/reports', {
      target: 'message',
      conversationId: conversation.id,
      seq: 999,
      reason: 'x',
    });
    expect([noSuch.status, asError(noSuch).code]).toEqual([404, ErrorCode.NOT_FOUND]);
    expect(
      (await as(reporter, 'POST', '/api/reports', { target: 'user', reason: 'x' })).status,
    ).toBe(400);
    expect(
      (
        await as(reporter, 'POST', '/api/reports', {
          target: 'user',
          userId: reporter.id,
          reason: 'x',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await as(reporter, 'POST', '/api/reports', {
          target: 'user',
          userId: offender.id,
          reason: '  ',
        })
      ).status,
    ).toBe(400);

    const open = await as<Page<Report>>(boss, 'GET', '/api/admin/reports?status=open');
    const ids = open.body.items.map((r) => r.id);
    expect(ids.indexOf(aboutPerson.body.id)).toBeLessThan(ids.indexOf(aboutMessage.body.id));
    const resolved = await as<Report>(
      boss,
      'POST',
      `/api/admin/reports/${aboutPerson.body.id}/resolve`,
    );
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: { id: boss.id } });
    const stillOpen = await as<Page<Report>>(boss, 'GET', '/api/admin/reports?status=open');
    expect(stillOpen.body.items.map((r) => r.id)).not.toContain(aboutPerson.body.id);
    const done = await as<Page<Report>>(boss, 'GET', '/api/admin/reports?status=resolved');
    expect(done.body.items.map((r) => r.id)).toContain(aboutPerson.body.id);
    expect((await as(boss, 'GET', '/api/admin/reports?status=bogus')).status).toBe(400);
  });
});
