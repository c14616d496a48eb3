/** ArrayBuffer.prototype.transfer (ES2024, in Node since 21), which the project's TypeScript lib does not declare yet. */
interface Transferable {
  readonly detached: boolean;
  transfer(newByteLength?: number): ArrayBuffer;
}

interface TypedArray {
  readonly buffer: ArrayBufferLike;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * `array` resized to `length` elements (new elements zero). The old buffer is detached and its memory released at
 * once, not when the garbage collector gets to it, so growing a 50 MB column does not hold 100 MB for a while.
 */
export function resized<T extends TypedArray>(array: T, length: number, Type: new (buffer: ArrayBuffer) => T): T {
  return new Type((array.buffer as unknown as Transferable).transfer(length * array.BYTES_PER_ELEMENT));
}

/** Releases an array's memory at once (the array is empty after). */
export function release(array: TypedArray): void {
  const buffer = array.buffer as unknown as Transferable;
  if (!buffer.detached) buffer.transfer(0);
}
