// @ts-check
// ESLint 10 looks up the config nearest to each linted file, so this file applies to apps/web whether eslint
// runs here or at the repository root. It extends the root config with React hooks and Next.js rules.
import reactHooks from 'eslint-plugin-react-hooks';
import nextPlugin from '@next/eslint-plugin-next';
import globals from 'globals';
import root from '../../eslint.config.js';

export default [
  ...root,
  { ignores: ['.next/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts'] },
  {
    // Build scripts and test tooling run in Node.js.
    files: ['scripts/**/*.mjs', 'e2e/**/*.ts', 'e2e-docker/**/*.ts', '*.config.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ...nextPlugin.configs['core-web-vitals'],
  },
  {
    // That rule checks links against a pages/ directory; this app uses the App Router only, and the rule
    // prints a warning when eslint runs from the repository root.
    files: ['src/**/*.{ts,tsx}'],
    rules: { '@next/next/no-html-link-for-pages': 'off' },
  },
];
