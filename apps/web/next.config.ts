import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';
import { STATIC_SECURITY_HEADERS } from './src/lib/security-headers';

const here = path.dirname(fileURLToPath(import.meta.url));
// The pnpm workspace root: standalone output must trace @chat/shared and the hoisted store from there.
const workspaceRoot = path.join(here, '../..');

/**
 * Next.js configuration for the web app.
 * - `output: 'standalone'`: the Docker image copies `.next/standalone` and runs `node server.js`.
 * - No `next/font/google` and no remote images anywhere: nothing is fetched from the internet at build or run time.
 * - `transpilePackages`: @chat/shared ships ESM with `.js` import suffixes; transpiling it lets the bundler read
 *   its sources' output uniformly on server and client.
 * - `headers`: the security headers every response carries (STATIC_SECURITY_HEADERS); each page's
 *   Content-Security-Policy, which needs a fresh nonce, comes from the proxy (src/proxy.ts).
 */
const nextConfig: NextConfig = {
  output: 'standalone',
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ['@chat/shared'],
  outputFileTracingRoot: workspaceRoot,
  turbopack: { root: workspaceRoot },
  images: { unoptimized: true },
  async headers() {
    return [{ source: '/:path*', headers: [...STATIC_SECURITY_HEADERS] }];
  },
};

export default nextConfig;
