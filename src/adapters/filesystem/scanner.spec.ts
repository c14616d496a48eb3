import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bytesFromName, nameFromBytes } from '../../common/file-name.js';
import { FileIndex } from '../../measuring/file-index.js';
import { entriesOf } from '../../measuring/scan-output.js';
import { FsTreeReader, mergeOutputs } from './tree-reader.adapter.js';
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
    expect(scanTree(path.join(root, 'nope'))).toMatchObject({ rootExists: false, files: { count: 0 }, dirs: [] });
  });

  it('reads names that are not UTF-8 by their bytes, in the escape, and skips FIFOs', () => {
    const odd = mkdtempSync(path.join(tmpdir(), 'sm-scan-odd-'));
    try {
      const raw = (...parts: Array<string | number[]>): Buffer =>
        Buffer.concat([Buffer.from(`${odd}/`), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))]);
      writeFileSync(raw('f', [0xff], '.mp4'), 'abc');
      writeFileSync(path.join(odd, 'f\ufffd.mp4'), 'twin'); // what the name above reads as: another file
      mkdirSync(raw('caf', [0xe9]));
      writeFileSync(raw('caf', [0xe9], '/in', [0x80]), ''); // an invalid name inside an invalid directory
      writeFileSync(path.join(odd, 'a\\b'), '12');
      writeFileSync(path.join(odd, 'line\nbreak'), '1');
      execFileSync('mkfifo', [path.join(odd, 'pipe')]);
      const output = scanTree(odd);
      const paths = [...entriesOf(output)].map((e) => e.path).sort();
      expect(paths).toEqual(['a\\\\b', 'caf\\xe9/in\\x80', 'f\\xef\\xbf\\xbd.mp4', 'f\\xff.mp4', 'line\\x0abreak']);
      // Every path decodes to what find prints, byte for byte.
      const found = execFileSync('find', [odd, '-type', 'f', '-printf', '%P\\0']).subarray(0, -1);
      const expected = found.length === 0 ? [] : splitOn(found, 0).map((b) => nameFromBytes(b)).sort();
      expect(paths).toEqual(expected);
      expect(FileIndex.fromScan(output).tally()).toMatchObject({ files: 5, bytes: 3 + 4 + 0 + 2 + 1 });
      // Single-path reads take the same escape.
      const reader = new FsTreeReader();
      expect(reader.statPath(odd, 'caf\\xe9/in\\x80')?.isFile()).toBe(true);
      expect(reader.listDirectory(odd, 'caf\\xe9')?.map((e) => e.name)).toEqual(['in\\x80']);
      expect(bytesFromName('caf\\xe9/in\\x80')).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2f, 0x69, 0x6e, 0x80]));
    } finally {
      rmSync(odd, { recursive: true, force: true });
    }
  });

  it('walks a tree 1,100 levels deep without recursion', () => {
    const deep = mkdtempSync(path.join(tmpdir(), 'sm-scan-deep-'));
    try {
      const dir = path.join(deep, ...Array.from({ length: 1100 }, () => 'd'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'bottom'), 'x');
      const output = scanTree(deep);
      expect(output.directories).toBe(1101);
      expect([...entriesOf(output)].map((e) => e.path.split('/').length)).toEqual([1101]);
    } finally {
      rmSync(deep, { recursive: true, force: true });
    }
  });
});

function splitOn(buffer: Buffer, byte: number): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = buffer.indexOf(byte); at >= 0; at = buffer.indexOf(byte, from)) {
    parts.push(buffer.subarray(from, at));
    from = at + 1;
  }
  parts.push(buffer.subarray(from));
  return parts;
}
