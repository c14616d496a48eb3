import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { ConflictError, DomainError, ForbiddenTargetError, NotFoundError, ValidationError } from '../common/errors.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { EventPayloads, NewEvent } from '../event-log/event.types.js';
import { TargetPaths } from './target-paths.port.js';
import { targetKey, type ManagerState, type Registration, type RegistrationSource } from '../state/state.model.js';
import { StateStore, REQUEST_WRITE } from '../state/state.store.js';
import { VolumeCatalog, type VolumeLookup } from '../volumes/volume-catalog.js';
import { type RegistrationInput } from './registration.schema.js';
import { isInside, overlapsProtectedDir } from './target-guard.js';

export interface UpsertOutcome {
  readonly outcome: 'created' | 'updated' | 'unchanged';
  readonly registration: Registration;
}

/** What an import did (or, as a dry run, would do): the payload of `registrations.imported`. */
export type ImportSummary = EventPayloads['registrations.imported'];

/** A target named in a deploy's answer. */
export interface TargetRef {
  readonly volume_name: string;
  readonly path: string;
}

/** What a deploy did (or, as a dry run, would do), target by target. */
export interface DeploySummary {
  readonly project: string;
  readonly dry_run: boolean;
  readonly created: TargetRef[];
  readonly updated: TargetRef[];
  readonly removed: TargetRef[];
  readonly unchanged: TargetRef[];
}

export interface RegistrationExport {
  readonly version: 1;
  readonly exported_at: string;
  readonly registrations: readonly Registration[];
}

/** Registration use cases: upsert, removal, listing, export/import, and activation of pending targets. */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger(RegistrationService.name);

  constructor(
    private readonly store: StateStore,
    private readonly volumes: VolumeCatalog,
    private readonly fs: TargetPaths,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  list(): Registration[] {
    return Object.values(this.store.current.registrations).sort(
      (a, b) => a.volume_name.localeCompare(b.volume_name) || a.path.localeCompare(b.path),
    );
  }

  get(id: string): Registration {
    const found = Object.values(this.store.current.registrations).find((r) => r.id === id);
    if (!found) throw new NotFoundError(`No registration with id "${id}"`, 'id');
    return found;
  }

  findByTarget(volumeName: string, targetPath: string): Registration | undefined {
    return this.store.current.registrations[targetKey(volumeName, targetPath)];
  }

  /**
   * Creates or updates the registration of (volume_name, path). Resolves once its event is committed.
   * `replaces`, when given, is asked under the store's lock about a registration already there: when it answers
   * false that one stays as it is (outcome `unchanged`, the existing registration returned) — label discovery
   * uses it so that a label never takes over a target someone else registered meanwhile.
   */
  async upsert(
    input: RegistrationInput,
    source: RegistrationSource = 'api',
    owner: string | null = null,
    options: { replaces?: (existing: Registration) => boolean } = {},
  ): Promise<UpsertOutcome> {
    await this.assertRegistrable(input);
    const active = isActive(await this.volumes.lookup(input.volume_name));
    return this.store.transact((state) => {
      const existing = state.registrations[targetKey(input.volume_name, input.path)];
      if (existing && options.replaces && !options.replaces(existing)) return { events: [], result: { outcome: 'unchanged' as const, registration: existing } };
      const decision = this.decideUpsert(state, input, source, owner, active);
      if (decision.outcome !== 'unchanged') {
        this.logger.log(`Registration ${decision.outcome}: ${targetKey(input.volume_name, input.path)} (${input.algorithm}, ${source}${owner ? ` of ${owner}` : ''})`);
      }
      return { events: decision.event ? [decision.event] : [], result: decision };
    }, REQUEST_WRITE);
  }

  /** Removes the registration of (volume_name, path); NotFoundError when there is none. */
  async remove(volumeName: string, targetPath: string, reason = 'api'): Promise<Registration> {
    return this.store.transact((state) => {
      const key = targetKey(volumeName, targetPath);
      const existing = state.registrations[key];
      if (!existing) throw new NotFoundError(`No registration for volume "${volumeName}" path "${targetPath}"`, 'path');
      this.logger.log(`Registration removed: ${key} (${reason})`);
      return { events: [removedEvent(existing, reason)], result: existing };
    }, REQUEST_WRITE);
  }

  /** Removes the registration of (volume_name, path) if `only` approves of it under the store's lock; whether it did. */
  async removeIf(volumeName: string, targetPath: string, reason: string, only: (existing: Registration) => boolean): Promise<boolean> {
    return this.store.transact((state) => {
      const key = targetKey(volumeName, targetPath);
      const existing = state.registrations[key];
      if (!existing || !only(existing)) return { events: [], result: false };
      this.logger.log(`Registration removed: ${key} (${reason})`);
      return { events: [removedEvent(existing, reason)], result: true };
    }, REQUEST_WRITE);
  }

  export(): RegistrationExport {
    return { version: 1, exported_at: this.clock.now().toISOString(), registrations: this.list() };
  }

  /**
   * Applies a whole import atomically: every item is checked first, then all events are appended in one
   * transaction. `replace` also removes API/import/deploy registrations the import does not name
   * (label registrations belong to their containers and are kept).
   */
  async import(items: readonly RegistrationInput[], mode: 'merge' | 'replace', dryRun: boolean): Promise<ImportSummary> {
    for (const item of items) await this.assertRegistrable(item);
    const activeVolumes = await this.activeVolumes(items);
    return this.store.transact((state) => {
      const events: NewEvent[] = [];
      const counts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
      const named = new Set<string>();
      for (const item of items) {
        named.add(targetKey(item.volume_name, item.path));
        const decision = this.decideUpsert(state, item, 'import', null, activeVolumes.has(item.volume_name));
        counts[decision.outcome]++;
        if (decision.event) events.push(decision.event);
      }
      if (mode === 'replace') {
        for (const [key, registration] of Object.entries(state.registrations)) {
          if (!named.has(key) && registration.source !== 'label') {
            events.push(removedEvent(registration, 'import-replace'));
            counts.removed++;
          }
        }
      }
      const summary: ImportSummary = { mode, dry_run: dryRun, ...counts };
      if (dryRun) return { events: [], result: summary };
      events.push({ type: 'registrations.imported', payload: { ...summary } });
      this.logger.log(`Import (${mode}): ${JSON.stringify(counts)}`);
      return { events, result: summary };
    }, REQUEST_WRITE);
  }

  /**
   * Applies the whole set of registrations a compose project declares, atomically (SPEC §3, deploy-time
   * registration): every item is checked first (a ValidationError or ForbiddenTargetError naming each bad one
   * by index, nothing changed); then, in one transaction, the declared targets are created or updated with
   * source `deploy` and owner `project`, and the project's earlier deploy registrations it no longer declares
   * are removed. A declared target held by anyone else (the API, labels, an import, another project) is a
   * ConflictError naming each one, and nothing changes. A dry run answers the same and changes nothing; a
   * deploy that changes nothing appends nothing to the log.
   */
  async deploy(project: string, items: readonly RegistrationInput[], dryRun: boolean): Promise<DeploySummary> {
    await this.assertAllRegistrable(items);
    const activeVolumes = await this.activeVolumes(items);
    return this.store.transact((state) => {
      const conflicts = items.flatMap((item, index) => {
        const existing = state.registrations[targetKey(item.volume_name, item.path)];
        if (!existing || (existing.source === 'deploy' && existing.owner === project)) return [];
        const message = `${targetKey(item.volume_name, item.path)} is already registered by ${holderOf(existing)}`;
        return [{ field: `registrations[${index}]`, message }];
      });
      if (conflicts.length > 0) {
        throw new ConflictError(conflicts.map((c) => `${c.field}: ${c.message}`).join('; '), conflicts[0]!.field, conflicts);
      }
      const events: NewEvent[] = [];
      const summary: DeploySummary = { project, dry_run: dryRun, created: [], updated: [], removed: [], unchanged: [] };
      const declared = new Set<string>();
      for (const item of items) {
        declared.add(targetKey(item.volume_name, item.path));
        const decision = this.decideUpsert(state, item, 'deploy', project, activeVolumes.has(item.volume_name));
        summary[decision.outcome].push({ volume_name: item.volume_name, path: item.path });
        if (decision.event) events.push(decision.event);
      }
      for (const [key, registration] of Object.entries(state.registrations)) {
        if (registration.source !== 'deploy' || registration.owner !== project || declared.has(key)) continue;
        events.push(removedEvent(registration, 'deploy'));
        summary.removed.push({ volume_name: registration.volume_name, path: registration.path });
      }
      for (const list of [summary.created, summary.updated, summary.removed, summary.unchanged]) list.sort(byTarget);
      if (dryRun || events.length === 0) return { events: [], result: summary };
      const counts = { created: summary.created.length, updated: summary.updated.length, removed: summary.removed.length, unchanged: summary.unchanged.length };
      events.push({ type: 'registrations.deployed', payload: { project, ...counts } });
      this.logger.log(`Deploy of project "${project}": ${JSON.stringify(counts)}`);
      return { events, result: summary };
    }, REQUEST_WRITE);
  }

  /**
   * Marks registrations active when their volume exists (and can be managed) and pending when it is gone; called at
   * start, on every discovery pass and when the volumes change. A volume whose source cannot be asked now (the
   * Docker Engine is away) is `unknown`: nothing changes on it. Returns how many registrations changed status.
   */
  async reconcileVolumeStatus(): Promise<number> {
    const listed = new Map((await this.volumes.list()).map((v) => [v.name, v]));
    const status = new Map<string, VolumeLookup>();
    for (const name of new Set(Object.values(this.store.current.registrations).map((r) => r.volume_name))) {
      const volume = listed.get(name);
      status.set(name, volume ? { state: 'present', volume } : await this.volumes.lookup(name));
    }
    return this.store.transact((state) => {
      const events: NewEvent[] = [];
      for (const [key, registration] of Object.entries(state.registrations)) {
        const lookup = status.get(registration.volume_name);
        if (!lookup || lookup.state === 'unknown') continue;
        if (isActive(lookup) && registration.status === 'pending') {
          events.push({ type: 'registration.activated', target: key, payload: { id: registration.id, volume_name: registration.volume_name } });
          this.logger.log(`Volume "${registration.volume_name}" appeared: ${key} is active`);
        } else if (!isActive(lookup) && registration.status === 'active') {
          events.push({ type: 'registration.pending', target: key, payload: { id: registration.id, volume_name: registration.volume_name } });
          this.logger.warn(
            lookup.state === 'present'
              ? `Volume "${registration.volume_name}" cannot be managed (${lookup.volume.unmanageableReason ?? 'no local mountpoint'}): ${key} is pending`
              : `Volume "${registration.volume_name}" is gone: ${key} is pending`,
          );
        }
      }
      return { events, result: events.length };
    }, REQUEST_WRITE);
  }

  /** Checks every item's target on disk; the problems of all of them, named by index, in one error. */
  private async assertAllRegistrable(items: readonly RegistrationInput[]): Promise<void> {
    const failures: Array<{ error: DomainError; field: string }> = [];
    for (const [index, item] of items.entries()) {
      try {
        await this.assertRegistrable(item);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        failures.push({ error, field: `registrations[${index}].${error.field ?? 'path'}` });
      }
    }
    if (failures.length === 0) return;
    const details = failures.map((f) => ({ field: f.field, message: f.error.message }));
    const message = details.map((d) => `${d.field}: ${d.message}`).join('; ');
    // Bad input (400) wins over a refused target (422) when both are present.
    const invalid = failures.some((f) => !(f.error instanceof ForbiddenTargetError));
    throw invalid ? new ValidationError(message, details[0]!.field, details) : new ForbiddenTargetError(message, details[0]!.field, details);
  }

  private async activeVolumes(items: readonly RegistrationInput[]): Promise<Set<string>> {
    const active = new Set<string>();
    for (const name of new Set(items.map((i) => i.volume_name))) {
      if (isActive(await this.volumes.lookup(name))) active.add(name);
    }
    return active;
  }

  private decideUpsert(
    state: Readonly<ManagerState>,
    input: RegistrationInput,
    source: RegistrationSource,
    owner: string | null,
    active: boolean,
  ): UpsertOutcome & { event?: NewEvent } {
    const key = targetKey(input.volume_name, input.path);
    const existing = state.registrations[key];
    const now = this.clock.now().toISOString();
    if (existing) {
      const same =
        existing.algorithm === input.algorithm &&
        isDeepStrictEqual(existing.params, input.params) &&
        existing.description === input.description &&
        existing.owner === owner;
      if (same) return { outcome: 'unchanged', registration: existing };
      const registration: Registration = {
        ...existing,
        algorithm: input.algorithm,
        params: input.params,
        description: input.description,
        source,
        owner,
        updated_at: now,
      };
      return { outcome: 'updated', registration, event: { type: 'registration.updated', target: key, payload: { registration } } };
    }
    const registration: Registration = {
      id: randomUUID(),
      volume_name: input.volume_name,
      path: input.path,
      algorithm: input.algorithm,
      params: input.params,
      description: input.description,
      source,
      owner,
      status: active ? 'active' : 'pending',
      quarantine: null,
      created_at: now,
      updated_at: now,
    };
    return { outcome: 'created', registration, event: { type: 'registration.created', target: key, payload: { registration } } };
  }

  /**
   * Refuses targets on volumes that cannot be managed, and targets that would put the manager's own data
   * directory within reach of a policy — by path, and by identity (in Docker mode the data directory is a volume
   * mounted into the manager, the same directory under another path through SM_HOST_ROOT).
   */
  private async assertRegistrable(input: RegistrationInput): Promise<void> {
    const found = await this.volumes.lookup(input.volume_name);
    if (found.state === 'present' && !found.volume.manageable) {
      throw new ForbiddenTargetError(
        `volume "${input.volume_name}" cannot be managed: ${found.volume.unmanageableReason ?? 'it has no local mountpoint'}`,
        'volume_name',
      );
    }
    const root = found.state === 'present' ? found.volume.root : this.volumes.expectedRoot(input.volume_name);
    if (root === undefined) return;
    const target = path.join(root, input.path);
    const [realTarget, realDataDir, realVolumesDir] = await Promise.all([
      this.fs.resolveExisting(target),
      this.fs.resolveExisting(this.config.dataDir),
      this.fs.resolveExisting(this.config.volumes.dir),
    ]);
    if (!isInside(realTarget, await this.fs.resolveExisting(root), true)) {
      throw new ForbiddenTargetError(`path "${input.path}" resolves outside volume "${input.volume_name}"`, 'path');
    }
    if (await this.fs.isNonDirectory(realTarget)) {
      // Targets are directories an app writes into (which may not exist yet); a file cannot hold a policy's files.
      throw new ValidationError(`path "${input.path}" of volume "${input.volume_name}" is not a directory`, 'path');
    }
    if (overlapsProtectedDir(realTarget, realDataDir, realVolumesDir) || (await this.reachesDataDir(await this.fs.resolveExisting(root), realTarget, realDataDir))) {
      throw new ForbiddenTargetError(
        `path "${input.path}" of volume "${input.volume_name}" would include the manager's own data directory`,
        'path',
      );
    }
  }

  /** Whether a directory from the volume root down to the target is the data directory itself, under another path. */
  private async reachesDataDir(realRoot: string, realTarget: string, realDataDir: string): Promise<boolean> {
    const below = path.relative(realRoot, realTarget).split(path.sep).filter((c) => c !== '');
    const chain = [realRoot, ...below.map((_, i) => path.join(realRoot, ...below.slice(0, i + 1)))];
    return this.fs.isSameDirectory(chain, realDataDir);
  }
}

/** A volume registrations may be active on: present and manageable. */
function isActive(lookup: VolumeLookup): boolean {
  return lookup.state === 'present' && lookup.volume.manageable;
}

function removedEvent(registration: Registration, reason: string): NewEvent {
  return {
    type: 'registration.removed',
    target: targetKey(registration.volume_name, registration.path),
    payload: { id: registration.id, volume_name: registration.volume_name, path: registration.path, reason },
  };
}

/** Who holds a registration, in words, for a conflict message. */
function holderOf(registration: Registration): string {
  switch (registration.source) {
    case 'deploy':
      return `project "${registration.owner ?? ''}" (deploy)`;
    case 'label':
      return registration.owner ? `the labels of container ${registration.owner.slice(0, 12)}` : 'container labels';
    case 'import':
      return 'an import';
    case 'api':
      return 'the API (POST /api/register)';
  }
}

function byTarget(a: TargetRef, b: TargetRef): number {
  return a.volume_name.localeCompare(b.volume_name) || a.path.localeCompare(b.path);
}
