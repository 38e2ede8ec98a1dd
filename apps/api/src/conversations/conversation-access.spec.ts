import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import type { BlocksRepository } from '../storage/blocks.repository.js';
import type { ConversationsRepository } from '../storage/conversations.repository.js';
import type { ConversationRecord, MemberRecord } from '../storage/storage.types.js';
import { ConversationAccess } from './conversation-access.js';

/** A membership; former when `historyUntilSeq` is given. */
function member(
  conversationId: string,
  userId: string,
  role: MemberRecord['role'] = 'member',
  historyUntilSeq: number | null = null,
): MemberRecord {
  return {
    conversationId,
    userId,
    role,
    joinedAt: new Date(0),
    deliveredSeq: 0,
    readSeq: 0,
    leftAt: historyUntilSeq === null ? null : new Date(1),
    historyUntilSeq,
    pending: false,
    notificationLevel: 'all',
    historyUntilChangeSeq: historyUntilSeq === null ? null : 0,
  };
}

function conversation(id: string, type: ConversationRecord['type']): ConversationRecord {
  return {
    id,
    type,
    title: type === 'group' ? 'Team' : null,
    directKey: null,
    createdBy: 'ana',
    avatarUrl: null,
    lastSeq: 9,
    changeSeq: 0,
    lastActivityAt: new Date(0),
    createdAt: new Date(0),
    updatedAt: new Date(0),
    archivedAt: null,
  };
}

/** An in-memory stand-in for the three repository reads ConversationAccess makes, counting bulk reads. */
function accessOver(members: MemberRecord[], conversations: ConversationRecord[]) {
  const calls = { listMembersOf: 0, findMember: 0 };
  const repo = {
    findMember: async (conversationId: string, userId: string) => {
      calls.findMember += 1;
      return (
        members.find((m) => m.conversationId === conversationId && m.userId === userId) ?? null
      );
    },
    findById: async (id: string) => conversations.find((c) => c.id === id) ?? null,
    listMembersOf: async (ids: readonly string[]) => {
      calls.listMembersOf += 1;
      const byConversation = new Map<string, MemberRecord[]>();
      for (const id of ids) {
        const active = members.filter((m) => m.conversationId === id && m.leftAt === null);
        if (active.length > 0) byConversation.set(id, active);
      }
      return byConversation;
    },
  } as unknown as ConversationsRepository;
  const blocks = {
    findInvolving: async () => [],
  } as unknown as BlocksRepository;
  return { access: new ConversationAccess(repo, blocks), calls };
}

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
}

const members = [
  member('group', 'ana', 'admin'),
  member('group', 'ben'),
  member('group', 'cy', 'member', 4), // left after seq 4
  member('direct', 'ana'),
  member('direct', 'ben'),
];
const conversations = [conversation('group', 'group'), conversation('direct', 'direct')];

describe('ConversationAccess', () => {
  it('lets active members read everything and former members up to their departure', async () => {
    const { access } = accessOver(members, conversations);
    expect((await access.requireRead('group', 'ben')).untilSeq).toBeUndefined();
    expect((await access.requireRead('group', 'cy')).untilSeq).toBe(4);
    expect(await codeOf(access.requireRead('group', 'stranger'))).toBe(
      ErrorCode.CONVERSATION_NOT_FOUND,
    );
    expect(await codeOf(access.requireRead('no such', 'ana'))).toBe(
      ErrorCode.CONVERSATION_NOT_FOUND,
    );
    expect(await codeOf(access.requireRead('not an id!', 'ana'))).toBe(
      ErrorCode.CONVERSATION_NOT_FOUND,
    );
  });

  it('lets only active members write', async () => {
    const { access } = accessOver(members, conversations);
    expect((await access.requireWrite('group', 'ben')).userId).toBe('ben');
    expect(await codeOf(access.requireWrite('group', 'cy'))).toBe(ErrorCode.MEMBERSHIP_ENDED);
    expect(await codeOf(access.requireWrite('group', 'stranger'))).toBe(
      ErrorCode.CONVERSATION_NOT_FOUND,
    );
  });

  it('lets only active admins of a group administer it', async () => {
    const { access } = accessOver(members, conversations);
    expect((await access.requireAdmin('group', 'ana')).conversation.id).toBe('group');
    expect(await codeOf(access.requireAdmin('group', 'ben'))).toBe(ErrorCode.ADMIN_REQUIRED);
    expect(await codeOf(access.requireAdmin('group', 'cy'))).toBe(ErrorCode.MEMBERSHIP_ENDED);
    expect(await codeOf(access.requireAdmin('direct', 'ana'))).toBe(ErrorCode.NOT_A_GROUP);
    expect(await codeOf(access.requireGroupMember('direct', 'ben'))).toBe(ErrorCode.NOT_A_GROUP);
  });

  it('answers the bulk write check with one query', async () => {
    const { access, calls } = accessOver(members, conversations);
    const writable = await access.writableOf(['group', 'direct', 'nope', 'not an id!'], 'ben');
    expect([...writable].sort()).toEqual(['direct', 'group']);
    expect(await access.writableOf(['group', 'direct'], 'cy')).toEqual(new Set());
    expect(calls).toEqual({ listMembersOf: 2, findMember: 0 });
  });

  it('answers the bulk read check with the limit of each readable conversation', async () => {
    const { access } = accessOver(members, conversations);
    expect(await access.readableOf(['group', 'direct', 'nope'], 'cy')).toEqual(
      new Map([['group', 4]]),
    );
    expect(await access.readableOf(['group', 'direct'], 'ana')).toEqual(
      new Map([
        ['group', undefined],
        ['direct', undefined],
      ]),
    );
  });
});

describe('ConversationAccess: consent and blocks', () => {
  const direct: ConversationRecord = {
    id: 'c1',
    type: 'direct',
    title: null,
    directKey: 'a:b',
    createdBy: 'a',
    avatarUrl: null,
    lastSeq: 0,
    changeSeq: 0,
    lastActivityAt: new Date(0),
    createdAt: new Date(0),
    updatedAt: new Date(0),
    archivedAt: null,
  };
  function build(options: { pendingB?: boolean; blocked?: boolean; bActive?: boolean }) {
    const members: MemberRecord[] = [
      { ...member('c1', 'a'), pending: false },
      ...(options.bActive === false ? [] : [{ ...member('c1', 'b'), pending: !!options.pendingB }]),
    ];
    const repo = {
      findById: async (id: string) => (id === 'c1' ? direct : null),
      listMembers: async () => members,
      findMember: async (_c: string, u: string) => members.find((m) => m.userId === u) ?? null,
    } as unknown as ConversationsRepository;
    const blocks = {
      findInvolving: async () =>
        options.blocked ? [{ blockerId: 'b', blockedId: 'a', createdAt: new Date(0) }] : [],
    } as unknown as BlocksRepository;
    return new ConversationAccess(repo, blocks);
  }

  it('requireSend names the direct peer and whether they are still a member', async () => {
    await expect(build({}).requireSend('c1', 'a')).resolves.toMatchObject({
      peerId: 'b',
      peerActive: true,
      member: { userId: 'a' },
    });
    await expect(build({ bActive: false }).requireSend('c1', 'a')).resolves.toMatchObject({
      peerId: 'b',
      peerActive: false,
    });
    // A pending sender may send (replying accepts); the membership says so.
    await expect(build({ pendingB: true }).requireSend('c1', 'b')).resolves.toMatchObject({
      member: { userId: 'b', pending: true },
      peerId: 'a',
    });
    await expect(build({}).requireSend('c1', 'stranger')).rejects.toMatchObject({
      code: ErrorCode.CONVERSATION_NOT_FOUND,
    });
    await expect(build({}).requireSend('not an id', 'a')).rejects.toMatchObject({
      code: ErrorCode.CONVERSATION_NOT_FOUND,
    });
  });

  it('a block either way refuses sends and reaching, with CONTACT_UNAVAILABLE whoever made it', async () => {
    await expect(build({ blocked: true }).requireSend('c1', 'a')).rejects.toMatchObject({
      code: ErrorCode.CONTACT_UNAVAILABLE,
    });
    await expect(build({ blocked: true }).requireReachable('a', ['b'])).rejects.toMatchObject({
      code: ErrorCode.CONTACT_UNAVAILABLE,
    });
    await expect(build({ blocked: true }).requireReachable('b', ['a'])).rejects.toMatchObject({
      code: ErrorCode.CONTACT_UNAVAILABLE,
    });
    await expect(build({}).requireReachable('a', ['b'])).resolves.toBeUndefined();
  });

  it('typing needs an accepted membership; accept/decline need a pending one', async () => {
    const access = build({ pendingB: true });
    await expect(access.requireAccepted('c1', 'b')).rejects.toMatchObject({
      code: ErrorCode.REQUEST_PENDING,
    });
    await expect(access.requireAccepted('c1', 'a')).resolves.toMatchObject({ userId: 'a' });
    await expect(access.requirePending('c1', 'b')).resolves.toMatchObject({ pending: true });
    await expect(access.requirePending('c1', 'a')).rejects.toMatchObject({
      code: ErrorCode.NO_PENDING_REQUEST,
    });
  });
});
