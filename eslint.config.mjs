// ESLint (flat config): typescript-eslint's recommended rules plus the type-aware rules that catch promises nobody
// awaits or handles and unused code. Type-aware linting needs the classic TypeScript compiler API, so the repo's
// `typescript` devDependency is 5.9 (the version consumers compile with); TypeScript 7 (`typescript7`, an npm alias)
// stays the type checker of `npm run typecheck` and the build.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const nodeGlobals = {
  console: 'readonly',
  process: 'readonly',
  Buffer: 'readonly',
  URL: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
};

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', 'cdk.out.*/', 'coverage/', '.test-out/', 'test/consumer/fixture/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: nodeGlobals } },
);
