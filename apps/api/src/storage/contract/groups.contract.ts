/**
 * Contract sections for groups and membership (issue 4), system messages, and the presence/profile fields of
 * users (issue 6, issue 5 avatars). Declared from `describeStorageContract`, which hands over its repositories
 * and factories, so every adapter runs them.
 */
import { describe, expect, it } from '@jest/globals';
import type { SystemEvent } from '@chat/shared';
import type { ConversationListItem, MemberRecord } from '../storage.types.js';
import { byString, pause, range, seqs, type ContractContext } from './contract-context.js';

export function describeGroupsContract(ctx: ContractContext): void {
  const { makeUser, makeDirect, send, sendMany } = ctx;

  /** A group made by `creator` with `others` as members. */
  const makeGroup = async (
    creator: { id: string },
    others: readonly { id: string }[],
    title = 'Team',
  ) =>
    ctx.repos().conversations.createGroup({
      title,
      createdBy: creator.id,
      memberIds: others.map((o) => o.id),
    });

  const activeIds = async (conversationId: string) =>
    (await ctx.repos().conversations.listMembers(conversationId)).map((m) => m.userId);

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
      await pause();
      const added = await conversations.addMembers(conversation.id, [cy.id, ben.id, dee.id]);
      expect(added.map((m) => m.userId).sort(byString)).toEqual([cy.id, dee.id].sort(byString));
      for (const m of added) {
        expect(m).toMatchObject({ role: 'member', leftAt: null, historyUntilSeq: null });
        expect(m.joinedAt.getTime()).toBeGreaterThan(conversation.createdAt.getTime());
      }
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

    it('re-adds a former member as active, keeping their watermarks', async () => {
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
        deliveredSeq: 3,
        readSeq: 2,
      });
      expect(await conversations.findMember(conversation.id, ben.id)).toEqual(back);
      expect(await activeIds(conversation.id)).toContain(ben.id);
      // Active again: their list shows everything, unread counted to the end.
      expect(await conversations.getListItem(conversation.id, ben.id)).toMatchObject({
        unreadCount: 3,
        lastMessage: { seq: 5 },
      });
      expect((await messages.listPage(conversation.id, { limit: 10 })).items).toHaveLength(5);
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

  describe('system messages', () => {
    it('round-trips the system event exactly, in every read', async () => {
      const { conversations, messages } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(ana, [ben]);
      const events: SystemEvent[] = [
        { type: 'group_created', actorId: ana.id, title: 'Team "Ünïcødé" 🧗', memberIds: [ben.id] },
        { type: 'admin_granted', actorId: null, userId: ben.id },
        { type: 'members_added', actorId: ana.id, userIds: [] },
      ];
      const stored = [];
      for (const system of events) {
        const { message } = await messages.append({
          conversationId: conversation.id,
          senderId: ana.id,
          clientMessageId: `system-${stored.length}`,
          kind: 'system',
          body: 'fallback text',
          system,
        });
        expect(message).toMatchObject({ kind: 'system', body: 'fallback text', attachments: [] });
        expect(message.system).toEqual(system);
        stored.push(message);
      }
      expect((await messages.listPage(conversation.id, { limit: 10 })).items).toEqual(stored);
      expect(await messages.findByClientId(conversation.id, ana.id, 'system-1')).toEqual(stored[1]);
      expect(await messages.findById(stored[0]!.id)).toEqual(stored[0]);
      expect((await conversations.getListItem(conversation.id, ben.id))?.lastMessage).toEqual(
        stored[2],
      );
      // A text message carries no event.
      expect((await send(conversation.id, ben)).message.system).toBeNull();
    });

    it('finds a message by id, or null', async () => {
      const { messages } = ctx.repos();
      const [ana, ben] = [await makeUser(), await makeUser()];
      const conversation = await makeDirect(ana, ben);
      const { message } = await send(conversation.id, ana);
      expect(await messages.findById(message.id)).toEqual(message);
      expect(await messages.findById(conversation.id)).toBeNull();
      expect(await messages.findById('junk')).toBeNull();
    });
  });

  describe('users: presence and avatar', () => {
    it('records lastSeenAt, never moving it backwards, without touching updatedAt', async () => {
      const { users } = ctx.repos();
      const user = await makeUser();
      const at = new Date(Date.now() - 60_000);
      await users.setLastSeen(user.id, at);
      expect(await users.findById(user.id)).toEqual({ ...user, lastSeenAt: at });
      await users.setLastSeen(user.id, new Date(at.getTime() - 1000));
      expect((await users.findById(user.id))?.lastSeenAt).toEqual(at);
      const later = new Date(at.getTime() + 5000);
      await users.setLastSeen(user.id, later);
      expect((await users.findById(user.id))?.lastSeenAt).toEqual(later);
      await expect(users.setLastSeen('junk', at)).resolves.toBeUndefined();
      const conversation = await makeDirect(user, await makeUser());
      await expect(users.setLastSeen(conversation.id, at)).resolves.toBeUndefined();
    });

    it('sets and clears the avatar, leaving the other field alone', async () => {
      const { users } = ctx.repos();
      const user = await makeUser({ displayName: 'Ana' });
      const withAvatar = await users.updateProfile(user.id, { avatarUrl: '/avatars/1.webp' });
      expect(withAvatar).toMatchObject({ displayName: 'Ana', avatarUrl: '/avatars/1.webp' });
      const renamed = await users.updateProfile(user.id, { displayName: 'Ana B' });
      expect(renamed).toMatchObject({ displayName: 'Ana B', avatarUrl: '/avatars/1.webp' });
      const cleared = await users.updateProfile(user.id, { avatarUrl: null });
      expect(cleared).toMatchObject({ displayName: 'Ana B', avatarUrl: null });
      expect(await users.findById(user.id)).toEqual(cleared);
    });
  });
}
