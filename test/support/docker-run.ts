import { docker, TEST_IMAGE } from './dockerd.mjs';

/**
 * Containers and volumes of a test Engine through Debian's docker client. Every container is on `--network none`
 * and stops within a second (`sleep` as PID 1 ignores SIGTERM).
 */
export interface ContainerSpec {
  /** `-v` specifications: `volume:/path` or `/host/path:/path`. */
  readonly volumes?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  /** `create` leaves it stopped. */
  readonly start?: boolean;
}

export function containerArgs(name: string, spec: ContainerSpec): string[] {
  return [
    '--name', name, '--network', 'none', '--stop-timeout', '1',
    ...(spec.volumes ?? []).flatMap((v) => ['-v', v]),
    ...Object.entries(spec.labels ?? {}).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    TEST_IMAGE, 'sleep', '3600',
  ];
}

/** `docker run -d` (or `docker create`); returns the container's id. */
export function runContainer(host: string, name: string, spec: ContainerSpec = {}): string {
  return docker(host, spec.start === false ? ['create', ...containerArgs(name, spec)] : ['run', '-d', ...containerArgs(name, spec)]);
}

export function removeContainer(host: string, name: string): void {
  docker(host, ['rm', '-f', name]);
}

export function createVolume(host: string, name: string, options: { labels?: Readonly<Record<string, string>>; opts?: readonly string[] } = {}): string {
  docker(host, ['volume', 'create', ...Object.entries(options.labels ?? {}).flatMap(([k, v]) => ['--label', `${k}=${v}`]), ...(options.opts ?? []).flatMap((o) => ['-o', o]), name]);
  return mountpoint(host, name);
}

export function mountpoint(host: string, volume: string): string {
  return docker(host, ['volume', 'inspect', '--format', '{{.Mountpoint}}', volume]);
}

/** Labels as `storage-manager.<index>.<field>` from a plain object per index. */
export function registrationLabels(...indexes: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  return Object.fromEntries(indexes.flatMap((fields, index) => Object.entries(fields).map(([k, v]) => [`storage-manager.${index}.${k}`, v])));
}
