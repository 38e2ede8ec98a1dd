import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Message, ReplyQuote } from '@chat/shared';
import { ActionOutbox, ActionSender } from './action-outbox';
import type { MessageAction } from './message-actions';
import { newUuid } from './uuid';
import { ApiClient, describeError } from './api-client';
import { browserLocks, type LockRequester } from './web-locks';
import { LiveLink, type ConnectionState, type LiveLinkDeps } from './live-link';
import { Outbox } from './outbox';
import { OutboxSender, type HandedOffUploads, type Notify } from './outbox-sender';
import { ReceiptSender } from './receipt-sender';
import { TypingEmitter } from './typing-emitter';
import { mentionsIn } from './mentions';
import type { NotificationCoordinator } from './notifications';
import { createSessionStore, type SessionStore } from '@/stores/session-store';
import { createConversationsStore, type ConversationsStore } from '@/stores/conversations-store';
import { createMessagesStore, type MessagesStore } from '@/stores/messages-store';
import { createPresenceStore, type PresenceStore } from '@/stores/presence-store';
import { createPrivacyStore, type PrivacyStore } from '@/stores/privacy-store';

export type { ConnectionState } from './live-link';
export type { HandedOffUploads, Notify } from './outbox-sender';

/** What a test may replace in a ChatClient: how the socket is made, and the cross-tab locks (undefined: none). */
export interface ChatClientOptions {
  createSocket?: LiveLinkDeps['createSocket'];
  locks?: LockRequester | undefined;
}

/**
 * Everything one browser tab needs for one signed-in person: the REST client, the stores, and three workers it
 * wires together: the outbox sender (`outbox-sender.ts`), the typing emitter (`typing-emitter.ts`) and the live
 * link (`live-link.ts`: socket, events, resync). Made once per tab by `ChatProvider` (so nothing per-user lives in
 * module state shared across SSR requests).
 *
 * Lifecycle: `start()` restores the session through the refresh cookie; when the session becomes signed in the
 * socket connects and the conversation list loads; on sign-out the socket closes and the per-user stores are
 * emptied. After every connect the list is reloaded and each opened conversation catches up by seq.
 */
export class ChatClient {
  readonly api: ApiClient;
  readonly session: SessionStore;
  readonly conversations: ConversationsStore;
  readonly messages: MessagesStore;
  readonly connection: StoreApi<ConnectionState>;
  readonly presence: PresenceStore;
  /** Privacy settings and the people this person blocked. */
  readonly privacy: PrivacyStore;
  /** Sends waiting for their uploads (sendAfterUploads), counted per conversation id. */
  readonly heldSends: StoreApi<Record<string, number>>;
  /**
   * The message to open a conversation at (a picked search result): its conversation's pane loads the messages
   * around it and highlights it. `nonce` makes picking the same result again a new jump.
   */
  readonly jumps: StoreApi<{
    target: { conversationId: string; seq: number; nonce: number } | null;
  }> = createStore(() => ({ target: null }));
  private readonly link: LiveLink;
  private readonly outbox: OutboxSender;
  private readonly actions: ActionSender;
  private readonly typingEmitter: TypingEmitter;
  private readonly receipts: ReceiptSender;
  private userId: string | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly locks: LockRequester | undefined;
  /**
   * The one-tab notifier election and the notification rules, loaded after start() (browser only; a separate chunk,
   * so the chat's first load stays small).
   */
  private notifier: NotificationCoordinator | null = null;
  private notifications: typeof import('./notifications') | null = null;
  private stopViewSync: (() => void) | null = null;
  /** Opens a conversation when its notification is clicked (set by the chat screen, which owns the router). */
  private openConversation: ((conversationId: string) => void) | null = null;

  /**
   * @param apiUrl the API origin (see `resolveApiUrl`). @param notify shows an error message to the person.
   * @param options replacements for the browser's socket and Web Locks (tests)
   */
  constructor(
    apiUrl: string,
    private readonly notify: Notify,
    options: ChatClientOptions = {},
  ) {
    const locks = 'locks' in options ? options.locks : browserLocks();
    this.locks = locks;
    this.api = new ApiClient(apiUrl, locks);
    this.session = createSessionStore(this.api);
    this.conversations = createConversationsStore(this.api);
    this.messages = createMessagesStore(
      this.api,
      (error) => this.notify(describeError(error)),
      (id) => this.conversations.getState().byId[id]?.changeSeq,
    );
    this.presence = createPresenceStore();
    this.privacy = createPrivacyStore(this.api);
    this.receipts = new ReceiptSender({
      socket: () => this.link.connectedSocket(),
      selfId: () => this.userId,
      conversations: this.conversations,
    });
    this.link = new LiveLink({
      api: this.api,
      session: this.session,
      conversations: this.conversations,
      messages: this.messages,
      presence: this.presence,
      notify,
      onConnect: () => {
        this.outbox.drainAll();
        this.actions.drain();
        this.receipts.flush();
      },
      onDisconnect: () => this.typingEmitter.reset(),
      onMessage: (message) => this.onStoredMessage(message),
      onUpdated: (message) => this.onChangedMessage(message),
      onListLoaded: () => this.receipts.flush(),
      createSocket: options.createSocket,
    });
    this.connection = this.link.connection;
    this.typingEmitter = new TypingEmitter({
      connected: () => this.link.connected(),
      emit: (payload) => this.link.connectedSocket()?.emit('typing:update', payload),
    });
    this.outbox = new OutboxSender({
      outbox: new Outbox(),
      messages: this.messages,
      userId: () => this.userId,
      connected: () => this.link.connected(),
      send: (payload) => this.link.send(payload),
      onStored: (message) => this.onStoredMessage(message),
      notify,
      locks,
      mentionsFor: (conversationId, body) => {
        const conversation = this.conversations.getState().byId[conversationId];
        return conversation && this.userId
          ? mentionsIn(body, conversation, this.userId)
          : { mentions: [], mentionsAll: false };
      },
    });
    this.heldSends = this.outbox.heldSends;
    this.actions = new ActionSender({
      outbox: new ActionOutbox(),
      messages: this.messages,
      userId: () => this.userId,
      connected: () => this.link.connected(),
      emit: (event, payload) => this.link.act(event, payload),
      onAcked: (message) => this.onChangedMessage(message),
      notify,
      locks,
    });
    // Delivery receipts: whenever a thread's newest seq rises (live message, first page, catch-up after a resync),
    // a device of this person has received everything up to it.
    this.messages.subscribe((state, previous) => {
      for (const [id, thread] of Object.entries(state.threads)) {
        const newest = thread.messages.at(-1)?.seq ?? 0;
        if (newest > (previous.threads[id]?.messages.at(-1)?.seq ?? 0))
          this.receipts.delivered(id, newest);
      }
    });
  }

  /** Begins following the session and restores it once. Idempotent (React Strict Mode runs effects twice). */
  start(): void {
    if (this.unsubscribe) return;
    if (typeof window !== 'undefined') {
      void import('./notifications').then((notifications) => {
        if (!this.unsubscribe || this.notifier) return; // stopped meanwhile, or started twice
        this.notifications = notifications;
        this.notifier = notifications.NotificationCoordinator.forBrowser(this.locks, newUuid());
        const sync = () => {
          const { attentive, activeId } = this.conversations.getState();
          this.notifier?.setView(attentive, activeId);
        };
        this.stopViewSync = this.conversations.subscribe((state, previous) => {
          if (state.attentive !== previous.attentive || state.activeId !== previous.activeId)
            sync();
        });
        sync();
      });
    }
    this.watchAttention(true);
    this.unsubscribe = this.session.subscribe((state) => this.onSession(state.user?.id ?? null));
    this.onSession(this.session.getState().user?.id ?? null);
    if (this.session.getState().status === 'restoring') void this.session.getState().restore();
  }

  /** Stops following the session and closes the socket; `start()` may be called again. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.stopViewSync?.();
    this.stopViewSync = null;
    this.notifier?.close();
    this.notifier = null;
    this.watchAttention(false);
    this.link.close();
    this.userId = null;
  }

  /**
   * Sends a text message through the outbox (see OutboxSender.send): pending at once, kept in IndexedDB, sent now
   * or when the connection returns. @param attachmentIds uploaded, unsent attachments to send with the text
   */
  send(
    conversationId: string,
    body: string,
    attachmentIds: readonly string[] = [],
    replyTo?: ReplyQuote,
  ): void {
    // The server ends the typing indicator when the message is stored; only forget it here.
    if (this.outbox.send(conversationId, body, attachmentIds, replyTo))
      this.typingEmitter.stop(conversationId, false);
  }

  /** Sends `body` with a composer tray's files once their uploads finish (see OutboxSender.sendAfterUploads). */
  sendAfterUploads(
    conversationId: string,
    body: string,
    uploads: Promise<HandedOffUploads>,
    replyTo?: ReplyQuote,
  ): void {
    this.typingEmitter.stop(conversationId, false);
    this.outbox.sendAfterUploads(conversationId, body, uploads, replyTo);
  }

  /**
   * Edits, deletes or reacts to a stored message: shown at once, queued in IndexedDB and sent in order when
   * connected (see ActionSender); rolled back with a toast if the server refuses.
   */
  act(conversationId: string, messageId: string, action: MessageAction): void {
    this.actions.enqueue(conversationId, messageId, action);
  }

  /**
   * Forwards a copy of a message into `targetConversationId` (`message:forward`; needs the connection). Resolves
   * with the new message, shown in the target like a sent one. @throws ApiError (SERVICE_UNAVAILABLE when offline)
   */
  async forward(
    conversationId: string,
    messageId: string,
    targetConversationId: string,
  ): Promise<Message> {
    const copy = await this.link.act('message:forward', {
      conversationId,
      messageId,
      targetConversationId,
      clientMessageId: newUuid(),
    });
    this.onStoredMessage(copy);
    return copy;
  }

  /** Sets what opens a conversation when its notification is clicked (null: nothing; just focus the window). */
  setConversationOpener(open: ((conversationId: string) => void) | null): void {
    this.openConversation = open;
  }

  /** Asks the pane of `conversationId` to open at the message with `seq`, highlighted (see `jumps`). */
  jumpTo(conversationId: string, seq: number): void {
    const nonce = (this.jumps.getState().target?.nonce ?? 0) + 1;
    this.jumps.setState({ target: { conversationId, seq, nonce } });
  }

  /** Sends a failed message again with the same clientMessageId, so the server stores it at most once. */
  retry(conversationId: string, clientMessageId: string): void {
    this.outbox.retry(conversationId, clientMessageId);
  }

  /**
   * How many of the signed-in person's messages have not been sent (outbox entries and sends waiting for uploads).
   * 0 when signed out. Never rejects.
   */
  async unsentCount(): Promise<number> {
    if (!this.userId) return 0;
    const [messages, actions] = await Promise.all([
      this.outbox.unsentCount(this.userId),
      this.actions.count(this.userId),
    ]);
    return messages + actions;
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
      if (userId) await Promise.all([this.outbox.discard(userId), this.actions.discard(userId)]);
    }
  }

  /** The composer's text changed: `typing` true while there is text (throttled, see TypingEmitter). */
  typing(conversationId: string, typing: boolean): void {
    this.typingEmitter.typing(conversationId, typing);
  }

  /** The conversation is on screen and the window focused: everything up to `seq` is read (debounced receipt). */
  markRead(conversationId: string, seq: number): void {
    this.receipts.read(conversationId, seq);
  }

  private watchAttention(on: boolean): void {
    if (typeof window === 'undefined') return;
    const method = on ? 'addEventListener' : 'removeEventListener';
    window[method]('focus', this.onAttentionChange);
    window[method]('blur', this.onAttentionChange);
    document[method]('visibilitychange', this.onAttentionChange);
    if (on) this.onAttentionChange();
  }

  /**
   * The window is attentive while the page is visible and focused: the server's rule for "read", so a conversation
   * open in a background window still counts its new messages as unread (badge and title) until the person looks
   * at it again. Becoming attentive clears the open conversation's badge; `useReadReceipts` then sends the receipt.
   */
  private readonly onAttentionChange = (): void => {
    const attentive = document.visibilityState === 'visible' && document.hasFocus();
    if (attentive !== this.conversations.getState().attentive)
      this.conversations.getState().setAttentive(attentive);
  };

  /** A stored message (an ack of this tab's send, or `message:new`): the thread, the list, receipts, typing. */
  private onStoredMessage(message: Message): void {
    const selfId = this.userId;
    if (!selfId) return;
    this.messages.getState().receive(message, selfId);
    const own = message.senderId === selfId;
    // This device received it: a delivery receipt, whether or not the conversation is open.
    if (!own) this.receipts.delivered(message.conversationId, message.seq);
    // A sender has read everything up to their own message (the server raised their marks on append).
    const { conversationId, senderId, seq } = message;
    const conversations = this.conversations.getState();
    conversations.raiseMarks(
      { conversationId, userId: senderId, deliveredSeq: seq, readSeq: seq },
      selfId,
    );
    if (!own) this.presence.getState().clearTyping(conversationId, senderId);
    conversations
      .applyMessage(message, selfId, conversations.attentive)
      .then(() => {
        if (!own) this.maybeNotify(message, selfId);
        return this.receipts.flush();
      })
      .catch((error: unknown) => this.notify(describeError(error)));
  }

  /** A changed message (`message:updated`, or an action's ack): the thread (and replies to it), the list preview. */
  private onChangedMessage(message: Message): void {
    if (!this.userId) return;
    this.messages.getState().applyChanges(message.conversationId, [message]);
    this.conversations.getState().applyUpdate(message);
  }

  private onSession(userId: string | null): void {
    if (userId === this.userId) return;
    this.link.close();
    this.conversations.getState().reset();
    this.messages.getState().reset();
    this.presence.getState().reset();
    this.privacy.getState().reset();
    this.receipts.reset();
    this.outbox.reset();
    this.actions.reset();
    this.userId = userId;
    if (!userId) return;
    this.link.open(userId);
    void this.outbox.restore(userId);
    this.privacy
      .getState()
      .load()
      .catch((error: unknown) =>
        this.notify(`Could not load privacy settings: ${describeError(error)}`),
      );
    void this.actions.restore(userId);
    this.conversations
      .getState()
      .load()
      .then(() => this.receipts.flush())
      .catch((error: unknown) =>
        this.notify(`Could not load conversations: ${describeError(error)}`),
      );
  }

  /**
   * A browser notification and the sound for a message from someone else, when this tab is the notifier and the
   * rules allow it (shouldNotify: level, own, the conversation on screen in any tab). Clicking it focuses the
   * window and opens the conversation.
   */
  private maybeNotify(message: Message, selfId: string): void {
    const notifier = this.notifier;
    const rules = this.notifications;
    if (!notifier?.isNotifier || !rules) return;
    const conversation = this.conversations.getState().byId[message.conversationId];
    if (
      !rules.shouldNotify(message, conversation, selfId, notifier.viewing(message.conversationId))
    )
      return;
    rules.showNotification(message, conversation, (id) => this.openConversation?.(id));
  }
}
