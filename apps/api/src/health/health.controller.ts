import { Controller, Get, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { HealthResponse } from '@chat/shared';
import { Public } from '../auth/public.decorator.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { StorageHealth } from '../storage/storage.health.js';
import { ApiRoute } from '../openapi/api-route.decorator.js';

/** A database that has not answered within this many milliseconds counts as down (probes expect a quick reply). */
export const HEALTH_PING_TIMEOUT_MS = 2000;

/**
 * GET /api/health: 200 when the database answers, 503 otherwise; public, for load balancers and Docker. With
 * REDIS_URL it also reports Redis (`redis`), without letting it decide the status (see HealthResponse).
 *
 * `Cross-Origin-Resource-Policy: cross-origin` (helmet sets same-origin elsewhere): a page of any origin may load it
 * as an opaque `no-cors` response. The web app does so when a call fails without an answer, to tell an API that is
 * down from one that refuses the page's origin (CORS, WEB_ORIGIN); the body stays unreadable to other origins.
 */
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);
  private readonly startedAt = Date.now();

  constructor(
    private readonly storage: StorageHealth,
    private readonly redis: RedisConnection,
  ) {}

  @ApiRoute({
    summary: 'Liveness and database reachability',
    auth: 'none',
    success: { status: 200, description: 'HealthResponse, database answering' },
    alsoSuccess: [{ status: 503, description: 'HealthResponse, database not answering' }],
  })
  @Public()
  @Get()
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    let latencyMs: number | null = null;
    try {
      latencyMs = await withTimeout(this.storage.ping(), HEALTH_PING_TIMEOUT_MS);
    } catch (error) {
      this.logger.warn(
        `database ping failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const ok = latencyMs !== null;
    res.status(ok ? 200 : 503);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    return {
      status: ok ? 'ok' : 'error',
      database: { status: ok ? 'ok' : 'error', driver: this.storage.driver, latencyMs },
      ...(this.redis.enabled ? { redis: await this.pingRedis() } : {}),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  private async pingRedis(): Promise<NonNullable<HealthResponse['redis']>> {
    try {
      return {
        status: 'ok',
        latencyMs: await withTimeout(this.redis.ping(), HEALTH_PING_TIMEOUT_MS),
      };
    } catch (error) {
      this.logger.warn(
        `redis ping failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return { status: 'error', latencyMs: null };
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
