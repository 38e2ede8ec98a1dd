#!/usr/bin/env node
/**
 * Reads a CI log (argument 1) and prints one closing line `ci: N passed, N failed, N skipped` that adds up what the
 * test runners reported: Jest's `Tests:` lines, Vitest's `Tests  N failed | N passed (N)` lines, Playwright's
 * `N passed` / `N failed` / `N skipped` lines, and the Docker scripts' `docker-check: N passed, N failed` and
 * `docker-e2e: N passed, N failed`. Exits 1 when anything failed or nothing ran.
 */
import { readFileSync } from 'node:fs';

// Turbo prefixes lines (`@chat/api:test: `) and runners colour them: strip both.
const lines = readFileSync(process.argv[2], 'utf8')
  .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
  .split('\n')
  .map((line) => line.replace(/^@[\w/-]+:[\w:-]+: /, '').trim());

const total = { passed: 0, failed: 0, skipped: 0 };
const count = (line, word) => Number(line.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);

for (const line of lines) {
  if (line.startsWith('Tests:') || /^Tests\s+\d+ /.test(line)) {
    // Jest's `Tests: 1 failed, 2 passed, 3 total`, Vitest's `Tests  1 failed | 2 passed (3)`.
    total.passed += count(line, 'passed');
    total.failed += count(line, 'failed');
    total.skipped += count(line, 'skipped');
  } else if (/^\d+ (passed|failed|skipped|flaky)( \(|$)/.test(line)) {
    // Playwright's summary: one line per outcome.
    total.passed += count(line, 'passed');
    total.failed += count(line, 'failed') + count(line, 'flaky');
    total.skipped += count(line, 'skipped');
  } else if (/^docker-(check|e2e):/.test(line) && /passed, \d+ failed/.test(line)) {
    total.passed += count(line, 'passed');
    total.failed += count(line, 'failed');
  }
}

console.log(`ci: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
