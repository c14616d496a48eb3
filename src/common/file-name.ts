/**
 * File names are bytes (SPEC §5): Linux allows any byte but `/` and NUL in a name, and nothing makes a name valid
 * UTF-8 (cameras, Windows/SMB shares and old tar files write Latin-1 or worse). Node decodes such a name to a
 * string with U+FFFD in place of the bad bytes, which no longer names the file. Inside the program every path
 * below a target root is therefore a string in this lossless escape of the name's bytes:
 *
 * - a valid UTF-8 character stands for itself, except the ones below;
 * - `\\` is a backslash;
 * - `\xHH` (two lowercase hex digits) is one byte, used for every byte that is not part of a valid UTF-8
 *   character, and for the bytes of control characters (U+0000–U+001F, U+007F–U+009F: a newline is `\x0a`) and of
 *   U+FFFD itself (`\xef\xbf\xbd`), so that a U+FFFD in a path always means "decoded lossily somewhere".
 *
 * So a name in valid UTF-8 without a backslash or a control character is its own escape (the fast path: nothing
 * is copied), the escape of every byte sequence decodes back to exactly those bytes, and the escape is plain,
 * printable text for the index, policies, events, the API and alerts. `/` is never escaped, so the escape of a
 * path is the escape of its names joined by `/`. Decoding is lenient: a backslash that starts neither sequence
 * stands for itself, and `\xHH` decodes only bytes the escape would write that way (never `/` or `.`), so no
 * string, well formed or not, decodes to a different path structure than it shows.
 */

/** A character that a name never shows as itself: controls, backslash, U+FFFD (also the mark of a lossy decode). */
const NEEDS_ESCAPE = /[\p{Cc}\\\ufffd]/u; // Cc: exactly U+0000–U+001F and U+007F–U+009F
const NEEDS_ESCAPE_ALL = /[\p{Cc}\\\ufffd]/gu;
const REPLACEMENT = '\ufffd';
const BACKSLASH = 0x5c;

const HEX = Array.from({ length: 256 }, (_, b) => `\\x${b.toString(16).padStart(2, '0')}`);

/** Whether a byte is written as `\xHH` when it stands alone (not a valid character's part): what decoding accepts. */
function escapedAlone(byte: number): boolean {
  return byte < 0x20 || byte >= 0x7f;
}

/** Whether `name` (a string Node decoded, or an escape) is exactly its own escape: no character that needs one. */
export function isPlainName(name: string): boolean {
  return !NEEDS_ESCAPE.test(name);
}

/** Whether a string a library decoded may have lost bytes: it holds U+FFFD (an escape never does). */
export function mayBeLossy(decoded: string): boolean {
  return decoded.includes(REPLACEMENT);
}

/**
 * The escape of a name (or path) that Node decoded from valid UTF-8, so exact: controls and backslashes escaped.
 * A U+FFFD is taken as the character itself; when it may stand for lost bytes (see mayBeLossy), read the bytes
 * again instead.
 */
export function escapeName(exact: string): string {
  if (!NEEDS_ESCAPE.test(exact)) return exact;
  return exact.replace(NEEDS_ESCAPE_ALL, (c) => {
    if (c === '\\') return '\\\\';
    let escaped = '';
    for (const byte of Buffer.from(c, 'utf8')) escaped += HEX[byte]!;
    return escaped;
  });
}

/** Length of the valid UTF-8 sequence starting at `i` (Unicode Table 3-7: no overlongs, no surrogates, ≤ U+10FFFF), or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, low = 0x80, high = 0xbf): boolean => i + k < bytes.length && bytes[i + k]! >= low && bytes[i + k]! <= high;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** The escape of a name's bytes (also of a path's: `/` stays `/`). */
export function nameFromBytes(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoded = buffer.toString('utf8');
  if (!NEEDS_ESCAPE.test(decoded)) return decoded;
  if (!decoded.includes(REPLACEMENT)) return escapeName(decoded);
  let out = '';
  let plainFrom = 0;
  const flushPlain = (to: number): void => {
    if (to > plainFrom) out += buffer.toString('utf8', plainFrom, to);
  };
  for (let i = 0; i < buffer.length; ) {
    const length = sequenceLength(buffer, i);
    if (length === 0) {
      flushPlain(i);
      out += HEX[buffer[i]!]!;
      plainFrom = ++i;
      continue;
    }
    const b0 = buffer[i]!;
    // Controls (C0, DEL, C1 = C2 80..9F), backslash and U+FFFD (EF BF BD) are written byte by byte.
    const special =
      (length === 1 && (b0 < 0x20 || b0 === 0x7f || b0 === BACKSLASH)) ||
      (length === 2 && b0 === 0xc2 && buffer[i + 1]! <= 0x9f) ||
      (length === 3 && b0 === 0xef && buffer[i + 1] === 0xbf && buffer[i + 2] === 0xbd);
    if (special) {
      flushPlain(i);
      out += b0 === BACKSLASH ? '\\\\' : buffer.subarray(i, i + length).reduce((s, byte) => s + HEX[byte]!, '');
      plainFrom = i + length;
    }
    i += length;
  }
  flushPlain(buffer.length);
  return out;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/** The bytes an escape stands for (of a name, or of a path). */
export function bytesFromName(name: string): Buffer {
  if (!name.includes('\\')) return Buffer.from(name, 'utf8');
  const parts: Buffer[] = [];
  const bytes: number[] = [];
  let plainFrom = 0;
  const flush = (to: number): void => {
    if (to > plainFrom) {
      if (bytes.length > 0) parts.push(Buffer.from(bytes.splice(0)));
      parts.push(Buffer.from(name.slice(plainFrom, to), 'utf8'));
    }
  };
  for (let i = name.indexOf('\\'); i >= 0 && i < name.length; i = name.indexOf('\\', i)) {
    if (name.charCodeAt(i + 1) === BACKSLASH) {
      flush(i);
      bytes.push(BACKSLASH);
      plainFrom = i += 2;
      continue;
    }
    if (name[i + 1] === 'x') {
      const high = hexValue(name.charCodeAt(i + 2));
      const low = hexValue(name.charCodeAt(i + 3));
      const byte = high * 16 + low;
      if (high >= 0 && low >= 0 && escapedAlone(byte)) {
        flush(i);
        bytes.push(byte);
        plainFrom = i += 4;
        continue;
      }
    }
    i++; // a backslash that starts no sequence stands for itself
  }
  flush(name.length);
  if (bytes.length > 0) parts.push(Buffer.from(bytes));
  return Buffer.concat(parts);
}

/**
 * The path to hand the OS for `relative` (an escape, '/'-separated) below `root` (an OS path as given: never
 * escaped): a string when the escape is its own bytes, else a Buffer of the exact bytes.
 */
export function osPath(root: string, relative: string): string | Buffer {
  if (relative === '') return root;
  if (!relative.includes('\\')) return `${root}/${relative}`;
  return Buffer.concat([Buffer.from(`${root}/`, 'utf8'), bytesFromName(relative)]);
}

/**
 * A path below a root as a library reported it in a decoded string (parcel, chokidar): its escape when exact, else
 * the longest leading part that is (the directory to list again with exact names), '' for the root itself.
 */
export function exactPrefix(relative: string): { path: string; exact: boolean } {
  if (!relative.includes(REPLACEMENT)) return { path: escapeName(relative), exact: true };
  const names = relative.split('/');
  const lossy = names.findIndex((name) => name.includes(REPLACEMENT));
  return { path: escapeName(names.slice(0, lossy).join('/')), exact: false };
}

/**
 * A watch event's path from a library that hands out decoded strings (parcel, chokidar), made an escaped path
 * below `root`: the path itself when it was decoded exactly, else its nearest directory that was (to be listed
 * again with exact names). Paths outside `root` are returned as they are.
 */
export function fromDecodedPath(root: string, absolute: string): { path: string; exact: boolean } {
  if (absolute === root || !absolute.startsWith(`${root}/`)) return { path: absolute, exact: true };
  if (isPlainName(absolute)) return { path: absolute, exact: true };
  const { path, exact } = exactPrefix(absolute.slice(root.length + 1));
  return { path: path === '' ? root : `${root}/${path}`, exact };
}
