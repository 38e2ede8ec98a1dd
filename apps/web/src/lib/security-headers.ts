/**
 * The web app's security headers, built per request by the proxy (`src/proxy.ts`). Pure functions, so the policy
 * is unit-tested without a server.
 */
import { DEFAULT_API_PORT } from './api-url';

/**
 * Headers every response of the web app carries (pages and static files alike, from next.config.ts):
 * - `X-Content-Type-Options: nosniff`: a file is never run as another type than the one declared.
 * - `Referrer-Policy: no-referrer`: a link followed out of a message does not tell its site which conversation
 *   (`/c/<id>`) it came from.
 * - `Permissions-Policy`: the app uses no camera, microphone, location, payment or USB; a script injected anyway
 *   cannot ask for them.
 * - `X-Frame-Options: DENY`: the older spelling of `frame-ancestors 'none'` for browsers without CSP level 2.
 */
export const STATIC_SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  {
    key: 'Permissions-Policy',
    value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  },
  { key: 'X-Frame-Options', value: 'DENY' },
];

/**
 * The URL of the page as the browser asked for it: the protocol of `requestUrl` with the host of the `Host` header.
 * Next.js builds `request.nextUrl` on the address the server listens on (`0.0.0.0` in the quick start and the
 * image), which no browser uses, so the API origin derived from it would be blocked by the page's own policy.
 * @param requestUrl the proxy's `request.nextUrl`
 * @param hostHeader the request's `Host` header (`localhost:3000`, `192.168.1.5:3000`), or null
 * @returns `requestUrl` itself when there is no `Host` header or it is not a valid host
 */
export function pageUrlFor(requestUrl: URL, hostHeader: string | null): URL {
  if (!hostHeader) return requestUrl;
  try {
    const page = new URL(`${requestUrl.protocol}//${hostHeader}`);
    // Anything beyond a host and port (a path, credentials) means the header was not a plain host.
    return page.host === hostHeader.toLowerCase() && page.pathname === '/' ? page : requestUrl;
  } catch {
    return requestUrl;
  }
}

/**
 * The API origin a page served for `pageUrl` talks to, as the browser will compute it (`resolveApiUrl`): the
 * configured API_PUBLIC_URL, else the page's own protocol and host name on port 3001.
 * @returns an origin such as `http://192.168.1.5:3001` (no path)
 */
export function apiOriginFor(pageUrl: URL, apiPublicUrl: string | null): string {
  if (apiPublicUrl) return new URL(apiPublicUrl).origin;
  const api = new URL(pageUrl.origin);
  api.port = String(DEFAULT_API_PORT);
  return api.origin;
}

/** `http://h:p` -> `ws://h:p`, `https://h:p` -> `wss://h:p` (Socket.IO's websocket transport). */
function websocketOrigin(httpOrigin: string): string {
  return httpOrigin.replace(/^http/, 'ws');
}

/**
 * The Content-Security-Policy of a page, after the Next.js guide "Content Security Policy" (nonces through the
 * proxy): scripts only with this response's nonce, and what those load ('strict-dynamic'), so an injected
 * `<script>` or inline handler never runs; network, images and media only from the app and its API (REST,
 * Socket.IO over ws/wss, attachment and avatar files); no plugins, no `<base>` rewriting, forms only to the app,
 * and no framing by any site (`frame-ancestors 'none'`, against clickjacking).
 *
 * Styles allow inline (`'unsafe-inline'`): the toast library (sonner) and the emoji picker insert `<style>`
 * elements at run time, and server-rendered React emits `style` attributes, none of which can carry a nonce. CSS
 * cannot run script; the residual risk (CSS-based exfiltration of what is on the page) is accepted and recorded in
 * docs/security.md.
 *
 * @param nonce base64, fresh per request (at least 128 bits of randomness)
 * @param apiOrigin from `apiOriginFor`
 * @param development adds `'unsafe-eval'`, which React needs in development for its debugging features only
 */
export function contentSecurityPolicy(
  nonce: string,
  apiOrigin: string,
  development = false,
): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': [
      "'self'",
      `'nonce-${nonce}'`,
      "'strict-dynamic'",
      ...(development ? ["'unsafe-eval'"] : []),
    ],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'blob:', 'data:', apiOrigin],
    'media-src': ["'self'", 'blob:', apiOrigin],
    'font-src': ["'self'"],
    'connect-src': ["'self'", apiOrigin, websocketOrigin(apiOrigin)],
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}
