/**
 * The PresenceTracker port's rules, held by both implementations: the in-memory one, and the Redis one against the
 * Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379/0, keys under a prefix of this run, deleted after; skipped
 * with a printed reason when Redis is unreachable). The Redis one also forgets the sockets of a process whose
 * heartbeat stopped and reports the people left with none.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { loadConfig } from '../config/app-config.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { testEnvironment } from '../storage/contract/probe-postgres.mjs';
import { InMemoryPresenceTracker, type PresenceTracker } from './presence.tracker.js';
import { PRESENCE_PROCESS_TTL_MS, RedisPresenceTracker } from './redis-presence.tracker.js';

const { redisUrl } = testEnvironment();
const prefix = `relay-unit-${randomBytes(4).toString('hex')}:`;

async function redisReachable(): Promise<string | null> {
  const probe = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    probe.disconnect();
  }
}

const redisMissing = await redisReachable();
if (redisMissing) console.log(`SKIPPED RedisPresenceTracker tests: ${redisUrl} (${redisMissing})`);

const connections: RedisConnection[] = [];
function redisTracker(): { tracker: RedisPresenceTracker; connection: RedisConnection } {
  const connection = new RedisConnection(
    loadConfig({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }),
  );
  connections.push(connection);
  return { tracker: new RedisPresenceTracker(connection), connection };
}

afterAll(async () => {
  const first = connections[0]?.client;
  if (first) {
    let cursor = '0';
    do {
      const [next, keys] = await first.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await first.del(...keys);
    } while (cursor !== '0');
  }
  for (const c of connections) await c.onApplicationShutdown();
});

const implementations: Array<[string, () => Promise<PresenceTracker>, boolean]> = [
  ['in memory', () => Promise.resolve(new InMemoryPresenceTracker()), true],
  [
    'in Redis',
    async () => {
      const { tracker } = redisTracker();
      await tracker.onModuleInit();
      return tracker;
    },
    !redisMissing,
  ],
];

describe.each(implementations)('PresenceTracker %s', (_name, make, available) => {
  const test = available ? it : it.skip;
  let tracker: PresenceTracker;
  const user = () => `u-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    if (available) tracker = await make();
  });
  afterAll(async () => {
    if (tracker instanceof RedisPresenceTracker) await tracker.onApplicationShutdown();
  });

  test('reserves sockets up to the cap, counts what remains, and accepts a known socket again', async () => {
    const u = user();
    expect(await tracker.reserve(u, 's1', 2)).toBe(true);
    expect(await tracker.reserve(u, 's2', 2)).toBe(true);
    expect(await tracker.reserve(u, 's3', 2)).toBe(false);
    expect(await tracker.reserve(u, 's2', 2)).toBe(true);
    expect(await tracker.onlineOf([u, 'nobody'])).toEqual(new Set([u]));
    expect(await tracker.remove(u, 's1')).toBe(1);
    expect(await tracker.remove(u, 'unknown')).toBe(1);
    expect(await tracker.remove(u, 's2')).toBe(0);
    expect(await tracker.onlineOf([u])).toEqual(new Set());
  });

  test('lets many concurrent reservations past the cap never', async () => {
    const u = user();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => tracker.reserve(u, `c${i}`, 5)),
    );
    expect(results.filter(Boolean)).toHaveLength(5);
  });

  test('keeps a person online through the grace period, with the time their last socket closed', async () => {
    const u = user();
    const closedAt = new Date(Date.now() - 10);
    await tracker.startGrace(u, closedAt, Date.now() + 60_000);
    expect(await tracker.onlineOf([u])).toEqual(new Set([u]));
    expect(await tracker.closedAt(u)).toEqual(closedAt);
    await tracker.startGrace(u, closedAt, Date.now() - 1);
    expect(await tracker.onlineOf([u])).toEqual(new Set());
    await tracker.clearGrace(u);
    expect(await tracker.closedAt(u)).toBeNull();
  });

  test('answers markAnnounced true only for a change, once among concurrent callers', async () => {
    const u = user();
    const first = await Promise.all([1, 2, 3].map(() => tracker.markAnnounced(u, true)));
    expect(first.filter(Boolean)).toHaveLength(1);
    expect(await tracker.markAnnounced(u, true)).toBe(false);
    expect(await tracker.markAnnounced(u, false)).toBe(true);
    expect(await tracker.markAnnounced(u, false)).toBe(false);
  });
});

describe('RedisPresenceTracker across processes', () => {
  const test = redisMissing ? it.skip : it;

  test("counts another process's sockets, stops counting them when its heartbeat is stale, then sweeps them", async () => {
    const one = redisTracker();
    const two = redisTracker();
    // Process one heartbeats once by hand (no timer: it will "die" without withdrawing).
    await one.connection.client!.zadd(
      `${prefix}presence:processes`,
      Date.now(),
      one.connection.processId,
    );
    await two.tracker.onModuleInit();
    const u = `u-${randomBytes(4).toString('hex')}`;
    const stays = `u-${randomBytes(4).toString('hex')}`;
    expect(await one.tracker.reserve(u, 'a1', 2)).toBe(true);
    expect(await one.tracker.reserve(stays, 'a2', 2)).toBe(true);
    expect(await two.tracker.reserve(stays, 'b1', 2)).toBe(true);
    // Process two sees process one's socket: the cap is shared.
    expect(await two.tracker.reserve(u, 'b2', 1)).toBe(false);
    const orphaned: string[][] = [];
    two.tracker.onOrphaned((ids) => orphaned.push(ids));

    // Process one "dies": its last heartbeat grows old.
    await one.connection.client!.zadd(
      `${prefix}presence:processes`,
      Date.now() - PRESENCE_PROCESS_TTL_MS - 1000,
      one.connection.processId,
    );
    expect(await two.tracker.onlineOf([u, stays])).toEqual(new Set([stays]));
    expect(await two.tracker.reserve(u, 'b2', 1)).toBe(true);
    await two.tracker.remove(u, 'b2');

    await (two.tracker as unknown as { sweep(): Promise<void> }).sweep();
    expect(orphaned).toEqual([[u]]);
    expect(
      await one.connection.client!.exists(`${prefix}presence:process:${one.connection.processId}`),
    ).toBe(0);
    await two.tracker.onApplicationShutdown();
  });
});
