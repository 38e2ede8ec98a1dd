/**
 * Runs the API straight from `src/` in a child process (restart e2e) without a build: a Node module hook that
 * compiles `.ts` files with @swc/core (the same options Jest uses: legacy decorators plus decorator metadata, which
 * Nest's dependency injection needs; tsx/esbuild cannot emit that metadata) and maps the `.js` suffixes of
 * relative imports to the `.ts` files that exist.
 *
 * Usage: `node --import ./test/support/ts-loader.mjs src/main.ts`.
 */
import { register } from 'node:module';

register('./ts-loader-hooks.mjs', import.meta.url);
