import type { Clock } from '../../src/common/clock.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { StateDisk } from '../../src/event-log/state-disk.port.js';
import { StateDiskService } from '../../src/event-log/state-disk.service.js';

/** The manager's disk as numbers: `available` is what statfs would say; the reserve is a size. */
export class InMemoryStateDisk extends StateDisk {
  readonly directory = '/data';
  available = 10 * 1024 ** 3;
  reserve = 0;

  availableBytes(): number {
    return this.available;
  }

  reserveBytes(): number {
    return this.reserve;
  }

  async createReserve(bytes: number): Promise<void> {
    if (bytes > this.available) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    this.available -= bytes;
    this.reserve = bytes;
  }

  releaseReserve(): number {
    const bytes = this.reserve;
    this.available += bytes;
    this.reserve = 0;
    return bytes;
  }
}

/** The service over an in-memory disk with room to spare (for specs that do not look at the disk). */
export function roomyStateDisk(clock: Clock, config: AppConfig, disk = new InMemoryStateDisk()): StateDiskService {
  return new StateDiskService(disk, clock, config);
}
