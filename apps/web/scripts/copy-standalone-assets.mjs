// After `next build`: copy the static assets next to the standalone server, as Next's self-hosting guide
// asks (`.next/static` and `public/` are not traced into `.next/standalone`). The result runs with
// `node .next/standalone/apps/web/server.js` (the Docker image and the e2e tests run exactly this).
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const app = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(app, '.next/standalone/apps/web');
if (!existsSync(target)) {
  console.error(`copy-standalone-assets: ${target} is missing; is output: 'standalone' set?`);
  process.exit(1);
}
cpSync(path.join(app, '.next/static'), path.join(target, '.next/static'), { recursive: true });
if (existsSync(path.join(app, 'public')))
  cpSync(path.join(app, 'public'), path.join(target, 'public'), { recursive: true });
console.log('copy-standalone-assets: .next/static copied into .next/standalone/apps/web');
