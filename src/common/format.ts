/** A ratio (0..1) to four decimals, as events, health and reports show it. */
export function roundRatio(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Decimal units, one decimal place above bytes ("1.2 GB"), for reasons, reports, alerts and log lines. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
