/**
 * The storage contract: the behaviour every adapter (SQL on PGlite, SQL on PostgreSQL, MongoDB) must show, written
 * once against the repository ports and run by a thin spec file per adapter. This file is the harness: it opens the
 * adapter, empties it before each test, provides the small data factories, and composes one section file per port
 * (users, sessions, conversations, messages, attachments, health: `<port>.contract.ts`).
 *
 * It tests behaviour only (ordering, uniqueness, atomicity, idempotency, pagination edges), never how an adapter
 * stores things. Ids are treated as opaque: where a test needs an id that is well-formed for the adapter but
 * names no conversation, it uses a user's id (ids are unique across collections in both adapters).
 *
 * Timing: a few tests need distinct activity times; they wait a few milliseconds between steps (`pause`), because
 * times are stored with millisecond precision.
 */
import { afterAll, beforeAll, beforeEach, describe } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { AttachmentsRepository } from '../attachments.repository.js';
import type { ConversationsRepository } from '../conversations.repository.js';
import type { MessagesRepository } from '../messages.repository.js';
import type { SessionsRepository } from '../sessions.repository.js';
import type { StorageHealth } from '../storage.health.js';
import type { ConversationListItem, MessageRecord, UserRecord } from '../storage.types.js';
import type { UsersRepository } from '../users.repository.js';
import { describeAttachmentsContract } from './attachments.contract.js';
import type { ContractContext } from './contract-context.js';
import { describeConversationsContract } from './conversations.contract.js';
import { describeHealthContract } from './health.contract.js';
import { describeMessageChangesContract } from './message-changes.contract.js';
import { describeMessagesContract } from './messages.contract.js';
import { describeSessionsContract } from './sessions.contract.js';
import { describeUsersContract } from './users.contract.js';

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
    let conversations: ConversationsRepository;
    let messages: MessagesRepository;
    let counter = 0;

    beforeAll(async () => {
      storage = await factory();
      ({ users, conversations, messages } = storage.repos);
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

    /** A group made by `creator` with `others` as members. */
    const makeGroup = (
      creator: { id: string },
      others: readonly { id: string }[],
      title = 'Team',
    ) =>
      conversations.createGroup({
        title,
        createdBy: creator.id,
        memberIds: others.map((o) => o.id),
      });

    const activeIds = async (conversationId: string) =>
      (await conversations.listMembers(conversationId)).map((m) => m.userId);

    // ---- one section file per port ---------------------------------------------------------------------

    const context: ContractContext = {
      repos: () => {
        if (!storage) throw new Error('the storage factory failed; see the beforeAll error');
        return storage.repos;
      },
      makeUser,
      makeDirect,
      makeGroup,
      activeIds,
      send,
      sendMany,
      walkConversations,
    };
    describeUsersContract(context);
    describeSessionsContract(context);
    describeConversationsContract(context);
    describeMessagesContract(context);
    describeMessageChangesContract(context);
    describeAttachmentsContract(context);
    describeHealthContract(context);
  });
}
