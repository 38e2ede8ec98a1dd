// After `next build`: prints each route's first-load JavaScript, gzipped, and fails when the chat routes (/c and
// /c/[id]) exceed the budget. Next 16's build output no longer prints sizes; its build writes the chunk list of
// every route to .next/diagnostics/route-bundle-stats.json (entries { route, firstLoadChunkPaths, ... }), and
// each chunk is gzipped here at level 9, roughly what a server sends.
// Usage: node scripts/bundle-size.mjs [budgetKB]   (default 250; 1 kB = 1000 bytes, as Next prints them)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const app = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const statsFile = path.join(app, '.next/diagnostics/route-bundle-stats.json');
const budgetKb = Number(process.argv[2] ?? 250);
const chatRoutes = new Set(['/c', '/c/[id]']);

let stats;
try {
  stats = JSON.parse(readFileSync(statsFile, 'utf8'));
} catch (error) {
  console.error(
    `bundle-size: cannot read ${statsFile} (run the web build first): ${error.message}`,
  );
  process.exit(1);
}

const gzipped = new Map();
function gzipSize(chunk) {
  if (!gzipped.has(chunk))
    gzipped.set(chunk, gzipSync(readFileSync(path.join(app, chunk)), { level: 9 }).length);
  return gzipped.get(chunk);
}

const kb = (bytes) => (bytes / 1000).toFixed(1).padStart(7);
let over = false;
console.log('First-load JavaScript per route (gzip, kB):');
for (const { route, firstLoadChunkPaths } of [...stats].sort((a, b) =>
  a.route.localeCompare(b.route),
)) {
  const total = firstLoadChunkPaths.reduce((sum, chunk) => sum + gzipSize(chunk), 0);
  const checked = chatRoutes.has(route);
  const verdict = checked
    ? total > budgetKb * 1000
      ? `  OVER the ${budgetKb} kB budget`
      : `  (budget ${budgetKb} kB)`
    : '';
  if (checked && total > budgetKb * 1000) over = true;
  console.log(`${kb(total)}  ${route}${verdict}`);
}
if (over) process.exit(1);
