/**
 * Instance administration under other environments: INSTANCE_ADMINS, REGISTRATION_MODE=closed and invite-only
 * (invite expiry). Each test starts its own app and closes it before the next one starts.
 */
import { describe, expect, it, jest } from '@jest/globals';
import {
  ErrorCode,
  type AuthResponse,
  type InstanceInfo,
  type InstanceSettings,
  type Invite,
  type Page,
} from '@chat/shared';
import { asError, http, uniqueUsername } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PASSWORD = 'correct horse battery';

/** A registration attempt (no throw), with an optional invite token. */
function register(app: Pick<TestApp, 'baseUrl'>, username: string, inviteToken?: string) {
  return http<AuthResponse>(app.baseUrl, 'POST', '/api/auth/register', {
    username,
    password: PASSWORD,
    ...(inviteToken ? { inviteToken } : {}),
  });
}

describe('instance administration configured by the environment', () => {
  it('takes the administrators from INSTANCE_ADMINS when set (the first account is then not one)', async () => {
    const app = await startTestApp({ INSTANCE_ADMINS: 'Boss_One, boss.two' });
    try {
      const first = await register(app, uniqueUsername('first'));
      expect(first.status).toBe(201);
      expect(first.body.user.instanceAdmin).toBe(false);
      const boss = await register(app, 'boss_one');
      expect(boss.body.user.instanceAdmin).toBe(true);
      const settings = await http<InstanceSettings>(
        app.baseUrl,
        'GET',
        '/api/admin/settings',
        undefined,
        {
          token: boss.body.accessToken,
        },
      );
      expect(settings.status).toBe(200);
      const refused = await http(app.baseUrl, 'GET', '/api/admin/settings', undefined, {
        token: first.body.accessToken,
      });
      expect(asError(refused).code).toBe(ErrorCode.INSTANCE_ADMIN_REQUIRED);
    } finally {
      await app.close();
    }
  });
  it('follows REGISTRATION_MODE=closed, except for the very first account', async () => {
    const app = await startTestApp({ REGISTRATION_MODE: 'closed' });
    try {
      expect((await http<InstanceInfo>(app.baseUrl, 'GET', '/api/instance')).body).toEqual({
        registrationMode: 'closed',
      });
      const first = await register(app, uniqueUsername('first'));
      expect(first.status).toBe(201);
      expect(first.body.user.instanceAdmin).toBe(true);
      const late = await register(app, uniqueUsername('late'));
      expect(late.status).toBe(403);
      expect(asError(late).code).toBe(ErrorCode.REGISTRATION_CLOSED);
      // The administrator opens it in the admin page: the stored mode wins over the environment.
      const opened = await http<InstanceSettings>(
        app.baseUrl,
        'PUT',
        '/api/admin/settings',
        { registrationMode: 'open' },
        { token: first.body.accessToken },
      );
      expect(opened.body).toEqual({ registrationMode: 'open', registrationModeSource: 'admin' });
      expect((await register(app, uniqueUsername('late'))).status).toBe(201);
    } finally {
      await app.close();
    }
  });

  it('refuses an invite link once it has expired', async () => {
    const app = await startTestApp({ REGISTRATION_MODE: 'invite-only' });
    try {
      const first = await register(app, uniqueUsername('first'));
      const invite = await http<Invite>(
        app.baseUrl,
        'POST',
        '/api/admin/invites',
        { expiresInHours: 1, maxUses: 10 },
        { token: first.body.accessToken },
      );
      expect((await register(app, uniqueUsername('ok'), invite.body.token)).status).toBe(201);
      // Two hours later (only the clock is faked: the app runs in this process, its timers stay real).
      jest.useFakeTimers({
        now: Date.now() + 2 * 3_600_000,
        doNotFake: [
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'requestAnimationFrame',
          'cancelAnimationFrame',
          'requestIdleCallback',
          'cancelIdleCallback',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
        ],
      });
      try {
        const late = await register(app, uniqueUsername('late'), invite.body.token);
        expect([late.status, asError(late).code]).toEqual([403, ErrorCode.INVITE_INVALID]);
      } finally {
        jest.useRealTimers();
      }
      const listed = await http<Page<Invite>>(app.baseUrl, 'GET', '/api/admin/invites', undefined, {
        token: first.body.accessToken,
      });
      expect(listed.body.items[0]).toMatchObject({ uses: 1, state: 'usable' });
    } finally {
      await app.close();
    }
  });
});
