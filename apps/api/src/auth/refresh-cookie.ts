import type { CookieOptions, Request, Response } from 'express';
import { REFRESH_COOKIE_NAME } from '@chat/shared';
import type { AppConfig } from '../config/app-config.js';

/**
 * Refresh cookie attributes (team agreement): httpOnly so scripts never see it, SameSite=Lax, Path=/api/auth so
 * it travels only to the auth endpoints, Secure when COOKIE_SECURE is set (HTTPS deployments).
 */
function baseOptions(config: AppConfig): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/api/auth', secure: config.cookieSecure };
}

/** Sets the refresh cookie to expire with the token. */
export function setRefreshCookie(
  res: Response,
  config: AppConfig,
  token: string,
  expiresAt: Date,
): void {
  res.cookie(REFRESH_COOKIE_NAME, token, { ...baseOptions(config), expires: expiresAt });
}

/** Clears the refresh cookie (same attributes, or browsers keep it). */
export function clearRefreshCookie(res: Response, config: AppConfig): void {
  res.clearCookie(REFRESH_COOKIE_NAME, baseOptions(config));
}

/** The refresh token from the cookie (parsed by cookie-parser), or undefined. */
export function readRefreshCookie(req: Request): string | undefined {
  const cookies: unknown = req.cookies;
  if (typeof cookies !== 'object' || cookies === null) return undefined;
  const value = (cookies as Record<string, unknown>)[REFRESH_COOKIE_NAME];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
