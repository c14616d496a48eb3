/**
 * Compose project names, as PUT /api/projects/{project}/registrations and the CLI's deploy accept them:
 * lowercase letters, digits, `_` and `-`, starting with a letter or a digit (Compose's own rule).
 */

export const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export const MAX_PROJECT_NAME_LENGTH = 255;

/** Returns a problem message, or undefined when the name is a valid compose project name. */
export function checkProjectName(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_PROJECT_NAME_LENGTH) return `must be at most ${MAX_PROJECT_NAME_LENGTH} characters`;
  if (!PROJECT_NAME_PATTERN.test(name)) return 'must contain only lowercase letters, digits, _ and -, and start with a letter or a digit';
  return undefined;
}
