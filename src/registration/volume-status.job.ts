import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { EventBus } from '../common/event-bus.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { VOLUMES_CHANGED } from '../volumes/volume-catalog.js';
import { RegistrationService } from './registration.service.js';

export const VOLUME_DISCOVERY_JOB = 'volume-discovery';

/**
 * Keeps registrations' status in line with the volumes that exist: once at start (a volume may have appeared
 * or gone while the manager was down), every SM_DISCOVERY_INTERVAL_SECONDS, and whenever the catalog says its volumes
 * changed (Docker volume events, the Engine coming back).
 */
@Injectable()
export class VolumeStatusJob implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly registrations: RegistrationService,
    private readonly scheduler: SchedulerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: EventBus,
  ) {}

  onModuleInit(): void {
    this.scheduler.every(VOLUME_DISCOVERY_JOB, this.config.intervals.discoverySeconds, () => this.registrations.reconcileVolumeStatus());
    // Docker volumes come and go between passes (and all come back with their Engine): follow at once.
    this.bus.on(VOLUMES_CHANGED, async () => {
      await this.registrations.reconcileVolumeStatus();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.registrations.reconcileVolumeStatus();
  }
}
