import type { ChatSocket } from '@/lib/socket';

type Listener = (...args: never[]) => void;

/**
 * A stand-in for the client's Socket.IO socket in unit tests: records listeners and emits, and lets the test play
 * the server (`serverEmit`, `connectNow`, `dropNow`, `refuse`). Only what the app's code calls is there; `asSocket`
 * hands it over where a `ChatSocket` is expected.
 */
export class FakeSocket {
  connected = false;
  /** Socket.IO's "will reconnect by itself" flag (false after a middleware refusal). */
  active = true;
  readonly emitted: Array<{ event: string; args: unknown[] }> = [];
  readonly io = { engine: { closed: 0, close: () => void (this.io.engine.closed += 1) } };
  connectCalls = 0;
  private listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  connect(): this {
    this.connectCalls += 1;
    return this;
  }

  disconnect(): this {
    this.connected = false;
    return this;
  }

  removeAllListeners(): this {
    this.listeners.clear();
    return this;
  }

  /** Socket.IO's per-emit ack timeout; the fake never times out by itself (a test answers or not). */
  timeout(_ms: number): this {
    return this;
  }

  emit(event: string, ...args: unknown[]): boolean {
    this.emitted.push({ event, args });
    return true;
  }

  /** The client's emits of `event`: their first argument, and their ack callback (the last one) if any. */
  sent<P = unknown, A = unknown>(
    event: string,
  ): Array<{ payload: P; ack: (...reply: A[]) => void }> {
    return this.emitted
      .filter((e) => e.event === event)
      .map((e) => ({
        payload: e.args[0] as P,
        ack: (typeof e.args.at(-1) === 'function' ? e.args.at(-1) : () => undefined) as (
          ...reply: A[]
        ) => void,
      }));
  }

  /** The server's side: delivers `event` to the listeners. */
  serverEmit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? [])
      (listener as (...a: unknown[]) => void)(...args);
  }

  connectNow(): void {
    this.connected = true;
    this.serverEmit('connect');
  }

  dropNow(reason = 'transport close'): void {
    this.connected = false;
    this.serverEmit('disconnect', reason);
  }

  /** A refused handshake: `connect_error` with the API's code as the message. */
  refuse(code: string, active = false): void {
    this.active = active;
    this.serverEmit('connect_error', new Error(code));
  }

  asSocket(): ChatSocket {
    return this as unknown as ChatSocket;
  }
}
