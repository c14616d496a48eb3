import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FileIndex } from '../../measuring/file-index.js';
import { entriesOf } from '../../measuring/scan-output.js';
import { mergeOutputs } from './tree-reader.adapter.js';
import { scanTree } from './scanner.js';

let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'sm-scan-'));
  for (let d = 0; d < 7; d++) {
    mkdirSync(path.join(root, `d${d}`, 'sub'), { recursive: true });
    for (let f = 0; f < 5; f++) writeFileSync(path.join(root, `d${d}`, 'sub', `f${f}`), Buffer.alloc(d * 10 + f));
  }
  writeFileSync(path.join(root, 'top.txt'), 'abc');
  linkSync(path.join(root, 'top.txt'), path.join(root, 'd0', 'hard.txt'));
  symlinkSync('/etc/passwd', path.join(root, 'd1', 'escape'));
  symlinkSync(path.join(root, 'd2'), path.join(root, 'loop'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('scanTree', () => {
  it('counts regular files only, hard links once, never following symlinks', () => {
    const index = FileIndex.fromScan(scanTree(root));
    const expectedBytes = [...Array(7).keys()].reduce((n, d) => n + [0, 1, 2, 3, 4].reduce((m, f) => m + d * 10 + f, 0), 0) + 3;
    expect(index.tally()).toMatchObject({ files: 37, bytes: expectedBytes });
    expect(index.get('d1/escape')).toBeUndefined();
  });

  it('gives the same result split between parts as in one walk', () => {
    const whole = scanTree(root);
    for (const parts of [2, 3, 4]) {
      const merged = mergeOutputs([...Array(parts).keys()].map((index) => scanTree(root, "", { index, of: parts })));
      expect([...entriesOf(merged)].map((e) => e.path).sort()).toEqual([...entriesOf(whole)].map((e) => e.path).sort());
      expect(FileIndex.fromScan(merged).tally()).toEqual(FileIndex.fromScan(whole).tally());
    }
  });

  it('reports progress during a long scan', () => {
    const seen: number[] = [];
    scanTree(root, '', undefined, (files) => seen.push(files), 10);
    expect(seen).toEqual([10, 20, 30]);
  });

  it('reports a missing root without failing', () => {
    expect(scanTree(path.join(root, 'nope'))).toMatchObject({ rootExists: false, names: [], dirs: [] });
  });
});
