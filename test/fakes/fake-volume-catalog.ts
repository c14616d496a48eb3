import path from 'node:path';
import { VolumeCatalog, type VolumeInfo } from '../../src/volumes/volume-catalog.js';

/** Volumes that exist because a spec says so. */
export class FakeVolumeCatalog extends VolumeCatalog {
  private readonly volumes = new Map<string, VolumeInfo>();

  constructor(private readonly base = '/volumes') {
    super();
  }

  add(name: string, root = path.join(this.base, name)): this {
    this.volumes.set(name, { name, root, driver: 'local', source: 'directory', createdAt: new Date(0), containers: [], labels: {}, manageable: true });
    return this;
  }

  delete(name: string): this {
    this.volumes.delete(name);
    return this;
  }

  async list(): Promise<VolumeInfo[]> {
    return [...this.volumes.values()];
  }

  async find(name: string): Promise<VolumeInfo | undefined> {
    return this.volumes.get(name);
  }

  expectedRoot(name: string): string | undefined {
    return this.volumes.get(name)?.root ?? path.join(this.base, name);
  }
}
