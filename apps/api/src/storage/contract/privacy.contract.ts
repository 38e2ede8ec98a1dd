/**
 * Storage contract for consent and blocking: the BlocksRepository port, the users' privacy settings, and the
 * pending memberships of ConversationsRepository (message requests and group invitations: created pending,
 * accepted once, declined by deleting the membership, never counted as a contact). Declared by
 * `describeStorageContract` (storage.contract.ts), so every adapter runs it.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { BlocksRepository } from '../blocks.repository.js';
import type { ConversationsRepository } from '../conversations.repository.js';
import { RecordNotFoundError, type SendConsentError } from '../storage.errors.js';
import type { UsersRepository } from '../users.repository.js';
import { byString, pause, type ContractContext } from './contract-context.js';

/** Declares the privacy contract against the adapter behind `ctx`. */
export function describePrivacyContract(ctx: ContractContext): void {
  const { makeUser, makeGroup } = ctx;
  let users: UsersRepository;
  let conversations: ConversationsRepository;
  let blocks: BlocksRepository;

  describe('privacy: blocks', () => {
    beforeEach(() => {
      ({ users, conversations, blocks } = ctx.repos());
    });

    it('blocks once per ordered pair: blocking again keeps the first record', async () => {
      const [a, b] = [await makeUser(), await makeUser()];
      const first = await blocks.block(a.id, b.id);
      expect(first.created).toBe(true);
      expect(first.block).toEqual({
        blockerId: a.id,
        blockedId: b.id,
        createdAt: expect.any(Date),
      });
      await pause();
      const again = await blocks.block(a.id, b.id);
      expect(again.created).toBe(false);
      expect(again.block.createdAt.getTime()).toBe(first.block.createdAt.getTime());
      expect(await blocks.listByBlocker(a.id)).toHaveLength(1);
      expect(await blocks.listByBlocker(b.id)).toEqual([]);
    });

    it('concurrent blocks of one pair leave exactly one record', async () => {
      const [a, b] = [await makeUser(), await makeUser()];
      const results = await Promise.all([blocks.block(a.id, b.id), blocks.block(a.id, b.id)]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await blocks.listByBlocker(a.id)).toHaveLength(1);
    });

    it('refuses unknown users and blocking oneself', async () => {
      const a = await makeUser();
      const ghost = await makeUser();
      await expect(blocks.block(a.id, a.id)).rejects.toBeInstanceOf(RecordNotFoundError);
      await expect(blocks.block(a.id, 'not-an-id')).rejects.toBeInstanceOf(RecordNotFoundError);
      // A well-formed id naming no user (a conversation's id is never a user's).
      const { conversation } = await makeGroup(a, [ghost]);
      await expect(blocks.block(a.id, conversation.id)).rejects.toBeInstanceOf(RecordNotFoundError);
      expect(await blocks.listByBlocker(a.id)).toEqual([]);
    });

    it('lists the blocks a person made, newest first, and unblocks', async () => {
      const [a, b, c] = [await makeUser(), await makeUser(), await makeUser()];
      await blocks.block(a.id, b.id);
      await pause();
      await blocks.block(a.id, c.id);
      expect((await blocks.listByBlocker(a.id)).map((r) => r.blockedId)).toEqual([c.id, b.id]);
      expect(await blocks.unblock(a.id, b.id)).toBe(true);
      expect(await blocks.unblock(a.id, b.id)).toBe(false);
      expect(await blocks.unblock(b.id, 'not-an-id')).toBe(false);
      expect((await blocks.listByBlocker(a.id)).map((r) => r.blockedId)).toEqual([c.id]);
    });

    it('finds blocks involving a person in either direction, and among a set', async () => {
      const [a, b, c, d] = [await makeUser(), await makeUser(), await makeUser(), await makeUser()];
      await blocks.block(a.id, b.id); // a blocks b
      await blocks.block(c.id, a.id); // c blocks a
      await blocks.block(c.id, d.id); // not involving a
      const involving = await blocks.findInvolving(a.id, [b.id, c.id, d.id, 'bad-id']);
      expect(involving.map((r) => `${r.blockerId}>${r.blockedId}`).sort(byString)).toEqual(
        [`${a.id}>${b.id}`, `${c.id}>${a.id}`].sort(byString),
      );
      expect(await blocks.findInvolving(a.id, [d.id])).toEqual([]);
      expect(await blocks.findInvolving(a.id, [])).toEqual([]);
      const among = await blocks.findAmong([b.id, c.id, d.id]);
      expect(among.map((r) => `${r.blockerId}>${r.blockedId}`)).toEqual([`${c.id}>${d.id}`]);
      expect(await blocks.findAmong([a.id])).toEqual([]);
    });
  });

  describe('privacy: settings', () => {
    beforeEach(() => {
      ({ users } = ctx.repos());
    });

    it('new people see last seen by contacts and are added to groups by contacts', async () => {
      const a = await makeUser();
      expect(a.lastSeenVisibility).toBe('contacts');
      expect(a.groupAddPolicy).toBe('contacts');
    });

    it('changes only the given settings, and answers null for an unknown user', async () => {
      const a = await makeUser();
      const hidden = await users.updatePrivacy(a.id, { lastSeenVisibility: 'nobody' });
      expect(hidden).toMatchObject({ lastSeenVisibility: 'nobody', groupAddPolicy: 'contacts' });
      const nobody = await users.updatePrivacy(a.id, { groupAddPolicy: 'nobody' });
      expect(nobody).toMatchObject({ lastSeenVisibility: 'nobody', groupAddPolicy: 'nobody' });
      expect(await users.findById(a.id)).toMatchObject({ groupAddPolicy: 'nobody' });
      expect(await users.updatePrivacy(a.id, {})).toMatchObject({ groupAddPolicy: 'nobody' });
      expect(await users.updatePrivacy('not-an-id', { groupAddPolicy: 'everyone' })).toBeNull();
    });
  });

  describe('privacy: pending memberships (requests and invitations)', () => {
    beforeEach(() => {
      ({ users, conversations } = ctx.repos());
    });

    it('a direct conversation opened as a request has the recipient pending, and no contact yet', async () => {
      const [a, b] = [await makeUser(), await makeUser()];
      const opened = await conversations.findOrCreateDirect(a.id, b.id, a.id, {
        pendingUserId: b.id,
      });
      expect(opened.created).toBe(true);
      const byUser = new Map(opened.members.map((m) => [m.userId, m]));
      expect(byUser.get(a.id)?.pending).toBe(false);
      expect(byUser.get(b.id)?.pending).toBe(true);
      expect((await conversations.findMember(opened.conversation.id, b.id))?.pending).toBe(true);
      expect(await conversations.listContactIds(a.id)).toEqual([]);
      expect(await conversations.listContactIds(b.id)).toEqual([]);
      expect((await conversations.findDirectBetween(b.id, a.id))?.id).toBe(opened.conversation.id);
      expect(await conversations.findDirectBetween(a.id, a.id)).toBeNull();
      expect(await conversations.findDirectBetween(a.id, 'bad-id')).toBeNull();
      const stranger = await makeUser();
      expect(await conversations.findDirectBetween(a.id, stranger.id)).toBeNull();
      // The request is in the recipient's list, marked by the membership.
      const list = await conversations.listForUser(b.id, { limit: 10 });
      expect(list.items.map((i) => [i.conversation.id, i.membership.pending])).toEqual([
        [opened.conversation.id, true],
      ]);
      // Opening again returns it as it is (still a request).
      const again = await conversations.findOrCreateDirect(b.id, a.id, b.id);
      expect(again.created).toBe(false);
      expect(again.members.find((m) => m.userId === b.id)?.pending).toBe(true);
    });

    it('accepting is atomic and makes the two contacts', async () => {
      const [a, b] = [await makeUser(), await makeUser()];
      const { conversation } = await conversations.findOrCreateDirect(a.id, b.id, a.id, {
        pendingUserId: b.id,
      });
      const results = await Promise.all([
        conversations.acceptMembership(conversation.id, b.id),
        conversations.acceptMembership(conversation.id, b.id),
      ]);
      expect(results.filter((r) => r?.accepted)).toHaveLength(1);
      expect(results.every((r) => r?.member.pending === false)).toBe(true);
      expect(await conversations.listContactIds(a.id)).toEqual([b.id]);
      expect(await conversations.listContactIds(b.id)).toEqual([a.id]);
      // Accepting an accepted membership changes nothing; a non-member gets null.
      expect(await conversations.acceptMembership(conversation.id, a.id)).toMatchObject({
        accepted: false,
        member: { userId: a.id, pending: false },
      });
      const stranger = await makeUser();
      expect(await conversations.acceptMembership(conversation.id, stranger.id)).toBeNull();
    });

    it('declining deletes only a pending membership; the person is then no member at all', async () => {
      const [a, b] = [await makeUser(), await makeUser()];
      const { conversation } = await conversations.findOrCreateDirect(a.id, b.id, a.id, {
        pendingUserId: b.id,
      });
      expect(await conversations.deletePendingMember(conversation.id, a.id)).toBe(false);
      const results = await Promise.all([
        conversations.deletePendingMember(conversation.id, b.id),
        conversations.deletePendingMember(conversation.id, b.id),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await conversations.findMember(conversation.id, b.id)).toBeNull();
      expect(await ctx.activeIds(conversation.id)).toEqual([a.id]);
      expect((await conversations.listForUser(b.id, { limit: 10 })).items).toEqual([]);
      // The pair keeps its one conversation: opening again finds it, and the person can be asked again.
      const again = await conversations.findOrCreateDirect(a.id, b.id, a.id);
      expect(again.conversation.id).toBe(conversation.id);
      const readded = await conversations.addMembers(conversation.id, [b.id], {
        pendingIds: [b.id],
      });
      expect(readded.map((m) => [m.userId, m.pending])).toEqual([[b.id, true]]);
    });

    it('an append with requireConsent refuses, storing nothing: a block either way, a pending sender, a declined peer', async () => {
      const { messages } = ctx.repos();
      const [a, b, c] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation } = await conversations.findOrCreateDirect(a.id, b.id, a.id, {
        pendingUserId: b.id,
      });
      const send = (sender: { id: string }, clientMessageId: string = randomUUID()) =>
        messages.append({
          conversationId: conversation.id,
          senderId: sender.id,
          clientMessageId,
          kind: 'text',
          body: 'hello',
          requireActiveSender: true,
          requireConsent: true,
        });
      const refusal = (reason: SendConsentError['reason']) =>
        expect.objectContaining({ name: 'SendConsentError', reason });
      // The requester may write into their own request; the recipient must accept first.
      const first = await send(a);
      expect(first.created).toBe(true);
      await expect(send(b)).rejects.toEqual(refusal('pending'));
      await conversations.acceptMembership(conversation.id, b.id);
      expect((await send(b)).created).toBe(true);
      // A block either way refuses both people; a resend of what was stored before is still answered.
      const { blocks } = ctx.repos();
      await blocks.block(b.id, a.id);
      await expect(send(a)).rejects.toEqual(refusal('blocked'));
      await expect(send(b)).rejects.toEqual(refusal('blocked'));
      expect(await send(a, first.message.clientMessageId)).toMatchObject({ created: false });
      await blocks.unblock(b.id, a.id);
      // A deactivated or deleted account cannot be written to (nor can it write: it cannot sign in).
      await users.setDeactivated(b.id, new Date());
      await expect(send(a)).rejects.toEqual(refusal('unavailable'));
      await users.setDeactivated(b.id, null);
      expect((await send(a)).created).toBe(true);
      // The other person declined (no membership): the sender is refused until they are asked again.
      const { conversation: request } = await conversations.findOrCreateDirect(a.id, c.id, a.id, {
        pendingUserId: c.id,
      });
      await conversations.deletePendingMember(request.id, c.id);
      await expect(
        messages.append({
          conversationId: request.id,
          senderId: a.id,
          clientMessageId: randomUUID(),
          kind: 'text',
          body: 'again?',
          requireActiveSender: true,
          requireConsent: true,
        }),
      ).rejects.toEqual(refusal('peer_inactive'));
      expect((await conversations.findById(conversation.id))?.lastSeq).toBe(3);
      expect((await conversations.findById(request.id))?.lastSeq).toBe(0);
      // In a group, a block between two members does not stop either from writing; an invitee must accept.
      const { conversation: group } = await conversations.createGroup({
        title: 'Team',
        createdBy: a.id,
        memberIds: [b.id, c.id],
        pendingIds: [c.id],
      });
      await blocks.block(a.id, b.id);
      const inGroup = (sender: { id: string }) =>
        messages.append({
          conversationId: group.id,
          senderId: sender.id,
          clientMessageId: randomUUID(),
          kind: 'text',
          body: 'team',
          requireActiveSender: true,
          requireConsent: true,
        });
      expect((await inGroup(a)).created).toBe(true);
      expect((await inGroup(b)).created).toBe(true);
      await expect(inGroup(c)).rejects.toEqual(refusal('pending'));
    });

    it('a group is created with invitees pending and members added directly', async () => {
      const [a, b, c] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation, members } = await conversations.createGroup({
        title: 'Team',
        createdBy: a.id,
        memberIds: [b.id, c.id],
        pendingIds: [c.id],
      });
      const pending = new Map(members.map((m) => [m.userId, m.pending]));
      expect(pending).toEqual(
        new Map([
          [a.id, false],
          [b.id, false],
          [c.id, true],
        ]),
      );
      expect((await conversations.listContactIds(a.id)).sort(byString)).toEqual([b.id]);
      expect(await conversations.listContactIds(c.id)).toEqual([]);
      // Invitees are active (they read the group) and listed among the members.
      expect((await ctx.activeIds(conversation.id)).sort(byString)).toEqual(
        [a.id, b.id, c.id].sort(byString),
      );
    });

    it('addMembers invites those named pending; a returning former member comes back as asked', async () => {
      const [a, b, c] = [await makeUser(), await makeUser(), await makeUser()];
      const { conversation } = await makeGroup(a, [b]);
      await conversations.removeMember(conversation.id, b.id);
      const added = await conversations.addMembers(conversation.id, [b.id, c.id], {
        pendingIds: [b.id, c.id],
      });
      expect(added.map((m) => m.pending)).toEqual([true, true]);
      await conversations.acceptMembership(conversation.id, c.id);
      expect(await conversations.listContactIds(c.id)).toEqual([a.id]);
      expect(await conversations.deletePendingMember(conversation.id, b.id)).toBe(true);
      expect(await conversations.findMember(conversation.id, b.id)).toBeNull();
    });

    it('asks a person who declined again with the declined messages already read', async () => {
      const [a, b] = [await makeUser(), await makeUser()];
      const { conversation } = await conversations.findOrCreateDirect(a.id, b.id, a.id, {
        pendingUserId: b.id,
      });
      await ctx.sendMany(conversation.id, a, 2);
      expect(await conversations.getListItem(conversation.id, b.id)).toMatchObject({
        unreadCount: 2,
      });
      expect(await conversations.deletePendingMember(conversation.id, b.id)).toBe(true);
      // A later message asks again: the new request counts only what comes after it.
      const [asked] = await conversations.addMembers(conversation.id, [b.id], {
        pendingIds: [b.id],
      });
      expect(asked).toMatchObject({ pending: true, deliveredSeq: 2, readSeq: 2 });
      await ctx.sendMany(conversation.id, a, 1);
      expect(await conversations.getListItem(conversation.id, b.id)).toMatchObject({
        unreadCount: 1,
        lastMessage: { seq: 3 },
      });
    });
  });
}
