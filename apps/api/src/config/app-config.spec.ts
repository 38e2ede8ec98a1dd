import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, SAMPLE_JWT_SECRET } from './app-config.js';

const STRONG_SECRET = 'x'.repeat(40);

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment (development, sample secret with a warning)', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3001,
      host: '0.0.0.0',
      databaseUrl: undefined,
      jwtSecret: SAMPLE_JWT_SECRET,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlDays: 30,
      webOrigins: ['http://localhost:3000'],
      cookieSecure: false,
      bcryptCost: 12,
      logLevel: 'info',
      logFormat: 'pretty',
    });
    expect(config.warnings).toEqual([expect.stringContaining('JWT_SECRET')]);
  });

  it('parses typed values and comma-separated origins', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: 'pglite://memory',
      JWT_SECRET: 'short-is-fine-outside-production',
      WEB_ORIGIN: 'http://localhost:3000, https://chat.example.com',
      COOKIE_SECURE: 'true',
      BCRYPT_COST: '4',
      LOG_LEVEL: 'silent',
    });
    expect(config.port).toBe(0);
    expect(config.webOrigins).toEqual(['http://localhost:3000', 'https://chat.example.com']);
    expect(config.cookieSecure).toBe(true);
    expect(config.bcryptCost).toBe(4);
    expect(config.warnings).toEqual([]);
  });

  it('reads TRUST_PROXY as Express takes it: false by default, booleans, hop counts, address lists', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'TRUE' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(
      loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,172.16.0.1, fd00::/8, ::1' }).trustProxy,
    ).toEqual(['loopback', '10.0.0.0/8', '172.16.0.1', 'fd00::/8', '::1']);
    for (const bad of [
      'yes',
      '-1',
      '101',
      '10.0.0.0/33',
      '10.0.0.256',
      'proxy.local',
      '10.0.0.1,',
      '::1/129',
    ]) {
      expect(problemsOf({ TRUST_PROXY: bad })).toEqual(['TRUST_PROXY']);
    }
  });

  it('names every malformed variable in one error', () => {
    expect(
      problemsOf({
        PORT: 'eighty',
        BCRYPT_COST: '3',
        COOKIE_SECURE: 'yes please',
        LOG_LEVEL: 'loud',
        LOG_FORMAT: 'colourful',
        ACCESS_TOKEN_TTL_SECONDS: '1e3',
        WEB_ORIGIN: 'localhost:3000',
        DATABASE_URL: 'mysql://x',
        NODE_ENV: 'staging',
      }).sort(),
    ).toEqual(
      [
        'ACCESS_TOKEN_TTL_SECONDS',
        'BCRYPT_COST',
        'COOKIE_SECURE',
        'DATABASE_URL',
        'LOG_FORMAT',
        'LOG_LEVEL',
        'NODE_ENV',
        'PORT',
        'WEB_ORIGIN',
      ].sort(),
    );
  });

  it('picks the log format by NODE_ENV unless LOG_FORMAT says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'development', LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'test', LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
  });

  it('puts the variable name in the message', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
  });

  describe('in production', () => {
    it('requires JWT_SECRET', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['JWT_SECRET']);
    });

    it('refuses the sample secret and short secrets', () => {
      expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: SAMPLE_JWT_SECRET })).toEqual([
        'JWT_SECRET',
      ]);
      expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) })).toEqual([
        'JWT_SECRET',
      ]);
    });

    it('logs JSON, and refuses LOG_FORMAT=pretty', () => {
      const env = { NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET };
      expect(loadConfig(env).logFormat).toBe('json');
      expect(loadConfig({ ...env, LOG_FORMAT: 'json' }).logFormat).toBe('json');
      expect(problemsOf({ ...env, LOG_FORMAT: 'pretty' })).toEqual(['LOG_FORMAT']);
    });

    it('keeps the bcrypt cost floor at 12', () => {
      expect(
        problemsOf({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, BCRYPT_COST: '11' }),
      ).toEqual(['BCRYPT_COST']);
      expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET }).bcryptCost).toBe(12);
    });
  });

  it('reads the upload settings, with defaults, and names malformed ones', () => {
    expect(loadConfig({})).toMatchObject({
      uploadDir: './.data/uploads',
      uploadMaxFileBytes: 25 * 1024 * 1024,
      uploadDailyQuotaBytes: 500 * 1024 * 1024,
      attachmentUnsentTtlMinutes: 60,
    });
    expect(
      loadConfig({
        UPLOAD_DIR: '/data/uploads',
        UPLOAD_MAX_FILE_BYTES: '1000',
        UPLOAD_DAILY_QUOTA_BYTES: '5000',
        ATTACHMENT_UNSENT_TTL_MINUTES: '5',
      }),
    ).toMatchObject({
      uploadDir: '/data/uploads',
      uploadMaxFileBytes: 1000,
      uploadDailyQuotaBytes: 5000,
      attachmentUnsentTtlMinutes: 5,
    });
    expect(
      problemsOf({
        UPLOAD_MAX_FILE_BYTES: '0',
        UPLOAD_DAILY_QUOTA_BYTES: '1e9',
        ATTACHMENT_UNSENT_TTL_MINUTES: 'soon',
      }).sort(),
    ).toEqual([
      'ATTACHMENT_UNSENT_TTL_MINUTES',
      'UPLOAD_DAILY_QUOTA_BYTES',
      'UPLOAD_MAX_FILE_BYTES',
    ]);
  });

  it('reads the write rate limit: 10/s with a burst of 30 by default; the burst never below the rate', () => {
    expect(loadConfig({})).toMatchObject({ writeRatePerSecond: 10, writeRateBurst: 30 });
    expect(loadConfig({ WRITE_RATE_PER_SECOND: '50' })).toMatchObject({
      writeRatePerSecond: 50,
      writeRateBurst: 50,
    });
    expect(loadConfig({ WRITE_RATE_PER_SECOND: '2', WRITE_RATE_BURST: '5' })).toMatchObject({
      writeRatePerSecond: 2,
      writeRateBurst: 5,
    });
    expect(problemsOf({ WRITE_RATE_PER_SECOND: '20', WRITE_RATE_BURST: '5' })).toEqual([
      'WRITE_RATE_BURST',
    ]);
    expect(problemsOf({ WRITE_RATE_PER_SECOND: '0', WRITE_RATE_BURST: 'x' }).sort()).toEqual([
      'WRITE_RATE_BURST',
      'WRITE_RATE_PER_SECOND',
    ]);
  });

  it('reads the edit window in minutes: none when unset or empty, a positive whole number otherwise', () => {
    expect(loadConfig({}).messageEditWindowMinutes).toBeNull();
    expect(loadConfig({ MESSAGE_EDIT_WINDOW_MINUTES: '' }).messageEditWindowMinutes).toBeNull();
    expect(loadConfig({ MESSAGE_EDIT_WINDOW_MINUTES: '15' }).messageEditWindowMinutes).toBe(15);
    for (const bad of ['0', '-5', '1.5', 'soon', '1e3', '999999999']) {
      expect(problemsOf({ MESSAGE_EDIT_WINDOW_MINUTES: bad })).toEqual([
        'MESSAGE_EDIT_WINDOW_MINUTES',
      ]);
    }
  });
});
