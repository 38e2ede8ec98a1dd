import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { openSqlDatabase, type PreparedRunner, type SqlDatabase } from './sql-database.js';
import type { AppendMessageResult } from '../messages.repository.js';
import type { MessageRecord } from '../storage.types.js';
import { SqlMessagesRepository } from './sql-messages.repository.js';
import { sqlStorageOver, type SqlStorage } from './sql-storage.js';

/**
 * Group commit of appends, seen from the statements it runs (the storage contract checks the outcomes on every
 * adapter; this checks that batching happens and that one odd message does not undo it). In-memory PGlite.
 */
describe('SqlMessagesRepository group commit', () => {
  let database: SqlDatabase;
  let storage: SqlStorage;
  /** Statement names run so far, in order. */
  const statements: string[] = [];
  let messages: SqlMessagesRepository;

  beforeAll(async () => {
    database = await openSqlDatabase({ kind: 'pglite', dataDir: null });
    storage = sqlStorageOver(database);
    const counting: PreparedRunner = (name, text, values) => {
      statements.push(name);
      return database.prepared(name, text, values);
    };
    messages = new SqlMessagesRepository(database.db, counting, { maxInFlight: 1, maxBatch: 64 });
  });

  afterAll(async () => {
    await database.close();
  });

  const group = async () => {
    const people = await Promise.all(
      [1, 2, 3].map((i) =>
        storage.users.create({
          username: `p${i}_${randomUUID().slice(0, 8)}`,
          displayName: `P${i}`,
          passwordHash: 'x',
        }),
      ),
    );
    const { conversation } = await storage.conversations.createGroup({
      title: 'g',
      createdBy: people[0]!.id,
      memberIds: people.map((p) => p.id),
    });
    return { conversation, people };
  };

  it('appends what arrives together in one batch statement, and a lone surrogate half does not break it', async () => {
    const { conversation, people } = await group();
    statements.length = 0;
    const bodies = ['one', 'two \ud800 halves', 'three', 'four'];
    const results = await Promise.all(
      bodies.map((body, i) =>
        messages.append({
          conversationId: conversation.id,
          senderId: people[i % 3]!.id,
          clientMessageId: randomUUID(),
          kind: 'text',
          body,
          requireActiveSender: true,
        }),
      ),
    );
    expect(results.every((r) => r.created)).toBe(true);
    // The first leaves alone; the three that arrived meanwhile leave together; nothing runs again one by one.
    expect(statements).toEqual(['chat_append_message_v7', 'chat_append_messages_v8']);
    const page = await messages.listPage(conversation.id, { after: 0, limit: 10 });
    expect(page.items.map((m) => [m.seq, m.body])).toEqual([
      [1, 'one'],
      [2, 'two \ufffd halves'],
      [3, 'three'],
      [4, 'four'],
    ]);
  });

  it('splits a batch whose statement fails and stores every message but the one at fault', async () => {
    const { conversation, people } = await group();
    statements.length = 0;
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'c', 'd', 'e'].map((body) =>
        messages.append({
          conversationId: conversation.id,
          senderId: people[0]!.id,
          clientMessageId: randomUUID(),
          kind: 'text',
          body,
          // An attachment that does not exist: the statement's guard aborts the batch holding this message.
          ...(body === 'c' ? { attachmentIds: [randomUUID()] } : {}),
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    // a alone; [b c d e] fails; [b c] fails; b; c (refused); d e.
    expect(statements).toEqual([
      'chat_append_message_v7',
      'chat_append_messages_v8',
      'chat_append_messages_v8',
      'chat_append_message_v7',
      'chat_append_message_v7',
      'chat_append_messages_v8',
    ]);
    const page = await messages.listPage(conversation.id, { after: 0, limit: 10 });
    expect(page.items.map((m) => m.body)).toEqual(['a', 'b', 'd', 'e']);
  });
});

/**
 * The batch statement against the lone one: the same sends, into two databases built alike, one by one (each its
 * own lone statement) in one and all at once (one batch after the first) in the other, must give every send the
 * same outcome and leave the same state. Each send below is one way an append can go; the batch holds them all.
 */
describe('SqlMessagesRepository: a batch appends as its messages one by one would', () => {
  type Send = Parameters<SqlMessagesRepository['append']>[0];

  /** A database with people, conversations, messages and attachments in every state a send can meet. */
  async function world(which: 'every outcome' | 'one attachment listed twice') {
    const database = await openSqlDatabase({ kind: 'pglite', dataDir: null });
    const storage = sqlStorageOver(database);
    const statements: string[] = [];
    const messages = new SqlMessagesRepository(
      database.db,
      (name, text, values) => {
        statements.push(name);
        return database.prepared(name, text, values);
      },
      { maxInFlight: 1, maxBatch: 64 },
    );
    const labels = new Map<string, string>();
    const person = async (name: string) => {
      const user = await storage.users.create({
        username: name,
        displayName: name,
        passwordHash: 'x',
      });
      labels.set(user.id, name);
      return user;
    };
    const [alice, bob, carol, dave, erin, frank, gina, hank] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank'].map(person),
    );
    const group = async (title: string, members: { id: string }[]) => {
      const { conversation } = await storage.conversations.createGroup({
        title,
        createdBy: alice!.id,
        memberIds: members.map((m) => m.id),
      });
      labels.set(conversation.id, title);
      return conversation;
    };
    const direct = async (title: string, other: { id: string }, pendingUserId?: string) => {
      const { conversation } = await storage.conversations.findOrCreateDirect(
        alice!.id,
        other.id,
        pendingUserId ? other.id : alice!.id,
        pendingUserId ? { pendingUserId } : undefined,
      );
      labels.set(conversation.id, title);
      return conversation;
    };
    const g0 = await group('g0', [bob!]);
    const g1 = await group('g1', [bob!, carol!, dave!]);
    await storage.conversations.removeMember(g1.id, dave!.id);
    const g2 = await group('g2', [bob!]);
    const d1 = await direct('d-bob', bob!);
    const d2 = await direct('d-carol', carol!);
    await messages.append({
      conversationId: d2.id,
      senderId: alice!.id,
      clientMessageId: 'before the block',
      kind: 'text',
      body: 'before the block',
    });
    await storage.blocks.block(carol!.id, alice!.id);
    const d3 = await direct('d-erin', erin!, alice!.id);
    const d4 = await direct('d-frank', frank!);
    await storage.users.setDeactivated(frank!.id, new Date());
    const d5 = await direct('d-gina', gina!);
    await storage.conversations.removeMember(d5.id, gina!.id);
    const stored = await messages.append({
      conversationId: g1.id,
      senderId: alice!.id,
      clientMessageId: 'stored',
      kind: 'text',
      body: 'stored before',
    });
    labels.set(stored.message.id, 'stored');
    const elsewhere = await messages.append({
      conversationId: g2.id,
      senderId: bob!.id,
      clientMessageId: 'elsewhere',
      kind: 'text',
      body: 'in g2',
    });
    labels.set(elsewhere.message.id, 'elsewhere');
    const attachment = async (name: string) => {
      const record = await storage.attachments.create({
        conversationId: g1.id,
        uploaderId: alice!.id,
        kind: 'file',
        name,
        mimeType: 'text/plain',
        size: 1,
        width: null,
        height: null,
        storageKey: name,
        thumbnailKey: null,
      });
      return record.id;
    };
    const [first, second] = [await attachment('first.txt'), await attachment('second.txt')];
    statements.length = 0;

    const text = (
      conversationId: string,
      senderId: string,
      body: string,
      extra: Partial<Send> = {},
    ) =>
      ({
        conversationId,
        senderId,
        clientMessageId: body,
        kind: 'text',
        body,
        requireActiveSender: true,
        requireConsent: true,
        ...extra,
      }) satisfies Send;
    const alone = text(g0.id, alice!.id, 'leaves alone, the rest wait and go together');
    const sends: Send[] =
      which === 'one attachment listed twice'
        ? [
            alone,
            text(g1.id, alice!.id, 'the file', { attachmentIds: [first] }),
            text(g1.id, bob!.id, 'between'),
            text(g1.id, alice!.id, 'the same file again', { attachmentIds: [second, first] }),
            text(g1.id, alice!.id, 'after'),
          ]
        : [
            alone,
            text(g1.id, alice!.id, 'plain'),
            text(g1.id, bob!.id, 'a reply', { replyToId: stored.message.id }),
            text(g1.id, alice!.id, 'a resend', { clientMessageId: 'stored' }),
            text(g1.id, dave!.id, 'from a former member'),
            text(g1.id, erin!.id, 'from a stranger'),
            text(g1.id, alice!.id, 'twice, first', { clientMessageId: 'twice' }),
            text(g1.id, alice!.id, 'twice, second', { clientMessageId: 'twice' }),
            text(g1.id, alice!.id, 'refused, then', {
              clientMessageId: 'retry',
              mentions: [hank!.id],
            }),
            text(g1.id, alice!.id, 'stored on retry', { clientMessageId: 'retry' }),
            text(g1.id, alice!.id, 'a reply to another conversation', {
              replyToId: elsewhere.message.id,
            }),
            text(g1.id, alice!.id, 'mentions', {
              mentions: [bob!.id, carol!.id],
              mentionsAll: true,
            }),
            text(g1.id, alice!.id, 'mentions a former member', { mentions: [dave!.id] }),
            text(g1.id, alice!.id, 'two files', { attachmentIds: [second, first] }),
            text(g2.id, bob!.id, 'forwarded', { forwarded: true }),
            text(d1.id, alice!.id, 'to bob'),
            text(d2.id, alice!.id, 'to carol, who blocked alice'),
            text(d3.id, alice!.id, 'before accepting erin'),
            text(d4.id, alice!.id, 'to frank, deactivated'),
            text(d5.id, alice!.id, 'to gina, who left'),
            text(randomUUID(), alice!.id, 'nowhere', {
              requireActiveSender: false,
              requireConsent: false,
            }),
            text(g2.id, erin!.id, 'as the system', {
              requireActiveSender: false,
              requireConsent: false,
              kind: 'system',
              system: { type: 'group_renamed', actorId: erin!.id, title: 'new' },
            }),
            // Resends that would fail a later check: a resend is answered before consent, the reply and mentions.
            text(g1.id, alice!.id, 'twice, third', {
              clientMessageId: 'twice',
              mentions: [dave!.id],
            }),
            text(d2.id, alice!.id, 'before the block, again', {
              clientMessageId: 'before the block',
            }),
            text(g1.id, dave!.id, 'from a former member, allowed', {
              requireActiveSender: false,
              requireConsent: false,
            }),
            text(g1.id, bob!.id, 'last'),
          ];
    const conversationIds = [g0, g1, g2, d1, d2, d3, d4, d5].map((c) => c.id);
    const label = (id: string) => labels.get(id) ?? id;
    /** Every conversation's last seq, messages and members' watermarks, with ids as labels. */
    const state = async () =>
      Promise.all(
        conversationIds.map(async (id) => ({
          conversation: label(id),
          lastSeq: (await storage.conversations.findById(id))?.lastSeq,
          messages: (await messages.listPage(id, { after: 0, limit: 100 })).items.map(view),
          members: (await storage.conversations.listMembers(id))
            .map((m) => [label(m.userId), m.deliveredSeq, m.readSeq, m.leftAt !== null])
            .sort(),
        })),
      );
    const view = (m: MessageRecord) => ({
      conversation: label(m.conversationId),
      seq: m.seq,
      sender: label(m.senderId),
      clientMessageId: m.clientMessageId,
      kind: m.kind,
      body: m.body,
      system: m.system && { ...m.system, actorId: m.system.actorId && label(m.system.actorId) },
      mentions: m.mentions.map(label).sort(),
      mentionsAll: m.mentionsAll,
      forwarded: m.forwarded,
      replyTo: m.replyTo && {
        ...m.replyTo,
        id: label(m.replyTo.id),
        senderId: label(m.replyTo.senderId),
      },
      attachments: m.attachments.map((a) => a.name),
    });
    const outcome = (settled: PromiseSettledResult<AppendMessageResult>) =>
      settled.status === 'rejected'
        ? {
            error: (settled.reason as Error).name,
            reason: (settled.reason as { reason?: string }).reason,
          }
        : {
            created: settled.value.created,
            message: view(settled.value.message),
            audience: settled.value.activeMemberIds.map(label).sort(),
          };
    return { database, messages, sends, statements, state, outcome };
  }

  /**
   * The sends of `which` into two worlds: one by one (each awaited) in the first, all at once in the second.
   * @returns both worlds (the caller closes them) and each send's outcome in each
   */
  async function sendBothWays(which: Parameters<typeof world>[0]) {
    const alone = await world(which);
    const together = await world(which);
    const oneByOne: PromiseSettledResult<AppendMessageResult>[] = [];
    for (const send of alone.sends) {
      oneByOne.push((await Promise.allSettled([alone.messages.append(send)]))[0]!);
    }
    const batched = await Promise.allSettled(
      together.sends.map((send) => together.messages.append(send)),
    );
    return { alone, together, oneByOne, batched };
  }

  it('gives every send the outcome it gets alone, and leaves the same state', async () => {
    const { alone, together, oneByOne, batched } = await sendBothWays('every outcome');
    try {
      expect(alone.statements.every((name) => name === 'chat_append_message_v7')).toBe(true);
      expect(together.statements).toEqual(['chat_append_message_v7', 'chat_append_messages_v8']);

      const expected = oneByOne.map(alone.outcome);
      // The sends cover what they are meant to: stored, resent, and each way of being refused.
      expect(
        expected.map((o) => ('error' in o ? `${o.error} ${o.reason ?? ''}`.trim() : o.created)),
      ).toEqual([
        true,
        true,
        true,
        false,
        'SenderMembershipError ended',
        'SenderMembershipError never',
        true,
        false,
        'MentionMembershipError',
        true,
        'ReplyTargetError',
        true,
        'MentionMembershipError',
        true,
        true,
        true,
        'SendConsentError blocked',
        'SendConsentError pending',
        'SendConsentError unavailable',
        'SendConsentError peer_inactive',
        'RecordNotFoundError',
        true,
        false,
        false,
        true,
        true,
      ]);
      expect(batched.map(together.outcome)).toEqual(expected);
      expect(await together.state()).toEqual(await alone.state());
    } finally {
      await alone.database.close();
      await together.database.close();
    }
  });

  it('gives an attachment listed by two messages of a batch to the first, as one by one (the batch split)', async () => {
    const { alone, together, oneByOne, batched } = await sendBothWays(
      'one attachment listed twice',
    );
    try {
      const expected = oneByOne.map(alone.outcome);
      expect(expected.map((o) => ('error' in o ? `${o.error} ${o.reason}` : o.created))).toEqual([
        true,
        true,
        true,
        'AttachmentClaimError in_use',
        true,
      ]);
      expect(batched.map(together.outcome)).toEqual(expected);
      expect(await together.state()).toEqual(await alone.state());
      // The batch of four failed on its guard and was split: [1 2] stored, [3 4] failed, 3 alone refused, 4 alone.
      expect(together.statements).toEqual([
        'chat_append_message_v7',
        'chat_append_messages_v8',
        'chat_append_messages_v8',
        'chat_append_messages_v8',
        'chat_append_message_v7',
        'chat_append_message_v7',
      ]);
    } finally {
      await alone.database.close();
      await together.database.close();
    }
  });
});
