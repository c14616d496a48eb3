import { readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RegistrationService } from '../../src/registration/registration.service.js';
import type { Registration } from '../../src/state/state.model.js';
import { METRIC } from '../../src/metrics/metric-names.js';
import type { EventRecord } from '../../src/event-log/event.types.js';
import { startWebhookReceiver, type WebhookDelivery } from '../support/alert-receivers.js';
import { getJson, getText, sendJson } from '../support/api.js';
import { nextCommitted } from '../support/committed.js';
import { createVolume, registrationLabels, runContainer } from '../support/docker-run.js';
import { importTestImage, startDockerd, type TestEngine } from '../support/dockerd.mjs';
import { eventually } from '../support/eventually.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The Docker Engine stopped (SIGTERM by its PID) and started again on the same data root while the manager runs,
 * and the manager itself restarted while the Engine is away: no crash, health degraded and the Docker-up gauge 0
 * while it is away, a warning alert through the alert rules to a real webhook receiver, no registration removed
 * or made pending, measured targets still cleaned; once it is back, the event stream is followed again
 * (discovery by event, the periodic pass an hour away) and nothing was lost.
 */
let engine: TestEngine;
let app: TestApp;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let keepRoot: string;
let before: Registration[];

interface Health {
  status: string;
  problems: string[];
  docker: { status: string; since: string | null; last_error: string | null; events: boolean };
}

const health = async (): Promise<Health> => (await getJson<Health>(app.url, '/api/health')).body;
const registrations = async (): Promise<Registration[]> => (await getJson<Registration[]>(app.url, '/api/registrations')).body;
const dockerUp = async (): Promise<number | undefined> => {
  const text = (await getText(app.url, '/metrics')).split('\n');
  const line = text.find((l) => l.startsWith(`${METRIC.dockerUp.name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};
const alertTitles = (deliveries: readonly WebhookDelivery[]): string[] => deliveries.map((d) => (JSON.parse(d.body) as { title: string }).title);

/** A labelled container run now is registered (the periodic pass is an hour away: only the event stream finds it). */
async function expectDiscoveryByEvent(name: string): Promise<void> {
  createVolume(engine.host, name);
  runContainer(engine.host, `${name}-app`, { volumes: [`${name}:/data`], labels: registrationLabels({ volume: name, path: '/', algorithm: 'keep_n_latest', keep_count: '1' }) });
  const found = await eventually(`the label of ${name}-app registered`, async () => (await registrations()).find((r) => r.volume_name === name && r.status === 'active'));
  expect(found).toMatchObject({ source: 'label', owner: `${name}-app` });
}

function stable(list: readonly Registration[]): Array<Pick<Registration, 'id' | 'volume_name' | 'path' | 'status' | 'source' | 'owner'>> {
  return list.map(({ id, volume_name, path: p, status, source, owner }) => ({ id, volume_name, path: p, status, source, owner }));
}

/** Writes `n` files `ageSeconds` old (a second apart), so that keep_n_latest may delete them at once. */
function writeFiles(dir: string, prefix: string, n: number, ageSeconds: number): void {
  const t = Date.now() / 1000 - ageSeconds;
  for (let i = 0; i < n; i++) {
    const file = path.join(dir, `${prefix}-${i}.dat`);
    writeFileSync(file, 'x');
    utimesSync(file, t + i, t + i);
  }
}

beforeAll(async () => {
  engine = await startDockerd();
  importTestImage(engine.host);
  receiver = await startWebhookReceiver(() => 200);
  app = await startTestApp({
    SM_DOCKER_HOST: engine.host,
    SM_DISCOVERY_INTERVAL_SECONDS: '3600',
    SM_ALERT_WEBHOOK_URLS: receiver.url,
  });
  keepRoot = createVolume(engine.host, 'keep');
  createVolume(engine.host, 'api-vol');
  runContainer(engine.host, 'keeper', { volumes: ['keep:/data'], labels: registrationLabels({ volume: 'keep', path: '/', algorithm: 'keep_n_latest', keep_count: '3' }) });
  const registered = await sendJson(app.url, 'POST', '/api/register', { volume_name: 'api-vol', path: '/', algorithm: 'max_size', params: { max_bytes: 1_000_000 } });
  if (registered.status !== 201) throw new Error(`POST /api/register answered ${registered.status}`);
  before = await eventually('both registrations active', async () => {
    const list = await registrations();
    return list.length === 2 && list.every((r) => r.status === 'active') ? list : undefined;
  });
});

afterAll(async () => {
  await app?.close();
  await receiver?.close();
  await engine?.stop();
});

describe('the Docker Engine away and back', () => {
  it('is healthy with the Engine up', async () => {
    expect((await health()).docker).toMatchObject({ status: 'up', events: true, last_error: null });
    expect(await dockerUp()).toBe(1);
  });

  it('while it is away: degraded health, the gauge at 0, a warning alert, every registration kept, targets still cleaned', async () => {
    const pid = engine.pid;
    await engine.halt();
    expect(() => process.kill(pid, 0)).toThrow();

    const degraded = await eventually('degraded health', async () => {
      const h = await health();
      return h.docker.status === 'down' ? h : undefined;
    });
    expect(degraded.status).toBe('degraded');
    expect(degraded.problems.join('\n')).toMatch(/Docker Engine unreachable since/);
    expect(degraded.docker.last_error).toEqual(expect.any(String));
    expect(await dockerUp()).toBe(0);
    const alert = await eventually('the Docker alert delivered', () => alertTitles(receiver.deliveries).find((t) => /Docker Engine .* unreachable/.test(t)));
    expect(alert).toMatch(/^\[WARNING\]/);

    // A volume-status pass meanwhile changes nothing; the label registration's volume is still listed.
    await app.running.app.get(RegistrationService).reconcileVolumeStatus();
    expect(stable(await registrations())).toEqual(stable(before));
    const listed = (await getJson<Array<{ volume_name: string; status: string }>>(app.url, '/api/volumes?name=keep')).body;
    expect(listed.map((v) => [v.volume_name, v.status])).toEqual([['keep', 'available']]);

    // The measured target keeps its policy: keep 3 of 6.
    writeFiles(keepRoot, 'away', 6, 7200);
    const left = await eventually('keep_n_latest applied with the Engine away', () => {
      const files = readdirSync(keepRoot).sort();
      return files.length === 3 ? files : undefined;
    });
    expect(left).toEqual(['away-3.dat', 'away-4.dat', 'away-5.dat']);
  });

  it('a manager restarted while the Engine is away starts, degraded, with every registration as it was', async () => {
    app = await app.restart();
    const h = await eventually('the restarted manager sees the Engine away', async () => {
      const report = await health();
      return report.docker.status === 'down' ? report : undefined;
    });
    expect(h.status).toBe('degraded');
    expect(stable(await registrations())).toEqual(stable(before));
    const listed = (await getJson<Array<{ volume_name: string; status: string }>>(app.url, '/api/volumes?name=keep')).body;
    expect(listed.map((v) => [v.volume_name, v.status])).toEqual([['keep', 'unknown']]);
  });

  it('once it is back: recovered, the alert resolved, the event stream followed again, nothing lost', async () => {
    await engine.resume();
    const recovered = await eventually('the Engine reachable again', async () => {
      const h = await health();
      return h.docker.status === 'up' && h.docker.events ? h : undefined;
    }, 60_000);
    expect(recovered.status).toBe('ok');
    expect(await dockerUp()).toBe(1);
    await eventually('the resolution delivered', () => alertTitles(receiver.deliveries).find((t) => /^\[RESOLVED\].*Docker Engine/.test(t)));
    expect(stable(await registrations())).toEqual(stable(before));

    // Measuring resumed on the Docker volume (the restarted manager could not know its mountpoint before).
    writeFiles(keepRoot, 'back', 5, 3600);
    await eventually('keep_n_latest applied after the Engine came back', () => (readdirSync(keepRoot).sort().join() === 'back-2.dat,back-3.dat,back-4.dat' ? true : undefined));

    // New labels are found by the re-opened event stream, not by a poll.
    createVolume(engine.host, 'late');
    runContainer(engine.host, 'late-app', { volumes: ['late:/data'], labels: registrationLabels({ volume: 'late', path: '/', algorithm: 'keep_n_latest', keep_count: '1' }) });
    const late = await eventually('the new label registered', async () => (await registrations()).find((r) => r.volume_name === 'late' && r.status === 'active'));
    expect(late).toMatchObject({ source: 'label', owner: 'late-app' });
    const jobs = (await getJson<{ scheduler: { jobs: Array<{ name: string; runs: number }> } }>(app.url, '/api/health')).body.scheduler.jobs;
    expect(jobs.find((j) => j.name === 'docker-discovery')?.runs).toBe(0);
    expect(stable((await registrations()).filter((r) => r.volume_name !== 'late'))).toEqual(stable(before));
  });

  it('the Engine stopped and started again under this running manager: away then back, the stream opened again, discovery resumes', async () => {
    const current = stable(await registrations());
    const away = nextCommitted(app, (e): e is EventRecord<'docker.unreachable'> => e.type === 'docker.unreachable', 60_000);
    const pid = engine.pid;
    await engine.halt();
    const awayEvent = await away;
    expect((await health()).status).toBe('degraded');
    const back = nextCommitted(app, (e): e is EventRecord<'docker.reachable'> => e.type === 'docker.reachable', 60_000);
    await engine.resume();
    expect(engine.pid).not.toBe(pid);
    expect((await back).seq).toBeGreaterThan(awayEvent.seq);
    await eventually('the event stream open again', async () => ((await health()).docker.events ? true : undefined));
    await expectDiscoveryByEvent('after-return');
    expect(stable((await registrations()).filter((r) => !r.volume_name.startsWith('after-')))).toEqual(current);
  });

  it('a quick restart (SIGTERM, started again at once): seen or not as an outage, the stream is followed again and nothing is lost', async () => {
    const current = stable((await registrations()).filter((r) => !r.volume_name.startsWith('after-')));
    const pid = engine.pid;
    await engine.restart();
    expect(engine.pid).not.toBe(pid);
    await eventually('the Engine answering with its event stream open', async () => {
      const h = await health();
      return h.docker.status === 'up' && h.docker.events ? true : undefined;
    }, 60_000);
    await expectDiscoveryByEvent('after-restart');
    expect(stable((await registrations()).filter((r) => !r.volume_name.startsWith('after-')))).toEqual(current);
  });
});
