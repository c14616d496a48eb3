import { Topic } from '../common/event-bus.js';
import type { Registration } from '../state/state.model.js';
import type { TargetMonitor } from './target-monitor.js';

export interface MeasuredTarget {
  readonly registration: Registration;
  readonly monitor: TargetMonitor;
}

/** A target's tally changed (after a batch of events, a re-list or a rescan). */
export const TALLY_CHANGED = new Topic<MeasuredTarget>('tally.changed');
/** The first scan of a new (or changed) registration is done. */
export const TARGET_READY = new Topic<MeasuredTarget>('target.ready');
/** A target's root vanished or was replaced by another directory after it had been seen. */
export const TARGET_ROOT_LOST = new Topic<{ readonly registration: Registration; readonly reason: string }>('target.root-lost');
