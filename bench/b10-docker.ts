import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { createLogger, startApp, type RunningApp } from '../src/app.js';
import { EventBus } from '../src/common/event-bus.js';
import { parseConfig } from '../src/config/app-config.js';
import { LabelDiscoveryService } from '../src/registration/label-discovery.service.js';
import { EVENTS_COMMITTED } from '../src/state/state.store.js';
import { DockerEngineWatch } from '../src/volumes/docker-engine-watch.service.js';
import { containerArgs, createVolume, registrationLabels } from '../test/support/docker-run.js';
import { docker, DOCKER_CLI, importTestImage, startDockerd, type TestEngine } from '../test/support/dockerd.mjs';
import { median, percentile, say } from './util.js';

/**
 * B10, Docker mode on a private Engine (the periodic discovery pass an hour away, so only the event stream can
 * find a label):
 *  a) `docker run` of a labelled container → its registration committed active: from the Engine's own
 *     `container create` event (read from its event stream) and from invoking the client, p50/p99 over `runs`;
 *  b) a discovery pass (listing + reconcile) with 200 labelled containers on 200 volumes: the first pass that
 *     registers them all (a manager started on a fresh database), and a pass with nothing to change.
 */
export async function benchDocker(runs = 60, containers = 200): Promise<void> {
  Logger.overrideLogger(createLogger('ERROR'));
  const engine = await startDockerd();
  const dirs: string[] = [];
  const apps: RunningApp[] = [];
  const start = async (): Promise<RunningApp> => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sm-b10-'));
    dirs.push(dir);
    const env = { SM_DOCKER_HOST: engine.host, SM_DISCOVERY_INTERVAL_SECONDS: '3600', SM_VOLUMES_DIR: path.join(dir, 'volumes'), SM_DATA_DIR: path.join(dir, 'data'), SM_DB_PATH: path.join(dir, 'data', 'db.sqlite') };
    const app = await startApp(parseConfig(env, { cwd: dir }), { port: 0 });
    apps.push(app);
    return app;
  };
  try {
    importTestImage(engine.host);
    await benchLabelLatency(engine, await start(), runs);
    await benchDiscoveryPass(engine, start, containers);
  } finally {
    for (const app of apps) await app.shutdown('bench');
    await engine.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

async function benchLabelLatency(engine: TestEngine, app: RunningApp, runs: number): Promise<void> {
  const created = new Map<string, number>();
  const events = engineEvents(engine.socket, (name, at) => created.set(name, at));
  const active = new Map<string, (at: number) => void>();
  app.app.get(EventBus).on(EVENTS_COMMITTED, (committed) => {
    const at = Date.now();
    for (const e of committed) {
      if (e.type === 'registration.created' && e.payload.registration.status === 'active' && e.payload.registration.owner) active.get(e.payload.registration.owner)?.(at);
    }
  });
  const fromEvent: number[] = [];
  const fromClient: number[] = [];
  for (let i = 0; i < runs; i++) {
    const name = `b10-${i}`;
    createVolume(engine.host, `${name}-data`);
    const registered = new Promise<number>((resolve) => active.set(name, resolve));
    const invoked = Date.now();
    const cli = spawn(DOCKER_CLI, ['-H', engine.host, 'run', '-d', ...containerArgs(name, { volumes: [`${name}-data:/data`], labels: registrationLabels({ volume: `${name}-data`, path: '/', algorithm: 'keep_n_latest', keep_count: '10' }) })], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => cli.once('exit', () => resolve()));
    const at = await registered;
    await exited;
    fromClient.push(at - invoked);
    const engineAt = created.get(name);
    if (engineAt !== undefined) fromEvent.push(at - engineAt);
  }
  events.close();
  // B10b counts its own containers and volumes only.
  docker(engine.host, ['rm', '-f', ...Array.from({ length: runs }, (_, i) => `b10-${i}`)]);
  docker(engine.host, ['volume', 'rm', ...Array.from({ length: runs }, (_, i) => `b10-${i}-data`)]);
  const line = (values: number[]): string => `p50 ${percentile(values, 50).toFixed(0)} ms, p99 ${percentile(values, 99).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`;
  say(`B10a label appearing → registration active, ${runs} docker runs (event stream; periodic pass 1 h away): from the Engine's container create event ${line(fromEvent)} (${fromEvent.length} events seen); from invoking docker run ${line(fromClient)}`);
}

async function benchDiscoveryPass(engine: TestEngine, start: () => Promise<RunningApp>, count: number): Promise<void> {
  const setupStarted = performance.now();
  for (let i = 0; i < count; i++) {
    const name = `pass-${String(i).padStart(3, '0')}`;
    createVolume(engine.host, `${name}-data`);
    await new Promise<void>((resolve, reject) => {
      const cli = spawn(DOCKER_CLI, ['-H', engine.host, 'create', ...containerArgs(name, { volumes: [`${name}-data:/data`], labels: registrationLabels({ volume: `${name}-data`, path: '/', algorithm: 'max_size', max_bytes: '1000000' }, { volume: `${name}-data`, path: '/tmp', algorithm: 'keep_n_latest', keep_count: '5' }) })], { stdio: 'ignore' });
      cli.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker create exited ${code}`))));
    });
  }
  const setup = (performance.now() - setupStarted) / 1000;

  // A manager started on a fresh database: its first pass registers everything.
  const app = await start();
  const watch = app.app.get(DockerEngineWatch);
  const discovery = app.app.get(LabelDiscoveryService);
  await discovery.idle();
  const first = discovery.lastPass;
  const steady: number[] = [];
  const listings: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await watch.refresh('bench');
    const t1 = performance.now();
    await discovery.idle();
    listings.push(t1 - t0);
    steady.push(performance.now() - t0);
  }
  const snapshot = watch.snapshot();
  say(
    `B10b discovery pass, ${snapshot?.containers.length ?? 0} labelled containers (2 indexes each) on ${snapshot?.volumes.length ?? 0} volumes: ` +
      `first pass registering ${first?.created ?? 0} targets ${first?.duration_ms.toFixed(0) ?? '?'} ms (reconcile and commits, listing not included); ` +
      `a pass with nothing to change: median ${median(steady).toFixed(1)} ms (listing ${median(listings).toFixed(1)} ms), max ${Math.max(...steady).toFixed(1)} ms over 20 ` +
      `(setup: ${count} docker create in ${setup.toFixed(0)} s)`,
  );
}

/** The Engine's own event stream (plain HTTP on its socket): when each container was created, by name. */
function engineEvents(socketPath: string, onCreate: (name: string, at: number) => void): { close(): void } {
  const request = http.get({ socketPath, path: `/events?filters=${encodeURIComponent(JSON.stringify({ type: ['container'], event: ['create'] }))}` }, (response) => {
    let buffered = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const event = JSON.parse(buffered.slice(0, newline)) as { Actor?: { Attributes?: { name?: string } }; timeNano?: number };
        buffered = buffered.slice(newline + 1);
        const name = event.Actor?.Attributes?.name;
        if (name && event.timeNano) onCreate(name, event.timeNano / 1e6);
        newline = buffered.indexOf('\n');
      }
    });
  });
  request.on('error', () => undefined);
  return { close: () => request.destroy() };
}
