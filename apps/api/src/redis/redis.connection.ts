import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';

/**
 * The API's connection to Redis when REDIS_URL is set (several API processes share live state through it), or
 * nothing when it is not (one process keeps everything in memory). One ioredis client for commands; the Socket.IO
 * adapter duplicates it for its subscriber (`subscriber()`), since a connection in subscribed mode runs no other
 * commands.
 *
 * ioredis reconnects by itself with backoff; while it is away, commands fail fast (`maxRetriesPerRequest: 2`, no
 * hang): rate limits fall back to memory, presence writes are logged and lost (sockets re-register when the
 * process's heartbeat comes back, see RedisPresenceTracker), broadcasts reach this process's sockets only.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  /** The command client, or null without REDIS_URL. */
  readonly client: Redis | null;
  /** Prefix of every key and channel (REDIS_KEY_PREFIX). */
  readonly prefix: string;
  /** This process's id in Redis (presence entries, heartbeats): random per start, so a restart is a new process. */
  readonly processId = randomUUID();
  private readonly duplicates: Redis[] = [];

  constructor(config: AppConfig) {
    this.prefix = config.redisKeyPrefix;
    this.client = config.redisUrl ? this.open(config.redisUrl) : null;
  }

  /** True when REDIS_URL is set. */
  get enabled(): boolean {
    return this.client !== null;
  }

  /** `name` under this deployment's prefix. */
  key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /**
   * A second connection (same URL and options, but commands wait for a reconnection instead of failing) for a
   * subscriber; closed with this one.
   * @throws Error without REDIS_URL
   */
  subscriber(): Redis {
    if (!this.client) throw new Error('Redis is not configured (REDIS_URL)');
    // Never fail a (p)subscribe while Redis is away: the adapter does not handle their promises (an unhandled
    // rejection stops the process); they wait for the reconnection, and ioredis re-subscribes after it anyway.
    const duplicate = this.client.duplicate({ maxRetriesPerRequest: null });
    duplicate.on('error', (error: Error) => this.logger.warn(`Redis subscriber: ${error.message}`));
    this.duplicates.push(duplicate);
    return duplicate;
  }

  /**
   * A second connection for publishing whose `publish` never rejects: the Socket.IO Redis adapter publishes without
   * handling the returned promise, so while Redis is away each broadcast would end in an unhandled rejection, which
   * stops a Node process. A failed publish is logged instead (that broadcast reaches this process's sockets only;
   * clients resync by seq).
   * @throws Error without REDIS_URL
   */
  publisher(): Redis {
    if (!this.client) throw new Error('Redis is not configured (REDIS_URL)');
    const duplicate = this.client.duplicate();
    duplicate.on('error', (error: Error) => this.logger.warn(`Redis publisher: ${error.message}`));
    const publish = duplicate.publish.bind(duplicate) as (
      channel: string | Buffer,
      message: string | Buffer,
    ) => Promise<number>;
    let lastWarning = 0;
    const safePublish = (channel: string | Buffer, message: string | Buffer): Promise<number> =>
      publish(channel, message).catch((error: unknown) => {
        // At most one line a second while Redis is away.
        if (Date.now() - lastWarning > 1000) {
          lastWarning = Date.now();
          this.logger.warn(
            `Redis publish failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        return 0;
      });
    (duplicate as unknown as { publish: typeof safePublish }).publish = safePublish;
    this.duplicates.push(duplicate);
    return duplicate;
  }

  /**
   * Round trip of PING in milliseconds.
   * @throws Error when Redis is not configured or does not answer
   */
  async ping(): Promise<number> {
    if (!this.client) throw new Error('Redis is not configured (REDIS_URL)');
    const started = performance.now();
    await this.client.ping();
    return Math.round((performance.now() - started) * 100) / 100;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const c of [...this.duplicates, ...(this.client ? [this.client] : [])]) {
      await c.quit().catch(() => c.disconnect());
    }
  }

  private open(url: string): Redis {
    const client = new Redis(url, {
      // Fail a command after two reconnection attempts instead of queueing it forever: callers have fallbacks.
      maxRetriesPerRequest: 2,
      connectionName: `relay-api-${this.processId.slice(0, 8)}`,
    });
    // Without a listener an 'error' event would crash the process; ioredis keeps reconnecting by itself.
    client.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    return client;
  }
}
