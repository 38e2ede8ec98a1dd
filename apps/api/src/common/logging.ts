import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '../config/app-config.js';

/**
 * Paths pino replaces with "[redacted]" in every log line: credentials must never reach logs. Request bodies
 * (passwords) are never logged at all.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'req.headers["sec-websocket-protocol"]',
];

/**
 * Logging through pino (nestjs-pino, which also logs each HTTP request with its status and duration), in the
 * format LOG_FORMAT picks: `json`, one object per line (production, tests), or `pretty`, one human-readable line
 * per entry (`npm start`, `pnpm dev`), through pino-pretty as a synchronous stream in the same process.
 * pino-pretty is a development dependency, loaded only for `pretty` (the config refuses it in production, whose
 * image has no development dependencies). nestjs-pino 5 declares Node >= 22.12 in `engines` for its CommonJS
 * build (require of ESM Nest); this ESM app loads its ESM build, which runs on Node 20.19+ (checked by the e2e
 * suite).
 */
export function loggingModule(config: AppConfig): DynamicModule {
  return LoggerModule.forRootAsync({
    useFactory: async () => {
      const options = pinoHttpOptions(config);
      if (config.logFormat === 'json') return { pinoHttp: options };
      return { pinoHttp: [options, await prettyStream()] };
    },
  });
}

/** pino-http options shared by both formats. */
function pinoHttpOptions(config: AppConfig): Options {
  const pretty = config.logFormat === 'pretty';
  return {
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
        path: pathOf(req.url),
        userAgent: req.headers?.['user-agent'],
      }),
      // Response headers carry Set-Cookie (the refresh token): keep the status only.
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    // A person reads "GET /api/users/me 200 4ms"; machines read the req/res/responseTime fields.
    ...(pretty
      ? {
          customSuccessMessage: (req, res, responseTime) =>
            `${req.method ?? ''} ${requestPath(req)} ${res.statusCode} ${Math.round(responseTime)}ms`,
          customErrorMessage: (req, res, error) =>
            `${req.method ?? ''} ${requestPath(req)} ${res.statusCode} ${error.message}`,
        }
      : {}),
    // Health probes every few seconds would drown everything else.
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/api/health') },
  };
}

/** Human-readable lines: time, level, `[context]` and the message; request details stay out of the way. */
async function prettyStream(): Promise<DestinationStream> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,req,res,responseTime',
    messageFormat: '{if context}[{context}] {end}{msg}',
    singleLine: true,
  });
}

/** The path as the client sent it (Express rewrites `url` inside mounted routers; `originalUrl` keeps it). */
function requestPath(req: { url?: string; originalUrl?: string }): string | undefined {
  return pathOf(req.originalUrl ?? req.url);
}

function pathOf(url: string | undefined): string | undefined {
  return typeof url === 'string' ? url.split('?')[0] : undefined;
}
