import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { createLogger, startApp } from '../src/app.js';
import { parseConfig } from '../src/config/app-config.js';
import { EventBus } from '../src/common/event-bus.js';
import { EVENTS_COMMITTED } from '../src/state/state.store.js';
import { percentile, say } from './util.js';

const QUIET_BETWEEN_MS = 200;

/** B4: the real service; each written file takes a max_size target over its cap; time until it is back under. */
export async function benchReaction(crossings = 200): Promise<void> {
  Logger.overrideLogger(createLogger('ERROR'));
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-b4-'));
  const volume = path.join(dir, 'volumes', 'cam', 'rec');
  mkdirSync(volume, { recursive: true });
  for (let i = 0; i < 100; i++) writeFileSync(path.join(volume, `seed${String(i).padStart(3, '0')}`), Buffer.alloc(1000));
  const running = await startApp(
    parseConfig({ SM_VOLUMES_DIR: path.join(dir, 'volumes'), SM_DATA_DIR: path.join(dir, 'data'), SM_DB_PATH: path.join(dir, 'data', 'db.sqlite') }, { cwd: dir }),
    { port: 0 },
  );
  let onCleanup: (() => void) | undefined;
  // A crossing is over when a cleanup has completed and the target is back under its cap on disk (50 files).
  const underCap = (): boolean => readdirSync(volume).length <= 50;
  running.app.get(EventBus).on(EVENTS_COMMITTED, (events) => {
    if (events.some((e) => e.type === 'cleanup.completed' && e.payload.files > 0) && underCap()) onCleanup?.();
  });
  const registered = new Promise<void>((resolve) => (onCleanup = resolve));
  await fetch(`${running.url}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: 50_000, min_age_seconds: 0 } }),
  });
  await registered;
  const latencies: number[] = [];
  for (let i = 0; i < crossings; i++) {
    // Each crossing starts from a quiet target (no cleanup run or re-run still in flight to pick it up early).
    await new Promise((resolve) => setTimeout(resolve, QUIET_BETWEEN_MS));
    const done = new Promise<void>((resolve) => (onCleanup = resolve));
    const started = performance.now();
    writeFileSync(path.join(volume, `x${String(i).padStart(5, '0')}`), Buffer.alloc(1000));
    await done;
    latencies.push(performance.now() - started);
  }
  say(
    `B4 reaction to ${crossings} cap crossings (file written → back under cap, real service): ` +
      `p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms ` +
      `(each from a quiet target; a 300 s sweep reacts in 150 s on average)`,
  );
  await running.shutdown('bench');
  rmSync(dir, { recursive: true, force: true });
}
