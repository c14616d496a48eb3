import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventRecord } from '../src/event-log/event.types.js';
import { nextCommitted } from './support/committed.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { mountTmpfs } from './support/tmpfs.js';

/**
 * Emergency cleanup on a real 32 MiB tmpfs: filled past 95 %, the emergency policies run by priority until it is
 * below the critical threshold (90 %); a target without an emergency policy is never touched. Mounting needs root.
 */
const MiB = 1024 * 1024;
let fs: ReturnType<typeof mountTmpfs>;
let mount: string;
let app: TestApp;

const files = (dir: string): string[] => readdirSync(path.join(mount, dir)).sort();
const usedPct = (): number => fs.usedPct();

const emergencyDone = (e: EventRecord): e is EventRecord<'emergency.completed'> => e.type === 'emergency.completed';

async function register(target: string, algorithm: string, params: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify({ volume_name: 'fast', path: target, algorithm, params: { min_age_seconds: 0, ...params } });
  expect((await rawRequest(app.url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body })).status).toBe(201);
}

function write(dir: string, count: number, size: number, prefix: string): void {
  for (let i = 0; i < count; i++) writeFileSync(path.join(mount, dir, `${prefix}-${String(i).padStart(2, '0')}.bin`), Buffer.alloc(size, i));
}

beforeAll(async () => {
  fs = mountTmpfs('emergency', 32 * MiB);
  mount = fs.mount;
  for (const dir of ['cam', 'logs', 'keep']) mkdirSync(path.join(mount, dir));
  app = await startTestApp({ SM_ROOTS: `fast=${mount}` });
  await register('/cam', 'keep_n_latest', { keep_count: 1000, priority: 1, emergency: { keep_count: 2 } });
  await register('/logs', 'max_size', { max_bytes: 1e9, priority: 2, emergency: { max_bytes: 0 } });
  await register('/keep', 'keep_n_latest', { keep_count: 1000 });
});

afterAll(async () => {
  await app?.close();
  fs?.unmount();
});

describe('emergency cleanup on a real tmpfs', () => {
  it('a dry run says what would go and deletes nothing', async () => {
    write('cam', 10, 1.5 * MiB, 'a');
    write('logs', 5, 2 * MiB, 'l');
    write('keep', 5, MiB, 'k');
    const response = await rawRequest(app.url, 'POST', '/api/emergency-cleanup', { headers: { 'content-type': 'application/json' }, body: '{"dry_run":true,"force":true}' });
    expect(response.status).toBe(200);
    const report = response.json as { dry_run: boolean; filesystems: Array<{ mountpoint: string; targets: Array<{ path: string; files: number }> }> };
    expect(report.dry_run).toBe(true);
    const filesystem = report.filesystems.find((f) => f.mountpoint === mount)!;
    expect(filesystem.targets.map((t) => [t.path, t.files])).toEqual([['/cam', 8], ['/logs', 5]]);
    expect([files('cam').length, files('logs').length, files('keep').length]).toEqual([10, 5, 5]);
  });

  it('past 95 %, runs the emergency policies by priority until below critical; the target without one is untouched', async () => {
    const done = nextCommitted(app, emergencyDone, 20_000, () => `${usedPct().toFixed(1)}% used`);
    // The automatic run's alert (the dry run above has its own, which may still be on its way).
    const alerted = nextCommitted(app, 
      (e): e is EventRecord<'alert.raised'> => e.type === 'alert.raised' && e.payload.alert.kind === 'emergency_deletion' && e.payload.alert.details.automatic === true,
    );
    write('cam', 1, 0.96 * 32 * MiB - (usedPct() / 100) * 32 * MiB, 'z'); // the write that takes it past 95 %
    const { payload } = await done;
    expect(payload).toMatchObject({ mountpoint: mount, automatic: true, dry_run: false, outcome: 'below_critical' });
    expect(payload.before_ratio).toBeGreaterThanOrEqual(0.95);
    expect(payload.after_ratio * 100).toBeLessThan(90);
    expect(payload.targets.map((t) => t.target)).toEqual(['fast:/cam']);
    expect(files('cam')).toEqual(['a-09.bin', 'z-00.bin']);
    expect(files('logs')).toHaveLength(5);
    expect(files('keep')).toHaveLength(5);
    const { alert } = (await alerted).payload;
    expect(alert.title).toMatch(/^\[EMERGENCY\] .*: emergency cleanup deleted 9 files/);
    expect(alert.text).toContain('fast:/cam (priority 1): 9 files');
  });

  it('in maintenance mode the automatic run is a dry run, and says so', async () => {
    await rawRequest(app.url, 'POST', '/api/maintenance', { headers: { 'content-type': 'application/json' }, body: '{"enabled":true,"reason":"disk swap"}' });
    const done = nextCommitted(app, emergencyDone, 20_000, () => `${usedPct().toFixed(1)}% used`);
    write('logs', 1, 0.97 * 32 * MiB - (usedPct() / 100) * 32 * MiB, 'm');
    const { payload } = await done;
    expect(payload).toMatchObject({ automatic: true, dry_run: true, dry_run_reason: 'maintenance mode' });
    expect(files('logs')).toHaveLength(6);
  });
});
