/**
 * Another person's profile over the real app (GET /api/users/:id): what it shows, the groups in common (active
 * memberships on both sides only, most recent activity first) and the refusals.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  type ConversationSummary,
  type CreateGroupRequest,
  ErrorCode,
  type UserProfile,
} from '@chat/shared';
import { asError, http, registerUser, type SignedIn } from './support/http.js';
import { callAs, useTestApp } from './support/suite.js';

const t = useTestApp();
const call = callAs(t);

async function group(admin: SignedIn, others: readonly SignedIn[], title: string) {
  const res = await call<ConversationSummary>(admin, 'POST', '/api/conversations/group', {
    title,
    memberIds: others.map((o) => o.id),
  } satisfies CreateGroupRequest);
  expect(res.status).toBe(201);
  return res.body;
}

describe('GET /api/users/:id', () => {
  it("shows a person's public profile and the groups both are active members of", async () => {
    const ana = await registerUser(t.baseUrl, 'pa', { displayName: 'Ana Silva' });
    const ben = await registerUser(t.baseUrl, 'pb', { displayName: 'Ben Okafor' });
    const cy = await registerUser(t.baseUrl, 'pc');
    const first = await group(ana, [ben], 'First');
    const second = await group(ben, [ana, cy], 'Second');
    const third = await group(cy, [ana], 'Only Ana and Cy');
    const fourth = await group(ana, [ben, cy], 'Fourth');
    await call(ana, 'POST', '/api/conversations/direct', { userId: ben.id });
    // The first group gets the latest message: it comes first.
    await call(ben, 'POST', `/api/conversations/${first.id}/messages`, {
      clientMessageId: randomUUID(),
      body: 'latest',
    });
    // Ben leaves the fourth: it is no longer in common.
    expect((await call(ben, 'POST', `/api/conversations/${fourth.id}/leave`)).status).toBe(200);

    const res = await call<UserProfile>(ana, 'GET', `/api/users/${ben.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { id: ben.id, username: ben.username, displayName: 'Ben Okafor', avatarUrl: null },
      groupsInCommon: [
        { id: first.id, title: 'First', avatarUrl: null },
        { id: second.id, title: 'Second', avatarUrl: null },
      ],
    });
    // The same groups seen from the other side; a group only one of them is in never shows.
    const back = await call<UserProfile>(ben, 'GET', `/api/users/${ana.id}`);
    expect(back.body.groupsInCommon.map((g) => g.id)).toEqual([first.id, second.id]);
    const anaOfCy = await call<UserProfile>(ana, 'GET', `/api/users/${cy.id}`);
    // Ana and Cy are still both in the fourth group, whose latest activity is Ben leaving it.
    expect(anaOfCy.body.groupsInCommon.map((g) => g.id)).toEqual([fourth.id, third.id, second.id]);
  });

  it('shows someone with nothing in common, and oneself, without groups', async () => {
    const ana = await registerUser(t.baseUrl, 'pd');
    const stranger = await registerUser(t.baseUrl, 'pe', { displayName: 'Stranger' });
    const res = await call<UserProfile>(ana, 'GET', `/api/users/${stranger.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: {
        id: stranger.id,
        username: stranger.username,
        displayName: 'Stranger',
        avatarUrl: null,
      },
      groupsInCommon: [],
    });
    const self = await call<UserProfile>(ana, 'GET', `/api/users/${ana.id}`);
    expect(self.body.groupsInCommon).toEqual([]);
    expect(self.body.user.id).toBe(ana.id);
  });

  it('refuses an unknown or malformed id, and an anonymous caller', async () => {
    const ana = await registerUser(t.baseUrl, 'pf');
    const unknown = await call(ana, 'GET', `/api/users/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(asError(unknown).code).toBe(ErrorCode.USER_NOT_FOUND);
    const unknownHex = await call(ana, 'GET', '/api/users/0123456789abcdef01234567');
    expect(unknownHex.status).toBe(404);
    const malformed = await call(ana, 'GET', '/api/users/not%20an%20id');
    expect(malformed.status).toBe(400);
    expect(asError(malformed).code).toBe(ErrorCode.VALIDATION_FAILED);
    const anonymous = await http(t.baseUrl, 'GET', `/api/users/${ana.id}`);
    expect(anonymous.status).toBe(401);
  });
});
