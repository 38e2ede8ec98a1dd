/**
 * Module hooks for ts-loader.mjs (they run on Node's loader thread): `resolve` maps `./x.js` to `./x.ts` when only
 * the TypeScript file exists; `load` compiles `.ts` outside node_modules to ES modules with @swc/core.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from '@swc/core';

const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export async function resolve(specifier, context, nextResolve) {
  if (
    (specifier.startsWith('./') || specifier.startsWith('../')) &&
    specifier.endsWith('.js') &&
    context.parentURL?.endsWith('.ts')
  ) {
    const candidate = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(candidate))) return nextResolve(candidate.href, context);
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.ts') && !url.includes('/node_modules/')) {
    const path = fileURLToPath(url);
    const source = await readFile(path, 'utf8');
    const { code } = await transform(source, { ...SWC_OPTIONS, filename: path });
    return { format: 'module', source: code, shortCircuit: true };
  }
  return nextLoad(url, context);
}
