import { Topic } from '../common/event-bus.js';
import type { Registration } from '../state/state.model.js';
import type { CleanupReport } from './cleanup-report.js';

/** A cleanup run ended (recorded already), with the instant its policy wants to run again (expiry), or null. */
export const CLEANUP_RAN = new Topic<{ readonly registration: Registration; readonly report: CleanupReport; readonly nextRunAt: Date | null }>(
  'cleanup.ran',
);
