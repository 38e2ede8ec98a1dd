import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import type { AuthUser } from './auth.types.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';

/**
 * The global REST guard (registered with APP_GUARD): every route needs a valid access token unless marked
 * `@Public()`. Answers 401 TOKEN_EXPIRED for a genuine but expired token (the client should refresh) and
 * 401 UNAUTHENTICATED for anything else. Socket.IO is authenticated once at the handshake instead.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    return (await super.canActivate(context)) as boolean;
  }

  // Signature fixed by @nestjs/passport's IAuthGuard.
  override handleRequest<TUser = AuthUser>(err: unknown, user: unknown, info: unknown): TUser {
    if (err) throw err;
    if (user) return user as TUser;
    if (info instanceof Error && info.name === 'TokenExpiredError') {
      throw new AppError(ErrorCode.TOKEN_EXPIRED, 'The access token has expired.');
    }
    throw new AppError(ErrorCode.UNAUTHENTICATED, 'A valid access token is required.');
  }
}
