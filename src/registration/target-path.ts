/** Rules for the names that address a target: a volume name and a path relative to the volume root. */

export const VOLUME_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const MAX_PATH_BYTES = 4096;
export const MAX_COMPONENT_BYTES = 255;

/** Returns a problem message, or undefined when the name is valid. */
export function checkVolumeName(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'must be a string';
  if (name.length === 0) return 'must not be empty';
  if (Buffer.byteLength(name) > 255) return 'must be at most 255 bytes';
  if (!VOLUME_NAME_PATTERN.test(name)) return 'must start with a letter or digit and contain only letters, digits, _ . -';
  return undefined;
}

/**
 * Normalises a target path to `/` or `/a/b`: a missing leading slash is added, repeated and trailing
 * slashes are folded. Rejects NUL, `.` and `..` components and over-long paths or components.
 */
export function normaliseTargetPath(value: unknown): { path: string } | { problem: string } {
  if (typeof value !== 'string') return { problem: 'must be a string' };
  if (value.length === 0) return { problem: 'must not be empty (use "/" for the whole volume)' };
  if (value.includes('\0')) return { problem: 'must not contain NUL' };
  if (Buffer.byteLength(value) > MAX_PATH_BYTES) return { problem: `must be at most ${MAX_PATH_BYTES} bytes` };
  const components = value.split('/').filter((c) => c !== '');
  for (const component of components) {
    if (component === '.' || component === '..') {
      return { problem: `must not contain "${component}" components (paths are relative to the volume root)` };
    }
    if (Buffer.byteLength(component) > MAX_COMPONENT_BYTES) {
      return { problem: `has a component longer than ${MAX_COMPONENT_BYTES} bytes` };
    }
  }
  return { path: `/${components.join('/')}` };
}
