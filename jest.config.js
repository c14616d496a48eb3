/** Jest on native ESM with SWC: unit specs beside the code, end-to-end specs under test/. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/setup-logs.ts'],
  // The benchmarks' build copies package.json there; it is not part of the tests.
  modulePathIgnorePatterns: ['<rootDir>/.bench-build/'],
};

/** The image phase's specs (test/run-tests.mjs), kept out of the SQLite and PostgreSQL runs. */
const IMAGE_SPECS = ['test/docker/compose-files.e2e-spec.ts', 'test/docker/image.e2e-spec.ts'];

/**
 * Specs that start their own PostgreSQL whatever SM_TEST_DB says: the PostgreSQL pass would repeat them exactly,
 * so they run once, in the SQLite pass.
 */
const OWN_POSTGRES_SPECS = ['<rootDir>/test/database-outage.e2e-spec.ts'];
const repeatedOnPostgres = process.env.SM_TEST_DB === 'postgres' ? OWN_POSTGRES_SPECS : [];

export default {
  testTimeout: 300_000,
  projects: [
    // A short timeout for unit specs (test/setup-unit.ts: 8 s); end-to-end specs keep the long one above.
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'], setupFilesAfterEnv: ['<rootDir>/test/setup-unit.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/docker/', ...repeatedOnPostgres] },
    // Against real Docker Engines (each suite starts its own, needs root and docker.io); not repeated on PostgreSQL.
    { ...common, displayName: 'docker', testMatch: ['<rootDir>/test/docker/**/*.e2e-spec.ts'], testPathIgnorePatterns: ['/node_modules/', ...IMAGE_SPECS] },
    // The deployment files and the Docker image, run by the test runner's image phase (beside the PostgreSQL run).
    { ...common, displayName: 'image', testMatch: IMAGE_SPECS.map((spec) => `<rootDir>/${spec}`) },
  ],
};
