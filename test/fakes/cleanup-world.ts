import { CleanupService } from '../../src/cleanup/cleanup.service.js';
import { DeletionJournalService } from '../../src/cleanup/deletion-journal.service.js';
import { FixedClock } from '../../src/common/clock.js';
import { EventBus } from '../../src/common/event-bus.js';
import { parseConfig, type AppConfig } from '../../src/config/app-config.js';
import { isEvent, type EventRecord, type EventType } from '../../src/event-log/event.types.js';
import { MeasuringService } from '../../src/measuring/measuring.service.js';
import { SchedulerService } from '../../src/scheduler/scheduler.service.js';
import { targetKey, type Registration } from '../../src/state/state.model.js';
import { StateStore } from '../../src/state/state.store.js';
import { FakeDisk } from './fake-disk.js';
import { FakeFileDeleter } from './fake-file-deleter.js';
import { FakeTreeReader } from './fake-tree-reader.js';
import { FakeVolumeCatalog } from './fake-volume-catalog.js';
import { FakeWatchPort } from './fake-watch-port.js';
import { InMemoryEventLog } from './in-memory-event-log.js';
import { InMemoryIntentJournal } from './in-memory-intent-journal.js';
import { roomyStateDisk } from './in-memory-state-disk.js';

/** The instant every cleanup and trigger spec starts at. */
export const T0 = new Date('2026-03-01T12:00:00Z');
export const VOLUMES_DIR = '/volumes';

/**
 * The real state store, measuring and cleanup services on in-memory ports: a fake disk (measured by the fake
 * tree reader, watched by the fake watch port, deleted from by the fake deleter), the in-memory event log and a
 * fixed clock. Volume `cam` lives at /volumes/cam.
 */
export class CleanupWorld {
  readonly clock = new FixedClock(T0);
  readonly log = new InMemoryEventLog(this.clock);
  readonly bus = new EventBus();
  readonly scheduler = new SchedulerService(this.clock);
  readonly catalog = new FakeVolumeCatalog(VOLUMES_DIR).add('cam');
  readonly disk = new FakeDisk(this.clock);
  readonly reader = new FakeTreeReader(this.disk);
  readonly watcher = new FakeWatchPort(this.disk);
  readonly deleter = new FakeFileDeleter(this.disk);
  readonly intents = new InMemoryIntentJournal(this.disk);
  readonly config: AppConfig;
  readonly store: StateStore;
  readonly measuring: MeasuringService;
  readonly cleanup: CleanupService;
  readonly journal: DeletionJournalService;

  constructor(env: Record<string, string> = {}) {
    this.config = parseConfig({ SM_VOLUMES_DIR: VOLUMES_DIR, SM_DATA_DIR: '/srv/data', ...env }, { cwd: '/srv' });
    this.store = new StateStore(this.log, this.clock, this.config, this.bus, this.scheduler, roomyStateDisk(this.clock, this.config));
    this.measuring = new MeasuringService(this.store, this.catalog, this.watcher, this.reader, this.clock, this.config, this.bus);
    this.journal = new DeletionJournalService(this.intents, this.log, this.store, this.clock, this.bus);
    this.cleanup = new CleanupService(this.store, this.measuring, this.deleter, this.catalog, this.clock, this.config, this.bus, this.journal);
  }

  /** Loads the (empty) state and starts measuring. */
  async start(): Promise<this> {
    await this.store.load();
    await this.journal.onModuleInit();
    await this.measuring.start();
    return this;
  }

  async close(): Promise<void> {
    await this.cleanup.drain();
    await this.measuring.close();
    await this.scheduler.stop();
    await this.store.drain();
  }

  /** The absolute path of `relative` inside volume `cam`. */
  path(relative: string): string {
    return `${VOLUMES_DIR}/cam${relative.startsWith('/') ? relative : `/${relative}`}`;
  }

  /** Registers a target in volume `cam` (through the log, as the registration service does) and waits for its first scan, if any. */
  async register(targetPath: string, algorithm: string, params: Record<string, unknown>, overrides: Partial<Registration> = {}): Promise<Registration> {
    const at = this.clock.now().toISOString();
    const registration: Registration = {
      id: `reg-${targetPath}`,
      volume_name: 'cam',
      path: targetPath,
      algorithm,
      params,
      description: null,
      source: 'api',
      owner: null,
      status: 'active',
      quarantine: null,
      created_at: at,
      updated_at: at,
      ...overrides,
    };
    await this.store.record([{ type: 'registration.created', target: targetKey('cam', targetPath), payload: { registration } }]);
    await this.measuring.ready(registration.id);
    return registration;
  }

  /** The registration as the state holds it now (quarantine and all). */
  current(registration: Registration): Registration {
    const latest = this.store.current.registrations[targetKey(registration.volume_name, registration.path)];
    if (!latest) throw new Error(`${registration.path} is not registered`);
    return latest;
  }

  /** Committed events of one kind, oldest first. */
  events<K extends EventType>(type: K): Array<Extract<EventRecord, { type: K }>> {
    return this.log.events.filter((e): e is Extract<EventRecord, { type: K }> => isEvent(e, type));
  }
}
