import type { ReplyQuote } from '@chat/shared';
import {
  createStore as createIdbStore,
  del,
  delMany,
  get,
  set,
  values,
  type UseStore,
} from 'idb-keyval';

/** A message written but not yet acknowledged by the server, kept in IndexedDB so it survives a reload. */
export interface OutboxEntry {
  /** The idempotency key: every attempt, in any tab, after any reload, sends this same id. */
  clientMessageId: string;
  /** Whose outbox it is (several people may sign in on one browser, one after the other). */
  userId: string;
  conversationId: string;
  body: string;
  /** Uploaded (unsent) attachments to send with the text; resent with the same ids on every attempt. */
  attachmentIds?: string[];
  /** Mentioned people (user ids) and `@all`, worked out from the text when it was written. */
  mentions?: string[];
  mentionsAll?: boolean;
  /** The message this one replies to (sent as replyToId), with the quote shown while it is pending. */
  replyTo?: ReplyQuote;
  /** Local clock, for display only. */
  createdAt: string;
  /** `failed`: automatic attempts gave up; waits for the person's Retry. */
  status: 'pending' | 'failed';
  error: string | null;
}

/**
 * The persistent outbox: one IndexedDB object store (through idb-keyval, a ~600-byte wrapper) keyed by
 * clientMessageId. An entry is removed only after the server acknowledged the message. Where IndexedDB is missing
 * (very old browsers, some private modes) it degrades to memory: messages are still resent after reconnects, just
 * not after a reload.
 */
export class Outbox {
  private readonly store: UseStore | null;
  private readonly memory = new Map<string, OutboxEntry>();

  constructor() {
    this.store = typeof indexedDB === 'undefined' ? null : createIdbStore('chat-outbox', 'entries');
  }

  /** Adds or replaces an entry. */
  async put(entry: OutboxEntry): Promise<void> {
    if (!this.store) {
      this.memory.set(entry.clientMessageId, entry);
      return;
    }
    await set(entry.clientMessageId, entry, this.store);
  }

  /** The entry, or undefined once it was acknowledged (by this tab or another one). */
  async get(clientMessageId: string): Promise<OutboxEntry | undefined> {
    if (!this.store) return this.memory.get(clientMessageId);
    return get<OutboxEntry>(clientMessageId, this.store);
  }

  async remove(clientMessageId: string): Promise<void> {
    if (!this.store) {
      this.memory.delete(clientMessageId);
      return;
    }
    await del(clientMessageId, this.store);
  }

  /** Deletes every entry of one person (sign-out: their unsent messages must not stay for the next person). */
  async removeAll(userId: string): Promise<void> {
    const ids = (await this.list(userId)).map((e) => e.clientMessageId);
    if (!this.store) {
      for (const id of ids) this.memory.delete(id);
      return;
    }
    await delMany(ids, this.store);
  }

  /** Entries of one person, oldest first (the order they were written in). */
  async list(userId: string): Promise<OutboxEntry[]> {
    const all = this.store ? await values<OutboxEntry>(this.store) : [...this.memory.values()];
    return all
      .filter((e) => e.userId === userId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}
