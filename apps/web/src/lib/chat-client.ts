import { createStore, type StoreApi } from 'zustand/vanilla';
import { backOff } from 'exponential-backoff';
import { ErrorCode, LIMITS, type Message, type PublicUser } from '@chat/shared';
import { ApiClient, ApiError, describeError } from './api-client';
import { Outbox, type OutboxEntry } from './outbox';
import { waitingOutRateLimits } from './rate-limit';
import { ReceiptSender } from './receipt-sender';
import { closeChatSocket, createChatSocket, sendMessage, type ChatSocket } from './socket';
import { newUuid } from './uuid';
import { createSessionStore, type SessionStore } from '@/stores/session-store';
import { createConversationsStore, type ConversationsStore } from '@/stores/conversations-store';
import {
  createMessagesStore,
  type MessagesStore,
  type PendingMessage,
  type Thread,
} from '@/stores/messages-store';
import { createPresenceStore, type PresenceStore } from '@/stores/presence-store';

/**
 * Real-time link state, for the connection banner. `reconnected` is true from a reconnect (not the first connect)
 * until the banner has shown "Back online".
 */
export interface ConnectionState {
  status: 'idle' | 'connecting' | 'online' | 'offline';
  reconnected: boolean;
}

/**
 * Outbox retry policy (exponential-backoff): up to OUTBOX_ATTEMPTS sends while connected, waiting a random time up
 * to 1 s, 2 s, 4 s ... (capped at 30 s) between them ("full jitter", AWS Architecture Blog, "Exponential Backoff And
 * Jitter", 2015), so many clients coming back at once do not retry in step. While disconnected nothing is tried;
 * every pending entry is sent again when the connection returns. A RATE_LIMITED answer is waited out (its
 * `retryAfterMs`, see waitingOutRateLimits) without using up an attempt.
 */
const OUTBOX_ATTEMPTS = 3;
const OUTBOX_FIRST_DELAY_MS = 1_000;
const OUTBOX_MAX_DELAY_MS = 30_000;

/** Errors after which sending the same message again cannot succeed: no automatic retries. */
const FINAL_SEND_ERRORS: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.CONVERSATION_NOT_FOUND,
  ErrorCode.MEMBERSHIP_ENDED,
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.ATTACHMENT_NOT_FOUND,
  ErrorCode.ATTACHMENT_IN_USE,
  ErrorCode.TOO_MANY_ATTACHMENTS,
]);

/** Stop "typing" this long after the last keystroke (the receivers' TTL would clear it later anyway). */
const TYPING_IDLE_MS = LIMITS.TYPING_THROTTLE_MS * 2;

/** What a send waiting for its uploads gets: the finished uploads' ids (tray order) and how many failed. */
export interface HandedOffUploads {
  ids: string[];
  failed: number;
}

/** Shows an error to the person (a toast); the chat client never swallows failures. */
export type Notify = (message: string) => void;

/**
 * Everything one browser tab needs for one signed-in person: the REST client, the socket, and the stores.
 * Made once per tab by `ChatProvider` (so nothing per-user lives in module state shared across SSR requests).
 *
 * Lifecycle: `start()` restores the session through the refresh cookie; when the session becomes signed in
 * the socket connects and the conversation list loads; on sign-out the socket closes and the per-user stores
 * are emptied. After every reconnect the list is reloaded and each opened conversation catches up by seq
 * (ARCHITECTURE.md section 3, "Resync").
 */
export class ChatClient {
  readonly api: ApiClient;
  readonly session: SessionStore;
  readonly conversations: ConversationsStore;
  readonly messages: MessagesStore;
  readonly connection: StoreApi<ConnectionState>;
  readonly presence: PresenceStore;
  /** Sends waiting for their uploads (sendAfterUploads), counted per conversation id. */
  readonly heldSends: StoreApi<Record<string, number>>;
  private readonly outbox = new Outbox();
  /** Outbox entries this tab is sending right now (one drain per entry and tab; a Web Lock covers tabs). */
  private readonly draining = new Set<string>();
  /**
   * Entries this tab wrote (send, retry, failure), until acknowledged: the outbox's memory when IndexedDB refused a
   * write (quota, private mode), so such an entry is still resent on reconnect. `persisted`: the write succeeded,
   * so IndexedDB (which other tabs change) is the truth about it from then on.
   */
  private readonly mine = new Map<string, { entry: OutboxEntry; persisted: boolean }>();
  private readonly receipts: ReceiptSender;
  /** Typing sent per conversation: when `typing: true` was last emitted, and the idle timer that stops it. */
  private readonly typingState = new Map<
    string,
    { sentAt: number; idle: ReturnType<typeof setTimeout> }
  >();
  private socket: ChatSocket | null = null;
  private userId: string | null = null;
  private hasConnected = false;
  private unsubscribe: (() => void) | null = null;
  private readonly notify: Notify;

  /** @param apiUrl the API origin (see `resolveApiUrl`). @param notify shows an error message to the person. */
  constructor(apiUrl: string, notify: Notify) {
    this.notify = notify;
    this.api = new ApiClient(apiUrl);
    this.session = createSessionStore(this.api);
    this.conversations = createConversationsStore(this.api);
    this.messages = createMessagesStore(this.api, (error) => this.notify(describeError(error)));
    this.connection = createStore<ConnectionState>()(() => ({
      status: 'idle',
      reconnected: false,
    }));
    this.presence = createPresenceStore();
    this.heldSends = createStore<Record<string, number>>()(() => ({}));
    this.receipts = new ReceiptSender({
      socket: () => (this.socket?.connected ? this.socket : null),
      selfId: () => this.userId,
      conversations: this.conversations,
    });
    // Delivery receipts: whenever a thread's newest seq rises (live message, first page, catch-up after a resync),
    // a device of this person has received everything up to it.
    this.messages.subscribe((state, previous) => {
      for (const [id, thread] of Object.entries(state.threads)) {
        const newest = thread.messages[thread.messages.length - 1]?.seq ?? 0;
        const before = previous.threads[id]?.messages;
        if (newest > (before?.[before.length - 1]?.seq ?? 0)) this.receipts.delivered(id, newest);
        this.forgetStoredEntries(thread, previous.threads[id]);
      }
    });
  }

  /** Begins following the session and restores it once. Idempotent (React Strict Mode runs effects twice). */
  start(): void {
    if (this.unsubscribe) return;
    if (typeof window !== 'undefined') {
      window.addEventListener('focus', this.onAttentionChange);
      window.addEventListener('blur', this.onAttentionChange);
      document.addEventListener('visibilitychange', this.onAttentionChange);
      this.onAttentionChange();
    }
    this.unsubscribe = this.session.subscribe((state) => this.onSession(state.user?.id ?? null));
    this.onSession(this.session.getState().user?.id ?? null);
    if (this.session.getState().status === 'restoring') void this.session.getState().restore();
  }

  /** Stops following the session and closes the socket; `start()` may be called again. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (typeof window !== 'undefined') {
      window.removeEventListener('focus', this.onAttentionChange);
      window.removeEventListener('blur', this.onAttentionChange);
      document.removeEventListener('visibilitychange', this.onAttentionChange);
    }
    this.closeSocket();
    this.userId = null;
  }

  /**
   * Sends a text message through the outbox: it shows at once as pending with a fresh clientMessageId, is stored in
   * IndexedDB (so a reload does not lose it), and is sent now if connected, else when the connection returns.
   * Blank bodies are ignored unless attachments come with them; bodies over LIMITS.MESSAGE_BODY_MAX are refused
   * locally (the composer prevents both).
   * @param attachmentIds uploaded, unsent attachments (the composer's tray) to send with the text
   */
  send(conversationId: string, body: string, attachmentIds: readonly string[] = []): void {
    const text = body.trim();
    const userId = this.userId;
    const minLength = attachmentIds.length > 0 ? 0 : LIMITS.MESSAGE_BODY_MIN;
    if (!userId || text.length < minLength || text.length > LIMITS.MESSAGE_BODY_MAX) return;
    const entry: OutboxEntry = {
      clientMessageId: newUuid(),
      userId,
      conversationId,
      body: text,
      ...(attachmentIds.length > 0 ? { attachmentIds: [...attachmentIds] } : {}),
      createdAt: new Date().toISOString(),
      status: 'pending',
      error: null,
    };
    // The server ends the typing indicator when the message is stored; only forget it here.
    this.stopTyping(conversationId, false);
    this.messages.getState().addPending(toPending(entry));
    void this.keep(entry).then(() => this.drain(entry));
  }

  /**
   * Sends `body` with the files of a composer's tray once their uploads finish ("sending waits for uploads"). Held
   * here rather than in the composer so the send survives the person switching conversations meanwhile (the
   * composer and its tray unmount; handed-off uploads keep running). Uploads that failed are left out, with a toast;
   * if none succeeded and there is no text, nothing is sent and the person is told. Dropped if the person signs out
   * meanwhile (it must never go out as someone else).
   */
  sendAfterUploads(conversationId: string, body: string, uploads: Promise<HandedOffUploads>): void {
    const userId = this.userId;
    if (!userId) return;
    const hold = (delta: number): void =>
      this.heldSends.setState((s) => ({
        [conversationId]: Math.max(0, (s[conversationId] ?? 0) + delta),
      }));
    hold(1);
    this.stopTyping(conversationId, false);
    void uploads.then(({ ids, failed }) => {
      if (this.userId !== userId) return; // signed out meanwhile: heldSends was emptied
      hold(-1);
      const files = failed === 1 ? 'A file' : `${failed} files`;
      if (ids.length === 0 && body.trim().length < LIMITS.MESSAGE_BODY_MIN) {
        this.notify(
          `Message not sent: ${failed === 1 ? 'the file' : 'none of the files'} could not be uploaded.`,
        );
        return;
      }
      if (failed > 0)
        this.notify(
          `${files} could not be uploaded and ${failed === 1 ? 'was' : 'were'} left out.`,
        );
      this.send(conversationId, body, ids);
    });
  }

  /**
   * How many of the signed-in person's messages have not been sent: outbox entries (pending or failed, from
   * IndexedDB and this tab's memory) and sends waiting for uploads. 0 when signed out. Never rejects.
   */
  async unsentCount(): Promise<number> {
    const userId = this.userId;
    if (!userId) return 0;
    const stored = await this.outbox.list(userId).catch(() => [] as OutboxEntry[]);
    const ids = new Set(stored.map((e) => e.clientMessageId));
    for (const { entry } of this.mine.values())
      if (entry.userId === userId) ids.add(entry.clientMessageId);
    const held = Object.values(this.heldSends.getState()).reduce((sum, n) => sum + n, 0);
    return ids.size + held;
  }

  /**
   * Signs out on purpose and discards the person's unsent messages: their outbox entries are deleted from
   * IndexedDB, which the next person on this browser could otherwise read (the caller asks for confirmation
   * first, see `unsentCount`). An expired or revoked session keeps them for the same person's next sign-in.
   * @throws ApiError when the API did not confirm the logout (this tab is signed out and the outbox gone anyway)
   */
  async signOut(): Promise<void> {
    const userId = this.userId;
    try {
      await this.session.getState().logout();
    } finally {
      // After logout: the session change has stopped every drain of this person, so nothing writes them back.
      if (userId) await this.outbox.removeAll(userId).catch(() => undefined);
    }
  }

  /** Sends a failed message again with the same clientMessageId, so the server stores it at most once. */
  retry(conversationId: string, clientMessageId: string): void {
    const pending = this.messages
      .getState()
      .threads[conversationId]?.pending.find((p) => p.clientMessageId === clientMessageId);
    const userId = this.userId;
    if (!pending || pending.status !== 'failed' || !userId) return;
    this.messages.getState().setPendingStatus(conversationId, clientMessageId, 'pending', null);
    const entry: OutboxEntry = { ...pending, userId, status: 'pending', error: null };
    void this.keep(entry).then(() => this.drain(entry));
  }

  /** Remembers `entry` in this tab and writes it to IndexedDB. Never rejects: a refused write leaves it in memory. */
  private async keep(entry: OutboxEntry): Promise<void> {
    const record = { entry, persisted: false };
    this.mine.set(entry.clientMessageId, record);
    try {
      await this.outbox.put(entry);
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
    const stored = await this.outbox.get(id).catch(() => own?.entry ?? fallback);
    if (!stored) this.mine.delete(id);
    return stored;
  }

  /**
   * The composer's text changed: `typing` true while there is text. Emits `typing:update` true at most once per
   * LIMITS.TYPING_THROTTLE_MS, and false when the text is cleared or after TYPING_IDLE_MS without keystrokes.
   */
  typing(conversationId: string, typing: boolean): void {
    if (!typing) return this.stopTyping(conversationId);
    const socket = this.socket;
    if (!socket?.connected) return;
    const now = Date.now();
    const current = this.typingState.get(conversationId);
    if (current) clearTimeout(current.idle);
    const renew = !current || now - current.sentAt >= LIMITS.TYPING_THROTTLE_MS;
    if (renew) socket.emit('typing:update', { conversationId, typing: true });
    this.typingState.set(conversationId, {
      sentAt: renew ? now : (current?.sentAt ?? now),
      idle: setTimeout(() => this.stopTyping(conversationId), TYPING_IDLE_MS),
    });
  }

  /**
   * The conversation is on screen and the window focused: everything up to `seq` is read (debounced receipt).
   */
  markRead(conversationId: string, seq: number): void {
    this.receipts.read(conversationId, seq);
  }

  private stopTyping(conversationId: string, tell = true): void {
    const current = this.typingState.get(conversationId);
    if (!current) return;
    clearTimeout(current.idle);
    this.typingState.delete(conversationId);
    if (tell && this.socket?.connected)
      this.socket.emit('typing:update', { conversationId, typing: false });
  }

  /**
   * Sends one outbox entry with retries (see OUTBOX_ATTEMPTS). Only one tab drains an entry at a time, so it is never
   * sent twice concurrently: `draining` within the tab, a Web Lock named after it across tabs. A tab that finds the
   * lock held waits for it (MDN, LockManager.request: without `ifAvailable` the request queues until the holder
   * releases it, which also happens when the holding tab closes mid-send) and then sends only what is still queued:
   * an entry leaves the outbox only after the server acknowledged it, and one another tab gave up on stays failed.
   * No `steal`: it would let two tabs send at once. Disconnected: stops quietly, the entry stays pending for the
   * next connect (or, if the link came back meanwhile, drains again at once).
   */
  private drain(entry: OutboxEntry): void {
    const id = entry.clientMessageId;
    if (this.draining.has(id)) return;
    this.draining.add(id);
    let parked = false;
    const run = async (): Promise<void> => {
      const current = await this.queued(entry);
      if (!current || this.userId !== entry.userId) return;
      if (current.status === 'failed') {
        // Another tab gave up on it while this one waited for the lock: show it failed here too, for Retry.
        this.messages
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
          retry: (error: unknown) =>
            this.isConnected() && !isFinalSendError(error) && this.userId === entry.userId,
        });
      } catch (error) {
        if (this.userId !== entry.userId) return;
        if (!this.isConnected() && !isFinalSendError(error)) {
          parked = true; // resent on the next connect
          return;
        }
        const reason = describeError(error);
        this.messages.getState().setPendingStatus(entry.conversationId, id, 'failed', reason);
        await this.keep({ ...entry, status: 'failed', error: reason });
        this.notify(`Message not sent: ${reason}`);
      }
    };
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const done = locks ? locks.request(`chat-outbox:${id}`, () => run()) : run();
    void done.finally(() => {
      this.draining.delete(id);
      // The link came back while this drain was stopping: that connect's drainAll skipped the entry (still draining).
      if (parked && this.isConnected() && this.userId === entry.userId) this.drain(entry);
    });
  }

  /**
   * The window is attentive while the page is visible and focused: the server's rule for "read" (issue 6), so a
   * conversation open in a background window still counts its new messages as unread (badge and title) until the
   * person looks at it again. Becoming attentive clears the open conversation's badge; `useReadReceipts` then sends
   * the read receipt.
   */
  private readonly onAttentionChange = (): void => {
    const attentive = document.visibilityState === 'visible' && document.hasFocus();
    if (attentive !== this.conversations.getState().attentive)
      this.conversations.getState().setAttentive(attentive);
  };

  /** One attempt. @throws ApiError (SERVICE_UNAVAILABLE when offline or without an ack in time, or the ack's code) */
  private async sendEntry(entry: OutboxEntry): Promise<void> {
    const stillQueued = await this.queued(entry);
    if (!stillQueued) return; // another tab's send was acknowledged meanwhile; its message:new reaches this tab
    // Another person signed in meanwhile (during a backoff delay or the IndexedDB read): never send this entry
    // on their socket. It stays in the outbox for its author's next session.
    if (this.userId !== entry.userId)
      throw new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'Signed out.');
    const socket = this.socket;
    if (!socket?.connected)
      throw new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'You are offline.');
    const stored = await sendMessage(socket, {
      conversationId: entry.conversationId,
      clientMessageId: entry.clientMessageId,
      body: entry.body,
      ...(entry.attachmentIds?.length ? { attachmentIds: entry.attachmentIds } : {}),
    });
    this.mine.delete(entry.clientMessageId);
    await this.outbox.remove(entry.clientMessageId).catch(() => undefined);
    if (this.userId === entry.userId) this.onStoredMessage(stored);
  }

  private isConnected(): boolean {
    return this.socket?.connected === true;
  }

  /**
   * A history page or catch-up showed that the server stored some of this person's pending messages (their ack was
   * lost): the store dropped them from `pending`, and their outbox entries go too. Without this a `failed` entry the
   * server did store would stay in IndexedDB for ever, hidden (restoreOutbox skips what the thread already holds).
   */
  private forgetStoredEntries(thread: Thread, before: Thread | undefined): void {
    const selfId = this.userId;
    if (!selfId || !before || thread.pending === before.pending) return;
    for (const p of before.pending) {
      if (thread.pending.some((q) => q.clientMessageId === p.clientMessageId)) continue;
      if (
        thread.messages.some(
          (m) => m.senderId === selfId && m.clientMessageId === p.clientMessageId,
        )
      ) {
        this.mine.delete(p.clientMessageId);
        void this.outbox.remove(p.clientMessageId).catch(() => undefined);
      }
    }
  }

  /** Shows this person's outbox (after sign-in or a reload) and sends what is pending if connected. */
  private async restoreOutbox(userId: string): Promise<void> {
    const entries = await this.outbox.list(userId).catch(() => [] as OutboxEntry[]);
    if (this.userId !== userId) return;
    for (const entry of entries) {
      const thread = this.messages.getState().threads[entry.conversationId];
      if (
        thread?.messages.some(
          (m) => m.senderId === userId && m.clientMessageId === entry.clientMessageId,
        )
      ) {
        // Already stored (its ack was lost): nothing to show or send.
        void this.outbox.remove(entry.clientMessageId).catch(() => undefined);
        continue;
      }
      if (!thread?.pending.some((p) => p.clientMessageId === entry.clientMessageId)) {
        this.messages.getState().addPending(toPending(entry));
      }
    }
    this.drainAll();
  }

  /** Sends every pending entry of the signed-in person (on connect): IndexedDB's, and those only this tab holds. */
  private drainAll(): void {
    const userId = this.userId;
    if (!userId || !this.isConnected()) return;
    void this.outbox
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

  private onStoredMessage(message: Message): void {
    const selfId = this.userId;
    if (!selfId) return;
    this.messages.getState().receive(message, selfId);
    // This device received it: a delivery receipt, whether or not the conversation is open.
    if (message.senderId !== selfId) this.receipts.delivered(message.conversationId, message.seq);
    // A sender has read everything up to their own message (the server raised their marks on append).
    this.conversations.getState().raiseMarks(
      {
        conversationId: message.conversationId,
        userId: message.senderId,
        deliveredSeq: message.seq,
        readSeq: message.seq,
      },
      selfId,
    );
    if (message.senderId !== selfId)
      this.presence.getState().clearTyping(message.conversationId, message.senderId);
    this.conversations
      .getState()
      .applyMessage(message, selfId, this.conversations.getState().attentive)
      .then(() => this.receipts.flush())
      .catch((error: unknown) => this.notify(describeError(error)));
  }

  /** Someone's public profile changed (e.g. their picture): show it wherever they appear, without a reload. */
  private onUserUpdated(user: PublicUser): void {
    const self = this.session.getState().user;
    if (self && self.id === user.id) this.session.setState({ user: { ...self, ...user } });
    const { byId, upsert } = this.conversations.getState();
    for (const conversation of Object.values(byId)) {
      if (!conversation.members.some((m) => m.user.id === user.id)) continue;
      upsert({
        ...conversation,
        members: conversation.members.map((m) => (m.user.id === user.id ? { ...m, user } : m)),
      });
    }
  }

  private onSession(userId: string | null): void {
    if (userId === this.userId) return;
    this.closeSocket();
    this.conversations.getState().reset();
    this.messages.getState().reset();
    this.presence.getState().reset();
    this.receipts.reset();
    this.mine.clear();
    this.heldSends.setState({}, true);
    this.userId = userId;
    if (userId) {
      this.openSocket();
      void this.restoreOutbox(userId);
      this.conversations
        .getState()
        .load()
        .then(() => this.receipts.flush())
        .catch((error: unknown) =>
          this.notify(`Could not load conversations: ${describeError(error)}`),
        );
    }
  }

  private openSocket(): void {
    const socket = createChatSocket(this.api);
    this.hasConnected = false;
    socket.on('connect', () => {
      this.connection.setState({ status: 'online', reconnected: this.hasConnected });
      // The first connect too: the list and any opened thread may have loaded over REST before this socket joined
      // its room, and what was sent in between would otherwise be missing until the next message shows the gap.
      this.resync();
      this.hasConnected = true;
      this.drainAll();
      this.receipts.flush();
    });
    socket.on('disconnect', () => {
      this.connection.setState({ status: 'offline' });
      // Typing state is per connection on the server; start afresh next time.
      for (const { idle } of this.typingState.values()) clearTimeout(idle);
      this.typingState.clear();
    });
    socket.on('connect_error', (error) => {
      if (this.socket !== socket) return; // closed meanwhile (SESSION_REVOKED signs out first, in socket.ts)
      this.connection.setState({ status: 'offline' });
      // Token problems are handled by refreshing (socket.ts); a lost session shows the sign-in page.
      // SERVICE_UNAVAILABLE is retried there too: the offline banner says enough.
      const handled: string[] = [
        ErrorCode.TOKEN_EXPIRED,
        ErrorCode.UNAUTHENTICATED,
        ErrorCode.SERVICE_UNAVAILABLE,
      ];
      if (!socket.active && !handled.includes(error.message)) {
        this.notify(`Real-time connection refused: ${error.message}`);
      }
    });
    socket.on('message:new', (message) => this.onStoredMessage(message));
    socket.on('conversation:updated', (conversation) =>
      this.conversations.getState().upsert(conversation),
    );
    socket.on('user:updated', (user) => this.onUserUpdated(user));
    socket.on('presence:snapshot', (states) => this.presence.getState().applySnapshot(states));
    socket.on('presence:update', (state) => this.presence.getState().applyUpdate(state));
    socket.on('typing:update', (event) => this.presence.getState().applyTyping(event));
    socket.on('receipt:update', (event) => {
      if (this.userId) this.conversations.getState().raiseMarks(event, this.userId);
    });
    this.connection.setState({ status: 'connecting' });
    socket.connect();
    this.socket = socket;
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', this.onBrowserOffline);
      window.addEventListener('online', this.onBrowserOnline);
    }
  }

  /**
   * The browser knows before Socket.IO's heartbeat (up to pingInterval + pingTimeout, 45 s by default) when the
   * network goes away: drop the transport at once (Socket.IO then reconnects with its backoff) and try again as
   * soon as the network is back.
   */
  private readonly onBrowserOffline = (): void => {
    this.socket?.io.engine?.close();
  };

  private readonly onBrowserOnline = (): void => {
    const socket = this.socket;
    if (socket && !socket.connected) socket.connect();
  };

  private closeSocket(): void {
    if (typeof window !== 'undefined') {
      window.removeEventListener('offline', this.onBrowserOffline);
      window.removeEventListener('online', this.onBrowserOnline);
    }
    if (!this.socket) return;
    closeChatSocket(this.socket);
    this.socket = null;
    this.connection.setState({ status: 'idle', reconnected: false });
  }

  /** After every connect (first or re-): reload the list and fetch every opened conversation's messages after its last seq. */
  private resync(): void {
    const report = (error: unknown): void =>
      this.notify(`Could not catch up: ${describeError(error)}`);
    this.conversations
      .getState()
      .load()
      .then(() => this.receipts.flush())
      .catch(report);
    for (const [id, thread] of Object.entries(this.messages.getState().threads)) {
      if (thread.status === 'ready') this.messages.getState().catchUp(id).catch(report);
    }
  }
}

function toPending(entry: OutboxEntry): PendingMessage {
  return {
    clientMessageId: entry.clientMessageId,
    conversationId: entry.conversationId,
    body: entry.body,
    ...(entry.attachmentIds ? { attachmentIds: entry.attachmentIds } : {}),
    createdAt: entry.createdAt,
    status: entry.status,
    error: entry.error,
  };
}

function isFinalSendError(error: unknown): boolean {
  return error instanceof ApiError && FINAL_SEND_ERRORS.has(error.code);
}
