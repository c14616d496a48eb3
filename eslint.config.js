import js from '@eslint/js';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

/**
 * Ports and adapters, enforced: only `src/adapters/` touches the world (files, database, watchers, Docker, mail),
 * and only `src/metrics/` speaks prom-client. Everything else imports the port its feature owns. Type-only imports
 * are allowed (a bootstrap may name the DataSource type it hands over). `src/cli/` is a program of its own at the
 * edge (it reads compose files and writes generated files), not part of the service: only prom-client is kept out.
 */
const WORLD = ['node:fs', 'fs', 'node:fs/promises', 'fs/promises', 'typeorm', 'better-sqlite3', 'pg', 'chokidar', '@parcel/watcher', 'dockerode', 'nodemailer'];
const METRICS = ['prom-client'];
const restricted = (names, where) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      paths: names.map((name) => ({ name, message: `${name} is used only in ${where}, behind a port.`, allowTypeImports: true })),
      patterns: names.map((name) => ({ group: [`${name}/*`], message: `${name} is used only in ${where}, behind a port.`, allowTypeImports: true })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/', '.bench-build/', 'node_modules/', 'coverage/', '.test-results/', 'grafana/', 'prometheus/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'test/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', performance: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['src/**/*.ts'], ignores: ['src/adapters/**', 'src/metrics/**', 'src/cli/**', 'src/**/*.spec.ts'], rules: restricted([...WORLD, ...METRICS], 'src/adapters/ (prom-client: src/metrics/)') },
  { files: ['src/adapters/**/*.ts', 'src/cli/**/*.ts'], ignores: ['src/**/*.spec.ts'], rules: restricted(METRICS, 'src/metrics/') },
  { files: ['src/metrics/**/*.ts'], ignores: ['src/**/*.spec.ts'], rules: restricted(WORLD, 'src/adapters/') },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Tests that cannot pass vacuously: no focused or disabled test, no expect behind a condition, no test without
    // an assertion (the suites' own assertion helpers count as assertions).
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/no-conditional-expect': 'error',
      'jest/no-commented-out-tests': 'error',
      // expect* helpers assert; the watcher contract's waitFor fails the test when the event does not come.
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*', 'waitFor'] }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
