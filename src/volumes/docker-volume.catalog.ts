import path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { DockerEngine, type EngineContainer, type EngineVolume } from './docker-engine.port.js';
import { DockerEngineWatch } from './docker-engine-watch.service.js';
import type { VolumeInfo, VolumeLookup } from './volume-catalog.js';

/**
 * Docker volumes as volumes of the catalog, from the Engine's latest listing: root = SM_HOST_ROOT + the Engine's
 * mountpoint, the containers that mount each, its labels, and its size from the cached disk-usage report. A
 * name missing from the listing is asked of the Engine (it may have been created a moment ago); while the
 * Engine cannot be asked, such a name is `unknown`, never absent.
 */
@Injectable()
export class DockerVolumeCatalog {
  private readonly logger = new Logger(DockerVolumeCatalog.name);

  constructor(
    private readonly watch: DockerEngineWatch,
    private readonly engine: DockerEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return this.watch.enabled;
  }

  list(): VolumeInfo[] {
    const snapshot = this.watch.snapshot();
    if (!snapshot) return [];
    return snapshot.volumes.map((volume) => this.info(volume, snapshot.containers));
  }

  /** `ask`: a name the latest listing lacks is asked of the Engine (false: it is absent while the Engine answers). */
  async lookup(name: string, ask = true): Promise<VolumeLookup> {
    if (!this.enabled) return { state: 'absent' };
    const snapshot = this.watch.snapshot();
    const listed = snapshot?.volumes.find((v) => v.name === name);
    if (listed && snapshot) return { state: 'present', volume: this.info(listed, snapshot.containers) };
    if (!this.watch.reachable) return { state: 'unknown', reason: this.watch.status().last_error ?? 'the Docker Engine has not answered yet' };
    if (!ask) return { state: 'absent' };
    try {
      const inspected = await this.engine.inspectVolume(name);
      if (!inspected) return { state: 'absent' };
      // Created since the last listing: the next one (soon, from its event) brings its containers too.
      void this.watch.refresh(`volume ${name} found by name`);
      return { state: 'present', volume: this.info(inspected, snapshot?.containers ?? []) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.debug(`Docker volume ${name} could not be looked up: ${reason}`);
      return { state: 'unknown', reason };
    }
  }

  expectedRoot(name: string): string | undefined {
    const volume = this.watch.snapshot()?.volumes.find((v) => v.name === name);
    return volume ? placement(volume, this.config.volumes.hostRoot).root : undefined;
  }

  private info(volume: EngineVolume, containers: readonly EngineContainer[]): VolumeInfo {
    const where = placement(volume, this.config.volumes.hostRoot);
    const usage = this.watch.usageOf(volume.name);
    return {
      name: volume.name,
      root: where.root,
      driver: volume.driver,
      source: 'docker',
      createdAt: volume.createdAt,
      containers: containersMounting(volume.name, containers),
      labels: volume.labels,
      manageable: where.unmanageable === undefined,
      ...(where.unmanageable === undefined ? {} : { unmanageableReason: where.unmanageable }),
      ...(usage ? { engineUsage: usage } : {}),
    };
  }
}

/**
 * Where a Docker volume's data is for this process, and whether it can be managed at all: only the local driver
 * keeps data at a local mountpoint; a local volume of another type (nfs, cifs, tmpfs…) has it mounted only while a
 * container uses it; a local bind volume (`type=none`, `o=bind`) keeps it at its `device`.
 */
export function placement(volume: EngineVolume, hostRoot: string): { root: string; unmanageable?: string } {
  const onHost = (p: string): string => (hostRoot === '' ? path.resolve(p) : path.join(hostRoot, p));
  const root = volume.mountpoint === '' ? '' : onHost(volume.mountpoint);
  if (volume.driver !== 'local') return { root, unmanageable: `driver "${volume.driver}" keeps no data at a local mountpoint` };
  if (!path.isAbsolute(volume.mountpoint)) return { root, unmanageable: 'the Engine gives no local mountpoint' };
  const type = volume.options.type;
  if (type === 'none' && /(^|,)bind(,|$)/.test(volume.options.o ?? '') && path.isAbsolute(volume.options.device ?? '')) {
    return { root: onHost(volume.options.device!) };
  }
  if (type !== undefined && type !== '' && type !== 'none') {
    return { root, unmanageable: `local volume of type "${type}": its data is mounted only while a container uses it` };
  }
  return { root };
}

/** Names of the containers that mount the volume, sorted. */
export function containersMounting(name: string, containers: readonly EngineContainer[]): string[] {
  const names = new Set<string>();
  for (const container of containers) {
    if (container.mounts.some((m) => m.type === 'volume' && m.name === name)) names.add(container.name);
  }
  return [...names].sort();
}
