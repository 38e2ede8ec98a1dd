/**
 * What the contract's section files share: the repositories of the adapter under test (read lazily: they exist
 * only once the suite's beforeAll has opened the adapter) and the small data factories.
 */
import type { AppendMessageResult } from '../messages.repository.js';
import type {
  ConversationRecord,
  MemberRecord,
  MessageRecord,
  UserRecord,
} from '../storage.types.js';
import type { StorageUnderTest } from './storage.contract.js';

export interface ContractContext {
  /** The repositories of the adapter under test (only inside tests and hooks). */
  repos(): StorageUnderTest['repos'];
  makeUser(overrides?: { username?: string; displayName?: string }): Promise<UserRecord>;
  makeDirect(a: UserRecord, b: UserRecord): Promise<ConversationRecord>;
  /** A group made by `creator` (its admin) with `others` as members. */
  makeGroup(
    creator: { id: string },
    others: readonly { id: string }[],
    title?: string,
  ): Promise<{ conversation: ConversationRecord; members: MemberRecord[] }>;
  /** User ids of the ACTIVE members, in the port's order. */
  activeIds(conversationId: string): Promise<string[]>;
  send(
    conversationId: string,
    sender: UserRecord,
    body?: string,
    clientMessageId?: string,
  ): Promise<AppendMessageResult>;
  sendMany(conversationId: string, sender: UserRecord, count: number): Promise<MessageRecord[]>;
  /** Walks every page of listForUser with `limit`, failing on a loop. */
  walkConversations(userId: string, limit: number): Promise<{ ids: string[]; pageSizes: number[] }>;
}

/** Waits a few milliseconds, so that times stored with millisecond precision differ. */
export const pause = (ms = 3) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const seqs = (items: readonly MessageRecord[]) => items.map((m) => m.seq);
export const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Two new people, `alice` and `bob` (usernames as given), and their direct conversation: the setup of the tests
 * beyond the contract, which open a storage of their own.
 */
export async function alicePairedWithBob(
  repos: Pick<StorageUnderTest['repos'], 'users' | 'conversations'>,
): Promise<{ alice: UserRecord; bob: UserRecord; conversation: ConversationRecord }> {
  const alice = await repos.users.create({
    username: 'alice',
    displayName: 'A',
    passwordHash: 'h',
  });
  const bob = await repos.users.create({ username: 'bob', displayName: 'B', passwordHash: 'h' });
  const { conversation } = await repos.conversations.findOrCreateDirect(alice.id, bob.id, alice.id);
  return { alice, bob, conversation };
}
