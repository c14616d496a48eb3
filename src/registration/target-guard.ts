import path from 'node:path';

/** Whether `child` is inside `parent` (or equal to it when `orEqual`). Both absolute and normalised. */
export function isInside(child: string, parent: string, orEqual = false): boolean {
  if (child === parent) return orEqual;
  const relative = path.relative(parent, child);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * A target may never hold the manager's own data directory: it must be neither the data directory nor one
 * of its ancestors, nor inside it (except in the standalone volumes directory, which may live there).
 */
export function overlapsProtectedDir(target: string, dataDir: string, volumesDir: string): boolean {
  if (isInside(dataDir, target, true)) return true;
  if (isInside(target, dataDir)) return !isInside(target, volumesDir, true);
  return false;
}
