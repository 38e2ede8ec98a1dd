import { createStore, type StoreApi } from 'zustand/vanilla';
import { ErrorCode, type Message, type PublicUser, type SendMessagePayload } from '@chat/shared';
import { ApiError, describeError, type ApiClient } from './api-client';
import type { Notify } from './outbox-sender';
import {
  closeChatSocket,
  createChatSocket,
  emitMessageAction,
  sendMessage,
  type ChatSocket,
  type MessageActionEvent,
} from './socket';
import type { ConversationsStore } from '@/stores/conversations-store';
import type { SessionStore } from '@/stores/session-store';
import type { MessagesStore } from '@/stores/messages-store';
import type { PresenceStore } from '@/stores/presence-store';

/**
 * Real-time link state, for the connection banner. `reconnected` is true from a reconnect (not the first connect)
 * until the banner has shown "Back online".
 */
export interface ConnectionState {
  status: 'idle' | 'connecting' | 'online' | 'offline';
  reconnected: boolean;
}

/** What the live link works with and whom it tells. */
export interface LiveLinkDeps {
  api: ApiClient;
  session: SessionStore;
  conversations: ConversationsStore;
  messages: MessagesStore;
  presence: PresenceStore;
  notify: Notify;
  /** Connected (first time or again), after the resync began: send what waits (outbox, receipts). */
  onConnect: () => void;
  /** The connection dropped. */
  onDisconnect: () => void;
  /** `message:new`: a message stored by the server. */
  onMessage: (message: Message) => void;
  /** `message:updated`: a message was edited, deleted or reacted to (its whole view now). */
  onUpdated: (message: Message) => void;
  /** The conversation list (re)loaded: receipts wanted for conversations not listed before can go out. */
  onListLoaded: () => void;
  /** Makes the socket (default `createChatSocket`, replaced in tests). */
  createSocket?: ((api: ApiClient) => ChatSocket) | undefined;
}

/** connect_error codes handled elsewhere (socket.ts refreshes or retries; a lost session shows sign-in). */
const QUIET_CONNECT_ERRORS: readonly string[] = [
  ErrorCode.TOKEN_EXPIRED,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.SERVICE_UNAVAILABLE,
];

/**
 * The signed-in person's real-time link: one Socket.IO connection, its state for the banner, the server's events
 * routed to the stores (`message:new` to the client, which also sends receipts), and the resync after every
 * connect. Resync is the guarantee, not Socket.IO's recovery: the list is reloaded and each opened conversation
 * catches up by seq ("after" its newest message).
 *
 * The browser's `offline` event drops the transport at once (Socket.IO's heartbeat would take up to
 * pingInterval + pingTimeout, 45 s by default) and `online` reconnects without waiting for the backoff.
 */
export class LiveLink {
  readonly connection: StoreApi<ConnectionState>;
  private socket: ChatSocket | null = null;
  private userId: string | null = null;
  private hasConnected = false;

  constructor(private readonly deps: LiveLinkDeps) {
    this.connection = createStore<ConnectionState>()(() => ({
      status: 'idle',
      reconnected: false,
    }));
  }

  /** Whether the socket is connected now. */
  connected(): boolean {
    return this.socket?.connected === true;
  }

  /** The socket while connected, else null. */
  connectedSocket(): ChatSocket | null {
    return this.socket?.connected ? this.socket : null;
  }

  /**
   * One `message:send` over the socket. @throws ApiError SERVICE_UNAVAILABLE when not connected or without an ack
   * in time, or the ack's code
   */
  send(payload: SendMessagePayload): Promise<Message> {
    const socket = this.connectedSocket();
    if (!socket)
      return Promise.reject(new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'You are offline.'));
    return sendMessage(socket, payload);
  }

  /**
   * One message action over the socket (edit, delete, reaction, forward): the acked message. @throws ApiError
   * SERVICE_UNAVAILABLE when not connected or without an ack in time, or the ack's code
   */
  act(event: MessageActionEvent, payload: object): Promise<Message> {
    const socket = this.connectedSocket();
    if (!socket)
      return Promise.reject(new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'You are offline.'));
    return emitMessageAction(socket, event, payload as never);
  }

  /** Connects for `userId` (closing any previous link first). */
  open(userId: string): void {
    this.close();
    this.userId = userId;
    const socket = (this.deps.createSocket ?? createChatSocket)(this.deps.api);
    this.hasConnected = false;
    socket.on('connect', () => {
      this.connection.setState({ status: 'online', reconnected: this.hasConnected });
      // The first connect too: the list and any opened thread may have loaded over REST before this socket joined
      // its room, and what was sent in between would otherwise be missing until the next message shows the gap.
      this.resync();
      this.hasConnected = true;
      this.deps.onConnect();
    });
    socket.on('disconnect', () => {
      this.connection.setState({ status: 'offline' });
      this.deps.onDisconnect();
    });
    socket.on('connect_error', (error) => {
      if (this.socket !== socket) return; // closed meanwhile (SESSION_REVOKED signs out first, in socket.ts)
      this.connection.setState({ status: 'offline' });
      if (!socket.active && !QUIET_CONNECT_ERRORS.includes(error.message))
        this.deps.notify(`Real-time connection refused: ${error.message}`);
    });
    const { conversations, presence } = this.deps;
    socket.on('message:new', (message) => this.deps.onMessage(message));
    socket.on('message:updated', (message) => this.deps.onUpdated(message));
    socket.on('conversation:updated', (c) => conversations.getState().upsert(c));
    socket.on('conversation:removed', ({ conversationId }) =>
      conversations.getState().remove(conversationId),
    );
    socket.on('user:updated', (user) => this.onUserUpdated(user));
    socket.on('presence:snapshot', (states) => presence.getState().applySnapshot(states));
    socket.on('presence:update', (state) => presence.getState().applyUpdate(state));
    socket.on('typing:update', (event) => presence.getState().applyTyping(event));
    socket.on('receipt:update', (event) => {
      if (this.userId) conversations.getState().raiseMarks(event, this.userId);
    });
    this.connection.setState({ status: 'connecting' });
    socket.connect();
    this.socket = socket;
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', this.onBrowserOffline);
      window.addEventListener('online', this.onBrowserOnline);
    }
  }

  /** Closes the link for good (sign-out, another person); `open` may follow. */
  close(): void {
    if (typeof window !== 'undefined') {
      window.removeEventListener('offline', this.onBrowserOffline);
      window.removeEventListener('online', this.onBrowserOnline);
    }
    this.userId = null;
    if (!this.socket) return;
    closeChatSocket(this.socket);
    this.socket = null;
    this.connection.setState({ status: 'idle', reconnected: false });
  }

  /**
   * Reloads the list and, for every opened conversation, fetches the messages after its newest seq, then the
   * changes (edits, deletions, reactions) after its change cursor. Never rejects.
   */
  resync(): void {
    const report = (error: unknown): void =>
      this.deps.notify(`Could not catch up: ${describeError(error)}`);
    this.deps.conversations
      .getState()
      .load()
      .then(() => this.deps.onListLoaded())
      .catch(report);
    const messages = this.deps.messages.getState();
    for (const [id, thread] of Object.entries(messages.threads)) {
      if (thread.status === 'ready')
        messages
          .catchUp(id)
          .then(() => this.deps.messages.getState().catchUpChanges(id))
          .catch(report);
    }
  }

  /** Someone's public profile changed (e.g. their picture): show it wherever they appear, without a reload. */
  private onUserUpdated(user: PublicUser): void {
    const self = this.deps.session.getState().user;
    if (self && self.id === user.id) this.deps.session.setState({ user: { ...self, ...user } });
    const { byId, upsert } = this.deps.conversations.getState();
    for (const conversation of Object.values(byId)) {
      const isMember = conversation.members.some((m) => m.user.id === user.id);
      const isFormer = (conversation.formerMembers ?? []).some((u) => u.id === user.id);
      if (!isMember && !isFormer) continue;
      upsert({
        ...conversation,
        members: conversation.members.map((m) => (m.user.id === user.id ? { ...m, user } : m)),
        formerMembers: (conversation.formerMembers ?? []).map((u) => (u.id === user.id ? user : u)),
      });
    }
  }

  private readonly onBrowserOffline = (): void => {
    this.socket?.io.engine?.close();
  };

  private readonly onBrowserOnline = (): void => {
    const socket = this.socket;
    if (socket && !socket.connected) socket.connect();
  };
}
