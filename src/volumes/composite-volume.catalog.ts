import { Injectable, Logger } from '@nestjs/common';
import { DockerVolumeCatalog } from './docker-volume.catalog.js';
import { StandaloneVolumeCatalog } from './standalone-volume.catalog.js';
import { VolumeCatalog, type VolumeInfo, type VolumeLookup } from './volume-catalog.js';

/**
 * Every volume: Docker's (when SM_DOCKER_HOST is set), then SM_ROOTS, then the subdirectories of SM_VOLUMES_DIR.
 * A name in more than one place is the Docker volume's — a label registration, honoured because its container
 * mounts that Docker volume, must act on that volume and nothing else — and the shadowed one is warned about
 * once. While the Engine cannot be asked, a name it has never listed falls back to the standalone volumes, and
 * otherwise is `unknown`.
 */
@Injectable()
export class CompositeVolumeCatalog extends VolumeCatalog {
  private readonly logger = new Logger(CompositeVolumeCatalog.name);
  private readonly shadowWarned = new Set<string>();

  constructor(
    private readonly standalone: StandaloneVolumeCatalog,
    private readonly docker: DockerVolumeCatalog,
  ) {
    super();
  }

  async list(): Promise<VolumeInfo[]> {
    const docker = this.docker.list();
    const names = new Set(docker.map((v) => v.name));
    const standalone = (await this.standalone.list()).filter((v) => {
      if (!names.has(v.name)) return true;
      this.warnShadowed(v);
      return false;
    });
    return [...docker, ...standalone];
  }

  async find(name: string): Promise<VolumeInfo | undefined> {
    const found = await this.lookup(name);
    return found.state === 'present' ? found.volume : undefined;
  }

  override async lookup(name: string, options: { ask?: boolean } = {}): Promise<VolumeLookup> {
    const docker = this.docker.enabled ? await this.docker.lookup(name, options.ask ?? true) : undefined;
    if (docker?.state === 'present') return docker;
    const standalone = await this.standalone.find(name);
    if (standalone) return { state: 'present', volume: standalone };
    return docker?.state === 'unknown' ? docker : { state: 'absent' };
  }

  expectedRoot(name: string): string | undefined {
    return this.docker.expectedRoot(name) ?? this.standalone.expectedRoot(name);
  }

  private warnShadowed(volume: VolumeInfo): void {
    if (this.shadowWarned.has(volume.name)) return;
    this.shadowWarned.add(volume.name);
    const where = volume.source === 'root' ? 'The SM_ROOTS entry' : 'The SM_VOLUMES_DIR directory';
    this.logger.warn(`${where} "${volume.name}" (${volume.root}) is hidden by the Docker volume of the same name`);
  }
}
