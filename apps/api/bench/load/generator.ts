/**
 * The load generator: registered people in groups, one socket.io-client each, `message:send` at a fixed total
 * rate, and the latencies and counts that come back. The same code drives the API and the bare relay, so the two
 * figures differ only by what the server does.
 */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  AuthResponse,
  ClientToServerEvents,
  ConversationSummary,
  Message,
  ServerToClientEvents,
} from '@chat/shared';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** One simulated person: their socket and the group they talk in. */
export interface LoadClient {
  userId: string;
  conversationId: string;
  socket: ClientSocket;
}

/** How long a send may wait for its ack before it counts as lost, in ms. */
const ACK_TIMEOUT_MS = 15_000;
/** Longest wait after the last ack for the deliveries still on their way, in ms. */
const DRAIN_MS = 5_000;

interface Tracked {
  sentAt: number;
  sender: string;
  /** Deliveries expected: the other members of the group (set once the ack says it was stored). */
  expected: number;
  received: number;
  flood: boolean;
}

/** Figures of one phase for one class of senders (everyone, the others, or the flooder). */
export interface SendFigures {
  sent: number;
  acked: number;
  /** Error acks by code (e.g. RATE_LIMITED), plus `timeout` for acks that never came. */
  errors: Record<string, number>;
  /** Send -> ack latencies of successful sends, ms. */
  ackMs: number[];
  /** Send -> `message:new` at another member, ms (one sample per delivery). */
  deliveryMs: number[];
  /** For each deliveryMs sample, when its message was sent, ms since the phase began (for a timeline). */
  deliverySentAtMs: number[];
  deliveries: number;
  /** Messages acked as stored that at least one other member never received before the drain ended. */
  missingMessages: number;
  missingDeliveries: number;
}

/** Result of one phase. */
export interface PhaseResult {
  durationSeconds: number;
  normal: SendFigures;
  flood: SendFigures | null;
}

function emptyFigures(): SendFigures {
  return {
    sent: 0,
    acked: 0,
    errors: {},
    ackMs: [],
    deliveryMs: [],
    deliverySentAtMs: [],
    deliveries: 0,
    missingMessages: 0,
    missingDeliveries: 0,
  };
}

/**
 * Send -> receive p50 and p99 of the messages sent in each second of a phase, in order: where in the phase a tail
 * came from (a cold start, or short stalls of a few hundred ms every few seconds).
 */
export function latencyBySecond(figures: SendFigures): Array<{ p50: number; p99: number }> {
  const seconds: number[][] = [];
  figures.deliverySentAtMs.forEach((sentAt, i) => {
    (seconds[Math.floor(sentAt / 1000)] ??= []).push(figures.deliveryMs[i]!);
  });
  return Array.from(seconds, (samples = []) => ({
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
  }));
}

/** The p-th percentile (0..100) of `samples` (nearest rank), NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * Sends and measures over a set of connected clients. Listeners are attached once per client (`attach`); each
 * `run` tracks its own messages by client message id.
 */
export class LoadGenerator {
  private readonly tracked = new Map<string, Tracked>();
  private readonly groupSize = new Map<string, number>();

  constructor(private readonly clients: readonly LoadClient[]) {
    for (const client of clients) {
      this.groupSize.set(
        client.conversationId,
        (this.groupSize.get(client.conversationId) ?? 0) + 1,
      );
      client.socket.on('message:new', (message: Message) => this.onDelivery(client, message));
    }
  }

  private current: { normal: SendFigures; flood: SendFigures } | null = null;
  /** performance.now() when the running phase began. */
  private phaseStart = 0;

  private onDelivery(client: LoadClient, message: Message): void {
    if (message.senderId === client.userId) return;
    const entry = this.tracked.get(message.clientMessageId);
    if (!entry || !this.current) return;
    entry.received += 1;
    const figures = entry.flood ? this.current.flood : this.current.normal;
    figures.deliveries += 1;
    figures.deliveryMs.push(performance.now() - entry.sentAt);
    figures.deliverySentAtMs.push(entry.sentAt - this.phaseStart);
  }

  private send(client: LoadClient, flood: boolean, pending: Set<Promise<void>>): void {
    const figures = flood ? this.current!.flood : this.current!.normal;
    const clientMessageId = randomUUID();
    const entry: Tracked = {
      sentAt: performance.now(),
      sender: client.userId,
      expected: 0,
      received: 0,
      flood,
    };
    this.tracked.set(clientMessageId, entry);
    figures.sent += 1;
    const done = client.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('message:send', {
        conversationId: client.conversationId,
        clientMessageId,
        body: `load ${clientMessageId.slice(0, 8)} ${'x'.repeat(40)}`,
      })
      .then(
        (ack: Ack<Message>) => {
          if (ack.ok) {
            figures.acked += 1;
            figures.ackMs.push(performance.now() - entry.sentAt);
            entry.expected = (this.groupSize.get(client.conversationId) ?? 1) - 1;
          } else {
            figures.errors[ack.error.code] = (figures.errors[ack.error.code] ?? 0) + 1;
            this.tracked.delete(clientMessageId);
          }
        },
        () => {
          figures.errors.timeout = (figures.errors.timeout ?? 0) + 1;
          this.tracked.delete(clientMessageId);
        },
      )
      .finally(() => pending.delete(done));
    pending.add(done);
  }

  /**
   * Sends at `rate` messages per second in total for `durationMs`, each from the next of `senders` (round robin),
   * plus, when `flood` is given, one more client sending at its own rate; then waits up to DRAIN_MS for the
   * outstanding acks and deliveries and counts what is missing.
   */
  async run(options: {
    senders: readonly LoadClient[];
    rate: number;
    durationMs: number;
    flood?: { client: LoadClient; rate: number };
  }): Promise<PhaseResult> {
    this.tracked.clear();
    this.current = { normal: emptyFigures(), flood: emptyFigures() };
    const pending = new Set<Promise<void>>();
    const start = performance.now();
    this.phaseStart = start;
    let normalSent = 0;
    let floodSent = 0;
    let next = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = Math.min(performance.now() - start, options.durationMs);
        const due = Math.floor((elapsed / 1000) * options.rate);
        for (; normalSent < due; normalSent++) {
          const sender = options.senders[next++ % options.senders.length]!;
          this.send(sender, false, pending);
        }
        if (options.flood) {
          const floodDue = Math.floor((elapsed / 1000) * options.flood.rate);
          for (; floodSent < floodDue; floodSent++) this.send(options.flood.client, true, pending);
        }
        if (elapsed >= options.durationMs) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    const durationSeconds = (performance.now() - start) / 1000;
    // Every ack comes back or times out (ACK_TIMEOUT_MS), so an overloaded phase does not leave a backlog for the
    // next one; after the last ack, deliveries get DRAIN_MS more. Polled on a timer: awaiting only settled promises
    // would spin in microtasks and starve the sockets' I/O.
    let acksDoneAt: number | null = null;
    const hardStop = performance.now() + ACK_TIMEOUT_MS + DRAIN_MS;
    while (performance.now() < hardStop) {
      await new Promise((r) => setTimeout(r, 20));
      if (pending.size > 0) continue;
      acksDoneAt ??= performance.now();
      if ([...this.tracked.values()].every((t) => t.received >= t.expected)) break;
      if (performance.now() - acksDoneAt > DRAIN_MS) break;
    }
    const { normal, flood } = this.current;
    for (const entry of this.tracked.values()) {
      const missing = entry.expected - entry.received;
      if (missing <= 0) continue;
      const figures = entry.flood ? flood : normal;
      figures.missingMessages += 1;
      figures.missingDeliveries += missing;
    }
    this.current = null;
    this.tracked.clear();
    return { durationSeconds, normal, flood: options.flood ? flood : null };
  }

  /** Disconnects every client. */
  close(): void {
    for (const client of this.clients) client.socket.disconnect();
  }
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  });
  await Promise.all(workers);
  return results;
}

function connectSocket(baseUrl: string, auth: Record<string, string>): Promise<ClientSocket> {
  const socket: ClientSocket = io(baseUrl, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
}

async function postJson<T>(
  baseUrl: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<T> {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`POST ${path} -> ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** People registered on the API, grouped, not yet connected. */
export interface Population {
  people: Array<{ userId: string; token: string; conversationId: string }>;
}

/**
 * Registers `count` people through the REST API (the server should run with a low BCRYPT_COST) and makes groups of
 * `groupSize` (the first of each group creates it with the others), `concurrency` requests at a time.
 */
export async function populateApi(
  baseUrl: string,
  count: number,
  groupSize: number,
): Promise<Population> {
  const run = Date.now().toString(36).slice(-5);
  const registered = await mapLimit(
    Array.from({ length: count }, (_, i) => i),
    16,
    (i) =>
      postJson<AuthResponse>(baseUrl, '/api/auth/register', {
        username: `ld${run}_${i}`,
        password: 'load benchmark password',
      }),
  );
  const groups: AuthResponse[][] = [];
  for (let i = 0; i < registered.length; i += groupSize)
    groups.push(registered.slice(i, i + groupSize));
  const conversationIds = await mapLimit(groups, 8, async (members, g) => {
    const [creator, ...others] = members;
    const summary = await postJson<ConversationSummary>(
      baseUrl,
      '/api/conversations/group',
      { title: `load ${g}`, memberIds: others.map((m) => m.user.id) },
      creator!.accessToken,
    );
    // Invitees accept (people who share no accepted conversation are invited, docs/privacy.md), so the
    // phases measure the steady state of a chat, not each person's first reply accepting their invitation.
    await mapLimit(others, 4, (member) =>
      postJson(baseUrl, `/api/conversations/${summary.id}/accept`, {}, member.accessToken),
    );
    return summary.id;
  });
  return {
    people: registered.map((auth, i) => ({
      userId: auth.user.id,
      token: auth.accessToken,
      conversationId: conversationIds[Math.floor(i / groupSize)]!,
    })),
  };
}

/**
 * Connects one authenticated socket per person to the API (50 handshakes at a time). With several API processes,
 * person i goes to process i mod n, so every group spans the processes and each message crosses Redis.
 */
export async function connectApiClients(
  baseUrls: string | readonly string[],
  population: Population,
): Promise<LoadClient[]> {
  const urls = typeof baseUrls === 'string' ? [baseUrls] : baseUrls;
  return mapLimit(population.people, 50, async (person, i) => ({
    userId: person.userId,
    conversationId: person.conversationId,
    socket: await connectSocket(urls[i % urls.length]!, { token: person.token }),
  }));
}

/** Connects `count` sockets to the bare relay, in rooms of `groupSize` like the API's groups. */
export async function connectRelayClients(
  baseUrl: string,
  count: number,
  groupSize: number,
): Promise<LoadClient[]> {
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    50,
    async (i) => {
      const userId = `relay-user-${i}`;
      const conversationId = `relay-room-${Math.floor(i / groupSize)}`;
      return {
        userId,
        conversationId,
        socket: await connectSocket(baseUrl, { userId, room: conversationId }),
      };
    },
  );
}
