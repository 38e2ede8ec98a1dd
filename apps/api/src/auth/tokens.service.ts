import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import type { AuthUser } from './auth.types.js';

/** The only algorithm accepted on sign and verify: pinning it rules out `alg: none` and key-confusion tricks. */
export const JWT_ALGORITHM = 'HS256' as const;

/** Claims of an access token: `sub` = user id, `sid` = session id; `iat`/`exp` in seconds since the epoch. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
}

/** A verified access token. */
export interface VerifiedAccessToken extends AuthUser {
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** True when a decoded JWT payload carries our claims with the right types. */
export function isAccessTokenClaims(value: unknown): value is AccessTokenClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c.sub === 'string' &&
    c.sub !== '' &&
    typeof c.sid === 'string' &&
    c.sid !== '' &&
    typeof c.exp === 'number' &&
    typeof c.iat === 'number'
  );
}

/**
 * Access tokens (short-lived HS256 JWTs) and refresh tokens (opaque random strings stored only as hashes).
 */
@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Signs an access token for a session, valid for `ACCESS_TOKEN_TTL_SECONDS`.
   * @returns the compact JWT and its expiry time
   */
  async issueAccessToken(
    user: AuthUser,
    now = new Date(),
  ): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.config.accessTokenTtlSeconds;
    const claims: AccessTokenClaims = { sub: user.userId, sid: user.sessionId, iat, exp };
    const token = await this.jwt.signAsync(claims, { algorithm: JWT_ALGORITHM });
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Verifies signature (HS256 only), expiry and claim shapes. Used by the Socket.IO handshake; REST goes through
   * the passport-jwt strategy with the same secret and algorithm.
   * @throws AppError TOKEN_EXPIRED when the token is genuine but expired, UNAUTHENTICATED for anything else
   */
  async verifyAccessToken(token: unknown): Promise<VerifiedAccessToken> {
    if (typeof token !== 'string' || token === '') {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'An access token is required.');
    }
    let claims: unknown;
    try {
      claims = await this.jwt.verifyAsync<object>(token, { algorithms: [JWT_ALGORITHM] });
    } catch (error) {
      if (error instanceof Error && error.name === 'TokenExpiredError') {
        throw new AppError(ErrorCode.TOKEN_EXPIRED, 'The access token has expired.');
      }
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'The access token is invalid.');
    }
    if (!isAccessTokenClaims(claims)) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'The access token is invalid.');
    }
    return { userId: claims.sub, sessionId: claims.sid, expiresAt: claims.exp * 1000 };
  }

  /**
   * A new refresh token: 32 random bytes (256 bits, beyond guessing) as base64url, with its SHA-256 hex hash
   * (what is stored). A fast hash suffices because the token is high-entropy, unlike a password.
   */
  newRefreshToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: this.hashRefreshToken(token) };
  }

  /** SHA-256 of the token, hex. */
  hashRefreshToken(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }

  /** When a refresh token issued at `now` stops being accepted. */
  refreshExpiry(now: Date): Date {
    return new Date(now.getTime() + this.config.refreshTokenTtlDays * 24 * 60 * 60 * 1000);
  }
}
