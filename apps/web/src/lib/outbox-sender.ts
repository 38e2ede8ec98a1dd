import { createStore, type StoreApi } from 'zustand/vanilla';
import { backOff } from 'exponential-backoff';
import {
  ErrorCode,
  LIMITS,
  type Message,
  type ReplyQuote,
  type SendMessagePayload,
} from '@chat/shared';
import { ApiError, describeError } from './api-error';
import { browserLocks, type LockRequester } from './web-locks';
import type { Outbox, OutboxEntry } from './outbox';
import { newUuid } from './uuid';
import type { MessagesStore, PendingMessage, Thread } from '@/stores/messages-store';

/**
 * Retry policy (exponential-backoff): up to OUTBOX_ATTEMPTS sends while connected, waiting a random time up to 1 s,
 * 2 s, 4 s ... (capped at 30 s) between them ("full jitter", AWS Architecture Blog, "Exponential Backoff And
 * Jitter", 2015), so many clients coming back at once do not retry in step. While disconnected nothing is tried;
 * every pending entry is sent again when the connection returns. A RATE_LIMITED answer is waited out (its
 * `retryAfterMs`, see waitingOutRateLimits) without using up an attempt.
 */
export const OUTBOX_ATTEMPTS = 3;
export const OUTBOX_FIRST_DELAY_MS = 1_000;
export const OUTBOX_MAX_DELAY_MS = 30_000;

/** Errors after which sending the same message again cannot succeed: no automatic retries. */
const FINAL_SEND_ERRORS: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.CONVERSATION_NOT_FOUND,
  ErrorCode.MEMBERSHIP_ENDED,
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.ATTACHMENT_NOT_FOUND,
  ErrorCode.ATTACHMENT_IN_USE,
  ErrorCode.TOO_MANY_ATTACHMENTS,
  ErrorCode.CONTACT_UNAVAILABLE,
  ErrorCode.MESSAGE_NOT_FOUND,
]);

/** Most RATE_LIMITED answers one send waits out before the error goes to the retry policy above. */
export const MAX_RATE_LIMIT_WAITS = 10;

/**
 * Runs `attempt`; when the server refuses it with RATE_LIMITED and a `retryAfterMs` (the per-person write limit,
 * docs/protocol.md), waits that long and runs it again, up to MAX_RATE_LIMIT_WAITS times. So a person writing
 * faster than the limit (a long paste, an outbox flushing after a reconnect) gets their messages out at the pace the
 * server allows, and those waits do not use up the outbox's retry attempts. Any other error, or RATE_LIMITED without
 * a wait, is thrown at once.
 * @param sleep waits the given milliseconds (default: a timer)
 */
export async function waitingOutRateLimits<T>(
  attempt: () => Promise<T>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let waits = 0; ; waits++) {
    try {
      return await attempt();
    } catch (error) {
      const wait =
        error instanceof ApiError && error.code === ErrorCode.RATE_LIMITED
          ? error.retryAfterMs
          : undefined;
      if (wait === undefined || waits >= MAX_RATE_LIMIT_WAITS) throw error;
      await sleep(wait);
    }
  }
}

/** Shows an error to the person (a toast); nothing here swallows failures. */
export type Notify = (message: string) => void;

/** What a send waiting for its uploads gets: the finished uploads' ids (tray order) and how many failed. */
export interface HandedOffUploads {
  ids: string[];
  failed: number;
}

/** What the outbox sender works with. */
export interface OutboxSenderDeps {
  /** The persistent outbox (IndexedDB, shared by the browser's tabs). */
  outbox: Outbox;
  /** Where pending messages show. */
  messages: MessagesStore;
  /** The signed-in person, or null. */
  userId: () => string | null;
  /** Whether the live link is connected now. */
  connected: () => boolean;
  /** One `message:send` attempt: the stored message, or an ApiError (the ack's code, or SERVICE_UNAVAILABLE). */
  send: (payload: SendMessagePayload) => Promise<Message>;
  /** A message of this person was acknowledged (stored) while they are still signed in. */
  onStored: (message: Message) => void;
  notify: Notify;
  /** Cross-tab locks (default: the browser's Web Locks; none: this tab's own bookkeeping only). */
  locks?: LockRequester | undefined;
  /** The people a text mentions in a conversation (ids) and `@all` (see mentionsIn); none when missing. */
  mentionsFor?: (
    conversationId: string,
    body: string,
  ) => { mentions: string[]; mentionsAll: boolean };
}

/**
 * Sends the signed-in person's messages through the persistent outbox: a message shows at once as pending with a
 * fresh clientMessageId, is written to IndexedDB (so a reload does not lose it), and is sent now if connected, else
 * when the connection returns. Retries keep the clientMessageId, so the server stores a message at most once.
 *
 * One tab sends an entry at a time: `draining` within the tab, a Web Lock named after the entry across tabs. An
 * entry leaves the outbox only after the server acknowledged it. Where IndexedDB refuses a write (quota, private
 * mode) this tab keeps the entry in memory and still sends it.
 */
export class OutboxSender {
  /** Sends waiting for their uploads (`sendAfterUploads`), counted per conversation id. */
  readonly heldSends: StoreApi<Record<string, number>>;
  /** Outbox entries this tab is sending right now. */
  private readonly draining = new Set<string>();
  /**
   * Entries this tab wrote (send, retry, failure), until acknowledged: the outbox's memory when IndexedDB refused a
   * write, so such an entry is still resent on reconnect. `persisted`: the write succeeded, so IndexedDB (which
   * other tabs change) is the truth about it from then on.
   */
  private readonly mine = new Map<string, { entry: OutboxEntry; persisted: boolean }>();
  private readonly locks: LockRequester | undefined;

  constructor(private readonly deps: OutboxSenderDeps) {
    this.locks = 'locks' in deps ? deps.locks : browserLocks();
    this.heldSends = createStore<Record<string, number>>()(() => ({}));
    deps.messages.subscribe((state, previous) => {
      for (const [id, thread] of Object.entries(state.threads))
        this.forgetStoredEntries(thread, previous.threads[id]);
    });
  }

  /**
   * Sends a message. Blank bodies are ignored unless attachments come with them; bodies over
   * LIMITS.MESSAGE_BODY_MAX are refused locally (the composer prevents both). Nothing happens when signed out.
   * @param attachmentIds uploaded, unsent attachments to send with the text
   * @returns whether the message was queued
   */
  send(
    conversationId: string,
    body: string,
    attachmentIds: readonly string[] = [],
    replyTo?: ReplyQuote,
  ): boolean {
    const text = body.trim();
    // Worked out once, when written: a retry sends the same structure with the same text.
    const mentioned = this.deps.mentionsFor?.(conversationId, text) ?? {
      mentions: [],
      mentionsAll: false,
    };
    const userId = this.deps.userId();
    const minLength = attachmentIds.length > 0 ? 0 : LIMITS.MESSAGE_BODY_MIN;
    if (!userId || text.length < minLength || text.length > LIMITS.MESSAGE_BODY_MAX) return false;
    const entry: OutboxEntry = {
      clientMessageId: newUuid(),
      userId,
      conversationId,
      body: text,
      ...(attachmentIds.length > 0 ? { attachmentIds: [...attachmentIds] } : {}),
      ...(mentioned.mentions.length > 0 ? { mentions: [...mentioned.mentions] } : {}),
      ...(mentioned.mentionsAll ? { mentionsAll: true } : {}),
      ...(replyTo ? { replyTo } : {}),
      createdAt: new Date().toISOString(),
      status: 'pending',
      error: null,
    };
    this.deps.messages.getState().addPending(toPending(entry));
    void this.keep(entry).then(() => this.drain(entry));
    return true;
  }

  /**
   * Sends `body` with the files of a composer's tray once their uploads finish, so the send survives the person
   * switching conversations meanwhile. Uploads that failed are left out, with a toast; if none succeeded and there
   * is no text, nothing is sent and the person is told. Dropped if the person signs out meanwhile (it must never go
   * out as someone else).
   */
  sendAfterUploads(
    conversationId: string,
    body: string,
    uploads: Promise<HandedOffUploads>,
    replyTo?: ReplyQuote,
  ): void {
    const userId = this.deps.userId();
    if (!userId) return;
    const hold = (delta: number): void =>
      this.heldSends.setState((s) => ({
        [conversationId]: Math.max(0, (s[conversationId] ?? 0) + delta),
      }));
    hold(1);
    void uploads.then(({ ids, failed }) => {
      if (this.deps.userId() !== userId) return; // signed out meanwhile: heldSends was emptied
      hold(-1);
      const files = failed === 1 ? 'A file' : `${failed} files`;
      if (ids.length === 0 && body.trim().length < LIMITS.MESSAGE_BODY_MIN) {
        this.deps.notify(
          `Message not sent: ${failed === 1 ? 'the file' : 'none of the files'} could not be uploaded.`,
        );
        return;
      }
      if (failed > 0)
        this.deps.notify(
          `${files} could not be uploaded and ${failed === 1 ? 'was' : 'were'} left out.`,
        );
      this.send(conversationId, body, ids, replyTo);
    });
  }

  /** Sends a failed message again with the same clientMessageId, so the server stores it at most once. */
  retry(conversationId: string, clientMessageId: string): void {
    const pending = this.deps.messages
      .getState()
      .threads[conversationId]?.pending.find((p) => p.clientMessageId === clientMessageId);
    const userId = this.deps.userId();
    if (!pending || pending.status !== 'failed' || !userId) return;
    this.deps.messages
      .getState()
      .setPendingStatus(conversationId, clientMessageId, 'pending', null);
    const entry: OutboxEntry = { ...pending, userId, status: 'pending', error: null };
    void this.keep(entry).then(() => this.drain(entry));
  }

  /**
   * How many of `userId`'s messages have not been sent: outbox entries (pending or failed, from IndexedDB and this
   * tab's memory) and sends waiting for uploads. Never rejects.
   */
  async unsentCount(userId: string): Promise<number> {
    const stored = await this.deps.outbox.list(userId).catch(() => [] as OutboxEntry[]);
    const ids = new Set(stored.map((e) => e.clientMessageId));
    for (const { entry } of this.mine.values())
      if (entry.userId === userId) ids.add(entry.clientMessageId);
    const held = Object.values(this.heldSends.getState()).reduce((sum, n) => sum + n, 0);
    return ids.size + held;
  }

  /** Deletes every outbox entry of `userId` (a deliberate sign-out). Never rejects. */
  async discard(userId: string): Promise<void> {
    await this.deps.outbox.removeAll(userId).catch(() => undefined);
  }

  /** Forgets this tab's memory and held sends (the signed-in person changed). IndexedDB keeps their entries. */
  reset(): void {
    this.mine.clear();
    this.heldSends.setState({}, true);
  }

  /** Shows `userId`'s outbox (after sign-in or a reload) and sends what is pending if connected. */
  async restore(userId: string): Promise<void> {
    const entries = await this.deps.outbox.list(userId).catch(() => [] as OutboxEntry[]);
    if (this.deps.userId() !== userId) return;
    const messages = this.deps.messages.getState();
    for (const entry of entries) {
      const thread = messages.threads[entry.conversationId];
      if (thread?.messages.some((m) => isEntry(m, userId, entry.clientMessageId))) {
        // Already stored (its ack was lost): nothing to show or send.
        void this.deps.outbox.remove(entry.clientMessageId).catch(() => undefined);
        continue;
      }
      messages.addPending(toPending(entry)); // no-op when already shown
    }
    this.drainAll();
  }

  /** Sends every pending entry of the signed-in person (on connect): IndexedDB's, and those only this tab holds. */
  drainAll(): void {
    const userId = this.deps.userId();
    if (!userId || !this.deps.connected()) return;
    void this.deps.outbox
      .list(userId)
      .catch(() => [] as OutboxEntry[])
      .then((stored) => {
        const byId = new Map(stored.map((e) => [e.clientMessageId, e]));
        for (const { entry, persisted } of this.mine.values()) {
          // Persisted but no longer listed: acknowledged by another tab meanwhile.
          if (entry.userId === userId && !persisted) byId.set(entry.clientMessageId, entry);
        }
        for (const entry of byId.values()) if (entry.status === 'pending') this.drain(entry);
      });
  }

  /** Remembers `entry` in this tab and writes it to IndexedDB. Never rejects: a refused write leaves it in memory. */
  private async keep(entry: OutboxEntry): Promise<void> {
    const record = { entry, persisted: false };
    this.mine.set(entry.clientMessageId, record);
    try {
      await this.deps.outbox.put(entry);
      record.persisted = true;
    } catch {
      // Storage refused (quota, private mode): this tab still sends it, from memory.
    }
  }

  /**
   * The entry as it stands now: this tab's copy while IndexedDB never got it, else IndexedDB's (another tab may have
   * sent it, or given up on it). Undefined once it was acknowledged. Unreadable storage: `fallback`.
   */
  private async queued(fallback: OutboxEntry): Promise<OutboxEntry | undefined> {
    const id = fallback.clientMessageId;
    const own = this.mine.get(id);
    if (own && !own.persisted) return own.entry;
    const stored = await this.deps.outbox.get(id).catch(() => own?.entry ?? fallback);
    if (!stored) this.mine.delete(id);
    return stored;
  }

  /**
   * Sends one entry with retries (see OUTBOX_ATTEMPTS), under the entry's lock. A tab that finds the lock held waits
   * for it (MDN, LockManager.request: without `ifAvailable` the request queues until the holder releases it, which
   * also happens when the holding tab closes mid-send) and then sends only what is still queued; one another tab
   * gave up on stays failed. No `steal`: it would let two tabs send at once. Disconnected: stops quietly, the entry
   * stays pending for the next connect (or, if the link came back meanwhile, drains again at once).
   */
  private drain(entry: OutboxEntry): void {
    const id = entry.clientMessageId;
    if (this.draining.has(id)) return;
    this.draining.add(id);
    const mine = (): boolean => this.deps.userId() === entry.userId;
    let parked = false;
    const run = async (): Promise<void> => {
      const current = await this.queued(entry);
      if (!current || !mine()) return;
      if (current.status === 'failed') {
        // Another tab gave up on it while this one waited for the lock: show it failed here too, for Retry.
        this.deps.messages
          .getState()
          .setPendingStatus(entry.conversationId, id, 'failed', current.error);
        return;
      }
      try {
        await backOff(() => waitingOutRateLimits(() => this.sendEntry(entry)), {
          numOfAttempts: OUTBOX_ATTEMPTS,
          startingDelay: OUTBOX_FIRST_DELAY_MS,
          maxDelay: OUTBOX_MAX_DELAY_MS,
          timeMultiple: 2,
          jitter: 'full',
          retry: (error: unknown) => this.deps.connected() && !isFinalSendError(error) && mine(),
        });
      } catch (error) {
        if (!mine()) return;
        if (!this.deps.connected() && !isFinalSendError(error)) {
          parked = true; // resent on the next connect
          return;
        }
        const reason = describeError(error);
        this.deps.messages.getState().setPendingStatus(entry.conversationId, id, 'failed', reason);
        await this.keep({ ...entry, status: 'failed', error: reason });
        this.deps.notify(`Message not sent: ${reason}`);
      }
    };
    const done = this.locks ? this.locks.request(`chat-outbox:${id}`, run) : run();
    void done.finally(() => {
      this.draining.delete(id);
      // The link came back while this drain was stopping: that connect's drainAll skipped the entry (still draining).
      if (parked && this.deps.connected() && mine()) this.drain(entry);
    });
  }

  /** One attempt. @throws ApiError (SERVICE_UNAVAILABLE when offline or without an ack in time, or the ack's code) */
  private async sendEntry(entry: OutboxEntry): Promise<void> {
    const stillQueued = await this.queued(entry);
    if (!stillQueued) return; // another tab's send was acknowledged meanwhile; its message:new reaches this tab
    // Another person signed in meanwhile (during a backoff delay or the IndexedDB read): never send this entry
    // on their socket. It stays in the outbox for its author's next session.
    if (this.deps.userId() !== entry.userId)
      throw new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'Signed out.');
    if (!this.deps.connected())
      throw new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'You are offline.');
    const stored = await this.deps.send({
      conversationId: entry.conversationId,
      clientMessageId: entry.clientMessageId,
      body: entry.body,
      ...(entry.attachmentIds?.length ? { attachmentIds: entry.attachmentIds } : {}),
      ...(entry.mentions?.length ? { mentions: entry.mentions } : {}),
      ...(entry.mentionsAll ? { mentionsAll: true } : {}),
      ...(entry.replyTo ? { replyToId: entry.replyTo.messageId } : {}),
    });
    this.mine.delete(entry.clientMessageId);
    await this.deps.outbox.remove(entry.clientMessageId).catch(() => undefined);
    if (this.deps.userId() === entry.userId) this.deps.onStored(stored);
  }

  /**
   * A history page or catch-up showed that the server stored some of this person's pending messages (their ack was
   * lost): the store dropped them from `pending`, and their outbox entries go too. Without this a `failed` entry the
   * server did store would stay in IndexedDB for ever, hidden (restore skips what the thread already holds).
   */
  private forgetStoredEntries(thread: Thread, before: Thread | undefined): void {
    const selfId = this.deps.userId();
    if (!selfId || !before || thread.pending === before.pending) return;
    for (const p of before.pending) {
      if (thread.pending.some((q) => q.clientMessageId === p.clientMessageId)) continue;
      if (thread.messages.some((m) => isEntry(m, selfId, p.clientMessageId))) {
        this.mine.delete(p.clientMessageId);
        void this.deps.outbox.remove(p.clientMessageId).catch(() => undefined);
      }
    }
  }
}

/** Whether `message` is the stored form of `userId`'s outbox entry `clientMessageId`. */
function isEntry(message: Message, userId: string, clientMessageId: string): boolean {
  return message.senderId === userId && message.clientMessageId === clientMessageId;
}

function toPending(entry: OutboxEntry): PendingMessage {
  return {
    clientMessageId: entry.clientMessageId,
    conversationId: entry.conversationId,
    body: entry.body,
    ...(entry.attachmentIds ? { attachmentIds: entry.attachmentIds } : {}),
    ...(entry.replyTo ? { replyTo: entry.replyTo } : {}),
    createdAt: entry.createdAt,
    status: entry.status,
    error: entry.error,
  };
}

function isFinalSendError(error: unknown): boolean {
  return error instanceof ApiError && FINAL_SEND_ERRORS.has(error.code);
}
