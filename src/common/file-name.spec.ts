import { describe, expect, it } from '@jest/globals';
import { bytesFromName, escapeName, exactPrefix, isPlainName, mayBeLossy, nameFromBytes, osPath } from './file-name.js';

/** A small seeded generator (xorshift32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

const bytes = (...values: number[]): Buffer => Buffer.from(values);
const roundTrips = (input: Buffer): boolean => bytesFromName(nameFromBytes(input)).equals(input);

describe('file names as bytes', () => {
  it('leaves valid UTF-8 names without backslash or controls as they are', () => {
    for (const name of ['cam1.mp4', 'a b', 'été.jpg', 'e\u0301te\u0301.jpg', '日本語', '🎥 clip', 'x'.repeat(255), 'ü'.repeat(127), '%41', 'a/b/c']) {
      expect(nameFromBytes(Buffer.from(name))).toBe(name);
      expect(escapeName(name)).toBe(name);
      expect(isPlainName(name)).toBe(true);
      expect(bytesFromName(name)).toEqual(Buffer.from(name));
    }
  });

  it('keeps NFC and NFD spellings apart', () => {
    const nfc = 'caf\u00e9';
    const nfd = 'cafe\u0301';
    expect(nameFromBytes(Buffer.from(nfc))).not.toBe(nameFromBytes(Buffer.from(nfd)));
    expect(bytesFromName(nfd)).toEqual(Buffer.from(nfd));
  });

  it('escapes backslashes, controls, U+FFFD and invalid bytes as documented', () => {
    expect(nameFromBytes(Buffer.from('a\\b'))).toBe('a\\\\b');
    expect(nameFromBytes(Buffer.from('line\nbreak\ttab\r'))).toBe('line\\x0abreak\\x09tab\\x0d');
    expect(nameFromBytes(Buffer.from('del\u007f c1\u0085'))).toBe('del\\x7f c1\\xc2\\x85');
    expect(nameFromBytes(Buffer.from('real\ufffd'))).toBe('real\\xef\\xbf\\xbd');
    expect(nameFromBytes(bytes(0x66, 0xff, 0x2e, 0x6d, 0x70, 0x34))).toBe('f\\xff.mp4');
    expect(nameFromBytes(bytes(0x63, 0x61, 0x66, 0xe9))).toBe('caf\\xe9'); // Latin-1 é
    expect(nameFromBytes(bytes(0xc0, 0xaf))).toBe('\\xc0\\xaf'); // overlong '/'
    expect(nameFromBytes(bytes(0xed, 0xa0, 0x80))).toBe('\\xed\\xa0\\x80'); // a surrogate, CESU-8 style
    expect(nameFromBytes(bytes(0xf4, 0x90, 0x80, 0x80))).toBe('\\xf4\\x90\\x80\\x80'); // above U+10FFFF
    expect(nameFromBytes(bytes(0xe2, 0x82, 0x41))).toBe('\\xe2\\x82A'); // truncated € before ASCII
    expect(nameFromBytes(bytes(0xe2, 0x82))).toBe('\\xe2\\x82'); // truncated at the end
    expect(nameFromBytes(bytes(0x80))).toBe('\\x80');
    expect(nameFromBytes(Buffer.from('é\\'))).toBe('é\\\\');
    // Mixed: valid multi-byte characters stay, around invalid bytes and escapes.
    expect(nameFromBytes(Buffer.concat([Buffer.from('日\\'), bytes(0xff), Buffer.from('\n本')]))).toBe('日\\\\\\xff\\x0a本');
  });

  it('escapes the same from a decoded string as from its bytes', () => {
    for (const name of ['a\\b', 'x\ny', '\u0001\u001f\u007f\u009f', 'tab\there', 'é\\\u0085', 'plain']) {
      expect(escapeName(name)).toBe(nameFromBytes(Buffer.from(name)));
      expect(isPlainName(name)).toBe(name === 'plain');
    }
  });

  it('round-trips every single byte and every pair of bytes', () => {
    const failing: string[] = [];
    for (let a = 0; a < 256; a++) {
      if (!roundTrips(bytes(a))) failing.push(`${a}`);
      for (let b = 0; b < 256; b++) if (!roundTrips(bytes(a, b))) failing.push(`${a} ${b}`);
    }
    expect(failing).toEqual([]);
  });

  it('round-trips random byte sequences, shows no control character and never a U+FFFD', () => {
    const next = random(20260101);
    let checked = 0;
    for (let n = 0; n < 20_000; n++) {
      const length = Math.floor(next() * 64);
      // Biased towards bytes that make UTF-8 interesting: leads, continuations, backslash, controls.
      const pool = [0x00, 0x0a, 0x1f, 0x2f, 0x2e, 0x41, 0x5c, 0x78, 0x7f, 0x80, 0x9f, 0xbf, 0xc0, 0xc2, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
      const input = Buffer.from(Array.from({ length }, () => (next() < 0.6 ? pool[Math.floor(next() * pool.length)]! : Math.floor(next() * 256))));
      const name = nameFromBytes(input);
      if (!bytesFromName(name).equals(input)) throw new Error(`does not round-trip: ${input.toString('hex')} → ${name}`);
      if (/\p{Cc}/u.test(name) || mayBeLossy(name)) throw new Error(`shows a control or U+FFFD: ${JSON.stringify(name)}`);
      // The escape is a well-formed string (no lone surrogate): it survives UTF-8 itself.
      if (Buffer.from(name, 'utf8').toString('utf8') !== name) throw new Error(`not well formed: ${JSON.stringify(name)}`);
      checked++;
    }
    expect(checked).toBe(20_000);
  });

  it('round-trips names of 255 bytes, ASCII, multi-byte and invalid', () => {
    for (const input of [Buffer.alloc(255, 0x61), Buffer.from('é'.repeat(127) + 'x'), Buffer.alloc(255, 0xff), Buffer.from('€'.repeat(85))]) {
      expect(input.length).toBe(255);
      expect(roundTrips(input)).toBe(true);
    }
    expect(nameFromBytes(Buffer.alloc(255, 0xff))).toHaveLength(255 * 4);
  });

  it('decodes leniently, and never into a different path structure', () => {
    expect(bytesFromName('a\\b').toString()).toBe('a\\b'); // a lone backslash stands for itself
    expect(bytesFromName('end\\').toString()).toBe('end\\');
    expect(bytesFromName('\\x').toString()).toBe('\\x');
    expect(bytesFromName('\\xg0').toString()).toBe('\\xg0');
    expect(bytesFromName('\\xFF').toString()).toBe('\\xFF'); // only the lowercase the escape writes
    expect(bytesFromName('\\x2f').toString()).toBe('\\x2f'); // '/' is never escaped, so never decoded
    expect(bytesFromName('\\x2e\\x2e').toString()).toBe('\\x2e\\x2e');
    expect(bytesFromName('\\\\xff')).toEqual(Buffer.from('\\xff')); // an escaped backslash, then text
    expect(bytesFromName('\\xff\\xfe')).toEqual(bytes(0xff, 0xfe));
    const next = random(7);
    const alphabet = ['\\', 'x', '2', 'f', 'e', '0', '/', '.', 'a', 'F'];
    for (let n = 0; n < 5000; n++) {
      const name = Array.from({ length: Math.floor(next() * 16) }, () => alphabet[Math.floor(next() * alphabet.length)]!).join('');
      const decoded = bytesFromName(name);
      const count = (s: Iterable<number>, byte: number): number => [...s].filter((b) => b === byte).length;
      const source = Buffer.from(name);
      if (count(decoded, 0x2f) !== count(source, 0x2f) || count(decoded, 0x2e) !== count(source, 0x2e)) throw new Error(`${name} changes the path's structure`);
    }
  });

  it('gives the OS a string when the escape is its own bytes, else the exact bytes, never touching the root', () => {
    expect(osPath('/vol/a\\b', '')).toBe('/vol/a\\b');
    expect(osPath('/vol/a\\b', 'x/y.mp4')).toBe('/vol/a\\b/x/y.mp4');
    expect(osPath('/vol/a\\b', 'x/f\\xff.mp4')).toEqual(Buffer.concat([Buffer.from('/vol/a\\b/x/f'), bytes(0xff), Buffer.from('.mp4')]));
  });

  it('cuts a lossily decoded path back to the part that is exact', () => {
    expect(exactPrefix('a/b\\c/d.mp4')).toEqual({ path: 'a/b\\\\c/d.mp4', exact: true });
    expect(exactPrefix('a/x\ny/f\ufffd.mp4')).toEqual({ path: 'a/x\\x0ay', exact: false });
    expect(exactPrefix('\ufffd/f.mp4')).toEqual({ path: '', exact: false });
    expect(mayBeLossy('f\ufffd.mp4')).toBe(true);
  });
});
