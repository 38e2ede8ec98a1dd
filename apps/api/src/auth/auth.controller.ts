import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type AuthResponse, ErrorCode } from '@chat/shared';
import { AppConfig } from '../config/app-config.js';
import { AuthService, type AuthResult } from './auth.service.js';
import { LoginDto } from './dto/login.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { Public } from './public.decorator.js';
import { clearMediaCookie, setMediaCookie } from './media-cookie.js';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from './refresh-cookie.js';
import { ApiRoute } from '../openapi/api-route.decorator.js';

/** Longest User-Agent kept on a session. */
const USER_AGENT_MAX = 256;

/**
 * /api/auth: register, login, refresh, logout. Public (no access token), and
 * rate-limited per client IP by `authRateLimiters` (installed in createApp) against password guessing.
 */
@Public()
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @ApiRoute({
    summary: 'Create an account and sign in',
    description:
      'Passwords follow the rules in packages/shared (length, not the username). Follows the registration mode ' +
      '(GET /api/instance): `inviteToken` is required when invite-only. Rate-limited per client IP.',
    auth: 'none',
    success: { status: 201, description: 'AuthResponse; sets the refresh and media cookies' },
    errors: [
      ErrorCode.USERNAME_TAKEN,
      ErrorCode.REGISTRATION_CLOSED,
      ErrorCode.INVITE_INVALID,
      ErrorCode.RATE_LIMITED,
    ],
    validates: true,
  })
  @Post('register')
  @HttpCode(201)
  async register(
    @Body() body: RegisterDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthResponse> {
    return this.answer(res, await this.auth.register(body, clientInfo(req)));
  }

  @ApiRoute({
    summary: 'Sign in',
    description:
      'Unknown username and wrong password get the same answer. Rate-limited per client IP.',
    auth: 'none',
    success: { status: 200, description: 'AuthResponse; sets the refresh and media cookies' },
    errors: [ErrorCode.INVALID_CREDENTIALS, ErrorCode.ACCOUNT_DEACTIVATED, ErrorCode.RATE_LIMITED],
    validates: true,
  })
  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: LoginDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthResponse> {
    return this.answer(res, await this.auth.login(body, clientInfo(req)));
  }

  @ApiRoute({
    summary: 'Rotate the refresh token and get a new access token',
    description:
      'A refresh token used twice revokes its whole session (reuse detection). A failure also clears the cookies.',
    auth: 'refresh',
    success: { status: 200, description: 'AuthResponse; sets the rotated refresh cookie' },
    errors: [
      ErrorCode.REFRESH_TOKEN_INVALID,
      ErrorCode.ACCOUNT_DEACTIVATED,
      ErrorCode.RATE_LIMITED,
    ],
  })
  @Post('refresh')
  @HttpCode(200)
  async refresh(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuthResponse> {
    try {
      return this.answer(res, await this.auth.refresh(readRefreshCookie(req)));
    } catch (error) {
      clearRefreshCookie(res, this.config);
      clearMediaCookie(res, this.config);
      throw error;
    }
  }

  @ApiRoute({
    summary: 'Sign out: revoke the session',
    auth: 'refresh',
    success: {
      status: 204,
      description: 'Session revoked, cookies cleared (also when the cookie was already invalid)',
    },
  })
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(readRefreshCookie(req));
    clearRefreshCookie(res, this.config);
    clearMediaCookie(res, this.config);
  }

  private answer(res: Response, result: AuthResult): AuthResponse {
    setRefreshCookie(res, this.config, result.refreshToken, result.refreshExpiresAt);
    // File GETs (<img>, download links) authenticate with this cookie (see media-cookie.ts).
    setMediaCookie(
      res,
      this.config,
      result.response.accessToken,
      new Date(result.response.accessTokenExpiresAt),
    );
    // Tokens must never be cached by a proxy or the browser.
    res.setHeader('Cache-Control', 'no-store');
    return result.response;
  }
}

function clientInfo(req: Request): { userAgent: string | null } {
  const ua = req.headers['user-agent'];
  return { userAgent: typeof ua === 'string' && ua !== '' ? ua.slice(0, USER_AGENT_MAX) : null };
}
