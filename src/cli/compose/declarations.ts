import { hasRegistrationLabels, LABEL_PREFIX, parseRegistrationLabels } from '../../registration/labels.js';
import type { RegistrationInput } from '../../registration/registration.schema.js';
import { checkVolumeName } from '../../registration/target-path.js';
import type { ComposeModel, ServiceModel } from './compose-model.js';

/**
 * A compose project's `storage-manager.*` labels as registrations (SPEC §3, deploy-time): every label of every
 * active service is parsed by the same function label discovery uses, each volume is resolved to the name the
 * Engine will give it, and the trust rule is applied as discovery applies it — a service may only register a
 * volume it mounts. Every problem is collected, so that one run names them all.
 */

export interface DeclaredRegistration {
  readonly service: string;
  /** The `<N>` of `storage-manager.<N>.*`. */
  readonly index: string;
  /** With `volume_name` resolved to the Engine's name. */
  readonly input: RegistrationInput;
}

export interface DeclarationProblem {
  readonly service: string;
  /** The label at fault (`storage-manager.0.max_bytes`). */
  readonly label: string;
  readonly message: string;
}

export interface Declarations {
  readonly registrations: DeclaredRegistration[];
  readonly problems: DeclarationProblem[];
  /** Services with storage-manager labels left out because none of their profiles is active. */
  readonly inactive: string[];
}

/**
 * The Engine name of a volume as a label or a mount names it: a top-level volume `logs` is `<project>_logs`,
 * or its `name:`, or `logs` itself when external; a name that is not a top-level volume is taken as it is.
 */
export function engineVolumeName(name: string, model: ComposeModel, project: string): string {
  const declared = Object.hasOwn(model.volumes, name) ? model.volumes[name] : undefined;
  if (!declared) return name;
  if (declared.name) return declared.name;
  return declared.external ? name : `${project}_${name}`;
}

/** Compose's profiles: a service without profiles always runs; one with profiles only when one of them is active. */
export function isActive(service: ServiceModel, profiles: readonly string[]): boolean {
  return service.profiles.length === 0 || profiles.includes('*') || service.profiles.some((p) => profiles.includes(p));
}

export function declarations(model: ComposeModel, project: string, profiles: readonly string[] = []): Declarations {
  const registrations: DeclaredRegistration[] = [];
  const problems: DeclarationProblem[] = [];
  const inactive: string[] = [];
  const claimed = new Map<string, string>();
  for (const serviceName of Object.keys(model.services).sort()) {
    const service = model.services[serviceName]!;
    if (!hasRegistrationLabels(service.labels)) continue;
    if (!isActive(service, profiles)) {
      inactive.push(serviceName);
      continue;
    }
    const parsed = parseRegistrationLabels(service.labels);
    for (const problem of parsed.problems) {
      const message = problem.field === 'label' ? problem.message : `${problem.field} ${problem.message}`;
      problems.push({ service: serviceName, label: problem.label, message });
    }
    const mounted = new Set(
      service.mounts.flatMap((m) => (m.kind === 'volume' && m.source !== null ? [engineVolumeName(m.source, model, project)] : [])),
    );
    for (const { index, input } of parsed.registrations) {
      const label = `${LABEL_PREFIX}${index}.volume`;
      const written = input.volume_name;
      const volume = engineVolumeName(written, model, project);
      const nameProblem = checkVolumeName(volume);
      if (nameProblem) {
        problems.push({ service: serviceName, label, message: `volume "${written}" resolves to the Engine name "${volume}", which ${nameProblem}` });
        continue;
      }
      if (!mounted.has(volume)) {
        const named = volume === written ? `volume "${written}"` : `volume "${written}" (Engine name "${volume}")`;
        const mounts = mounted.size > 0 ? `it mounts ${[...mounted].map((m) => `"${m}"`).join(', ')}` : 'it mounts no named volume';
        problems.push({ service: serviceName, label, message: `${named} is not mounted by service "${serviceName}" (${mounts}); a service may only register a volume it mounts` });
        continue;
      }
      const key = `${volume}:${input.path}`;
      const first = claimed.get(key);
      if (first !== undefined) {
        problems.push({ service: serviceName, label: `${LABEL_PREFIX}${index}.path`, message: `declares ${key} again (already declared by ${first})` });
        continue;
      }
      claimed.set(key, `service "${serviceName}" ${LABEL_PREFIX}${index}`);
      registrations.push({ service: serviceName, index, input: { ...input, volume_name: volume } });
    }
  }
  return { registrations, problems, inactive };
}
