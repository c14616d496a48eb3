/** A volume the manager may act in, whatever its source (a standalone directory, a host root, Docker). */
export interface VolumeInfo {
  readonly name: string;
  /** Absolute path of the volume's root as this process sees it. */
  readonly root: string;
  readonly driver: string;
  readonly source: 'directory' | 'root' | 'docker';
  readonly createdAt: Date | null;
  readonly containers: readonly string[];
}

/** The port through which the service learns which volumes exist and where they are. */
export abstract class VolumeCatalog {
  /** Every volume that exists now. */
  abstract list(): Promise<VolumeInfo[]>;
  /** The volume if it exists now. */
  abstract find(name: string): Promise<VolumeInfo | undefined>;
  /** Where the volume's root is or would be, even before it exists (undefined when unknowable). */
  abstract expectedRoot(name: string): string | undefined;
}
