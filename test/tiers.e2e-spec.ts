import { mkdirSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBus } from '../src/common/event-bus.js';
import type { EventRecord } from '../src/event-log/event.types.js';
import { EVENTS_COMMITTED } from '../src/state/state.store.js';
import { FilesystemSampler } from '../src/tiers/filesystem-sampler.service.js';
import { startWebhookReceiver } from './support/alert-receivers.js';
import { nextCommitted } from './support/committed.js';
import { rawRequest } from './support/raw-http.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { mountTmpfs } from './support/tmpfs.js';

/**
 * Tiers on a real filesystem: a 16 MiB tmpfs, filled for real through warning, critical and emergency and
 * emptied again, with the alerts received by a real webhook receiver and the tier changes counted in /metrics.
 * Mounting needs root (CI runs as root).
 */
const SIZE = 16 * 1024 * 1024;
let fs: ReturnType<typeof mountTmpfs>;
let mount: string;
let app: TestApp;
const seen: EventRecord[] = [];
let counter = 0;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

interface Received {
  kind: string;
  tier: string;
  status: string;
  scope: string;
}
/** The filesystem-tier alerts the receiver got, as "status tier". */
const tierAlerts = (): string[] =>
  receiver.deliveries
    .map((d) => JSON.parse(d.body) as Received)
    .filter((a) => a.kind === 'filesystem_tier' && a.scope === `filesystem:${mount}`)
    .map((a) => `${a.status} ${a.tier}`);

/** Waits (with a deadline) until the receiver holds `count` filesystem-tier alerts. */
async function tierAlertsReach(count: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  while (tierAlerts().length < count) {
    if (Date.now() > deadline) throw new Error(`receiver has ${JSON.stringify(tierAlerts())}, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return tierAlerts();
}

/** `storage_manager_tier_changes_total{scope="filesystem",tier=…}` from the live /metrics. */
async function tierChangesMetric(): Promise<Record<string, number>> {
  const { text } = await rawRequest(app.url, 'GET', '/metrics');
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^storage_manager_tier_changes_total\{scope="filesystem",tier="(\w+)"\} (\d+)$/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

const usedPct = (): number => fs.usedPct();

/** Adds a file so that the filesystem is at about `pct` used (tmpfs counts whole pages). */
function fillTo(pct: number): void {
  const s = statfsSync(mount);
  const total = (s.blocks - s.bfree + s.bavail) * s.bsize;
  const missing = Math.floor((pct / 100) * total) - (s.blocks - s.bfree) * s.bsize;
  if (missing > 0) writeFileSync(path.join(mount, 'rec', `fill-${counter++}.bin`), Buffer.alloc(missing, 7));
}

/** Deletes every file of the target (the target directory itself stays: replacing it would quarantine it). */
function clear(): void {
  for (const name of readdirSync(path.join(mount, 'rec'))) rmSync(path.join(mount, 'rec', name));
}

const next = <E extends EventRecord>(test: (e: EventRecord) => e is E): Promise<E> =>
  nextCommitted(app, test, 10_000, () => `${usedPct().toFixed(1)}% used; seen: ${seen.map((e) => e.type).join(', ')}`);

const fsTier = (to: string) => (e: EventRecord): e is EventRecord<'filesystem.tier_changed'> =>
  e.type === 'filesystem.tier_changed' && e.payload.to === to;
const fsTierEvents = (): Array<EventRecord<'filesystem.tier_changed'>> =>
  seen.filter((e): e is EventRecord<'filesystem.tier_changed'> => e.type === 'filesystem.tier_changed');

beforeAll(async () => {
  fs = mountTmpfs('tiers', SIZE);
  mount = fs.mount;
  mkdirSync(path.join(mount, 'rec'));
  receiver = await startWebhookReceiver(() => 200);
  app = await startTestApp({ SM_ROOTS: `fast=${mount}`, SM_ALERT_WEBHOOK_URLS: receiver.url });
  app.running.app.get(EventBus).on(EVENTS_COMMITTED, (events) => void seen.push(...events));
});

afterAll(async () => {
  await app?.close();
  await receiver?.close();
  fs?.unmount();
});

describe('tiers on a real tmpfs', () => {
  it('registers a target on the small filesystem', async () => {
    const body = JSON.stringify({
      volume_name: 'fast', path: '/rec', algorithm: 'max_size',
      params: { max_bytes: 1024 * 1024 * 1024, warning_bytes: 4 * 1024 * 1024, critical_bytes: 8 * 1024 * 1024 },
    });
    const response = await rawRequest(app.url, 'POST', '/api/register', { headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(201);
  });

  it('enters warning, critical and emergency as it fills, one event each, seen on the write (not at the 30 s sampling interval)', async () => {
    for (const [pct, tier] of [[82, 'warning'], [91.5, 'critical'], [96.5, 'emergency']] as const) {
      const event = next(fsTier(tier));
      fillTo(pct);
      const { payload } = await event;
      expect(payload).toMatchObject({ mountpoint: mount, volumes: ['fast'], total_bytes: SIZE });
      expect(payload.used_ratio * 100).toBeGreaterThanOrEqual(pct - 1);
    }
    expect(fsTierEvents().map((e) => `${e.payload.from}→${e.payload.to}`)).toEqual(['ok→warning', 'warning→critical', 'critical→emergency']);
    expect(await tierAlertsReach(3)).toEqual(['firing warning', 'firing critical', 'firing emergency']);
    expect(await tierChangesMetric()).toMatchObject({ warning: 1, critical: 1, emergency: 1 });
  });

  it('shows the tiers in health and in the volume list, and the target goes critical past critical_bytes', async () => {
    const health = (await rawRequest(app.url, 'GET', '/api/health')).json as {
      filesystems: Array<{ mountpoint: string; tier: string; fs_type: string }>;
      targets: Array<{ target: string; tier: string }>;
    };
    expect(health.filesystems.find((f) => f.mountpoint === mount)).toMatchObject({ tier: 'emergency', fs_type: 'tmpfs' });
    expect(health.targets).toEqual([expect.objectContaining({ target: 'fast:/rec', tier: 'critical' })]);
    const volumes = (await rawRequest(app.url, 'GET', '/api/volumes?name=fast')).json as Array<{ tier: string; registrations: Array<{ tier: string }> }>;
    expect(volumes[0]).toMatchObject({ tier: 'emergency', registrations: [{ tier: 'critical' }] });
  });

  it('keeps its tier across a restart without recording it again', async () => {
    const before = seen.length;
    app = await app.restart({ SM_ROOTS: `fast=${mount}`, SM_ALERT_WEBHOOK_URLS: receiver.url });
    app.running.app.get(EventBus).on(EVENTS_COMMITTED, (events) => void seen.push(...events));
    const health = (await rawRequest(app.url, 'GET', '/api/health')).json as { filesystems: Array<{ mountpoint: string; tier: string }> };
    expect(health.filesystems.find((f) => f.mountpoint === mount)?.tier).toBe('emergency');
    expect(seen.slice(before).filter((e) => e.type === 'filesystem.tier_changed')).toEqual([]);
    // Nothing raised again at start: the alerts are active in the projection.
    expect(seen.slice(before).filter((e) => e.type === 'alert.raised')).toEqual([]);
  });

  it('emptied, resolves each tier alert that was sent, once, highest first', async () => {
    const emptied = next(fsTier('ok'));
    clear();
    await emptied;
    expect(await tierAlertsReach(6)).toEqual([
      'firing warning', 'firing critical', 'firing emergency', 'resolved emergency', 'resolved critical', 'resolved warning',
    ]);
    expect(await tierChangesMetric()).toMatchObject({ ok: 1 });
  });

  it('does not flap while usage hovers within the hysteresis of a threshold: one tier event, no alert', async () => {
    fillTo(79);
    const wobble = path.join(mount, 'rec', 'wobble.bin');
    const entered = next(fsTier('warning'));
    writeFileSync(wobble, Buffer.alloc(Math.round(SIZE * 0.02), 1));
    await entered;
    const count = fsTierEvents().length;
    // ±1 point around 80 %: 79 % is within the 2-point hysteresis, so the tier stays warning.
    const sampler = app.running.app.get(FilesystemSampler);
    for (let round = 0; round < 10; round++) {
      rmSync(wobble);
      await sampler.sampleAll();
      writeFileSync(wobble, Buffer.alloc(Math.round(SIZE * 0.02), 1));
      await sampler.sampleAll();
    }
    expect(sampler.all().find((r) => r.mountPoint === mount)?.tier).toBe('warning');
    expect(fsTierEvents().length).toBe(count);
    // Warning again within the cooldown of the one sent: held back, and no resolution without a raise.
    expect(tierAlerts()).toHaveLength(6);
    expect(seen.filter((e) => e.type === 'alert.suppressed' && e.payload.kind === 'filesystem_tier')).toHaveLength(1);
  });

  it('leaves the tiers once emptied: one event down to ok', async () => {
    const event = next(fsTier('ok'));
    clear();
    expect((await event).payload.from).toBe('warning');
    expect(usedPct()).toBeLessThan(5);
  });
});
