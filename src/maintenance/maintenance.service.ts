import { Injectable, Logger } from '@nestjs/common';
import type { MaintenanceState } from '../state/state.model.js';
import { REQUEST_WRITE, StateStore } from '../state/state.store.js';

/** Maintenance mode: while on, no automatic deletion happens (plans are logged as dry runs). */
@Injectable()
export class MaintenanceService {
  private readonly logger = new Logger(MaintenanceService.name);

  constructor(private readonly store: StateStore) {}

  current(): MaintenanceState {
    return this.store.current.maintenance;
  }

  async set(enabled: boolean, reason: string | null): Promise<MaintenanceState> {
    await this.store.transact((state) => {
      if (state.maintenance.enabled === enabled && (!enabled || state.maintenance.reason === reason)) {
        return { events: [], result: undefined };
      }
      this.logger.log(`Maintenance mode ${enabled ? `on (${reason ?? 'no reason given'})` : 'off'}`);
      return {
        events: [{ type: enabled ? 'maintenance.enabled' : 'maintenance.disabled', payload: { reason } }],
        result: undefined,
      };
    }, REQUEST_WRITE);
    return this.current();
  }
}
