import { Injectable } from '@nestjs/common';
import { BlocksRepository } from '../storage/blocks.repository.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import type { BlockRecord, UserRecord } from '../storage/storage.types.js';
import { UsersRepository } from '../storage/users.repository.js';

/**
 * Who may see whose live state (presence, last seen, typing, receipts, profile changes): the consent and block
 * rules of docs/privacy.md in one place, asked by the fan-out listener, the presence snapshots and the
 * conversation views. It decides nothing about access to conversations (that is ConversationAccess).
 *
 * - A person's CONTACTS are the people they share an accepted conversation with (both active, neither pending:
 *   ConversationsRepository.listContactIds) and have no block with, in either direction.
 * - A block hides, both ways, presence, last seen, typing, receipts and profile pictures; messages in a shared group
 *   still reach both.
 * - Last seen: shown only between contacts, and only when neither of the two chose "nobody".
 */
@Injectable()
export class LiveAudience {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly blocks: BlocksRepository,
    private readonly users: UsersRepository,
  ) {}

  /** The person's contacts (see the class comment), without themselves. Two queries. */
  async contactsOf(userId: string): Promise<string[]> {
    const candidates = await this.conversations.listContactIds(userId);
    return this.withoutBlocked(userId, candidates);
  }

  /** The contacts' user records (three queries), for presence with last-seen settings. */
  async contactRecordsOf(userId: string): Promise<UserRecord[]> {
    const ids = await this.contactsOf(userId);
    return ids.length === 0 ? [] : this.users.findManyByIds(ids);
  }

  /** `ids` without anyone who has a block with `userId` (either direction). One query, none for an empty list. */
  async withoutBlocked(userId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const hidden = blockedWith(userId, await this.blocks.findInvolving(userId, ids));
    return ids.filter((id) => !hidden.has(id));
  }

  /** The ids among `ids` that have a block with `userId`, either direction (one query). */
  async blockedAmong(userId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    return blockedWith(userId, await this.blocks.findInvolving(userId, ids));
  }

  /** Every block among `ids` (one query): for views of one conversation computed for all its members at once. */
  blocksAmong(ids: readonly string[]): Promise<BlockRecord[]> {
    return this.blocks.findAmong(ids);
  }
}

/** The people `userId` has a block with, in either direction, among `blocks`. */
export function blockedWith(userId: string, blocks: readonly BlockRecord[]): Set<string> {
  const ids = new Set<string>();
  for (const b of blocks) {
    if (b.blockerId === userId) ids.add(b.blockedId);
    else if (b.blockedId === userId) ids.add(b.blockerId);
  }
  return ids;
}

/**
 * Whether `viewer` may see `subject`'s last-seen time: only when neither chose "nobody" (WhatsApp's symmetric
 * rule). Contacts and blocks are checked by the caller.
 */
export function lastSeenVisible(
  subject: Pick<UserRecord, 'lastSeenVisibility'>,
  viewer: Pick<UserRecord, 'lastSeenVisibility'>,
): boolean {
  return subject.lastSeenVisibility !== 'nobody' && viewer.lastSeenVisibility !== 'nobody';
}
