#!/usr/bin/env node
/**
 * The whole test suite: builds the service, runs unit and end-to-end tests on SQLite, starts a throwaway
 * PostgreSQL server on 127.0.0.1, runs the end-to-end tests again against it, stops it, and prints one
 * closing line `N passed, N failed`. Exits non-zero when anything failed.
 *
 * Type checking and lint count as one check each.
 *
 * Beside the PostgreSQL run, the image phase checks the deployment files and builds and runs the Docker image on a
 * private Docker Engine (Jest project `image`, test/docker/); its results count in the closing line like the others.
 *
 * Options: --sqlite-only (skip the PostgreSQL run), --no-image (skip the image phase), and any further arguments
 * go to Jest.
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from './support/postgres-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, '.test-results');
const args = process.argv.slice(2);
const sqliteOnly = args.includes('--sqlite-only');
const noImage = args.includes('--no-image');
const jestArgs = args.filter((a) => a !== '--sqlite-only' && a !== '--no-image');

rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const say = (line) => process.stdout.write(`${line}\n`);

function run(command, commandArgs, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', ...options });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function jest(label, env, projectArgs, stdio = 'inherit') {
  const outputFile = path.join(resultsDir, `jest-${label}.json`);
  say(`\n=== ${label}: jest ${projectArgs.join(' ')}`);
  const code = await run(
    process.execPath,
    ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', ...projectArgs, '--json', `--outputFile=${outputFile}`, ...jestArgs],
    { env: { ...process.env, ...env, SM_TEST_RESULTS_DIR: resultsDir }, stdio },
  );
  if (!existsSync(outputFile)) return { label, passed: 0, failed: 1, note: `jest exited ${code} without results` };
  const report = JSON.parse(readFileSync(outputFile, 'utf8'));
  const brokenSuites = report.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  return { label, passed: report.numPassedTests, failed: report.numFailedTests + brokenSuites + (report.numPendingTests ?? 0) };
}

/**
 * The image phase: compose files, Caddyfile and the Docker image, built from the Dockerfile against a local stand-in
 * for its base image and run on a private Docker Engine (test/docker/). It shares nothing with the database runs,
 * so it runs beside the PostgreSQL one; its output goes to .test-results/image.log and is printed once it ends.
 */
async function imagePhase() {
  const logFile = path.join(resultsDir, 'image.log');
  const started = Date.now();
  let result;
  try {
    const fd = openSync(logFile, 'w');
    try {
      result = await jest('image', {}, ['--selectProjects', 'image', '--passWithNoTests'], ['ignore', fd, fd]);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    result = { label: 'image', passed: 0, failed: 1, note: error.message };
  }
  say(`\n=== image phase (${Math.round((Date.now() - started) / 1000)} s), from ${path.relative(root, logFile)}`);
  if (existsSync(logFile)) process.stdout.write(readFileSync(logFile, 'utf8'));
  const figures = path.join(resultsDir, 'image-figures.json');
  if (existsSync(figures)) say(`image figures: ${readFileSync(figures, 'utf8').trim()}`);
  return result;
}

async function main() {
  const results = [];
  say('=== build');
  const built = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
  if (built !== 0) {
    say('build failed');
    say('0 passed, 1 failed');
    process.exit(1);
  }
  // As `npm run build` does: the command line is the package's bin, run as a program.
  chmodSync(path.join(root, 'dist', 'cli', 'main.js'), 0o755);
  for (const [label, command] of [
    ['typecheck', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']],
    ['lint', ['node_modules/eslint/bin/eslint.js', '.']],
  ]) {
    say(`\n=== ${label}`);
    const ok = (await run(process.execPath, command)) === 0;
    results.push({ label, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
  }
  results.push(await jest('sqlite', { SM_TEST_DB: 'sqlite' }, ['--selectProjects', 'unit', 'e2e', 'docker']));
  const image = noImage ? undefined : imagePhase();

  if (!sqliteOnly) {
    let postgres;
    try {
      postgres = await startPostgres({ say });
      results.push(await jest('postgres', { SM_TEST_DB: 'postgres', SM_TEST_PG_URL: postgres.url }, ['--selectProjects', 'e2e']));
    } catch (error) {
      say(`PostgreSQL run failed: ${error.message}`);
      results.push({ label: 'postgres', passed: 0, failed: 1 });
    } finally {
      await postgres?.stop();
    }
  }
  if (image) results.push(await image);

  say('');
  for (const file of readdirSync(resultsDir).filter((f) => f.startsWith('crash-'))) {
    say(`crash figures: ${readFileSync(path.join(resultsDir, file), 'utf8')}`);
  }
  for (const r of results) say(`${r.label}: ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''}`);
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  say(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((error) => {
  say(`test runner failed: ${error.stack ?? error}`);
  say('0 passed, 1 failed');
  process.exit(1);
});
