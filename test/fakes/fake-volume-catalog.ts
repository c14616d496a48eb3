import path from 'node:path';
import { VolumeCatalog, type VolumeInfo, type VolumeLookup } from '../../src/volumes/volume-catalog.js';

/** Volumes that exist because a spec says so; a name can also be unknown (its source cannot be asked now). */
export class FakeVolumeCatalog extends VolumeCatalog {
  private readonly volumes = new Map<string, VolumeInfo>();
  private readonly unknown = new Set<string>();
  private readonly held = new Map<string, Promise<void>>();

  constructor(private readonly base = '/volumes') {
    super();
  }

  add(name: string, root = path.join(this.base, name), extra: Partial<VolumeInfo> = {}): this {
    this.volumes.set(name, { name, root, driver: 'local', source: 'directory', createdAt: new Date(0), containers: [], labels: {}, manageable: true, ...extra });
    this.unknown.delete(name);
    return this;
  }

  /** Absent: its source answers without it. */
  delete(name: string): this {
    this.volumes.delete(name);
    this.unknown.delete(name);
    return this;
  }

  /** The volume's source cannot be asked: neither present nor absent. */
  setUnknown(name: string): this {
    this.volumes.delete(name);
    this.unknown.add(name);
    return this;
  }

  async list(): Promise<VolumeInfo[]> {
    return [...this.volumes.values()];
  }

  /** Lookups of `name` wait (a slow Engine, a slow disk) until the returned function is called. */
  holdLookups(name: string): () => void {
    let release!: () => void;
    this.held.set(name, new Promise((resolve) => (release = resolve)));
    return () => {
      this.held.delete(name);
      release();
    };
  }

  async find(name: string): Promise<VolumeInfo | undefined> {
    await this.held.get(name);
    return this.volumes.get(name);
  }

  override async lookup(name: string, _options: { ask?: boolean } = {}): Promise<VolumeLookup> {
    if (this.unknown.has(name)) return { state: 'unknown', reason: 'the Docker Engine is away' };
    return super.lookup(name);
  }

  expectedRoot(name: string): string | undefined {
    return this.volumes.get(name)?.root ?? path.join(this.base, name);
  }
}
