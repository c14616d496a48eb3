import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/errors.js';
import { EventBus } from '../common/event-bus.js';
import type { NewEvent } from '../event-log/event.types.js';
import { targetKey } from '../state/state.model.js';
import { StateStore } from '../state/state.store.js';
import { DOCKER_SNAPSHOT, DockerEngineWatch, type DockerSnapshot } from '../volumes/docker-engine-watch.service.js';
import { labelContainer, planLabelRegistrations, type LabelReport } from './label-plan.js';
import { RegistrationService } from './registration.service.js';

/**
 * How long a label registration outlives its container's name: `docker rm` + `docker run` of the same name, or
 * compose's create-then-rename, updates the registration instead of removing and re-creating it.
 */
export const OWNER_GRACE_MS = 5_000;

/** What one discovery pass found and did. */
export interface LabelPass {
  readonly at: Date;
  readonly duration_ms: number;
  readonly containers: number;
  readonly labelled: number;
  readonly created: number;
  readonly updated: number;
  readonly removed: number;
  /** Problems (invalid, refused, conflicting labels) holding now; each was reported once. */
  readonly problems: number;
}

/**
 * Compose-label discovery: reconciles label registrations with the containers of every Docker listing (at start,
 * every SM_DISCOVERY_INTERVAL_SECONDS, at once on container events; see DockerEngineWatch). The decision is the
 * pure `planLabelRegistrations`; changes go through RegistrationService (source `label`, owner the container's
 * name), guarded so that a registration someone else made meanwhile is never taken over. Invalid, refused and
 * conflicting labels are an event and a warning each, once per change — remembered between passes, not repeated
 * every interval. Without a listing (the Engine away) there is no pass: nothing is removed.
 */
@Injectable()
export class LabelDiscoveryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LabelDiscoveryService.name);
  private reported = new Set<string>();
  private readonly goneSince = new Map<string, number>();
  private readonly lastLabels = new Map<string, Readonly<Record<string, string>>>();
  private recheck: NodeJS.Timeout | undefined;
  private stopped = false;
  private next: DockerSnapshot | undefined;
  private loop: Promise<void> | undefined;
  private last: LabelPass | undefined;

  constructor(
    private readonly registrations: RegistrationService,
    private readonly store: StateStore,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly watch: DockerEngineWatch,
  ) {}

  onModuleInit(): void {
    this.bus.on(DOCKER_SNAPSHOT, ({ snapshot }) => this.reconcile(snapshot));
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.recheck);
  }

  /** The latest pass. */
  get lastPass(): LabelPass | undefined {
    return this.last;
  }

  /** Reconciles with `snapshot`; listings arriving during a pass are coalesced into one more pass on the latest. */
  reconcile(snapshot: DockerSnapshot): Promise<void> {
    this.next = snapshot;
    this.loop ??= (async () => {
      try {
        while (this.next) {
          const current = this.next;
          this.next = undefined;
          await this.pass(current).catch((error: unknown) =>
            this.logger.error(`Label discovery failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
          );
        }
      } finally {
        this.loop = undefined;
      }
    })();
    return this.loop;
  }

  /** Resolves once no pass is running or queued. */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private async pass(snapshot: DockerSnapshot): Promise<void> {
    const started = performance.now();
    const containers = snapshot.containers.map((c) => labelContainer(c, snapshot.volumes));
    const plan = planLabelRegistrations(containers, this.store.current.registrations, this.remember(containers));
    const reports: LabelReport[] = [...plan.reports];
    const counts = { created: 0, updated: 0, removed: 0 };

    for (const { claim, replaces } of plan.upserts) {
      const owner = claim.container.name;
      try {
        const { outcome, registration } = await this.registrations.upsert(claim.input, 'label', owner, {
          replaces: (existing) => replaces !== undefined && existing.id === replaces.id && existing.source === 'label' && existing.owner === replaces.owner,
        });
        if (outcome === 'created') counts.created++;
        else if (outcome === 'updated') counts.updated++;
        else if (registration.source !== 'label' || registration.owner !== owner) {
          // Someone registered the target between the plan and its commit: theirs stays.
          const key = targetKey(registration.volume_name, registration.path);
          reports.push({
            kind: 'conflict',
            key: `conflict|${owner}|${claim.index}|${key}|${registration.source}|${registration.owner ?? ''}`,
            container: owner,
            containerId: claim.container.id,
            index: claim.index,
            volumeName: registration.volume_name,
            path: registration.path,
            heldBySource: registration.source,
            heldByOwner: registration.owner,
          });
        }
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const { volume_name: volume, path } = claim.input;
        reports.push({
          kind: 'refused',
          key: `refused|${owner}|${claim.index}|${volume}|${path}|${error.message}`,
          container: owner,
          containerId: claim.container.id,
          index: claim.index,
          volume,
          path,
          field: error.field ?? 'registration',
          reason: error.message,
        });
      }
    }
    for (const { registration, reason } of plan.removals) {
      const removed = await this.registrations.removeIf(
        registration.volume_name,
        registration.path,
        reason,
        (existing) => existing.id === registration.id && existing.source === 'label' && existing.owner === registration.owner,
      );
      if (removed) counts.removed++;
    }
    await this.report(reports);
    this.scheduleRecheck(plan.recheckAt);
    this.last = {
      at: this.clock.now(),
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      containers: containers.length,
      labelled: plan.labelled,
      ...counts,
      problems: reports.length,
    };
    if (counts.created + counts.updated + counts.removed > 0) {
      this.logger.log(`Label discovery: ${counts.created} created, ${counts.updated} updated, ${counts.removed} removed (${plan.labelled} labelled containers)`);
    }
  }

  /** Notes which owners are missing since when, and the labels of those present (for a recreate in progress). */
  private remember(containers: ReadonlyArray<{ name: string; labels: Readonly<Record<string, string>> }>): Parameters<typeof planLabelRegistrations>[2] {
    const now = this.clock.now().getTime();
    const present = new Map(containers.map((c) => [c.name, c.labels]));
    const owners = new Set(Object.values(this.store.current.registrations).flatMap((r) => (r.source === 'label' && r.owner !== null ? [r.owner] : [])));
    for (const owner of owners) {
      const labels = present.get(owner);
      if (labels) {
        this.goneSince.delete(owner);
        this.lastLabels.set(owner, labels);
      } else if (!this.goneSince.has(owner)) this.goneSince.set(owner, now);
    }
    for (const name of [...this.goneSince.keys()]) if (!owners.has(name)) this.goneSince.delete(name);
    for (const name of [...this.lastLabels.keys()]) if (!owners.has(name)) this.lastLabels.delete(name);
    return { now, goneSince: this.goneSince, lastLabels: this.lastLabels, graceMs: OWNER_GRACE_MS };
  }

  /** A pass when an owner's absence outlasts the grace: on a fresh listing, so nothing goes while the Engine is away. */
  private scheduleRecheck(at: number | undefined): void {
    clearTimeout(this.recheck);
    this.recheck = undefined;
    if (at === undefined || this.stopped) return;
    this.recheck = setTimeout(() => void this.watch.refresh('owner gone'), Math.max(0, at - this.clock.now().getTime()) + 50);
    this.recheck.unref();
  }

  /** New problems become events and warnings; problems already reported are not repeated; solved ones are forgotten. */
  private async report(reports: readonly LabelReport[]): Promise<void> {
    const fresh = reports.filter((r) => !this.reported.has(r.key));
    this.reported = new Set(reports.map((r) => r.key));
    if (fresh.length === 0) return;
    for (const r of fresh) this.logger.warn(describe(r));
    await this.store.record(fresh.map(eventOf));
  }
}

function describe(r: LabelReport): string {
  const where = `Container ${r.container}, label index ${r.index || '?'}`;
  switch (r.kind) {
    case 'invalid':
      return `${where}: ${r.label} (${r.field}) ${r.message}; that index is ignored, the container's other indexes apply`;
    case 'refused':
      return `${where}: registration of ${r.volume}:${r.path} refused (${r.field}): ${r.reason}`;
    case 'conflict':
      return `${where}: ${r.volumeName}:${r.path} is already registered by ${r.heldBySource}${r.heldByOwner ? ` (${r.heldByOwner})` : ''}, which stays`;
  }
}

function eventOf(r: LabelReport): NewEvent {
  const base = { container: r.container, container_id: r.containerId, index: r.index };
  switch (r.kind) {
    case 'invalid':
      return { type: 'registration.label_invalid', payload: { ...base, label: r.label, field: r.field, message: r.message } };
    case 'refused':
      return { type: 'registration.label_refused', target: targetKey(r.volume, r.path), payload: { ...base, volume: r.volume, path: r.path, field: r.field, reason: r.reason } };
    case 'conflict':
      return {
        type: 'registration.label_conflict',
        target: targetKey(r.volumeName, r.path),
        payload: { ...base, volume_name: r.volumeName, path: r.path, held_by_source: r.heldBySource, held_by_owner: r.heldByOwner },
      };
  }
}
