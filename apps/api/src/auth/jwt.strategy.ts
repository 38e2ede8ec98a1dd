import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config.js';
import type { AuthUser } from './auth.types.js';
import { isAccessTokenClaims, JWT_ALGORITHM } from './tokens.service.js';

/**
 * passport-jwt strategy for REST: `Authorization: Bearer <jwt>`, HS256 only, expiry enforced.
 * `validate` returns `req.user` (`AuthUser`) or false for a token without our claims.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  validate(payload: unknown): AuthUser | false {
    if (!isAccessTokenClaims(payload)) return false;
    return { userId: payload.sub, sessionId: payload.sid };
  }
}
