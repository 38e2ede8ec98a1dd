import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const here = path.dirname(fileURLToPath(import.meta.url));
// The pnpm workspace root: standalone output must trace @chat/shared and the hoisted store from there.
const workspaceRoot = path.join(here, '../..');

/**
 * Next.js configuration for the web app.
 * - `output: 'standalone'`: the Docker image copies `.next/standalone` and runs `node server.js`.
 * - No `next/font/google` and no remote images anywhere: nothing is fetched from the internet at build or run time.
 * - `transpilePackages`: @chat/shared ships ESM with `.js` import suffixes; transpiling it lets the bundler read
 *   its sources' output uniformly on server and client.
 */
const nextConfig: NextConfig = {
  output: 'standalone',
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ['@chat/shared'],
  outputFileTracingRoot: workspaceRoot,
  turbopack: { root: workspaceRoot },
  images: { unoptimized: true },
};

export default nextConfig;
