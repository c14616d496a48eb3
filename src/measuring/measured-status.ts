import type { TargetMonitor, WatchSetting } from './target-monitor.js';

/** One measured target as health shows it: figures and watch state. */
export interface MeasuredTargetStatus {
  id: string;
  root: string;
  files: number;
  bytes: number;
  watching: boolean;
  /**
   * `native`: every directory has a kernel watch (or the adapter does not tell); `partial`: some could not have one
   * (the watch limit) and are swept every `sweep_seconds`; `poll`: polled; `sweeps`: not watched, full sweeps only.
   */
  watch: {
    mode: 'native' | 'partial' | 'poll' | 'sweeps';
    directories_watched: number | null;
    directories_unwatched: number | null;
    reason: string | null;
    sweep_seconds: number | null;
  };
  /** First scan done and watch set up. */
  ready: boolean;
  watch_errors: number;
  last_scan: string | null;
  /** Entries the last scan could not read: unreadable, or a path longer than the OS takes (PATH_MAX). */
  scan_errors: number;
  scanning: { files_so_far: number; started_at: string } | null;
}

export function measuredStatus(id: string, root: string, watch: WatchSetting, ready: boolean, monitor: TargetMonitor): MeasuredTargetStatus {
  const stats = monitor.stats;
  const coverage = stats.coverage;
  const partial = coverage !== undefined && coverage.directoriesUnwatched > 0;
  return {
    id,
    root,
    files: monitor.tally.files,
    bytes: monitor.tally.bytes,
    watching: stats.watching,
    watch: {
      mode: !stats.watching ? 'sweeps' : watch === 'poll' ? 'poll' : partial ? 'partial' : 'native',
      directories_watched: coverage?.directoriesWatched ?? null,
      directories_unwatched: coverage?.directoriesUnwatched ?? null,
      reason: partial ? (coverage.reason ?? null) : null,
      sweep_seconds: partial ? coverage.sweepSeconds : null,
    },
    ready,
    watch_errors: stats.watchErrors,
    last_scan: stats.lastScanAt?.toISOString() ?? null,
    scan_errors: stats.lastScanErrors,
    scanning: stats.scanning ? { files_so_far: stats.scanning.files, started_at: stats.scanning.startedAt.toISOString() } : null,
  };
}
