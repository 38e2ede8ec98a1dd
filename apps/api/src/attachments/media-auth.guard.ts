import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthenticatedRequest } from '../auth/auth.types.js';
import { readMediaCookie } from '../auth/media-cookie.js';
import { SESSION_LIVENESS_CACHE_MS, SessionLiveness } from '../auth/session-liveness.js';
import { TokensService } from '../auth/tokens.service.js';

/**
 * Authentication for the file GET routes only (attachment content and thumbnails, avatars), which are marked
 * `@Public()` so the global Bearer-only guard steps aside and this guard decides instead: it accepts the access
 * token from `Authorization: Bearer` or, because `<img>` and download links cannot send headers, from the
 * httpOnly media cookie. It fails closed: 401 UNAUTHENTICATED / TOKEN_EXPIRED / SESSION_REVOKED like the global
 * guard (the same live-session rule, SessionLiveness).
 * Accepting a cookie is safe on these routes because they are GETs without side effects (no CSRF surface), and
 * the cookie is SameSite=Lax.
 */
@Injectable()
export class MediaAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: TokensService,
    private readonly liveness: SessionLiveness,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization;
    const bearer =
      typeof header === 'string' && /^Bearer\s+/i.test(header)
        ? header.replace(/^Bearer\s+/i, '').trim()
        : undefined;
    const verified = await this.tokens.verifyAccessToken(bearer ?? readMediaCookie(req));
    const user = { userId: verified.userId, sessionId: verified.sessionId };
    await this.liveness.requireLive(user, { maxAgeMs: SESSION_LIVENESS_CACHE_MS });
    (req as AuthenticatedRequest).user = user;
    return true;
  }
}
