import { Topic } from '../common/event-bus.js';

/** A volume the manager may act in, whatever its source (a standalone directory, a host root, Docker). */
export interface VolumeInfo {
  readonly name: string;
  /** Absolute path of the volume's root as this process sees it (Docker: SM_HOST_ROOT + the Engine's mountpoint). */
  readonly root: string;
  readonly driver: string;
  readonly source: 'directory' | 'root' | 'docker';
  readonly createdAt: Date | null;
  /** Names of the containers that mount it (Docker volumes). */
  readonly containers: readonly string[];
  /** The volume's own labels (Docker volumes). */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * False for volumes whose data has no local mountpoint (another driver, or a local volume of type nfs, tmpfs…
   * mounted only while a container uses it): listed, never measured, scanned or cleaned.
   */
  readonly manageable: boolean;
  /** Why it is not manageable. */
  readonly unmanageableReason?: string;
  /** The size the Engine's disk-usage report gave, from a background refresh (never measured on request). */
  readonly engineUsage?: { readonly bytes: number; readonly measuredAt: Date };
}

/**
 * Whether a volume exists: `unknown` when its source cannot be asked right now (the Docker Engine is away), which
 * is never taken as gone: no registration is made pending or removed on it.
 */
export type VolumeLookup =
  | { readonly state: 'present'; readonly volume: VolumeInfo }
  | { readonly state: 'absent' }
  | { readonly state: 'unknown'; readonly reason: string };

/**
 * Published when the set of volumes (or where they are) may have changed otherwise than through a registration:
 * the Docker Engine's volumes changed, or it came back. Measuring and the volume status follow it.
 */
export const VOLUMES_CHANGED = new Topic<{ readonly reason: string }>('volumes.changed');

/** The port through which the service learns which volumes exist and where they are. */
export abstract class VolumeCatalog {
  /** Every volume known now (Docker volumes as last listed while the Engine is away). */
  abstract list(): Promise<VolumeInfo[]>;
  /** The volume if it is known to exist now. */
  abstract find(name: string): Promise<VolumeInfo | undefined>;
  /** Where the volume's root is or would be, even before it exists (undefined when unknowable). */
  abstract expectedRoot(name: string): string | undefined;

  /**
   * Present, absent, or unknown (its source cannot be asked now). `ask: false` answers from what is known
   * without asking a remote source (the Docker Engine) about a name it did not list: for views on a request's path.
   */
  async lookup(name: string, _options: { ask?: boolean } = {}): Promise<VolumeLookup> {
    const volume = await this.find(name);
    return volume ? { state: 'present', volume } : { state: 'absent' };
  }
}
