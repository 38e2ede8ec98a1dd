import { Global, Module } from '@nestjs/common';
import { RedisConnection } from './redis.connection.js';

/** Provides RedisConnection everywhere (its `client` is null without REDIS_URL). */
@Global()
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule {}
