import { LABEL_PREFIX, parseRegistrationLabels } from '../../registration/labels.js';
import type { RegistrationInput } from '../../registration/registration.schema.js';

export interface RegisterFlags {
  readonly volume: string;
  readonly path: string;
  readonly algorithm: string;
  readonly param: readonly string[];
  readonly description?: string;
}

const FLAG_OF_LABEL: Readonly<Record<string, string>> = { volume: '--volume', path: '--path', algorithm: '--algorithm', description: '--description' };

/**
 * The flags of `register` as a label set, so that `--param max_bytes=5368709120` is typed exactly as the label
 * `storage-manager.0.max_bytes: "5368709120"` would be, and refused with the same messages.
 */
export function registrationFromFlags(flags: RegisterFlags): { input?: RegistrationInput; problems: string[] } {
  const prefix = `${LABEL_PREFIX}0.`;
  const labels: Record<string, string> = { [`${prefix}volume`]: flags.volume, [`${prefix}path`]: flags.path, [`${prefix}algorithm`]: flags.algorithm };
  if (flags.description !== undefined) labels[`${prefix}description`] = flags.description;
  const problems: string[] = [];
  for (const pair of flags.param) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.slice(0, eq);
    if (key === '' || Object.hasOwn(FLAG_OF_LABEL, key)) {
      problems.push(`--param ${JSON.stringify(pair)}: must be name=value with the name of a param (max_bytes=5368709120, emergency.keep_count=25)`);
      continue;
    }
    labels[prefix + key] = pair.slice(eq + 1);
  }
  const parsed = parseRegistrationLabels(labels);
  for (const problem of parsed.problems) {
    const name = problem.label.startsWith(prefix) ? problem.label.slice(prefix.length) : problem.label;
    const flag = FLAG_OF_LABEL[name] ?? `--param ${name}`;
    problems.push(`${flag}: ${problem.field} ${problem.message}`);
  }
  return { input: problems.length === 0 ? parsed.registrations[0]?.input : undefined, problems };
}
