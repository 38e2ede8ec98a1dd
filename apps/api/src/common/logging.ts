import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config.js';

/**
 * Paths pino replaces with "[redacted]" in every log line: credentials must never reach logs
 * (ARCHITECTURE.md section 5). Request bodies (passwords) are never logged at all.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'req.headers["sec-websocket-protocol"]',
];

/**
 * Structured logging: one JSON object per line (pino through nestjs-pino, which also logs each HTTP request
 * with its status and duration). nestjs-pino 5 declares Node >= 22.12 in `engines` for its CommonJS build
 * (require of ESM Nest); this ESM app loads its ESM build, which runs on Node 20.19+ (checked by the e2e suite).
 */
export function loggingModule(config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Query strings may carry search terms and cursors: keep the path only.
      serializers: {
        req: (req: {
          id?: unknown;
          method?: string;
          url?: string;
          headers?: Record<string, unknown>;
        }) => ({
          id: req.id,
          method: req.method,
          path: typeof req.url === 'string' ? req.url.split('?')[0] : undefined,
          userAgent: req.headers?.['user-agent'],
        }),
        // Response headers carry Set-Cookie (the refresh token): keep the status only.
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      // Health probes every few seconds would drown everything else.
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/api/health') },
    },
  });
}
