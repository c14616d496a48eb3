/**
 * One regular file of a target, as the scanner and the watchers see it. Paths are relative to the target
 * root, '/'-separated, without a leading slash (`2026/01/cam1.mp4`).
 */
export interface FileEntry {
  readonly path: string;
  /** st_size in bytes. */
  readonly size: number;
  /** st_blocks (512-byte units). */
  readonly blocks: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly dev: number;
  readonly ino: number;
  readonly nlink: number;
}
