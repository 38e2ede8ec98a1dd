/**
 * "My data" end to end: the export archive (downloaded, unzipped with yauzl and its contents checked) and account
 * deletion (password asked again; sessions, sockets, profile and picture gone; groups left; messages kept as from
 * "Deleted account"; the username free again; no access left anywhere).
 */
import { describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import yauzl from 'yauzl';
import {
  ErrorCode,
  type Attachment,
  type ConversationSummary,
  type ErrorPayload,
  type Message,
  type Page,
  type PublicUser,
  type SelfUser,
} from '@chat/shared';
import { asError, http, registerUser, type SignedIn } from './support/http.js';
import { connect } from './support/sockets.js';
import { callAs, directPair, setAvatar, useTestApp } from './support/suite.js';

const t = useTestApp();
const as = callAs(t);

/** Uploads one file into a conversation as `me`. */
async function upload(
  me: SignedIn,
  conversationId: string,
  name: string,
  type: string,
  data: Buffer,
) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type }), name);
  const res = await fetch(`${t.baseUrl}/api/conversations/${conversationId}/attachments`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${me.accessToken}` },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Attachment;
}

function send(me: SignedIn, conversationId: string, body: string, attachmentIds: string[] = []) {
  return as<Message>(me, 'POST', `/api/conversations/${conversationId}/messages`, {
    clientMessageId: crypto.randomUUID(),
    body,
    ...(attachmentIds.length ? { attachmentIds } : {}),
  });
}

/** Every entry of a ZIP archive: name -> bytes. */
function unzip(buffer: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('no zip'));
      const entries = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe('download my data', () => {
  it('streams a ZIP with the profile, readable conversations and messages, and my own files', async () => {
    const { a: me, b: friend, conversation } = await directPair(t, 'exp');
    await setAvatar(t, me);
    const file = await upload(
      me,
      conversation.id,
      'notes.txt',
      'text/plain',
      Buffer.from('my notes\n'),
    );
    await send(me, conversation.id, 'hello with a file', [file.id]);
    await send(friend, conversation.id, 'hi back');
    const theirs = await upload(
      friend,
      conversation.id,
      'theirs.txt',
      'text/plain',
      Buffer.from('x'),
    );
    await send(friend, conversation.id, 'their file', [theirs.id]);
    const group = await as<ConversationSummary>(me, 'POST', '/api/conversations/group', {
      title: 'Export group',
      memberIds: [friend.id],
    });
    expect(group.status).toBe(201);
    await send(me, group.body.id, 'in the group');
    // Someone else's conversation must not show up.
    const other = await directPair(t, 'expother');
    await send(other.a, other.conversation.id, 'not for the exporter');

    const res = await fetch(`${t.baseUrl}/api/users/me/export`, {
      headers: { authorization: `Bearer ${me.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="relay-data-/);
    const entries = await unzip(Buffer.from(await res.arrayBuffer()));
    const names = [...entries.keys()].sort();
    expect(names).toEqual(
      [
        'README.txt',
        'profile.json',
        'conversations.json',
        `messages/${conversation.id}.json`,
        `messages/${group.body.id}.json`,
        `files/${file.id}-notes.txt`,
        'files/profile-picture.webp',
      ].sort(),
    );
    const profile = JSON.parse(entries.get('profile.json')!.toString()) as {
      user: SelfUser;
      format: number;
    };
    expect(profile.format).toBe(1);
    // The first account of this file's app, hence the instance administrator.
    expect(profile.user).toMatchObject({ id: me.id, username: me.username, instanceAdmin: true });
    expect(JSON.stringify(profile)).not.toMatch(/passwordHash|\$2[aby]\$/);
    const conversations = JSON.parse(entries.get('conversations.json')!.toString()) as Array<{
      id: string;
    }>;
    expect(conversations.map((c) => c.id).sort()).toEqual([conversation.id, group.body.id].sort());
    const direct = JSON.parse(entries.get(`messages/${conversation.id}.json`)!.toString()) as Array<
      Message & { mine: boolean }
    >;
    expect(direct.map((m) => [m.body, m.mine])).toEqual([
      ['hello with a file', true],
      ['hi back', false],
      ['their file', false],
    ]);
    expect(entries.get(`files/${file.id}-notes.txt`)!.toString()).toBe('my notes\n');
    const picture = await sharp(entries.get('files/profile-picture.webp')!).metadata();
    expect(picture.format).toBe('webp');
    const groupMessages = JSON.parse(
      entries.get(`messages/${group.body.id}.json`)!.toString(),
    ) as Message[];
    expect(groupMessages.some((m) => m.body === 'in the group')).toBe(true);

    // Without a token: 401.
    expect((await fetch(`${t.baseUrl}/api/users/me/export`)).status).toBe(401);
  });
});

describe('delete my account', () => {
  it('asks for the password, then leaves no access anywhere and keeps messages as from "Deleted account"', async () => {
    const { a: leaver, b: friend, conversation } = await directPair(t, 'del');
    await setAvatar(t, leaver);
    const third = await registerUser(t.baseUrl, 'delthird');
    const group = await as<ConversationSummary>(leaver, 'POST', '/api/conversations/group', {
      title: 'Leaver group',
      memberIds: [friend.id, third.id],
    });
    await send(leaver, conversation.id, 'a message that stays');
    const socket = await connect(t.baseUrl, leaver.accessToken);
    const expired = new Promise<ErrorPayload>((resolve) => socket.once('session:expired', resolve));
    const friendSocket = await connect(t.baseUrl, friend.accessToken);
    const gone = new Promise<PublicUser>((resolve) =>
      friendSocket.on('user:updated', (user) => {
        if (user.id === leaver.id && user.accountState === 'deleted') resolve(user);
      }),
    );

    const wrong = await as(leaver, 'DELETE', '/api/users/me', { password: 'not my password' });
    expect([wrong.status, asError(wrong).code]).toEqual([401, ErrorCode.INVALID_CREDENTIALS]);
    expect((await as(leaver, 'GET', '/api/users/me')).status).toBe(200);
    expect((await as(leaver, 'DELETE', '/api/users/me', {})).status).toBe(400);

    const done = await as(leaver, 'DELETE', '/api/users/me', { password: leaver.password });
    expect(done.status).toBe(204);
    expect((await expired).code).toBe(ErrorCode.SESSION_REVOKED);
    expect((await gone).displayName).toBe('Deleted account');

    // No access: REST, refresh, sockets, sign-in.
    expect(asError(await as(leaver, 'GET', '/api/users/me')).code).toBe(ErrorCode.SESSION_REVOKED);
    expect(
      (
        await http(t.baseUrl, 'POST', '/api/auth/refresh', undefined, {
          refreshToken: leaver.refreshToken,
        })
      ).status,
    ).toBe(401);
    await expect(connect(t.baseUrl, leaver.accessToken)).rejects.toThrow();
    const login = await http(t.baseUrl, 'POST', '/api/auth/login', {
      username: leaver.username,
      password: leaver.password,
    });
    expect(asError(login).code).toBe(ErrorCode.INVALID_CREDENTIALS);
    // The old avatar file is gone.
    const avatarUrl = (
      await as<ConversationSummary>(friend, 'GET', `/api/conversations/${conversation.id}`)
    ).body.members.find((m) => m.user.id === leaver.id)?.user.avatarUrl;
    expect(avatarUrl).toBeNull();

    // The friend keeps the history, now from "Deleted account"; the group no longer lists the person.
    const view = await as<ConversationSummary>(
      friend,
      'GET',
      `/api/conversations/${conversation.id}`,
    );
    const member = view.body.members.find((m) => m.user.id === leaver.id);
    expect(member?.user).toMatchObject({ displayName: 'Deleted account', accountState: 'deleted' });
    expect(member?.user.username).not.toBe(leaver.username);
    const history = await as<{ items: Message[] }>(
      friend,
      'GET',
      `/api/conversations/${conversation.id}/messages`,
    );
    expect(history.body.items.map((m) => m.body)).toContain('a message that stays');
    const groupView = await as<ConversationSummary>(
      friend,
      'GET',
      `/api/conversations/${group.body.id}`,
    );
    expect(groupView.body.members.map((m) => m.user.id).sort()).toEqual(
      [friend.id, third.id].sort(),
    );
    expect(groupView.body.members.some((m) => m.role === 'admin')).toBe(true);
    // Nobody can open a new conversation with the tombstone or add it to a group.
    const reopen = await as(third, 'POST', '/api/conversations/direct', { userId: leaver.id });
    expect([reopen.status, asError(reopen).code]).toEqual([404, ErrorCode.USER_NOT_FOUND]);
    const successor =
      groupView.body.members.find((m) => m.role === 'admin')?.user.id === friend.id
        ? friend
        : third;
    const addBack = await as(successor, 'POST', `/api/conversations/${group.body.id}/members`, {
      userIds: [leaver.id],
    });
    expect(addBack.status).toBe(404);
    // Not in the directory; the username can be registered again, by a new account.
    expect(
      (await as<Page<PublicUser>>(friend, 'GET', `/api/users?q=${leaver.username}`)).body.items,
    ).toEqual([]);
    const again = await http<{ user: SelfUser }>(t.baseUrl, 'POST', '/api/auth/register', {
      username: leaver.username,
      password: 'another good password',
    });
    expect(again.status).toBe(201);
    expect(again.body.user.id).not.toBe(leaver.id);
  });
});
