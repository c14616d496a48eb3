import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { formatBytes } from '../common/format.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { NewEvent } from './event.types.js';
import { StateDisk } from './state-disk.port.js';

/** Below this much room outside the reserve, the manager's disk counts as full. */
export const FULL_FLOOR_BYTES = 1024 * 1024;

export type StateDiskChange =
  | { readonly kind: 'full'; readonly availableBytes: number; readonly releasedBytes: number; readonly error: string | null }
  | { readonly kind: 'recovered'; readonly availableBytes: number; readonly fullSeconds: number };

export interface StateDiskStatus {
  readonly path: string;
  readonly full: boolean;
  readonly since: string | null;
  readonly available_bytes: number | null;
  readonly reserve_bytes: number;
  readonly reserve_target_bytes: number;
}

/**
 * Whether the manager's own disk is full, and its reserve. Full: a write of the log failed for lack of space, or
 * less than FULL_FLOOR_BYTES is left beside the reserve. Entering it releases the reserve (the log records what
 * cleanup does in that room, and requests that change registrations are refused: 507); it is left once there is
 * room for the reserve again plus the floor twice over, and the reserve is re-created then. The caller (the
 * state store) records each change as an event.
 */
@Injectable()
export class StateDiskService {
  private readonly logger = new Logger(StateDiskService.name);
  private fullSince: Date | undefined;
  private lastAvailable: number | null = null;
  private creating: Promise<void> | undefined;
  /** The recovery a background re-creation of the reserve achieved, handed to the next check(). */
  private recovered: StateDiskChange | undefined;

  constructor(
    private readonly disk: StateDisk,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get full(): boolean {
    return this.fullSince !== undefined;
  }

  get directory(): string {
    return this.disk.directory;
  }

  /** Start-up: creates the reserve when it is missing and fits; otherwise starts full (and says why). */
  async start(): Promise<StateDiskChange | undefined> {
    const target = this.config.eventLog.reserveBytes;
    if (target === 0) return this.check();
    const held = this.safely(() => this.disk.reserveBytes()) ?? 0;
    if (held >= target) return this.check();
    const available = this.available();
    if (available !== null && available + held >= target + 2 * FULL_FLOOR_BYTES) {
      this.disk.releaseReserve();
      try {
        await this.disk.createReserve(target);
        this.logger.log(`Reserve of ${formatBytes(target)} kept in ${this.disk.directory} for a full disk`);
      } catch (error) {
        this.disk.releaseReserve();
        this.logger.warn(`Could not create the reserve in ${this.disk.directory}: ${message(error)}`);
      }
    }
    return this.check();
  }

  /** Looks at the room left (a statfs: cheap) and enters or leaves the full state. */
  check(): StateDiskChange | undefined {
    const available = this.available();
    if (available === null) return undefined;
    if (!this.full && available < FULL_FLOOR_BYTES) return this.enterFull(null);
    if (this.full && !this.creating && available >= this.config.eventLog.reserveBytes + 2 * FULL_FLOOR_BYTES) {
      // Re-created behind the check; the full state ends once the reserve is back (see recreate()).
      this.creating = this.recreate().finally(() => (this.creating = undefined));
    }
    return this.pendingRecovery();
  }

  /** A write failed for lack of space: full now (whatever statfs says), reserve released. */
  noteNoSpace(error: string): StateDiskChange | undefined {
    if (this.full) return undefined;
    return this.enterFull(error);
  }

  status(): StateDiskStatus {
    return {
      path: this.disk.directory,
      full: this.full,
      since: this.fullSince?.toISOString() ?? null,
      available_bytes: this.lastAvailable,
      reserve_bytes: this.safely(() => this.disk.reserveBytes()) ?? 0,
      reserve_target_bytes: this.config.eventLog.reserveBytes,
    };
  }

  /** Why a request that must write is refused, in words an operator can act on. */
  fullMessage(): string {
    const left = this.lastAvailable === null ? 'no' : formatBytes(this.lastAvailable);
    return (
      `The storage manager's own disk is full: ${this.disk.directory} has ${left} free. ` +
      'Requests that change registrations are refused until space returns; cleanups go on and are recorded ' +
      `(the reserve file of ${formatBytes(this.config.eventLog.reserveBytes)} was released for that).`
    );
  }

  private async recreate(): Promise<void> {
    const target = this.config.eventLog.reserveBytes;
    try {
      if (target > 0) await this.disk.createReserve(target);
    } catch (error) {
      this.disk.releaseReserve();
      this.logger.warn(`Space returned but the reserve could not be re-created yet: ${message(error)}`);
      return;
    }
    const since = this.fullSince;
    if (!since) return;
    this.fullSince = undefined;
    const availableBytes = this.available() ?? 0;
    const fullSeconds = Math.round((this.clock.now().getTime() - since.getTime()) / 1000);
    this.recovered = { kind: 'recovered', availableBytes, fullSeconds };
    this.logger.log(`The manager's disk has room again (${formatBytes(availableBytes)} free after ${fullSeconds} s full); reserve re-created`);
  }

  private pendingRecovery(): StateDiskChange | undefined {
    const change = this.recovered;
    this.recovered = undefined;
    return change;
  }

  private enterFull(error: string | null): StateDiskChange {
    this.fullSince = this.clock.now();
    const releasedBytes = this.safely(() => this.disk.releaseReserve()) ?? 0;
    const availableBytes = this.available() ?? 0;
    this.logger.error(
      `The manager's disk is full (${this.disk.directory}: ${formatBytes(availableBytes)} free${error ? `; ${error}` : ''}): ` +
        `reserve of ${formatBytes(releasedBytes)} released so that the event log keeps recording cleanups; ` +
        'requests that change registrations answer 507 until space returns',
    );
    return { kind: 'full', availableBytes, releasedBytes, error };
  }

  private available(): number | null {
    this.lastAvailable = this.safely(() => this.disk.availableBytes()) ?? null;
    return this.lastAvailable;
  }

  private safely<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      this.logger.warn(`Cannot read the manager's disk (${this.disk.directory}): ${message(error)}`);
      return undefined;
    }
  }
}

/** The events that record a change of the manager's disk. */
export function stateDiskEvents(change: StateDiskChange | undefined, path: string): NewEvent[] {
  if (!change) return [];
  if (change.kind === 'full') {
    return [{ type: 'state.disk_full', payload: { path, available_bytes: change.availableBytes, reserve_bytes: change.releasedBytes, error: change.error } }];
  }
  return [{ type: 'state.disk_recovered', payload: { path, available_bytes: change.availableBytes, full_seconds: change.fullSeconds } }];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
