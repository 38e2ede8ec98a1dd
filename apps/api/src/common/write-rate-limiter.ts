import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import {
  BurstyRateLimiter,
  type IRateLimiterOptions,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { ErrorCode } from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { AppConfig } from '../config/app-config.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { AppError } from './app-error.js';

/**
 * How often the burst allowance (WRITE_RATE_BURST minus the per-second rate) comes back, in seconds. Over a long
 * flood a person gets at most rate + allowance / BURST_WINDOW_SECONDS writes a second (12/s with the defaults).
 */
export const BURST_WINDOW_SECONDS = 10;

/**
 * The per-person limit on writes over the socket (`message:send`, `typing:update`, `receipt:update`) and their REST
 * twins, so one person flooding cannot slow everyone else down: WRITE_RATE_PER_SECOND a second, plus a burst
 * allowance so that up to WRITE_RATE_BURST writes at once pass (someone pasting several lines, an outbox flushing
 * after a reconnect). rate-limiter-flexible's BurstyRateLimiter (a per-second limiter, and a second one with the
 * allowance over BURST_WINDOW_SECONDS that is used only when the first is exhausted): a token bucket in effect,
 * counted in memory for one process, or with REDIS_URL in Redis (RateLimiterRedis: one atomic INCR+PEXPIRE per
 * write), so a person's allowance is shared by every API process.
 *
 * If Redis does not answer (a blip, a failover), each Redis limiter falls back to its insurance limiter: the same
 * limit in this process's memory, so writes keep flowing and stay limited per process (a person spread over N
 * processes may get up to N times the allowance while Redis is away) rather than failing or being let through
 * unlimited. `rejectIfRedisNotReady` makes that switch immediate instead of queueing the command.
 */
@Injectable()
export class WriteRateLimiter {
  private readonly limiter: BurstyRateLimiter | RateLimiterMemory | RateLimiterRedis;

  constructor(config: AppConfig, redis: RedisConnection) {
    const make = (options: IRateLimiterOptions & { keyPrefix: string }) =>
      redis.client
        ? new RateLimiterRedis({
            ...options,
            keyPrefix: redis.key(options.keyPrefix),
            storeClient: redis.client,
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(options),
          })
        : new RateLimiterMemory(options);
    const perSecond = make({ keyPrefix: 'write', points: config.writeRatePerSecond, duration: 1 });
    const allowance = config.writeRateBurst - config.writeRatePerSecond;
    this.limiter =
      allowance > 0
        ? new BurstyRateLimiter(
            perSecond,
            make({ keyPrefix: 'write-burst', points: allowance, duration: BURST_WINDOW_SECONDS }),
          )
        : perSecond;
  }

  /**
   * Takes one write from the person's allowance.
   * @param userId whose allowance (the authenticated caller)
   * @throws AppError RATE_LIMITED (429) with `retryAfterMs`, the wait in ms until a write passes again (>= 1)
   */
  async take(userId: string): Promise<void> {
    try {
      await this.limiter.consume(userId);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterMs = Math.max(1, Math.ceil(rejection.msBeforeNext));
      throw new AppError(
        ErrorCode.RATE_LIMITED,
        'You are sending too fast; wait a moment.',
        undefined,
        { retryAfterMs },
      );
    }
  }
}

/**
 * Route guard for the REST twins of the socket write events: takes one write of the signed-in caller (runs after the
 * global JWT guard, which sets `request.user`).
 * @throws AppError RATE_LIMITED (answered 429 with `Retry-After` and `retryAfterMs`)
 */
@Injectable()
export class WriteRateLimitGuard implements CanActivate {
  constructor(private readonly limiter: WriteRateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (user) await this.limiter.take(user.userId);
    return true;
  }
}
