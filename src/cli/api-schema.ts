/**
 * Types of the storage-manager HTTP API, generated from the OpenAPI document it serves at /api/docs-json.
 * Do not edit: regenerate with `npm run openapi:types` (src/cli/generate-api-schema.ts).
 */

export interface paths {
    "/api/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read the event log (ascending seq). Without since: the latest events. */
        get: operations["EventsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/volumes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every volume, enriched with usage, tier and registrations. */
        get: operations["VolumesController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register (or update) a target: a path inside a volume with a policy. Idempotent. */
        post: operations["RegistrationController_register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/register/{volume_name}/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Unregister a target; the path is URL-encoded (%2Frecordings). */
        delete: operations["RegistrationController_unregister"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/registrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every registration. */
        get: operations["RegistrationController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/registrations/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Export every registration (backup); POST it back to /api/registrations/import. */
        get: operations["RegistrationController_export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/registrations/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import registrations atomically: merge (default) or replace; ?dry_run=true to preview. */
        post: operations["RegistrationController_import"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/projects/{project}/registrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Deploy-time registration: set a compose project's registrations atomically (create, update, and remove the ones it no longer declares); dry_run to preview. */
        put: operations["RegistrationController_deploy"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/registrations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One registration by id. */
        get: operations["RegistrationController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cleanup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run the policies now: every target, one volume, or one target; dry_run to only plan. */
        post: operations["CleanupController_run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/emergency-cleanup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run the emergency policies now, by priority, until each filesystem is below the critical threshold. */
        post: operations["CleanupController_emergency"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/registrations/{id}/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the policy would delete right now: count, bytes, the first 100 paths. */
        get: operations["CleanupController_preview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/registrations/{id}/unquarantine": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Let a quarantined target be cleaned again. */
        post: operations["CleanupController_unquarantine"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/maintenance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether maintenance mode (no automatic deletion) is on. */
        get: operations["MaintenanceController_get"];
        put?: never;
        /** Turn maintenance mode on or off; persisted across restarts. */
        post: operations["MaintenanceController_set"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics/storage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Storage health a person can read: every filesystem and target, how full, tier, forecast. */
        get: operations["MetricsController_storageReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Active alerts, and the outbox per channel (waiting, failing). */
        get: operations["AlertsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sends a test alert through every configured channel now and reports each result. */
        post: operations["AlertsController_test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Scheduler, database, volume and filesystem health. */
        get: operations["HealthController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AlertTest: {
            channels: {
                channel: string;
                ok: boolean;
                error: string | null;
                duration_ms: number;
            }[];
        };
        Alerts: {
            active: {
                /** @description filesystem:<mountpoint>, target:<volume>:<path>, channel:<name> */
                scope: string;
                kind: string;
                /** @description Id of the raise (empty when it was suppressed) */
                id: string;
                /** @enum {string} */
                tier: "ok" | "warning" | "critical" | "emergency";
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                since: string;
                sent: boolean;
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                last_sent_at: string | null;
                message: {
                    id: string;
                    scope: string;
                    /** @enum {string} */
                    kind: "filesystem_tier" | "target_tier" | "cleanup_failed" | "quarantined" | "blocked" | "emergency_deletion" | "forecast_full" | "watcher_error" | "delivery_failing" | "heartbeat" | "docker_unreachable" | "manager_storage" | "test";
                    /** @enum {string} */
                    tier: "ok" | "warning" | "critical" | "emergency";
                    /** @enum {string} */
                    status: "firing" | "resolved";
                    title: string;
                    text: string;
                    details: {
                        [key: string]: unknown;
                    };
                    /**
                     * Format: date-time
                     * @example 2026-01-15T08:30:00Z
                     */
                    at: string;
                    resolves?: string;
                    repeat?: boolean;
                } | null;
            }[];
            channels: {
                channel: string;
                /** @description Alerts waiting for this channel */
                pending: number;
                failing: {
                    /**
                     * Format: date-time
                     * @example 2026-01-15T08:30:00Z
                     */
                    since: string;
                    error: string;
                } | null;
            }[];
        };
        CleanupReport: {
            id: string;
            volume_name: string;
            path: string;
            /** @enum {string} */
            trigger: "threshold" | "change" | "expiry" | "sweep" | "manual" | "emergency";
            dry_run: boolean;
            /** @enum {string} */
            status: "done" | "skipped" | "failed";
            detail: string | null;
            files: number;
            bytes: number;
            /** @description The first deleted (or, in a dry run, planned) paths, relative to the target. File names are bytes: a name that is not valid UTF-8 is shown with a lossless escape, `\xHH` for each such byte (also for control characters and U+FFFD), `\\` for a backslash; every other character stands for itself. */
            first_paths: string[];
            skipped: number;
            errors: number;
            /** @description Set when the cap cannot be met even after deleting every candidate */
            blocked: {
                reason: string;
                overBy: number;
                /** @enum {string} */
                unit: "bytes" | "files";
            } | null;
            /**
             * Format: date-time
             * @example 2026-01-15T08:30:00Z
             */
            next_run_at: string | null;
            duration_ms: number;
        };
        CleanupRequest: {
            /** @example camera-footage */
            volume_name?: string;
            /**
             * @description Needs volume_name
             * @example /recordings
             */
            path?: string;
            dry_run?: boolean;
        };
        CleanupRun: {
            targets: components["schemas"]["CleanupReport"][];
            totals: {
                files: number;
                bytes: number;
            };
        };
        DeployRequest: {
            /** @description Every registration the project declares; the ones it declared before and omits now are removed */
            registrations: components["schemas"]["RegisterRequest"][];
            /** @description Only report what the deploy would change */
            dry_run?: boolean;
        };
        DeploySummary: {
            project: string;
            dry_run: boolean;
            created: components["schemas"]["TargetRef"][];
            updated: components["schemas"]["TargetRef"][];
            /** @description Registrations the project declared before and no longer does */
            removed: components["schemas"]["TargetRef"][];
            unchanged: components["schemas"]["TargetRef"][];
        };
        EmergencyCleanupRequest: {
            /**
             * @description Only this volume's targets (on its filesystem)
             * @example camera-footage
             */
            volume_name?: string;
            dry_run?: boolean;
            /** @description Run every emergency policy, even below the critical threshold */
            force?: boolean;
        };
        EmergencyReport: {
            dry_run: boolean;
            automatic: boolean;
            filesystems: {
                mountpoint: string;
                before_ratio: number;
                after_ratio: number;
                /** @enum {string} */
                outcome: "below_critical" | "targets_exhausted" | "nothing_to_do";
                targets: {
                    id: string;
                    volume_name: string;
                    path: string;
                    priority: number;
                    /** @enum {string} */
                    status: "done" | "skipped" | "failed";
                    detail: string | null;
                    files: number;
                    bytes: number;
                    /** @description The first paths deleted (or planned), relative to the target. File names are bytes: a name that is not valid UTF-8 is shown with a lossless escape, `\xHH` for each such byte (also for control characters and U+FFFD), `\\` for a backslash; every other character stands for itself. */
                    first_paths: string[];
                }[];
            }[];
            totals: {
                files: number;
                bytes: number;
            };
        };
        ErrorBody: {
            statusCode: number;
            /** @example invalid_request */
            error: string;
            message: string;
            /** @description The field at fault: params.max_bytes, registrations[3].path, limit, body */
            field?: string;
            /** @description Every problem, when there is more than one */
            details?: {
                field: string;
                message: string;
            }[];
        };
        EventPage: {
            events: {
                seq: number;
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                at: string;
                /** @example registration.created */
                type: string;
                /** @description Target key "volume:/path" */
                target: string | null;
                payload: {
                    [key: string]: unknown;
                };
            }[];
            /** @description Pass as since to get the events after this page */
            next_since: number | null;
            /** @description With path: every deletion of it on record, newest first */
            deletions?: {
                volume_name: string;
                /** @description Relative to the volume root, in the file-name escape */
                path: string;
                bytes: number;
                /** @description The event that recorded the deletion */
                seq: number;
                /** @enum {string} */
                type: "cleanup.completed" | "cleanup.interrupted";
                /**
                 * Format: date-time
                 * @description When the run was recorded (deleted no later than this)
                 * @example 2026-01-15T08:30:00Z
                 */
                at: string;
                target: string | null;
                /** @example threshold */
                trigger: string | null;
                /** @example max_size */
                algorithm: string | null;
                reason: string | null;
                run: string | null;
            }[];
        };
        Health: {
            /** @enum {string} */
            status: "ok" | "degraded" | "unhealthy";
            version: string;
            /**
             * Format: date-time
             * @example 2026-01-15T08:30:00Z
             */
            started_at: string;
            uptime_seconds: number;
            problems: string[];
            database: {
                /** @enum {string} */
                status: "ok" | "down";
                driver: string;
                events?: number;
                last_seq?: number;
                size_bytes?: number;
                error?: string;
                /** @description Whether writes go through (cleanup goes on either way) */
                writes: {
                    /** @enum {string} */
                    status: "ok" | "unavailable" | "full";
                    /**
                     * Format: date-time
                     * @example 2026-01-15T08:30:00Z
                     */
                    since: string | null;
                    error: string | null;
                    /** @description Events held in memory, written in order once the database takes them */
                    spooled: number;
                    /** @description Events dropped since start because the spool was full */
                    dropped: number;
                };
            };
            /** @description The manager's own disk (SM_DATA_DIR) and its reserve file */
            state_disk: {
                path: string;
                full: boolean;
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                since: string | null;
                available_bytes: number | null;
                reserve_bytes: number;
                reserve_target_bytes: number;
            };
            scheduler: {
                running: boolean;
                jobs: {
                    name: string;
                    interval_seconds: number;
                    running: boolean;
                    runs: number;
                    /**
                     * Format: date-time
                     * @example 2026-01-15T08:30:00Z
                     */
                    last_run: string | null;
                    last_duration_ms: number | null;
                    last_error: string | null;
                    /**
                     * Format: date-time
                     * @example 2026-01-15T08:30:00Z
                     */
                    next_run: string | null;
                }[];
            };
            measuring: {
                id: string;
                root: string;
                files: number;
                bytes: number;
                watching: boolean;
                /** @description native: every directory watched; partial: some directories could not have a kernel watch (the inotify watch limit, named in reason) and are listed and re-read every sweep_seconds instead, and watching them is retried then; poll: polled; sweeps: not watched, full sweeps only. The counts are null for adapters that do not tell. */
                watch: {
                    /** @enum {string} */
                    mode: "native" | "partial" | "poll" | "sweeps";
                    directories_watched: number | null;
                    directories_unwatched: number | null;
                    reason: string | null;
                    sweep_seconds: number | null;
                };
                /** @description First scan done and watch set up */
                ready: boolean;
                watch_errors: number;
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                last_scan: string | null;
                /** @description Entries the last scan could not read (permissions, or paths longer than the OS takes): not counted, never deleted */
                scan_errors: number;
                scanning: {
                    files_so_far: number;
                    /**
                     * Format: date-time
                     * @example 2026-01-15T08:30:00Z
                     */
                    started_at: string;
                } | null;
            }[];
            /** @description How far measuring has come: after a start or an import, ready = targets once every target is scanned and watched */
            measured: {
                targets: number;
                /** @description Targets first-scanned and watched */
                ready: number;
                /**
                 * Format: date-time
                 * @description Since when every measured target is (null while one is still on its first scan)
                 * @example 2026-01-15T08:30:00Z
                 */
                all_ready_at: string | null;
            };
            blocked: {
                target: string;
                reason: string;
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                since: string;
            }[];
            maintenance: components["schemas"]["MaintenanceState"];
            /** @description The Docker Engine (SM_DOCKER_HOST); down makes the status degraded, never unhealthy */
            docker: {
                /** @enum {string} */
                status: "disabled" | "connecting" | "up" | "down";
                host: string | null;
                /**
                 * Format: date-time
                 * @description Since when the status holds
                 * @example 2026-01-15T08:30:00Z
                 */
                since: string | null;
                last_error: string | null;
                version: string | null;
                api_version: string | null;
                /** @description Whether the Engine's event stream is open (labels and volumes followed at once) */
                events: boolean;
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                last_listing: string | null;
                volumes: number;
                containers: number;
                /**
                 * Format: date-time
                 * @description When the Engine's disk-usage report (volume sizes) was last read
                 * @example 2026-01-15T08:30:00Z
                 */
                disk_usage_at: string | null;
                disk_usage_error: string | null;
            };
            volumes: {
                volume_name: string;
                /** @enum {string} */
                status: "available" | "missing";
                registrations: number;
                pending: number;
                quarantined: number;
            }[];
            filesystems: {
                mountpoint: string;
                fs_type: string;
                device: number;
                /** @description Volume names on this filesystem, and "(data directory)" */
                volumes: string[];
                total_bytes: number;
                available_bytes: number;
                used_ratio: number;
                inode_ratio: number;
                /** @enum {string} */
                tier: "ok" | "warning" | "critical" | "emergency";
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                measured_at: string;
                /** @description Growth of the upper envelope of usage (resists bursts and cleanup sawtooth) */
                growth_bytes_per_hour: number | null;
                /** @description At that growth; null when not growing or too little history */
                full_in_hours: number | null;
            }[];
            /** @description Targets out of the ok tier */
            targets: {
                target: string;
                /** @enum {string} */
                tier: "ok" | "warning" | "critical" | "emergency";
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                since: string | null;
            }[];
        };
        ImportRequest: {
            /** @enum {number} */
            version?: 1;
            /** @description As exported; ignored. */
            exported_at?: unknown;
            /**
             * @description The mode query parameter wins.
             * @enum {string}
             */
            mode?: "merge" | "replace";
            /** @description Registrations, or the items of an export as they are */
            registrations: components["schemas"]["ImportedRegistration"][];
        };
        ImportSummary: {
            /** @enum {string} */
            mode: "merge" | "replace";
            dry_run: boolean;
            created: number;
            updated: number;
            unchanged: number;
            removed: number;
        };
        ImportedRegistration: {
            /** @description As exported; ignored */
            id?: unknown;
            /** @description As exported; ignored */
            source?: unknown;
            /** @description As exported; ignored */
            owner?: unknown;
            /** @description As exported; ignored */
            status?: unknown;
            /** @description As exported; ignored */
            quarantine?: unknown;
            /** @description As exported; ignored */
            created_at?: unknown;
            /** @description As exported; ignored */
            updated_at?: unknown;
            /** @example camera-footage */
            volume_name: string;
            /**
             * @description Relative to the volume root; "/" is the whole volume.
             * @example /recordings
             */
            path: string;
            /** @enum {string} */
            algorithm: "max_size";
            /** @description Delete files (oldest first by default) until the target holds at most max_bytes. */
            params?: {
                max_bytes: number;
                /** @enum {string} */
                sort_by?: "mtime" | "ctime" | "size";
                include?: string | string[];
                exclude?: string | string[];
                min_age_seconds?: number;
                delete_empty_dirs?: boolean;
                dry_run?: boolean;
                priority?: number;
                watch?: boolean | "poll";
                warning_bytes?: number;
                critical_bytes?: number;
                emergency?: {
                    [key: string]: unknown;
                };
            };
            description?: string | null;
        } | {
            /** @description As exported; ignored */
            id?: unknown;
            /** @description As exported; ignored */
            source?: unknown;
            /** @description As exported; ignored */
            owner?: unknown;
            /** @description As exported; ignored */
            status?: unknown;
            /** @description As exported; ignored */
            quarantine?: unknown;
            /** @description As exported; ignored */
            created_at?: unknown;
            /** @description As exported; ignored */
            updated_at?: unknown;
            /** @example camera-footage */
            volume_name: string;
            /**
             * @description Relative to the volume root; "/" is the whole volume.
             * @example /recordings
             */
            path: string;
            /** @enum {string} */
            algorithm: "remove_before_date";
            /** @description Delete every file older than before_date, or older than max_age_days. */
            params?: {
                before_date?: string;
                max_age_days?: number;
                /** @enum {string} */
                age_by?: "mtime" | "ctime";
                include?: string | string[];
                exclude?: string | string[];
                min_age_seconds?: number;
                delete_empty_dirs?: boolean;
                dry_run?: boolean;
                priority?: number;
                watch?: boolean | "poll";
                warning_bytes?: number;
                critical_bytes?: number;
                emergency?: {
                    [key: string]: unknown;
                };
            };
            description?: string | null;
        } | {
            /** @description As exported; ignored */
            id?: unknown;
            /** @description As exported; ignored */
            source?: unknown;
            /** @description As exported; ignored */
            owner?: unknown;
            /** @description As exported; ignored */
            status?: unknown;
            /** @description As exported; ignored */
            quarantine?: unknown;
            /** @description As exported; ignored */
            created_at?: unknown;
            /** @description As exported; ignored */
            updated_at?: unknown;
            /** @example camera-footage */
            volume_name: string;
            /**
             * @description Relative to the volume root; "/" is the whole volume.
             * @example /recordings
             */
            path: string;
            /** @enum {string} */
            algorithm: "keep_n_latest";
            /** @description Keep only the keep_count most recent files; delete the others. */
            params?: {
                keep_count: number;
                /** @enum {string} */
                sort_by?: "mtime" | "ctime" | "size";
                include?: string | string[];
                exclude?: string | string[];
                min_age_seconds?: number;
                delete_empty_dirs?: boolean;
                dry_run?: boolean;
                priority?: number;
                watch?: boolean | "poll";
                warning_bytes?: number;
                critical_bytes?: number;
                emergency?: {
                    [key: string]: unknown;
                };
            };
            description?: string | null;
        } | {
            /** @description As exported; ignored */
            id?: unknown;
            /** @description As exported; ignored */
            source?: unknown;
            /** @description As exported; ignored */
            owner?: unknown;
            /** @description As exported; ignored */
            status?: unknown;
            /** @description As exported; ignored */
            quarantine?: unknown;
            /** @description As exported; ignored */
            created_at?: unknown;
            /** @description As exported; ignored */
            updated_at?: unknown;
            /** @example camera-footage */
            volume_name: string;
            /**
             * @description Relative to the volume root; "/" is the whole volume.
             * @example /recordings
             */
            path: string;
            /** @enum {string} */
            algorithm: "orphans";
            /** @description Delete files matching pattern whose companion (e.g. {stem}.jpg) does not exist beside them. */
            params?: {
                pattern: string;
                companion: string;
                include?: string | string[];
                exclude?: string | string[];
                min_age_seconds?: number;
                delete_empty_dirs?: boolean;
                dry_run?: boolean;
                priority?: number;
                watch?: boolean | "poll";
                warning_bytes?: number;
                critical_bytes?: number;
                emergency?: {
                    [key: string]: unknown;
                };
            };
            description?: string | null;
        };
        MaintenanceRequest: {
            enabled: boolean;
            reason?: string;
        };
        MaintenanceState: {
            enabled: boolean;
            reason: string | null;
            /**
             * Format: date-time
             * @example 2026-01-15T08:30:00Z
             */
            since: string | null;
        };
        Preview: {
            id: string;
            files: number;
            bytes: number;
            /** @description The first 100 paths, in deletion order, relative to the target. File names are bytes: a name that is not valid UTF-8 is shown with a lossless escape, `\xHH` for each such byte (also for control characters and U+FFFD), `\\` for a backslash; every other character stands for itself. */
            paths: string[];
            reason: string;
            /** @description Set when the cap cannot be met even after deleting every candidate */
            blocked: {
                reason: string;
                overBy: number;
                /** @enum {string} */
                unit: "bytes" | "files";
            } | null;
            /**
             * Format: date-time
             * @example 2026-01-15T08:30:00Z
             */
            next_run_at: string | null;
        };
        RegisterRequest: {
            /** @example camera-footage */
            volume_name: string;
            /**
             * @description Relative to the volume root; "/" is the whole volume.
             * @example /recordings
             */
            path: string;
            /** @enum {string} */
            algorithm: "max_size";
            /** @description Delete files (oldest first by default) until the target holds at most max_bytes. */
            params?: {
                max_bytes: number;
                /** @enum {string} */
                sort_by?: "mtime" | "ctime" | "size";
                include?: string | string[];
                exclude?: string | string[];
                min_age_seconds?: number;
                delete_empty_dirs?: boolean;
                dry_run?: boolean;
                priority?: number;
                watch?: boolean | "poll";
                warning_bytes?: number;
                critical_bytes?: number;
                emergency?: {
                    [key: string]: unknown;
                };
            };
            description?: string | null;
        } | {
            /** @example camera-footage */
            volume_name: string;
            /**
             * @description Relative to the volume root; "/" is the whole volume.
             * @example /recordings
             */
            path: string;
            /** @enum {string} */
            algorithm: "remove_before_date";
            /** @description Delete every file older than before_date, or older than max_age_days. */
            params?: {
                before_date?: string;
                max_age_days?: number;
                /** @enum {string} */
                age_by?: "mtime" | "ctime";
                include?: string | string[];
                exclude?: string | string[];
                min_age_seconds?: number;
                delete_empty_dirs?: boolean;
                dry_run?: boolean;
                priority?: number;
                watch?: boolean | "poll";
                warning_bytes?: number;
                critical_bytes?: number;
                emergency?: {
                    [key: string]: unknown;
                };
            };
            description?: string | null;
        } | {
            /** @example camera-footage */
            volume_name: string;
            /**
             * @description Relative to the volume root; "/" is the whole volume.
             * @example /recordings
             */
            path: string;
            /** @enum {string} */
            algorithm: "keep_n_latest";
            /** @description Keep only the keep_count most recent files; delete the others. */
            params?: {
                keep_count: number;
                /** @enum {string} */
                sort_by?: "mtime" | "ctime" | "size";
                include?: string | string[];
                exclude?: string | string[];
                min_age_seconds?: number;
                delete_empty_dirs?: boolean;
                dry_run?: boolean;
                priority?: number;
                watch?: boolean | "poll";
                warning_bytes?: number;
                critical_bytes?: number;
                emergency?: {
                    [key: string]: unknown;
                };
            };
            description?: string | null;
        } | {
            /** @example camera-footage */
            volume_name: string;
            /**
             * @description Relative to the volume root; "/" is the whole volume.
             * @example /recordings
             */
            path: string;
            /** @enum {string} */
            algorithm: "orphans";
            /** @description Delete files matching pattern whose companion (e.g. {stem}.jpg) does not exist beside them. */
            params?: {
                pattern: string;
                companion: string;
                include?: string | string[];
                exclude?: string | string[];
                min_age_seconds?: number;
                delete_empty_dirs?: boolean;
                dry_run?: boolean;
                priority?: number;
                watch?: boolean | "poll";
                warning_bytes?: number;
                critical_bytes?: number;
                emergency?: {
                    [key: string]: unknown;
                };
            };
            description?: string | null;
        };
        RegisterResult: {
            /** Format: uuid */
            id: string;
            volume_name: string;
            path: string;
            algorithm: string;
            params: {
                [key: string]: unknown;
            };
            description: string | null;
            /** @enum {string} */
            source: "api" | "label" | "deploy" | "import";
            /** @description For label registrations: the owning container's id */
            owner: string | null;
            /** @enum {string} */
            status: "active" | "pending";
            quarantine: {
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                since: string;
                reason: string;
            } | null;
            /**
             * Format: date-time
             * @example 2026-01-15T08:30:00Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2026-01-15T08:30:00Z
             */
            updated_at: string;
            /** @enum {string} */
            outcome: "created" | "updated" | "unchanged";
        };
        Registration: {
            /** Format: uuid */
            id: string;
            volume_name: string;
            path: string;
            algorithm: string;
            params: {
                [key: string]: unknown;
            };
            description: string | null;
            /** @enum {string} */
            source: "api" | "label" | "deploy" | "import";
            /** @description For label registrations: the owning container's id */
            owner: string | null;
            /** @enum {string} */
            status: "active" | "pending";
            quarantine: {
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                since: string;
                reason: string;
            } | null;
            /**
             * Format: date-time
             * @example 2026-01-15T08:30:00Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2026-01-15T08:30:00Z
             */
            updated_at: string;
        };
        RegistrationExport: {
            /** @enum {number} */
            version: 1;
            /**
             * Format: date-time
             * @example 2026-01-15T08:30:00Z
             */
            exported_at: string;
            registrations: components["schemas"]["Registration"][];
        };
        StorageReport: {
            /**
             * @description The worst tier of any filesystem or target
             * @enum {string}
             */
            status: "ok" | "warning" | "critical" | "emergency";
            /** @description What needs attention, worst first, in sentences */
            summary: string[];
            filesystems: {
                mountpoint: string;
                volumes: string[];
                /** @enum {string} */
                tier: "ok" | "warning" | "critical" | "emergency";
                text: string;
            }[];
            targets: {
                target: string;
                /** @enum {string} */
                tier: "ok" | "warning" | "critical" | "emergency";
                text: string;
            }[];
        };
        TargetRef: {
            volume_name: string;
            path: string;
        };
        Volume: {
            volume_name: string;
            current_bytes: number | null;
            /**
             * @description index: a target's live index covers the tree; engine: the Docker Engine's disk-usage report; scan: the last background walk; null: not measured yet
             * @enum {string|null}
             */
            current_bytes_source: "index" | "scan" | "engine" | null;
            /**
             * Format: date-time
             * @description When current_bytes was measured; null while the first background walk is under way
             * @example 2026-01-15T08:30:00Z
             */
            current_bytes_measured_at: string | null;
            containers: string[];
            driver: string;
            /**
             * Format: date-time
             * @example 2026-01-15T08:30:00Z
             */
            created_at: string | null;
            registrations: {
                id: string;
                path: string;
                algorithm: string;
                params: {
                    [key: string]: unknown;
                };
                description: string | null;
                /** @enum {string} */
                status: "active" | "pending";
                path_bytes: number | null;
                /**
                 * @description index: a target's live index covers the tree; engine: the Docker Engine's disk-usage report; scan: the last background walk; null: not measured yet
                 * @enum {string|null}
                 */
                path_bytes_source: "index" | "scan" | "engine" | null;
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                path_bytes_measured_at: string | null;
                /**
                 * @description The target's own tier: warning_bytes/critical_bytes, blocked or quarantined
                 * @enum {string}
                 */
                tier: "ok" | "warning" | "critical" | "emergency";
                /**
                 * Format: date-time
                 * @example 2026-01-15T08:30:00Z
                 */
                last_cleaned: string | null;
                files_removed_last_run: number | null;
            }[];
            /** @enum {string} */
            tier: "ok" | "warning" | "critical" | "emergency";
            /**
             * @description unknown: named by registrations, not listed, and its Docker Engine cannot be asked now
             * @enum {string}
             */
            status: "available" | "missing" | "unknown";
            /**
             * @description SM_VOLUMES_DIR, SM_ROOTS or the Docker Engine; null when missing
             * @enum {string|null}
             */
            source: "directory" | "root" | "docker" | null;
            /** @description Where its data is, as the manager sees it (SM_HOST_ROOT prefixed) */
            mountpoint: string | null;
            /** @description The volume's own labels (Docker) */
            labels: {
                [key: string]: string;
            };
            /** @description false: listed only (a driver without a local mountpoint), never measured or cleaned */
            manageable: boolean;
            unmanageable_reason: string | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type SchemaAlertTest = components['schemas']['AlertTest'];
export type SchemaAlerts = components['schemas']['Alerts'];
export type SchemaCleanupReport = components['schemas']['CleanupReport'];
export type SchemaCleanupRequest = components['schemas']['CleanupRequest'];
export type SchemaCleanupRun = components['schemas']['CleanupRun'];
export type SchemaDeployRequest = components['schemas']['DeployRequest'];
export type SchemaDeploySummary = components['schemas']['DeploySummary'];
export type SchemaEmergencyCleanupRequest = components['schemas']['EmergencyCleanupRequest'];
export type SchemaEmergencyReport = components['schemas']['EmergencyReport'];
export type SchemaErrorBody = components['schemas']['ErrorBody'];
export type SchemaEventPage = components['schemas']['EventPage'];
export type SchemaHealth = components['schemas']['Health'];
export type SchemaImportRequest = components['schemas']['ImportRequest'];
export type SchemaImportSummary = components['schemas']['ImportSummary'];
export type SchemaImportedRegistration = components['schemas']['ImportedRegistration'];
export type SchemaMaintenanceRequest = components['schemas']['MaintenanceRequest'];
export type SchemaMaintenanceState = components['schemas']['MaintenanceState'];
export type SchemaPreview = components['schemas']['Preview'];
export type SchemaRegisterRequest = components['schemas']['RegisterRequest'];
export type SchemaRegisterResult = components['schemas']['RegisterResult'];
export type SchemaRegistration = components['schemas']['Registration'];
export type SchemaRegistrationExport = components['schemas']['RegistrationExport'];
export type SchemaStorageReport = components['schemas']['StorageReport'];
export type SchemaTargetRef = components['schemas']['TargetRef'];
export type SchemaVolume = components['schemas']['Volume'];
export type $defs = Record<string, never>;
export interface operations {
    EventsController_list: {
        parameters: {
            query?: {
                /** @description 1..1000, default 100 */
                limit?: number;
                /** @description Comma-separated types; a trailing ".*" matches a family */
                type?: string;
                /** @description Target key "volume:/path" */
                target?: string;
                /** @description A seq (events after it) or an ISO 8601 instant */
                since?: string;
                /** @description A file path relative to its volume ("/recordings/2026/a.mp4", in the file-name escape): only the cleanups that deleted it, with `deletions` */
                path?: string;
                /** @description With path: only that volume */
                volume_name?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventPage"];
                };
            };
            /** @description Invalid request: the message and `field` name the fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    VolumesController_list: {
        parameters: {
            query?: {
                /** @description Substring of the volume name, case-insensitive */
                name?: string;
                /** @description Only volumes with (true) or without (false) registrations */
                registered?: boolean;
                /** @description Default volume_name */
                sort?: "volume_name" | "current_bytes" | "created_at";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every volume */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Volume"][];
                };
            };
            /** @description Invalid request: the message and `field` name the fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    RegistrationController_register: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterRequest"];
            };
        };
        responses: {
            /** @description Updated or unchanged */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RegisterResult"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RegisterResult"];
                };
            };
            /** @description Invalid request: the message and `field` name the fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Authorization: Bearer <token> is missing or wrong (when SM_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than SM_MAX_BODY_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not JSON (content-type application/json, utf-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The target is refused: it resolves outside its volume or would hold the manager's own data directory */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    RegistrationController_unregister: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                volume_name: string;
                /** @description URL-encoded path relative to the volume root */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid request: the message and `field` name the fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Authorization: Bearer <token> is missing or wrong (when SM_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such registration */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    RegistrationController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every registration */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Registration"][];
                };
            };
        };
    };
    RegistrationController_export: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The export document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RegistrationExport"];
                };
            };
        };
    };
    RegistrationController_import: {
        parameters: {
            query?: {
                /** @description merge (default) or replace; wins over the body's mode */
                mode?: "merge" | "replace";
                /** @description Only report what the import would change */
                dry_run?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ImportRequest"];
            };
        };
        responses: {
            /** @description What the import changed (or would change, with dry_run) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportSummary"];
                };
            };
            /** @description Invalid request: the message and `field` name the fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Authorization: Bearer <token> is missing or wrong (when SM_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than SM_MAX_BODY_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not JSON (content-type application/json, utf-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The target is refused: it resolves outside its volume or would hold the manager's own data directory */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    RegistrationController_deploy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The compose project name (lowercase letters, digits, _ and -) */
                project: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeployRequest"];
            };
        };
        responses: {
            /** @description What the deploy changed (or would change, with dry_run), target by target */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeploySummary"];
                };
            };
            /** @description Invalid request: the message and `field` name the fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Authorization: Bearer <token> is missing or wrong (when SM_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A declared target is registered by someone else (the API, labels, an import or another project): `field` and `details` name each one; nothing changed */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than SM_MAX_BODY_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not JSON (content-type application/json, utf-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The target is refused: it resolves outside its volume or would hold the manager's own data directory */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    RegistrationController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The registration */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Registration"];
                };
            };
            /** @description No such registration */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    CleanupController_run: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["CleanupRequest"];
            };
        };
        responses: {
            /** @description One report per target, and the totals */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CleanupRun"];
                };
            };
            /** @description Invalid request: the message and `field` name the fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Authorization: Bearer <token> is missing or wrong (when SM_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than SM_MAX_BODY_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not JSON (content-type application/json, utf-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    CleanupController_emergency: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["EmergencyCleanupRequest"];
            };
        };
        responses: {
            /** @description Per filesystem: usage before and after, what each target gave */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EmergencyReport"];
                };
            };
            /** @description Invalid request: the message and `field` name the fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Authorization: Bearer <token> is missing or wrong (when SM_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than SM_MAX_BODY_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not JSON (content-type application/json, utf-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    CleanupController_preview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The plan, nothing deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Preview"];
                };
            };
            /** @description No such registration */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    CleanupController_unquarantine: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The registration, out of quarantine */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Registration"];
                };
            };
            /** @description Authorization: Bearer <token> is missing or wrong (when SM_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such registration */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    MaintenanceController_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The maintenance state */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MaintenanceState"];
                };
            };
        };
    };
    MaintenanceController_set: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MaintenanceRequest"];
            };
        };
        responses: {
            /** @description The new maintenance state */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MaintenanceState"];
                };
            };
            /** @description Invalid request: the message and `field` name the fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Authorization: Bearer <token> is missing or wrong (when SM_API_TOKEN is set) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than SM_MAX_BODY_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not JSON (content-type application/json, utf-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    MetricsController_storageReport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every filesystem and target, worst first in the summary */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StorageReport"];
                };
            };
        };
    };
    AlertsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Active alerts and channels */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Alerts"];
                };
            };
        };
    };
    AlertsController_test: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One result per channel */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlertTest"];
                };
            };
        };
    };
    HealthController_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ok or degraded */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description unhealthy (database unreachable) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
}
