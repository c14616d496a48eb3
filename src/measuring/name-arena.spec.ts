import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../../test/support/random.mjs';
import { nameFromBytes } from '../common/file-name.js';
import { compareStrings } from './radix-sort.js';
import { NameArena } from './name-arena.js';

/** The escape of every name byte Linux allows (all but NUL and '/'), alone and inside names, and odd characters. */
function oddNames(): string[] {
  const names: string[] = [];
  for (let byte = 1; byte < 256; byte++) {
    if (byte === 0x2f) continue;
    names.push(nameFromBytes(Uint8Array.from([byte])));
    names.push(nameFromBytes(Uint8Array.from([0x61, byte, 0x62])));
  }
  // Lone continuation bytes, truncated sequences, overlongs, surrogates encoded in UTF-8, U+FFFD itself, a backslash.
  for (const bytes of [[0x80], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xef, 0xbf, 0xbd], [0x5c, 0x78, 0x34, 0x31], [0xff, 0xfe]]) {
    names.push(nameFromBytes(Uint8Array.from(bytes)));
  }
  names.push('caf\u00e9', '\u{1f600}.mp4', '\ue000x', '\uffef', 'x'.repeat(255), '\u00ff'.repeat(255));
  return names;
}

describe('NameArena', () => {
  it('gives back every name the file-name escape can write, exactly', () => {
    const names = oddNames();
    const arena = new NameArena(4);
    names.forEach((name, slot) => {
      if (slot >= arena.starts.length) arena.growSlots(slot * 2);
      arena.write(slot, name);
    });
    expect(names.map((_, slot) => arena.nameOf(slot))).toEqual(names);
    expect(names.filter((name, slot) => arena.encode(name) && !arena.matchesEncoded(slot, arena.encode(name)))).toEqual([]);
  });

  it('orders names from their bytes exactly as their strings compare, characters above U+FFFF included', () => {
    const random = seededRandom(3);
    // Characters where UTF-8 byte order and UTF-16 code-unit order disagree (U+E000–U+FFFF against U+10000 and up).
    const alphabet = ['a', 'z', '\u00e9', '\ud7ff', '\ue000', '\uffee', '\u{10000}', '\u{1f600}', '\u{10ffff}', '\\x80', '\\\\'];
    const names = Array.from({ length: 400 }, () =>
      Array.from({ length: 1 + Math.floor(random() * 4) }, () => alphabet[Math.floor(random() * alphabet.length)]!).join(''),
    );
    const arena = new NameArena(names.length);
    names.forEach((name, slot) => arena.write(slot, name));
    const wrong: string[] = [];
    for (let a = 0; a < names.length; a++) {
      for (let b = 0; b < names.length; b += 7) {
        if (Math.sign(arena.compare(a, b)) !== compareStrings(names[a]!, names[b]!)) wrong.push(`${names[a]} ? ${names[b]}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('compacts in steps while names are read, written and released, and ends holding only the names in use', () => {
    const random = seededRandom(9);
    const slots = 20_000;
    const arena = new NameArena(slots, 1024, 1024);
    const model = new Map<number, string>();
    for (let slot = 0; slot < slots; slot++) {
      const name = `segment-${slot}-${'x'.repeat(slot % 17)}`;
      arena.write(slot, name);
      model.set(slot, name);
    }
    const full = arena.footprint().bytes;
    for (let slot = 0; slot < slots; slot++) {
      if (random() < 0.85) {
        arena.release(slot);
        model.delete(slot);
      }
    }
    expect(arena.wantsCompaction()).toBe(true);
    const wrong: string[] = [];
    let steps = 0;
    for (let done = false; !done; steps++) {
      done = arena.compactStep(500);
      // Between steps: some names change (released, then written anew), and every name in use reads right.
      for (let k = 0; k < 20; k++) {
        const slot = Math.floor(random() * slots);
        if (model.has(slot)) arena.release(slot);
        const name = `new-${steps}-${k}-\\xff`;
        arena.write(slot, name);
        model.set(slot, name);
      }
      for (const [slot, name] of model) if (arena.nameOf(slot) !== name) wrong.push(`step ${steps}: ${slot}`);
    }
    expect(wrong).toEqual([]);
    expect(steps).toBeGreaterThan(10);
    expect(arena.compacting).toBe(false);
    const live = [...model.values()].reduce((n, name) => n + Buffer.byteLength(name), 0);
    expect(arena.liveBytes).toBe(live);
    expect(arena.footprint().bytes).toBeLessThan(full / 3);
  });
});
