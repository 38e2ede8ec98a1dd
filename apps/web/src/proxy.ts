import { type NextRequest, NextResponse } from 'next/server';
import { loadWebConfig } from '@/config';
import { apiOriginFor, contentSecurityPolicy, pageUrlFor } from '@/lib/security-headers';

/**
 * Next.js proxy (formerly middleware): gives every page request a fresh nonce and its Content-Security-Policy,
 * as the Next.js guide "Content Security Policy" describes. The policy goes on the request too, where Next.js
 * reads the nonce and puts it on the scripts it renders (every page is rendered per request: the root layout
 * awaits `connection()`), and `x-nonce` carries it for components that need it. The other security headers come
 * from next.config.ts for every response.
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const config = loadWebConfig();
  const page = pageUrlFor(request.nextUrl, request.headers.get('host'));
  const apiOrigin = apiOriginFor(page, config.apiPublicUrl);
  const policy = contentSecurityPolicy(nonce, apiOrigin, config.development);

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: static files, images and the icon need no nonce; prefetches reuse the page's policy.
      source: '/((?!_next/static|_next/image|favicon.ico|icon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
