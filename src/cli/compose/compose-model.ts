/**
 * The parts of a compose file that deploy-time registration needs: each service's labels, mounts and profiles,
 * the top-level volumes, the project name. Built from a parsed, interpolated document (every scalar a string:
 * the file is read with YAML's failsafe schema, so `max_bytes: 5368709120` keeps its digits), and merged across
 * several `-f` files as Compose merges them: labels key by key, mounts by container path, volumes key by key.
 */

export class ComposeError extends Error {}

export interface Mount {
  /** A named volume, a bind mount of a host path, or something else (tmpfs, …). */
  readonly kind: 'volume' | 'bind' | 'other';
  /** The volume's name as the file writes it (or the host path); null for an anonymous volume. */
  readonly source: string | null;
  /** The path inside the container. */
  readonly target: string;
}

export interface ServiceModel {
  readonly labels: Readonly<Record<string, string>>;
  readonly mounts: readonly Mount[];
  readonly profiles: readonly string[];
}

export interface VolumeModel {
  /** The Engine name set by `name:`. */
  readonly name?: string;
  readonly external?: boolean;
}

export interface ComposeModel {
  readonly name?: string;
  readonly services: Readonly<Record<string, ServiceModel>>;
  readonly volumes: Readonly<Record<string, VolumeModel>>;
}

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A YAML 1.2 boolean, as the failsafe schema leaves it: a string. */
const isTrue = (value: unknown): boolean => typeof value === 'string' && /^(true|True|TRUE)$/.test(value);

export function composeModel(doc: unknown, file: string): ComposeModel {
  if (doc === null || doc === undefined || doc === '') return { services: {}, volumes: {} };
  if (!isMap(doc)) throw new ComposeError(`${file}: the top level must be a mapping`);
  const services: Record<string, ServiceModel> = {};
  const rawServices = doc.services ?? {};
  if (!isMap(rawServices) && rawServices !== '') throw new ComposeError(`${file}: services must be a mapping of service names`);
  for (const [name, raw] of Object.entries(isMap(rawServices) ? rawServices : {})) {
    services[name] = serviceModel(raw, `${file}: services.${name}`);
  }
  const volumes: Record<string, VolumeModel> = {};
  const rawVolumes = doc.volumes ?? {};
  if (!isMap(rawVolumes) && rawVolumes !== '') throw new ComposeError(`${file}: volumes must be a mapping of volume names`);
  for (const [key, raw] of Object.entries(isMap(rawVolumes) ? rawVolumes : {})) {
    volumes[key] = volumeModel(raw, `${file}: volumes.${key}`);
  }
  const name = doc.name;
  if (name !== undefined && typeof name !== 'string') throw new ComposeError(`${file}: name must be a string`);
  return { ...(name ? { name } : {}), services, volumes };
}

function serviceModel(raw: unknown, where: string): ServiceModel {
  if (raw === '' || raw === null) return { labels: {}, mounts: [], profiles: [] };
  if (!isMap(raw)) throw new ComposeError(`${where} must be a mapping`);
  const profiles = raw.profiles ?? [];
  if (!Array.isArray(profiles) || !profiles.every((p) => typeof p === 'string')) throw new ComposeError(`${where}.profiles must be a list of names`);
  const mounts = raw.volumes ?? [];
  if (!Array.isArray(mounts)) throw new ComposeError(`${where}.volumes must be a list`);
  return { labels: labelsOf(raw.labels, `${where}.labels`), mounts: mounts.map((m, i) => mountOf(m, `${where}.volumes[${i}]`)), profiles };
}

/** Labels as a mapping (`key: value`) or a list (`- key=value`; an item without `=` has the empty value). */
export function labelsOf(raw: unknown, where: string): Record<string, string> {
  if (raw === undefined || raw === null || raw === '') return {};
  const labels: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (const [i, item] of raw.entries()) {
      if (typeof item !== 'string') throw new ComposeError(`${where}[${i}] must be a "key=value" string`);
      const eq = item.indexOf('=');
      labels[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? '' : item.slice(eq + 1);
    }
    return labels;
  }
  if (!isMap(raw)) throw new ComposeError(`${where} must be a mapping or a list of "key=value"`);
  for (const [key, value] of Object.entries(raw)) {
    if (value !== null && typeof value !== 'string') throw new ComposeError(`${where}.${key} must be a string`);
    labels[key] = value ?? '';
  }
  return labels;
}

/** A service's `volumes` item: short syntax (`logs:/app/logs:ro`, `./dir:/x`, `/anonymous`) or long syntax. */
export function mountOf(raw: unknown, where: string): Mount {
  if (typeof raw === 'string') {
    const parts = raw.split(':');
    if (parts.length === 1) return { kind: 'volume', source: null, target: parts[0]! };
    const source = parts[0]!;
    return { kind: /^[./~]/.test(source) || source.includes('/') ? 'bind' : 'volume', source, target: parts[1]! };
  }
  if (!isMap(raw) || typeof raw.target !== 'string') throw new ComposeError(`${where} must be "source:target" or a mapping with a target`);
  const source = typeof raw.source === 'string' && raw.source !== '' ? raw.source : null;
  const kind = raw.type === 'volume' ? 'volume' : raw.type === 'bind' ? 'bind' : 'other';
  return { kind, source, target: raw.target };
}

function volumeModel(raw: unknown, where: string): VolumeModel {
  if (raw === '' || raw === null) return {};
  if (!isMap(raw)) throw new ComposeError(`${where} must be a mapping`);
  const model: { name?: string; external?: boolean } = {};
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string') throw new ComposeError(`${where}.name must be a string`);
    model.name = raw.name;
  }
  if (raw.external !== undefined) {
    // `external: true`, or the legacy `external: {name: …}`.
    if (isMap(raw.external)) {
      model.external = true;
      if (typeof raw.external.name === 'string' && model.name === undefined) model.name = raw.external.name;
    } else {
      model.external = isTrue(raw.external);
    }
  }
  return model;
}

/** Several files as one: later files add and override, as `docker compose -f a.yml -f b.yml` does. */
export function mergeModels(models: readonly ComposeModel[]): ComposeModel {
  let name: string | undefined;
  const services: Record<string, ServiceModel> = {};
  const volumes: Record<string, VolumeModel> = {};
  for (const model of models) {
    if (model.name) name = model.name;
    for (const [key, service] of Object.entries(model.services)) {
      const before = services[key];
      if (!before) {
        services[key] = service;
        continue;
      }
      const mounts = new Map(before.mounts.map((m) => [m.target, m]));
      for (const mount of service.mounts) mounts.set(mount.target, mount);
      services[key] = {
        labels: { ...before.labels, ...service.labels },
        mounts: [...mounts.values()],
        profiles: service.profiles.length > 0 ? service.profiles : before.profiles,
      };
    }
    for (const [key, volume] of Object.entries(model.volumes)) volumes[key] = { ...volumes[key], ...volume };
  }
  return { ...(name ? { name } : {}), services, volumes };
}
