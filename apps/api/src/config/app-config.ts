/**
 * The validated, typed configuration of the API. Built once at start by `loadConfig(process.env)` (main.ts) or by
 * tests with their own variables, then injected everywhere by its class (`AppConfig` is the injection token).
 * No other file reads `process.env`.
 */
import { isIP } from 'node:net';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { LIMITS } from '@chat/shared';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** Pino's levels plus 'silent'. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Log line formats: one JSON object per line, or human-readable lines (pino-pretty, development only). */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Used when JWT_SECRET is unset outside production, with a warning. Refused in production: anyone who has read
 * this repository could forge tokens with it.
 */
export const SAMPLE_JWT_SECRET = 'dev-only-sample-jwt-secret-do-not-use-in-production';

/**
 * Smallest JWT secret accepted in production, in characters. 32 characters of random text carry at least the
 * 256 bits HS256 keys should have (RFC 7518 section 3.2: "a key of the same size as the hash output").
 */
export const MIN_PRODUCTION_SECRET_LENGTH = 32;

/** bcrypt cost floor in production (OWASP Password Storage Cheat Sheet asks for >= 10; we keep 12). */
export const MIN_PRODUCTION_BCRYPT_COST = 12;

/**
 * Default daily upload allowance per person: 500 MiB, twenty files at the default 25 MiB limit. A judgement call
 * for a small self-hosted chat; raise it with UPLOAD_DAILY_QUOTA_BYTES.
 */
export const DEFAULT_UPLOAD_DAILY_QUOTA_BYTES = 500 * 1024 * 1024;

/**
 * Default cap on one person's simultaneous sockets: a few devices with several tabs each stay well under it, while
 * a script opening thousands is stopped early.
 */
export const DEFAULT_SOCKETS_PER_USER_MAX = 20;

/** Express's 'trust proxy' value as TRUST_PROXY gives it (see AppConfig.trustProxy). */
export type TrustProxy = boolean | number | readonly string[];

/** Address names Express (proxy-addr) accepts in a 'trust proxy' list. */
const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** Thrown by `loadConfig` when variables are missing or malformed; `problems` names each variable. */
export class ConfigError extends Error {
  constructor(readonly problems: ReadonlyArray<{ variable: string; reasons: string[] }>) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.reasons.join('; ')}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const toInt = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string' || value.trim() === '') return value === '' ? undefined : value;
  // Only plain decimal integers: Number('0x10') or Number('1e3') would slip through otherwise.
  return /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
};

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string' || value.trim() === '') return value === '' ? undefined : value;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return value;
};

/** The raw environment as class-validator sees it (strings converted to numbers/booleans first). */
class EnvironmentVariables {
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(NODE_ENVS)
  NODE_ENV?: NodeEnv;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  HOST?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @Matches(/^(pglite:\/\/|postgres:\/\/|postgresql:\/\/|mongodb:\/\/|mongodb\+srv:\/\/)/, {
    message: 'must start with pglite://, postgres://, postgresql://, mongodb:// or mongodb+srv://',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(1)
  JWT_SECRET?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 60 * 60)
  ACCESS_TOKEN_TTL_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  REFRESH_TOKEN_TTL_DAYS?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  WEB_ORIGIN?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  COOKIE_SECURE?: boolean;

  // 4 is the smallest cost bcrypt accepts (tests); 16 already takes seconds per hash on one core.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(4)
  @Max(16)
  BCRYPT_COST?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(LOG_LEVELS)
  LOG_LEVEL?: LogLevel;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(LOG_FORMATS)
  LOG_FORMAT?: LogFormat;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTH_RATE_LIMIT?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 60 * 60)
  AUTH_RATE_WINDOW_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10 * 60 * 1000)
  PRESENCE_GRACE_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  WRITE_RATE_PER_SECOND?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  WRITE_RATE_BURST?: number;

  // Unset: no edit window. One year at most: a longer window is no window (leave it unset).
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(366 * 24 * 60)
  MESSAGE_EDIT_WINDOW_MINUTES?: number;

  // Parsed and checked by parseTrustProxy (three shapes: boolean, hop count, address list).
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  TRUST_PROXY?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  UPLOAD_DIR?: string;

  // 1 GiB ceiling: larger files belong in an object store with resumable uploads, not one multipart request.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024 * 1024 * 1024)
  UPLOAD_MAX_FILE_BYTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  UPLOAD_DAILY_QUOTA_BYTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 60)
  ATTACHMENT_UNSENT_TTL_MINUTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  SOCKETS_PER_USER_MAX?: number;
}

/**
 * Typed configuration; inject it by class (`constructor(private readonly config: AppConfig)`).
 * Every field is already validated and defaulted; see `loadConfig` for the variable behind each.
 */
export class AppConfig {
  readonly nodeEnv!: NodeEnv;
  /** TCP port; 0 asks the OS for a free one (tests). */
  readonly port!: number;
  readonly host!: string;
  /** Undefined means the default embedded PGlite folder (decided by StorageModule). */
  readonly databaseUrl!: string | undefined;
  readonly jwtSecret!: string;
  readonly accessTokenTtlSeconds!: number;
  readonly refreshTokenTtlDays!: number;
  /** Allowed browser origins (CORS for REST and Socket.IO), exact matches. */
  readonly webOrigins!: readonly string[];
  readonly cookieSecure!: boolean;
  readonly bcryptCost!: number;
  readonly logLevel!: LogLevel;
  /** `pretty` (pino-pretty, a development dependency) or `json` (one object per line). */
  readonly logFormat!: LogFormat;
  /** Requests per window per client IP on login/register/refresh. */
  readonly authRateLimit!: number;
  readonly authRateWindowSeconds!: number;
  /** Folder of the local-disk FileStorage (attachments, thumbnails, avatars); relative paths are to the cwd. */
  readonly uploadDir!: string;
  /** Largest accepted upload, in bytes (per file; the multipart stream is cut beyond it). */
  readonly uploadMaxFileBytes!: number;
  /** Bytes one person may upload per rolling 24 hours (stored sizes, sent or not). */
  readonly uploadDailyQuotaBytes!: number;
  /** Minutes an uploaded attachment may stay unsent before the cleanup removes it. */
  readonly attachmentUnsentTtlMinutes!: number;
  /**
   * How long a person stays online after their last socket closed, in milliseconds, so a page reload or a short
   * network blip does not flap their presence.
   */
  readonly presenceGraceMs!: number;
  /**
   * Express's 'trust proxy' setting (https://expressjs.com/en/guide/behind-proxies.html), which decides the client
   * IP (`req.ip`, what the rate limits count by) from X-Forwarded-For: `false` (default) ignores the header;
   * `true` trusts every hop; a number trusts that many hops in front of the API; a list trusts those addresses
   * and subnets (IPv4/IPv6, CIDR) and the names `loopback`, `linklocal`, `uniquelocal`.
   */
  readonly trustProxy!: TrustProxy;
  /**
   * Most Socket.IO connections one person may hold at once (all tabs and devices, this API process); the handshake
   * of one more is refused with TOO_MANY_CONNECTIONS. Bounds the memory and fan-out one account can tie up.
   */
  readonly socketsPerUserMax!: number;
  /**
   * Per-person limit on socket writes (message:send, typing:update, receipt:update) and their REST twins: this many
   * a second sustained, after a burst of up to `writeRateBurst` at once (WriteRateLimiter).
   */
  readonly writeRatePerSecond!: number;
  readonly writeRateBurst!: number;
  /**
   * How long after sending a message its author may edit it, in minutes (MESSAGE_EDIT_WINDOW_MINUTES); null: no
   * limit. Deletion has no window.
   */
  readonly messageEditWindowMinutes!: number | null;
  /** Non-fatal remarks made while loading (e.g. "using the sample JWT secret"); logged at start. */
  readonly warnings!: readonly string[];

  /** Builds a config from already-typed values (no validation); `loadConfig` is the checked way in. */
  constructor(values: Omit<AppConfig, never>) {
    Object.assign(this, values);
    Object.freeze(this);
  }
}

function flatten(errors: ValidationError[]): Array<{ variable: string; reasons: string[] }> {
  return errors.map((e) => ({
    variable: e.property,
    reasons: Object.values(e.constraints ?? {}).map((m) => m.replace(`${e.property} `, '')),
  }));
}

/**
 * Validates the environment and returns the typed configuration.
 *
 * Variables: NODE_ENV (development|test|production, default development), PORT (default 3001), HOST (default
 * 0.0.0.0), DATABASE_URL (optional), JWT_SECRET (required in production, at least 32 characters and not the
 * sample; elsewhere the sample is used with a warning), ACCESS_TOKEN_TTL_SECONDS (default 900, about 15 minutes),
 * REFRESH_TOKEN_TTL_DAYS (default 30), WEB_ORIGIN (comma-separated, default http://localhost:3000), COOKIE_SECURE
 * (true|false|1|0, default false), BCRYPT_COST (4..16, default 12, >= 12 in production), LOG_LEVEL (pino level or
 * silent, default info), LOG_FORMAT (pretty|json: pretty by default when NODE_ENV=development, else json; pretty is
 * refused in production, whose image has no pino-pretty), AUTH_RATE_LIMIT (default 20) and
 * AUTH_RATE_WINDOW_SECONDS (default 60) for login/register/refresh, PRESENCE_GRACE_MS (0..600000, default 5000:
 * offline is announced this long after a person's last socket closed); UPLOAD_DIR (default ./.data/uploads),
 * UPLOAD_MAX_FILE_BYTES (1..1 GiB, default LIMITS.ATTACHMENT_MAX_BYTES_DEFAULT = 25 MiB), UPLOAD_DAILY_QUOTA_BYTES
 * (default 500 MiB) and ATTACHMENT_UNSENT_TTL_MINUTES (1..10080, default 60) for attachments; TRUST_PROXY (Express
 * 'trust proxy': true|false, a hop count, or a comma-separated list of addresses/subnets; default false);
 * SOCKETS_PER_USER_MAX (1..1000, default 20: simultaneous sockets per person).
 * WRITE_RATE_PER_SECOND (1..10000, default 10) and WRITE_RATE_BURST (>= the rate, up to 100000, default 30): each
 * person's limit on message sends, typing and receipts (socket and REST).
 *
 * @param env usually `process.env`; unknown variables are ignored.
 * @throws ConfigError naming every missing or malformed variable.
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const raw = plainToInstance(EnvironmentVariables, { ...env }, { excludeExtraneousValues: false });
  const errors = validateSync(raw, { whitelist: true, forbidUnknownValues: false });
  const problems = flatten(errors);

  const nodeEnv: NodeEnv = raw.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const warnings: string[] = [];
  const bad = new Set(problems.map((p) => p.variable));

  let jwtSecret = raw.JWT_SECRET;
  if (!bad.has('JWT_SECRET')) {
    if (jwtSecret === undefined) {
      if (production) {
        problems.push({
          variable: 'JWT_SECRET',
          reasons: ['is required when NODE_ENV=production'],
        });
      } else {
        jwtSecret = SAMPLE_JWT_SECRET;
        warnings.push('JWT_SECRET is not set: using the sample secret (development and test only)');
      }
    } else if (production && jwtSecret === SAMPLE_JWT_SECRET) {
      problems.push({
        variable: 'JWT_SECRET',
        reasons: ['the sample secret is refused when NODE_ENV=production'],
      });
    } else if (production && jwtSecret.length < MIN_PRODUCTION_SECRET_LENGTH) {
      problems.push({
        variable: 'JWT_SECRET',
        reasons: [
          `must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters when NODE_ENV=production`,
        ],
      });
    }
  }

  const bcryptCost = raw.BCRYPT_COST ?? 12;
  if (!bad.has('BCRYPT_COST') && production && bcryptCost < MIN_PRODUCTION_BCRYPT_COST) {
    problems.push({
      variable: 'BCRYPT_COST',
      reasons: [`must be at least ${MIN_PRODUCTION_BCRYPT_COST} when NODE_ENV=production`],
    });
  }

  if (!bad.has('LOG_FORMAT') && production && raw.LOG_FORMAT === 'pretty') {
    problems.push({
      variable: 'LOG_FORMAT',
      reasons: ['must be json when NODE_ENV=production (pretty is a development format)'],
    });
  }

  const webOrigins = (raw.WEB_ORIGIN ?? 'http://localhost:3000')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  if (!bad.has('WEB_ORIGIN')) {
    const malformed = webOrigins.filter((o) => !isOrigin(o));
    if (webOrigins.length === 0 || malformed.length > 0) {
      problems.push({
        variable: 'WEB_ORIGIN',
        reasons: [
          `must be a comma-separated list of origins like http://localhost:3000 (bad: ${malformed.join(', ') || 'empty'})`,
        ],
      });
    }
  }

  const writeRatePerSecond = raw.WRITE_RATE_PER_SECOND ?? 10;
  const writeRateBurst = raw.WRITE_RATE_BURST ?? Math.max(30, writeRatePerSecond);
  if (!bad.has('WRITE_RATE_BURST') && writeRateBurst < writeRatePerSecond) {
    problems.push({
      variable: 'WRITE_RATE_BURST',
      reasons: [`must be at least WRITE_RATE_PER_SECOND (${writeRatePerSecond})`],
    });
  }

  const trustProxy = parseTrustProxy(raw.TRUST_PROXY);
  if (!bad.has('TRUST_PROXY') && trustProxy === null) {
    problems.push({
      variable: 'TRUST_PROXY',
      reasons: [
        'must be true, false, a hop count (0..100), or a comma-separated list of IP addresses, CIDR subnets and loopback/linklocal/uniquelocal',
      ],
    });
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return new AppConfig({
    nodeEnv,
    port: raw.PORT ?? 3001,
    host: raw.HOST ?? '0.0.0.0',
    databaseUrl: raw.DATABASE_URL,
    jwtSecret: jwtSecret as string,
    accessTokenTtlSeconds: raw.ACCESS_TOKEN_TTL_SECONDS ?? 900,
    refreshTokenTtlDays: raw.REFRESH_TOKEN_TTL_DAYS ?? 30,
    webOrigins,
    cookieSecure: raw.COOKIE_SECURE ?? false,
    bcryptCost,
    logLevel: raw.LOG_LEVEL ?? 'info',
    logFormat: raw.LOG_FORMAT ?? (nodeEnv === 'development' ? 'pretty' : 'json'),
    authRateLimit: raw.AUTH_RATE_LIMIT ?? 20,
    authRateWindowSeconds: raw.AUTH_RATE_WINDOW_SECONDS ?? 60,
    uploadDir: raw.UPLOAD_DIR ?? './.data/uploads',
    uploadMaxFileBytes: raw.UPLOAD_MAX_FILE_BYTES ?? LIMITS.ATTACHMENT_MAX_BYTES_DEFAULT,
    uploadDailyQuotaBytes: raw.UPLOAD_DAILY_QUOTA_BYTES ?? DEFAULT_UPLOAD_DAILY_QUOTA_BYTES,
    attachmentUnsentTtlMinutes: raw.ATTACHMENT_UNSENT_TTL_MINUTES ?? 60,
    presenceGraceMs: raw.PRESENCE_GRACE_MS ?? 5_000,
    trustProxy: trustProxy ?? false,
    socketsPerUserMax: raw.SOCKETS_PER_USER_MAX ?? DEFAULT_SOCKETS_PER_USER_MAX,
    writeRatePerSecond,
    writeRateBurst,
    messageEditWindowMinutes: raw.MESSAGE_EDIT_WINDOW_MINUTES ?? null,
    warnings,
  });
}

/** An origin is scheme://host[:port] with nothing after it (what browsers send in the Origin header). */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/**
 * TRUST_PROXY as Express takes it: unset or empty -> false; `true`/`false` (any case); a decimal hop count
 * 0..100; otherwise a comma-separated list whose every entry is an IPv4/IPv6 address, a CIDR subnet of one
 * (`10.0.0.0/8`, `fd00::/8`) or a name of proxy-addr (`loopback`, `linklocal`, `uniquelocal`).
 * @returns the value, or null when malformed
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | null {
  if (value === undefined) return false;
  const v = value.trim();
  if (v === '') return false;
  if (v.toLowerCase() === 'true') return true;
  if (v.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops <= 100 ? hops : null;
  }
  const entries = v.split(',').map((e) => e.trim());
  return entries.every(isTrustedProxyEntry) ? entries : null;
}

function isTrustedProxyEntry(entry: string): boolean {
  if (TRUST_PROXY_NAMES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  if (rest.length > 0) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
