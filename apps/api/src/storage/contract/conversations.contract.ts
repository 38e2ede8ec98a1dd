/**
 * Storage contract, the ConversationsRepository port: direct conversations (one per pair, also under concurrency),
 * the list and its pagination, watermarks, contacts, groups and membership. Declared by `describeStorageContract`
 * (storage.contract.ts), which opens the adapter and hands over its repositories and factories, so every adapter
 * runs it.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { InvalidCursorError, MemberLimitError } from '../storage.errors.js';
import type { ConversationListItem, MemberRecord } from '../storage.types.js';
import type { ConversationsRepository } from '../conversations.repository.js';
import { byString, pause, range, seqs, type ContractContext } from './contract-context.js';

/** Declares the conversations contract against the adapter behind `ctx`. */
export function describeConversationsContract(ctx: ContractContext): void {
  const { makeUser, makeDirect, makeGroup, send, sendMany, walkConversations, activeIds } = ctx;
  let conversations: ConversationsRepository;

  describe('conversations', () => {
    beforeEach(() => {
      ({ conversations } = ctx.repos());
    });

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

    it('stores a member notification level, all by default, for active and former members', async () => {
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben, cy]);
      expect((await conversations.findMember(conversation.id, ben.id))?.notificationLevel).toBe(
        'all',
      );
      const muted = await conversations.setNotificationLevel(conversation.id, ben.id, 'none');
      expect(muted).toMatchObject({ userId: ben.id, notificationLevel: 'none' });
      expect(await conversations.getListItem(conversation.id, ben.id)).toMatchObject({
        membership: { notificationLevel: 'none' },
      });
      // Others keep theirs.
      expect((await conversations.findMember(conversation.id, cy.id))?.notificationLevel).toBe(
        'all',
      );
      await conversations.removeMember(conversation.id, cy.id);
      expect(
        await conversations.setNotificationLevel(conversation.id, cy.id, 'mentions'),
      ).toMatchObject({ notificationLevel: 'mentions' });
      const stranger = await makeUser();
      expect(
        await conversations.setNotificationLevel(conversation.id, stranger.id, 'none'),
      ).toBeNull();
      expect(await conversations.setNotificationLevel('junk', ben.id, 'none')).toBeNull();
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
      const [a, b, c, d] = [await makeUser(), await makeUser(), await makeUser(), await makeUser()];
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
      expect(await conversations.advanceWatermarks(alice.id, alice.id, { readSeq: 1 })).toBeNull();
    });
  });

  describe('groups and membership', () => {
    it('creates a group with its creator as admin and the others as members, atomically', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation, members } = await makeGroup(ana, [ben, cy], 'Climbing');
      expect(conversation).toMatchObject({
        type: 'group',
        title: 'Climbing',
        directKey: null,
        createdBy: ana.id,
        avatarUrl: null,
        lastSeq: 0,
        archivedAt: null,
      });
      expect(conversation.updatedAt).toEqual(conversation.createdAt);
      expect(conversation.lastActivityAt).toEqual(conversation.createdAt);
      expect(members).toHaveLength(3);
      const roles = Object.fromEntries(members.map((m) => [m.userId, m.role]));
      expect(roles).toEqual({ [ana.id]: 'admin', [ben.id]: 'member', [cy.id]: 'member' });
      for (const m of members) {
        expect(m).toMatchObject({
          conversationId: conversation.id,
          deliveredSeq: 0,
          readSeq: 0,
          leftAt: null,
          historyUntilSeq: null,
        });
        expect(m.joinedAt).toEqual(conversation.createdAt);
      }
      // Same joinedAt: the port's order falls back to the user id.
      expect(members.map((m) => m.userId)).toEqual([ana.id, ben.id, cy.id].sort(byString));
      expect(await conversations.listMembers(conversation.id)).toEqual(members);
      expect(await conversations.findById(conversation.id)).toEqual(conversation);
      const [item] = (await conversations.listForUser(cy.id, { limit: 5 })).items;
      expect(item).toMatchObject({ conversation, lastMessage: null, unreadCount: 0 });
    });

    it('renames a group and changes its picture, moving updatedAt; never a direct conversation', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben]);
      await pause();
      const renamed = await conversations.updateGroup(conversation.id, { title: 'New name' });
      expect(renamed).toMatchObject({ id: conversation.id, title: 'New name', avatarUrl: null });
      expect(renamed!.updatedAt.getTime()).toBeGreaterThan(conversation.updatedAt.getTime());
      // Only membership/title/picture move updatedAt, never lastActivityAt.
      expect(renamed!.lastActivityAt).toEqual(conversation.lastActivityAt);
      const pictured = await conversations.updateGroup(conversation.id, { avatarUrl: '/a/1.webp' });
      expect(pictured).toMatchObject({ title: 'New name', avatarUrl: '/a/1.webp' });
      expect(await conversations.updateGroup(conversation.id, {})).toEqual(pictured);
      const cleared = await conversations.updateGroup(conversation.id, { avatarUrl: null });
      expect(cleared).toMatchObject({ title: 'New name', avatarUrl: null });
      expect(await conversations.findById(conversation.id)).toEqual(cleared);

      const direct = await makeDirect(ana, ben);
      expect(await conversations.updateGroup(direct.id, { title: 'x' })).toBeNull();
      expect((await conversations.findById(direct.id))?.title).toBeNull();
      expect(await conversations.updateGroup(ana.id, { title: 'x' })).toBeNull();
      expect(await conversations.updateGroup('junk', { title: 'x' })).toBeNull();
    });

    it('adds new members, leaves active ones alone, and returns only the added', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben, cy, dee] = [
        await makeUser(),
        await makeUser(),
        await makeUser(),
        await makeUser(),
      ];
      const { conversation } = await makeGroup(ana, [ben]);
      await sendMany(conversation.id, ana, 2);
      await pause();
      const added = await conversations.addMembers(conversation.id, [cy.id, ben.id, dee.id]);
      expect(added.map((m) => m.userId).sort(byString)).toEqual([cy.id, dee.id].sort(byString));
      for (const m of added) {
        // Caught up on arrival: the history before them is not unread.
        expect(m).toMatchObject({
          role: 'member',
          leftAt: null,
          historyUntilSeq: null,
          deliveredSeq: 2,
          readSeq: 2,
        });
        expect(m.joinedAt.getTime()).toBeGreaterThan(conversation.createdAt.getTime());
        expect(await conversations.getListItem(conversation.id, m.userId)).toMatchObject({
          unreadCount: 0,
          lastMessage: { seq: 2 },
        });
      }
      // Those already there keep their own marks.
      expect(await conversations.findMember(conversation.id, ben.id)).toMatchObject({ readSeq: 0 });
      expect((await activeIds(conversation.id)).sort(byString)).toEqual(
        [ana.id, ben.id, cy.id, dee.id].sort(byString),
      );
      const after = await conversations.findById(conversation.id);
      expect(after!.updatedAt.getTime()).toBeGreaterThan(conversation.updatedAt.getTime());
      // Nobody new: nothing returned, updatedAt unchanged.
      expect(await conversations.addMembers(conversation.id, [ben.id, cy.id])).toEqual([]);
      expect((await conversations.findById(conversation.id))?.updatedAt).toEqual(after!.updatedAt);
      expect(await conversations.addMembers(ana.id, [cy.id])).toEqual([]); // a user id is no conversation
      expect(await conversations.addMembers(conversation.id, [])).toEqual([]);
    });

    it('re-adds a former member as active, caught up: watermarks raised to the last seq', async () => {
      const { conversations, messages } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben]);
      await sendMany(conversation.id, ana, 3);
      await conversations.advanceWatermarks(conversation.id, ben.id, {
        deliveredSeq: 3,
        readSeq: 2,
      });
      await conversations.removeMember(conversation.id, ben.id);
      await sendMany(conversation.id, ana, 2);
      const [back] = await conversations.addMembers(conversation.id, [ben.id]);
      expect(back).toMatchObject({
        userId: ben.id,
        role: 'member',
        leftAt: null,
        historyUntilSeq: null,
        deliveredSeq: 5,
        readSeq: 5,
      });
      expect(await conversations.findMember(conversation.id, ben.id)).toEqual(back);
      expect(await activeIds(conversation.id)).toContain(ben.id);
      // Active again: their list shows everything; what was said before they came back is not unread.
      expect(await conversations.getListItem(conversation.id, ben.id)).toMatchObject({
        unreadCount: 0,
        lastMessage: { seq: 5 },
      });
      expect((await messages.listPage(conversation.id, { limit: 10 })).items).toHaveLength(5);
      await sendMany(conversation.id, ana, 1);
      expect(await conversations.getListItem(conversation.id, ben.id)).toMatchObject({
        unreadCount: 1,
      });
    });

    it('gives a user added by concurrent calls to exactly one of them', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben]);
      const results = await Promise.all(
        range(1, 6).map(() => conversations.addMembers(conversation.id, [cy.id])),
      );
      expect(results.filter((r) => r.length === 1)).toHaveLength(1);
      expect(results.filter((r) => r.length === 0)).toHaveLength(5);
      expect((await activeIds(conversation.id)).filter((id) => id === cy.id)).toHaveLength(1);

      // The same for a returning former member.
      await conversations.removeMember(conversation.id, cy.id);
      const again = await Promise.all(
        range(1, 6).map(() => conversations.addMembers(conversation.id, [cy.id])),
      );
      expect(again.filter((r) => r.length === 1)).toHaveLength(1);
      expect(await conversations.findMember(conversation.id, cy.id)).toMatchObject({
        leftAt: null,
      });
    });

    it('removes a member: leftAt and historyUntilSeq set, role member, gone from the member lists', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben, cy]);
      await sendMany(conversation.id, ben, 3);
      await pause();
      const removed = await conversations.removeMember(conversation.id, ana.id); // the admin leaves
      expect(removed).toMatchObject({
        conversationId: conversation.id,
        userId: ana.id,
        role: 'member',
        historyUntilSeq: 3,
        leftAt: expect.any(Date),
      });
      expect(await conversations.findMember(conversation.id, ana.id)).toEqual(removed);
      expect((await activeIds(conversation.id)).sort(byString)).toEqual(
        [ben.id, cy.id].sort(byString),
      );
      const many = await conversations.listMembersOf([conversation.id]);
      expect(many.get(conversation.id)?.map((m) => m.userId)).not.toContain(ana.id);
      const after = await conversations.findById(conversation.id);
      expect(after!.updatedAt.getTime()).toBeGreaterThan(conversation.updatedAt.getTime());
      expect(after!.lastSeq).toBe(3);

      expect(await conversations.removeMember(conversation.id, ana.id)).toBeNull();
      const stranger = await makeUser();
      expect(await conversations.removeMember(conversation.id, stranger.id)).toBeNull();
      expect(await conversations.removeMember(ben.id, ben.id)).toBeNull();
      expect(await conversations.removeMember('junk', ben.id)).toBeNull();
    });

    it('gives a removal made by concurrent calls to exactly one of them', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben]);
      await sendMany(conversation.id, ana, 2);
      const results = await Promise.all(
        range(1, 6).map(() => conversations.removeMember(conversation.id, ben.id)),
      );
      const winners = results.filter((r): r is MemberRecord => r !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ historyUntilSeq: 2 });
    });

    it('refuses an add past maxActive as a whole, and lets concurrent adds fill the group only to it', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const others = await Promise.all(range(1, 6).map(() => makeUser()));
      const { conversation } = await makeGroup(ana, [ben]);
      await expect(
        conversations.addMembers(
          conversation.id,
          others.slice(0, 3).map((u) => u.id),
          { maxActive: 4 },
        ),
      ).rejects.toBeInstanceOf(MemberLimitError);
      expect(await activeIds(conversation.id)).toHaveLength(2);
      // Six people, one each, at once, with room for two: exactly two get in, whatever the interleaving.
      const results = await Promise.allSettled(
        others.map((u) => conversations.addMembers(conversation.id, [u.id], { maxActive: 4 })),
      );
      const added = results.filter((r) => r.status === 'fulfilled' && r.value.length === 1);
      const refused = results.filter(
        (r) => r.status === 'rejected' && r.reason instanceof MemberLimitError,
      );
      expect(added).toHaveLength(2);
      expect(refused).toHaveLength(4);
      expect(await activeIds(conversation.id)).toHaveLength(4);
      // Re-adding someone already active needs no room.
      const [first] = await conversations.listMembers(conversation.id);
      expect(
        await conversations.addMembers(conversation.id, [first!.userId], { maxActive: 4 }),
      ).toEqual([]);
    });

    it('runs change-locked tasks of one conversation one at a time, other conversations freely', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const { conversation: one } = await makeGroup(ana, [ben]);
      const { conversation: two } = await makeGroup(ana, [ben]);
      const log: string[] = [];
      let inside = 0;
      let most = 0;
      const task = (name: string, conversationId: string) =>
        conversations.withChangeLock(conversationId, async () => {
          inside += 1;
          most = Math.max(most, inside);
          log.push(`${name}:in`);
          // A task appends (a system message) under the lock: that must not wait for the lock's holder.
          await send(conversationId, ana, name);
          await pause(15);
          log.push(`${name}:out`);
          inside -= 1;
          return name;
        });
      const results = await Promise.all(['a', 'b', 'c'].map((n) => task(n, one.id)));
      expect(results).toEqual(['a', 'b', 'c']);
      expect(most).toBe(1);
      for (let i = 0; i < log.length; i += 2) {
        expect(log[i + 1]).toBe(log[i]!.replace(':in', ':out'));
      }
      // Two conversations: their tasks may overlap.
      inside = 0;
      most = 0;
      await Promise.all([task('x', one.id), task('y', two.id)]);
      expect(most).toBe(2);
      // A rejected task releases the lock.
      await expect(
        conversations.withChangeLock(one.id, () => Promise.reject(new Error('boom'))),
      ).rejects.toThrow('boom');
      expect(await conversations.withChangeLock(one.id, () => Promise.resolve(7))).toBe(7);
    });

    it('sets the role of active members only', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben, cy, stranger] = [
        await makeUser(),
        await makeUser(),
        await makeUser(),
        await makeUser(),
      ];
      const { conversation } = await makeGroup(ana, [ben, cy]);
      await pause();
      const promoted = await conversations.setRole(conversation.id, ben.id, 'admin');
      expect(promoted).toMatchObject({ userId: ben.id, role: 'admin', leftAt: null });
      expect(await conversations.findMember(conversation.id, ben.id)).toEqual(promoted);
      const after = await conversations.findById(conversation.id);
      expect(after!.updatedAt.getTime()).toBeGreaterThan(conversation.updatedAt.getTime());
      // Already that role: the membership, unchanged.
      expect(await conversations.setRole(conversation.id, ben.id, 'admin')).toEqual(promoted);
      expect(await conversations.setRole(conversation.id, ana.id, 'member')).toMatchObject({
        role: 'member',
      });
      expect(await conversations.setRole(conversation.id, stranger.id, 'admin')).toBeNull();
      await conversations.removeMember(conversation.id, cy.id);
      expect(await conversations.setRole(conversation.id, cy.id, 'admin')).toBeNull();
      expect(await conversations.findMember(conversation.id, cy.id)).toMatchObject({
        role: 'member',
      });
      expect(await conversations.setRole('junk', ben.id, 'admin')).toBeNull();
    });

    it('promotes the longest-standing active member when no admin is left, and only then', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben, cy]);
      await pause();
      const late = await makeUser();
      await conversations.addMembers(conversation.id, [late.id]);
      expect(await conversations.ensureAdmin(conversation.id)).toBeNull(); // ana is admin

      await conversations.removeMember(conversation.id, ana.id);
      const promoted = await conversations.ensureAdmin(conversation.id);
      // ben and cy joined with the group (same time), before `late`: the lower user id wins the tie.
      const expected = [ben.id, cy.id].sort(byString)[0];
      expect(promoted).toMatchObject({ userId: expected, role: 'admin', leftAt: null });
      expect(await conversations.ensureAdmin(conversation.id)).toBeNull();
      const admins = (await conversations.listMembers(conversation.id)).filter(
        (m) => m.role === 'admin',
      );
      expect(admins.map((m) => m.userId)).toEqual([expected]);

      // Both founders gone: `late` is the only one left.
      await conversations.removeMember(conversation.id, ben.id);
      await conversations.removeMember(conversation.id, cy.id);
      expect(await conversations.ensureAdmin(conversation.id)).toMatchObject({
        userId: late.id,
        role: 'admin',
      });
      await conversations.removeMember(conversation.id, late.id);
      expect(await conversations.ensureAdmin(conversation.id)).toBeNull(); // nobody to promote
      expect(await conversations.ensureAdmin('junk')).toBeNull();
    });

    it('promotes exactly one member when ensureAdmin calls race', async () => {
      const { conversations } = ctx.repos();
      const users = [await makeUser(), await makeUser(), await makeUser(), await makeUser()];
      const [creator, ...others] = users as [(typeof users)[0], ...typeof users];
      const { conversation } = await makeGroup(creator, others);
      await conversations.removeMember(conversation.id, creator.id);
      const results = await Promise.all(
        range(1, 6).map(() => conversations.ensureAdmin(conversation.id)),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      const admins = (await conversations.listMembers(conversation.id)).filter(
        (m) => m.role === 'admin',
      );
      expect(admins).toHaveLength(1);
    });

    it('archives a group once nobody active is left', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben]);
      expect(await conversations.archiveIfEmpty(conversation.id)).toBe(false);
      await conversations.removeMember(conversation.id, ana.id);
      expect(await conversations.archiveIfEmpty(conversation.id)).toBe(false);
      expect((await conversations.findById(conversation.id))?.archivedAt).toBeNull();
      await conversations.removeMember(conversation.id, ben.id);
      expect(await conversations.archiveIfEmpty(conversation.id)).toBe(true);
      const archived = await conversations.findById(conversation.id);
      expect(archived?.archivedAt).toEqual(expect.any(Date));
      expect(await conversations.archiveIfEmpty(conversation.id)).toBe(true);
      expect((await conversations.findById(conversation.id))?.archivedAt).toEqual(
        archived!.archivedAt,
      );
      expect(await conversations.archiveIfEmpty('junk')).toBe(false);
    });

    it('counts only active members on both sides as contacts', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben, cy, dee] = [
        await makeUser(),
        await makeUser(),
        await makeUser(),
        await makeUser(),
      ];
      const { conversation } = await makeGroup(ana, [ben, cy]);
      await makeDirect(cy, dee);
      expect((await conversations.listContactIds(ana.id)).sort(byString)).toEqual(
        [ben.id, cy.id].sort(byString),
      );
      await conversations.removeMember(conversation.id, cy.id);
      expect((await conversations.listContactIds(ana.id)).sort(byString)).toEqual([ben.id]);
      // cy left the group: only their direct conversation still counts.
      expect(await conversations.listContactIds(cy.id)).toEqual([dee.id]);
    });

    it('lists every membership of many conversations, former ones included, in join order', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation: group } = await makeGroup(ana, [ben, cy]);
      const direct = await makeDirect(ana, ben);
      await conversations.removeMember(group.id, cy.id);
      await conversations.removeMember(group.id, ana.id);
      const all = await conversations.listMembershipsOf([group.id, direct.id, ana.id, 'junk']);
      expect([...all.keys()].sort(byString)).toEqual([group.id, direct.id].sort(byString));
      const groupMembers = all.get(group.id) ?? [];
      // Same joinedAt for all three (created together): ordered by user id.
      expect(groupMembers.map((m) => m.userId)).toEqual([ana.id, ben.id, cy.id].sort(byString));
      expect(groupMembers.find((m) => m.userId === cy.id)).toMatchObject({
        leftAt: expect.any(Date),
        historyUntilSeq: expect.any(Number),
      });
      expect(groupMembers.find((m) => m.userId === ben.id)).toMatchObject({ leftAt: null });
      expect(groupMembers.find((m) => m.userId === ana.id)).toEqual(
        await conversations.findMember(group.id, ana.id),
      );
      expect(all.get(direct.id)?.map((m) => m.userId)).toEqual([ana.id, ben.id].sort(byString));
      // The active-only list is unchanged by this.
      expect(
        (await conversations.listMembersOf([group.id])).get(group.id)?.map((m) => m.userId),
      ).toEqual([ben.id]);
      expect((await conversations.listMembershipsOf([])).size).toBe(0);
    });

    it('lists the groups two people are both active members of, latest activity first', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben, cy] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation: first } = await makeGroup(ana, [ben]);
      await pause();
      const { conversation: second } = await makeGroup(ben, [ana, cy]);
      await pause();
      const { conversation: third } = await makeGroup(cy, [ana, ben]);
      await makeGroup(ana, [cy]); // ben is not in it
      await makeDirect(ana, ben); // direct conversations are not groups in common
      await pause();
      await send(first.id, ana); // the first becomes the most recently active
      const ids = async (a: string, b: string, limit = 10) =>
        (await conversations.listGroupsInCommon(a, b, limit)).map((c) => c.id);
      expect(await ids(ana.id, ben.id)).toEqual([first.id, third.id, second.id]);
      expect(await ids(ben.id, ana.id)).toEqual([first.id, third.id, second.id]);
      expect(await ids(ana.id, ben.id, 2)).toEqual([first.id, third.id]);
      const [record] = await conversations.listGroupsInCommon(ana.id, ben.id, 1);
      expect(record).toMatchObject({ id: first.id, type: 'group', title: first.title });

      // Only ACTIVE memberships on both sides count.
      await conversations.removeMember(third.id, ben.id);
      expect(await ids(ana.id, ben.id)).toEqual([first.id, second.id]);
      await conversations.removeMember(second.id, ana.id);
      expect(await ids(ben.id, ana.id)).toEqual([first.id]);

      expect(await ids(ana.id, ana.id)).toEqual([]);
      expect(await ids(ana.id, 'junk')).toEqual([]);
      expect(await ids(ana.id, (await makeUser()).id)).toEqual([]);
    });

    it('shows a former member the group as they left it: capped last message and unread, sorted where they left', async () => {
      const { conversations } = ctx.repos();
      const [ana, ben, x, y] = [
        await makeUser(),
        await makeUser(),
        await makeUser(),
        await makeUser(),
      ];
      const withX = await makeDirect(ben, x);
      await pause();
      const { conversation: group } = await makeGroup(ana, [ben]);
      const sent = await sendMany(group.id, ana, 3);
      await conversations.advanceWatermarks(group.id, ben.id, { readSeq: 1 });
      await pause();
      const removed = await conversations.removeMember(group.id, ben.id);
      await pause();
      const withY = await makeDirect(ben, y);
      await pause();
      // Activity after the departure neither shows nor moves the group in ben's list.
      await sendMany(group.id, ana, 2);

      const page = await conversations.listForUser(ben.id, { limit: 10 });
      expect(page.items.map((i) => i.conversation.id)).toEqual([withY.id, group.id, withX.id]);
      const item = page.items[1] as ConversationListItem;
      expect(item.membership).toEqual(removed);
      expect(item.lastMessage).toEqual(sent[2]);
      expect(item.unreadCount).toBe(2); // seqs 2 and 3; 4 and 5 are beyond their view
      expect(await conversations.getListItem(group.id, ben.id)).toEqual(item);
      // Paging walks the same order, across active and former memberships.
      for (const limit of [1, 2]) {
        const walk = await ctx.walkConversations(ben.id, limit);
        expect(walk.ids).toEqual([withY.id, group.id, withX.id]);
      }
      // The active member sees it all, at the top.
      const [top] = (await conversations.listForUser(ana.id, { limit: 10 })).items;
      expect(top).toMatchObject({ conversation: { id: group.id }, lastMessage: { seq: 5 } });
    });

    it("caps a former member's watermarks at what they may read", async () => {
      const { conversations } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben]);
      await sendMany(conversation.id, ana, 2);
      await conversations.removeMember(conversation.id, ben.id);
      await sendMany(conversation.id, ana, 3);
      expect(
        await conversations.advanceWatermarks(conversation.id, ben.id, {
          deliveredSeq: 5,
          readSeq: 5,
        }),
      ).toMatchObject({ deliveredSeq: 2, readSeq: 2, historyUntilSeq: 2 });
    });

    it('pages history up to untilSeq only', async () => {
      const { messages } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben]);
      await sendMany(conversation.id, ana, 10);
      const page = (input: { before?: number; after?: number; limit: number }) =>
        messages
          .listPage(conversation.id, { ...input, untilSeq: 6 })
          .then((p) => ({ seqs: seqs(p.items), hasMore: p.hasMore }));
      expect(await page({ limit: 3 })).toEqual({ seqs: [4, 5, 6], hasMore: true });
      expect(await page({ limit: 6 })).toEqual({ seqs: range(1, 6), hasMore: false });
      expect(await page({ after: 4, limit: 5 })).toEqual({ seqs: [5, 6], hasMore: false });
      expect(await page({ after: 2, limit: 2 })).toEqual({ seqs: [3, 4], hasMore: true });
      expect(await page({ after: 6, limit: 2 })).toEqual({ seqs: [], hasMore: false });
      expect(await page({ before: 3, limit: 5 })).toEqual({ seqs: [1, 2], hasMore: false });
      expect(await page({ before: 9, limit: 2 })).toEqual({ seqs: [5, 6], hasMore: true });
      expect(
        seqs((await messages.listPage(conversation.id, { untilSeq: 0, limit: 5 })).items),
      ).toEqual([]);
    });
  });
}
