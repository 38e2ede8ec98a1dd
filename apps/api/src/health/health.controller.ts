import { Controller, Get, Headers, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { HealthResponse, OriginCheckResponse } from '@chat/shared';
import { AppConfig } from '../config/app-config.js';
import { Public } from '../auth/public.decorator.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { StorageHealth } from '../storage/storage.health.js';
import { ApiRoute } from '../openapi/api-route.decorator.js';

/** A database that has not answered within this many milliseconds counts as down (probes expect a quick reply). */
export const HEALTH_PING_TIMEOUT_MS = 2000;

/**
 * GET /api/health: 200 when the database answers, 503 otherwise; public, for load balancers and Docker. With
 * REDIS_URL it also reports Redis (`redis`), without letting it decide the status (see HealthResponse).
 * GET /api/health/origin: whether the calling page's origin is one the API accepts (OriginCheckResponse).
 */
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);
  private readonly startedAt = Date.now();

  constructor(
    private readonly storage: StorageHealth,
    private readonly redis: RedisConnection,
    private readonly config: AppConfig,
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
    return {
      status: ok ? 'ok' : 'error',
      database: { status: ok ? 'ok' : 'error', driver: this.storage.driver, latencyMs },
      ...(this.redis.enabled ? { redis: await this.pingRedis() } : {}),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  /**
   * Whether the `Origin` of the request is in WEB_ORIGIN (exact match, as CORS and the socket handshake check it).
   * Answered to every origin (`Access-Control-Allow-Origin: *`; no credentials, nothing private): the web app asks
   * after a call got no answer it may read, because the browser reports a refused origin (CORS) and a server that
   * is down alike. A refused page reads `allowed: false` and names the address to add; through a proxy whose API
   * is down the answer carries no CORS header, which reads as "cannot reach the server", as it should.
   */
  @ApiRoute({
    summary: "Whether the API accepts the calling page's origin (WEB_ORIGIN)",
    auth: 'none',
    success: { status: 200, description: 'OriginCheckResponse' },
  })
  @Public()
  @Get('origin')
  origin(
    @Headers('origin') origin: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): OriginCheckResponse {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.removeHeader('Access-Control-Allow-Credentials');
    res.setHeader('Cache-Control', 'no-store');
    return { allowed: origin !== undefined && this.config.webOrigins.includes(origin) };
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
