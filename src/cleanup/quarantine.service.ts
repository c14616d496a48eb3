import { Injectable, Logger } from '@nestjs/common';
import { targetKey, type Registration } from '../state/state.model.js';
import { StateStore } from '../state/state.store.js';

/** Releases quarantined targets (entering quarantine is decided by the cleanup and trigger services). */
@Injectable()
export class QuarantineService {
  private readonly logger = new Logger(QuarantineService.name);

  constructor(private readonly store: StateStore) {}

  async release(registration: Registration): Promise<Registration> {
    const key = targetKey(registration.volume_name, registration.path);
    await this.store.transact((state) => {
      const current = state.registrations[key];
      if (!current?.quarantine) return { events: [], result: undefined };
      this.logger.log(`${key} released from quarantine`);
      return { events: [{ type: 'quarantine.released', target: key, payload: { id: current.id } }], result: undefined };
    });
    return this.store.current.registrations[key] ?? registration;
  }
}
