import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { targetKey, type Registration, type RegistrationSource } from '../state/state.model.js';
import type { EngineContainer, EngineVolume } from '../volumes/docker-engine.port.js';
import { hasRegistrationLabels, parseRegistrationLabels } from './labels.js';
import type { RegistrationInput } from './registration.schema.js';

/**
 * Label discovery as a pure decision: from every container of the Engine (running or stopped) and the current
 * registrations to what to create, update and remove, and what to report.
 *
 * - Desired state: the valid `storage-manager.<N>.*` labels of every container. An invalid index is reported and
 *   left out; the container's other indexes still apply.
 * - The `volume` label names the Engine volume (`myproject_logs`) or the compose-level one (`logs`, mounted as
 *   `<com.docker.compose.project>_logs`); either way it is resolved through the container's own mounts.
 * - Trust rule: a label is honoured only if its container mounts the volume it names, and (for a mount of a
 *   volume's subdirectory) only for paths under what it mounts. Otherwise it is refused.
 * - Ownership: a label registration belongs to its container by name (a recreate — new id, same name — keeps it,
 *   and updates it when the labels changed). It is removed when its container no longer declares it, or when no
 *   container of that name has existed for `graceMs` (a stopped container still counts; the grace lets
 *   `docker rm` + `docker run` of the same name, and compose's create-then-rename, update it rather than remove
 *   and re-create it). While its container has an invalid label, nothing of that container is removed.
 * - Conflicts: the registration already there stays (an API, deploy or import one, or another container's); a
 *   different claim on its target is reported. A claim identical to what is registered is agreement, not a
 *   conflict (deploy-time registration of the same labels, replicas of one service), and so is a claim by a
 *   container of the owner's own compose service (a recreate in progress). When the owner is gone, the oldest
 *   claimant takes the registration over (same id, same tally).
 */

/** A volume as a container mounts it: the whole volume (`/`) or a subdirectory (a bind mount inside it). */
export interface VolumeMount {
  readonly volume: string;
  readonly subpath: string;
}

export interface LabelContainer {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly labels: Readonly<Record<string, string>>;
  readonly mounts: readonly VolumeMount[];
}

export interface LabelClaim {
  readonly container: LabelContainer;
  readonly index: string;
  /** With the volume resolved to its Engine name. */
  readonly input: RegistrationInput;
}

interface ReportBase {
  /** Identifies the report across passes: the same problem is reported once. */
  readonly key: string;
  readonly container: string;
  readonly containerId: string;
  readonly index: string;
}

export type LabelReport =
  | (ReportBase & { readonly kind: 'invalid'; readonly label: string; readonly field: string; readonly message: string })
  | (ReportBase & { readonly kind: 'refused'; readonly volume: string; readonly path: string; readonly field: string; readonly reason: string })
  | (ReportBase & {
      readonly kind: 'conflict';
      readonly volumeName: string;
      readonly path: string;
      readonly heldBySource: RegistrationSource;
      readonly heldByOwner: string | null;
    });

export interface LabelUpsert {
  readonly claim: LabelClaim;
  /** The registration the plan expects to replace (undefined: none); anything else found there stays. */
  readonly replaces: { readonly id: string; readonly owner: string | null } | undefined;
}

export interface LabelPlan {
  readonly upserts: readonly LabelUpsert[];
  readonly removals: ReadonlyArray<{ readonly registration: Registration; readonly reason: string }>;
  /** The earliest instant (ms) at which an owner's absence outlasts the grace: the pass to run then. */
  readonly recheckAt: number | undefined;
  readonly reports: readonly LabelReport[];
  /** Containers that carry storage-manager labels. */
  readonly labelled: number;
}

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

/** What the caller remembers between passes about owners that went missing. */
export interface PlanMemory {
  /** Now, in ms. */
  readonly now: number;
  /** Since when (ms) each owner name has been missing from the Engine's containers. */
  readonly goneSince: ReadonlyMap<string, number>;
  /** The labels each owner had when last seen (its compose project and service). */
  readonly lastLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** How long an owner may be missing before its registrations are removed or taken over. */
  readonly graceMs: number;
}

/** A container of the Engine with its mounts as volumes (a bind mount inside a volume's mountpoint counts as a subdirectory of it). */
export function labelContainer(container: EngineContainer, volumes: readonly EngineVolume[]): LabelContainer {
  const mounts: VolumeMount[] = [];
  for (const mount of container.mounts) {
    if (mount.type === 'volume' && mount.name) {
      mounts.push({ volume: mount.name, subpath: '/' });
    } else if (mount.type === 'bind' && path.isAbsolute(mount.source)) {
      const inside = volumes.find((v) => path.isAbsolute(v.mountpoint) && (mount.source === v.mountpoint || mount.source.startsWith(`${v.mountpoint}/`)));
      if (inside) mounts.push({ volume: inside.name, subpath: `/${path.relative(inside.mountpoint, mount.source)}`.replace(/\/$/, '') || '/' });
    }
  }
  return { id: container.id, name: container.name, createdAt: container.createdAt, labels: container.labels, mounts };
}

/** The volume a label names, through the container's own mounts: the Engine name first, then the compose project's. */
export function resolveVolume(written: string, container: LabelContainer): VolumeMount | undefined {
  const exact = container.mounts.find((m) => m.volume === written);
  if (exact) return exact;
  const project = container.labels[COMPOSE_PROJECT_LABEL];
  return project ? container.mounts.find((m) => m.volume === `${project}_${written}`) : undefined;
}

function isUnder(subpath: string, target: string): boolean {
  return subpath === '/' || target === subpath || target.startsWith(`${subpath}/`);
}

export function planLabelRegistrations(
  containers: readonly LabelContainer[],
  registrations: Readonly<Record<string, Registration>>,
  clock: PlanMemory = { now: 0, goneSince: new Map(), lastLabels: new Map(), graceMs: 0 },
): LabelPlan {
  const ordered = [...containers].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  const byName = new Map(ordered.map((c) => [c.name, c]));
  const names = new Set(byName.keys());
  let recheckAt: number | undefined;
  /** Whether the owner is gone for good (missing longer than the grace); notes when to look again otherwise. */
  const goneForGood = (owner: string | null): boolean => {
    if (owner === null) return true;
    if (names.has(owner)) return false;
    const due = (clock.goneSince.get(owner) ?? clock.now) + clock.graceMs;
    if (due <= clock.now) return true;
    recheckAt = Math.min(recheckAt ?? due, due);
    return false;
  };
  /** A container of the owner's own compose service (a replica, or its recreate under a temporary name). */
  const ownService = (claimant: LabelContainer, owner: string | null): boolean => {
    const held = owner === null ? undefined : (byName.get(owner)?.labels ?? clock.lastLabels.get(owner));
    const project = claimant.labels[COMPOSE_PROJECT_LABEL];
    const service = claimant.labels[COMPOSE_SERVICE_LABEL];
    return held !== undefined && project !== undefined && service !== undefined && held[COMPOSE_PROJECT_LABEL] === project && held[COMPOSE_SERVICE_LABEL] === service;
  };
  const withProblems = new Set<string>();
  const reports: LabelReport[] = [];
  const claims = new Map<string, LabelClaim[]>();
  let labelled = 0;

  for (const container of ordered) {
    if (!hasRegistrationLabels(container.labels)) continue;
    labelled++;
    const base = { container: container.name, containerId: container.id };
    const parsed = parseRegistrationLabels(container.labels);
    for (const problem of parsed.problems) {
      withProblems.add(container.name);
      reports.push({
        ...base,
        kind: 'invalid',
        key: `invalid|${container.name}|${problem.index}|${problem.label}|${problem.message}`,
        index: problem.index,
        label: problem.label,
        field: problem.field,
        message: problem.message,
      });
    }
    for (const { index, input } of parsed.registrations) {
      const refuse = (field: string, reason: string): void => {
        reports.push({ ...base, kind: 'refused', key: `refused|${container.name}|${index}|${input.volume_name}|${input.path}|${reason}`, index, volume: input.volume_name, path: input.path, field, reason });
      };
      const mount = resolveVolume(input.volume_name, container);
      if (!mount) {
        const project = container.labels[COMPOSE_PROJECT_LABEL];
        refuse('volume_name', `container "${container.name}" does not mount volume "${input.volume_name}"${project ? ` (nor "${project}_${input.volume_name}")` : ''}: a label may only register a volume its container mounts`);
        continue;
      }
      if (!isUnder(mount.subpath, input.path)) {
        refuse('path', `container "${container.name}" mounts only ${mount.subpath} of volume "${mount.volume}"`);
        continue;
      }
      const claim: LabelClaim = { container, index, input: { ...input, volume_name: mount.volume } };
      const key = targetKey(mount.volume, input.path);
      claims.set(key, [...(claims.get(key) ?? []), claim]);
    }
  }

  const upserts: LabelUpsert[] = [];
  const conflict = (claim: LabelClaim, heldBySource: RegistrationSource, heldByOwner: string | null): void => {
    const key = targetKey(claim.input.volume_name, claim.input.path);
    reports.push({
      kind: 'conflict',
      key: `conflict|${claim.container.name}|${claim.index}|${key}|${heldBySource}|${heldByOwner ?? ''}`,
      container: claim.container.name,
      containerId: claim.container.id,
      index: claim.index,
      volumeName: claim.input.volume_name,
      path: claim.input.path,
      heldBySource,
      heldByOwner,
    });
  };
  for (const [key, list] of claims) {
    const existing = registrations[key];
    if (existing && existing.source !== 'label') {
      for (const claim of list) if (!sameRegistrationInput(existing, claim.input)) conflict(claim, existing.source, existing.owner);
      continue;
    }
    let winner: LabelClaim | undefined;
    if (!existing) winner = list[0];
    else {
      const ownerKeeps = existing.owner !== null && names.has(existing.owner) && withProblems.has(existing.owner);
      winner = list.find((c) => c.container.name === existing.owner) ?? (ownerKeeps || !goneForGood(existing.owner) ? undefined : list[0]);
    }
    if (winner && (!existing || existing.owner !== winner.container.name || !sameRegistrationInput(existing, winner.input))) {
      upserts.push({ claim: winner, replaces: existing ? { id: existing.id, owner: existing.owner } : undefined });
    }
    const holder = winner?.container.name ?? existing?.owner ?? null;
    const held = winner?.input ?? existing;
    for (const claim of list) {
      if (claim === winner) continue;
      if (held && sameRegistrationInput(held, claim.input)) continue;
      if (ownService(claim.container, holder)) continue;
      conflict(claim, 'label', holder);
    }
  }

  const removals: Array<{ registration: Registration; reason: string }> = [];
  for (const [key, registration] of Object.entries(registrations)) {
    if (registration.source !== 'label' || claims.has(key)) continue;
    const owner = registration.owner;
    if (owner !== null && names.has(owner) && withProblems.has(owner)) continue;
    if (owner !== null && !names.has(owner) && !goneForGood(owner)) continue;
    removals.push({
      registration,
      reason: owner !== null && names.has(owner) ? `container ${owner} no longer declares it` : `container ${owner ?? '(unknown)'} removed`,
    });
  }
  return { upserts, removals, reports, labelled, recheckAt };
}

function sameRegistrationInput(a: Pick<RegistrationInput, 'algorithm' | 'params' | 'description'>, b: RegistrationInput): boolean {
  return a.algorithm === b.algorithm && isDeepStrictEqual(a.params, b.params) && a.description === b.description;
}
