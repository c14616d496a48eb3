import path from 'node:path';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { VOLUME_NAME_PATTERN } from '../registration/target-path.js';
import { VolumeCatalog, type VolumeInfo } from './volume-catalog.js';
import { VolumeDirectories } from './volume-directories.port.js';

/**
 * Standalone mode: every subdirectory of SM_VOLUMES_DIR is a volume, and SM_ROOTS adds named host
 * directories. A name in SM_ROOTS takes precedence over a subdirectory of the same name.
 */
@Injectable()
export class StandaloneVolumeCatalog extends VolumeCatalog implements OnModuleInit {
  private readonly logger = new Logger(StandaloneVolumeCatalog.name);
  private readonly shadowWarned = new Set<string>();

  constructor(
    private readonly fs: VolumeDirectories,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  /** Standalone mode needs its volumes directory; it is created empty on first start. */
  async onModuleInit(): Promise<void> {
    if (await this.fs.ensureDirectory(this.config.volumes.dir)) {
      this.logger.log(`Created the volumes directory ${this.config.volumes.dir}: each subdirectory is a volume`);
    }
  }

  async list(): Promise<VolumeInfo[]> {
    const volumes = new Map<string, VolumeInfo>();
    for (const dir of await this.fs.listSubdirectories(this.config.volumes.dir)) {
      if (!VOLUME_NAME_PATTERN.test(dir.name)) continue;
      volumes.set(dir.name, this.directoryVolume(dir.name, dir.createdAt));
    }
    for (const root of this.config.volumes.roots) {
      const createdAt = await this.fs.directoryCreatedAt(root.path);
      if (!createdAt) continue;
      if (volumes.has(root.name) && !this.shadowWarned.has(root.name)) {
        this.shadowWarned.add(root.name);
        this.logger.warn(`SM_ROOTS entry "${root.name}" hides the directory of the same name in SM_VOLUMES_DIR`);
      }
      volumes.set(root.name, { name: root.name, root: root.path, driver: 'local', source: 'root', createdAt, containers: [], labels: {}, manageable: true });
    }
    return [...volumes.values()];
  }

  async find(name: string): Promise<VolumeInfo | undefined> {
    const root = this.config.volumes.roots.find((r) => r.name === name);
    if (root) {
      const createdAt = await this.fs.directoryCreatedAt(root.path);
      return createdAt ? { name, root: root.path, driver: 'local', source: 'root', createdAt, containers: [], labels: {}, manageable: true } : undefined;
    }
    if (!VOLUME_NAME_PATTERN.test(name)) return undefined;
    const createdAt = await this.fs.directoryCreatedAt(path.join(this.config.volumes.dir, name));
    return createdAt ? this.directoryVolume(name, createdAt) : undefined;
  }

  expectedRoot(name: string): string | undefined {
    const root = this.config.volumes.roots.find((r) => r.name === name);
    if (root) return root.path;
    return VOLUME_NAME_PATTERN.test(name) ? path.join(this.config.volumes.dir, name) : undefined;
  }

  private directoryVolume(name: string, createdAt: Date): VolumeInfo {
    return {
      name,
      root: path.join(this.config.volumes.dir, name),
      driver: 'local',
      source: 'directory',
      createdAt,
      containers: [],
      labels: {},
      manageable: true,
    };
  }
}
