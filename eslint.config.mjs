// ESLint (typescript-eslint) for the extension, the server, the tests and the benchmarks; formatting is Prettier's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      '.e2e-tools/**',
      'test/fixtures/**',
      'bench/.tmp/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused names fail the type check already (noUnusedLocals/Parameters); `_`-prefixed ones are intended.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Non-null assertions follow `noUncheckedIndexedAccess` lookups the code has just checked.
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
      'prefer-const': 'error',
    },
  },
  {
    // The modules loaded on first use and the CLI's loader are the only places that call `require` (issue 10).
    files: [
      'server/src/system/lazy-modules.ts',
      'server/src/system/lazy/*.ts',
      'server/src/workspace/lazy-stages.ts',
      'server/src/cli-loader.ts',
    ],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests, benchmarks and the e2e harness report through the console.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
