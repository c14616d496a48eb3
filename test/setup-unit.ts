import { jest } from '@jest/globals';

/**
 * Unit specs run in memory (fake timers, in-memory ports): one that takes longer than this waits for something
 * that will never come, and should fail fast rather than hold the run for the suite-wide end-to-end timeout.
 * (Jest 30 reads `testTimeout` only from the top-level configuration, not per project, hence this file.)
 */
export const UNIT_TEST_TIMEOUT_MS = 8_000;

jest.setTimeout(UNIT_TEST_TIMEOUT_MS);
