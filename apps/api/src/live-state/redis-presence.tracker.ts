import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisConnection } from '../redis/redis.connection.js';
import { PresenceTracker } from './presence.tracker.js';

/** How often each API process writes its heartbeat and looks for stopped processes, in milliseconds. */
export const PRESENCE_HEARTBEAT_MS = 3_000;
/**
 * A process whose heartbeat is older than this is taken for dead: its sockets stop counting at once and the next
 * sweep forgets them (and reports their people as orphaned). Three missed heartbeats, so a busy event loop or a
 * short Redis blip is not taken for a crash.
 */
export const PRESENCE_PROCESS_TTL_MS = 10_000;
/** How long a grace record outlives its grace period, so `closedAt` is still there when the offline is told. */
const GRACE_KEEP_MS = 60_000;

/**
 * Counts the live entries of one person's socket hash: those whose process heartbeat is recent. Entries of a
 * process that is gone from the heartbeat set altogether (stopped cleanly, or already swept) are pruned.
 * KEYS[1] the person's socket hash (socket id -> process id), KEYS[2] the heartbeat sorted set (process id ->
 * ms); ARGV[1] the oldest live heartbeat (ms).
 */
const LIVE_FN = `
local function live(hash, procs, since)
  local entries = redis.call('HGETALL', hash)
  local n = 0
  for i = 1, #entries, 2 do
    local beat = redis.call('ZSCORE', procs, entries[i + 1])
    if not beat then
      redis.call('HDEL', hash, entries[i])
    elseif tonumber(beat) >= since then
      n = n + 1
    end
  end
  return n
end
`;

/** ARGV: oldest live heartbeat, socket id, process id, max, process-set member. KEYS[3]: the process's socket set. */
const RESERVE_SCRIPT = `${LIVE_FN}
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return 1 end
if live(KEYS[1], KEYS[2], tonumber(ARGV[1])) >= tonumber(ARGV[4]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[5])
return 1
`;

/** ARGV: oldest live heartbeat, socket id, process-set member. KEYS[3]: the process's socket set. */
const REMOVE_SCRIPT = `${LIVE_FN}
redis.call('HDEL', KEYS[1], ARGV[2])
redis.call('SREM', KEYS[3], ARGV[3])
return live(KEYS[1], KEYS[2], tonumber(ARGV[1]))
`;

/** ARGV: oldest live heartbeat, now (ms). KEYS[3]: the person's grace record ("closedAtMs:untilMs"). */
const ONLINE_SCRIPT = `${LIVE_FN}
if live(KEYS[1], KEYS[2], tonumber(ARGV[1])) > 0 then return 1 end
local grace = redis.call('GET', KEYS[3])
if grace then
  local untilMs = tonumber(string.match(grace, ':(%d+)$'))
  if untilMs and untilMs > tonumber(ARGV[2]) then return 1 end
end
return 0
`;

/** ARGV: oldest live heartbeat. Just the count (the person's sockets left after a sweep). */
const COUNT_SCRIPT = `${LIVE_FN}
return live(KEYS[1], KEYS[2], tonumber(ARGV[1]))
`;

type ScriptClient = Redis & {
  presenceReserve(...args: (string | number)[]): Promise<number>;
  presenceRemove(...args: (string | number)[]): Promise<number>;
  presenceOnline(...args: (string | number)[]): Promise<number>;
  presenceCount(...args: (string | number)[]): Promise<number>;
};

/**
 * PresenceTracker shared by every API process through Redis (keys under REDIS_KEY_PREFIX):
 * - `presence:sockets:<userId>`: hash socket id -> process id, one entry per open socket;
 * - `presence:processes`: sorted set process id -> last heartbeat (ms), written every PRESENCE_HEARTBEAT_MS;
 * - `presence:process:<processId>`: set of "userId socketId" of that process, to sweep it when it dies;
 * - `presence:grace:<userId>`: "closedAtMs:untilMs" while a grace period runs (kept a minute longer);
 * - `presence:announced:<userId>`: present while contacts were last told "online".
 * An entry counts only while its process's heartbeat is younger than PRESENCE_PROCESS_TTL_MS, so a SIGKILLed
 * process's sockets stop counting within that time; the first process to claim the dead one (ZREM, atomic) forgets
 * its entries and reports the people left with no socket through `onOrphaned` (PresenceService then runs the usual
 * grace period and tells their contacts). Counting and reserving are Lua scripts, atomic in Redis, so the socket cap
 * holds across processes. A process that finds its own heartbeat gone (it was taken for dead during a long stall)
 * writes its sockets back.
 */
@Injectable()
export class RedisPresenceTracker
  extends PresenceTracker
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger(RedisPresenceTracker.name);
  private readonly redis: ScriptClient;
  /** This process's open sockets (socket id -> user id), to write back after being swept by mistake. */
  private readonly local = new Map<string, string>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly connection: RedisConnection) {
    super();
    if (!connection.client) throw new Error('RedisPresenceTracker needs REDIS_URL');
    const redis = connection.client;
    redis.defineCommand('presenceReserve', { numberOfKeys: 3, lua: RESERVE_SCRIPT });
    redis.defineCommand('presenceRemove', { numberOfKeys: 3, lua: REMOVE_SCRIPT });
    redis.defineCommand('presenceOnline', { numberOfKeys: 3, lua: ONLINE_SCRIPT });
    redis.defineCommand('presenceCount', { numberOfKeys: 2, lua: COUNT_SCRIPT });
    this.redis = redis as ScriptClient;
  }

  async onModuleInit(): Promise<void> {
    await this.beat().catch((error: unknown) => this.logger.warn(describe(error)));
    this.timer = setInterval(() => {
      this.beat()
        .then(() => this.sweep())
        .catch((error: unknown) => this.logger.warn(`presence heartbeat: ${describe(error)}`));
    }, PRESENCE_HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Stops heartbeating and withdraws this process (its sockets were disconnected by the shutdown). */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const pid = this.connection.processId;
    await this.redis
      .multi()
      .zrem(this.key('presence:processes'), pid)
      .del(this.processSet(pid))
      .exec()
      .catch(() => undefined);
  }

  async reserve(userId: string, socketId: string, max: number): Promise<boolean> {
    const pid = this.connection.processId;
    const ok = await this.redis.presenceReserve(
      this.socketsKey(userId),
      this.key('presence:processes'),
      this.processSet(pid),
      this.aliveSince(),
      socketId,
      pid,
      max,
      member(userId, socketId),
    );
    if (ok === 1) this.local.set(socketId, userId);
    return ok === 1;
  }

  async remove(userId: string, socketId: string): Promise<number> {
    this.local.delete(socketId);
    return this.redis.presenceRemove(
      this.socketsKey(userId),
      this.key('presence:processes'),
      this.processSet(this.connection.processId),
      this.aliveSince(),
      socketId,
      member(userId, socketId),
    );
  }

  async onlineOf(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const since = this.aliveSince();
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const id of userIds) {
      (pipeline as unknown as ScriptClient).presenceOnline(
        this.socketsKey(id),
        this.key('presence:processes'),
        this.graceKey(id),
        since,
        now,
      );
    }
    const results = (await pipeline.exec()) ?? [];
    const online = new Set<string>();
    results.forEach(([error, value], i) => {
      if (error) throw error;
      if (value === 1) online.add(userIds[i] as string);
    });
    return online;
  }

  async startGrace(userId: string, closedAt: Date, until: number): Promise<void> {
    const keepMs = Math.max(until - Date.now(), 0) + GRACE_KEEP_MS;
    await this.redis.set(this.graceKey(userId), `${closedAt.getTime()}:${until}`, 'PX', keepMs);
  }

  async clearGrace(userId: string): Promise<void> {
    await this.redis.del(this.graceKey(userId));
  }

  async closedAt(userId: string): Promise<Date | null> {
    const value = await this.redis.get(this.graceKey(userId));
    const ms = value ? Number(value.split(':')[0]) : NaN;
    return Number.isFinite(ms) ? new Date(ms) : null;
  }

  async markAnnounced(userId: string, online: boolean): Promise<boolean> {
    const key = this.key(`presence:announced:${userId}`);
    // SET NX and DEL answer whether this call made the change: of two processes reconciling at once, one does.
    if (online) return (await this.redis.set(key, '1', 'NX')) === 'OK';
    return (await this.redis.del(key)) === 1;
  }

  /** Writes this process's heartbeat; when it was missing (swept during a stall), writes its sockets back. */
  private async beat(): Promise<void> {
    const pid = this.connection.processId;
    const added = await this.redis.zadd(this.key('presence:processes'), Date.now(), pid);
    if (Number(added) === 1 && this.local.size > 0) {
      const pipeline = this.redis.pipeline();
      for (const [socketId, userId] of this.local) {
        pipeline.hset(this.socketsKey(userId), socketId, pid);
        pipeline.sadd(this.processSet(pid), member(userId, socketId));
      }
      await pipeline.exec();
      this.logger.warn(
        `presence: re-registered ${this.local.size} sockets after a missed heartbeat`,
      );
    }
  }

  /** Forgets the sockets of processes whose heartbeat stopped; reports the people left with none. */
  private async sweep(): Promise<void> {
    const processes = this.key('presence:processes');
    const dead = await this.redis.zrangebyscore(processes, '-inf', `(${this.aliveSince()}`);
    for (const pid of dead) {
      // Only the process whose ZREM removed it sweeps it.
      if ((await this.redis.zrem(processes, pid)) !== 1) continue;
      const entries = await this.redis.smembers(this.processSet(pid));
      const users = new Set<string>();
      for (const entry of entries) {
        const [userId, socketId] = entry.split(' ');
        if (!userId || !socketId) continue;
        await this.redis.hdel(this.socketsKey(userId), socketId);
        users.add(userId);
      }
      await this.redis.del(this.processSet(pid));
      const orphaned: string[] = [];
      for (const userId of users) {
        const left = await this.redis.presenceCount(
          this.socketsKey(userId),
          processes,
          this.aliveSince(),
        );
        if (left === 0) orphaned.push(userId);
      }
      this.logger.warn(
        `presence: API process ${pid} stopped heartbeating; forgot ${entries.length} sockets`,
      );
      if (orphaned.length > 0) for (const listener of this.orphanListeners) listener(orphaned);
    }
  }

  private aliveSince(): number {
    return Date.now() - PRESENCE_PROCESS_TTL_MS;
  }

  private key(name: string): string {
    return this.connection.key(name);
  }

  private socketsKey(userId: string): string {
    return this.key(`presence:sockets:${userId}`);
  }

  private graceKey(userId: string): string {
    return this.key(`presence:grace:${userId}`);
  }

  private processSet(pid: string): string {
    return this.key(`presence:process:${pid}`);
  }
}

function member(userId: string, socketId: string): string {
  return `${userId} ${socketId}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
