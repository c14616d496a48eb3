import { readdirSync, type Dirent } from 'node:fs';
import { escapeName, isPlainName, mayBeLossy, nameFromBytes } from '../../common/file-name.js';

function rename(entry: Dirent | Dirent<Buffer>, name: string): void {
  (entry as { name: unknown }).name = name;
}

/**
 * readdirSync with every name in the file-name escape (src/common/file-name.ts). The fast path lists strings as
 * usual; a name holding U+FFFD may have lost bytes in decoding, so the directory is then listed again as bytes.
 * Names with a backslash or a control character are escaped from the string. Throws as readdirSync does.
 */
export function readDirectory(dir: string | Buffer): Dirent[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  let lossy = false;
  for (const entry of entries) {
    if (isPlainName(entry.name)) continue;
    if (mayBeLossy(entry.name)) {
      lossy = true;
      break;
    }
    rename(entry, escapeName(entry.name));
  }
  if (!lossy) return entries;
  const exact = readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
  for (const entry of exact) rename(entry, nameFromBytes(entry.name));
  return exact as unknown as Dirent[];
}
