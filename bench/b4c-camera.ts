import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Logger } from '@nestjs/common';
import { createLogger, startApp } from '../src/app.js';
import { EventBus } from '../src/common/event-bus.js';
import { parseConfig } from '../src/config/app-config.js';
import { EVENTS_COMMITTED } from '../src/state/state.store.js';
import { BENCH_DIR, percentile, say } from './util.js';

/** The writer: another process, as a camera is, one empty segment every `everyMs` in the current hour's directory. */
const WRITER = `
const { mkdirSync, writeFileSync } = require('node:fs');
const [root, everyMs, seconds] = process.argv.slice(1);
let n = 0;
const end = Date.now() + Number(seconds) * 1000;
const timer = setInterval(() => {
  if (Date.now() >= end) { clearInterval(timer); return; }
  const at = new Date().toISOString();
  const dir = root + '/live/' + at.slice(0, 10) + '/' + at.slice(11, 13);
  mkdirSync(dir, { recursive: true });
  writeFileSync(dir + '/seg-' + String(n++).padStart(8, '0') + '.mp4', '');
  process.stdout.write(Date.now() + '\\n');
}, Number(everyMs));
`;

/**
 * B4-camera: the real service with a keep_n_latest target of `files` empty segments in date/hour directories
 * (the files cap stands for a camera's bytes cap), and a writer process adding one segment every 100 ms for
 * `seconds`: each write crosses the cap and the oldest segment must go. Reports the reaction (segment written →
 * a cleanup begun after it has completed) and the event loop's delay meanwhile.
 */
export async function benchCamera(files = Number(process.env.SM_BENCH_CAMERA_FILES ?? 200_000), seconds = 60, everyMs = 100): Promise<void> {
  Logger.overrideLogger(createLogger('ERROR'));
  const dir = path.join(BENCH_DIR, `camera-${files}`);
  const volume = path.join(dir, 'volumes', 'cam');
  const rec = path.join(volume, 'rec');
  // Made once and reused; the segments a previous run deleted are made again (as the newest: the oldest are others then).
  const perHour = 1800;
  for (let n = 0; n < files; n++) {
    const hour = Math.floor(n / perHour);
    const sub = path.join(rec, 'old', `day${String(Math.floor(hour / 24)).padStart(4, '0')}`, String(hour % 24).padStart(2, '0'));
    if (n % perHour === 0) mkdirSync(sub, { recursive: true });
    const file = path.join(sub, `seg-${String(n).padStart(8, '0')}.mp4`);
    if (!existsSync(file)) writeFileSync(file, '');
  }
  rmSync(path.join(rec, 'live'), { recursive: true, force: true });
  rmSync(path.join(dir, 'data'), { recursive: true, force: true });
  const running = await startApp(
    parseConfig({ SM_VOLUMES_DIR: path.join(dir, 'volumes'), SM_DATA_DIR: path.join(dir, 'data'), SM_DB_PATH: path.join(dir, 'data', 'db.sqlite') }, { cwd: dir }),
    { port: 0 },
  );
  const pending: number[] = [];
  const latencies: number[] = [];
  let ready: (() => void) | undefined;
  running.app.get(EventBus).on(EVENTS_COMMITTED, (events) => {
    for (const event of events) {
      if (event.type !== 'cleanup.completed') continue;
      ready?.();
      if (event.payload.files === 0) continue;
      // Writes before this run began are answered by it.
      const began = Date.now() - event.payload.duration_ms;
      while (pending.length > 0 && pending[0]! <= began) latencies.push(Date.now() - pending.shift()!);
    }
  });
  const registered = new Promise<void>((resolve) => (ready = resolve));
  const started = performance.now();
  await fetch(`${running.url}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'keep_n_latest', params: { keep_count: files - 1, min_age_seconds: 0 } }),
  });
  // The first run takes the one segment over the cap (and builds the order).
  await registered;
  const readyMs = performance.now() - started;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const writer = spawn(process.execPath, ['-e', WRITER, rec, String(everyMs), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: writer.stdout })) pending.push(Number(line));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  delay.disable();
  const written = latencies.length + pending.length;
  say(
    `B4C camera: ${files.toLocaleString('en')} segments (keep_n_latest), one more every ${everyMs} ms for ${seconds} s (${written} crossings, another process): ` +
      `reaction p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms` +
      `${pending.length > 0 ? `, ${pending.length} unanswered` : ''}; event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, ` +
      `max ${(delay.max / 1e6).toFixed(1)} ms; registration to first run ${(readyMs / 1000).toFixed(1)} s; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
  await running.shutdown('bench');
  rmSync(path.join(rec, 'live'), { recursive: true, force: true });
}
