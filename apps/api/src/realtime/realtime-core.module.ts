import { Global, Module } from '@nestjs/common';
import { WriteRateLimiter } from '../common/write-rate-limiter.js';
import { InMemoryPresenceTracker, PresenceTracker } from '../live-state/presence.tracker.js';
import { RedisPresenceTracker } from '../live-state/redis-presence.tracker.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { RealtimePublisher } from './realtime.publisher.js';
import { SocketIoRealtimePublisher } from './socket-io.publisher.js';

/**
 * Provides RealtimePublisher to every module (global) without importing the gateway, which itself depends on
 * the services: this split avoids a module cycle. Its users are the transport side only (the fan-out listener,
 * live state); services publish domain events instead. Also the per-person WriteRateLimiter, which the gateways
 * and the REST twins of their write events share, and the PresenceTracker (the handshake's socket cap counts with
 * it too): in Redis when REDIS_URL is set, else in memory.
 */
@Global()
@Module({
  providers: [
    SocketIoRealtimePublisher,
    { provide: RealtimePublisher, useExisting: SocketIoRealtimePublisher },
    WriteRateLimiter,
    {
      provide: PresenceTracker,
      useFactory: (redis: RedisConnection) =>
        redis.enabled ? new RedisPresenceTracker(redis) : new InMemoryPresenceTracker(),
      inject: [RedisConnection],
    },
  ],
  exports: [RealtimePublisher, WriteRateLimiter, PresenceTracker],
})
export class RealtimeCoreModule {}
