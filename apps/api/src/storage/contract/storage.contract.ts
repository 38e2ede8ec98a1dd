/**
 * The storage contract: the behaviour every adapter (SQL on PGlite, SQL on PostgreSQL, later MongoDB) must show,
 * written once against the repository ports and run by a thin spec file per adapter.
 *
 * It tests behaviour only (ordering, uniqueness, atomicity, idempotency, pagination edges), never how an adapter
 * stores things. Ids are treated as opaque: where a test needs an id that is well-formed for the adapter but
 * names no conversation, it uses a user's id (ids are unique across collections in every adapter we plan).
 *
 * Timing: a few tests need distinct activity times; they wait a few milliseconds between steps (`pause`), because
 * times are stored with millisecond precision.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { AttachmentsRepository } from '../attachments.repository.js';
import type { ConversationsRepository } from '../conversations.repository.js';
import type { MessagesRepository } from '../messages.repository.js';
import type { SessionsRepository } from '../sessions.repository.js';
import {
  InvalidCursorError,
  RecordNotFoundError,
  SenderMembershipError,
  UniqueViolationError,
} from '../storage.errors.js';
import type { StorageHealth } from '../storage.health.js';
import type { ConversationListItem, MessageRecord, UserRecord } from '../storage.types.js';
import type { UsersRepository } from '../users.repository.js';
import { describeAttachmentsContract } from './attachments.contract.js';
import { byString, pause, range, seqs, type ContractContext } from './contract-context.js';
import { describeGroupsContract } from './groups.contract.js';

/** What an adapter's spec file hands to the contract. */
export interface StorageUnderTest {
  repos: {
    users: UsersRepository;
    sessions: SessionsRepository;
    conversations: ConversationsRepository;
    messages: MessagesRepository;
    attachments: AttachmentsRepository;
    health: StorageHealth;
  };
  /** Empties every collection/table (called before each test). */
  reset(): Promise<void>;
  /** Releases the database (called once after the suite). */
  close(): Promise<void>;
}

/**
 * Declares the whole contract suite (jest describe/it) for one adapter.
 * @param name shown in the test names, e.g. 'sql on pglite'.
 * @param factory opens the adapter once for the whole suite (expensive: share it).
 */
export function describeStorageContract(
  name: string,
  factory: () => Promise<StorageUnderTest>,
): void {
  describe(`storage contract: ${name}`, () => {
    let storage: StorageUnderTest | undefined;
    let users: UsersRepository;
    let sessions: SessionsRepository;
    let conversations: ConversationsRepository;
    let messages: MessagesRepository;
    let health: StorageHealth;
    let counter = 0;

    beforeAll(async () => {
      storage = await factory();
      ({ users, sessions, conversations, messages, health } = storage.repos);
    });
    afterAll(async () => {
      await storage?.close();
    });
    beforeEach(async () => {
      if (!storage) throw new Error('the storage factory failed; see the beforeAll error');
      await storage.reset();
    });

    // ---- small factories -------------------------------------------------------------------------------

    const makeUser = (
      overrides: { username?: string; displayName?: string } = {},
    ): Promise<UserRecord> => {
      counter += 1;
      return users.create({
        username: overrides.username ?? `user${counter}`,
        displayName: overrides.displayName ?? `Person ${counter}`,
        passwordHash: `hash-${counter}`,
      });
    };

    const makeDirect = async (a: UserRecord, b: UserRecord) =>
      (await conversations.findOrCreateDirect(a.id, b.id, a.id)).conversation;

    const send = (
      conversationId: string,
      sender: UserRecord,
      body = 'hello',
      clientMessageId: string = randomUUID(),
    ) =>
      messages.append({ conversationId, senderId: sender.id, clientMessageId, kind: 'text', body });

    const sendMany = async (conversationId: string, sender: UserRecord, count: number) => {
      const sent: MessageRecord[] = [];
      for (let i = 1; i <= count; i++)
        sent.push((await send(conversationId, sender, `m${i}`)).message);
      return sent;
    };

    /** Walks every page of listForUser with `limit`, failing on a loop. */
    const walkConversations = async (userId: string, limit: number) => {
      const seen: ConversationListItem[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 100; guard++) {
        const page = await conversations.listForUser(userId, { cursor, limit });
        seen.push(...page.items);
        pageSizes.push(page.items.length);
        cursor = page.nextCursor;
        if (cursor === null) return { ids: seen.map((i) => i.conversation.id), pageSizes };
      }
      throw new Error('listForUser never ended');
    };

    // ---- users -----------------------------------------------------------------------------------------

    describe('users', () => {
      it('creates a user with an id and timestamps', async () => {
        const user = await users.create({
          username: 'Alice',
          displayName: 'Alice A',
          passwordHash: 'h',
        });
        expect(user).toEqual({
          id: expect.any(String),
          username: 'Alice',
          displayName: 'Alice A',
          passwordHash: 'h',
          avatarUrl: null,
          lastSeenAt: null,
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
        });
        expect(await users.findById(user.id)).toEqual(user);
      });

      it('refuses a username taken in another letter case with UniqueViolationError("username")', async () => {
        await makeUser({ username: 'Alice' });
        const clash = makeUser({ username: 'aLICE' });
        await expect(clash).rejects.toBeInstanceOf(UniqueViolationError);
        await expect(clash).rejects.toMatchObject({ constraint: 'username' });
        const page = await users.search({ query: '', limit: 10 });
        expect(page.items.map((u) => u.username)).toEqual(['Alice']);
      });

      it('finds by username in any letter case, keeping the spelling as typed', async () => {
        const alice = await makeUser({ username: 'AliCe' });
        expect(await users.findByUsername('alice')).toEqual(alice);
        expect(await users.findByUsername('ALICE')).toEqual(alice);
        expect(await users.findByUsername('alic')).toBeNull();
      });

      it('returns null for unknown and malformed ids', async () => {
        const alice = await makeUser();
        await expect(users.findById('not-an-id')).resolves.toBeNull();
        await expect(users.findById('')).resolves.toBeNull();
        // A well-formed id of this adapter that names no user: a conversation's.
        const bob = await makeUser();
        const conversation = await makeDirect(alice, bob);
        await expect(users.findById(conversation.id)).resolves.toBeNull();
      });

      it('finds many by ids, leaving out unknown and malformed ones', async () => {
        const [a, b, c] = [await makeUser(), await makeUser(), await makeUser()];
        const conversation = await makeDirect(a, b);
        const found = await users.findManyByIds([c.id, a.id, 'junk', conversation.id, a.id]);
        expect(found.map((u) => u.id).sort(byString)).toEqual([a.id, c.id].sort(byString));
        await expect(users.findManyByIds([])).resolves.toEqual([]);
      });

      it('searches by username prefix and by display-name word prefix, case-insensitively', async () => {
        const ada = await makeUser({ username: 'ada_l', displayName: 'Ada Lovelace' });
        const grace = await makeUser({ username: 'ghopper', displayName: 'Grace Brewster Hopper' });
        const alan = await makeUser({ username: 'Turing', displayName: 'Alan' });
        const names = async (query: string) =>
          (await users.search({ query, limit: 50 })).items.map((u) => u.id);
        expect(await names('ADA')).toEqual([ada.id]);
        expect(await names('love')).toEqual([ada.id]);
        expect(await names('hop')).toEqual([grace.id]);
        expect(await names('brew')).toEqual([grace.id]);
        expect(await names('tur')).toEqual([alan.id]);
        expect(await names('a')).toEqual([ada.id, alan.id]); // 'ada_l' by username, 'Alan' by display name
        // Infixes do not match: neither inside a username nor inside a word.
        expect(await names('velace')).toEqual([]);
        expect(await names('ring')).toEqual([]);
        expect(await names('  GRACE ')).toEqual([grace.id]);
      });

      it('treats LIKE wildcards and backslashes in the query literally', async () => {
        const underscore = await makeUser({ username: 'under_score', displayName: 'U One' });
        await makeUser({ username: 'underXscore', displayName: 'U Two' });
        const percent = await makeUser({ username: 'pct', displayName: '100% Sure' });
        await makeUser({ username: 'pct2', displayName: '1000 Sure' });
        const slash = await makeUser({ username: 'slash', displayName: 'back\\slash' });
        const names = async (query: string) =>
          (await users.search({ query, limit: 50 })).items.map((u) => u.id);
        expect(await names('under_')).toEqual([underscore.id]);
        expect(await names('100%')).toEqual([percent.id]);
        expect(await names('%')).toEqual([]);
        expect(await names('_')).toEqual([]);
        expect(await names('back\\')).toEqual([slash.id]);
        expect(await names('\\')).toEqual([]);
      });

      it('excludes the given user from the results', async () => {
        const me = await makeUser({ username: 'sam1' });
        const other = await makeUser({ username: 'sam2' });
        const page = await users.search({ query: 'sam', excludeUserId: me.id, limit: 10 });
        expect(page.items.map((u) => u.id)).toEqual([other.id]);
      });

      it('pages through results by (lower-cased username, id) with no duplicates or omissions', async () => {
        const names = ['delta', 'Alpha', 'charlie', 'Echo', 'bravo', 'foxtrot', 'golf'];
        for (const username of names) await makeUser({ username, displayName: 'Same Name' });
        const expected = [...names].sort((x, y) => byString(x.toLowerCase(), y.toLowerCase()));
        for (const limit of [1, 2, 3, 7, 8]) {
          const got: string[] = [];
          const sizes: number[] = [];
          let cursor: string | null = null;
          do {
            const page = await users.search({ query: 'same', cursor, limit });
            got.push(...page.items.map((u) => u.username));
            sizes.push(page.items.length);
            cursor = page.nextCursor;
          } while (cursor !== null && sizes.length < 20);
          expect(got).toEqual(expected);
          // No trailing empty page: the last page is cut exactly at the end.
          expect(sizes.at(-1)).toBeGreaterThan(0);
          expect(sizes.length).toBe(Math.ceil(names.length / limit));
        }
      });

      it('returns an empty page when nothing matches, and when there are no users', async () => {
        await expect(users.search({ query: 'anything', limit: 5 })).resolves.toEqual({
          items: [],
          nextCursor: null,
        });
        await makeUser({ username: 'zed' });
        await expect(users.search({ query: 'nobody', limit: 5 })).resolves.toEqual({
          items: [],
          nextCursor: null,
        });
      });

      it('lists everyone, in order, for an empty query', async () => {
        await makeUser({ username: 'b' });
        await makeUser({ username: 'A' });
        const page = await users.search({ query: '', limit: 10 });
        expect(page.items.map((u) => u.username)).toEqual(['A', 'b']);
        expect(page.nextCursor).toBeNull();
      });

      it('refuses a cursor it did not issue', async () => {
        await makeUser();
        await expect(
          users.search({ query: '', cursor: 'garbage!', limit: 5 }),
        ).rejects.toBeInstanceOf(InvalidCursorError);
        const notOurs = Buffer.from(JSON.stringify({ x: 1 })).toString('base64url');
        await expect(users.search({ query: '', cursor: notOurs, limit: 5 })).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
      });

      it('updates the display name and the update time', async () => {
        const user = await makeUser({ displayName: 'Old' });
        await pause();
        const updated = await users.updateProfile(user.id, { displayName: 'New Name' });
        expect(updated).toMatchObject({
          id: user.id,
          username: user.username,
          displayName: 'New Name',
        });
        expect(updated!.updatedAt.getTime()).toBeGreaterThan(user.updatedAt.getTime());
        expect(await users.findById(user.id)).toEqual(updated);
        expect(await users.updateProfile(user.id, {})).toEqual(updated);
        const conversationId = (await makeDirect(user, await makeUser())).id;
        await expect(users.updateProfile(conversationId, { displayName: 'x' })).resolves.toBeNull();
        await expect(users.updateProfile('junk', { displayName: 'x' })).resolves.toBeNull();
      });
    });

    // ---- sessions --------------------------------------------------------------------------------------

    describe('sessions', () => {
      const hour = 3_600_000;
      const newSession = async (tokenHash: string, expiresAt = new Date(Date.now() + hour)) => {
        const user = await makeUser();
        return sessions.create({ userId: user.id, tokenHash, userAgent: 'jest', expiresAt });
      };

      it('creates a live session', async () => {
        const expiresAt = new Date(Date.now() + hour);
        const user = await makeUser();
        const session = await sessions.create({
          userId: user.id,
          tokenHash: 'h1',
          userAgent: null,
          expiresAt,
        });
        expect(session).toEqual({
          id: expect.any(String),
          userId: user.id,
          tokenHash: 'h1',
          previousTokenHash: null,
          userAgent: null,
          createdAt: expect.any(Date),
          expiresAt,
          lastUsedAt: expect.any(Date),
          revokedAt: null,
        });
        expect(await sessions.findById(session.id)).toEqual(session);
        expect(await sessions.findById('junk')).toBeNull();
      });

      it('rotates the current token, remembering the previous one', async () => {
        const session = await newSession('h1');
        const newExpiry = new Date(Date.now() + 2 * hour);
        const now = new Date();
        const result = await sessions.rotate('h1', 'h2', newExpiry, now);
        expect(result.status).toBe('rotated');
        if (result.status !== 'rotated') return;
        expect(result.session).toMatchObject({
          id: session.id,
          tokenHash: 'h2',
          previousTokenHash: 'h1',
          expiresAt: newExpiry,
          lastUsedAt: now,
          revokedAt: null,
        });
        expect(await sessions.findById(session.id)).toEqual(result.session);
        // The new token rotates in turn.
        expect((await sessions.rotate('h2', 'h3', newExpiry, new Date())).status).toBe('rotated');
      });

      it('lets exactly one of two concurrent rotations with the same token win', async () => {
        const session = await newSession('h1');
        const expiry = new Date(Date.now() + hour);
        const results = await Promise.all([
          sessions.rotate('h1', 'h2a', expiry, new Date()),
          sessions.rotate('h1', 'h2b', expiry, new Date()),
        ]);
        const statuses = results.map((r) => r.status).sort(byString);
        // The loser presents what is, by then, the previous token: a reuse, which revokes the session.
        expect(statuses).toEqual(['reused', 'rotated']);
        expect((await sessions.findById(session.id))?.revokedAt).toEqual(expect.any(Date));
      });

      it('treats the previous token presented again as reuse and revokes the session', async () => {
        const session = await newSession('h1');
        const expiry = new Date(Date.now() + hour);
        await sessions.rotate('h1', 'h2', expiry, new Date());
        const reuse = await sessions.rotate('h1', 'h3', expiry, new Date());
        expect(reuse.status).toBe('reused');
        if (reuse.status !== 'reused') return;
        expect(reuse.session.id).toBe(session.id);
        expect(reuse.session.revokedAt).toEqual(expect.any(Date));
        // The family is dead: even the current token is refused now.
        expect(await sessions.rotate('h2', 'h4', expiry, new Date())).toEqual({
          status: 'invalid',
        });
      });

      it("a token two rotations old is 'reused' and revokes the session", async () => {
        // A thief rotated twice (h1 -> h2 -> h3) before the victim presents h1 (RFC 9700 section 4.14.2).
        const session = await newSession('h1');
        const expiry = new Date(Date.now() + hour);
        expect((await sessions.rotate('h1', 'h2', expiry, new Date())).status).toBe('rotated');
        expect((await sessions.rotate('h2', 'h3', expiry, new Date())).status).toBe('rotated');
        const now = new Date();
        const reuse = await sessions.rotate('h1', 'h4', expiry, now);
        expect(reuse).toEqual({
          status: 'reused',
          session: expect.objectContaining({ id: session.id, tokenHash: 'h3', revokedAt: now }),
        });
        // The thief's current token dies with the session.
        expect(await sessions.rotate('h3', 'h5', expiry, new Date())).toEqual({
          status: 'invalid',
        });
        expect((await sessions.findById(session.id))?.revokedAt).toEqual(now);
      });

      it('refuses expired, unknown and revoked tokens without changing anything', async () => {
        const now = new Date();
        const expired = await newSession('old', new Date(now.getTime() - 1000));
        expect(await sessions.rotate('old', 'x', new Date(now.getTime() + hour), now)).toEqual({
          status: 'invalid',
        });
        expect(await sessions.findById(expired.id)).toEqual(expired);
        // Expiry is judged against the `now` given, strictly.
        const live = await newSession('live', new Date(now.getTime() + 1000));
        expect(
          await sessions.rotate('live', 'y', new Date(), new Date(now.getTime() + 1000)),
        ).toEqual({
          status: 'invalid',
        });
        expect(await sessions.findById(live.id)).toEqual(live);

        expect(await sessions.rotate('never-issued', 'z', new Date(), now)).toEqual({
          status: 'invalid',
        });

        const revoked = await newSession('gone');
        await sessions.revoke(revoked.id, now);
        expect(await sessions.rotate('gone', 'w', new Date(now.getTime() + hour), now)).toEqual({
          status: 'invalid',
        });
        expect((await sessions.findById(revoked.id))?.revokedAt).toEqual(now);
      });

      it('revokes by the current or any retired token hash', async () => {
        const expiry = new Date(Date.now() + hour);
        const first = await newSession('a1');
        const now = new Date();
        const revoked = await sessions.revokeByTokenHash('a1', now);
        expect(revoked).toMatchObject({ id: first.id, revokedAt: now });

        const second = await newSession('b1');
        await sessions.rotate('b1', 'b2', expiry, new Date());
        expect((await sessions.revokeByTokenHash('b1', now))?.id).toBe(second.id);
        expect((await sessions.findById(second.id))?.revokedAt).toEqual(now);

        // Any retired hash, not only the previous one.
        const third = await newSession('c1');
        await sessions.rotate('c1', 'c2', expiry, new Date());
        await sessions.rotate('c2', 'c3', expiry, new Date());
        expect((await sessions.revokeByTokenHash('c1', now))?.id).toBe(third.id);
        expect((await sessions.findById(third.id))?.revokedAt).toEqual(now);

        expect(await sessions.revokeByTokenHash('unknown', now)).toBeNull();
        await expect(sessions.revoke('junk', now)).resolves.toBeUndefined();
      });
    });

    // ---- conversations ---------------------------------------------------------------------------------

    describe('conversations', () => {
      it('creates a direct conversation once, whatever the order of the two ids', async () => {
        const [alice, bob] = [await makeUser(), await makeUser()];
        const first = await conversations.findOrCreateDirect(alice.id, bob.id, alice.id);
        expect(first.created).toBe(true);
        expect(first.conversation).toMatchObject({
          type: 'direct',
          title: null,
          createdBy: alice.id,
          lastSeq: 0,
          directKey: expect.any(String),
        });
        expect(first.conversation.lastActivityAt).toEqual(first.conversation.createdAt);
        expect(first.members.map((m) => m.userId)).toEqual([alice.id, bob.id].sort(byString));
        for (const member of first.members) {
          expect(member).toMatchObject({
            conversationId: first.conversation.id,
            deliveredSeq: 0,
            readSeq: 0,
          });
        }

        const again = await conversations.findOrCreateDirect(bob.id, alice.id, bob.id);
        expect(again.created).toBe(false);
        expect(again.conversation).toEqual(first.conversation);
        expect(again.members).toEqual(first.members);
        expect(await conversations.findById(first.conversation.id)).toEqual(first.conversation);
      });

      it('returns one conversation to ten concurrent openers', async () => {
        const [alice, bob] = [await makeUser(), await makeUser()];
        const results = await Promise.all(
          range(1, 10).map((i) =>
            i % 2
              ? conversations.findOrCreateDirect(alice.id, bob.id, alice.id)
              : conversations.findOrCreateDirect(bob.id, alice.id, bob.id),
          ),
        );
        expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        for (const r of results) expect(r.members).toHaveLength(2);
        expect((await conversations.listForUser(alice.id, { limit: 10 })).items).toHaveLength(1);
      });

      it('keeps different pairs apart and refuses a conversation with oneself', async () => {
        const [a, b, c] = [await makeUser(), await makeUser(), await makeUser()];
        const ab = await makeDirect(a, b);
        const ac = await makeDirect(a, c);
        expect(ab.id).not.toBe(ac.id);
        await expect(conversations.findOrCreateDirect(a.id, a.id, a.id)).rejects.toThrow();
      });

      it('finds a membership only for members of existing conversations', async () => {
        const [alice, bob, eve] = [await makeUser(), await makeUser(), await makeUser()];
        const conversation = await makeDirect(alice, bob);
        expect(await conversations.findMember(conversation.id, bob.id)).toMatchObject({
          conversationId: conversation.id,
          userId: bob.id,
          role: 'member',
          deliveredSeq: 0,
          readSeq: 0,
          joinedAt: expect.any(Date),
        });
        expect(await conversations.findMember(conversation.id, eve.id)).toBeNull();
        expect(await conversations.findMember(alice.id, alice.id)).toBeNull(); // a user id is no conversation
        expect(await conversations.findMember('junk', alice.id)).toBeNull();
        expect(await conversations.findById(alice.id)).toBeNull();
        expect(await conversations.findById('junk')).toBeNull();
      });

      it('lists members of one conversation, and of many in one call', async () => {
        const [a, b, c] = [await makeUser(), await makeUser(), await makeUser()];
        const ab = await makeDirect(a, b);
        const bc = await makeDirect(b, c);
        const members = await conversations.listMembers(ab.id);
        expect(members.map((m) => m.userId)).toEqual([a.id, b.id].sort(byString));
        expect(await conversations.listMembers(a.id)).toEqual([]);

        const many = await conversations.listMembersOf([ab.id, bc.id, a.id, 'junk']);
        expect([...many.keys()].sort(byString)).toEqual([ab.id, bc.id].sort(byString));
        expect(many.get(ab.id)).toEqual(members);
        expect(many.get(bc.id)?.map((m) => m.userId)).toEqual([b.id, c.id].sort(byString));
        expect((await conversations.listMembersOf([])).size).toBe(0);
      });

      it('lists the ids of everyone sharing a conversation, once each, without oneself', async () => {
        const [a, b, c, d] = [
          await makeUser(),
          await makeUser(),
          await makeUser(),
          await makeUser(),
        ];
        await makeDirect(a, b);
        await makeDirect(c, a);
        expect((await conversations.listContactIds(a.id)).sort(byString)).toEqual(
          [b.id, c.id].sort(byString),
        );
        expect(await conversations.listContactIds(b.id)).toEqual([a.id]);
        expect(await conversations.listContactIds(d.id)).toEqual([]);
      });

      describe('listForUser', () => {
        it('orders by latest activity, with the last message and the unread count', async () => {
          const [me, x, y, z] = [
            await makeUser(),
            await makeUser(),
            await makeUser(),
            await makeUser(),
          ];
          const withX = await makeDirect(me, x);
          await pause();
          const withY = await makeDirect(me, y);
          await pause();
          const withZ = await makeDirect(me, z);
          await pause();
          await send(withY.id, y, 'y1');
          await send(withY.id, y, 'y2');
          await pause();
          const lastToX = (await send(withX.id, me, 'from me')).message;

          const page = await conversations.listForUser(me.id, { limit: 10 });
          expect(page.nextCursor).toBeNull();
          expect(page.items.map((i) => i.conversation.id)).toEqual([withX.id, withY.id, withZ.id]);
          const [itemX, itemY, itemZ] = page.items;
          expect(itemX).toMatchObject({ lastMessage: lastToX, unreadCount: 0 });
          expect(itemX!.conversation).toMatchObject({
            lastSeq: 1,
            lastActivityAt: lastToX.createdAt,
          });
          expect(itemX!.membership).toMatchObject({ userId: me.id, readSeq: 1, deliveredSeq: 1 });
          expect(itemY).toMatchObject({ unreadCount: 2 });
          expect(itemY!.lastMessage).toMatchObject({ seq: 2, body: 'y2', senderId: y.id });
          expect(itemY!.membership).toMatchObject({ userId: me.id, readSeq: 0 });
          expect(itemZ).toMatchObject({ lastMessage: null, unreadCount: 0 });

          // The other side sees its own view of the same conversation.
          const [fromY] = (await conversations.listForUser(y.id, { limit: 10 })).items;
          expect(fromY).toMatchObject({ unreadCount: 0, membership: { userId: y.id, readSeq: 2 } });
          // Reading lowers the unread count.
          await conversations.advanceWatermarks(withY.id, me.id, { readSeq: 1 });
          expect(await conversations.getListItem(withY.id, me.id)).toMatchObject({
            unreadCount: 1,
          });
        });

        it('gives the same item for one conversation through getListItem, or null for a non-member', async () => {
          const [me, x, eve] = [await makeUser(), await makeUser(), await makeUser()];
          const conversation = await makeDirect(me, x);
          await send(conversation.id, x, 'hi');
          const [listed] = (await conversations.listForUser(me.id, { limit: 1 })).items;
          expect(await conversations.getListItem(conversation.id, me.id)).toEqual(listed);
          expect(await conversations.getListItem(conversation.id, eve.id)).toBeNull();
          expect(await conversations.getListItem(me.id, me.id)).toBeNull();
        });

        it('returns an empty page for someone with no conversations', async () => {
          const loner = await makeUser();
          await expect(conversations.listForUser(loner.id, { limit: 5 })).resolves.toEqual({
            items: [],
            nextCursor: null,
          });
        });

        it('pages with no duplicates or omissions, cut exactly at the end, for every page size', async () => {
          const me = await makeUser();
          // Created back to back: several may share a millisecond, which exercises the id tie-break.
          for (let i = 0; i < 6; i++) await makeDirect(me, await makeUser());
          const all = (await conversations.listForUser(me.id, { limit: 100 })).items;
          expect(all).toHaveLength(6);
          const expected = [...all]
            .sort(
              (p, q) =>
                q.conversation.lastActivityAt.getTime() - p.conversation.lastActivityAt.getTime() ||
                byString(q.conversation.id, p.conversation.id),
            )
            .map((i) => i.conversation.id);
          expect(all.map((i) => i.conversation.id)).toEqual(expected);
          for (const limit of [1, 2, 3, 4, 5, 6, 7]) {
            const walk = await walkConversations(me.id, limit);
            expect(walk.ids).toEqual(expected);
            expect(walk.pageSizes.length).toBe(Math.ceil(6 / limit));
            expect(walk.pageSizes.at(-1)).toBeGreaterThan(0);
          }
        });

        it('has no next page when the list is exactly one page long', async () => {
          const me = await makeUser();
          for (let i = 0; i < 3; i++) await makeDirect(me, await makeUser());
          const page = await conversations.listForUser(me.id, { limit: 3 });
          expect(page.items).toHaveLength(3);
          expect(page.nextCursor).toBeNull();
          const short = await conversations.listForUser(me.id, { limit: 2 });
          expect(short.items).toHaveLength(2);
          expect(short.nextCursor).not.toBeNull();
        });

        it('gives an empty last page for a cursor at what became the last item', async () => {
          const me = await makeUser();
          const older = await makeDirect(me, await makeUser());
          await pause();
          const newer = await makeDirect(me, await makeUser());
          const first = await conversations.listForUser(me.id, { limit: 1 });
          expect(first.items.map((i) => i.conversation.id)).toEqual([newer.id]);
          // Activity moves the older conversation to the top: nothing is left below the cursor.
          await pause();
          await send(older.id, me);
          const rest = await conversations.listForUser(me.id, {
            cursor: first.nextCursor,
            limit: 1,
          });
          expect(rest).toEqual({ items: [], nextCursor: null });
        });

        it('refuses a cursor it did not issue', async () => {
          const me = await makeUser();
          await expect(
            conversations.listForUser(me.id, { cursor: '!!', limit: 5 }),
          ).rejects.toBeInstanceOf(InvalidCursorError);
          const wrong = Buffer.from(JSON.stringify({ u: 'x', id: 'y' })).toString('base64url');
          await expect(
            conversations.listForUser(me.id, { cursor: wrong, limit: 5 }),
          ).rejects.toBeInstanceOf(InvalidCursorError);
        });
      });

      it('raises watermarks monotonically, capped at the last seq', async () => {
        const [alice, bob, eve] = [await makeUser(), await makeUser(), await makeUser()];
        const conversation = await makeDirect(alice, bob);
        await sendMany(conversation.id, alice, 3);

        expect(
          await conversations.advanceWatermarks(conversation.id, bob.id, { deliveredSeq: 2 }),
        ).toMatchObject({
          deliveredSeq: 2,
          readSeq: 0,
        });
        expect(
          await conversations.advanceWatermarks(conversation.id, bob.id, { readSeq: 1 }),
        ).toMatchObject({
          deliveredSeq: 2,
          readSeq: 1,
        });
        // Never backwards.
        expect(
          await conversations.advanceWatermarks(conversation.id, bob.id, {
            deliveredSeq: 1,
            readSeq: 0,
          }),
        ).toMatchObject({ deliveredSeq: 2, readSeq: 1 });
        // Never past lastSeq.
        expect(
          await conversations.advanceWatermarks(conversation.id, bob.id, {
            deliveredSeq: 99,
            readSeq: 50,
          }),
        ).toMatchObject({ deliveredSeq: 3, readSeq: 3 });
        expect(await conversations.findMember(conversation.id, bob.id)).toMatchObject({
          deliveredSeq: 3,
          readSeq: 3,
        });
        expect(await conversations.advanceWatermarks(conversation.id, bob.id, {})).toMatchObject({
          deliveredSeq: 3,
          readSeq: 3,
        });
        // Absurd values change nothing and are no errors.
        expect(
          await conversations.advanceWatermarks(conversation.id, bob.id, {
            deliveredSeq: Number.NaN,
            readSeq: -5,
          }),
        ).toMatchObject({ deliveredSeq: 3, readSeq: 3 });
        expect(
          await conversations.advanceWatermarks(conversation.id, eve.id, { readSeq: 1 }),
        ).toBeNull();
        expect(
          await conversations.advanceWatermarks(alice.id, alice.id, { readSeq: 1 }),
        ).toBeNull();
      });
    });

    // ---- messages --------------------------------------------------------------------------------------

    describe('messages', () => {
      const pair = async () => {
        const [alice, bob] = [await makeUser(), await makeUser()];
        return { alice, bob, conversation: await makeDirect(alice, bob) };
      };

      it('allocates 1, 2, 3 ... and moves the conversation with them', async () => {
        const { alice, bob, conversation } = await pair();
        const first = await send(conversation.id, alice, 'one');
        expect(first.created).toBe(true);
        expect(first.message).toEqual({
          id: expect.any(String),
          conversationId: conversation.id,
          seq: 1,
          senderId: alice.id,
          clientMessageId: expect.any(String),
          kind: 'text',
          body: 'one',
          system: null,
          attachments: [],
          createdAt: expect.any(Date),
        });
        const second = await send(conversation.id, bob, 'two');
        const third = await send(conversation.id, alice, 'three');
        expect([first, second, third].map((r) => r.message.seq)).toEqual([1, 2, 3]);
        const after = await conversations.findById(conversation.id);
        expect(after).toMatchObject({ lastSeq: 3, lastActivityAt: third.message.createdAt });
        expect(third.message.createdAt.getTime()).toBeGreaterThanOrEqual(
          first.message.createdAt.getTime(),
        );
      });

      it('gives 50 concurrent appends the distinct seqs 1..50', async () => {
        const { alice, bob, conversation } = await pair();
        const results = await Promise.all(
          range(1, 50).map((i) => send(conversation.id, i % 2 ? alice : bob, `m${i}`)),
        );
        expect(results.every((r) => r.created)).toBe(true);
        expect(seqs(results.map((r) => r.message)).sort((x, y) => x - y)).toEqual(range(1, 50));
        expect((await conversations.findById(conversation.id))?.lastSeq).toBe(50);
        const history = await messages.listPage(conversation.id, { after: 0, limit: 100 });
        expect(seqs(history.items)).toEqual(range(1, 50));
        expect(new Set(history.items.map((m) => m.id)).size).toBe(50);
        // Each sender's own watermark ends exactly at their last message: concurrent raises never lower it.
        const lastOf = (u: UserRecord) =>
          Math.max(...history.items.filter((m) => m.senderId === u.id).map((m) => m.seq));
        expect((await conversations.findMember(conversation.id, alice.id))?.readSeq).toBe(
          lastOf(alice),
        );
        expect((await conversations.findMember(conversation.id, bob.id))?.readSeq).toBe(
          lastOf(bob),
        );
      });

      it('answers a resend with the stored message, without a new seq', async () => {
        const { alice, conversation } = await pair();
        const clientId = randomUUID();
        const original = await send(conversation.id, alice, 'hello', clientId);
        const resend = await send(conversation.id, alice, 'hello (edited on retry)', clientId);
        expect(resend).toEqual({
          message: original.message,
          created: false,
          activeMemberIds: expect.arrayContaining([alice.id]),
        });
        expect((await conversations.findById(conversation.id))?.lastSeq).toBe(1);
        expect(await messages.findByClientId(conversation.id, alice.id, clientId)).toEqual(
          original.message,
        );
        expect((await send(conversation.id, alice, 'next')).message.seq).toBe(2);
      });

      it('stores one message for ten concurrent sends with the same client id', async () => {
        const { alice, conversation } = await pair();
        const clientId = randomUUID();
        const results = await Promise.all(
          range(1, 10).map(() => send(conversation.id, alice, 'once', clientId)),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
        const history = await messages.listPage(conversation.id, { limit: 100 });
        expect(history.items).toHaveLength(1);
      });

      it('stores any text verbatim (quotes, backslashes, SQL, emoji), client ids too', async () => {
        const { alice, conversation } = await pair();
        const body = `it's "quoted" \\ back\\slash \\' '); DROP TABLE messages; -- $1 E'\\x' 👋\nline`;
        const clientId = `client'id\\${randomUUID()}`;
        const stored = await send(conversation.id, alice, body, clientId);
        expect(stored.message).toMatchObject({ body, clientMessageId: clientId });
        const page = await messages.listPage(conversation.id, { limit: 5 });
        expect(page.items.map((m) => m.body)).toEqual([body]);
        expect((await send(conversation.id, alice, 'other', clientId)).created).toBe(false);
      });

      it('returns the active members as the audience, new message or resend', async () => {
        const [alice, bob, carol] = [await makeUser(), await makeUser(), await makeUser()];
        const { conversation } = await conversations.createGroup({
          title: 'audience',
          createdBy: alice.id,
          memberIds: [bob.id, carol.id],
        });
        const clientId = randomUUID();
        const first = await send(conversation.id, alice, 'hi', clientId);
        expect([...first.activeMemberIds].sort()).toEqual([alice.id, bob.id, carol.id].sort());
        await conversations.removeMember(conversation.id, carol.id);
        const again = await send(conversation.id, alice, 'hi', clientId);
        expect(again.created).toBe(false);
        expect([...again.activeMemberIds].sort()).toEqual([alice.id, bob.id].sort());
      });

      it('with requireActiveSender, refuses non-members and former members and stores nothing', async () => {
        const [alice, bob, carol, dave] = [
          await makeUser(),
          await makeUser(),
          await makeUser(),
          await makeUser(),
        ];
        const { conversation } = await conversations.createGroup({
          title: 'members only',
          createdBy: alice.id,
          memberIds: [bob.id, carol.id],
        });
        const strict = (sender: UserRecord, clientMessageId = randomUUID(), id = conversation.id) =>
          messages.append({
            conversationId: id,
            senderId: sender.id,
            clientMessageId,
            kind: 'text',
            body: 'x',
            requireActiveSender: true,
          });
        const ok = await strict(bob);
        expect(ok).toMatchObject({ created: true, message: { seq: 1 } });
        const carolsId = randomUUID();
        await strict(carol, carolsId);
        await conversations.removeMember(conversation.id, carol.id);
        await expect(strict(dave)).rejects.toMatchObject({ reason: 'never' });
        await expect(strict(carol)).rejects.toMatchObject({ reason: 'ended' });
        // Also for a resend of what they sent while a member.
        await expect(strict(carol, carolsId)).rejects.toBeInstanceOf(SenderMembershipError);
        await expect(strict(alice, randomUUID(), dave.id)).rejects.toMatchObject({
          reason: 'never',
        });
        await expect(strict(alice, randomUUID(), 'junk')).rejects.toMatchObject({
          reason: 'never',
        });
        expect((await conversations.findById(conversation.id))?.lastSeq).toBe(2);
      });

      it('scopes the client id to its sender and conversation', async () => {
        const { alice, bob, conversation } = await pair();
        const other = await makeDirect(alice, await makeUser());
        const clientId = randomUUID();
        const mine = await send(conversation.id, alice, 'a', clientId);
        const theirs = await send(conversation.id, bob, 'b', clientId);
        const elsewhere = await send(other.id, alice, 'c', clientId);
        expect([mine.created, theirs.created, elsewhere.created]).toEqual([true, true, true]);
        expect(new Set([mine, theirs, elsewhere].map((r) => r.message.id)).size).toBe(3);
        expect([mine.message.seq, theirs.message.seq, elsewhere.message.seq]).toEqual([1, 2, 1]);
        expect(await messages.findByClientId(conversation.id, bob.id, clientId)).toEqual(
          theirs.message,
        );
        expect(await messages.findByClientId(conversation.id, alice.id, randomUUID())).toBeNull();
        expect(await messages.findByClientId('junk', alice.id, clientId)).toBeNull();
      });

      it("raises the sender's watermarks, and only the sender's", async () => {
        const { alice, bob, conversation } = await pair();
        await sendMany(conversation.id, alice, 2);
        expect(await conversations.findMember(conversation.id, alice.id)).toMatchObject({
          deliveredSeq: 2,
          readSeq: 2,
        });
        expect(await conversations.findMember(conversation.id, bob.id)).toMatchObject({
          deliveredSeq: 0,
          readSeq: 0,
        });
        await send(conversation.id, bob);
        expect(await conversations.findMember(conversation.id, bob.id)).toMatchObject({
          readSeq: 3,
        });
        expect(await conversations.findMember(conversation.id, alice.id)).toMatchObject({
          readSeq: 2,
        });
      });

      it('refuses to append to a conversation that does not exist', async () => {
        const alice = await makeUser();
        await expect(send(alice.id, alice)).rejects.toBeInstanceOf(RecordNotFoundError);
        await expect(send('junk', alice)).rejects.toBeInstanceOf(RecordNotFoundError);
      });

      describe('listPage', () => {
        let conversationId: string;
        const page = (input: { before?: number; after?: number; limit: number }) =>
          messages
            .listPage(conversationId, input)
            .then((p) => ({ seqs: seqs(p.items), hasMore: p.hasMore }));

        beforeEach(async () => {
          const { alice, conversation } = await pair();
          conversationId = conversation.id;
          await sendMany(conversationId, alice, 10);
        });

        it('gives the newest messages, ascending, when no bound is given', async () => {
          expect(await page({ limit: 3 })).toEqual({ seqs: [8, 9, 10], hasMore: true });
          expect(await page({ limit: 1 })).toEqual({ seqs: [10], hasMore: true });
          expect(await page({ limit: 9 })).toEqual({ seqs: range(2, 10), hasMore: true });
          expect(await page({ limit: 10 })).toEqual({ seqs: range(1, 10), hasMore: false });
          expect(await page({ limit: 11 })).toEqual({ seqs: range(1, 10), hasMore: false });
        });

        it('pages downwards with before', async () => {
          expect(await page({ before: 8, limit: 3 })).toEqual({ seqs: [5, 6, 7], hasMore: true });
          expect(await page({ before: 5, limit: 3 })).toEqual({ seqs: [2, 3, 4], hasMore: true });
          expect(await page({ before: 4, limit: 3 })).toEqual({ seqs: [1, 2, 3], hasMore: false });
          expect(await page({ before: 3, limit: 3 })).toEqual({ seqs: [1, 2], hasMore: false });
          expect(await page({ before: 2, limit: 1 })).toEqual({ seqs: [1], hasMore: false });
          expect(await page({ before: 1, limit: 5 })).toEqual({ seqs: [], hasMore: false });
          expect(await page({ before: 100, limit: 2 })).toEqual({ seqs: [9, 10], hasMore: true });
        });

        it('pages upwards with after', async () => {
          expect(await page({ after: 0, limit: 3 })).toEqual({ seqs: [1, 2, 3], hasMore: true });
          expect(await page({ after: 6, limit: 3 })).toEqual({ seqs: [7, 8, 9], hasMore: true });
          expect(await page({ after: 7, limit: 3 })).toEqual({ seqs: [8, 9, 10], hasMore: false });
          expect(await page({ after: 9, limit: 1 })).toEqual({ seqs: [10], hasMore: false });
          expect(await page({ after: 10, limit: 5 })).toEqual({ seqs: [], hasMore: false });
        });

        it('fills a gap between after and before, nearest to after first', async () => {
          expect(await page({ after: 2, before: 9, limit: 3 })).toEqual({
            seqs: [3, 4, 5],
            hasMore: true,
          });
          expect(await page({ after: 2, before: 6, limit: 3 })).toEqual({
            seqs: [3, 4, 5],
            hasMore: false,
          });
          expect(await page({ after: 2, before: 6, limit: 10 })).toEqual({
            seqs: [3, 4, 5],
            hasMore: false,
          });
          expect(await page({ after: 5, before: 6, limit: 3 })).toEqual({
            seqs: [],
            hasMore: false,
          });
        });

        it('pages an empty or unknown conversation as empty', async () => {
          const { conversation } = await pair();
          for (const input of [{ limit: 5 }, { before: 3, limit: 5 }, { after: 0, limit: 5 }]) {
            expect(await messages.listPage(conversation.id, input)).toEqual({
              items: [],
              hasMore: false,
            });
          }
          expect(await messages.listPage('junk', { limit: 5 })).toEqual({
            items: [],
            hasMore: false,
          });
        });

        it('returns full message records in seq order', async () => {
          const { items } = await messages.listPage(conversationId, { after: 0, limit: 2 });
          expect(items.map((m) => m.body)).toEqual(['m1', 'm2']);
          expect(items[0]).toMatchObject({
            conversationId,
            seq: 1,
            kind: 'text',
            createdAt: expect.any(Date),
          });
        });
      });
    });

    // ---- groups, membership, system messages, presence; attachments (their own files) ---------------

    const context: ContractContext = {
      repos: () => {
        if (!storage) throw new Error('the storage factory failed; see the beforeAll error');
        return storage.repos;
      },
      makeUser,
      makeDirect,
      send,
      sendMany,
      walkConversations,
    };
    describeGroupsContract(context);
    describeAttachmentsContract(context);

    // ---- health ----------------------------------------------------------------------------------------

    describe('health', () => {
      it('answers a ping with a round-trip time in milliseconds', async () => {
        const ms = await health.ping();
        expect(typeof ms).toBe('number');
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(health.driver).toMatch(/^(pglite|postgres|mongodb)$/);
      });
    });
  });
}
