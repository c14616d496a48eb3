import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../../test/support/random.mjs';
import type { FileEntry } from '../measuring/file-entry.js';
import { FileIndex } from '../measuring/file-index.js';
import { ArrayFileView } from '../measuring/file-view.js';
import { keepNLatestPolicy } from './keep-n-latest.policy.js';
import { maxSizePolicy } from './max-size.policy.js';
import { orphansPolicy } from './orphans.policy.js';
import type { Policy } from './policy.js';
import { removeBeforeDatePolicy } from './remove-before-date.policy.js';
import { DAY, file, HOUR, NOW } from './test-files.js';

/** Params that make each policy read a different part of its orders (filters, caps, thresholds). */
function randomParams(random: () => number): Array<[Policy, Record<string, unknown>]> {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const common = (): Record<string, unknown> => ({
    ...(random() < 0.3 ? { include: pick(['*.mp4', 'cam1/**', ['*.jpg', 'cam2/**']]) } : {}),
    ...(random() < 0.3 ? { exclude: pick(['keep/**', '*.jpg']) } : {}),
    ...(random() < 0.5 ? { min_age_seconds: pick([0, 60, 3 * HOUR, 2 * DAY]) } : {}),
  });
  return [
    [maxSizePolicy, { max_bytes: Math.floor(random() * 20_000), sort_by: pick(['mtime', 'ctime', 'size']), ...common() }],
    [keepNLatestPolicy, { keep_count: Math.floor(random() * 60), sort_by: pick(['mtime', 'ctime', 'size']), ...common() }],
    [removeBeforeDatePolicy, { max_age_days: pick([0.01, 0.5, 1, 3]), age_by: pick(['mtime', 'ctime']), ...common() }],
    [removeBeforeDatePolicy, { before_date: pick(['2026-02-27', '2026-03-01T06:00:00Z']), ...common() }],
    [orphansPolicy, { pattern: '*.json', companion: '{stem}.jpg', ...common() }],
  ];
}

describe('plans over the ordered index', () => {
  it.each([1, 2, 3, 4, 5])('equal plans over a full sort, through random arrivals, updates and cleanups (seed %i)', (seed) => {
    const random = seededRandom(seed);
    const index = new FileIndex();
    const live = new Map<string, FileEntry>();
    const dirs = ['cam1/2026-03-01/10', 'cam1/2026-03-01/11', 'cam2', 'keep', ''];
    const exts = ['mp4', 'jpg', 'json'];
    const plans: Array<[unknown, unknown]> = [];
    let deleting = 0;
    for (let step = 0; step < 1500; step++) {
      const roll = random();
      const dir = dirs[Math.floor(random() * dirs.length)]!;
      const name = `s${Math.floor(random() * 40)}.${exts[Math.floor(random() * exts.length)]!}`;
      const path = dir === '' ? name : `${dir}/${name}`;
      if (roll < 0.6) {
        // Coarse ages and sizes, so that every key ties often and the path decides.
        const ageSeconds = Math.floor(random() * 12) * (random() < 0.5 ? HOUR : 20);
        const entry = file(path, { size: 100 * Math.floor(random() * 8), ageSeconds, ctimeAgeSeconds: Math.floor(random() * 6) * HOUR });
        index.upsert(entry);
        live.set(path, entry);
      } else if (roll < 0.9) {
        index.remove(path);
        live.delete(path);
      } else {
        // What a cleanup does: the oldest few go.
        for (const entry of [...index.ordered('mtime')].slice(0, 3)) {
          index.remove(entry.path);
          live.delete(entry.path);
        }
      }
      if (step % 50 === 49) {
        const array = new ArrayFileView([...live.values()]);
        for (const [policy, params] of randomParams(random)) {
          const plan = policy.plan(index, params, NOW);
          if (plan.delete.length > 0) deleting++;
          plans.push([{ policy: policy.name, params, plan }, { policy: policy.name, params, plan: policy.plan(array, params, NOW) }]);
        }
      }
    }
    expect(plans.map(([ordered]) => ordered)).toEqual(plans.map(([, sorted]) => sorted));
    expect(plans).toHaveLength(150);
    // Not vacuous: a good part of the plans delete something.
    expect(deleting).toBeGreaterThan(50);
  });
});
