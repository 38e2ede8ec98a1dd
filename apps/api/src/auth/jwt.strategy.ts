import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config.js';
import type { AuthUser } from './auth.types.js';
import { SESSION_LIVENESS_CACHE_MS, SessionLiveness } from './session-liveness.js';
import { isAccessTokenClaims, JWT_ALGORITHM } from './tokens.service.js';

/**
 * passport-jwt strategy for REST: `Authorization: Bearer <jwt>`, HS256 only, expiry enforced, and the token's
 * session live (SessionLiveness, answers up to SESSION_LIVENESS_CACHE_MS old).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly liveness: SessionLiveness,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  /**
   * @returns `req.user`, or false for a token without our claims (401 UNAUTHENTICATED)
   * @throws AppError SESSION_REVOKED (401) for a signed-out, revoked or expired session; SERVICE_UNAVAILABLE
   */
  async validate(payload: unknown): Promise<AuthUser | false> {
    if (!isAccessTokenClaims(payload)) return false;
    const user: AuthUser = { userId: payload.sub, sessionId: payload.sid };
    await this.liveness.requireLive(user, { maxAgeMs: SESSION_LIVENESS_CACHE_MS });
    return user;
  }
}
