import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { type ApiErrorBody, ERROR_HTTP_STATUS, ErrorCode } from '@chat/shared';
import type { AppConfig } from '../config/app-config.js';
import type { RedisConnection } from '../redis/redis.connection.js';

/** The auth routes that are rate-limited, each with its own counter per client IP. */
export const RATE_LIMITED_AUTH_PATHS = [
  '/api/auth/login',
  '/api/auth/register',
  '/api/auth/refresh',
] as const;

/**
 * Rate limits against password guessing and signup floods: AUTH_RATE_LIMIT requests per
 * AUTH_RATE_WINDOW_SECONDS per client IP (IPv6 grouped by /56), per route. Over the limit: 429 RATE_LIMITED in
 * the ApiErrorBody shape, with `RateLimit`/`Retry-After` headers (IETF draft-ietf-httpapi-ratelimit-headers).
 *
 * express-rate-limit rather than @nestjs/throttler: throttler 6.7 ships CommonJS that `require`s the ESM-only
 * @nestjs/common, which Jest cannot load on Node < 24.9 (Node itself can, from 20.19), so the e2e suite could not
 * run the real wiring. Counters live in memory for one API process; with REDIS_URL in Redis (rate-limit-redis,
 * keys `<REDIS_KEY_PREFIX>auth:<path>:<ip>`), so the limit is per address across every process. If Redis does not
 * answer, the request is let through (`passOnStoreError`): refusing every sign-in during a Redis blip would be worse,
 * and bcrypt still bounds what an unlimited burst costs (docs/scaling.md).
 *
 * @param redis the shared connection; without a client (no REDIS_URL), counters stay in memory
 * @returns [path, middleware] pairs for `app.use(path, middleware)`
 */
export function authRateLimiters(
  config: AppConfig,
  redis: RedisConnection | null = null,
): Array<[string, RequestHandler]> {
  const client = redis?.client ?? null;
  return RATE_LIMITED_AUTH_PATHS.map((path) => [
    path,
    rateLimit({
      windowMs: config.authRateWindowSeconds * 1000,
      limit: config.authRateLimit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      ...(client && redis
        ? {
            store: new RedisStore({
              prefix: redis.key(`auth:${path}:`),
              sendCommand: (command: string, ...args: string[]) =>
                client.call(command, ...args) as Promise<number | string>,
            }),
            passOnStoreError: true,
          }
        : {}),
      handler: (_req, res) => {
        const status = ERROR_HTTP_STATUS.RATE_LIMITED;
        const body: ApiErrorBody = {
          statusCode: status,
          code: ErrorCode.RATE_LIMITED,
          message: 'Too many attempts; try again later.',
        };
        res.status(status).json(body);
      },
    }),
  ]);
}
