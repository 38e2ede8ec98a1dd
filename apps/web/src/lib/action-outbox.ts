import { backOff } from 'exponential-backoff';
import {
  createStore as createIdbStore,
  del,
  delMany,
  set,
  values,
  type UseStore,
} from 'idb-keyval';
import { ErrorCode, type Message } from '@chat/shared';
import { ApiError, describeError } from './api-error';
import type { MessageAction, PendingAction } from './message-actions';
import type { MessageActionEvent } from './socket';
import { newUuid } from './uuid';
import type { LockRequester } from './web-locks';
import {
  OUTBOX_ATTEMPTS,
  OUTBOX_FIRST_DELAY_MS,
  OUTBOX_MAX_DELAY_MS,
  waitingOutRateLimits,
  type Notify,
} from './outbox-sender';
import type { MessagesStore } from '@/stores/messages-store';

/** An unconfirmed message action of one person, as kept in IndexedDB. */
export type ActionEntry = PendingAction & { userId: string };

/** After a drain gave up on a reachable-but-failing server, it tries again this much later (ms). */
export const ACTION_RETRY_AFTER_MS = 15_000;

/** Errors that may pass on their own: the action stays queued. Any other refusal is final: it is rolled back. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.INTERNAL,
  ErrorCode.RATE_LIMITED,
]);

/**
 * The persistent queue of message actions (edits, deletions, reactions): an IndexedDB store of its own (idb-keyval)
 * keyed by actionId, degrading to memory where IndexedDB is missing or refuses writes.
 */
export class ActionOutbox {
  private readonly store: UseStore | null;
  private readonly memory = new Map<string, ActionEntry>();

  constructor() {
    this.store =
      typeof indexedDB === 'undefined' ? null : createIdbStore('chat-actions', 'entries');
  }

  /** Adds an entry. Never rejects: a refused write keeps it in memory (sent, but not after a reload). */
  async put(entry: ActionEntry): Promise<void> {
    if (this.store) {
      try {
        await set(entry.actionId, entry, this.store);
        return;
      } catch {
        // Quota or private mode: fall through to memory.
      }
    }
    this.memory.set(entry.actionId, entry);
  }

  async remove(actionId: string): Promise<void> {
    this.memory.delete(actionId);
    if (this.store) await del(actionId, this.store).catch(() => undefined);
  }

  /** Deletes every entry of one person (a deliberate sign-out). */
  async removeAll(userId: string): Promise<void> {
    const ids = (await this.list(userId)).map((e) => e.actionId);
    for (const id of ids) this.memory.delete(id);
    if (this.store) await delMany(ids, this.store).catch(() => undefined);
  }

  /** One person's entries in queue order. Never rejects (unreadable storage: memory only). */
  async list(userId: string): Promise<ActionEntry[]> {
    const stored = this.store
      ? await values<ActionEntry>(this.store).catch(() => [] as ActionEntry[])
      : [];
    const byId = new Map(stored.map((e) => [e.actionId, e]));
    for (const e of this.memory.values()) byId.set(e.actionId, e);
    return [...byId.values()].filter((e) => e.userId === userId).sort((a, b) => a.order - b.order);
  }
}

/** What the action sender works with. */
export interface ActionSenderDeps {
  outbox: ActionOutbox;
  messages: MessagesStore;
  userId: () => string | null;
  connected: () => boolean;
  /** One socket emit of an action; resolves with the acked message (ApiError otherwise, see emitMessageAction). */
  emit: (event: MessageActionEvent, payload: object) => Promise<Message>;
  /** The server confirmed an action: its answer, the message as it is now (thread, list preview). */
  onAcked: (message: Message) => void;
  notify: Notify;
  locks?: LockRequester | undefined;
}

/**
 * Sends the signed-in person's message actions one at a time, in the order they were made (an edit after an edit,
 * a reaction removed after it was added: the order is the meaning), from a queue that survives reloads. Each action
 * shows at once on its message (MessagesState.actions); the server's ack replaces it with the server's view, a
 * refusal rolls it back with a toast. While offline nothing is tried; `drain()` runs again on every connect. Every
 * action is safe to send twice (an edit to the same body, a deletion of a tombstone, set semantics of reactions
 * change nothing), so an ack lost to a reload or a second tab costs nothing.
 *
 * Tabs of one browser share the queue: a drain holds the Web Lock `chat-actions:<userId>`, and one that waited for
 * it reads the queue again, so each entry is sent by one tab at a time.
 */
export class ActionSender {
  private order = 0;
  private running = false;
  private again = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Actions shown but not written to the queue yet (their write is in flight). */
  private readonly writing = new Set<string>();

  constructor(private readonly deps: ActionSenderDeps) {}

  /**
   * Queues `action` on message `messageId` of `conversationId` for the signed-in person, shows it at once and sends
   * it when connected. Returns false when signed out.
   */
  enqueue(conversationId: string, messageId: string, action: MessageAction): boolean {
    const userId = this.deps.userId();
    if (!userId) return false;
    this.order = Math.max(this.order + 1, Date.now());
    const entry: ActionEntry = {
      ...action,
      actionId: newUuid(),
      conversationId,
      messageId,
      createdAt: new Date().toISOString(),
      order: this.order,
      userId,
    };
    this.deps.messages.getState().addAction(entry);
    this.writing.add(entry.actionId);
    void this.deps.outbox
      .put(entry)
      .finally(() => this.writing.delete(entry.actionId))
      .then(() => this.drain());
    return true;
  }

  /** Shows `userId`'s queued actions (after sign-in or a reload) and sends them if connected. */
  async restore(userId: string): Promise<void> {
    const entries = await this.deps.outbox.list(userId);
    if (this.deps.userId() !== userId) return;
    for (const entry of entries) {
      this.order = Math.max(this.order, entry.order);
      this.deps.messages.getState().addAction(entry);
    }
    this.drain();
  }

  /** How many of `userId`'s actions wait. Never rejects. */
  async count(userId: string): Promise<number> {
    return (await this.deps.outbox.list(userId)).length;
  }

  /** Deletes `userId`'s queue (deliberate sign-out). */
  async discard(userId: string): Promise<void> {
    await this.deps.outbox.removeAll(userId);
  }

  /** The signed-in person changed: stop retrying for the previous one. IndexedDB keeps their entries. */
  reset(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Sends what is queued, oldest first, until the queue is empty, the link drops or the server keeps failing. */
  drain(): void {
    const userId = this.deps.userId();
    if (!userId || !this.deps.connected()) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    const run = () => this.sendAll(userId);
    const done = this.deps.locks ? this.deps.locks.request(`chat-actions:${userId}`, run) : run();
    void done
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.drain();
        }
      });
  }

  private async sendAll(userId: string): Promise<void> {
    const mine = () => this.deps.userId() === userId;
    for (let guard = 0; guard < 10_000; guard += 1) {
      if (!mine() || !this.deps.connected()) return;
      const queue = await this.deps.outbox.list(userId);
      this.forgetSentElsewhere(queue);
      const entry = queue[0];
      if (!entry) return;
      try {
        const message = await backOff(() => waitingOutRateLimits(() => this.send(entry)), {
          numOfAttempts: OUTBOX_ATTEMPTS,
          startingDelay: OUTBOX_FIRST_DELAY_MS,
          maxDelay: OUTBOX_MAX_DELAY_MS,
          timeMultiple: 2,
          jitter: 'full',
          retry: (error: unknown) => this.deps.connected() && mine() && isTransient(error),
        });
        await this.deps.outbox.remove(entry.actionId);
        if (!mine()) return;
        this.deps.onAcked(message);
        this.deps.messages.getState().removeAction(entry.conversationId, entry.actionId);
      } catch (error) {
        if (!mine()) return;
        if (isTransient(error)) {
          // Offline: the next connect drains again. Connected but failing: try again a little later.
          if (this.deps.connected()) this.retryLater();
          return;
        }
        await this.deps.outbox.remove(entry.actionId);
        this.deps.messages.getState().removeAction(entry.conversationId, entry.actionId);
        this.deps.notify(`${failureText(entry)}: ${describeError(error)}`);
      }
    }
  }

  /** One attempt. @throws ApiError */
  private send(entry: ActionEntry): Promise<Message> {
    if (this.deps.userId() !== entry.userId)
      return Promise.reject(new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'Signed out.'));
    const target = { conversationId: entry.conversationId, messageId: entry.messageId };
    switch (entry.kind) {
      case 'edit':
        return this.deps.emit('message:edit', { ...target, body: entry.body });
      case 'delete':
        return this.deps.emit('message:delete', target);
      case 'react':
        return this.deps.emit(entry.add ? 'reaction:add' : 'reaction:remove', {
          ...target,
          emoji: entry.emoji,
        });
    }
  }

  /** Actions this tab shows but the queue no longer holds were confirmed by another tab: stop showing them. */
  private forgetSentElsewhere(queue: readonly ActionEntry[]): void {
    const queued = new Set(queue.map((e) => e.actionId));
    const { threads, removeAction } = this.deps.messages.getState();
    for (const [conversationId, thread] of Object.entries(threads))
      for (const action of thread.actions)
        if (!queued.has(action.actionId) && !this.writing.has(action.actionId))
          removeAction(conversationId, action.actionId);
  }

  private retryLater(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.drain();
    }, ACTION_RETRY_AFTER_MS);
  }
}

function isTransient(error: unknown): boolean {
  return !(error instanceof ApiError) || TRANSIENT.has(error.code);
}

/** The toast's opening words when the server refused an action (its reason follows). */
function failureText(entry: MessageAction): string {
  switch (entry.kind) {
    case 'edit':
      return 'Could not edit the message';
    case 'delete':
      return 'Could not delete the message';
    case 'react':
      return entry.add ? 'Could not add the reaction' : 'Could not remove the reaction';
  }
}
