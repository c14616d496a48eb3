import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

/**
 * The shape of the tree, checked: no import cycles between source files, and dependencies pointing inwards —
 * only modules (the composition roots that bind ports to adapters) and the bootstrap import from `adapters/`;
 * adapters never import services.
 */
const SRC = path.dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Relative imports of a file (value and type imports alike: a type cycle is a design cycle too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/g)) {
    found.push(path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, '.ts')));
  }
  return found;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file).filter((target) => files.includes(target))]));
const rel = (file: string): string => path.relative(SRC, file);

describe('architecture', () => {
  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map(rel).join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('imports adapters only from modules and the bootstrap', () => {
    const offenders = files
      .filter((file) => !rel(file).startsWith('adapters/') && !file.endsWith('.module.ts') && rel(file) !== 'app.ts')
      .flatMap((file) => (graph.get(file) ?? []).filter((target) => rel(target).startsWith('adapters/')).map((target) => `${rel(file)} → ${rel(target)}`));
    expect(offenders).toEqual([]);
  });

  it('never has an adapter import a service or a controller', () => {
    const offenders = files
      .filter((file) => rel(file).startsWith('adapters/'))
      .flatMap((file) => (graph.get(file) ?? []).filter((target) => /\.(service|controller)\.ts$/.test(target)).map((target) => `${rel(file)} → ${rel(target)}`));
    expect(offenders).toEqual([]);
  });

  it('sees the whole tree (the checks above are not vacuous)', () => {
    expect(files.length).toBeGreaterThan(80);
    expect([...graph.values()].flat().length).toBeGreaterThan(200);
  });
});
