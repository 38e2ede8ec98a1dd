import type { CookieOptions, Request, Response } from 'express';
import { MEDIA_COOKIE_NAME } from '@chat/shared';
import type { AppConfig } from '../config/app-config.js';

/**
 * The media cookie carries the access token for file GETs made by `<img>` and download links, which cannot send
 * an Authorization header. httpOnly (scripts never read it), SameSite=Lax (not sent on cross-site subrequests, so
 * another site cannot embed our files with the person's credentials), Path=/api (the file routes live under
 * /api/attachments and /api/avatars; the cookie is sent to other /api routes too, but only MediaAuthGuard, used by
 * the file GETs alone, ever reads it), Secure when COOKIE_SECURE is set. It expires with the access token.
 */
function baseOptions(config: AppConfig): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/api', secure: config.cookieSecure };
}

/** Sets the media cookie to the (new) access token. @param expiresAt the access token's expiry */
export function setMediaCookie(
  res: Response,
  config: AppConfig,
  accessToken: string,
  expiresAt: Date,
): void {
  res.cookie(MEDIA_COOKIE_NAME, accessToken, { ...baseOptions(config), expires: expiresAt });
}

/** Clears the media cookie (same attributes, or browsers keep it). */
export function clearMediaCookie(res: Response, config: AppConfig): void {
  res.clearCookie(MEDIA_COOKIE_NAME, baseOptions(config));
}

/** The access token from the media cookie, or undefined. */
export function readMediaCookie(req: Request): string | undefined {
  const cookies: unknown = req.cookies;
  if (typeof cookies !== 'object' || cookies === null) return undefined;
  const value = (cookies as Record<string, unknown>)[MEDIA_COOKIE_NAME];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
