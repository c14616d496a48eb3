import { spawn, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Logger } from '@nestjs/common';
import { createLogger, startApp } from '../src/app.js';
import { EventBus } from '../src/common/event-bus.js';
import { parseConfig } from '../src/config/app-config.js';
import { EVENTS_COMMITTED } from '../src/state/state.store.js';
import { percentile, say } from './util.js';

/** The writer: another process, as a camera is, one sparse segment every `everyMs` in the current hour's directory. */
const WRITER = `
const { closeSync, ftruncateSync, mkdirSync, openSync } = require('node:fs');
const [root, everyMs, seconds, bytes] = process.argv.slice(1);
let n = 0;
const end = Date.now() + Number(seconds) * 1000;
const timer = setInterval(() => {
  if (Date.now() >= end) { clearInterval(timer); return; }
  const at = new Date().toISOString();
  const dir = root + '/live/' + at.slice(0, 10) + '/' + at.slice(11, 13);
  mkdirSync(dir, { recursive: true });
  const fd = openSync(dir + '/seg-' + String(n++).padStart(8, '0') + '.mp4', 'w');
  ftruncateSync(fd, Number(bytes));
  closeSync(fd);
  process.stdout.write(Date.now() + '\\n');
}, Number(everyMs));
`;

const SEGMENT_BYTES = 2_000_000;

/**
 * B4-camera: the real service (in this process) with a max_size target of `files` sparse 2 MB segments in
 * date/hour directories (1,800 an hour, one every 2 s) on a tmpfs, capped at exactly their total, and a writer
 * process adding one more 2 MB segment every 100 ms for `seconds`: each write crosses the cap and the oldest
 * segment must go. Reports the reaction (segment written → a cleanup begun after it has completed), the event
 * loop's delay meanwhile, and the RSS sampled every 5 s (flat is the target).
 */
export async function benchCamera(files = Number(process.env.SM_BENCH_CAMERA_FILES ?? 1_000_000), seconds = 120, everyMs = 100): Promise<void> {
  Logger.overrideLogger(createLogger('ERROR'));
  const dir = mkdtempSync(path.join(tmpdir(), 'sm-b4c-'));
  const volumes = path.join(dir, 'volumes');
  mkdirSync(volumes);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=1g,nr_inodes=${files + 100_000}`, 'tmpfs', volumes], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount tmpfs (needs root): ${mounted.stderr}`);
  let running: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const rec = path.join(volumes, 'cam', 'rec');
    const built = performance.now();
    const perHour = 1800;
    for (let n = 0; n < files; n++) {
      const hour = Math.floor(n / perHour);
      const sub = path.join(rec, 'old', `day${String(Math.floor(hour / 24)).padStart(4, '0')}`, String(hour % 24).padStart(2, '0'));
      if (n % perHour === 0) mkdirSync(sub, { recursive: true });
      const fd = openSync(path.join(sub, `seg-${String(n).padStart(8, '0')}.mp4`), 'w');
      ftruncateSync(fd, SEGMENT_BYTES);
      closeSync(fd);
    }
    const buildMs = performance.now() - built;
    running = await startApp(
      parseConfig({ SM_VOLUMES_DIR: volumes, SM_DATA_DIR: path.join(dir, 'data'), SM_DB_PATH: path.join(dir, 'data', 'db.sqlite') }, { cwd: dir }),
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
    // One segment under the cap's byte: the first run deletes the oldest segment (and builds the order).
    await fetch(`${running.url}/api/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ volume_name: 'cam', path: '/rec', algorithm: 'max_size', params: { max_bytes: files * SEGMENT_BYTES - 1, min_age_seconds: 0 } }),
    });
    await registered;
    const readyMs = performance.now() - started;
    const rss: number[] = [process.memoryUsage().rss];
    const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 5000);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const writer = spawn(process.execPath, ['-e', WRITER, rec, String(everyMs), String(seconds), String(SEGMENT_BYTES)], { stdio: ['ignore', 'pipe', 'inherit'] });
    for await (const line of createInterface({ input: writer.stdout })) pending.push(Number(line));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    delay.disable();
    clearInterval(sampler);
    rss.push(process.memoryUsage().rss);
    const written = latencies.length + pending.length;
    const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
    say(
      `B4C camera: ${files.toLocaleString('en')} sparse 2 MB segments (max_size), one more every ${everyMs} ms for ${seconds} s (${written} crossings, another process): ` +
        `reaction p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms` +
        `${pending.length > 0 ? `, ${pending.length} unanswered` : ''}; event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, ` +
        `max ${(delay.max / 1e6).toFixed(1)} ms; registration to first run ${(readyMs / 1000).toFixed(1)} s; ` +
        `RSS at the first crossing ${mib(rss[0]!)} MiB, at the end ${mib(rss.at(-1)!)} MiB (${(((rss.at(-1)! - rss[0]!) / rss[0]!) * 100).toFixed(1)} %), max ${mib(Math.max(...rss))} MiB; ` +
        `tree built in ${(buildMs / 1000).toFixed(1)} s; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
  } finally {
    await running?.shutdown('bench');
    spawnSync('umount', [volumes]);
    rmSync(dir, { recursive: true, force: true });
  }
}
