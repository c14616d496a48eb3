import { MappingType, ThresholdsMode, VariableRefresh, type Dashboard, type Panel, type ValueMapping } from '@grafana/schema';
import { METRIC } from './metric-names.js';

/**
 * The Grafana dashboards, typed against @grafana/schema and built from the metric names of metric-names.ts, so
 * a renamed metric breaks the build or the test that runs every panel's query against a live Prometheus — never
 * a panel that quietly shows "No data". `npm run dashboards` writes them to grafana/dashboards/. (Only that script
 * and the tests import this module: the service never loads @grafana/schema.)
 */
const DS = { type: 'prometheus', uid: 'prometheus' };
const TIER_MAPPINGS: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: {
      '0': { text: 'ok', color: 'green', index: 0 },
      '1': { text: 'warning', color: 'yellow', index: 1 },
      '2': { text: 'critical', color: 'orange', index: 2 },
      '3': { text: 'emergency', color: 'red', index: 3 },
    },
  },
];
const TARGET = `volume="$volume",path="$path"`;

interface PanelSpec {
  title: string;
  type: 'timeseries' | 'stat' | 'table' | 'bargauge';
  queries: Array<{ expr: string; legend?: string }>;
  unit?: string;
  description?: string;
  tiers?: boolean;
  w?: number;
  h?: number;
  max?: number;
}

function panels(specs: PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((spec, index) => {
    const w = spec.w ?? 12;
    const h = spec.h ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const panel: Panel = {
      id: index + 1,
      title: spec.title,
      description: spec.description,
      type: spec.type,
      datasource: DS,
      gridPos: { x, y, w, h },
      targets: spec.queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, expr: q.expr, legendFormat: q.legend ?? '__auto' })),
      fieldConfig: {
        defaults: {
          unit: spec.unit,
          max: spec.max,
          mappings: spec.tiers ? TIER_MAPPINGS : undefined,
          thresholds: spec.tiers
            ? { mode: ThresholdsMode.Absolute, steps: [{ color: 'green', value: null }, { color: 'yellow', value: 1 }, { color: 'orange', value: 2 }, { color: 'red', value: 3 }] }
            : undefined,
        },
        overrides: [],
      },
      options: {},
    };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return panel;
  });
}

function dashboard(uid: string, title: string, description: string, specs: PanelSpec[], variables: Dashboard['templating'] = { list: [] }): Dashboard {
  return {
    uid,
    title,
    description,
    tags: ['storage-manager'],
    editable: true,
    schemaVersion: 39,
    time: { from: 'now-24h', to: 'now' },
    refresh: '30s',
    timezone: 'browser',
    templating: variables,
    panels: panels(specs),
  };
}

const labelVariable = (name: string, query: string) => ({
  name,
  label: name,
  type: 'query' as const,
  datasource: DS,
  query: { query, refId: `${name}-values` },
  definition: query,
  refresh: VariableRefresh.onTimeRangeChanged,
  includeAll: false,
  multi: false,
});

export const DASHBOARDS: Record<string, Dashboard> = {
  'storage-manager-overview': dashboard('storage-manager-overview', 'Storage manager — overview', 'Every filesystem and target: tier, usage, forecast.', [
    { title: 'Worst filesystem tier', type: 'stat', tiers: true, w: 6, h: 5, queries: [{ expr: `max(${METRIC.filesystemTier.name})` }] },
    { title: 'Worst target tier', type: 'stat', tiers: true, w: 6, h: 5, queries: [{ expr: `max(${METRIC.targetTier.name})` }] },
    { title: 'Targets blocked or quarantined', type: 'stat', w: 6, h: 5, queries: [{ expr: `sum(${METRIC.targetBlocked.name}) + sum(${METRIC.targetQuarantined.name})` }] },
    { title: 'Soonest full', type: 'stat', unit: 's', w: 6, h: 5, description: '+Inf: not growing.', queries: [{ expr: `min(${METRIC.filesystemUntilFull.name})` }] },
    { title: 'Filesystem used (bytes or inodes, the worse)', type: 'bargauge', unit: 'percentunit', max: 1, queries: [{ expr: `max by (mountpoint) (${METRIC.filesystemUsedRatio.name} > ${METRIC.filesystemInodeRatio.name} or ${METRIC.filesystemInodeRatio.name})`, legend: '{{mountpoint}}' }] },
    { title: 'Filesystem tier', type: 'table', tiers: true, queries: [{ expr: METRIC.filesystemTier.name, legend: '{{mountpoint}}' }] },
    { title: 'Filesystem used over time', type: 'timeseries', unit: 'percentunit', max: 1, queries: [{ expr: METRIC.filesystemUsedRatio.name, legend: '{{mountpoint}}' }, { expr: METRIC.filesystemInodeRatio.name, legend: '{{mountpoint}} inodes' }] },
    { title: 'Filesystem time until full', type: 'timeseries', unit: 's', description: 'Median slope of the upper envelope (resists bursts and cleanup sawtooth).', queries: [{ expr: METRIC.filesystemUntilFull.name, legend: '{{mountpoint}}' }] },
    { title: 'Target size', type: 'timeseries', unit: 'bytes', queries: [{ expr: METRIC.targetBytes.name, legend: '{{volume}}:{{path}}' }] },
    { title: 'Target tier', type: 'table', tiers: true, queries: [{ expr: METRIC.targetTier.name, legend: '{{volume}}:{{path}}' }] },
  ]),
  'storage-manager-target': dashboard(
    'storage-manager-target',
    'Storage manager — target',
    'One target: usage against its cap, files, oldest file, growth; reaction of its cleanups.',
    [
      { title: 'Size and cap', type: 'timeseries', unit: 'bytes', queries: [{ expr: `${METRIC.targetBytes.name}{${TARGET}}`, legend: 'bytes' }, { expr: `${METRIC.targetDiskBytes.name}{${TARGET}}`, legend: 'on disk' }, { expr: `${METRIC.targetLimitBytes.name}{${TARGET}} or ${METRIC.targetLimitFiles.name}{${TARGET}} * 0`, legend: 'max_bytes' }] },
      { title: 'Files', type: 'timeseries', queries: [{ expr: `${METRIC.targetFiles.name}{${TARGET}}`, legend: 'files' }] },
      { title: 'Oldest file age', type: 'stat', unit: 's', w: 6, queries: [{ expr: `${METRIC.targetOldestFileAge.name}{${TARGET}}` }] },
      { title: 'Tier', type: 'stat', tiers: true, w: 6, queries: [{ expr: `${METRIC.targetTier.name}{${TARGET}}` }] },
      { title: 'Growth', type: 'timeseries', unit: 'Bps', description: '0 until enough history.', queries: [{ expr: `${METRIC.targetGrowth.name}{${TARGET}}`, legend: 'growth' }] },
      { title: 'Watch events applied', type: 'timeseries', unit: 'ops', queries: [{ expr: `rate(${METRIC.watcherEvents.name}{${TARGET}}[5m]) or ${METRIC.targetWatching.name}{${TARGET}} * 0`, legend: 'events/s' }] },
      { title: 'Reaction latency (over cap → under it)', type: 'timeseries', unit: 's', queries: [{ expr: `histogram_quantile(0.5, sum by (le) (rate(${METRIC.reactionLatency.name}_bucket[5m])))`, legend: 'p50' }, { expr: `histogram_quantile(0.99, sum by (le) (rate(${METRIC.reactionLatency.name}_bucket[5m])))`, legend: 'p99' }] },
    ],
    { list: [labelVariable('volume', `label_values(${METRIC.targetBytes.name}, volume)`), labelVariable('path', `label_values(${METRIC.targetBytes.name}{volume="$volume"}, path)`)] },
  ),
  'storage-manager-cleanups': dashboard('storage-manager-cleanups', 'Storage manager — cleanups and alerts', 'What cleanups did, how fast, and what was alerted.', [
    { title: 'Cleanup runs', type: 'timeseries', queries: [{ expr: `sum by (trigger, result) (increase(${METRIC.cleanupRuns.name}[1h]))`, legend: '{{trigger}} {{result}}' }] },
    { title: 'Freed', type: 'timeseries', unit: 'bytes', queries: [{ expr: `sum by (trigger) (increase(${METRIC.cleanupFreedBytes.name}[1h]))`, legend: '{{trigger}}' }] },
    { title: 'Deleted files', type: 'timeseries', queries: [{ expr: `sum by (trigger) (increase(${METRIC.cleanupDeletedFiles.name}[1h]))`, legend: '{{trigger}}' }] },
    { title: 'Cleanup duration p99', type: 'timeseries', unit: 's', queries: [{ expr: `histogram_quantile(0.99, sum by (le, trigger) (rate(${METRIC.cleanupDuration.name}_bucket[5m])))`, legend: '{{trigger}}' }] },
    { title: 'Tally drift found by sweeps', type: 'timeseries', unit: 'bytes', queries: [{ expr: `increase(${METRIC.tallyDriftBytes.name}[1h])`, legend: 'bytes' }] },
    { title: 'Tier changes', type: 'timeseries', queries: [{ expr: `sum by (scope, tier) (increase(${METRIC.tierChanges.name}[1h])) or vector(0)`, legend: '{{scope}} → {{tier}}' }] },
    { title: 'Alerts', type: 'timeseries', queries: [{ expr: `sum by (kind, status) (increase(${METRIC.alertsRaised.name}[1h])) or vector(0)`, legend: '{{kind}} {{status}}' }, { expr: `sum by (kind) (increase(${METRIC.alertsSuppressed.name}[1h])) or vector(0)`, legend: '{{kind}} suppressed' }] },
    { title: 'Alert deliveries', type: 'timeseries', queries: [{ expr: `sum by (channel, result) (increase(${METRIC.alertDeliveries.name}[1h]))`, legend: '{{channel}} {{result}}' }] },
    { title: 'Outbox', type: 'timeseries', queries: [{ expr: METRIC.alertOutbox.name, legend: '{{channel}} waiting' }, { expr: METRIC.alertChannelFailing.name, legend: '{{channel}} failing' }] },
    { title: 'Event log', type: 'timeseries', unit: 'bytes', queries: [{ expr: METRIC.eventLogSize.name, legend: 'size' }] },
  ]),
};

/** Every query of every panel (and template variable), for the test that runs them against a live Prometheus. */
export function dashboardQueries(): Array<{ dashboard: string; panel: string; expr: string }> {
  return Object.entries(DASHBOARDS).flatMap(([uid, d]) =>
    (d.panels ?? []).flatMap((panel) => ((panel as Panel).targets ?? []).map((t) => ({ dashboard: uid, panel: (panel as Panel).title ?? '', expr: String((t as { expr?: string }).expr) }))),
  );
}
