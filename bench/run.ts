import { benchScan } from './b1-scan.js';
import { benchBurst, benchWatchReady, benchWatchReadyOnce } from './b2-b3-watch.js';
import { benchReaction } from './b4-reaction.js';
import { benchCamera } from './b4c-camera.js';
import { benchDelete, benchRace } from './b5-b6-delete.js';
import { benchConvergence } from './b3b-convergence.js';
import { benchAlertLatency, benchCleanupDuringOutage, benchEmergency, benchScrapeLatency, benchVolumesAtScale } from './b7-b9-alerts.js';
import { benchDocker } from './b10-docker.js';
import { benchPlanning } from './b4p-planning.js';
import { benchSoak } from './b10s-soak.js';
import { benchHealthDuringCleanup } from './b11h-health-during-cleanup.js';
import { benchManyTargets } from './b12-many-targets.js';
import { benchTenMillion } from './b2x-ten-million.js';
import { say } from './util.js';

/**
 * `npm run bench [B1 B2 B3 B3B B4 B4C B4P … B9 B9V … B11 B11H B12 B10S]`: runs the benchmarks and prints their figures with ratios
 * against standard tools timed in the same run. SM_BENCH_FILES sets the large tree size (default 1,000,000). B10S,
 * the soak, runs only when named (SM_BENCH_SOAK_MINUTES, default 30); so does B2X, SM_BENCH_B2X_FILES files (default 10,000,000).
 */
if (process.argv[2] === 'B2-ONE') {
  await benchWatchReadyOnce(process.argv[3]!, process.argv[4]!);
  process.exit(0);
}
const wanted = new Set(process.argv.slice(2).map((a) => a.toUpperCase()));
const run = (name: string): boolean => wanted.size === 0 || wanted.has(name);
const large = Number(process.env.SM_BENCH_FILES ?? 1_000_000);

say(`storage-manager benchmarks — ${new Date().toISOString()} — node ${process.version}, warm cache`);
if (run('B1')) {
  await benchScan(100_000, 1_000);
  await benchScan(large, Math.max(1, Math.round(large / 100)));
}
if (run('B2')) {
  await benchWatchReady(100_000, 1_000);
  await benchWatchReady(large, Math.max(1, Math.round(large / 100)));
}
if (run('B3')) await benchBurst();
if (run('B4')) await benchReaction();
if (run('B4C')) await benchCamera();
if (run('B5')) await benchDelete();
if (run('B6')) await benchRace();
if (run('B3B')) await benchConvergence();
if (run('B7')) await benchEmergency();
if (run('B8')) await benchAlertLatency();
if (run('B9')) await benchScrapeLatency();
if (run('B9V')) await benchVolumesAtScale();
if (run('B10')) await benchDocker(Number(process.env.SM_BENCH_DOCKER_RUNS ?? 60), Number(process.env.SM_BENCH_DOCKER_CONTAINERS ?? 200));
if (run('B11')) await benchCleanupDuringOutage();
if (run('B4P')) await benchPlanning();
if (run('B11H')) await benchHealthDuringCleanup();
if (run('B12')) await benchManyTargets();
// The soak (SM_BENCH_SOAK_MINUTES, default 30) and the camera-scale tree (SM_BENCH_B2X_FILES, default 10,000,000) run only when named.
if (wanted.has('B10S')) await benchSoak();
if (wanted.has('B2X')) await benchTenMillion();
process.exit(0);
