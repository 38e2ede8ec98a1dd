import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { type ApiErrorBody, ERROR_HTTP_STATUS, ErrorCode } from '@chat/shared';
import type { AppConfig } from '../config/app-config.js';

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
 * run the real wiring. Counters live in memory: one API process (see README for scaling out).
 *
 * @returns [path, middleware] pairs for `app.use(path, middleware)`
 */
export function authRateLimiters(config: AppConfig): Array<[string, RequestHandler]> {
  return RATE_LIMITED_AUTH_PATHS.map((path) => [
    path,
    rateLimit({
      windowMs: config.authRateWindowSeconds * 1000,
      limit: config.authRateLimit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
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
