import { createStore, type StoreApi } from 'zustand/vanilla';
import { ErrorCode, LIMITS, type Message } from '@chat/shared';
import { ApiClient, ApiError, describeError } from './api-client';
import { createChatSocket, sendMessage, type ChatSocket } from './socket';
import { newUuid } from './uuid';
import { createSessionStore, type SessionStore } from '@/stores/session-store';
import { createConversationsStore, type ConversationsStore } from '@/stores/conversations-store';
import { createMessagesStore, type MessagesStore, type PendingMessage } from '@/stores/messages-store';

/** Real-time link state, for the "reconnecting" banner. */
export interface ConnectionState {
  status: 'idle' | 'connecting' | 'online' | 'offline';
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
    this.connection = createStore<ConnectionState>()(() => ({ status: 'idle' }));
  }

  /** Begins following the session and restores it once. Idempotent (React Strict Mode runs effects twice). */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.session.subscribe((state) => this.onSession(state.user?.id ?? null));
    this.onSession(this.session.getState().user?.id ?? null);
    if (this.session.getState().status === 'restoring') void this.session.getState().restore();
  }

  /** Stops following the session and closes the socket; `start()` may be called again. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.closeSocket();
    this.userId = null;
  }

  /**
   * Sends a text message: shows it at once as pending with a fresh clientMessageId, emits `message:send`,
   * and replaces it by the stored message when acked. Blank bodies are ignored; bodies over
   * LIMITS.MESSAGE_BODY_MAX are refused locally (the composer prevents both).
   */
  send(conversationId: string, body: string): void {
    const text = body.trim();
    if (text.length < LIMITS.MESSAGE_BODY_MIN || text.length > LIMITS.MESSAGE_BODY_MAX) return;
    const pending: PendingMessage = {
      clientMessageId: newUuid(),
      conversationId,
      body: text,
      createdAt: new Date().toISOString(),
      status: 'pending',
      error: null,
    };
    this.messages.getState().addPending(pending);
    void this.attempt(pending);
  }

  /** Sends a failed message again with the same clientMessageId, so the server stores it at most once. */
  retry(conversationId: string, clientMessageId: string): void {
    const pending = this.messages.getState().threads[conversationId]?.pending.find((p) => p.clientMessageId === clientMessageId);
    if (!pending || pending.status !== 'failed') return;
    this.messages.getState().setPendingStatus(conversationId, clientMessageId, 'pending', null);
    void this.attempt(pending);
  }

  private async attempt(pending: PendingMessage, afterRefresh = false): Promise<void> {
    const { conversationId, clientMessageId, body } = pending;
    try {
      const socket = this.socket;
      if (!socket) throw new ApiError(0, ErrorCode.UNAUTHENTICATED, 'You are not connected.');
      const stored = await sendMessage(socket, { conversationId, clientMessageId, body });
      this.onStoredMessage(stored);
    } catch (sendError) {
      let error: unknown = sendError;
      const authProblem = error instanceof ApiError && (error.code === ErrorCode.TOKEN_EXPIRED || error.code === ErrorCode.UNAUTHENTICATED);
      if (authProblem && !afterRefresh && this.socket) {
        // The socket's handshake token expired on the server: reconnect with a fresh one and send again.
        try {
          await this.api.refresh();
          this.socket.disconnect().connect();
          return this.attempt(pending, true);
        } catch (refreshError) {
          error = refreshError;
        }
      }
      const reason = describeError(error);
      this.messages.getState().setPendingStatus(conversationId, clientMessageId, 'failed', reason);
      this.notify(`Message not sent: ${reason}`);
    }
  }

  private onStoredMessage(message: Message): void {
    const selfId = this.userId;
    if (!selfId) return;
    this.messages.getState().receive(message, selfId);
    this.conversations
      .getState()
      .applyMessage(message, selfId)
      .catch((error: unknown) => this.notify(describeError(error)));
  }

  private onSession(userId: string | null): void {
    if (userId === this.userId) return;
    this.closeSocket();
    this.conversations.getState().reset();
    this.messages.getState().reset();
    this.userId = userId;
    if (userId) {
      this.openSocket();
      this.conversations
        .getState()
        .load()
        .catch((error: unknown) => this.notify(`Could not load conversations: ${describeError(error)}`));
    }
  }

  private openSocket(): void {
    const socket = createChatSocket(this.api);
    this.hasConnected = false;
    socket.on('connect', () => {
      this.connection.setState({ status: 'online' });
      if (this.hasConnected) this.resync();
      this.hasConnected = true;
    });
    socket.on('disconnect', () => this.connection.setState({ status: 'offline' }));
    socket.on('connect_error', (error) => {
      this.connection.setState({ status: 'offline' });
      // Token problems are handled by refreshing (socket.ts); a lost session shows the sign-in page.
      if (!socket.active && error.message !== ErrorCode.TOKEN_EXPIRED && error.message !== ErrorCode.UNAUTHENTICATED) {
        this.notify(`Real-time connection refused: ${error.message}`);
      }
    });
    socket.on('message:new', (message) => this.onStoredMessage(message));
    socket.on('conversation:updated', (conversation) => this.conversations.getState().upsert(conversation));
    this.connection.setState({ status: 'connecting' });
    socket.connect();
    this.socket = socket;
  }

  private closeSocket(): void {
    if (!this.socket) return;
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.socket = null;
    this.connection.setState({ status: 'idle' });
  }

  /** After a reconnect: reload the list and fetch every opened conversation's messages after its last seq. */
  private resync(): void {
    const report = (error: unknown): void => this.notify(`Could not catch up: ${describeError(error)}`);
    this.conversations.getState().load().catch(report);
    for (const [id, thread] of Object.entries(this.messages.getState().threads)) {
      if (thread.status === 'ready') this.messages.getState().catchUp(id).catch(report);
    }
  }
}
