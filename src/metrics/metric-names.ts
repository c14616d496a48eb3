/**
 * Every metric the manager exports, in one place: name (prefix `storage_manager_`), help text, labels. Rules in
 * `prometheus/` and panels in `grafana/` use these names; a test runs their expressions against a live
 * Prometheus. Labels stay bounded: per target (`volume`, `path`), per filesystem (`mountpoint`), per trigger.
 */
export const PREFIX = 'storage_manager_';

export const METRIC = {
  targetBytes: { name: `${PREFIX}target_bytes`, help: 'Bytes of the target (st_size of distinct regular-file inodes).', labels: ['volume', 'path'] },
  targetDiskBytes: { name: `${PREFIX}target_disk_bytes`, help: 'Bytes the target occupies on disk (st_blocks*512).', labels: ['volume', 'path'] },
  targetFiles: { name: `${PREFIX}target_files`, help: 'Regular files in the target.', labels: ['volume', 'path'] },
  targetLimitBytes: { name: `${PREFIX}target_limit_bytes`, help: 'The cap of a max_size target (max_bytes).', labels: ['volume', 'path'] },
  targetLimitFiles: { name: `${PREFIX}target_limit_files`, help: 'The cap of a keep_n_latest target (keep_count).', labels: ['volume', 'path'] },
  targetTier: { name: `${PREFIX}target_tier`, help: 'Tier of the target: 0 ok, 1 warning, 2 critical, 3 emergency.', labels: ['volume', 'path'] },
  targetBlocked: { name: `${PREFIX}target_blocked`, help: '1 while the target is over its cap and nothing more may be deleted.', labels: ['volume', 'path'] },
  targetQuarantined: { name: `${PREFIX}target_quarantined`, help: '1 while the target is quarantined (no cleanup).', labels: ['volume', 'path'] },
  targetOldestFileAge: { name: `${PREFIX}target_oldest_file_age_seconds`, help: 'Age of the oldest file of the target (by mtime).', labels: ['volume', 'path'] },
  targetGrowth: { name: `${PREFIX}target_growth_bytes_per_second`, help: 'Robust growth of the target (median slope of its upper envelope; 0 until enough history).', labels: ['volume', 'path'] },
  filesystemSize: { name: `${PREFIX}filesystem_size_bytes`, help: 'Size of the filesystem (statfs).', labels: ['mountpoint', 'fstype'] },
  filesystemAvailable: { name: `${PREFIX}filesystem_available_bytes`, help: 'Bytes available to unprivileged writers.', labels: ['mountpoint', 'fstype'] },
  filesystemUsedRatio: { name: `${PREFIX}filesystem_used_ratio`, help: 'Used share of the bytes writers can use (0..1).', labels: ['mountpoint', 'fstype'] },
  filesystemInodeRatio: { name: `${PREFIX}filesystem_inode_used_ratio`, help: 'Used share of the inodes (0..1).', labels: ['mountpoint', 'fstype'] },
  filesystemTier: { name: `${PREFIX}filesystem_tier`, help: 'Tier of the filesystem: 0 ok, 1 warning, 2 critical, 3 emergency.', labels: ['mountpoint', 'fstype'] },
  filesystemGrowth: { name: `${PREFIX}filesystem_growth_bytes_per_second`, help: 'Robust growth of used bytes (median slope of the upper envelope; 0 until enough history).', labels: ['mountpoint', 'fstype'] },
  filesystemUntilFull: { name: `${PREFIX}filesystem_seconds_until_full`, help: 'Forecast time until full at that growth (+Inf when not growing or too little history).', labels: ['mountpoint', 'fstype'] },
  cleanupRuns: { name: `${PREFIX}cleanup_runs_total`, help: 'Cleanup runs by trigger (threshold, change, expiry, sweep, manual, emergency) and result (done, dry_run, skipped, failed).', labels: ['trigger', 'result'] },
  cleanupDeletedFiles: { name: `${PREFIX}cleanup_deleted_files_total`, help: 'Files deleted by cleanups.', labels: ['trigger'] },
  cleanupFreedBytes: { name: `${PREFIX}cleanup_freed_bytes_total`, help: 'Bytes freed by cleanups.', labels: ['trigger'] },
  cleanupDuration: { name: `${PREFIX}cleanup_duration_seconds`, help: 'Duration of cleanup runs that did something.', labels: ['trigger'] },
  reactionLatency: { name: `${PREFIX}reaction_latency_seconds`, help: 'From a capped target seen over its cap to back under it.', labels: [] },
  tallyDriftBytes: { name: `${PREFIX}tally_drift_bytes_total`, help: 'Absolute bytes by which sweeps found the incremental tally off (should stay 0).', labels: [] },
  tallyDriftFiles: { name: `${PREFIX}tally_drift_files_total`, help: 'Absolute files by which sweeps found the incremental tally off (should stay 0).', labels: [] },
  tierChanges: { name: `${PREFIX}tier_changes_total`, help: 'Tier changes, by scope (filesystem, target) and tier entered.', labels: ['scope', 'tier'] },
  watcherEvents: { name: `${PREFIX}watcher_events_total`, help: 'File-watch events applied to the target index.', labels: ['volume', 'path'] },
  watcherErrors: { name: `${PREFIX}watcher_errors_total`, help: 'Watcher errors and failed subscriptions (each is followed by a rescan).', labels: ['volume', 'path'] },
  targetUnwatchedDirectories: {
    name: `${PREFIX}target_unwatched_directories`,
    help: 'Directories of the target the kernel refused a watch (inotify watch limit): swept every SM_WATCH_FALLBACK_SECONDS instead; 0 when all are watched.',
    labels: ['volume', 'path'],
  },
  targetWatching: { name: `${PREFIX}target_watching`, help: '1 while the target is watched natively or by polling; 0 on sweeps only.', labels: ['volume', 'path'] },
  eventLogEvents: { name: `${PREFIX}event_log_events`, help: 'Events held by the event log.', labels: [] },
  eventLogSize: { name: `${PREFIX}event_log_size_bytes`, help: 'Bytes the event log occupies in the database.', labels: [] },
  databaseUp: { name: `${PREFIX}database_up`, help: '1 when the database answered its last check (made at scrape time, at most once a second).', labels: [] },
  databaseWritable: { name: `${PREFIX}database_writable`, help: '1 while the event log takes writes; 0 while its events are spooled in memory (database away, or no space).', labels: [] },
  eventSpool: { name: `${PREFIX}event_spool_events`, help: 'Events held in memory while the database cannot take them (written in order once it can).', labels: [] },
  eventSpoolDropped: { name: `${PREFIX}event_spool_dropped_events`, help: 'Events dropped since start because the spool was full (SM_EVENT_SPOOL_MAX_EVENTS).', labels: [] },
  stateDiskFull: { name: `${PREFIX}state_disk_full`, help: "1 while the manager's own disk (SM_DATA_DIR) is full: reserve released, requests that write answer 507.", labels: [] },
  stateReserveBytes: { name: `${PREFIX}state_reserve_bytes`, help: "Bytes of the reserve file held on the manager's disk (0 while released).", labels: [] },
  dockerUp: { name: `${PREFIX}docker_up`, help: '1 while the Docker Engine (SM_DOCKER_HOST) answers, 0 while it cannot be asked; absent without Docker.', labels: [] },
  maintenance: { name: `${PREFIX}maintenance_mode`, help: '1 while maintenance mode is on (automatic deletion off).', labels: [] },
  alertsRaised: { name: `${PREFIX}alerts_raised_total`, help: 'Alerts committed for delivery, by kind, tier and status (firing, resolved).', labels: ['kind', 'tier', 'status'] },
  alertsSuppressed: { name: `${PREFIX}alerts_suppressed_total`, help: 'Alerts not sent (cooldown, or a resolution whose raise was not sent), by kind.', labels: ['kind'] },
  alertDeliveries: { name: `${PREFIX}alert_deliveries_total`, help: 'Alert deliveries by channel and result (delivered; failed counts recorded failed attempts).', labels: ['channel', 'result'] },
  alertOutbox: { name: `${PREFIX}alert_outbox_pending`, help: 'Alerts committed and not yet delivered, per channel.', labels: ['channel'] },
  alertChannelFailing: { name: `${PREFIX}alert_channel_failing`, help: '1 while a channel keeps failing (its alerts are kept and retried).', labels: ['channel'] },
  registrations: { name: `${PREFIX}registrations`, help: 'Registrations by status (active, pending).', labels: ['status'] },
} as const;

export const TIER_VALUE = { ok: 0, warning: 1, critical: 2, emergency: 3 } as const;
