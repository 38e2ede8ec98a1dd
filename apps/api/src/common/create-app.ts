import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { LIMITS } from '@chat/shared';
import { AppModule } from '../app.module.js';
import { authRateLimiters } from '../auth/auth-rate-limit.js';
import type { AppConfig } from '../config/app-config.js';
import { setupOpenApi } from '../openapi/openapi.js';
import { ChatIoAdapter } from '../realtime/chat-io.adapter.js';
import { RedisConnection } from '../redis/redis.connection.js';

/**
 * Builds the fully wired application (not yet listening): the exact production setup, shared by main.ts and the
 * e2e tests, which call `app.listen(0, '127.0.0.1')` on it.
 *
 * - REST under /api, JSON bodies up to LIMITS.REST_MAX_BODY_BYTES (larger: 413 PAYLOAD_TOO_LARGE);
 * - Express 'trust proxy' from TRUST_PROXY (client IPs behind a reverse proxy);
 * - helmet headers; CORS for WEB_ORIGIN with credentials (the refresh cookie);
 * - cookie-parser (refresh cookie); rate limits on login/register/refresh; Socket.IO through ChatIoAdapter on the same port
 *   (with the Redis adapter when REDIS_URL is set);
 * - the OpenAPI document at /api/docs-json and Swagger UI at /api/docs;
 * - pino logs; shutdown hooks are left to the caller (main.ts) so tests do not install signal handlers.
 */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  for (const warning of config.warnings) logger.warn(warning, 'Config');

  app.disable('x-powered-by');
  // Before anything reads req.ip (the auth rate limits count by it): the client address behind a reverse proxy.
  const { trustProxy } = config;
  app.set('trust proxy', typeof trustProxy === 'object' ? [...trustProxy] : trustProxy);
  app.setGlobalPrefix('api');
  app.use(helmet());
  app.enableCors({ origin: [...config.webOrigins], credentials: true });
  app.use(cookieParser());
  for (const [path, limiter] of authRateLimiters(config, app.get(RedisConnection))) {
    app.use(path, limiter);
  }
  app.useBodyParser('json', { limit: LIMITS.REST_MAX_BODY_BYTES });
  app.useWebSocketAdapter(new ChatIoAdapter(app, config, app.get(RedisConnection)));
  await setupOpenApi(app);
  await app.init();
  return app;
}
