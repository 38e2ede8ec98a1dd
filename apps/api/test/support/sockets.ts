/**
 * Real socket.io-client helpers typed with the shared event maps.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  ErrorPayload,
  Message,
  SendMessagePayload,
  ServerToClientEvents,
} from '@chat/shared';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const open: ClientSocket[] = [];

/** Connects with `auth.token` (websocket transport only, so failures are immediate) and waits for `connect`. */
export function connect(baseUrl: string, token: string | undefined): Promise<ClientSocket> {
  const socket: ClientSocket = io(baseUrl, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  open.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
}

/** Connects expecting refusal; resolves with the connect_error's message and data. */
export async function connectRefused(
  baseUrl: string,
  token: string | undefined,
): Promise<{ message: string; data: ErrorPayload }> {
  try {
    await connect(baseUrl, token);
  } catch (error) {
    const e = error as Error & { data?: ErrorPayload };
    return { message: e.message, data: e.data as ErrorPayload };
  }
  throw new Error('the connection was accepted');
}

/** Disconnects every socket opened by `connect` (afterAll/afterEach). */
export function disconnectAll(): void {
  for (const s of open.splice(0)) s.disconnect();
}

/** Emits message:send and resolves with the ack. */
export function send(socket: ClientSocket, payload: SendMessagePayload): Promise<Ack<Message>> {
  return socket.timeout(5000).emitWithAck('message:send', payload);
}

/**
 * Collects `message:new` events into a queue so tests can take them in order: `next()` waits for the next one.
 * Taking events in order is how tests prove that nothing unexpected came first (no sleeps).
 */
export function messageInbox(socket: ClientSocket): { next(timeoutMs?: number): Promise<Message> } {
  const queue: Message[] = [];
  const waiters: Array<(m: Message) => void> = [];
  socket.on('message:new', (m) => {
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  return {
    next(timeoutMs = 5000) {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('no message:new within the timeout')),
          timeoutMs,
        );
        waiters.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    },
  };
}

/**
 * Queues one server event of a socket from the moment it is called: `next()` takes the next one in order (or
 * fails after `timeoutMs`), `none(ms)` waits and proves nothing came, `all()` is what is queued now.
 */
export function eventInbox<E extends keyof ServerToClientEvents>(socket: ClientSocket, event: E) {
  type Payload = Parameters<ServerToClientEvents[E]>[0];
  const queue: Payload[] = [];
  const waiters: Array<(p: Payload) => void> = [];
  (socket as unknown as { on(e: string, l: (p: Payload) => void): void }).on(event, (payload) => {
    const waiter = waiters.shift();
    if (waiter) waiter(payload);
    else queue.push(payload);
  });
  return {
    next(timeoutMs = 15_000): Promise<Payload> {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const waiter = (p: Payload) => {
          clearTimeout(timer);
          resolve(p);
        };
        // A waiter that gave up leaves the queue, so a later event is not handed to it and lost.
        const timer = setTimeout(() => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          reject(new Error(`no ${event} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    async none(waitMs: number): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      if (queue.length > 0) throw new Error(`unexpected ${event}: ${JSON.stringify(queue)}`);
    },
    all(): Payload[] {
      return [...queue];
    },
  };
}
