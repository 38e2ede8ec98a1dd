/**
 * Group conversations over the real app: REST routes, real sockets, the run's storage adapter. Covers every
 * permission path (admin, member, non-member, removed member, re-added member) over REST and socket events,
 * system messages and their seqs, concurrent changes, admin continuity and bad input (each with nothing changed).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  type AddMembersRequest,
  type ConversationSummary,
  type CreateGroupRequest,
  ErrorCode,
  type Message,
  type MessagePage,
  type Page,
  type ServerToClientEvents,
  type SystemEvent,
} from '@chat/shared';
import { asError, registerUser, type SignedIn } from './support/http.js';
import { type ClientSocket, connect, send } from './support/sockets.js';
import { callAs, useTestApp } from './support/suite.js';

const t = useTestApp();

const call = callAs(t);

/** People with display names, so system message bodies can be checked. */
/**
 * New people who let anyone add them to groups ("who can add me to groups: everyone"), so adds here are direct
 * as this file means them; invitations (the default "contacts") have their own file, privacy.e2e-spec.ts.
 */
async function people(prefix: string, names: readonly string[]): Promise<SignedIn[]> {
  const out: SignedIn[] = [];
  for (const name of names) {
    const person = await registerUser(
      t.baseUrl,
      `${prefix}${name.replace(/\W/g, '').slice(0, 3)}`,
      {
        displayName: name,
      },
    );
    const set = await call(person, 'PATCH', '/api/users/me/privacy', { groupAdd: 'everyone' });
    expect(set.status).toBe(200);
    out.push(person);
  }
  return out;
}

async function createGroup(
  admin: SignedIn,
  others: readonly SignedIn[],
  title = 'Team',
): Promise<ConversationSummary> {
  const res = await call<ConversationSummary>(admin, 'POST', '/api/conversations/group', {
    title,
    memberIds: others.map((o) => o.id),
  } satisfies CreateGroupRequest);
  expect(res.status).toBe(201);
  return res.body;
}

async function history(me: SignedIn, id: string, query = ''): Promise<Message[]> {
  const res = await call<MessagePage>(me, 'GET', `/api/conversations/${id}/messages${query}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

async function summary(me: SignedIn, id: string): Promise<ConversationSummary> {
  const res = await call<ConversationSummary>(me, 'GET', `/api/conversations/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function sendText(me: SignedIn, id: string, body: string) {
  return call<Message>(me, 'POST', `/api/conversations/${id}/messages`, {
    clientMessageId: randomUUID(),
    body,
  });
}

const systemEvents = (messages: readonly Message[]): SystemEvent[] =>
  messages.filter((m) => m.kind === 'system').map((m) => m.system!);

/** The admin and member views of a group: [admin's role, ...] keyed by user id. */
const roles = (c: ConversationSummary): Record<string, string> =>
  Object.fromEntries(c.members.map((m) => [m.user.id, m.role]));

type EventName = keyof ServerToClientEvents;
type EventArg<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/**
 * Queues one socket's events of one kind so a test takes them in order. Taking them in order is how tests prove
 * that nothing else came first: the server emits to a socket in order, so if a later marker event is the next
 * one taken, no earlier event of that kind was sent.
 */
function inbox<E extends EventName>(socket: ClientSocket, event: E) {
  const queue: Array<EventArg<E>> = [];
  const waiters: Array<(value: EventArg<E>) => void> = [];
  const listener = (value: EventArg<E>) => {
    const waiter = waiters.shift();
    if (waiter) waiter(value);
    else queue.push(value);
  };
  (socket as unknown as { on(e: string, l: (v: EventArg<E>) => void): void }).on(event, listener);
  return {
    next(timeoutMs = 5000): Promise<EventArg<E>> {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${event} within the timeout`)),
          timeoutMs,
        );
        waiters.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    },
    /** Everything received so far and not taken. */
    drain(): Array<EventArg<E>> {
      return queue.splice(0);
    },
  };
}

describe('creating a group', () => {
  it('makes the creator admin, records group_created as seq 1 and shows the group live to every member', async () => {
    const [ana, ben, cy] = await people('cr', ['Ana Creator', 'Ben Member', 'Cy Member']);
    const sockets = await Promise.all(
      [ana!, ben!, cy!].map((p) => connect(t.baseUrl, p.accessToken)),
    );
    const updates = sockets.map((s) => inbox(s, 'conversation:updated'));
    const news = sockets.map((s) => inbox(s, 'message:new'));

    const res = await call<ConversationSummary>(ana!, 'POST', '/api/conversations/group', {
      title: '  Book club  ',
      memberIds: [ben!.id, cy!.id],
    });
    expect(res.status).toBe(201);
    const group = res.body;
    expect(group).toMatchObject({
      type: 'group',
      title: 'Book club',
      status: 'active',
      avatarUrl: null,
      lastSeq: 1,
      unreadCount: 0,
    });
    expect(roles(group)).toEqual({ [ana!.id]: 'admin', [ben!.id]: 'member', [cy!.id]: 'member' });
    expect(group.lastMessage).toMatchObject({
      seq: 1,
      kind: 'system',
      senderId: ana!.id,
      body: 'Ana Creator created the group “Book club”',
      system: {
        type: 'group_created',
        actorId: ana!.id,
        title: 'Book club',
        memberIds: [ben!.id, cy!.id],
      },
    });

    for (const [i, person] of [ana!, ben!, cy!].entries()) {
      const update = await updates[i]!.next();
      expect(update).toMatchObject({ id: group.id, title: 'Book club', status: 'active' });
      expect(update.members).toHaveLength(3);
      // The creator's own system message is not unread for her; the others have one unread.
      expect(update.unreadCount).toBe(person.id === ana!.id ? 0 : 1);
      expect(await news[i]!.next()).toMatchObject({ id: group.lastMessage!.id, seq: 1 });
      const list = await call<Page<ConversationSummary>>(person, 'GET', '/api/conversations');
      expect(list.body.items.map((c) => c.id)).toContain(group.id);
    }
  });

  it('refuses bad input with a clear code and creates nothing', async () => {
    const [ana, ben] = await people('bad', ['Ana', 'Ben']);
    const bad: Array<[unknown, number, string, string?]> = [
      [{ title: '   ', memberIds: [ben!.id] }, 400, ErrorCode.VALIDATION_FAILED, 'title'],
      [{ title: 'x'.repeat(101), memberIds: [ben!.id] }, 400, ErrorCode.VALIDATION_FAILED, 'title'],
      [{ title: 'bad\u0007', memberIds: [ben!.id] }, 400, ErrorCode.VALIDATION_FAILED, 'title'],
      [{ title: 'T', memberIds: [] }, 400, ErrorCode.VALIDATION_FAILED, 'memberIds'],
      [
        { title: 'T', memberIds: [ben!.id, ben!.id] },
        400,
        ErrorCode.VALIDATION_FAILED,
        'memberIds',
      ],
      [
        { title: 'T', memberIds: [ana!.id, ben!.id] },
        400,
        ErrorCode.VALIDATION_FAILED,
        'memberIds',
      ],
      [{ title: 'T', memberIds: ['not an id!'] }, 400, ErrorCode.VALIDATION_FAILED, 'memberIds'],
      [
        { title: 'T', memberIds: Array.from({ length: 256 }, () => randomUUID()) },
        400,
        ErrorCode.VALIDATION_FAILED,
        'memberIds',
      ],
      [
        { title: 'T', memberIds: [ben!.id, randomUUID()] },
        404,
        ErrorCode.USER_NOT_FOUND,
        'memberIds',
      ],
      [{ title: 'T', memberIds: [ben!.id], extra: 1 }, 400, ErrorCode.VALIDATION_FAILED, 'extra'],
    ];
    for (const [body, status, code, field] of bad) {
      const res = await call(ana!, 'POST', '/api/conversations/group', body);
      expect({ body, status: res.status, code: asError(res).code }).toEqual({ body, status, code });
      if (field) expect(asError(res).details).toHaveProperty(field);
    }
    for (const person of [ana!, ben!]) {
      const list = await call<Page<ConversationSummary>>(person, 'GET', '/api/conversations');
      expect(list.body.items).toEqual([]);
    }
  });
});

describe('permissions', () => {
  it('lets only admins rename, add, remove and change roles; members get ADMIN_REQUIRED, outsiders 404', async () => {
    const [admin, member, outsider, extra] = await people('perm', ['Ada', 'Bo', 'Out', 'Ext']);
    const group = await createGroup(admin!, [member!]);
    const base = `/api/conversations/${group.id}`;
    const attempts: Array<[string, string, unknown]> = [
      ['PATCH', base, { title: 'New name' }],
      ['POST', `${base}/members`, { userIds: [extra!.id] } satisfies AddMembersRequest],
      ['DELETE', `${base}/members/${admin!.id}`, undefined],
      ['PATCH', `${base}/members/${admin!.id}`, { role: 'member' }],
      ['PATCH', `${base}/members/${member!.id}`, { role: 'admin' }],
    ];
    for (const [method, path, body] of attempts) {
      const asMember = await call(member!, method, path, body);
      expect({ path, status: asMember.status, code: asError(asMember).code }).toEqual({
        path,
        status: 403,
        code: ErrorCode.ADMIN_REQUIRED,
      });
      const asOutsider = await call(outsider!, method, path, body);
      expect({ path, status: asOutsider.status, code: asError(asOutsider).code }).toEqual({
        path,
        status: 404,
        code: ErrorCode.CONVERSATION_NOT_FOUND,
      });
    }
    // Outsiders cannot read, send or leave either, and learn nothing (same 404 as a missing id).
    for (const [method, path] of [
      ['GET', base],
      ['GET', `${base}/messages`],
      ['POST', `${base}/leave`],
    ] as const) {
      const res = await call(outsider!, method, path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(
        (await call(outsider!, method, path.replace(group.id, randomUUID()))).body,
      );
    }
    expect((await sendText(outsider!, group.id, 'hi')).status).toBe(404);
    // Nothing changed: still one system message, same members and roles, same title.
    const after = await summary(admin!, group.id);
    expect(after).toMatchObject({ title: 'Team', lastSeq: 1 });
    expect(roles(after)).toEqual(roles(group));
  });

  it('refuses group operations on a direct conversation with NOT_A_GROUP', async () => {
    const [a, b, c] = await people('dir', ['Al', 'Bea', 'Cid']);
    const direct = (
      await call<ConversationSummary>(a!, 'POST', '/api/conversations/direct', { userId: b!.id })
    ).body;
    const base = `/api/conversations/${direct.id}`;
    for (const [method, path, body] of [
      ['PATCH', base, { title: 'Renamed' }],
      ['POST', `${base}/members`, { userIds: [c!.id] }],
      ['DELETE', `${base}/members/${b!.id}`, undefined],
      ['PATCH', `${base}/members/${b!.id}`, { role: 'admin' }],
      ['POST', `${base}/leave`, undefined],
    ] as const) {
      const res = await call(a!, method, path, body);
      expect({ path, status: res.status, code: asError(res).code }).toEqual({
        path,
        status: 400,
        code: ErrorCode.NOT_A_GROUP,
      });
    }
    const after = await summary(a!, direct.id);
    expect(after).toMatchObject({ type: 'direct', title: null, lastSeq: 0, status: 'active' });
    expect(after.members).toHaveLength(2);
  });

  it('answers bad management input with ALREADY_MEMBER, NOT_A_MEMBER, USER_NOT_FOUND or VALIDATION_FAILED, changing nothing', async () => {
    const [admin, member, outsider] = await people('mgmt', ['Ada', 'Bo', 'Out']);
    const group = await createGroup(admin!, [member!]);
    const base = `/api/conversations/${group.id}`;
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', `${base}/members`, { userIds: [member!.id] }, 409, ErrorCode.ALREADY_MEMBER],
      [
        'POST',
        `${base}/members`,
        { userIds: [outsider!.id, member!.id] },
        409,
        ErrorCode.ALREADY_MEMBER,
      ],
      ['POST', `${base}/members`, { userIds: [randomUUID()] }, 404, ErrorCode.USER_NOT_FOUND],
      ['POST', `${base}/members`, { userIds: [] }, 400, ErrorCode.VALIDATION_FAILED],
      [
        'POST',
        `${base}/members`,
        { userIds: [outsider!.id, outsider!.id] },
        400,
        ErrorCode.VALIDATION_FAILED,
      ],
      ['DELETE', `${base}/members/${outsider!.id}`, undefined, 404, ErrorCode.NOT_A_MEMBER],
      ['DELETE', `${base}/members/${randomUUID()}`, undefined, 404, ErrorCode.NOT_A_MEMBER],
      ['PATCH', `${base}/members/${outsider!.id}`, { role: 'admin' }, 404, ErrorCode.NOT_A_MEMBER],
      [
        'PATCH',
        `${base}/members/${member!.id}`,
        { role: 'owner' },
        400,
        ErrorCode.VALIDATION_FAILED,
      ],
      // The last admin may not step down (the automatic promotion would usually pick them again).
      [
        'PATCH',
        `${base}/members/${admin!.id}`,
        { role: 'member' },
        400,
        ErrorCode.VALIDATION_FAILED,
      ],
      ['PATCH', base, { title: '' }, 400, ErrorCode.VALIDATION_FAILED],
      ['PATCH', base, { title: 'y'.repeat(101) }, 400, ErrorCode.VALIDATION_FAILED],
    ];
    for (const [method, path, body, status, code] of cases) {
      const res = await call(admin!, method, path, body);
      expect({ body, status: res.status, code: asError(res).code }).toEqual({ body, status, code });
    }
    const after = await summary(admin!, group.id);
    expect(after).toMatchObject({ title: 'Team', lastSeq: 1 });
    expect(roles(after)).toEqual(roles(group));
    // Setting a role someone already has, or the current title, is a no-op: 200, nothing recorded.
    expect(
      (await call(admin!, 'PATCH', `${base}/members/${member!.id}`, { role: 'member' })).status,
    ).toBe(200);
    expect((await call(admin!, 'PATCH', base, { title: ' Team ' })).status).toBe(200);
    expect((await summary(admin!, group.id)).lastSeq).toBe(1);
  });
});

describe('renaming, roles and system messages', () => {
  it('records each change as a system message with its own seq, in order, and tells every member live', async () => {
    const [ana, ben, cy] = await people('sys', ['Ana', 'Ben', 'Cy']);
    const group = await createGroup(ana!, [ben!]);
    const benSocket = await connect(t.baseUrl, ben!.accessToken);
    const benUpdates = inbox(benSocket, 'conversation:updated');
    const benNews = inbox(benSocket, 'message:new');
    const base = `/api/conversations/${group.id}`;

    const renamed = await call<ConversationSummary>(ana!, 'PATCH', base, { title: '  Trip  ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe('Trip');
    expect(await benUpdates.next()).toMatchObject({ id: group.id, title: 'Trip' });
    expect(await benNews.next()).toMatchObject({ seq: 2, body: 'Ana renamed the group to “Trip”' });

    expect((await sendText(ben!, group.id, 'hello')).body.seq).toBe(3);
    expect((await benNews.next()).seq).toBe(3);

    const added = await call<ConversationSummary>(ana!, 'POST', `${base}/members`, {
      userIds: [cy!.id],
    });
    expect(added.status).toBe(200);
    expect(added.body.members.map((m) => m.user.id)).toEqual([ana!.id, ben!.id, cy!.id]);
    expect((await benUpdates.next()).members).toHaveLength(3);
    expect(await benNews.next()).toMatchObject({ seq: 4, body: 'Ana added Cy' });

    const promoted = await call<ConversationSummary>(ana!, 'PATCH', `${base}/members/${ben!.id}`, {
      role: 'admin',
    });
    expect(roles(promoted.body)[ben!.id]).toBe('admin');
    expect(roles(await benUpdates.next())[ben!.id]).toBe('admin');
    // Ben, now an admin, demotes Ana (another admin remains: Ben).
    const demoted = await call<ConversationSummary>(ben!, 'PATCH', `${base}/members/${ana!.id}`, {
      role: 'member',
    });
    expect(demoted.status).toBe(200);
    expect(roles(demoted.body)).toEqual({
      [ana!.id]: 'member',
      [ben!.id]: 'admin',
      [cy!.id]: 'member',
    });

    const all = await history(cy!, group.id);
    expect(all.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.map((m) => m.kind)).toEqual([
      'system',
      'system',
      'text',
      'system',
      'system',
      'system',
    ]);
    expect(systemEvents(all)).toEqual([
      { type: 'group_created', actorId: ana!.id, title: 'Team', memberIds: [ben!.id] },
      { type: 'group_renamed', actorId: ana!.id, title: 'Trip' },
      { type: 'members_added', actorId: ana!.id, userIds: [cy!.id] },
      { type: 'admin_granted', actorId: ana!.id, userId: ben!.id },
      { type: 'admin_revoked', actorId: ben!.id, userId: ana!.id },
    ]);
    expect(all.filter((m) => m.kind === 'system').map((m) => m.body)).toEqual([
      'Ana created the group “Team”',
      'Ana renamed the group to “Trip”',
      'Ana added Cy',
      'Ana made Ben an admin',
      'Ben removed Ana as admin',
    ]);
    // Ana is no longer an admin: managing is refused.
    const refused = await call(ana!, 'PATCH', base, { title: 'Mine' });
    expect(asError(refused).code).toBe(ErrorCode.ADMIN_REQUIRED);
  });

  it('gives a member added later the group live and the whole history', async () => {
    const [ana, ben, dee] = await people('late', ['Ana', 'Ben', 'Dee']);
    const group = await createGroup(ana!, [ben!]);
    await sendText(ben!, group.id, 'before Dee');
    const deeSocket = await connect(t.baseUrl, dee!.accessToken);
    const deeUpdates = inbox(deeSocket, 'conversation:updated');
    const deeNews = inbox(deeSocket, 'message:new');
    expect(
      (await call(ana!, 'POST', `/api/conversations/${group.id}/members`, { userIds: [dee!.id] }))
        .status,
    ).toBe(200);
    const appeared = await deeUpdates.next();
    expect(appeared).toMatchObject({ id: group.id, status: 'active', title: 'Team', lastSeq: 3 });
    expect(appeared.members).toHaveLength(3);
    expect(await deeNews.next()).toMatchObject({ seq: 3, system: { type: 'members_added' } });
    expect((await history(dee!, group.id)).map((m) => m.body)).toEqual([
      'Ana created the group “Team”',
      'before Dee',
      'Ana added Dee',
    ]);
    const ack = await send(deeSocket, {
      conversationId: group.id,
      clientMessageId: randomUUID(),
      body: 'hi all',
    });
    expect(ack).toMatchObject({ ok: true, data: { seq: 4 } });
  });
});

describe('names in the history', () => {
  const ids = (users: readonly { id: string }[]) => users.map((u) => u.id).sort();

  it('keeps the people who left named for those still in the group, and the group as it was for those who left', async () => {
    const [ana, ben, cy, dee, eve] = await people('nm', ['Ana', 'Ben', 'Cy', 'Dee', 'Eve']);
    const group = await createGroup(ana!, [ben!, cy!, dee!]);
    expect(group.formerMembers).toEqual([]);
    await sendText(cy!, group.id, 'from Cy');
    const left = await call<ConversationSummary>(
      cy!,
      'POST',
      `/api/conversations/${group.id}/leave`,
    );
    expect(left.status).toBe(200);
    // Ben stays: Cy is no longer a member but still named (names and pictures only).
    const benView = await summary(ben!, group.id);
    expect(benView.members.map((m) => m.user.id)).not.toContain(cy!.id);
    expect(benView.formerMembers).toEqual([
      { id: cy!.id, username: cy!.username, displayName: 'Cy', avatarUrl: null },
    ]);
    // Eve joins after Cy left: Cy's messages, which she can read, keep their name for her too.
    const added = await call<ConversationSummary>(
      ana!,
      'POST',
      `/api/conversations/${group.id}/members`,
      {
        userIds: [eve!.id],
      } satisfies AddMembersRequest,
    );
    expect(added.status).toBe(200);
    expect(ids(added.body.formerMembers)).toEqual([cy!.id]);
    expect(ids((await summary(eve!, group.id)).formerMembers)).toEqual([cy!.id]);
    // Dee is removed: both former members are named for the others, in the list too.
    const removed = await call<ConversationSummary>(
      ana!,
      'DELETE',
      `/api/conversations/${group.id}/members/${dee!.id}`,
    );
    expect(ids(removed.body.formerMembers)).toEqual(ids([cy!, dee!]));
    const benList = await call<Page<ConversationSummary>>(ben!, 'GET', '/api/conversations');
    expect(ids(benList.body.items.find((c) => c.id === group.id)!.formerMembers)).toEqual(
      ids([cy!, dee!]),
    );

    // Cy, who left, keeps the group as it was when they left: Ana, Ben and Dee named, never Eve (added later);
    // still no member list.
    const cyView = await summary(cy!, group.id);
    expect(cyView).toMatchObject({ status: 'left', members: [] });
    expect(ids(cyView.formerMembers)).toEqual(ids([ana!, ben!, dee!]));
    const cyList = await call<Page<ConversationSummary>>(cy!, 'GET', '/api/conversations');
    expect(ids(cyList.body.items.find((c) => c.id === group.id)!.formerMembers)).toEqual(
      ids([ana!, ben!, dee!]),
    );
    // Dee, removed after Eve joined, sees Eve (and Cy, who left before) but not themselves.
    const deeView = await summary(dee!, group.id);
    expect(ids(deeView.formerMembers)).toEqual(ids([ana!, ben!, cy!, eve!]));
  });
});

describe('removed and re-added members', () => {
  it('a removed member keeps history up to the removal, sees the group as left, and gets nothing more', async () => {
    const [ana, ben, cy] = await people('rm', ['Ana', 'Ben', 'Cy']);
    const group = await createGroup(ana!, [ben!, cy!]);
    const base = `/api/conversations/${group.id}`;
    await sendText(cy!, group.id, 'I am here'); // seq 2
    const cySocket = await connect(t.baseUrl, cy!.accessToken);
    const cyUpdates = inbox(cySocket, 'conversation:updated');
    const cyNews = inbox(cySocket, 'message:new');
    const benSocket = await connect(t.baseUrl, ben!.accessToken);
    const benNews = inbox(benSocket, 'message:new');

    const removed = await call<ConversationSummary>(ana!, 'DELETE', `${base}/members/${cy!.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.members.map((m) => m.user.id)).toEqual([ana!.id, ben!.id]);
    expect(await benNews.next()).toMatchObject({
      seq: 3,
      body: 'Ana removed Cy',
      system: { type: 'member_removed', actorId: ana!.id, userId: cy!.id },
    });
    // Cy is told the group is now read-only for them: status left, no member list, history ends at seq 2.
    const leftView = await cyUpdates.next();
    expect(leftView).toMatchObject({ id: group.id, status: 'left', members: [], lastSeq: 2 });
    expect(leftView.lastMessage?.seq).toBe(2);

    // Ben writes; Cy's socket must not get it. A direct message to Cy afterwards is the marker: it is the next
    // message:new Cy receives, so nothing from the group came before it.
    const benAck = await send(benSocket, {
      conversationId: group.id,
      clientMessageId: randomUUID(),
      body: 'after Cy',
    });
    expect(benAck.ok).toBe(true);
    const direct = (
      await call<ConversationSummary>(ana!, 'POST', '/api/conversations/direct', { userId: cy!.id })
    ).body;
    await sendText(ana!, direct.id, 'marker');
    expect(await cyNews.next()).toMatchObject({ conversationId: direct.id, body: 'marker' });
    expect(cyUpdates.drain().filter((c) => c.id === group.id)).toEqual([]);

    // Reading: the summary (status left) and the history up to the removal, whatever the query.
    expect(await summary(cy!, group.id)).toMatchObject({
      status: 'left',
      members: [],
      unreadCount: 0,
    });
    expect((await history(cy!, group.id)).map((m) => m.seq)).toEqual([1, 2]);
    expect(await history(cy!, group.id, '?after=2')).toEqual([]);
    expect((await history(cy!, group.id, '?before=100')).map((m) => m.seq)).toEqual([1, 2]);
    const list = await call<Page<ConversationSummary>>(cy!, 'GET', '/api/conversations');
    expect(list.body.items.find((c) => c.id === group.id)).toMatchObject({
      status: 'left',
      members: [],
    });

    // Acting: MEMBERSHIP_ENDED everywhere, nothing stored or delivered.
    const ack = await send(cySocket, {
      conversationId: group.id,
      clientMessageId: randomUUID(),
      body: 'let me in',
    });
    expect(ack).toEqual({
      ok: false,
      error: { code: ErrorCode.MEMBERSHIP_ENDED, message: expect.any(String) },
    });
    const rest = await sendText(cy!, group.id, 'let me in');
    expect(rest.status).toBe(403);
    expect(asError(rest).code).toBe(ErrorCode.MEMBERSHIP_ENDED);
    for (const [method, path, body] of [
      ['PATCH', base, { title: 'Mine' }],
      ['POST', `${base}/members`, { userIds: [cy!.id] }],
      ['DELETE', `${base}/members/${ben!.id}`, undefined],
      ['PATCH', `${base}/members/${ben!.id}`, { role: 'admin' }],
      ['POST', `${base}/leave`, undefined],
      ['DELETE', `${base}/members/${cy!.id}`, undefined],
    ] as const) {
      const res = await call(cy!, method, path, body);
      expect({ path, status: res.status, code: asError(res).code }).toEqual({
        path,
        status: 403,
        code: ErrorCode.MEMBERSHIP_ENDED,
      });
    }
    const full = await history(ana!, group.id);
    expect(full.map((m) => m.body)).toEqual([
      'Ana created the group “Team”',
      'I am here',
      'Ana removed Cy',
      'after Cy',
    ]);
    expect(await benNews.next()).toMatchObject({ body: 'after Cy' });

    // Removing Cy again: NOT_A_MEMBER, nothing recorded.
    const again = await call(ana!, 'DELETE', `${base}/members/${cy!.id}`);
    expect(asError(again).code).toBe(ErrorCode.NOT_A_MEMBER);

    // Re-added: active again, sees everything (the messages sent while away too), can send.
    const readded = await call<ConversationSummary>(ana!, 'POST', `${base}/members`, {
      userIds: [cy!.id],
    });
    expect(readded.status).toBe(200);
    const back = await cyUpdates.next();
    expect(back).toMatchObject({ id: group.id, status: 'active' });
    expect(back.members.map((m) => m.user.id)).toEqual([ana!.id, ben!.id, cy!.id]);
    expect(await cyNews.next()).toMatchObject({
      seq: 5,
      system: { type: 'members_added', userIds: [cy!.id] },
    });
    expect((await history(cy!, group.id)).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    const ackBack = await send(cySocket, {
      conversationId: group.id,
      clientMessageId: randomUUID(),
      body: 'back',
    });
    expect(ackBack).toMatchObject({ ok: true, data: { seq: 6 } });
    expect(await benNews.next()).toMatchObject({ seq: 5 });
    expect(await benNews.next()).toMatchObject({ seq: 6, body: 'back' });
  });

  it('shows a former member the group as they left it: later activity does not move its lastActivityAt', async () => {
    const [ana, ben, cy] = await people('quiet', ['Ana', 'Ben', 'Cy']);
    const group = await createGroup(ana!, [ben!, cy!]);
    expect(
      (await call(ana!, 'DELETE', `/api/conversations/${group.id}/members/${cy!.id}`)).status,
    ).toBe(200);
    const atDeparture = await summary(cy!, group.id);
    const later = await sendText(ben!, group.id, 'after Cy left');
    expect(later.status).toBe(201);

    // The members see the new activity; Cy's view (GET and the list) keeps the time of the departure.
    expect((await summary(ben!, group.id)).lastActivityAt).toBe(later.body.createdAt);
    const after = await summary(cy!, group.id);
    expect(after.lastActivityAt).toBe(atDeparture.lastActivityAt);
    expect(Date.parse(after.lastActivityAt)).toBeLessThan(Date.parse(later.body.createdAt));
    const list = await call<Page<ConversationSummary>>(cy!, 'GET', '/api/conversations');
    expect(list.body.items.find((c) => c.id === group.id)?.lastActivityAt).toBe(
      atDeparture.lastActivityAt,
    );
  });

  it('handles concurrent adds and removals of the same person: one wins, one system message each', async () => {
    const [ana, ben, cy] = await people('race', ['Ana', 'Ben', 'Cy']);
    const group = await createGroup(ana!, [ben!]);
    const base = `/api/conversations/${group.id}`;
    const add = () => call(ana!, 'POST', `${base}/members`, { userIds: [cy!.id] });
    const remove = () => call(ana!, 'DELETE', `${base}/members/${cy!.id}`);

    const adds = await Promise.all([add(), add(), add()]);
    expect(adds.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(adds.filter((r) => r.status === 409).map((r) => asError(r).code)).toEqual([
      ErrorCode.ALREADY_MEMBER,
      ErrorCode.ALREADY_MEMBER,
    ]);
    const removes = await Promise.all([remove(), remove(), remove()]);
    expect(removes.map((r) => r.status).sort()).toEqual([200, 404, 404]);
    expect(removes.filter((r) => r.status === 404).map((r) => asError(r).code)).toEqual([
      ErrorCode.NOT_A_MEMBER,
      ErrorCode.NOT_A_MEMBER,
    ]);
    let events = systemEvents(await history(ana!, group.id));
    expect(events.map((e) => e.type)).toEqual(['group_created', 'members_added', 'member_removed']);

    // Add and remove at once: whichever order the server took, the recorded events match the final state.
    const [added, removed] = await Promise.all([add(), remove()]);
    expect(added.status).toBe(200);
    events = systemEvents(await history(ana!, group.id)).slice(3);
    const cyActive = (await summary(ana!, group.id)).members.some((m) => m.user.id === cy!.id);
    if (removed.status === 200) {
      expect(events.map((e) => e.type)).toEqual(['members_added', 'member_removed']);
      expect(cyActive).toBe(false);
    } else {
      expect(asError(removed).code).toBe(ErrorCode.NOT_A_MEMBER);
      expect(events.map((e) => e.type)).toEqual(['members_added']);
      expect(cyActive).toBe(true);
    }
    const seqs = (await history(ana!, group.id)).map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});

describe('leaving', () => {
  it('promotes the longest-standing member when the last admin leaves, and archives an empty group', async () => {
    const [ana, ben, cy] = await people('leave', ['Ana', 'Ben', 'Cy']);
    const group = await createGroup(ana!, [ben!]);
    const base = `/api/conversations/${group.id}`;
    // Cy joins later, so Ben is the longest-standing member after Ana.
    expect((await call(ana!, 'POST', `${base}/members`, { userIds: [cy!.id] })).status).toBe(200);
    const cySocket = await connect(t.baseUrl, cy!.accessToken);
    const cyNews = inbox(cySocket, 'message:new');
    const anaSocket = await connect(t.baseUrl, ana!.accessToken);
    const anaUpdates = inbox(anaSocket, 'conversation:updated');

    const left = await call<ConversationSummary>(ana!, 'POST', `${base}/leave`);
    expect(left.status).toBe(200);
    expect(left.body).toMatchObject({ id: group.id, status: 'left', members: [] });
    expect(await anaUpdates.next()).toMatchObject({ id: group.id, status: 'left' });
    expect(await cyNews.next()).toMatchObject({
      seq: 3,
      body: 'Ana left',
      system: { type: 'member_left', actorId: ana!.id },
    });
    expect(await cyNews.next()).toMatchObject({
      seq: 4,
      body: 'Ben is now an admin',
      system: { type: 'admin_granted', actorId: null, userId: ben!.id },
    });
    expect(roles(await summary(cy!, group.id))).toEqual({ [ben!.id]: 'admin', [cy!.id]: 'member' });
    // Ana's history ends before her own departure.
    expect((await history(ana!, group.id)).map((m) => m.seq)).toEqual([1, 2]);
    expect(asError(await call(ana!, 'POST', `${base}/leave`)).code).toBe(
      ErrorCode.MEMBERSHIP_ENDED,
    );

    // Removing yourself through DELETE is leaving, for any member.
    const benLeaves = await call<ConversationSummary>(ben!, 'DELETE', `${base}/members/${ben!.id}`);
    expect(benLeaves.status).toBe(200);
    expect(benLeaves.body.status).toBe('left');
    expect(roles(await summary(cy!, group.id))).toEqual({ [cy!.id]: 'admin' });

    const cyLeaves = await call<ConversationSummary>(cy!, 'POST', `${base}/leave`);
    expect(cyLeaves.body).toMatchObject({ status: 'left', members: [] });
    const events = systemEvents(await history(cy!, group.id));
    expect(events.map((e) => e.type)).toEqual([
      'group_created',
      'members_added',
      'member_left',
      'admin_granted',
      'member_left',
      'admin_granted',
    ]);
    // Nobody is left: everyone is a former member; nobody can act; reading still works up to each departure.
    for (const person of [ana!, ben!, cy!]) {
      expect((await summary(person, group.id)).status).toBe('left');
      expect(asError(await sendText(person, group.id, 'anyone?')).code).toBe(
        ErrorCode.MEMBERSHIP_ENDED,
      );
    }
    expect((await history(ben!, group.id)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });
});
