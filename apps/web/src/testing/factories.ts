import type {
  AuthResponse,
  ConversationMember,
  ConversationSummary,
  Message,
  PublicUser,
} from '@chat/shared';
import type { PendingMessage } from '@/stores/messages-store';

/**
 * Test data for the web unit tests: each factory returns a complete, valid wire object whose fields can be
 * overridden. Ids and times are fixed unless given, so a test states only what it is about.
 */

/** A person with `id` as username and display name unless overridden. */
export function user(id: string, overrides: Partial<PublicUser> = {}): PublicUser {
  return { id, username: id, displayName: id, avatarUrl: null, ...overrides };
}

/** A text message from `senderId` with sequence number `seq` (id `m<seq>`, clientMessageId `c<seq>`). */
export function message(
  seq: number,
  overrides: Partial<Message> & { senderId?: string } = {},
): Message {
  return {
    id: `m${seq}`,
    conversationId: 'c1',
    seq,
    senderId: 'bob',
    clientMessageId: `c${seq}`,
    kind: 'text',
    body: `message ${seq}`,
    system: null,
    attachments: [],
    mentions: [],
    mentionsAll: false,
    createdAt: '2026-11-20T10:00:00.000Z',
    replyTo: null,
    forwarded: false,
    reactions: [],
    editedAt: null,
    deletedAt: null,
    deletedBy: null,
    changeSeq: 0,
    ...overrides,
  };
}

/** Messages with sequence numbers `from..to` inclusive, ascending (same overrides for all). */
export function messages(from: number, to: number, overrides: Partial<Message> = {}): Message[] {
  const list: Message[] = [];
  for (let seq = from; seq <= to; seq += 1) list.push(message(seq, overrides));
  return list;
}

/** A member entry with receipt watermarks at 0 unless given. */
export function member(
  userId: string,
  overrides: Partial<ConversationMember> = {},
): ConversationMember {
  return {
    user: user(userId),
    role: 'member',
    joinedAt: '2026-11-01T00:00:00.000Z',
    deliveredSeq: 0,
    readSeq: 0,
    pending: false,
    ...overrides,
  };
}

/** A direct conversation between `alice` and `bob` (id `c1`), empty and read unless overridden. */
export function conversation(overrides: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: 'c1',
    type: 'direct',
    title: null,
    avatarUrl: null,
    status: 'active',
    members: [member('alice'), member('bob')],
    formerMembers: [],
    lastSeq: 0,
    changeSeq: 0,
    lastMessage: null,
    lastActivityAt: '2026-11-01T00:00:00.000Z',
    unreadCount: 0,
    pending: false,
    unreadMentionCount: 0,
    notificationLevel: 'all',
    createdAt: '2026-11-01T00:00:00.000Z',
    ...overrides,
  };
}

/** An own message not yet acknowledged (status pending) in conversation `c1`. */
export function pendingMessage(
  clientMessageId: string,
  overrides: Partial<PendingMessage> = {},
): PendingMessage {
  return {
    clientMessageId,
    conversationId: 'c1',
    body: 'hello',
    createdAt: '2026-11-20T10:00:00.000Z',
    status: 'pending',
    error: null,
    ...overrides,
  };
}

/** A successful sign-in of `alice` (token `a1`, valid until 2099) unless overridden. */
export function authResponse(overrides: Partial<AuthResponse> = {}): AuthResponse {
  return {
    accessToken: 'a1',
    accessTokenExpiresAt: '2099-01-01T00:00:00.000Z',
    user: {
      ...user('alice', { displayName: 'Alice' }),
      createdAt: '2026-01-01T00:00:00.000Z',
      instanceAdmin: false,
    },
    ...overrides,
  };
}
