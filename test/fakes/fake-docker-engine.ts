import {
  DockerEngine,
  EngineUnreachableError,
  type EngineContainer,
  type EngineEvent,
  type EngineEventStream,
  type EngineVersion,
  type EngineVolume,
  type EngineVolumeUsage,
} from '../../src/volumes/docker-engine.port.js';

/**
 * A Docker Engine in memory: volumes and containers a spec sets, an event stream it can feed and cut, and an
 * outage switch (every call then fails as an unreachable Engine would). Counts the calls made.
 */
export class FakeDockerEngine extends DockerEngine {
  readonly volumes: EngineVolume[] = [];
  readonly containers: EngineContainer[] = [];
  usage: EngineVolumeUsage[] = [];
  down = false;
  readonly calls: string[] = [];
  private readonly streams = new Set<{ onEvent: (event: EngineEvent) => void; end: (why: Error | undefined) => void }>();

  addVolume(name: string, overrides: Partial<EngineVolume> = {}): this {
    this.volumes.push({ name, driver: 'local', mountpoint: `/var/lib/docker/volumes/${name}/_data`, createdAt: new Date('2026-01-15T08:30:00Z'), labels: {}, options: {}, scope: 'local', ...overrides });
    return this;
  }

  addContainer(name: string, overrides: Partial<EngineContainer> & { volumes?: string[] } = {}): this {
    const { volumes = [], ...rest } = overrides;
    this.containers.push({
      id: `id-${name}-${this.containers.length}`,
      name,
      labels: {},
      mounts: volumes.map((v) => ({ type: 'volume', name: v, source: `/var/lib/docker/volumes/${v}/_data`, destination: `/mnt/${v}` })),
      state: 'running',
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, this.containers.length)),
      ...rest,
    });
    return this;
  }

  removeContainer(name: string): this {
    const index = this.containers.findIndex((c) => c.name === name);
    if (index >= 0) this.containers.splice(index, 1);
    return this;
  }

  /** Delivers an event on every open stream. */
  emit(type: string, action: string, id = ''): void {
    for (const stream of this.streams) stream.onEvent({ type, action, id, at: new Date() });
  }

  /** Ends every open stream as a dropped connection would. */
  cutStreams(): void {
    for (const stream of [...this.streams]) stream.end(new EngineUnreachableError('the event stream ended'));
  }

  get openStreams(): number {
    return this.streams.size;
  }

  async version(): Promise<EngineVersion> {
    this.called('version');
    return { version: '20.10.24', apiVersion: '1.41' };
  }

  async listVolumes(): Promise<EngineVolume[]> {
    this.called('listVolumes');
    return this.volumes.map((v) => ({ ...v }));
  }

  async inspectVolume(name: string): Promise<EngineVolume | undefined> {
    this.called('inspectVolume');
    return this.volumes.find((v) => v.name === name);
  }

  async listContainers(): Promise<EngineContainer[]> {
    this.called('listContainers');
    return this.containers.map((c) => ({ ...c }));
  }

  async volumeUsage(): Promise<EngineVolumeUsage[]> {
    this.called('volumeUsage');
    return [...this.usage];
  }

  async subscribe(onEvent: (event: EngineEvent) => void): Promise<EngineEventStream> {
    this.called('subscribe');
    let resolveEnded!: (why: Error | undefined) => void;
    const ended = new Promise<Error | undefined>((resolve) => (resolveEnded = resolve));
    const entry = {
      onEvent,
      end: (why: Error | undefined) => {
        this.streams.delete(entry);
        resolveEnded(why);
      },
    };
    this.streams.add(entry);
    return { ended, close: () => entry.end(undefined) };
  }

  private called(name: string): void {
    this.calls.push(name);
    if (this.down) {
      this.cutStreams();
      throw new EngineUnreachableError('connect ECONNREFUSED /var/run/docker.sock');
    }
  }
}
